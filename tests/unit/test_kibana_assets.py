"""The Kibana saved objects: well-formed NDJSON, every reference resolved, and every field they
name present in the index templates' mappings (no Kibana runs here)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.kibana import ASSETS, asset_files, import_file, load_objects, retarget
from pipeline.search_setup import EVENT_PROPERTIES, article_mappings, event_mappings
from pipeline.settings import ElasticsearchSettings

KNOWN_TYPES = {"index-pattern", "search", "lens", "map", "dashboard", "visualization"}
# Kibana's pseudo-field for "count of records" in Lens.
RECORDS = "___records___"


def flatten(properties: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Every searchable field name (with multi-fields) and its type."""
    fields: dict[str, str] = {}
    for name, spec in properties.items():
        path = prefix + name
        if "properties" in spec:
            fields.update(flatten(spec["properties"], path + "."))
            continue
        fields[path] = spec.get("type", "object")
        for sub, sub_spec in spec.get("fields", {}).items():
            fields[f"{path}.{sub}"] = sub_spec["type"]
    return fields


FIELDS = {
    "news-articles": flatten(article_mappings()["properties"]),
    "news-events": flatten(event_mappings()["properties"]),
}


def all_objects() -> list[dict[str, Any]]:
    return [obj for path in asset_files() for obj in load_objects(path)]


def by_id() -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["type"], o["id"]): o for o in all_objects()}


def data_view_title(view_id: str) -> str:
    title: str = by_id()[("index-pattern", view_id)]["attributes"]["title"]
    return title


def fields_of(view_id: str) -> dict[str, str]:
    fields: dict[str, str] = FIELDS[data_view_title(view_id)]
    return fields


def ref(obj: dict[str, Any], name: str) -> dict[str, Any]:
    matches: list[dict[str, Any]] = [r for r in obj["references"] if r["name"] == name]
    assert len(matches) == 1, f"{obj['id']}: reference {name!r} missing or repeated"
    return matches[0]


def kql_fields(query: str) -> list[str]:
    return re.findall(r"([A-Za-z_][\w.]*)\s*(?::|<=|>=|<|>)", query)


def test_there_are_assets_and_every_line_is_a_saved_object() -> None:
    files = asset_files()
    assert files, f"no .ndjson under {ASSETS}"
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines and all(lines), f"{path.name}: empty lines"
        for number, line in enumerate(lines, start=1):
            obj = json.loads(line)
            assert obj["type"] in KNOWN_TYPES, f"{path.name}:{number}: type {obj['type']}"
            assert isinstance(obj["id"], str) and obj["id"]
            assert isinstance(obj["attributes"], dict) and obj["attributes"].get("title")
            assert isinstance(obj["references"], list)
            assert re.fullmatch(r"\d+\.\d+\.\d+", obj["typeMigrationVersion"])


def test_ids_are_unique_and_every_reference_resolves() -> None:
    objects = all_objects()
    keys = [(o["type"], o["id"]) for o in objects]
    assert len(keys) == len(set(keys))
    known = set(keys)
    for obj in objects:
        for reference in obj["references"]:
            assert (reference["type"], reference["id"]) in known, (obj["id"], reference)


def test_the_analysts_objects_are_all_there() -> None:
    objects = by_id()
    assert objects[("index-pattern", "news-articles")]["attributes"]["title"] == "news-articles"
    assert objects[("index-pattern", "news-events")]["attributes"]["title"] == "news-events"
    for search in ("news-latest-articles", "news-incidents-with-deaths", "news-latest-incidents"):
        assert ("search", search) in objects
    dashboard = objects[("dashboard", "news-incidents-dashboard")]
    panel_types = sorted(r["type"] for r in _panel_references(dashboard))
    assert panel_types == ["lens", "lens", "lens", "map", "search"]


def test_data_views_have_date_time_fields_and_formats_on_real_fields() -> None:
    for obj in all_objects():
        if obj["type"] != "index-pattern":
            continue
        attributes = obj["attributes"]
        fields = FIELDS[attributes["title"]]
        assert fields[attributes["timeFieldName"]] == "date"
        for name in json.loads(attributes.get("fieldFormatMap", "{}")):
            assert name in fields, f"{obj['id']}: format for unknown field {name}"


