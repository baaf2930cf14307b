"""Dedup insert+query throughput and memory on synthetic documents (in-memory state).

Every document is checked against everything before it and inserted, a polled batch at a
time (``Deduplicator.check_batch``: vectorised signatures, band keys and claims, then candidate
verification and records; decisions identical to one ``check`` per document in order).
The synthetic stream mixes originals (words drawn from a Zipf-distributed 50,000-word
vocabulary, and four names, capitalised inside the text, from a Zipf-distributed 20,000-name
list, so the story layer has candidates to find and compare), exact copies and near copies;
generation time is excluded from the throughput, peak RSS includes everything. The same stream
is also decided with the story layer off (``story_cosine=None``: stories by MinHash bands only,
the decisions of the code before the story layer), and the ratio of the two rates is reported.
The story layer weighs words by background frequencies of the same synthetic language (2,000
other documents of it), as the stage weighs real news by those of real news.

A separate figure measures the shared Elasticsearch state (``--es-docs``, default 2,000, on
the node at ``NEWS_ELASTICSEARCH__URL`` or 127.0.0.1:9200, in indices of a unique prefix that
are deleted afterwards): documents per second for one worker running ``DeduplicateStage`` as
the runner does, once one article at a time (``process`` alone: several round trips per
article) and once with ``prepare_batch`` on batches of 100 (a few bulk requests per batch),
each with the story layer on and off. It is skipped, with the reason, when the node cannot be
reached.

    python -m benchmarks.dedup [--docs N] [--words W] [--es-docs N]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import uuid
from datetime import UTC, datetime

import numpy as np

from pipeline.dedup.deduplicator import Deduplicator
from pipeline.dedup.state import MemoryState
from pipeline.dedup.stories import DEFAULT_SKETCH_COSINE
from pipeline.dedup.story_words import StoryWords, build
from pipeline.envelope import CleanedContent, Envelope, Stage

VOCABULARY = 50_000
NAMES = 20_000
NAMES_PER_DOCUMENT = 4


def _documents(rng: np.random.Generator, count: int, words: int, vocab: list[str]) -> list[str]:
    ranks = rng.zipf(1.3, size=(count, words)) % VOCABULARY
    rows = [[vocab[r] for r in row] for row in ranks.tolist()]
    names = rng.zipf(1.5, size=(count, NAMES_PER_DOCUMENT)) % NAMES
    places = rng.integers(1, words, size=(count, NAMES_PER_DOCUMENT))
    for row, chosen, at in zip(rows, names.tolist(), places.tolist(), strict=True):
        for name, position in zip(chosen, at, strict=True):
            row[position] = f"Name{name:05d}"
    texts = [" ".join(row) for row in rows]
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


def background(words: int = 120, documents: int = 2000, seed: int = 3) -> StoryWords:
    """Background word frequencies of the synthetic language, as ``story_words.yaml`` holds
    those of real news: its frequent words weigh little in a story sketch."""
    rng = np.random.default_rng(seed)
    vocab = [f"w{index:05d}x" for index in range(VOCABULARY)]
    return build(_documents(rng, documents, words, vocab))


def _in_memory(
    docs: int, words: int, chunk: int, seed: int, batch: int, story_cosine: float | None
) -> tuple[float, int, int]:
    """Seconds spent deciding, duplicates marked and articles joined to another's story."""
    rng = np.random.default_rng(seed)
    vocab = [f"w{index:05d}x" for index in range(VOCABULARY)]
    dedup = Deduplicator(
        MemoryState(expected_docs=docs), story_cosine=story_cosine,
        story_words=background(words),
    )
    elapsed = 0.0
    duplicates = joined = 0
    start_time = 1_700_000_000.0
    for offset in range(0, docs, chunk):
        texts = _documents(rng, min(chunk, docs - offset), words, vocab)
        items = [
            (f"doc{offset + index:08d}", start_time + (offset + index) * 0.5, text, 0)
            for index, text in enumerate(texts)
        ]
        started = time.perf_counter()
        for first in range(0, len(items), batch):
            part = items[first : first + batch]
            for (doc_id, *_), decision in zip(part, dedup.check_batch(part), strict=True):
                duplicates += decision.duplicate_of is not None
                joined += decision.duplicate_of is None and decision.story_id != doc_id
        elapsed += time.perf_counter() - started
    return elapsed, duplicates, joined


