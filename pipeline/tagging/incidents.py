"""The incident package's public names under their former module (``pipeline.tagging.incident``
is where the code lives)."""

from pipeline.tagging.incident import (
    BATTLES,
    EVENT_TYPES,
    EXPLOSIONS,
    PROTESTS,
    RIOTS,
    STRATEGIC,
    VAC,
    Incident,
    Trigger,
    classify,
    extract,
    incident_id_for,
    resolve_window,
)

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
