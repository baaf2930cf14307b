"""The summary `run --once` prints: per-stage counts and the latest incidents."""

from __future__ import annotations

from pipeline.run_once import IncidentLine, RunSummary
from pipeline.runner import StageCounters


def test_an_incident_line_shows_place_toll_and_earlier_figures() -> None:
    line = IncidentLine.from_document(
        {
            "date": "2026-11-19",
            "event_type": "Battles",
            "location": {"name": "Abu Kamal", "country": "Syria"},
            "fatalities": 40,
            "fatalities_history": [25, 40],
            "article_ids": ["a"],
        }
    )
    assert line == IncidentLine("2026-11-19", "Battles", "Abu Kamal, Syria", "40 (earlier 25)", 1)


def test_an_incident_without_place_or_toll_says_so() -> None:
    line = IncidentLine.from_document({"date": "2026-11-20", "event_type": "Protests"})
    assert (line.place, line.deaths, line.articles) == ("-", "-", 0)


def test_render_lists_stages_counts_and_incidents() -> None:
    counters = StageCounters(stage="tag", read=6, written=6, outputs=6)
    summary = RunSummary(
        stages=[counters],
        indexed_articles=6,
        indexed_incidents=1,
        latest_incidents=[
            IncidentLine("2026-11-17", "Explosions/Remote violence", "Deir ez-Zor, Syria", "12", 2)
        ],
    )
    lines = summary.render().splitlines()
    assert lines[-4].split() == ["articles", "in", "the", "index:", "6"]
    assert lines[-3].split() == ["incidents", "in", "the", "index:", "1"]
    assert lines[-2].split() == ["date", "type", "place", "deaths", "articles"]
    assert lines[-1].split() == [
        "2026-11-17", "Explosions/Remote", "violence", "Deir", "ez-Zor,", "Syria", "12", "2",
    ]
    assert any(line.split()[:2] == ["tag", "6"] and line.endswith("yes") for line in lines)
