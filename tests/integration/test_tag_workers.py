"""Several tag workers on one incident state (the real Elasticsearch): reports of one incident
that reach 2-4 workers at the same moment (a barrier lines them up: each worker has staged its
report before any has flushed) become one incident, also when the reports sit on either side of
a cell edge and on adjacent days; reports of different incidents stay apart."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pytest

from pipeline.envelope import CleanedContent, Envelope, Stage
from pipeline.search_setup import client
from pipeline.settings import Settings
from pipeline.stages.tag import TagStage
from pipeline.tagging.es_store import ElasticsearchIncidentStore, reservations_index, state_index
from pipeline.tagging.fusion import IncidentFuser
from pipeline.tagging.incident import Incident
from pipeline.tagging.reservations import CELL_DEGREES, keys
from tests.integration.test_tag_fusion_store import BOMBING, GULF, GULF_TITLE

pytestmark = pytest.mark.integration
_T = TypeVar("_T")


@pytest.fixture
def state(es_ready: Any, isolated_settings: Settings) -> Iterator[Settings]:
    yield isolated_settings
    es = client(isolated_settings.elasticsearch)
    for index in (
        state_index(isolated_settings.elasticsearch),
        reservations_index(state_index(isolated_settings.elasticsearch)),
    ):
        es.indices.delete(index=index, ignore_unavailable=True)
    es.close()


def race(workers: int, work: Callable[[int, threading.Barrier], _T]) -> list[_T]:
    """Run ``work(n, barrier)`` in ``workers`` threads at once; re-raise the first error."""
    barrier = threading.Barrier(workers, timeout=120)
    results: list[Any] = [None] * workers
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            results[n] = work(n, barrier)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    if errors:
        raise errors[0]
    return results


def stored(settings: Settings) -> list[dict[str, Any]]:
    es = client(settings.elasticsearch)
    try:
        index = state_index(settings.elasticsearch)
        es.indices.refresh(index=index)
        hits = es.search(index=index, size=100, query={"match_all": {}})["hits"]["hits"]
        return [hit["_source"] for hit in hits]
    finally:
        es.close()


def gulf_report(n: int) -> Envelope:
    published = datetime(2026, 11, 19, 18, 0, tzinfo=UTC) + timedelta(minutes=n)
    site = f"gulf-desk-{n}"
    return Envelope(
        id=f"gulf-{n}",
        url=f"https://{site}.example/bombing.html",
        source=site,
        first_seen=published,
        stage=Stage.DEDUPLICATED,
        cleaned=CleanedContent(title=GULF_TITLE, text=GULF, published=published, site_name=site),
    )


@pytest.mark.parametrize("workers", [2, 3, 4])
def test_tag_workers_meeting_one_incident_at_once_count_it_once(
    state: Settings, workers: int
) -> None:
    stages = [
        TagStage(ElasticsearchIncidentStore.from_settings(state.elasticsearch))
        for _ in range(workers)
    ]

    def work(n: int, barrier: threading.Barrier) -> str:
        barrier.wait()
        (out,) = stages[n].process(gulf_report(n))
        barrier.wait()  # every worker has staged its report; none has flushed
        stages[n].after_batch_written()
        assert out.tags is not None
        (bombing,) = [i for i in out.tags.incidents if i["event_type"] == BOMBING]
        return str(bombing["incident_id"])

    ids = race(workers, work)
    assert len(set(ids)) == 1, ids
    bombings = [doc for doc in stored(state) if doc["event_type"] == BOMBING]
    assert len(bombings) == 1
    assert sorted(bombings[0]["article_ids"]) == sorted(f"gulf-{n}" for n in range(workers))


def report(n: int, lat: float, day: date, **fields: Any) -> Incident:
    return Incident.from_dict(
        {
            "incident_id": f"article-{n}:0",
            "event_type": "Battles",
            "sub_event_type": "Armed clash",
            "date": day.isoformat(),
            "date_precision": "day",
            "location": {
                "name": f"Place {n}", "country_code": "SY", "precision": "city",
                "geo": {"lat": lat, "lon": 38.0},
            },
            "actors": [],
            "fatalities": 3 + n,
            "article_ids": [f"article-{n}"],
            "sources": [f"outlet-{n}"],
            "reports": [
                {"article_id": f"article-{n}", "published": f"{day.isoformat()}T0{n}:00:00+00:00",
                 "fatalities": 3 + n, "source": f"outlet-{n}"}
            ],
            **fields,
        }
    )


def fuse_at_once(settings: Settings, reports: list[Incident]) -> list[str]:
    fusers = [
        IncidentFuser(ElasticsearchIncidentStore.from_settings(settings.elasticsearch))
        for _ in reports
    ]

    def work(n: int, barrier: threading.Barrier) -> str:
        barrier.wait()
        (fused,) = fusers[n].fuse([reports[n]])
        barrier.wait()
        fusers[n].store.flush()
        return fused.incident_id

    return race(len(reports), work)


@pytest.mark.parametrize("workers", [2, 4])
def test_reports_across_a_cell_edge_and_on_adjacent_days_converge(
    state: Settings, workers: int
) -> None:
    edge = 7 * CELL_DEGREES  # 3.5 degrees north: reports on both sides, a few km apart
    day = date(2026, 11, 17)
    reports = [
        report(n, edge + (0.01 if n % 2 else -0.01) * (1 + n // 2), day + timedelta(days=n % 2))
        for n in range(workers)
    ]
    ids = fuse_at_once(state, reports)
    assert len(set(ids)) == 1, ids
    (doc,) = stored(state)
    assert sorted(doc["article_ids"]) == [f"article-{n}" for n in range(workers)]


def test_reports_of_different_incidents_stay_apart(state: Settings) -> None:
    day = date(2026, 11, 17)
    # 60 km apart: neighbouring keys are shared, but fusion does not match them.
    ids = fuse_at_once(state, [report(0, 35.0, day), report(1, 35.55, day)])
    assert len(set(ids)) == 2
    assert len(stored(state)) == 2


def test_a_lock_left_by_a_dead_worker_is_taken_over_after_its_lease(state: Settings) -> None:
    store = ElasticsearchIncidentStore.from_settings(state.elasticsearch)
    store.ensure_index()
    first = report(0, 35.0, date(2026, 11, 17))
    es = client(state.elasticsearch)
    try:
        for n, key in enumerate(keys(first)):
            # Lock documents left behind: a dead worker's, its lease over, and this worker's
            # own, its lease still running (its release was interrupted by an outage).
            mine = n % 2 == 1
            es.index(
                index=store.registry.index, id=f"lock|{key}",
                document={
                    "kind": "lock",
                    "owner": store.registry.owner if mine else "dead-worker",
                    "expires_at": time.time() + 3600 if mine else 0.0,
                },
                refresh=True,
            )
    finally:
        es.close()
    assert store.reserve(first, set()) is None  # registered, not blocked
    other = ElasticsearchIncidentStore.from_settings(state.elasticsearch)
    found = other.reserve(report(1, 35.01, date(2026, 11, 18)), set())
    assert found is not None and found.incident_id == first.incident_id
