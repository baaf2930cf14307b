"""Index templates: explicit mappings that load on the minimal local node and on the full
distribution."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pipeline.search_setup import (
    article_mappings,
    articles_alias,
    articles_index,
    events_alias,
    events_index,
    index_templates,
)
from pipeline.settings import ElasticsearchSettings


def walk(properties: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, spec in properties.items():
        out[prefix + name] = spec
        if "properties" in spec:
            out.update(walk(spec["properties"], f"{prefix}{name}."))
    return out


def test_names_aliases_and_months() -> None:
    settings = ElasticsearchSettings(index_prefix="news")
    when = datetime(2026, 3, 9, tzinfo=UTC)
    assert articles_alias(settings) == "news-articles"
    assert events_alias(settings) == "news-events"
    assert articles_index(settings, when) == "news-articles-2026.03"
    assert events_index(settings, when) == "news-events-2026.03"
    templates = index_templates(settings)
    assert set(templates) == {"news-articles", "news-events"}
    for alias, body in templates.items():
        assert body["index_patterns"] == [f"{alias}-*"]
        assert body["template"]["aliases"] == {alias: {}}
        assert body["template"]["mappings"]["dynamic"] == "false"


def test_mappings_have_the_types_analysts_need() -> None:
    templates = index_templates(ElasticsearchSettings())
    events = walk(templates["news-events"]["template"]["mappings"]["properties"])
    articles = walk(templates["news-articles"]["template"]["mappings"]["properties"])
    assert events["location.geo"]["type"] == "geo_point"
    assert events["date"]["type"] == "date" and articles["first_seen"]["type"] == "date"
    assert events["fatalities"]["type"] == "integer" and events["injured"]["type"] == "integer"
    assert events["event_type"]["type"] == "keyword"
    assert events["actors"]["fields"]["keyword"]["type"] == "keyword"
    assert articles["title"]["type"] == "text" and "keyword" in articles["title"]["fields"]
    assert events["reports"] == {"type": "object", "enabled": False}
    assert events["fatalities_history"]["type"] == "integer"
    assert events["evidence"]["type"] == "text"


def test_the_base_templates_use_no_feature_missing_on_the_local_node() -> None:
    text = json.dumps(index_templates(ElasticsearchSettings()))
    assert '"analyzer"' not in text and "script" not in text and "codec" not in text
    for forbidden in ("match_only_text", "scaled_float", "wildcard", "constant_keyword"):
        assert forbidden not in text


def test_english_analysis_is_an_addition_only() -> None:
    plain = article_mappings(english=False)
    rich = article_mappings(english=True)
    assert rich["properties"]["text"]["fields"]["english"]["analyzer"] == "english"
    assert "english" not in json.dumps(plain)
    rich["properties"]["text"].pop("fields")
    rich["properties"]["title"]["fields"].pop("english")
    assert rich == plain


def test_the_refresh_interval_is_the_setting() -> None:
    for templates, expected in (
        (index_templates(ElasticsearchSettings()), "1s"),
        (index_templates(ElasticsearchSettings(refresh_interval="250ms")), "250ms"),
    ):
        assert {t["template"]["settings"]["refresh_interval"] for t in templates.values()} == {expected}