def searches() -> Iterator[dict[str, Any]]:
    return (o for o in all_objects() if o["type"] == "search")


def test_saved_searches_name_only_mapped_fields() -> None:
    for obj in searches():
        source = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        view = ref(obj, source["indexRefName"])
        assert view["type"] == "index-pattern"
        fields = fields_of(view["id"])
        named = [
            *obj["attributes"]["columns"],
            *(field for field, _ in obj["attributes"]["sort"]),
            *kql_fields(source["query"]["query"]),
        ]
        for field in named:
            assert field in fields, f"{obj['id']}: unknown field {field}"
        for field, _ in obj["attributes"]["sort"]:
            assert fields[field] != "text", f"{obj['id']}: cannot sort on text field {field}"


def test_the_deaths_search_filters_on_the_numeric_toll() -> None:
    obj = by_id()[("search", "news-incidents-with-deaths")]
    source = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    assert kql_fields(source["query"]["query"]) == ["fatalities"]
    assert FIELDS["news-events"]["fatalities"] == "integer"


def test_lens_layers_reference_their_data_view_and_aggregate_on_keyword_or_numbers() -> None:
    for obj in all_objects():
        if obj["type"] != "lens":
            continue
        layers = obj["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
        assert layers
        for layer_id, layer in layers.items():
            view = ref(obj, f"indexpattern-datasource-layer-{layer_id}")
            fields = fields_of(view["id"])
            assert sorted(layer["columnOrder"]) == sorted(layer["columns"])
            for column in layer["columns"].values():
                field = column["sourceField"]
                if field == RECORDS:
                    continue
                assert field in fields, f"{obj['id']}: unknown field {field}"
                kind = fields[field]
                if column["operationType"] == "terms":
                    assert kind == "keyword", f"{obj['id']}: terms on {kind} field {field}"
                elif column["operationType"] == "date_histogram":
                    assert kind == "date"
                else:
                    assert kind in ("integer", "long", "float", "double")
        accessors = json.dumps(obj["attributes"]["state"]["visualization"])
        for layer in layers.values():
            for column_id in layer["columns"]:
                assert f'"{column_id}"' in accessors, f"{obj['id']}: column {column_id} unused"


def test_the_map_plots_the_incident_geo_point() -> None:
    obj = by_id()[("map", "news-incidents-map")]
    layers = json.loads(obj["attributes"]["layerListJSON"])
    json.loads(obj["attributes"]["mapStateJSON"])
    data_layers = [la for la in layers if la["sourceDescriptor"]["type"] == "ES_SEARCH"]
    assert data_layers
    for layer in data_layers:
        source = layer["sourceDescriptor"]
        view = ref(obj, source["indexPatternRefName"])
        fields = fields_of(view["id"])
        assert fields[source["geoField"]] == "geo_point"
        named = [*source.get("tooltipProperties", []), source.get("sortField") or "date"]
        for prop in layer["style"].get("properties", {}).values():
            field = prop.get("options", {}).get("field")
            if isinstance(field, dict):
                named.append(field["name"])
        for field in named:
            assert field in fields, f"map: unknown field {field}"


def test_dashboard_panels_resolve_to_their_objects() -> None:
    objects = by_id()
    dashboard = objects[("dashboard", "news-incidents-dashboard")]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    json.loads(dashboard["attributes"]["optionsJSON"])
    assert len(panels) == len(_panel_references(dashboard))
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        reference = ref(dashboard, f"{panel['panelIndex']}:{panel['panelRefName']}")
        assert reference["type"] == panel["type"]
        assert (reference["type"], reference["id"]) in objects
        grid = panel["gridData"]
        assert grid["i"] == panel["panelIndex"] and grid["x"] + grid["w"] <= 48
        mine = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"])
                for y in range(grid["y"], grid["y"] + grid["h"])}
        assert not cells & mine, f"panel {panel['panelIndex']} overlaps another"
        cells |= mine


def _panel_references(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in dashboard["references"] if not r["name"].startswith("controlGroup_")]


