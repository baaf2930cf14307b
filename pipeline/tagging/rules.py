"""Incident trigger rules, kept as data in ``pipeline/data/incident_rules.yaml``.

The file is validated when it is loaded: every event type is one of ACLED's six, every pattern
compiles, every rule has cue words (lower case) and patterns, and ``{name}`` placeholders name a
vocabulary of the file. A broken file stops the tag stage at start-up, never on an article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

EventType = Literal[
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
]
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    event_type: EventType
    sub_event_type: str = Field(min_length=1)
    priority: int = Field(ge=1, le=100)
    cues: tuple[str, ...] = Field(min_length=1)
    patterns: tuple[str, ...] = Field(min_length=1)
    # A match names an event only in a sentence that says it is violence (the `conflict`
    # vocabulary): "Six dead in Bangui" names no cause, "Six soldiers dead" does.
    needs_context: bool = False

    @field_validator("cues")
    @classmethod
    def _lower_case(cls, cues: tuple[str, ...]) -> tuple[str, ...]:
        for cue in cues:
            if not cue or cue != cue.lower():
                raise ValueError(f"cue {cue!r} must be non-empty lower-case text")
        return cues


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    vocabularies: dict[str, str] = Field(default_factory=dict)
    rules: tuple[RuleSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _patterns_compile(self) -> RuleFile:
        names = [rule.name for rule in self.rules]
        if len(set(names)) != len(names):
            raise ValueError("rule names must be unique")
        for rule in self.rules:
            for pattern in rule.patterns:
                try:
                    re.compile(expand(pattern, self.vocabularies))
                except (re.error, KeyError) as exc:
                    raise ValueError(f"rule {rule.name!r}: pattern {pattern!r}: {exc}") from exc
        return self


# A class that stops at a full stop (``[^.]``, ``[^.;]``) keeps a match inside its clause; the
# dots of abbreviations ("U.N. base", "C.African Republic capital") end no clause, so such a
# class lets through a dot that a letter, or a space and a lower-case word, follows.
_STOP_CLASS = re.compile(r"\[\^\.((?:\\.|[^\]])*)\]")
_ABBREVIATION_DOT = r"\.(?=\w|\s+(?-i:[a-z]))"


def expand(pattern: str, vocabularies: dict[str, str]) -> str:
    """``{security}`` -> the vocabulary's alternatives (repetition counts like ``{0,50}`` stay);
    ``[^.]`` classes let abbreviation dots through."""
    expanded = _PLACEHOLDER.sub(lambda m: vocabularies[m.group(1)], pattern)
    return _STOP_CLASS.sub(lambda m: f"(?:{_ABBREVIATION_DOT}|[^.{m.group(1)}])", expanded)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    event_type: str
    sub_event_type: str
    priority: int
    cues: tuple[str, ...]
    needs_context: bool = False


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    vocabularies: dict[str, str]


def parse(text: str, origin: str = "incident rules") -> RuleSet:
    try:
        spec = RuleFile.model_validate(yaml.safe_load(text))
    except ValueError as exc:
        raise ValueError(f"{origin}: {exc}") from exc
    rules = tuple(
        Rule(
            rule.name,
            re.compile("|".join(expand(p, spec.vocabularies) for p in rule.patterns), re.I),
            rule.event_type,
            rule.sub_event_type,
            rule.priority,
            rule.cues,
            rule.needs_context,
        )
        for rule in spec.rules
    )
    return RuleSet(rules, dict(spec.vocabularies))


@lru_cache(maxsize=1)
def trigger_rules() -> RuleSet:
    """The packaged rules (in file order) and their vocabularies."""
    text = resources.files("pipeline.data").joinpath("incident_rules.yaml").read_text("utf-8")
    return parse(text, "pipeline/data/incident_rules.yaml")


def event_words() -> frozenset[str]:
    """The plain words of the rules' vocabularies and cues ("soldiers", "mosque", "clash"): words
    for parties, targets and events, which a headline in title case capitalises but which name
    nothing."""
    rules = trigger_rules()
    vocabularies = [text for name, text in rules.vocabularies.items() if name != "nationals"]
    texts = [*vocabularies, *(cue for rule in rules.rules for cue in rule.cues)]
    return frozenset(word for text in texts for word in re.findall(r"[a-z]{3,}", text))