def run(
    docs: int = 1_000_000, words: int = 120, chunk: int = 20_000, seed: int = 7,
    batch: int = 1000, es_docs: int = 2000,
) -> dict[str, object]:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    elapsed, duplicates, joined = _in_memory(
        docs, words, chunk, seed, batch, DEFAULT_SKETCH_COSINE
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    # The same stream without the story layer: the previous code's decisions and cost.
    plain, plain_duplicates, plain_joined = _in_memory(docs, words, chunk, seed, batch, None)
    result: dict[str, object] = {
        "documents": docs,
        "words_per_document": words,
        "batch": batch,
        "docs_per_s": round(docs / elapsed, 1),
        "seconds": round(elapsed, 1),
        "duplicates_marked": duplicates,
        "joined_another_story": joined,
        "without_story_layer": {
            "docs_per_s": round(docs / plain, 1),
            "duplicates_marked": plain_duplicates,
            "joined_another_story": plain_joined,
        },
        "story_layer_cost_per_doc_us": round((elapsed - plain) / docs * 1e6, 1),
        "rate_ratio_with_to_without": round(plain / elapsed, 3),
        "peak_rss_gib": round(peak / 2**30, 3),
        "rss_growth_gib": round((peak - rss_before) / 2**30, 3),
        "gib_per_million_docs": round((peak - rss_before) / 2**30 / (docs / 1e6), 3),
        "targets": {"docs_per_s": 20_000, "gib_per_million_docs": 1.5},
    }
    if es_docs:
        # Measured after the in-memory figure, so it does not count in that peak RSS.
        result["elasticsearch_per_worker"] = run_elasticsearch(es_docs, words=words)
    return result


def _envelopes(docs: int, words: int, seed: int) -> list[Envelope]:
    rng = np.random.default_rng(seed)
    vocab = [f"w{index:05d}x" for index in range(VOCABULARY)]
    texts = _documents(rng, docs, words, vocab)
    start = 1_700_000_000.0
    return [
        Envelope(
            id=f"es-bench-{index:06d}",
            url=f"https://bench.example/{index}",
            source="bench",
            first_seen=datetime.fromtimestamp(start + index * 0.5, UTC),
            stage=Stage.CLEANED,
            cleaned=CleanedContent(title=None, text=text, word_count=words),
        )
        for index, text in enumerate(texts)
    ]


def run_elasticsearch(
    docs: int = 2000, one_by_one_docs: int = 400, batch: int = 100, words: int = 120,
    seed: int = 11,
) -> dict[str, object]:
    """Docs/s of one deduplicate worker on the shared Elasticsearch state, without and with
    ``prepare_batch``; ``{"skipped": reason}`` when the node cannot be reached."""
    from pipeline.dedup.es_state import ElasticsearchDedupState, claims_index, records_index
    from pipeline.search_setup import client
    from pipeline.settings import load_settings
    from pipeline.stages.deduplicate import DeduplicateStage

    settings = load_settings().elasticsearch
    es = client(settings)
    try:
        es.options(request_timeout=3).info()
    except Exception as exc:  # any failure means "no node to measure"
        es.close()
        return {"skipped": f"Elasticsearch at {settings.url} not reachable: {exc}"}

    words_background = background(words)

    def measure(envelopes: list[Envelope], prepare: bool, story_cosine: float | None) -> float:
        settings.index_prefix = f"bench-dedup-{uuid.uuid4().hex[:12]}"
        state = ElasticsearchDedupState(es, claims_index(settings), records_index(settings))
        stage = DeduplicateStage(
            state=state, story_cosine=story_cosine, story_words=words_background
        )
        try:
            started = time.perf_counter()
            for first in range(0, len(envelopes), batch):
                part = envelopes[first : first + batch]
                if prepare:
                    stage.prepare_batch(part)
                for envelope in part:
                    stage.process(envelope)
                stage.after_batch_written()
            return len(envelopes) / (time.perf_counter() - started)
        finally:
            for name in (state.claims_index, state.records_index):
                es.indices.delete(index=name, ignore_unavailable=True)

    envelopes = _envelopes(docs, words, seed)
    try:
        one_by_one = measure(envelopes[:one_by_one_docs], False, DEFAULT_SKETCH_COSINE)
        batched = measure(envelopes, True, DEFAULT_SKETCH_COSINE)
        # The same without the story layer (the previous code), in the same run.
        plain_one_by_one = measure(envelopes[:one_by_one_docs], False, None)
        plain_batched = measure(envelopes, True, None)
    finally:
        es.close()
    return _es_report(
        batch, min(one_by_one_docs, docs), docs,
        (one_by_one, batched), (plain_one_by_one, plain_batched),
    )


def _es_report(
    batch: int, one_by_one_docs: int, docs: int,
    rates: tuple[float, float], plain: tuple[float, float],
) -> dict[str, object]:
    (one_by_one, batched), (plain_one_by_one, plain_batched) = rates, plain
    return {
        "batch": batch,
        "one_by_one_documents": one_by_one_docs,
        "one_by_one_docs_per_s": round(one_by_one, 1),
        "prepared_documents": docs,
        "prepared_docs_per_s": round(batched, 1),
        "speed_up": round(batched / one_by_one, 1),
        "without_story_layer": {
            "one_by_one_docs_per_s": round(plain_one_by_one, 1),
            "prepared_docs_per_s": round(plain_batched, 1),
        },
        "story_layer_cost_per_doc_ms": {
            "one_by_one": round((1 / one_by_one - 1 / plain_one_by_one) * 1e3, 2),
            "prepared": round((1 / batched - 1 / plain_batched) * 1e3, 2),
        },
        "rate_ratio_with_to_without": {
            "one_by_one": round(one_by_one / plain_one_by_one, 3),
            "prepared": round(batched / plain_batched, 3),
        },
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--words", type=int, default=120)
    parser.add_argument("--es-docs", type=int, default=2000, help="0 skips the Elasticsearch figure")
    args = parser.parse_args()
    print(json.dumps(run(args.docs, args.words, es_docs=args.es_docs), indent=1))