def test_dashboard_controls_filter_on_mapped_keyword_fields() -> None:
    objects = by_id()
    dashboard = objects[("dashboard", "news-incidents-dashboard")]
    group = dashboard["attributes"]["controlGroupInput"]
    json.loads(group["ignoreParentSettingsJSON"])
    controls = json.loads(group["panelsJSON"])
    fields = {c["explicitInput"]["fieldName"] for c in controls.values()}
    assert fields == {"location.country", "event_type", "actors.keyword", "sources"}
    keywords = _keyword_fields(EVENT_PROPERTIES)
    for control_id, control in controls.items():
        assert control["type"] == "optionsListControl"
        assert control["explicitInput"]["fieldName"] in keywords
        reference = ref(dashboard, f"controlGroup_{control_id}:optionsListDataView")
        assert (reference["type"], reference["id"]) == ("index-pattern", "news-events")


def _keyword_fields(properties: dict[str, Any], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        if spec.get("type") == "keyword":
            out.add(path)
        for sub, sub_spec in spec.get("fields", {}).items():
            if sub_spec.get("type") == "keyword":
                out.add(f"{path}.{sub}")
        if "properties" in spec:
            out |= _keyword_fields(spec["properties"], f"{path}.")
    return out


def test_the_latest_incidents_table_shows_evidence_tolls_and_original_links() -> None:
    objects = by_id()
    columns = objects[("search", "news-latest-incidents")]["attributes"]["columns"]
    wanted = ("evidence", "fatalities_history", "injured", "date_precision", "sources", "last_article_url")
    assert set(wanted) <= set(columns)
    formats = json.loads(objects[("index-pattern", "news-events")]["attributes"]["fieldFormatMap"])
    assert formats["last_article_url"]["id"] == "url"
    assert formats["last_article_url"]["params"]["urlTemplate"] == "{{value}}"


def test_the_latest_incidents_table_links_to_the_articles() -> None:
    objects = by_id()
    table = objects[("search", "news-latest-incidents")]
    assert "article_ids" in table["attributes"]["columns"]
    formats = json.loads(objects[("index-pattern", "news-events")]["attributes"]["fieldFormatMap"])
    link = formats["article_ids"]
    assert link["id"] == "url"
    template = link["params"]["urlTemplate"]
    assert "dataViewId:news-articles" in template and "article_id:{{value}}" in template


def test_retarget_points_data_views_at_another_prefix_only() -> None:
    objects = all_objects()
    moved = retarget(objects, "staging")
    titles = sorted(o["attributes"]["title"] for o in moved if o["type"] == "index-pattern")
    assert titles == ["staging-articles", "staging-events"]
    assert [o["id"] for o in moved] == [o["id"] for o in objects]
    assert retarget(objects, "news") == objects
    assert by_id()[("index-pattern", "news-events")]["attributes"]["title"] == "news-events"


def test_import_posts_the_file_to_the_import_api_with_overwrite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sent: list[Any] = []

    class Answer:
        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *_: object) -> None:
            return None

        def read(self, *_: object) -> bytes:
            return b'{"success": true, "successCount": 10}'

    def urlopen(request: Any, timeout: float) -> Answer:
        sent.append(request)
        return Answer()

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    settings = ElasticsearchSettings(index_prefix="staging", username="elastic", password="pw")
    (path,) = asset_files()
    answer = import_file("http://kibana:5601/", path, settings, space="ops")
    assert answer["successCount"] == 10
    (request,) = sent
    assert request.full_url == "http://kibana:5601/s/ops/api/saved_objects/_import?overwrite=true"
    assert request.get_header("Kbn-xsrf") == "true"
    assert request.get_header("Authorization").startswith("Basic ")
    assert request.get_header("Content-type").startswith("multipart/form-data; boundary=")
    body = request.data.decode()
    assert 'name="file"; filename="news-incidents.ndjson"' in body
    assert '"title": "staging-events"' in body and '"title": "news-events"' not in body


def test_an_installed_package_finds_the_saved_objects_it_ships() -> None:
    import tomllib

    from pipeline.kibana import assets_folder

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    data_files = config["tool"]["setuptools"]["data-files"]
    shipped = {p.name for pattern in data_files["share/news-incidents/kibana"]
               for p in root.glob(pattern)}
    assert shipped == {p.name for p in asset_files(ASSETS)}
    assert assets_folder() == ASSETS == root / "kibana"  # the source tree wins where there is one
