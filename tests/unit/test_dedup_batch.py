"""The vectorised batch path agrees exactly with one-by-one checks, and the claim table keeps
"first claimant wins" within a batch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from pipeline.dedup import batch
from pipeline.dedup.claims import ClaimTable
from pipeline.dedup.deduplicator import Deduplicator
from pipeline.dedup.signatures import content_hash, signature
from pipeline.dedup.state import MemoryState
from pipeline.envelope import CleanedContent, Envelope, Stage
from pipeline.errors import RetriableError
from pipeline.stages.deduplicate import DeduplicateStage
from tests.fixtures.news import NAMES, REWRITE_ADAMS, article, body, near_copy, syndicated

T0 = 1_400_000_000.0


def test_batch_signatures_match_single_ones_and_the_unicode_rules() -> None:
    texts = [body(name) for name in NAMES] + [
        "Ça «marche» — très BIEN, Straße ﬁnal.", "", "short text", REWRITE_ADAMS,
    ]
    sigs = batch.signatures(texts)
    for index, text in enumerate(texts):
        single = signature(text)
        assert sigs.content_hashes[index] == single.content_hash == content_hash(text)
        assert (sigs.minhash[index] == single.minhash).all()
        assert bool(sigs.comparable[index]) == single.comparable
    assert not sigs.comparable[texts.index("short text")]


def test_claim_table_batch_keeps_the_first_claimant() -> None:
    table = ClaimTable(8)
    keys = np.array([5, 9, 5, 0, 9, 13], dtype=np.uint64)
    owners, _ = table.claim_batch(keys, np.array([1, 1, 2, 2, 3, 3], dtype=np.int32))
    assert owners.tolist() == [1, 1, 1, 2, 1, 3]
    assert table.claim([5, 0, 77], 4) == [1, 2, 4]
    assert table.lookup([13, 78]) == [3, -1]


def items() -> list[tuple[str, float, str, int]]:
    stream: list[tuple[str, float, str, int]] = []
    for index, name in enumerate(NAMES):
        stream.append((f"wire-{name}", T0 + index, article(name), 0))
    for index, name in enumerate(NAMES):
        stream.append((f"copy-{name}", T0 + 100 + index, syndicated(name), 0))
        stream.append((f"edit-{name}", T0 + 200 + index, near_copy(name), 0))
    stream.append(("gazette", T0 + 300, REWRITE_ADAMS, 0))
    stream.append(("wire-adams-arrest", T0 + 400, article("adams-arrest") + " Update.", 1))
    stream.append(("copy-india-train", T0 + 100, syndicated("india-train"), 0))  # a replay
    stream.append(("late", T0 + 500, body("drugs-seizure"), 0))
    return stream


def test_check_batch_decides_exactly_as_checks_in_order() -> None:
    one_by_one = Deduplicator(MemoryState())
    expected = [one_by_one.check(i, seen, text, rev) for i, seen, text, rev in items()]
    batched = Deduplicator(MemoryState())
    stream = items()
    got = batched.check_batch(stream[:7]) + batched.check_batch(stream[7:])
    assert got == expected
    assert any(d.duplicate_kind == "near" for d in got)
    assert any(d.is_update for d in got)


def synthetic_stream(seed: int, count: int = 600) -> list[tuple[str, float, str, int]]:
    """Copies, near copies, loosely related texts (a small vocabulary, so the story layer finds
    many candidates), short texts, equal first_seen times, out-of-order times, updates, replays
    and gaps past the window."""
    rng = np.random.default_rng(seed)
    # Every third word is written as a name, so the story layer links texts too.
    vocabulary = [f"w{index}" if index % 3 else f"Place{index}" for index in range(300)]
    stream: list[tuple[str, float, str, int]] = []
    clock = T0
    for index in range(count):
        roll = rng.random()
        clock += float(rng.choice([0.0, 0.0, 1.0, 30.0, 4 * 86400.0], p=[0.3, 0.2, 0.3, 0.18, 0.02]))
        seen = clock - float(rng.integers(0, 3)) * 50.0
        if stream and roll < 0.12:
            text = stream[int(rng.integers(0, len(stream)))][2]
        elif stream and roll < 0.3:
            words = stream[int(rng.integers(0, len(stream)))][2].split()
            for position in rng.integers(0, max(len(words), 1), size=3).tolist():
                if words:
                    words[position] = vocabulary[int(rng.integers(0, 300))]
            text = " ".join(words)
        elif roll < 0.35:
            text = " ".join(rng.choice(vocabulary, size=int(rng.integers(0, 9))).tolist())
        else:
            text = " ".join(rng.choice(vocabulary[: int(rng.integers(40, 300))], size=60).tolist())
        if stream and roll > 0.97:
            doc_id, _, _, revision = stream[int(rng.integers(0, len(stream)))]
            stream.append((doc_id, seen, text, revision + 1))  # an update
        elif stream and 0.95 < roll <= 0.97:
            stream.append(stream[int(rng.integers(0, len(stream)))])  # a replay
        else:
            stream.append((f"d{index:04d}", seen, text, 0))
    return stream


def test_check_batch_matches_checks_in_order_on_a_varied_stream() -> None:
    for seed in (1, 2, 3):
        stream = synthetic_stream(seed)
        one_by_one = Deduplicator(MemoryState(), window_s=5 * 86400.0)
        expected = [one_by_one.check(i, seen, text, rev) for i, seen, text, rev in stream]
        assert sum(d.duplicate_kind == "near" for d in expected) > 10
        assert sum(d.duplicate_kind == "exact" for d in expected) > 10
        assert sum(d.story_id != i for d, (i, *_) in zip(expected, stream, strict=True)) > 100
        # The story layer changes stories only: the same duplicates as without it.
        without = Deduplicator(MemoryState(), window_s=5 * 86400.0, story_cosine=None)
        plain = [without.check(i, seen, text, rev) for i, seen, text, rev in stream]
        assert [(d.duplicate_of, d.duplicate_kind) for d in plain] == [
            (d.duplicate_of, d.duplicate_kind) for d in expected
        ]
        assert sum(d.story_id != i for d, (i, *_) in zip(expected, stream, strict=True)) > sum(
            d.story_id != i for d, (i, *_) in zip(plain, stream, strict=True)
        )
        for size in (1, 7, 64, 1000):
            batched = Deduplicator(MemoryState(), window_s=5 * 86400.0)
            got = [
                decision
                for first in range(0, len(stream), size)
                for decision in batched.check_batch(stream[first : first + size])
            ]
            assert got == expected, (seed, size)


def envelopes_of(stream: list[tuple[str, float, str, int]]) -> list[Envelope]:
    return [
        Envelope(
            id=doc_id, url=f"https://x.example/{doc_id}", source="x.example",
            first_seen=datetime.fromtimestamp(seen, UTC), revision=revision,
            stage=Stage.CLEANED, cleaned=CleanedContent(title="T", text=text),
        )
        for doc_id, seen, text, revision in stream
    ]


def test_prepare_batch_gives_the_decisions_process_alone_gives() -> None:
    envelopes = envelopes_of(synthetic_stream(4, count=300))
    alone = DeduplicateStage()
    expected = [alone.process(envelope)[0].dedup for envelope in envelopes]
    prepared = DeduplicateStage()
    got = []
    for first in range(0, len(envelopes), 50):
        part = envelopes[first : first + 50]
        prepared.prepare_batch(part)
        got.extend(prepared.process(envelope)[0].dedup for envelope in part)
        prepared.after_batch_written()
    assert got == expected
    assert not prepared._prepared


class _Failing(MemoryState):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error
        self.fail = True

    def add_rows(self, *args: Any, **kwargs: Any) -> Any:
        if self.fail:
            raise self.error
        return super().add_rows(*args, **kwargs)


def test_a_failed_prepare_leaves_process_to_decide_alone() -> None:
    envelopes = envelopes_of(synthetic_stream(5, count=40))
    alone = DeduplicateStage()
    expected = [alone.process(envelope)[0].dedup for envelope in envelopes]
    state = _Failing(ValueError("broken"))
    stage = DeduplicateStage(state=state)
    stage.prepare_batch(envelopes)  # not retriable: nothing prepared, no error
    state.fail = False
    assert [stage.process(envelope)[0].dedup for envelope in envelopes] == expected

    unavailable = DeduplicateStage(state=_Failing(ConnectionError("node down")))
    with pytest.raises(RetriableError):
        unavailable.prepare_batch(envelopes)
