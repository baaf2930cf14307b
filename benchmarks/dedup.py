"""Dedup insert+query throughput and memory on synthetic documents (in-memory state).

Every document is checked against everything before it and inserted, a polled batch at a
time (``Deduplicator.check_batch``: vectorised signatures, band keys and claims, then candidate
verification and records; decisions identical to one ``check`` per document in order).
The synthetic stream mixes originals (words drawn from a Zipf-distributed 50,000-word
vocabulary), exact copies and near copies; generation time is excluded from the throughput,
peak RSS includes everything.

    python -m benchmarks.dedup [--docs N] [--words W]
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

from pipeline.dedup.deduplicator import Deduplicator
from pipeline.dedup.state import MemoryState

VOCABULARY = 50_000


def _documents(rng: np.random.Generator, count: int, words: int, vocab: list[str]) -> list[str]:
    ranks = rng.zipf(1.3, size=(count, words)) % VOCABULARY
    texts = [" ".join(vocab[r] for r in row) for row in ranks.tolist()]
    kinds = rng.random(count)
    for index in range(1, count):
        if kinds[index] < 0.05:  # exact copy of an earlier document of the chunk
            texts[index] = texts[int(rng.integers(0, index))]
        elif kinds[index] < 0.10:  # near copy: a few words replaced
            source = texts[int(rng.integers(0, index))].split()
            for position in rng.integers(0, len(source), size=max(1, words // 40)).tolist():
                source[position] = vocab[int(rng.integers(0, VOCABULARY))]
            texts[index] = " ".join(source)
    return texts


def run(
    docs: int = 1_000_000, words: int = 120, chunk: int = 20_000, seed: int = 7,
    batch: int = 1000,
) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    vocab = [f"w{index:05d}x" for index in range(VOCABULARY)]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    state = MemoryState(expected_docs=docs)
    dedup = Deduplicator(state)
    elapsed = 0.0
    duplicates = 0
    start_time = 1_700_000_000.0
    for offset in range(0, docs, chunk):
        texts = _documents(rng, min(chunk, docs - offset), words, vocab)
        items = [
            (f"doc{offset + index:08d}", start_time + (offset + index) * 0.5, text, 0)
            for index, text in enumerate(texts)
        ]
        started = time.perf_counter()
        for first in range(0, len(items), batch):
            for decision in dedup.check_batch(items[first : first + batch]):
                duplicates += decision.duplicate_of is not None
        elapsed += time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "documents": docs,
        "words_per_document": words,
        "batch": batch,
        "docs_per_s": round(docs / elapsed, 1),
        "seconds": round(elapsed, 1),
        "duplicates_marked": duplicates,
        "peak_rss_gib": round(peak / 2**30, 3),
        "rss_growth_gib": round((peak - rss_before) / 2**30, 3),
        "gib_per_million_docs": round((peak - rss_before) / 2**30 / (docs / 1e6), 3),
        "targets": {"docs_per_s": 20_000, "gib_per_million_docs": 1.5},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--words", type=int, default=120)
    args = parser.parse_args()
    print(json.dumps(run(args.docs, args.words), indent=1))
