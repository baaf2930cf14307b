"""The evaluation gate: test-part figures may not fall below the committed floors.

``eval/baseline.json`` holds, per set, the test-part figures measured when it was last written
(``python -m pipeline.evaluation --write-baseline``). A figure lower than its floor by more than
:data:`TOLERANCE` is a regression; a higher one is fine (write the baseline again to raise the
floor). Figures that describe the data rather than the tagger are not gated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TOLERANCE = 0.01
NOT_GATED = frozenset({"not_english"})


def load_floors(path: Path) -> dict[str, dict[str, float]]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("part") != "test":
        raise ValueError(f"{path}: floors must come from the test part")
    floors: dict[str, dict[str, float]] = data["floors"]
    return floors


def regressions(
    floors: dict[str, dict[str, float]], results: dict[str, dict[str, dict[str, Any]]]
) -> list[str]:
    """One line per figure below its floor (a set or figure missing from the results counts)."""
    found = []
    for name, figures in floors.items():
        measured = results.get(name, {}).get("test")
        if measured is None:
            found.append(f"{name}: not measured")
            continue
        for figure, floor in figures.items():
            if figure in NOT_GATED:
                continue
            value = measured.get(figure)
            if value is None or value < floor - TOLERANCE:
                found.append(f"{name} {figure}: {value} < floor {floor} (tolerance {TOLERANCE})")
    return found
