"""The incidents view's pages against the real Elasticsearch: what documents say is escaped,
filters select what they name, bad input is a 400 page, unknown ids a 404, and a search that
cannot reach Elasticsearch a 503 page, never a traceback."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import Elasticsearch, helpers
from starlette.testclient import TestClient

from pipeline.search_setup import articles_index, client, ensure_templates, events_index
from pipeline.settings import Settings
from pipeline.ui.app import create_app
from tests.integration.sink_helpers import drop_indices

pytestmark = pytest.mark.integration

HOSTILE = '<script>alert("x")</script>'
WHEN = datetime(2026, 11, 20, tzinfo=UTC)


def incident(n: int, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "incident_id": f"inc-{n}",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "date": f"2026-11-{10 + n:02d}",
        "date_precision": "day",
        "location": {
            "name": "Abu Kamal", "country": "Syria", "country_code": "SY", "admin1": "SY.07",
            "geo": {"lat": 34.45, "lon": 40.92}, "precision": "city", "mention": "Abu Kamal",
        },
        "actors": ["Islamic State"],
        "fatalities": n,
        "fatalities_history": [n],
        "sources": ["Levant Wire"],
        "article_ids": ["art-1"],
        "evidence": [f"Fighters clashed near Abu Kamal, killing {n}."],
    }
    doc.update(fields)
    return doc


@pytest.fixture
def view(es_ready: Any, isolated_settings: Settings) -> Iterator[TestClient]:
    s = isolated_settings
    es: Elasticsearch = es_ready
    ensure_templates(es, s.elasticsearch, now=WHEN)
    events = [
        incident(1),
        incident(2, event_type="Protests", location={"name": "Kano", "country": "Nigeria",
                 "country_code": "NG", "geo": {"lat": 12.0, "lon": 8.5}, "precision": "city"}),
        incident(3, actors=[HOSTILE], evidence=[HOSTILE + " killed 3"], sources=[HOSTILE]),
    ]
    article = {
        "article_id": "art-1", "url": "javascript:alert(1)", "title": HOSTILE, "site_name": "Levant Wire",
        "text": "Fighters clashed near Abu Kamal, killing 1. " + HOSTILE, "date": WHEN.isoformat(),
        "incident_ids": ["inc-1", "inc-3"],
    }
    actions: list[dict[str, Any]] = [
        {"_index": events_index(s.elasticsearch, WHEN), "_id": e["incident_id"], "_source": e}
        for e in events
    ]
    actions.append({"_index": articles_index(s.elasticsearch, WHEN), "_id": "art-1", "_source": article})
    helpers.bulk(es, actions, refresh="wait_for")
    try:
        yield TestClient(create_app(s, client(s.elasticsearch)), raise_server_exceptions=False)
    finally:
        drop_indices(es, s.elasticsearch.index_prefix)


def test_filters_select_what_they_name(view: TestClient) -> None:
    everything = view.get("/")
    assert everything.status_code == 200
    assert everything.text.count('class="incident-link"') == 3
    syria = view.get("/", params={"country": "Syria", "min_deaths": "2"})
    assert syria.text.count('class="incident-link"') == 1
    assert "/incident/inc-3" in syria.text
    protests = view.get("/", params={"event_type": "Protests"})
    assert protests.text.count('class="incident-link"') == 1 and "Kano, Nigeria" in protests.text
    # The country list still offers every country, not only those of the selection.
    assert '<option value="Syria">Syria</option>' in protests.text
    text = view.get("/", params={"q": "killing 1"})
    assert text.text.count('class="incident-link"') == 1 and "/incident/inc-1" in text.text


def test_document_content_is_escaped_on_every_page(view: TestClient) -> None:
    for path in ("/", "/incident/inc-3", "/article/art-1"):
        page = view.get(path)
        assert page.status_code == 200, path
        assert HOSTILE not in page.text, path
        assert "&lt;script&gt;" in page.text, path
    assert 'href="javascript:' not in view.get("/article/art-1").text


def test_the_article_page_marks_evidence_and_links_its_incidents(view: TestClient) -> None:
    page = view.get("/article/art-1").text
    assert '<mark class="evidence">Fighters clashed near Abu Kamal, killing 1.</mark>' in page
    assert "/incident/inc-1" in page and "/incident/inc-3" in page


def test_bad_filters_are_a_400_page_with_the_reason(view: TestClient) -> None:
    for params, reason in (
        ({"min_deaths": "many"}, "min_deaths: &#39;many&#39; is not a whole number"),
        ({"date_from": "2026-13-01"}, "date_from: &#39;2026-13-01&#39; is not a date"),
    ):
        for path in ("/", "/incidents.csv", "/incidents.geojson"):
            page = view.get(path, params=params)
            assert page.status_code == 400, path
            assert reason in page.text and "Traceback" not in page.text


def test_query_syntax_in_a_filter_is_only_a_value(view: TestClient) -> None:
    for params in ({"q": "Syria OR *"}, {"actor": "*"}, {"country": "Syria OR Nigeria"}, {"q": "/.*/"}):
        page = view.get("/", params=params)
        assert page.status_code == 200, params
        assert 'class="incident-link"' not in page.text, params


def test_unknown_ids_are_404_pages(view: TestClient) -> None:
    for path in ("/incident/nope", "/article/nope"):
        page = view.get(path)
        assert page.status_code == 404 and "no " in page.text


def test_exports_carry_the_selection(view: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(view.get("/incidents.csv", params={"country": "Syria"}).text)))
    assert sorted(r["incident_id"] for r in rows) == ["inc-1", "inc-3"]
    geojson = view.get("/incidents.geojson", params={"event_type": "Protests", "download": "1"})
    assert geojson.headers["content-type"].startswith("application/geo+json")
    assert "attachment" in geojson.headers["content-disposition"]
    (feature,) = json.loads(geojson.text)["features"]
    assert feature["geometry"]["coordinates"] == [8.5, 12.0]
    assert feature["properties"]["evidence"].startswith("Fighters clashed")


def test_the_map_gets_the_selection_with_only_what_its_points_show(view: TestClient) -> None:
    points = json.loads(view.get("/map/points.geojson", params={"country": "Syria"}).text)
    assert sorted(f["id"] for f in points["features"]) == ["inc-1", "inc-3"]
    properties = points["features"][0]["properties"]
    assert properties["place"] == "Abu Kamal" and properties["event_type"] == "Battles"
    assert properties["evidence"] == "" and properties["fatalities_history"] == []


def test_an_unreachable_elasticsearch_is_a_503_page(isolated_settings: Settings) -> None:
    s = isolated_settings
    s.elasticsearch.url = "http://127.0.0.1:9"
    s.elasticsearch.request_timeout_s = 2
    es = client(s.elasticsearch).options(max_retries=0)
    page = TestClient(create_app(s, es), raise_server_exceptions=False).get("/")
    assert page.status_code == 503 and "Elasticsearch did not answer" in page.text
