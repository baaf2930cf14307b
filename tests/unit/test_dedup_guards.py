"""Texts too short to compare are nobody's duplicate, and a first_seen in the far future cannot
move the stream clock (and so the expiry of the state) ahead of the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.dedup.deduplicator import Decision, Deduplicator
from pipeline.dedup.state import MemoryState
from pipeline.envelope import CleanedContent, Envelope, Stage
from pipeline.stages.deduplicate import FUTURE_SLACK_S, DeduplicateStage
from tests.fixtures.news import body

T0 = 1_400_000_000.0
NOW = 1_700_000_000.0
DAY = 86_400.0
NOT_COMPARABLE = ["", "   \n\t ", "\u00a0", ".,;!", "Breaking news", "Subscribe to read more."]


def _items() -> list[tuple[str, float, str, int]]:
    items = [(f"short-{i}", T0 + i, text, 0) for i, text in enumerate(NOT_COMPARABLE * 2)]
    items.append(("wire", T0 + 100, body("drugs-seizure"), 0))
    items.append(("copy", T0 + 101, body("drugs-seizure"), 0))
    return items


def _check_each(items: list[tuple[str, float, str, int]]) -> list[Decision]:
    dedup = Deduplicator(MemoryState())
    return [dedup.check(doc_id, seen, text, rev) for doc_id, seen, text, rev in items]


def test_texts_too_short_to_compare_are_each_their_own_story() -> None:
    items = _items()
    for decisions in (_check_each(items), Deduplicator(MemoryState()).check_batch(items)):
        short = decisions[: len(NOT_COMPARABLE) * 2]
        for decision, (doc_id, *_) in zip(short, items, strict=False):
            assert decision.duplicate_of is None, doc_id
            assert decision.duplicate_kind is None
            assert decision.story_id == doc_id
        # A real copy is still an exact duplicate.
        copy = decisions[-1]
        assert (copy.duplicate_of, copy.duplicate_kind) == ("wire", "exact")


def test_the_id_rules_still_apply_to_short_texts() -> None:
    dedup = Deduplicator(MemoryState())
    first = dedup.check("page", T0, "")
    assert dedup.check("page", T0 + 60, "") == first  # a replay: the same answer
    update = dedup.check("page", T0 + 120, body("india-train"), revision=1)
    assert update.is_update and update.duplicate_of is None and update.story_id == "page"


def _envelope(doc_id: str, seen: datetime, text: str) -> Envelope:
    return Envelope(
        id=doc_id, url=f"https://x.example/{doc_id}", source="x.example", first_seen=seen,
        stage=Stage.CLEANED, cleaned=CleanedContent(title=None, text=text),
    )


def test_empty_articles_through_the_stage_are_not_duplicates() -> None:
    seen = datetime.fromtimestamp(T0, UTC)
    envelopes = [_envelope(f"empty-{i}", seen, text) for i, text in enumerate(["", " ", "", "\n"])]
    for prepare in (False, True):
        stage = DeduplicateStage()
        if prepare:
            stage.prepare_batch(envelopes)
        for envelope in envelopes:
            (out,) = stage.process(envelope)
            assert out.dedup is not None
            assert out.dedup.duplicate_of is None and out.dedup.story_id == envelope.id


@pytest.mark.parametrize("prepare", [False, True])
def test_a_far_future_first_seen_does_not_wipe_the_state(prepare: bool) -> None:
    state = MemoryState()
    stage = DeduplicateStage(state=state, expire_every_s=0.0, clock=lambda: NOW)
    recent = _envelope("recent", datetime.fromtimestamp(NOW - 3600, UTC), body("india-train"))
    future = _envelope("future", datetime(9999, 12, 31, tzinfo=UTC), body("adams-arrest"))
    batch = [recent, future]
    if prepare:
        stage.prepare_batch(batch)
    for envelope in batch:
        stage.process(envelope)
    stage.after_batch_written()

    # Nothing within the window of the wall clock was expired.
    assert state.get("recent") is not None
    stored = state.get("future")
    assert stored is not None
    # The future record sits at the bound, so it leaves the window like any other record.
    assert stored.first_seen == NOW + FUTURE_SLACK_S
    assert stage._latest_seen == NOW + FUTURE_SLACK_S

    # A copy seen now still finds it, and once the wall clock has moved on it expires.
    copy = _envelope("copy", datetime.fromtimestamp(NOW, UTC), body("adams-arrest"))
    (out,) = stage.process(copy)
    assert out.dedup is not None and out.dedup.duplicate_of == "future"
    later = DeduplicateStage(state=state, expire_every_s=0.0, clock=lambda: NOW + 30 * DAY)
    later.process(_envelope("later", datetime.fromtimestamp(NOW + 30 * DAY, UTC), "x"))
    later.after_batch_written()
    assert state.get("future") is None and state.get("later") is not None


def test_a_replay_of_old_data_keeps_its_own_clock() -> None:
    state = MemoryState()
    stage = DeduplicateStage(state=state, expire_every_s=0.0, clock=lambda: NOW)
    old = _envelope("old", datetime.fromtimestamp(T0, UTC), body("india-train"))
    stage.process(old)
    stage.after_batch_written()
    assert stage._latest_seen == T0
    assert state.get("old") is not None
