"""The timeline: incidents and deaths per interval, stacked by event type, as SVG paths.

The template draws what this module lays out: one path per event type (a few elements, however
long the range), so the chart is in the page as served (and in its screenshots) without
JavaScript and stays cheap to render.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.ui.queries import colour

WIDTH = 900
HEIGHT = 110
# A short range keeps bars narrow rather than a few bars filling the width.
MIN_SLOTS = 30


@dataclass(frozen=True)
class Series:
    event_type: str
    fill: str
    path: str
    total: int


@dataclass(frozen=True)
class Chart:
    measure: str
    series: list[Series]
    peak: int
    first: str
    last: str
    width: int = WIDTH
    height: int = HEIGHT


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def stacked(days: list[dict[str, Any]], measure: str) -> Chart:
    """One bar per bucket, one segment per event type; ``measure`` is incidents or deaths."""
    first, last = (days[0]["day"], days[-1]["day"]) if days else ("", "")
    peak = max((int(day[measure]) for day in days), default=0)
    if peak == 0:
        return Chart(measure, [], peak, first, last)
    step = WIDTH / max(len(days), MIN_SLOTS)
    width = max(step - (1.0 if step > 3 else 0.0), 0.5)
    paths: dict[str, list[str]] = {}
    totals: dict[str, int] = {}
    for n, day in enumerate(days):
        top = float(HEIGHT)
        for event_type, counts in sorted(day["types"].items()):
            value = int(counts[measure])
            if value <= 0:
                continue
            height = HEIGHT * value / peak
            top -= height
            paths.setdefault(event_type, []).append(
                f"M{_f(n * step)} {_f(top)}h{_f(width)}v{_f(height)}h-{_f(width)}z"
            )
            totals[event_type] = totals.get(event_type, 0) + value
    series = [
        Series(event_type, colour(event_type), "".join(parts), totals[event_type])
        for event_type, parts in sorted(paths.items())
    ]
    return Chart(measure, series, peak, first, last)
