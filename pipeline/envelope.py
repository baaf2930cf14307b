"""The one record that travels on every topic: an article and what the stages learned about it.

An :class:`Envelope` is frozen and versioned. Each stage returns a copy with its own section filled
in (``cleaned``, ``dedup``, ``tags``) and ``stage`` advanced, so a record read from any topic says
how far it got. The envelope's ``id`` is derived from the article's canonical URL
(:func:`pipeline.identity.canonical_url`: tracking parameters and fragment removed, every other
parameter kept and sorted; or, without a URL, from the feed's entry id) and is the Kafka key and
the Elasticsearch ``_id``: replays overwrite instead of duplicating, and every version of an
article lands on the same partition.

Serialisation is explicit: :func:`encode` gives compact JSON bytes, :func:`decode` validates them
and raises :class:`~pipeline.errors.InvalidInput` for anything that is not a current envelope.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import InvalidInput
from pipeline.identity import canonical_url

SCHEMA_VERSION: Literal[1] = 1


class Stage(StrEnum):
    """How far an envelope has travelled; each topic carries one stage."""

    RAW = "raw"
    CLEANED = "cleaned"
    DEDUPLICATED = "deduplicated"
    TAGGED = "tagged"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FeedEntry(Frozen):
    """What the feed itself said about the entry (kept even when the page is fetched)."""

    feed_url: str
    entry_id: str = Field(description="stable entry id: GUID with fallbacks, hashed")
    title: str | None = None
    summary: str | None = None
    content: str | None = None
    published: AwareDatetime | None = None
    updated: AwareDatetime | None = None
    authors: tuple[str, ...] = ()


class RawContent(Frozen):
    """The fetched page, as the connector received it."""

    body: str | None = Field(None, description="decoded page body (HTML or text)")
    content_type: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    body_source: Literal["page", "feed"] = Field(
        "page", description="'feed' when the page could not be fetched and the feed text is used"
    )
    fetch_error: str | None = None


class CleanedContent(Frozen):
    """What the clean stage extracted."""

    title: str | None = None
    text: str = ""
    authors: tuple[str, ...] = ()
    site_name: str | None = None
    canonical_url: str | None = None
    language: str | None = Field(None, description="the text's language (ISO 639-1 where it has one)")
    language_declared: str | None = Field(None, description="the language the page declared")
    language_source: Literal["text", "declared", "stopwords"] | None = Field(
        None, description="what decided `language`"
    )
    published: AwareDatetime | None = None
    modified: AwareDatetime | None = None
    date_source: str | None = Field(None, description="which rule gave `published`")
    word_count: int = 0
    quality: Literal["article", "too_short", "not_article", "extraction_timeout"] = "article"
    quality_reason: str | None = Field(None, description="why quality is not 'article'")
    boilerplate_removed: int = Field(0, description="lines removed as site boilerplate")


class DedupInfo(Frozen):
    """What the deduplicate stage decided."""

    content_hash: str
    duplicate_of: str | None = None
    duplicate_kind: Literal["exact", "near"] | None = None
    similarity: float | None = None
    story_id: str
    is_update: bool = False


class Tags(Frozen):
    """What the tag stage found. Entities and incidents are plain JSON-ready structures whose
    shapes are documented in docs/schema.md."""

    persons: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    places: tuple[dict[str, Any], ...] = ()
    actors: tuple[str, ...] = ()
    incident_ids: tuple[str, ...] = ()
    incidents: tuple[dict[str, Any], ...] = ()


class Envelope(Frozen):
    schema_version: Literal[1] = SCHEMA_VERSION
    id: str
    stage: Stage = Stage.RAW
    url: str | None = None
    source: str = Field(description="where it came from: the feed URL, or 'backfill', 'web'")
    first_seen: AwareDatetime
    revision: int = Field(0, description="0 for a new entry; higher for re-published updates")
    feed: FeedEntry | None = None
    raw: RawContent = RawContent()
    cleaned: CleanedContent | None = None
    dedup: DedupInfo | None = None
    tags: Tags | None = None

    def advance(self, stage: Stage, **sections: Any) -> Envelope:
        """A copy at ``stage`` with the given sections replaced."""
        return self.model_copy(update={"stage": stage, **sections})


def article_id(url: str | None = None, entry_id: str | None = None) -> str:
    """Stable id: from the canonical URL when there is one, else from the feed entry id."""
    if url:
        basis = "url:" + canonical_url(url)
    elif entry_id:
        basis = "entry:" + entry_id
    else:
        raise InvalidInput("an article needs a URL or a feed entry id to be identified")
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def encode(envelope: Envelope) -> bytes:
    return envelope.model_dump_json(exclude_none=True).encode("utf-8")


def decode(data: bytes | None) -> Envelope:
    """Validate bytes from a topic; raise InvalidInput (never another error) if they are not an
    envelope of the current schema version."""
    if data is None:
        raise InvalidInput("empty message (tombstone) on a data topic")
    try:
        return Envelope.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "message"
        raise InvalidInput(f"not a valid envelope: {where}: {first.get('msg')}") from exc
