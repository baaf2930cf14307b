"""What the tag stage's resources are built from: the ``tag`` section of the settings.

:class:`TagOptions` is the plain, hashable form of :class:`pipeline.settings.TagSettings` that
the tagging modules take (the process-wide recogniser, catalogue and gazetteer are cached per
options). ``TagOptions()`` gives the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.settings import TagSettings

DEFAULT_SPACY_MODEL = "en_core_web_sm"
DEFAULT_MIN_POPULATION = 5000
DEFAULT_SMALL_TOWNS = 1000


@dataclass(frozen=True, slots=True)
class TagOptions:
    spacy_model: str | None = DEFAULT_SPACY_MODEL
    actors_extra: tuple[str, ...] = ()
    gazetteer_min_population: int = DEFAULT_MIN_POPULATION
    gazetteer_small_towns: int = DEFAULT_SMALL_TOWNS
    cache_dir: str | None = None

    @classmethod
    def from_settings(cls, settings: TagSettings) -> TagOptions:
        return cls(
            spacy_model=settings.spacy_model,
            actors_extra=tuple(settings.actors_extra),
            gazetteer_min_population=settings.gazetteer_min_population,
            gazetteer_small_towns=settings.gazetteer_small_towns,
            cache_dir=settings.cache_dir,
        )
