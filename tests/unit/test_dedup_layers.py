"""One test per dedup layer, on real article text (Wikinews, CC BY 2.5; see tests/fixtures)."""

from __future__ import annotations

from pathlib import Path

from pipeline.dedup.deduplicator import Deduplicator
from pipeline.dedup.signatures import jaccard, signature
from pipeline.dedup.state import MemoryState
from tests.fixtures.news import (
    NAMES,
    REWRITE_ADAMS,
    REWRITE_TRAIN,
    article,
    body,
    near_copy,
    syndicated,
)

DAY = 86400.0
T0 = 1_400_000_000.0


def fresh() -> Deduplicator:
    return Deduplicator(MemoryState())


def test_distinct_stories_are_originals_with_their_own_story() -> None:
    dedup = fresh()
    decisions = [dedup.check(f"id-{n}", T0 + i, article(n)) for i, n in enumerate(NAMES)]
    assert all(d.duplicate_of is None and not d.is_update for d in decisions)
    assert [d.story_id for d in decisions] == [f"id-{n}" for n in NAMES]


def test_same_id_with_new_text_is_an_update_not_a_duplicate() -> None:
    dedup = fresh()
    dedup.check("adams", T0, article("adams-arrest"))
    updated = article("adams-arrest") + "\n\nAdams was released without charge on Sunday."
    decision = dedup.check("adams", T0 + 3600, updated, revision=1)
    assert decision.is_update
    assert decision.duplicate_of is None
    assert decision.story_id == "adams"


def test_replay_gives_the_same_decision() -> None:
    dedup = fresh()
    dedup.check("a", T0, body("india-train"))
    first = dedup.check("b", T0 + 60, syndicated("india-train"))
    again = dedup.check("b", T0 + 60, syndicated("india-train"))
    assert again == first


def test_identical_normalised_text_is_an_exact_duplicate() -> None:
    dedup = fresh()
    dedup.check("wire", T0, body("drugs-seizure"))
    retyped = body("drugs-seizure").replace("“", '"').replace("”", '"').upper()
    decision = dedup.check("partner", T0 + 60, retyped)
    assert (decision.duplicate_of, decision.duplicate_kind, decision.similarity) == (
        "wire", "exact", 1.0,
    )
    assert decision.story_id == "wire"


def test_near_duplicate_is_linked_with_its_similarity() -> None:
    dedup = fresh()
    dedup.check("wire", T0, body("adams-arrest"))
    decision = dedup.check("partner", T0 + 120, near_copy("adams-arrest"))
    assert decision.duplicate_of == "wire"
    assert decision.duplicate_kind == "near"
    assert decision.similarity is not None and decision.similarity >= 0.8
    syndicated_copy = dedup.check("partner2", T0 + 180, syndicated("adams-arrest"))
    assert syndicated_copy.duplicate_of == "wire"


def test_other_outlets_report_joins_the_story_without_being_a_duplicate() -> None:
    dedup = fresh()
    dedup.check("wikinews", T0, article("adams-arrest"))
    dedup.check("train", T0 + 10, article("india-train"))
    other = dedup.check("gazette", T0 + 3600, REWRITE_ADAMS)
    assert other.duplicate_of is None
    assert other.story_id == "wikinews"
    train = dedup.check("ledger", T0 + 7200, REWRITE_TRAIN)
    assert train.duplicate_of is None and train.story_id == "train"


def test_unrelated_articles_stay_apart() -> None:
    pairs = [(a, b) for a in NAMES for b in NAMES if a < b]
    for a, b in pairs:
        assert jaccard(signature(body(a)).minhash, signature(body(b)).minhash) < 0.3, (a, b)


def test_story_needs_time_proximity() -> None:
    dedup = fresh()
    dedup.check("wikinews", T0, article("adams-arrest"))
    later = dedup.check("gazette", T0 + 10 * DAY, REWRITE_ADAMS)
    assert later.story_id == "gazette"


def test_window_forgets_old_articles() -> None:
    state = MemoryState()
    dedup = Deduplicator(state, window_s=14 * DAY)
    dedup.check("old", T0, body("buffalo-sinkhole"))
    dedup.check("recent", T0 + 10 * DAY, body("canisius-chloroform"))
    # beyond the window the same text is not linked to the forgotten article
    late = dedup.check("late", T0 + 15 * DAY, body("buffalo-sinkhole"))
    assert late.duplicate_of is None
    assert state.expire(T0 + 1 * DAY) == 1
    assert state.get("old") is None and state.get("recent") is not None
    again = dedup.check("again", T0 + 15 * DAY + 60, body("buffalo-sinkhole"))
    assert again.duplicate_of == "late"


def test_concurrent_workers_agree_on_the_original() -> None:
    """Two workers share the state; each stores and claims before the other decides (the
    interleaving of a real race). Whatever the interleaving, exactly one is the original."""
    state = MemoryState()
    first, second = Deduplicator(state), Deduplicator(state)
    text_a, text_b = body("adams-arrest"), near_copy("adams-arrest")
    # B is earlier by first_seen but claims second: A owns the shared bands.
    a = first.check("a", T0 + 5, text_a)
    b = second.check("b", T0, text_b)
    assert a.duplicate_of is None
    assert b.duplicate_of == "a"


def test_state_survives_a_restart_only_after_commit(tmp_path: Path) -> None:
    path = tmp_path / "dedup.state"
    state = MemoryState(path)
    Deduplicator(state).check("wire", T0, body("india-train"))
    assert not path.exists()  # nothing made durable before the batch was written
    state.commit()
    restarted = Deduplicator(MemoryState(path))
    decision = restarted.check("copy", T0 + 60, syndicated("india-train"))
    assert decision.duplicate_of == "wire"


def test_a_discarded_article_is_forgotten_and_its_keys_pass_on() -> None:
    state = MemoryState()
    dedup = Deduplicator(state)
    dedup.check("wire", T0, body("adams-arrest"))
    state.commit()
    dedup.check("lost", T0 + 60, body("india-train"))  # staged, then dead-lettered downstream
    state.discard(["lost", "wire"])  # "wire" was made durable by an earlier batch: it stays
    state.commit()
    assert state.get("lost") is None and state.get("wire") is not None
    copy = dedup.check("copy", T0 + 120, syndicated("india-train"))
    assert copy.duplicate_of is None  # nothing downstream to be a copy of
    assert dedup.check("partner", T0 + 180, syndicated("adams-arrest")).duplicate_of == "wire"
    # The keys "lost" had claimed now belong to "copy".
    assert dedup.check("copy2", T0 + 240, syndicated("india-train")).duplicate_of == "copy"


def test_discard_in_the_batch_path_and_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "dedup.state"
    state = MemoryState(path)
    dedup = Deduplicator(state)
    dedup.check_batch(
        [("wire", T0, body("adams-arrest"), 0), ("lost", T0 + 1, body("india-train"), 0)]
    )
    state.discard(["lost"])
    state.commit()
    restarted = MemoryState(path)
    assert restarted.get("lost") is None and restarted.get("wire") is not None
    (decision,) = Deduplicator(restarted).check_batch(
        [("copy", T0 + 60, syndicated("india-train"), 0)]
    )
    assert decision.duplicate_of is None
    assert restarted.expire(T0 - 1) == 1  # the tombstone goes at the next expiry
    assert restarted.get("wire") is not None and restarted.get("copy") is not None
