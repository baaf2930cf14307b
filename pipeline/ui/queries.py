"""The searches behind each page, one function per page, on the two read aliases.

Each returns plain dictionaries and lists for the templates; nothing here knows about HTTP.
Elasticsearch errors pass through (the app answers them with a 503 page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.ui.filters import Filters

# One colour per ACLED event type, the same on the map, the timeline and the table.
TYPE_COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#1f77b4",
    "Riots": "#8c564b",
    "Strategic developments": "#2ca02c",
}
OTHER_COLOUR = "#7f7f7f"
TABLE_SOURCE = (
    "incident_id", "event_type", "sub_event_type", "date", "date_precision", "location",
    "actors", "fatalities", "injured", "fatalities_history", "sources", "article_count",
)
EXPORT_SOURCE = (*TABLE_SOURCE, "evidence", "article_ids")
# What a map point shows in its popup; less to fetch and send than an export.
MAP_SOURCE = (
    "incident_id", "event_type", "sub_event_type", "date", "location.name", "location.country",
    "location.geo", "actors", "fatalities",
)
FACET_SIZE = 300
# Days are merged into weeks, months or years until the timeline has at most this many bars.
TIMELINE_BUCKETS = 120
SORT = ({"date": {"order": "desc"}}, {"incident_id": {"order": "asc"}})


def colour(event_type: str) -> str:
    return TYPE_COLOURS.get(event_type, OTHER_COLOUR)


@dataclass
class Aliases:
    articles: str
    events: str


@dataclass
class IncidentsPage:
    total: int
    rows: list[dict[str, Any]]
    deaths: int
    days: list[dict[str, Any]]
    facets: dict[str, list[str]]
    interval: str = "day"
    took_ms: int = 0


@dataclass
class IncidentView:
    incident: dict[str, Any]
    articles: list[dict[str, Any]] = field(default_factory=list)


def incidents_body(filters: Filters, rows: int) -> dict[str, Any]:
    """The one search request of the incidents page: table rows, the timeline and the values
    the filter lists offer."""
    return {
        "query": filters.query(),
        "size": rows,
        "sort": list(SORT),
        "_source": list(TABLE_SOURCE),
        "track_total_hits": True,
        "aggs": {
            "deaths": {"sum": {"field": "fatalities"}},
            "days": {
                "date_histogram": {"field": "date", "calendar_interval": "day", "format": "yyyy-MM-dd"},
                "aggs": {
                    "types": {
                        "terms": {"field": "event_type", "size": 20},
                        "aggs": {"deaths": {"sum": {"field": "fatalities"}}},
                    }
                },
            },
            # The filter lists offer every value, not only those of the current selection.
            "facets": {
                "global": {},
                "aggs": {
                    "countries": {"terms": {"field": "location.country", "size": FACET_SIZE}},
                    "event_types": {"terms": {"field": "event_type", "size": 50}},
                    "sources": {"terms": {"field": "sources", "size": FACET_SIZE}},
                },
            },
        },
    }


def _days(buckets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    days = []
    for bucket in buckets:
        types = {
            t["key"]: {"incidents": t["doc_count"], "deaths": int(t["deaths"]["value"] or 0)}
            for t in bucket["types"]["buckets"]
        }
        days.append(
            {
                "day": bucket["key_as_string"],
                "incidents": bucket["doc_count"],
                "deaths": sum(t["deaths"] for t in types.values()),
                "types": types,
            }
        )
    return days


def _bucket_start(day: str, interval: str) -> str:
    when = date.fromisoformat(day[:10])
    if interval == "week":
        return (when - timedelta(days=when.weekday())).isoformat()
    if interval == "month":
        return when.replace(day=1).isoformat()
    return when.replace(month=1, day=1).isoformat()


def _merge(days: list[dict[str, Any]], interval: str) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for day in days:
        key = _bucket_start(day["day"], interval)
        into = merged.setdefault(key, {"day": key, "incidents": 0, "deaths": 0, "types": {}})
        into["incidents"] += day["incidents"]
        into["deaths"] += day["deaths"]
        for name, counts in day["types"].items():
            slot = into["types"].setdefault(name, {"incidents": 0, "deaths": 0})
            slot["incidents"] += counts["incidents"]
            slot["deaths"] += counts["deaths"]
    return list(merged.values())


def coarsen(days: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """The daily buckets merged into the finest interval giving at most TIMELINE_BUCKETS bars."""
    merged, interval = days, "day"
    for coarser in ("week", "month", "year"):
        if len(merged) <= TIMELINE_BUCKETS:
            break
        # Always from the days: a week straddling two months belongs to neither.
        merged, interval = _merge(days, coarser), coarser
    return merged, interval


def incidents_page(es: Elasticsearch, aliases: Aliases, filters: Filters, rows: int) -> IncidentsPage:
    body = incidents_body(filters, rows)
    response = es.search(index=aliases.events, **body)
    aggs = response["aggregations"]
    days, interval = coarsen(_days(aggs["days"]["buckets"]))
    return IncidentsPage(
        total=int(response["hits"]["total"]["value"]),
        rows=[hit["_source"] for hit in response["hits"]["hits"]],
        deaths=int(aggs["deaths"]["value"] or 0),
        days=days,
        facets={
            name: sorted(b["key"] for b in aggs["facets"][name]["buckets"])
            for name in ("countries", "event_types", "sources")
        },
        interval=interval,
        took_ms=int(response.get("took", 0)),
    )


def selection(
    es: Elasticsearch, aliases: Aliases, filters: Filters, limit: int, for_map: bool = False
) -> list[dict[str, Any]]:
    """The selected incidents, newest first, with the fields the exports carry (or, for the map,
    only those its points show, and only incidents with coordinates)."""
    query = filters.query()
    if for_map:
        query = {"bool": {"filter": [query, {"exists": {"field": "location.geo"}}]}}
    response = es.search(
        index=aliases.events,
        query=query,
        size=limit,
        sort=list(SORT),
        source_includes=list(MAP_SOURCE if for_map else EXPORT_SOURCE),
    )
    return [hit["_source"] for hit in response["hits"]["hits"]]


def _one(es: Elasticsearch, index: str, field_name: str, value: str) -> dict[str, Any] | None:
    hits = es.search(index=index, query={"term": {field_name: value}}, size=1)["hits"]["hits"]
    return dict(hits[0]["_source"]) if hits else None


def incident(es: Elasticsearch, aliases: Aliases, incident_id: str) -> IncidentView | None:
    doc = _one(es, aliases.events, "incident_id", incident_id)
    if doc is None:
        return None
    ids = [str(i) for i in doc.get("article_ids") or []]
    articles = articles_by_id(es, aliases, ids)
    return IncidentView(incident=doc, articles=[articles[i] for i in ids if i in articles])


def articles_by_id(es: Elasticsearch, aliases: Aliases, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    response = es.search(
        index=aliases.articles,
        query={"terms": {"article_id": ids}},
        size=len(ids),
        source_includes=["article_id", "url", "title", "site_name", "source", "published", "date"],
    )
    return {hit["_source"]["article_id"]: hit["_source"] for hit in response["hits"]["hits"]}


def article(es: Elasticsearch, aliases: Aliases, article_id: str) -> dict[str, Any] | None:
    return _one(es, aliases.articles, "article_id", article_id)


def related_articles(
    es: Elasticsearch, aliases: Aliases, doc: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Duplicates (either way) and story siblings of an article, each list newest first."""
    article_id = str(doc.get("article_id"))
    should: list[dict[str, Any]] = [{"term": {"duplicate_of": article_id}}]
    if doc.get("duplicate_of"):
        should.append({"term": {"article_id": doc["duplicate_of"]}})
    if doc.get("story_id"):
        should.append({"term": {"story_id": doc["story_id"]}})
    response = es.search(
        index=aliases.articles,
        query={"bool": {"should": should, "must_not": [{"term": {"article_id": article_id}}]}},
        size=50,
        sort=[{"date": {"order": "desc"}}],
        source_includes=["article_id", "title", "site_name", "source", "date", "duplicate_of", "story_id"],
    )
    duplicates: list[dict[str, Any]] = []
    siblings: list[dict[str, Any]] = []
    for hit in response["hits"]["hits"]:
        other = hit["_source"]
        is_duplicate = other.get("duplicate_of") == article_id or other.get("article_id") == doc.get(
            "duplicate_of"
        )
        (duplicates if is_duplicate else siblings).append(other)
    return {"duplicates": duplicates, "siblings": siblings}


def incidents_by_id(es: Elasticsearch, aliases: Aliases, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    response = es.search(
        index=aliases.events, query={"terms": {"incident_id": ids}}, size=len(ids), sort=list(SORT)
    )
    return [hit["_source"] for hit in response["hits"]["hits"]]
