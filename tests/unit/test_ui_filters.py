"""The incidents view's filters: query string in, one Elasticsearch query out, bad values refused."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from pipeline.ui.filters import BadFilter, Filters


def clauses(filters: Filters) -> list[dict[str, Any]]:
    query = filters.query()
    assert "bool" in query
    return list(query["bool"]["filter"])


def test_no_filter_selects_everything() -> None:
    assert Filters.parse({}).query() == {"match_all": {}}
    assert Filters.parse({"country": "  ", "q": ""}).is_empty()


def test_every_filter_becomes_a_clause_on_its_field() -> None:
    filters = Filters.parse(
        {
            "date_from": "2026-11-01",
            "date_to": "2026-11-30",
            "country": "Syria",
            "admin1": "SY.07",
            "event_type": "Battles",
            "actor": "Islamic State",
            "min_deaths": "10",
            "source": "Levant Wire",
            "q": "border town",
        }
    )
    found = clauses(filters)
    assert {"range": {"date": {"format": "strict_date", "gte": "2026-11-01", "lte": "2026-11-30"}}} in found
    assert {"term": {"location.admin1": "SY.07"}} in found
    assert {"term": {"event_type": "Battles"}} in found
    assert {"term": {"actors.keyword": "Islamic State"}} in found
    assert {"term": {"sources": "Levant Wire"}} in found
    assert {"range": {"fatalities": {"gte": 10}}} in found
    country = next(c for c in found if "bool" in c)["bool"]["should"]
    assert {"term": {"location.country": "Syria"}} in country
    assert {"term": {"location.country_code": "SYRIA"}} in country
    (text,) = filters.query()["bool"]["must"]
    assert text["multi_match"]["query"] == "border town"
    assert text["multi_match"]["operator"] == "and"


def test_a_country_code_matches_too() -> None:
    country = next(c for c in clauses(Filters.parse({"country": "sy"})) if "bool" in c)
    assert {"term": {"location.country_code": "SY"}} in country["bool"]["should"]


def test_filters_round_trip_through_the_query_string() -> None:
    params = {"date_from": "2026-11-19", "country": "Syria", "min_deaths": "0", "q": "a&b=c"}
    filters = Filters.parse(params)
    assert filters.min_deaths == 0 and filters.date_from == date(2026, 11, 19)
    assert filters.params() == params
    assert "q=a%26b%3Dc" in filters.query_string()
    assert Filters.parse(filters.params()) == filters


def test_query_syntax_reaches_elasticsearch_only_as_a_value() -> None:
    hostile = 'country:Syria OR *) {"script": 1}'
    filters = Filters.parse({"q": hostile, "actor": hostile})
    body = json.dumps(filters.query())
    assert "query_string" not in body and "simple_query_string" not in body and "script\":" not in body
    assert filters.query()["bool"]["must"][0]["multi_match"]["query"] == hostile
    assert {"term": {"actors.keyword": hostile}} in clauses(filters)


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"date_from": "19/11/2026"}, "date_from: '19/11/2026' is not a date"),
        ({"date_to": "tomorrow"}, "date_to: 'tomorrow' is not a date"),
        ({"min_deaths": "-1"}, "min_deaths: '-1' is not a whole number"),
        ({"min_deaths": "ten"}, "min_deaths: 'ten' is not a whole number"),
        ({"min_deaths": "99999999999"}, "min_deaths: '99999999999' is larger than"),
        ({"date_from": "2026-12-01", "date_to": "2026-11-01"}, "date_from: later than date_to"),
        ({"q": "x" * 201}, "q: longer than 200 characters"),
    ],
)
def test_malformed_values_are_refused_with_the_reason(params: dict[str, str], reason: str) -> None:
    with pytest.raises(BadFilter) as raised:
        Filters.parse(params)
    assert str(raised.value).startswith(reason)


def test_unknown_parameters_are_ignored() -> None:
    assert Filters.parse({"download": "1", "page": "x"}).is_empty()
