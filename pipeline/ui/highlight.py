"""Marking what the tagger found in an article's cleaned text: evidence sentences, places,
actors and other named entities.

:func:`segments` cuts the text into pieces, each plain or of one kind; the template wraps the
marked ones in ``<mark>`` (and escapes every piece). Where marks would overlap, the earlier
and then the longer wins, evidence sentences first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

KINDS = ("evidence", "place", "actor", "person", "organization")
Segment = tuple[str, str | None]


def _names(values: object) -> list[str]:
    if not isinstance(values, list | tuple):
        return []
    return [str(v) for v in values if isinstance(v, str) and v.strip()]


def terms(article: dict[str, Any], incidents: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(phrase, kind) pairs to look for, in order of precedence."""
    entities = article.get("entities") or {}
    found: list[tuple[str, str]] = []
    for incident in incidents:
        found.extend((sentence, "evidence") for sentence in _names(incident.get("evidence")))
    for place in entities.get("places") or []:
        if isinstance(place, dict):
            for key in ("mention", "name"):
                found.extend((v, "place") for v in _names([place.get(key)]))
    found.extend((name, "actor") for name in _names(article.get("actors")))
    found.extend((name, "person") for name in _names(entities.get("persons")))
    found.extend((name, "organization") for name in _names(entities.get("organizations")))
    return found


def _spans(text: str, wanted: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for phrase, kind in wanted:
        pattern = re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)")
        spans.extend((m.start(), m.end(), kind) for m in pattern.finditer(text))
    rank = {kind: n for n, kind in enumerate(KINDS)}
    spans.sort(key=lambda s: (rank[s[2]], s[0], -(s[1] - s[0])))
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, kind))
    return sorted(chosen)


def segments(text: str, wanted: list[tuple[str, str]]) -> list[Segment]:
    """``text`` as consecutive (piece, kind) pairs; kind None for unmarked text."""
    out: list[Segment] = []
    position = 0
    for start, end, kind in _spans(text, wanted):
        if start > position:
            out.append((text[position:start], None))
        out.append((text[start:end], kind))
        position = end
    if position < len(text):
        out.append((text[position:], None))
    return out
