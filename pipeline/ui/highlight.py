"""Marking what the tagger found in an article's cleaned text: evidence sentences, places,
actors and other named entities.

:func:`segments` cuts the text into pieces, each plain or of one kind; the template wraps the
marked ones in ``<mark>`` (and escapes every piece). Evidence sentences are marked first and
names are marked within them; where two names overlap, the earlier kind in :data:`KINDS`,
then the earlier and longer match, wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

KINDS = ("evidence", "place", "actor", "person", "organization")
Piece = tuple[str, str | None]
Segment = tuple[str, str | None, list[Piece]]


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
    """Non-overlapping matches of the phrases, earlier-listed kinds first, then the longer."""
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


def _cut(text: str, spans: list[tuple[int, int, str]]) -> list[Piece]:
    out: list[Piece] = []
    position = 0
    for start, end, kind in spans:
        if start > position:
            out.append((text[position:start], None))
        out.append((text[start:end], kind))
        position = end
    if position < len(text):
        out.append((text[position:], None))
    return out


def segments(text: str, wanted: list[tuple[str, str]]) -> list[Segment]:
    """``text`` as consecutive (piece, kind, inner) triples; kind None for unmarked text. An
    evidence sentence carries the entities marked inside it as ``inner`` pieces."""
    evidence = [(phrase, kind) for phrase, kind in wanted if kind == "evidence"]
    names = [(phrase, kind) for phrase, kind in wanted if kind != "evidence"]
    out: list[Segment] = []
    for piece, kind in _cut(text, _spans(text, evidence)):
        inner = _cut(piece, _spans(piece, names))
        if kind == "evidence":
            out.append((piece, kind, inner))
        else:
            out.extend((part, part_kind, []) for part, part_kind in inner)
    return out
