"""CSV and GeoJSON exports of the incidents view, and the offline basemap decoding."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pipeline.ui import basemap, export, highlight
from pipeline.ui.charts import stacked
from pipeline.ui.queries import coarsen

ABU_KAMAL: dict[str, Any] = {
    "incident_id": "inc-1",
    "event_type": "Battles",
    "sub_event_type": "Non-state actor overtakes territory",
    "date": "2026-11-19",
    "date_precision": "day",
    "location": {
        "name": "Abu Kamal", "country": "Syria", "country_code": "SY", "admin1": "SY.07",
        "geo": {"lat": 34.45226, "lon": 40.91854}, "precision": "city",
    },
    "actors": ["Islamic State", "Unidentified Armed Group (Syria)"],
    "fatalities": 40,
    "fatalities_history": [25, 40],
    "sources": ["Levant Wire"],
    "article_ids": ["a1"],
    "evidence": ["At least 40 fighters died in the clashes."],
}
NO_PLACE: dict[str, Any] = {
    "incident_id": "inc-2", "event_type": "Protests", "date": "2026-11", "location": None,
    "actors": ["=HYPERLINK(\"http://evil\")"], "fatalities": None,
}


def test_csv_has_one_row_per_incident_with_flat_columns() -> None:
    rows = list(csv.DictReader(io.StringIO(export.to_csv([ABU_KAMAL, NO_PLACE]))))
    assert [r["incident_id"] for r in rows] == ["inc-1", "inc-2"]
    first = rows[0]
    assert (first["latitude"], first["longitude"]) == ("34.45226", "40.91854")
    assert first["fatalities"] == "40" and first["fatalities_history"] == "25; 40"
    assert first["actors"] == "Islamic State; Unidentified Armed Group (Syria)"
    assert first["country"] == "Syria" and first["admin1"] == "SY.07"
    assert first["article_count"] == "1"
    assert rows[1]["latitude"] == "" and rows[1]["fatalities"] == ""


def test_csv_cells_never_run_as_spreadsheet_formulas() -> None:
    rows = list(csv.DictReader(io.StringIO(export.to_csv([NO_PLACE]))))
    assert rows[0]["actors"].startswith("'=HYPERLINK")


def test_geojson_points_are_longitude_first_and_skip_incidents_without_a_place() -> None:
    collection = json.loads(export.to_geojson([ABU_KAMAL, NO_PLACE]))
    assert collection["type"] == "FeatureCollection"
    (feature,) = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [40.91854, 34.45226]}
    assert feature["id"] == "inc-1"
    assert feature["properties"]["fatalities_history"] == [25, 40]
    assert feature["properties"]["actors"][0] == "Islamic State"


def test_topojson_arcs_are_decoded_and_reversed_arcs_joined() -> None:
    topology = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [10, 20]},
        "arcs": [[[0, 0], [1, 0], [0, 1]], [[1, 1], [-1, 0], [0, -1]]],
        "objects": {"shapes": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0, 1]], "properties": {"name": "square"}},
            {"type": "Polygon", "arcs": [[~1]], "properties": {"name": "reversed"}},
            {"type": "Point", "coordinates": [0, 0]},
        ]}},
    }
    assert basemap.decode_arcs(topology)[0] == [[10, 20], [11, 20], [11, 21]]
    collection = basemap.to_geojson(topology, "shapes")
    square, reversed_ = collection["features"]
    assert square["properties"] == {"name": "square"}
    assert square["geometry"]["coordinates"] == [[[10, 20], [11, 20], [11, 21], [10, 21], [10, 20]]]
    assert reversed_["geometry"]["coordinates"] == [[[10, 20], [10, 21], [11, 21]]]


def test_the_bundled_basemap_has_the_countries() -> None:
    collection = json.loads(basemap.countries_geojson())
    names = {f["properties"].get("name") for f in collection["features"]}
    assert {"Syria", "Iraq", "Nigeria", "France"} <= names
    syria = next(f for f in collection["features"] if f["properties"].get("name") == "Syria")
    lon, lat = syria["geometry"]["coordinates"][0][0]
    assert 35 < lon < 43 and 32 < lat < 38


def test_evidence_places_and_actors_are_marked_in_the_text() -> None:
    text = "Islamic State fighters seized Abu Kamal. Fighting continued near Iraq."
    article = {
        "actors": ["Islamic State"],
        "entities": {"places": [{"name": "Iraq", "mention": "Iraq"}], "persons": [], "organizations": []},
    }
    incidents = [{"evidence": ["Islamic State fighters seized Abu Kamal."]}]
    pieces = highlight.segments(text, highlight.terms(article, incidents))
    assert "".join(p for p, _, _ in pieces) == text
    sentence = next(p for p in pieces if p[1] == "evidence")
    assert sentence[0] == "Islamic State fighters seized Abu Kamal."
    # Names inside an evidence sentence are marked within it.
    assert sentence[2] == [("Islamic State", "actor"), (" fighters seized Abu Kamal.", None)]
    assert ("Iraq", "place", []) in pieces


def test_the_timeline_stacks_types_and_scales_to_the_peak() -> None:
    days = [
        {"day": "2026-11-19", "incidents": 3, "deaths": 40,
         "types": {"Battles": {"incidents": 1, "deaths": 40}, "Protests": {"incidents": 2, "deaths": 0}}},
        {"day": "2026-11-20", "incidents": 0, "deaths": 0, "types": {}},
    ]
    chart = stacked(days, "incidents")
    assert chart.peak == 3 and (chart.first, chart.last) == ("2026-11-19", "2026-11-20")
    battles, protests = chart.series
    assert (battles.fill, battles.total) == ("#d62728", 1)
    # Types stack in name order from the bottom: Battles (1 of 3), then Protests (2 of 3) on top.
    assert battles.path == "M0 73.3h29v36.7h-29z"
    assert protests.path == "M0 0h29v73.3h-29z"
    deaths = stacked(days, "deaths")
    assert [(s.event_type, s.total) for s in deaths.series] == [("Battles", 40)]
    assert stacked([], "deaths").series == []


def day(when: str, incidents: int, deaths: int) -> dict[str, Any]:
    return {"day": when, "incidents": incidents, "deaths": deaths,
            "types": {"Battles": {"incidents": incidents, "deaths": deaths}}}


def test_a_long_timeline_is_merged_into_weeks_then_months() -> None:
    from datetime import date, timedelta

    short = [day("2026-11-19", 1, 2)]
    assert coarsen(short) == (short, "day")
    year = [day((date(2026, 1, 1) + timedelta(days=n)).isoformat(), 1, 2) for n in range(365)]
    weeks, interval = coarsen(year)
    assert interval == "week" and len(weeks) == 53
    assert weeks[0]["day"] == "2025-12-29" and weeks[1]["day"] == "2026-01-05"
    assert sum(w["incidents"] for w in weeks) == 365
    assert sum(w["types"]["Battles"]["deaths"] for w in weeks) == 730
    decade = [day((date(2020, 1, 1) + timedelta(days=n)).isoformat(), 1, 0) for n in range(3000)]
    months, interval = coarsen(decade)
    assert interval == "month" and months[0]["day"] == "2020-01-01" and months[0]["incidents"] == 31
