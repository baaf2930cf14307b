"""Article identity: the canonical form of an article's URL, from which its id is derived.

Two URLs name the same article when they differ only in what says how a reader got there, never
in what says which page it is. So the canonical form:

* lower-cases the scheme and host, decodes punycode, drops the default port and normalises the
  path's percent-encoding (courlan's normaliser, given the URL without its query);
* drops the fragment;
* removes the query parameters on the tracking deny-list (``pipeline/data/tracking_parameters.yaml``:
  ``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ``ref``, ``share``...), matched case-insensitively;
* keeps **every other parameter**, including those without a value (``?print``), sorted by name
  (the values of a repeated name keep their order), re-encoded one way.

``news.php?newsid=77`` and ``news.php?newsid=78`` are therefore two articles, and
``story.aspx?storyid=5&utm_source=rss`` is ``story.aspx?storyid=5``. :func:`strip_tracking` gives
the address to fetch: the same rules, but the kept parameters stay as they were, in their order.

The deny-list is data, validated when loaded. Settings (``identity`` section, see
:class:`pipeline.settings.IdentitySettings`) can replace it with another file, add names or
``prefix*`` patterns, or keep names that a site uses for content. Every process that computes ids
(connectors, backfill) must use the same rules, or one article gets two ids.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import SplitResult, quote_plus, unquote_plus, urlsplit, urlunsplit

import courlan
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.settings import IdentitySettings, load_settings

BUNDLED = "tracking_parameters.yaml"
_NAME = re.compile(r"^[a-z0-9_.\-\[\]]+$")
_MIN_PREFIX = 3


class TrackingList(BaseModel):
    """The deny-list file: exact names and name prefixes, all lower case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(1, ge=1)
    names: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()

    @field_validator("names", "prefixes")
    @classmethod
    def _valid_names(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for value in values:
            if value != value.lower() or not _NAME.match(value):
                raise ValueError(f"{value!r}: a parameter name is lower case [a-z0-9_.-[]]")
            if value in seen:
                raise ValueError(f"{value!r} is listed twice")
            seen.add(value)
        return values

    @field_validator("prefixes")
    @classmethod
    def _long_enough(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if len(value) < _MIN_PREFIX:
                raise ValueError(f"prefix {value!r} is shorter than {_MIN_PREFIX} characters")
        return values


@dataclass(frozen=True)
class TrackingRules:
    """Which query parameters are tracking. ``keep`` wins over ``names`` and ``prefixes``."""

    names: frozenset[str]
    prefixes: tuple[str, ...]
    keep: frozenset[str] = frozenset()

    def is_tracking(self, name: str) -> bool:
        key = name.strip().lower()
        if key in self.keep:
            return False
        return key in self.names or key.startswith(self.prefixes)

    @classmethod
    def from_list(cls, listed: TrackingList) -> TrackingRules:
        return cls(frozenset(listed.names), listed.prefixes)

    @classmethod
    def from_settings(cls, settings: IdentitySettings) -> TrackingRules:
        base = load_list(Path(settings.tracking_parameters_file)) if settings.tracking_parameters_file \
            else bundled_list()
        extra_names = [e.lower() for e in settings.tracking_parameters_extra if not e.endswith("*")]
        extra_prefixes = [e[:-1].lower() for e in settings.tracking_parameters_extra if e.endswith("*")]
        merged = TrackingList(
            names=tuple(dict.fromkeys([*base.names, *extra_names])),
            prefixes=tuple(dict.fromkeys([*base.prefixes, *extra_prefixes])),
        )
        keep = frozenset(k.strip().lower() for k in settings.tracking_parameters_keep)
        return cls(frozenset(merged.names), merged.prefixes, keep)


def parse_list(text: str, where: str) -> TrackingList:
    """Validate a deny-list document; a ValueError names the file and the problem."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a mapping with 'names' and 'prefixes'")
    try:
        return TrackingList.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(p) for p in first.get("loc", ()))
        raise ValueError(f"{where}: {place}: {first.get('msg')}") from exc


def load_list(path: Path) -> TrackingList:
    return parse_list(path.read_text(encoding="utf-8"), str(path))


@functools.cache
def bundled_list() -> TrackingList:
    text = resources.files("pipeline.data").joinpath(BUNDLED).read_text(encoding="utf-8")
    return parse_list(text, f"pipeline/data/{BUNDLED}")


@functools.cache
def default_rules() -> TrackingRules:
    """The rules of this process, from its settings (read once)."""
    return TrackingRules.from_settings(load_settings().identity)


def _query_pairs(query: str) -> list[tuple[str, str | None]]:
    """(name, value) pairs of a query string, decoded; ``None`` for a parameter without ``=``."""
    pairs: list[tuple[str, str | None]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, equals, value = piece.partition("=")
        pairs.append((unquote_plus(name), unquote_plus(value) if equals else None))
    return pairs


def _encode(pairs: list[tuple[str, str | None]]) -> str:
    return "&".join(
        quote_plus(name) if value is None else f"{quote_plus(name)}={quote_plus(value)}"
        for name, value in pairs
    )


def clean_query(query: str, rules: TrackingRules, sort: bool = True) -> str:
    """``query`` without tracking parameters. With ``sort`` (the canonical form) the rest is
    decoded, sorted by name and re-encoded one way; without, the rest is kept byte for byte in
    its order (the address to fetch: a server may read ``;`` or ``%2C`` its own way)."""
    if not sort:
        pieces = query.split("&")
        return "&".join(p for p in pieces if p and not rules.is_tracking(unquote_plus(p.partition("=")[0])))
    kept = [(name, value) for name, value in _query_pairs(query) if not rules.is_tracking(name)]
    kept.sort(key=lambda pair: pair[0])  # stable: a repeated name keeps its values' order
    return _encode(kept)


def _normalise(url: str, rules: TrackingRules | None, sort: bool) -> str:
    # Only the escaped ampersand of feed and HTML attribute text is undone: a full HTML unescape
    # would read "&reg=eu" or "&copy=1" as the entities ® and ©.
    parts = urlsplit(url.strip().replace("&amp;", "&").replace("&#38;", "&"))
    base = courlan.normalize_url(
        SplitResult(parts.scheme, parts.netloc, parts.path, "", ""), strict=True
    )
    query = clean_query(parts.query, rules or default_rules(), sort=sort)
    if not query:
        return base
    normalised = urlsplit(base)
    return urlunsplit(normalised._replace(path=normalised.path or "/", query=query))


def canonical_url(url: str, rules: TrackingRules | None = None) -> str:
    """The article's canonical URL: the basis of its id (see the module docstring)."""
    return _normalise(url, rules, sort=True)


def strip_tracking(url: str, rules: TrackingRules | None = None) -> str:
    """``url`` normalised the same way but with its parameters in their original order: the
    address to fetch. Unparseable input is returned trimmed."""
    try:
        return _normalise(url, rules, sort=False)
    except (ValueError, AttributeError):
        return url.strip()
