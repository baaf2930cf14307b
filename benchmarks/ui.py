"""Incidents page render time on a real index, against the bare search the page issues.

Generated incidents (100,000 by default, a year of them across 24 places and every event type)
are indexed through ``elasticsearch.helpers.bulk`` into throwaway monthly indices behind their
own alias. Then, for typical filter combinations, alternating:

* baseline: the page's one search request (``queries.incidents_body``: table rows, timeline and
  filter-list aggregations) sent with the same client;
* page: ``GET /?<filters>`` through the Starlette application (filter parsing, the search,
  timeline layout, Jinja2 rendering), in process.

Reported: p50/p95 of each over every request, the page's p95 against the 300 ms target, and the
p95 of the GeoJSON the map then loads (up to ``ui.map_points`` incidents) for context.

    python -m benchmarks.ui [--incidents 100000] [--requests 40]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch, helpers
from starlette.testclient import TestClient

from pipeline.search_setup import client, ensure_templates, events_alias, events_index
from pipeline.settings import Settings, load_settings
from pipeline.ui.app import create_app
from pipeline.ui.filters import Filters
from pipeline.ui.queries import EVENT_TYPES, incidents_body

PLACES = (
    ("Abu Kamal", "Syria", "SY", "SY.07", 34.45, 40.92),
    ("Aleppo", "Syria", "SY", "SY.09", 36.20, 37.16),
    ("Idlib", "Syria", "SY", "SY.10", 35.93, 36.63),
    ("Deir ez-Zor", "Syria", "SY", "SY.07", 35.34, 40.14),
    ("Kirkuk", "Iraq", "IQ", "IQ.13", 35.47, 44.39),
    ("Mosul", "Iraq", "IQ", "IQ.15", 36.34, 43.13),
    ("Aden", "Yemen", "YE", "YE.02", 12.78, 45.04),
    ("Taiz", "Yemen", "YE", "YE.25", 13.58, 44.02),
    ("Maiduguri", "Nigeria", "NG", "NG.44", 11.85, 13.16),
    ("Kano", "Nigeria", "NG", "NG.29", 12.00, 8.52),
    ("Mogadishu", "Somalia", "SO", "SO.02", 2.04, 45.34),
    ("Gao", "Mali", "ML", "ML.09", 16.27, -0.04),
    ("Goma", "DR Congo", "CD", "CD.11", -1.68, 29.23),
    ("Khartoum", "Sudan", "SD", "SD.29", 15.55, 32.53),
    ("El Fasher", "Sudan", "SD", "SD.55", 13.63, 25.35),
    ("Kabul", "Afghanistan", "AF", "AF.13", 34.53, 69.17),
    ("Peshawar", "Pakistan", "PK", "PK.03", 34.01, 71.58),
    ("Quetta", "Pakistan", "PK", "PK.02", 30.18, 66.98),
    ("Kharkiv", "Ukraine", "UA", "UA.07", 49.99, 36.23),
    ("Donetsk", "Ukraine", "UA", "UA.05", 48.02, 37.80),
    ("Port-au-Prince", "Haiti", "HT", "HT.11", 18.54, -72.34),
    ("Culiacan", "Mexico", "MX", "MX.25", 24.80, -107.39),
    ("Lagos", "Nigeria", "NG", "NG.05", 6.45, 3.39),
    ("Tripoli", "Libya", "LY", "LY.77", 32.89, 13.19),
)
ACTORS = (
    "Islamic State", "Military Forces of Syria", "Military Forces of Iraq", "Al Shabaab",
    "Boko Haram", "Rapid Support Forces", "Protesters", "Rioters", "Civilians", "Police Forces",
    "Unidentified Armed Group", "JNIM", "M23", "Taliban",
)
SOURCES = ("Levant Wire", "Gulf Desk", "Sahel Daily", "Horn Monitor", "Agence Example", "Reuters")
START = date(2026, 1, 1)
SCENARIOS: tuple[dict[str, str], ...] = (
    {},
    {"country": "Syria"},
    {"event_type": "Battles", "date_from": "2026-06-01", "date_to": "2026-08-31"},
    {"country": "Nigeria", "min_deaths": "10"},
    {"actor": "Islamic State", "source": "Levant Wire"},
    {"q": "fighters clashed", "country": "Iraq"},
)


def incident(n: int, rng: random.Random) -> dict[str, Any]:
    name, country, code, admin1, lat, lon = rng.choice(PLACES)
    day = START + timedelta(days=rng.randrange(365))
    deaths = rng.choice((None, 0, 1, 2, 3, 5, 8, 12, 25, 40, 100))
    history = [deaths] if deaths is not None else []
    if deaths and rng.random() < 0.1:
        history = [max(deaths // 2, 1), deaths]
    actors = rng.sample(ACTORS, rng.choice((1, 2, 2, 3)))
    sources = rng.sample(SOURCES, rng.choice((1, 1, 2)))
    return {
        "incident_id": f"bench-{n:07d}",
        "event_type": rng.choice(EVENT_TYPES),
        "sub_event_type": "Armed clash",
        "date": day.isoformat(),
        "date_precision": "day",
        "location": {
            "name": name, "mention": name, "country": country, "country_code": code,
            "admin1": admin1, "precision": "city",
            "geo": {
                "lat": round(lat + rng.uniform(-0.3, 0.3), 4),
                "lon": round(lon + rng.uniform(-0.3, 0.3), 4),
            },
        },
        "actors": actors,
        "fatalities": deaths,
        "injured": rng.choice((None, 0, 2, 7)),
        "fatalities_history": history,
        "sources": sources,
        "source_count": len(sources),
        "article_ids": [f"article-{n:07d}"],
        "article_count": 1,
        "evidence": [f"{actors[0]} fighters clashed near {name} on the day, killing {deaths or 'no one'}."],
        "first_reported": day.isoformat(),
        "last_reported": day.isoformat(),
    }


def actions(settings: Settings, count: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(14)
    for n in range(count):
        doc = incident(n, rng)
        when = datetime.fromisoformat(doc["date"]).replace(tzinfo=UTC)
        index = events_index(settings.elasticsearch, when)
        yield {"_index": index, "_id": doc["incident_id"], "_source": doc}


def load(es: Elasticsearch, settings: Settings, count: int) -> float:
    started = time.perf_counter()
    ensure_templates(es, settings.elasticsearch)
    for month in range(1, 13):
        es.options(ignore_status=400).indices.create(
            index=events_index(settings.elasticsearch, datetime(2026, month, 1, tzinfo=UTC)),
            settings={"refresh_interval": "-1"},
        )
    ok, _ = helpers.bulk(es.options(request_timeout=120), actions(settings, count), chunk_size=5000)
    alias = events_alias(settings.elasticsearch)
    es.indices.put_settings(index=alias, settings={"refresh_interval": "1s"})
    es.indices.refresh(index=alias)
    indexed = int(es.count(index=alias)["count"])
    if ok != count or indexed != count:
        raise RuntimeError(f"{indexed} incidents indexed, expected {count}")
    return time.perf_counter() - started


def drop(es: Elasticsearch, settings: Settings) -> None:
    prefix = settings.elasticsearch.index_prefix
    names = list(es.indices.get(index=f"{prefix}-*", allow_no_indices=True))
    if names:
        es.indices.delete(index=",".join(names))
    for name in (f"{prefix}-articles", f"{prefix}-events"):
        es.options(ignore_status=404).indices.delete_index_template(name=name)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(es: Elasticsearch, view: TestClient, settings: Settings, requests: int) -> dict[str, list[float]]:
    alias = events_alias(settings.elasticsearch)
    times: dict[str, list[float]] = {"baseline": [], "page": [], "geojson": []}
    for round_number in range(requests):
        for params in SCENARIOS:
            body = incidents_body(Filters.parse(params), settings.ui.table_rows)
            steps = ("baseline", "page") if round_number % 2 == 0 else ("page", "baseline")
            for step in steps:
                started = time.perf_counter()
                if step == "baseline":
                    es.search(index=alias, **body)
                else:
                    response = view.get("/", params=params)
                    if response.status_code != 200:
                        raise RuntimeError(f"page {params}: HTTP {response.status_code}")
                times[step].append((time.perf_counter() - started) * 1000)
            if round_number % 4 == 0:
                started = time.perf_counter()
                view.get("/map/points.geojson", params=params)
                times["geojson"].append((time.perf_counter() - started) * 1000)
    return times


def run(incidents: int = 100_000, requests: int = 40) -> dict[str, Any]:
    settings = load_settings()
    settings.elasticsearch.index_prefix = "bench-ui-" + uuid.uuid4().hex[:8]
    es = client(settings.elasticsearch)
    try:
        load_s = load(es, settings, incidents)
        # As a context manager the client keeps one event loop for every request.
        with TestClient(create_app(settings, es)) as view:
            measure(es, view, settings, 2)  # warm-up: caches of the node, templates compiled
            times = measure(es, view, settings, requests)
    finally:
        drop(es, settings)
        es.close()
    figures = {name: (statistics.median(values), p95(values)) for name, values in times.items()}
    return {
        "benchmark": "ui",
        "incidents": incidents,
        "load_s": round(load_s, 1),
        "requests_per_side": len(times["page"]),
        "scenarios": [Filters.parse(s).query_string() or "(no filter)" for s in SCENARIOS],
        "baseline_search_ms_p50_p95": [round(v, 1) for v in figures["baseline"]],
        "page_ms_p50_p95": [round(v, 1) for v in figures["page"]],
        "page_over_search_p95": round(figures["page"][1] / figures["baseline"][1], 2),
        "geojson_ms_p50_p95": [round(v, 1) for v in figures["geojson"]],
        "target_page_p95_ms": 300,
        "met": figures["page"][1] <= 300,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    print(json.dumps(run(args.incidents, args.requests), indent=2))


if __name__ == "__main__":
    main()
