"""The evaluation gate: the tag stage's test-part figures on the bundled open data may not fall
below the committed floors in eval/baseline.json (see pipeline/evaluation/gate.py)."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.evaluation import gate, report
from pipeline.evaluation.splits import part_of


@pytest.fixture(scope="module")
def test_part_results() -> dict[str, dict[str, dict[str, Any]]]:
    return report.run(parts=("test",))


def test_test_part_figures_hold_their_floors(test_part_results: dict[str, Any]) -> None:
    floors = gate.load_floors(report.BASELINE)
    assert set(floors) == set(report.SET_NAMES)
    assert gate.regressions(floors, test_part_results) == []


def test_a_lower_figure_is_a_regression() -> None:
    floors = {"ucdp-syria": {"toll": 0.8, "not_english": 0.5}}
    ok = {"ucdp-syria": {"test": {"toll": 0.795, "not_english": 0.0}}}
    low = {"ucdp-syria": {"test": {"toll": 0.78}}}
    assert gate.regressions(floors, ok) == []
    assert gate.regressions(floors, low) == ["ucdp-syria toll: 0.78 < floor 0.8 (tolerance 0.01)"]
    assert gate.regressions(floors, {}) == ["ucdp-syria: not measured"]


def test_the_split_is_fixed_by_id_and_halves_the_data() -> None:
    ids = [str(n) for n in range(2000)]
    parts = [part_of(i) for i in ids]
    assert parts == [part_of(i) for i in ids]
    assert 900 < parts.count("test") < 1100
