"""The reservation keys: any two reports that fusion could match share at least one key, so
their workers serialise on it; the in-memory store never reserves anything."""

from __future__ import annotations

import random

from pipeline.tagging.fusion import FUSION_KM, InMemoryIncidentStore, compatible
from pipeline.tagging.incident import Incident
from pipeline.tagging.places import distance_km
from pipeline.tagging.reservations import home_keys, keys


def incident(n: int, lat: float, lon: float, precision: str = "city", country: str = "SY") -> Incident:
    return Incident.from_dict(
        {
            "incident_id": f"a{n}:0",
            "event_type": "Battles",
            "sub_event_type": "Armed clash",
            "date": "2026-11-17",
            "date_precision": "day",
            "location": {"country_code": country, "precision": precision,
                         "geo": {"lat": lat, "lon": lon}},
            "article_ids": [f"a{n}"],
        }
    )


def test_every_compatible_pair_shares_a_key() -> None:
    rng = random.Random(7)
    pairs = 0
    while pairs < 3000:
        lat, lon = rng.uniform(-70, 70), rng.uniform(-179.9, 179.9)
        a = incident(1, lat, lon)
        b = incident(2, lat + rng.uniform(-0.3, 0.3), lon + rng.uniform(-0.6, 0.6))
        if distance_km(lat, lon, *b.geo) > FUSION_KM:  # type: ignore[misc]
            continue
        assert compatible(a, b)
        assert set(keys(a)) & set(keys(b)), (a.geo, b.geo)
        assert set(home_keys(a)) & set(keys(b)) and set(home_keys(b)) & set(keys(a))
        pairs += 1


def test_a_report_known_to_country_precision_shares_the_country_key() -> None:
    city = incident(1, 36.2, 37.16)
    country = incident(2, 35.0, 38.5, precision="country")
    assert compatible(city, country)
    assert "Battles|country|SY" in set(keys(city)) & set(keys(country))
    assert home_keys(country) == ["Battles|country|SY"]


def test_cells_wrap_at_the_antimeridian() -> None:
    east, west = incident(1, 10.0, 179.95), incident(2, 10.0, -179.95)
    assert distance_km(*east.geo, *west.geo) < FUSION_KM  # type: ignore[misc]
    assert set(home_keys(west)) & set(keys(east))


def test_in_memory_store_reserves_nothing() -> None:
    assert InMemoryIncidentStore().reserve(incident(1, 1.0, 1.0), set()) is None
    assert keys(Incident.from_dict({**incident(1, 1.0, 1.0).to_dict(), "location": None})) == []
