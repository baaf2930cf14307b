"""Incidents in one article: ACLED type, place, date, actors, tolls and evidence sentences.

The package, one module a question:

- ``model``: what an incident is (event types, the record, its id);
- ``triggers``: which sentences report one, of what type (rules in
  ``pipeline/data/incident_rules.yaml``);
- ``where`` / ``who``: its place, its actors;
- ``grouping``: which sentences tell the same incident (clauses, references back, headlines);
- ``reading``: the orchestration, :func:`extract`.

Tolls and dates come from ``pipeline.tagging.tolls`` and ``pipeline.tagging.dates``.
"""

from pipeline.tagging.incident.model import (
    BATTLES,
    EVENT_TYPES,
    EXPLOSIONS,
    PROTESTS,
    RIOTS,
    STRATEGIC,
    VAC,
    Incident,
    incident_id_for,
    resolve_window,
)
from pipeline.tagging.incident.reading import extract
from pipeline.tagging.incident.triggers import Trigger, classify

__all__ = [
    "BATTLES",
    "EVENT_TYPES",
    "EXPLOSIONS",
    "PROTESTS",
    "RIOTS",
    "STRATEGIC",
    "VAC",
    "Incident",
    "Trigger",
    "classify",
    "extract",
    "incident_id_for",
    "resolve_window",
]
