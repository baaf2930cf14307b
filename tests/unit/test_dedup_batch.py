"""The vectorised batch path agrees exactly with one-by-one checks, and the claim table keeps
"first claimant wins" within a batch."""

from __future__ import annotations

import numpy as np

from pipeline.dedup import batch
from pipeline.dedup.claims import ClaimTable
from pipeline.dedup.deduplicator import Deduplicator
from pipeline.dedup.signatures import content_hash, signature
from pipeline.dedup.state import MemoryState
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
