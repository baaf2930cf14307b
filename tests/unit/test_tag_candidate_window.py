"""The window of a report's fusion candidates: type, dates and place, drawn so that every
incident fusion could match is inside it (the search against the real index is tested in
tests/integration/test_tag_fusion_store.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.tagging.es_store import _window_query
from pipeline.tagging.fusion import FUSION_KM, InMemoryIncidentStore, Window, window
from pipeline.tagging.incident import Incident


def report(location: dict[str, Any] | None, event_type: str = "Battles", day: str = "2026-11-17") -> Incident:
    return Incident.from_dict({
        "incident_id": "a:0", "event_type": event_type, "sub_event_type": "Armed clash",
        "date": day, "date_precision": "day", "location": location, "article_ids": ["a"],
    })


CITY = {"country_code": "SY", "precision": "city", "geo": {"lat": 35.0, "lon": 38.0}}


def test_a_report_without_a_place_has_no_window() -> None:
    assert window(report(None)) is None
    assert window(report({"country_code": "SY", "precision": "city"})) is None


def test_the_window_is_a_day_either_side_near_the_report_in_its_country() -> None:
    assert window(report(CITY)) == Window(
        "Battles", date(2026, 11, 16), date(2026, 11, 18), geo=(35.0, 38.0), country="SY"
    )
    country = window(report({**CITY, "precision": "country"}))
    assert country is not None and country.country_precision
    # Without a country code, place cannot narrow it (same-country matches need the code).
    unnamed = window(report({"precision": "city", "geo": {"lat": 35.0, "lon": 38.0}}))
    assert unnamed is not None and unnamed.geo is None and unnamed.country is None


def test_the_search_asks_for_near_or_in_the_country_as_the_report_is_placed() -> None:
    near = window(report(CITY))
    assert near is not None
    (place,) = [f for f in _window_query(near)["query"]["bool"]["filter"] if "bool" in f]
    distance, in_country = place["bool"]["should"]
    assert float(distance["geo_distance"]["distance"].removesuffix("km")) > FUSION_KM
    assert in_country["bool"]["filter"] == [{"term": {"country_code": "SY"}}]
    country = window(report({**CITY, "precision": "country"}))
    assert country is not None
    assert {"term": {"country_code": "SY"}} in _window_query(country)["query"]["bool"]["filter"]


def test_the_in_memory_store_returns_the_window_s_type_and_dates() -> None:
    store = InMemoryIncidentStore()
    for n, (event_type, day) in enumerate(
        [("Battles", "2026-11-16"), ("Battles", "2026-11-19"), ("Riots", "2026-11-17")]
    ):
        store.put(Incident.from_dict({**report(CITY, event_type, day).to_dict(), "incident_id": f"i{n}"}))
    near = window(report(CITY))
    assert near is not None
    assert [i.incident_id for i in store.candidates(near)] == ["i0"]
