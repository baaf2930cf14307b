"""The tag stage: entities, armed actors, places and incidents for each article.

Input text is the cleaned article (title and text), falling back to the feed entry when the clean
stage left nothing. Incidents are fused across articles through an
:class:`~pipeline.tagging.fusion.IncidentStore`; staged incident changes are flushed only in
:meth:`TagStage.after_batch_written`. The default store is in memory (one process, lost on exit);
:meth:`TagStage.from_settings` uses the Elasticsearch-backed store in ``<prefix>-incident-state``,
which several tag processes share and which survives restarts, and the ``tag`` settings (spaCy
model, extra actor files, gazetteer floors, cache directory); ``TagStage()`` uses their defaults.
Gazetteers (with the small-town index) and spaCy load once per process, when the first stage is
built, not on the first articles. Titles beyond ``MAX_TITLE_CHARS`` and texts beyond
``MAX_TEXT_CHARS`` are cut, so one broken page cannot stall the stage.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from pipeline.envelope import Envelope, Stage, Tags
from pipeline.errors import InvalidInput
from pipeline.settings import Settings
from pipeline.tagging.fusion import IncidentStore
from pipeline.tagging.options import TagOptions
from pipeline.tagging.tagger import Tagger

log = logging.getLogger(__name__)
MAX_TEXT_CHARS = 200_000
# Variables the tag settings replaced: still set, they would be silently ignored.
RETIRED_VARIABLES = {
    "NEWS_TAG_SPACY_MODEL": "NEWS_TAG__SPACY_MODEL",
    "NEWS_TAG_ACTORS_EXTRA": "NEWS_TAG__ACTORS_EXTRA",
    "NEWS_TAG_GAZETTEER_MIN_POPULATION": "NEWS_TAG__GAZETTEER_MIN_POPULATION",
    "NEWS_TAG_GAZETTEER_SMALL_TOWNS": "NEWS_TAG__GAZETTEER_SMALL_TOWNS",
    "NEWS_TAG_CACHE_DIR": "NEWS_TAG__CACHE_DIR",
}
# A headline is a line; anything longer is a broken page, and tagging it would cost dearly.
MAX_TITLE_CHARS = 1_000


def _report_fields(envelope: Envelope) -> dict[str, Any]:
    """What each incident report carries of its article: the exact times fusion orders reports by
    (UTC ISO: published, when the article or its feed entry says so with a time zone, and first
    seen), and the article's address, so an incident links to every report of it."""
    when: datetime | None = None
    if envelope.cleaned is not None and envelope.cleaned.published is not None:
        when = envelope.cleaned.published
    elif envelope.feed is not None and envelope.feed.published is not None:
        when = envelope.feed.published
    times: dict[str, Any] = {
        "first_seen": envelope.first_seen.astimezone(UTC).isoformat(),
        "url": envelope.url,
    }
    if when is not None and when.tzinfo is not None:
        times["published_at"] = when.astimezone(UTC).isoformat()
    return times


def _published(envelope: Envelope) -> date:
    when: datetime | None = None
    if envelope.cleaned is not None and envelope.cleaned.published is not None:
        when = envelope.cleaned.published
    elif envelope.feed is not None and envelope.feed.published is not None:
        when = envelope.feed.published
    else:
        when = envelope.first_seen
    return when.date()


def _text(envelope: Envelope) -> tuple[str | None, str]:
    cleaned = envelope.cleaned
    if cleaned is not None and (cleaned.text or cleaned.title):
        return cleaned.title, cleaned.text
    feed = envelope.feed
    if feed is None:
        return (cleaned.title if cleaned else None), ""
    body = feed.content or feed.summary or ""
    return feed.title, body


def _source(envelope: Envelope) -> str | None:
    if envelope.cleaned is not None and envelope.cleaned.site_name:
        return envelope.cleaned.site_name
    url = envelope.url or (envelope.raw.final_url if envelope.raw else None)
    if url:
        host = urlsplit(url).hostname
        if host:
            return host.removeprefix("www.")
    return envelope.source or None


class TagStage:
    name = "tag"

    def __init__(self, store: IncidentStore | None = None, options: TagOptions | None = None) -> None:
        self.tagger = Tagger(store, options)
        # Articles processed since the last written batch: the only ones discard_staged touches.
        self._batch_articles: set[str] = set()

    @classmethod
    def from_settings(cls, settings: Settings) -> TagStage:
        """A stage fusing through the shared Elasticsearch incident state, its resources built
        as the ``tag`` settings say."""
        from pipeline.tagging.es_store import ElasticsearchIncidentStore

        retired = [f"{old} (now {new})" for old, new in RETIRED_VARIABLES.items() if old in os.environ]
        if retired:
            raise ValueError(f"tag: retired variables are set: {', '.join(retired)}")
        return cls(
            ElasticsearchIncidentStore.from_settings(settings.elasticsearch),
            TagOptions.from_settings(settings.tag),
        )

    @property
    def store(self) -> IncidentStore:
        return self.tagger.store

    def process(self, envelope: Envelope) -> Sequence[Envelope]:
        self._batch_articles.add(envelope.id)
        title, text = _text(envelope)
        if not isinstance(text, str) or (title is not None and not isinstance(title, str)):
            raise InvalidInput("article text is not a string")
        if "\x00" in text:
            text = text.replace("\x00", " ")
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS]
        if title is not None:
            if "\x00" in title:
                title = title.replace("\x00", " ")
            if len(title) > MAX_TITLE_CHARS:
                title = title[:MAX_TITLE_CHARS]
        if not text.strip() and not (title or "").strip():
            return [envelope.advance(Stage.TAGGED, tags=Tags())]
        result = self.tagger.tag(
            title, text, _published(envelope), envelope.id, source=_source(envelope),
            report_fields=_report_fields(envelope),
        )
        tags = Tags(
            persons=tuple(result.persons),
            organizations=tuple(result.organizations),
            places=tuple(result.places),
            actors=tuple(result.actors),
            incident_ids=tuple(result.incident_ids),
            incidents=tuple(incident.to_dict() for incident in result.incidents),
        )
        return [envelope.advance(Stage.TAGGED, tags=tags)]

    def discard_staged(self, envelope_ids: Sequence[str]) -> None:
        """Withdraw the reports of the batch's articles that went to the dead-letter topic. (An
        article processed again in this batch and dead-lettered is withdrawn whole: its earlier,
        durable report goes with it.)"""
        self.store.discard([i for i in envelope_ids if i in self._batch_articles])

    def after_batch_written(self) -> None:
        self._batch_articles.clear()
        self.store.flush()
