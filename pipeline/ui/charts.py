"""The timeline: incidents and deaths per day, stacked by event type, as SVG rectangles.

The template draws the rectangles this module lays out; no JavaScript is involved, so the chart
is in the page as served (and in its screenshots).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.ui.queries import colour

WIDTH = 900
HEIGHT = 110
MIN_SLOTS = 30


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass(frozen=True)
class Chart:
    measure: str
    bars: list[Bar]
    peak: int
    first: str
    last: str
    width: int = WIDTH
    height: int = HEIGHT


def stacked(days: list[dict[str, Any]], measure: str) -> Chart:
    """One bar per day, one segment per event type; ``measure`` is incidents or deaths."""
    peak = max((int(day[measure]) for day in days), default=0)
    if not days or peak == 0:
        return Chart(measure, [], peak, days[0]["day"] if days else "", days[-1]["day"] if days else "")
    # A short range keeps bars narrow rather than a few bars filling the width.
    step = WIDTH / max(len(days), MIN_SLOTS)
    gap = 1.0 if step > 3 else 0.0
    bars: list[Bar] = []
    for n, day in enumerate(days):
        top = float(HEIGHT)
        for event_type, counts in sorted(day["types"].items()):
            value = int(counts[measure])
            if value <= 0:
                continue
            height = HEIGHT * value / peak
            top -= height
            bars.append(
                Bar(
                    x=round(n * step, 2),
                    y=round(top, 2),
                    width=round(max(step - gap, 0.5), 2),
                    height=round(height, 2),
                    fill=colour(event_type),
                    title=f"{day['day']}: {value} {measure}, {event_type}",
                )
            )
    return Chart(measure, bars, peak, days[0]["day"], days[-1]["day"])
