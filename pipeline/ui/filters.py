"""The incidents page's filters: parsed from the URL query string, turned into one Elasticsearch
query.

Every filter lives in the query string, so a view can be shared as a link. Values reach
Elasticsearch only as values of ``term``, ``range`` and ``multi_match`` clauses, never as query
syntax: a free-text search for ``country:Syria OR *`` looks for those words, it does not run them.
A value that is not what its filter expects raises :class:`BadFilter`, which the view answers with
a 400 page saying why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any
from urllib.parse import urlencode

MAX_VALUE_LENGTH = 200
MAX_DEATHS = 1_000_000
FREE_TEXT_FIELDS = ("evidence", "actors", "location.name", "location.mention", "sub_event_type")


class BadFilter(ValueError):
    """A filter value the view cannot use; the message names the filter and the reason."""


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    country: str = ""
    admin1: str = ""
    event_type: str = ""
    actor: str = ""
    min_deaths: int | None = None
    source: str = ""
    q: str = ""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Filters:
        """Filters from query parameters; unknown parameters are ignored, empty ones unset."""
        values: dict[str, Any] = {}
        for name in cls.names():
            raw = params.get(name, "")
            if len(raw) > MAX_VALUE_LENGTH:
                raise BadFilter(f"{name}: longer than {MAX_VALUE_LENGTH} characters")
            raw = raw.strip()
            if not raw:
                continue
            if name in ("date_from", "date_to"):
                values[name] = _parse_date(name, raw)
            elif name == "min_deaths":
                values[name] = _parse_deaths(raw)
            else:
                values[name] = raw
        parsed = cls(**values)
        if parsed.date_from and parsed.date_to and parsed.date_from > parsed.date_to:
            raise BadFilter("date_from: later than date_to")
        return parsed

    def params(self) -> dict[str, str]:
        """The filters that are set, as query parameters (the inverse of :meth:`parse`)."""
        out: dict[str, str] = {}
        for name in self.names():
            value = getattr(self, name)
            if value is None or value == "":
                continue
            out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    def query_string(self, **extra: str) -> str:
        return urlencode({**self.params(), **extra})

    def is_empty(self) -> bool:
        return not self.params()

    def query(self) -> dict[str, Any]:
        """The Elasticsearch query selecting the incidents these filters describe."""
        clauses: list[dict[str, Any]] = []
        if self.date_from or self.date_to:
            bounds: dict[str, str] = {"format": "strict_date"}
            if self.date_from:
                bounds["gte"] = self.date_from.isoformat()
            if self.date_to:
                bounds["lte"] = self.date_to.isoformat()
            clauses.append({"range": {"date": bounds}})
        if self.country:
            clauses.append(
                {
                    "bool": {
                        "should": [
                            {"term": {"location.country": self.country}},
                            {"term": {"location.country_code": self.country.upper()}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            )
        for name, field_name in (
            ("admin1", "location.admin1"),
            ("event_type", "event_type"),
            ("actor", "actors.keyword"),
            ("source", "sources"),
        ):
            value = getattr(self, name)
            if value:
                clauses.append({"term": {field_name: value}})
        if self.min_deaths is not None:
            clauses.append({"range": {"fatalities": {"gte": self.min_deaths}}})
        must: list[dict[str, Any]] = []
        if self.q:
            must.append(
                {"multi_match": {"query": self.q, "fields": list(FREE_TEXT_FIELDS), "operator": "and"}}
            )
        if not clauses and not must:
            return {"match_all": {}}
        return {"bool": {"filter": clauses, "must": must}}


def _parse_date(name: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(f"{name}: {raw!r} is not a date (YYYY-MM-DD)") from None


def _parse_deaths(raw: str) -> int:
    if not raw.isdigit():
        raise BadFilter(f"min_deaths: {raw!r} is not a whole number of zero or more")
    value = int(raw)
    if value > MAX_DEATHS:
        raise BadFilter(f"min_deaths: {raw!r} is larger than {MAX_DEATHS}")
    return value
