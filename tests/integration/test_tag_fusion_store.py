"""Fusion state in Elasticsearch: two tag processes, each with its own store object on the same
index, fuse two outlets' reports of one car bombing into one incident, and a restarted process
(a new store object) still finds it. A flush does not wait for a refresh of the index: what the
other process must see at once it reads by id (realtime), or finds through the reservation
registry; the search finds the incident after the next refresh.

The two texts are the demo site's ``levant-wire/abu-kamal-clashes.html`` and
``gulf-desk/deir-ez-zor-bombing.html`` as the clean stage extracts them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from pipeline.envelope import CleanedContent, Envelope, Stage
from pipeline.search_setup import client
from pipeline.settings import Settings
from pipeline.stages.tag import TagStage
from pipeline.tagging.es_store import ElasticsearchIncidentStore, state_index
from pipeline.tagging.fusion import compatible, window
from pipeline.tagging.incident import Incident
from tests.unit.test_tag_reference import BODY, TITLE

pytestmark = pytest.mark.integration

LEVANT_TITLE, LEVANT = TITLE, BODY  # the reference article, as the unit tests use it
GULF_TITLE = "Car bombing in Deir el-Zour leaves 12 dead"
GULF = (
    "A car bomb killed 12 people on Tuesday near a busy market in Deir el-Zour, the largest city in "
    "eastern Syria, local officials said.\n"
    "At least 30 people were wounded in the explosion, which damaged shops and vehicles along the "
    "street.\n"
    "No group immediately claimed the attack. Islamic State militants have carried out similar "
    "bombings in the province in the past year."
)
BOMBING = "Explosions/Remote violence"


def _envelope(article_id: str, title: str, text: str, published: datetime, site: str) -> Envelope:
    return Envelope(
        id=article_id,
        url=f"https://{site}.example/articles/{article_id}.html",
        source=site,
        first_seen=published,
        stage=Stage.DEDUPLICATED,
        cleaned=CleanedContent(title=title, text=text, published=published, site_name=site),
    )


def _bombing(stage: TagStage, envelope: Envelope) -> dict[str, Any]:
    (out,) = stage.process(envelope)
    assert out.tags is not None
    found = [dict(i) for i in out.tags.incidents if i["event_type"] == BOMBING]
    assert len(found) == 1, out.tags.incidents
    return found[0]


def _without_refresh(settings: Settings) -> None:
    """Create the state index with its periodic refresh off: a search then sees nothing written
    after the index was created, so what the tests find they found without a refresh."""
    store = ElasticsearchIncidentStore.from_settings(settings.elasticsearch)
    store.ensure_index()
    store.es.indices.put_settings(
        index=state_index(settings.elasticsearch), settings={"index": {"refresh_interval": "-1"}}
    )
    store.es.close()


@pytest.fixture
def state(es_ready: Any, isolated_settings: Settings) -> Iterator[Settings]:
    _without_refresh(isolated_settings)
    yield isolated_settings
    es = client(isolated_settings.elasticsearch)
    es.indices.delete(index=state_index(isolated_settings.elasticsearch), ignore_unavailable=True)
    es.close()


def _assert_found_by_search(store: ElasticsearchIncidentStore, stored: Incident) -> None:
    near = window(stored)
    assert near is not None and (near.day_from, near.day_to) == (date(2026, 11, 16), date(2026, 11, 18))
    assert [i.incident_id for i in store.candidates(near)] == [stored.incident_id]
    assert store.candidates(replace(near, event_type="Battles")) == []
    # 300 km away (Damascus): not a candidate of a report placed to a town.
    assert store.candidates(replace(near, geo=(33.51, 36.29))) == []


def test_two_processes_share_fusion_state_across_restarts(state: Settings) -> None:
    first = TagStage(ElasticsearchIncidentStore.from_settings(state.elasticsearch))
    second = TagStage(ElasticsearchIncidentStore.from_settings(state.elasticsearch))
    assert first.store is not second.store

    levant = _bombing(
        first,
        _envelope(
            "abu-kamal-clashes",
            LEVANT_TITLE,
            LEVANT,
            datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
            "levant-wire",
        ),
    )
    first.after_batch_written()

    gulf = _bombing(
        second,
        _envelope(
            "deir-ez-zor-bombing", GULF_TITLE, GULF, datetime(2026, 11, 19, 18, 0, tzinfo=UTC), "gulf-desk"
        ),
    )
    second.after_batch_written()
    assert gulf["incident_id"] == levant["incident_id"]
    assert sorted(gulf["article_ids"]) == ["abu-kamal-clashes", "deir-ez-zor-bombing"]
    assert gulf["fatalities"] == 12 and gulf["date"] == "2026-11-17"
    assert sorted(gulf["sources"]) == ["gulf-desk", "levant-wire"]

    # A restart: a new store object reads the state back from the index, by id at once (a
    # realtime get: no refresh has happened yet), by search once the index is refreshed.
    restarted = ElasticsearchIncidentStore.from_settings(state.elasticsearch)
    stored = restarted.get(levant["incident_id"])
    assert stored is not None
    assert sorted(stored.article_ids) == ["abu-kamal-clashes", "deir-ez-zor-bombing"]
    es = client(state.elasticsearch)
    es.indices.refresh(index=state_index(state.elasticsearch))
    _assert_found_by_search(restarted, stored)

    # Replaying the first article through the restarted process updates, never duplicates.
    again = _bombing(
        TagStage(restarted),
        _envelope(
            "abu-kamal-clashes",
            LEVANT_TITLE,
            LEVANT,
            datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
            "levant-wire",
        ),
    )
    restarted.flush()
    assert again["incident_id"] == levant["incident_id"]
    assert sorted(again["article_ids"]) == ["abu-kamal-clashes", "deir-ez-zor-bombing"]
    try:
        es.indices.refresh(index=state_index(state.elasticsearch))
        assert es.count(index=state_index(state.elasticsearch))["count"] == 2  # the clash and the bombing
    finally:
        es.close()


def test_concurrent_updates_are_merged_not_lost(state: Settings) -> None:
    one = ElasticsearchIncidentStore.from_settings(state.elasticsearch)
    two = ElasticsearchIncidentStore.from_settings(state.elasticsearch)
    stage_one, stage_two = TagStage(one), TagStage(two)
    published = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    base = _bombing(stage_one, _envelope("levant", LEVANT_TITLE, LEVANT, published, "levant-wire"))
    one.flush()
    # Both processes read the stored incident, then each adds its own outlet's report.
    a = _bombing(stage_one, _envelope("gulf-a", GULF_TITLE, GULF, published, "gulf-a"))
    b = _bombing(stage_two, _envelope("gulf-b", GULF_TITLE, GULF, published, "gulf-b"))
    assert a["incident_id"] == b["incident_id"] == base["incident_id"]
    one.flush()
    two.flush()  # conflicts with the first write: merged with it, not overwriting it
    stored = ElasticsearchIncidentStore.from_settings(state.elasticsearch).get(base["incident_id"])
    assert stored is not None
    assert sorted(stored.article_ids) == ["gulf-a", "gulf-b", "levant"]


def test_a_dead_lettered_report_is_withdrawn_before_the_state_is_written(state: Settings) -> None:
    stage = TagStage(ElasticsearchIncidentStore.from_settings(state.elasticsearch))
    levant = _envelope(
        "abu-kamal-clashes", LEVANT_TITLE, LEVANT, datetime(2026, 11, 20, 9, 30, tzinfo=UTC), "levant-wire"
    )
    gulf = _envelope(
        "deir-ez-zor-bombing", GULF_TITLE, GULF, datetime(2026, 11, 19, 18, 0, tzinfo=UTC), "gulf-desk"
    )
    # One batch: both reports fuse; the Levant article then goes to the dead-letter topic.
    _bombing(stage, gulf)
    fused = _bombing(stage, levant)
    assert sorted(fused["article_ids"]) == ["abu-kamal-clashes", "deir-ez-zor-bombing"]
    stage.discard_staged(["abu-kamal-clashes"])
    stage.after_batch_written()

    stored = ElasticsearchIncidentStore.from_settings(state.elasticsearch).get(fused["incident_id"])
    assert stored is not None
    assert stored.article_ids == ["deir-ez-zor-bombing"] and stored.sources == ["gulf-desk"]
    assert stored.fatalities == 12 and stored.injured == 30
    es = client(state.elasticsearch)
    try:
        # The Levant article's own incident (the clash) was never written.
        es.indices.refresh(index=state_index(state.elasticsearch))
        assert es.count(index=state_index(state.elasticsearch))["count"] == 1
    finally:
        es.close()


def test_a_process_finds_its_own_writes_before_any_refresh(state: Settings) -> None:
    store = ElasticsearchIncidentStore.from_settings(state.elasticsearch)
    stage = TagStage(store)
    published = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    first = _bombing(stage, _envelope("gulf-a", GULF_TITLE, GULF, published, "gulf-a"))
    stage.after_batch_written()
    es = client(state.elasticsearch)
    try:
        index = state_index(state.elasticsearch)
        assert es.count(index=index)["count"] == 0  # not searchable: the index was not refreshed
        written = store.get(first["incident_id"])
        assert written is not None
        near = window(written)
        assert near is not None
        (found,) = store.candidates(near)
        assert found.incident_id == first["incident_id"]
        # The next batch joins it, and writes on the version it wrote (no conflict to merge).
        second = _bombing(stage, _envelope("gulf-b", GULF_TITLE, GULF, published, "gulf-b"))
        assert second["incident_id"] == first["incident_id"]
        stage.after_batch_written()
        stored = es.get(index=index, id=first["incident_id"])
        assert stored["_version"] == 2
        assert sorted(stored["_source"]["article_ids"]) == ["gulf-a", "gulf-b"]
    finally:
        es.close()


def _report(n: int, lat: float, lon: float, precision: str, country: str, day: int) -> Incident:
    return Incident.from_dict({
        "incident_id": f"r{n}:0", "event_type": "Battles", "sub_event_type": "Armed clash",
        "date": f"2026-11-{day:02d}", "date_precision": "day",
        "location": {"name": f"Place {n}", "country_code": country, "precision": precision,
                     "geo": {"lat": lat, "lon": lon}},
        "actors": [], "article_ids": [f"r{n}"], "sources": [f"outlet-{n}"], "reports": [],
    })


def test_the_candidate_search_finds_every_compatible_incident(state: Settings) -> None:
    rng = random.Random(11)

    def scattered(n: int) -> Incident:
        precision = rng.choice(["city", "city", "city", "admin1", "country"])
        country = rng.choice(["SY", "SY", "IQ"])
        return _report(n, 35 + rng.uniform(-0.5, 0.5), 38 + rng.uniform(-0.7, 0.7), precision,
                       country, rng.randint(16, 18))

    store = ElasticsearchIncidentStore.from_settings(state.elasticsearch)
    stored = [scattered(n) for n in range(300)]
    for incident in stored:
        store.put(incident)
    store.flush()
    store.es.indices.refresh(index=state_index(state.elasticsearch))
    fresh = ElasticsearchIncidentStore.from_settings(state.elasticsearch)  # no memory of writes
    checked = 0
    for n in range(300, 360):
        report = scattered(n)
        near = window(report)
        assert near is not None
        found = {i.incident_id for i in fresh.candidates(near)}
        wanted = {i.incident_id for i in stored if compatible(i, report)}
        assert wanted <= found, (report.location, wanted - found)
        if not near.country_precision:  # narrowed by place, not only by type and dates
            assert len(found) < len(stored) / 2
        checked += len(wanted)
    assert checked > 100  # the reports had compatible incidents to find
