"""Incident dates resolved against the publication date.

Weekdays resolve to the most recent such day on or before the publication date ("Thursday" in an
article of Friday is the day before; in an article of Thursday it is that day). Explicit dates
without a year take the most recent year that does not put them after publication. Every result
carries a precision: ``day``, ``week`` ("last week"), ``month`` ("earlier this month"), or
``publication`` when the text gives no date and the publication date stands in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

DatePrecision = Literal["day", "week", "month", "publication"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {
    name: index + 1
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1, "one": 1}

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "day_month",
        re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\.?(?:,?\s+(\d{{4}}))?\b", re.I),
    ),
    (
        "month_day",
        re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", re.I),
    ),
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    (
        "weekday",
        re.compile(r"\b(last\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I),
    ),
    ("yesterday", re.compile(r"\b(?:yesterday|last night|overnight)\b", re.I)),
    (
        "today",
        re.compile(r"\b(?:today|this morning|this afternoon|this evening|tonight|earlier today)\b", re.I),
    ),
    ("days_ago", re.compile(r"\b(a|one|two|three|four|five|six|seven|\d)\s+days?\s+(?:ago|earlier)\b", re.I)),
    ("last_week", re.compile(r"\b(?:last|past|previous) week\b|\bearlier this week\b|\bweek ago\b", re.I)),
    ("this_month", re.compile(r"\b(?:earlier|late|early)? ?this month\b|\blast month\b", re.I)),
    ("in_month", re.compile(rf"\bin\s+(?:early\s+|late\s+|mid-?)?({_MONTH_RE})\b(?:\s+(\d{{4}}))?", re.I)),
]
_DIGITS = tuple("0123456789")
_MONTH_CUES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# For each pattern, groups of lower-case cues: every match holds a cue of each group. In an ASCII
# text (where lower-casing is exactly the patterns' case-insensitivity) a pattern with a group
# none of whose cues occurs cannot match and is not scanned; most sentences hold no date.
PATTERN_CUES: dict[str, tuple[tuple[str, ...], ...]] = {
    "day_month": (_DIGITS, _MONTH_CUES),
    "month_day": (_MONTH_CUES, _DIGITS),
    "iso": (_DIGITS,),
    "weekday": (("day",),),
    "yesterday": (("yesterday", "last night", "overnight"),),
    "today": (("today", "this morning", "this afternoon", "this evening", "tonight"),),
    "days_ago": (("day",), ("ago", "earlier")),
    "last_week": (("week",),),
    "this_month": (("this month", "last month"),),
    "in_month": (("in",), _MONTH_CUES),
}


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    value: date
    precision: DatePrecision
    text: str
    position: int = 0


def _year_for(month: int, day: int, published: date) -> date | None:
    for year in (published.year, published.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate <= published + timedelta(days=1):
            return candidate
    return None


def find_dates(text: str, published: date) -> list[ResolvedDate]:
    """Every date expression in ``text``, in order of appearance."""
    found: list[ResolvedDate] = []
    taken: list[tuple[int, int]] = []
    lower = text.lower() if text.isascii() else None
    for kind, pattern in _PATTERNS:
        if lower is not None and not _has_cues(lower, PATTERN_CUES[kind]):
            continue
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            resolved = _resolve(kind, match, published)
            if resolved is None:
                continue
            taken.append((match.start(), match.end()))
            found.append(ResolvedDate(resolved[0], resolved[1], match.group(0), match.start()))
    found.sort(key=lambda d: d.position)
    return found


def _has_cues(lower: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    return all(any(cue in lower for cue in group) for group in groups)


def _resolve(kind: str, m: re.Match[str], published: date) -> tuple[date, DatePrecision] | None:
    if kind in ("day_month", "month_day"):
        if kind == "day_month":
            day, month, year = int(m.group(1)), MONTHS[m.group(2).lower()], m.group(3)
        else:
            month, day, year = MONTHS[m.group(1).lower()], int(m.group(2)), m.group(3)
        if m.group(2 if kind == "day_month" else 1).lower() == "may" and kind == "month_day":
            pass
        if not 1 <= day <= 31:
            return None
        if year:
            try:
                return date(int(year), month, day), "day"
            except ValueError:
                return None
        value = _year_for(month, day, published)
        return (value, "day") if value else None
    if kind == "iso":
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))), "day"
        except ValueError:
            return None
    if kind == "weekday":
        target = WEEKDAYS.index(m.group(2).lower())
        back = (published.weekday() - target) % 7
        if m.group(1) and back == 0:
            back = 7
        return published - timedelta(days=back), "day"
    if kind == "yesterday":
        return published - timedelta(days=1), "day"
    if kind == "today":
        return published, "day"
    if kind == "days_ago":
        word = m.group(1).lower()
        count = int(word) if word.isdigit() else _NUMBER_WORDS[word]
        return published - timedelta(days=count), "day"
    if kind == "last_week":
        return published - timedelta(days=7), "week"
    if kind == "this_month":
        if "last" in m.group(0).lower():
            first = published.replace(day=1) - timedelta(days=1)
            return first.replace(day=15), "month"
        return published.replace(day=1), "month"
    if kind == "in_month":
        month = MONTHS[m.group(1).lower()]
        if m.group(1).lower() == "may" and not m.group(2):
            return None  # "in May" vs the modal verb: too ambiguous without a year
        year = (
            int(m.group(2))
            if m.group(2)
            else (published.year if month <= published.month else published.year - 1)
        )
        return date(year, month, 1), "month"
    return None


def first_date(text: str, published: date) -> ResolvedDate | None:
    """The first day-precise date in ``text``, else the first of any precision."""
    found = find_dates(text, published)
    for item in found:
        if item.precision == "day":
            return item
    return found[0] if found else None
