"""Towns and cities often named in conflict reporting resolve in their country
(tests/fixtures/conflict_cities.tsv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.tagging.places import gazetteer

CITIES = Path(__file__).resolve().parents[1] / "fixtures" / "conflict_cities.tsv"
# Names shared by two well-known places: with no country named the larger one is taken.
AMBIGUOUS = {"Tripoli", "Bor", "Faizabad", "Palma"}


def _cities() -> list[tuple[str, str]]:
    rows = []
    for line in CITIES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, country = line.split("\t")
            rows.append((name, country))
    return rows


def test_the_list_is_long_enough_to_mean_something() -> None:
    assert len(_cities()) >= 190


@pytest.mark.parametrize(("name", "country"), _cities())
def test_a_conflict_town_resolves_in_its_country(name: str, country: str) -> None:
    resolved = gazetteer().resolve(name, [country])
    assert resolved is not None and resolved.place.country == country
    if name not in AMBIGUOUS:
        alone = gazetteer().resolve(name, [])
        assert alone is None or alone.place.country == country
