"""A fused incident's toll is the latest *published* report's, also between reports of one day:
reports are ordered by their exact publication time, then by first-seen time, never by article
id; earlier figures stay in the history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.envelope import CleanedContent, Envelope, Stage
from pipeline.stages.tag import TagStage
from pipeline.tagging.fusion import InMemoryIncidentStore, report_order

EARLY = "A car bomb killed 9 people in Mogadishu on Wednesday, police said."
LATE = "The death toll from Wednesday's car bomb in Mogadishu has risen to 14, officials said."


def report(article_id: str, text: str, published: datetime | None, first_seen: datetime) -> Envelope:
    return Envelope(
        id=article_id,
        url=f"https://example.org/a/{article_id}",
        source="test",
        first_seen=first_seen,
        stage=Stage.DEDUPLICATED,
        cleaned=CleanedContent(text=text, published=published, site_name=article_id),
    )


@pytest.mark.parametrize("arrival", ["early-first", "late-first"])
def test_same_day_reports_follow_publication_time_not_article_id(arrival: str) -> None:
    morning = datetime(2022, 1, 13, 8, tzinfo=UTC)
    # The article ids sort the other way round from the publication times.
    early = report("zz-early", EARLY, morning, morning)
    late = report("aa-late", LATE, morning + timedelta(hours=6), morning + timedelta(hours=6))
    store = InMemoryIncidentStore()
    stage = TagStage(store)
    for envelope in (early, late) if arrival == "early-first" else (late, early):
        stage.process(envelope)
        stage.after_batch_written()
    (incident,) = store.all()
    assert incident.fatalities == 14
    assert incident.fatalities_history == [9, 14]
    assert [r["article_id"] for r in incident.reports] == ["zz-early", "aa-late"]


def test_without_a_publication_time_first_seen_orders_the_reports() -> None:
    day = datetime(2022, 1, 13, tzinfo=UTC)
    store = InMemoryIncidentStore()
    stage = TagStage(store)
    # No time zone on the publication date: only the day counts, then first seen.
    early = report("zz-early", EARLY, None, day + timedelta(hours=7))
    late = report("aa-late", LATE, None, day + timedelta(hours=9))
    for envelope in (late, early):
        stage.process(envelope)
    stage.after_batch_written()
    (incident,) = store.all()
    assert incident.fatalities == 14
    assert [r["article_id"] for r in incident.reports] == ["zz-early", "aa-late"]


def test_a_day_only_report_sorts_before_the_timed_reports_of_that_day() -> None:
    timed = {"article_id": "a", "published": "2022-01-13", "published_at": "2022-01-13T06:00:00+00:00"}
    day_only = {"article_id": "b", "published": "2022-01-13"}
    day_before = {"article_id": "c", "published_at": "2022-01-12T23:00:00+00:00"}
    ordered = sorted([timed, day_only, day_before], key=report_order)
    assert [r["article_id"] for r in ordered] == ["c", "b", "a"]
