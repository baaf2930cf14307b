"""The current selection of incidents as CSV (spreadsheets) and GeoJSON (QGIS, the map).

Both take incident documents as the ``news-events`` alias stores them (docs/schema.md). Lists
are joined with ``; `` in CSV. A CSV cell that a spreadsheet would run as a formula (starting
with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

CSV_COLUMNS = (
    "incident_id",
    "date",
    "date_precision",
    "event_type",
    "sub_event_type",
    "country",
    "country_code",
    "admin1",
    "place",
    "place_precision",
    "latitude",
    "longitude",
    "fatalities",
    "injured",
    "fatalities_history",
    "actors",
    "sources",
    "article_count",
    "evidence",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _joined(values: object) -> str:
    if not isinstance(values, list | tuple):
        return "" if values is None else str(values)
    return "; ".join(str(v) for v in values)


def _geo(doc: dict[str, Any]) -> tuple[float, float] | None:
    geo = (doc.get("location") or {}).get("geo")
    if isinstance(geo, dict) and isinstance(geo.get("lat"), int | float) and isinstance(
        geo.get("lon"), int | float
    ):
        return float(geo["lat"]), float(geo["lon"])
    return None


def flat_row(doc: dict[str, Any]) -> dict[str, Any]:
    """One incident as a flat row of :data:`CSV_COLUMNS`."""
    location = doc.get("location") or {}
    geo = _geo(doc)
    return {
        "incident_id": doc.get("incident_id", ""),
        "date": doc.get("date", ""),
        "date_precision": doc.get("date_precision", ""),
        "event_type": doc.get("event_type", ""),
        "sub_event_type": doc.get("sub_event_type", ""),
        "country": location.get("country", ""),
        "country_code": location.get("country_code", ""),
        "admin1": location.get("admin1") or "",
        "place": location.get("name", ""),
        "place_precision": location.get("precision", ""),
        "latitude": "" if geo is None else geo[0],
        "longitude": "" if geo is None else geo[1],
        "fatalities": "" if doc.get("fatalities") is None else doc["fatalities"],
        "injured": "" if doc.get("injured") is None else doc["injured"],
        "fatalities_history": _joined(doc.get("fatalities_history")),
        "actors": _joined(doc.get("actors")),
        "sources": _joined(doc.get("sources")),
        "article_count": doc.get("article_count", len(doc.get("article_ids") or [])),
        "evidence": " | ".join(str(e) for e in doc.get("evidence") or []),
    }


def _safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(docs: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for doc in docs:
        writer.writerow({k: _safe_cell(v) for k, v in flat_row(doc).items()})
    return out.getvalue()


def feature(doc: dict[str, Any]) -> dict[str, Any] | None:
    """One incident as a GeoJSON point feature; None when it has no coordinates."""
    geo = _geo(doc)
    if geo is None:
        return None
    properties = flat_row(doc)
    del properties["latitude"], properties["longitude"]
    properties["fatalities_history"] = list(doc.get("fatalities_history") or [])
    properties["actors"] = list(doc.get("actors") or [])
    properties["sources"] = list(doc.get("sources") or [])
    return {
        "type": "Feature",
        "id": doc.get("incident_id"),
        # GeoJSON positions are longitude first (RFC 7946, 3.1.1).
        "geometry": {"type": "Point", "coordinates": [geo[1], geo[0]]},
        "properties": properties,
    }


def to_geojson(docs: Iterable[dict[str, Any]]) -> str:
    features = [f for f in (feature(doc) for doc in docs) if f is not None]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
