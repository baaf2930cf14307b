"""Minimal stages: the walking skeleton's clean (bare trafilatura), and pass-throughs.

They keep the pipeline runnable end to end while a fuller stage is not configured; each does real
work, just the least of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import trafilatura

from pipeline.envelope import CleanedContent, DedupInfo, Envelope, Stage, Tags
from pipeline.stages.base import StatelessStage


class BareExtractionClean(StatelessStage):
    """raw -> cleaned with trafilatura's main-text extraction and nothing else."""

    name = "clean"

    def process(self, envelope: Envelope) -> Sequence[Envelope]:
        body = envelope.raw.body or ""
        text = trafilatura.extract(body, fast=True) if body.lstrip().startswith("<") else body
        if not text and envelope.feed is not None:
            text = envelope.feed.content or envelope.feed.summary or ""
        text = text or ""
        title = envelope.feed.title if envelope.feed is not None else None
        cleaned = CleanedContent(
            title=title,
            text=text,
            canonical_url=envelope.url,
            word_count=len(text.split()),
            quality="article" if len(text.split()) >= 50 else "too_short",
        )
        return [envelope.advance(Stage.CLEANED, cleaned=cleaned)]


class PassThroughDeduplicate(StatelessStage):
    """cleaned -> deduplicated, marking nothing; each article is its own story."""

    name = "deduplicate"

    def process(self, envelope: Envelope) -> Sequence[Envelope]:
        text = envelope.cleaned.text if envelope.cleaned else ""
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
        return [
            envelope.advance(Stage.DEDUPLICATED, dedup=DedupInfo(content_hash=digest, story_id=envelope.id))
        ]


class PassThroughTag(StatelessStage):
    """deduplicated -> tagged with no tags."""

    name = "tag"

    def process(self, envelope: Envelope) -> Sequence[Envelope]:
        return [envelope.advance(Stage.TAGGED, tags=Tags())]


class Identity(StatelessStage):
    """For the sink: the envelope is written as it is."""

    name = "index"

    def process(self, envelope: Envelope) -> Sequence[Envelope]:
        return [envelope]
