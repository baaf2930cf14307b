"""The deduplicate stage: cleaned article -> the same article with its dedup decision.

Nothing is dropped: duplicates are written downstream marked (``duplicate_of``, kind,
similarity) so the index can count syndication. The decision rules live in
:mod:`pipeline.dedup.deduplicator`; the state (in memory, or shared in Elasticsearch) is
committed in :meth:`after_batch_written`, i.e. only once the runner has had every output of the
batch acknowledged and before it commits the Kafka offsets.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from pipeline.dedup.deduplicator import DEFAULT_WINDOW_S, Deduplicator
from pipeline.dedup.state import DedupState, MemoryState
from pipeline.envelope import DedupInfo, Envelope, Stage
from pipeline.errors import InvalidInput
from pipeline.settings import Settings


class DeduplicateStage:
    name = "deduplicate"

    def __init__(
        self,
        state: DedupState | None = None,
        near_threshold: float | None = None,
        story_threshold: float | None = None,
        window_s: float = DEFAULT_WINDOW_S,
        expire_every_s: float = 3600.0,
    ) -> None:
        options: dict[str, float] = {"window_s": window_s}
        if near_threshold is not None:
            options["near_threshold"] = near_threshold
        if story_threshold is not None:
            options["story_threshold"] = story_threshold
        self.state: DedupState = state if state is not None else MemoryState()
        self.deduplicator = Deduplicator(self.state, **options)
        self.window_s = window_s
        self.expire_every_s = expire_every_s
        self._last_expiry = time.monotonic()
        self._latest_seen = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> DeduplicateStage:
        """The stage on the shared Elasticsearch state (``<prefix>-dedup-claims`` and
        ``<prefix>-dedup-records``): several workers agree, and a restart forgets nothing."""
        from pipeline.dedup.es_state import ElasticsearchDedupState

        return cls(state=ElasticsearchDedupState.from_settings(settings.elasticsearch))

    def process(self, envelope: Envelope) -> Sequence[Envelope]:
        if envelope.cleaned is None:
            raise InvalidInput("deduplicate needs the clean stage's output (cleaned is missing)")
        text = envelope.cleaned.text
        if envelope.cleaned.title:
            text = envelope.cleaned.title + "\n" + text
        first_seen = envelope.first_seen.timestamp()
        self._latest_seen = max(self._latest_seen, first_seen)
        decision = self.deduplicator.check(envelope.id, first_seen, text, envelope.revision)
        info = DedupInfo(
            content_hash=decision.content_hash,
            duplicate_of=decision.duplicate_of,
            duplicate_kind=decision.duplicate_kind,
            similarity=decision.similarity,
            story_id=decision.story_id,
            is_update=decision.is_update,
        )
        return [envelope.advance(Stage.DEDUPLICATED, dedup=info)]

    def after_batch_written(self) -> None:
        self.state.commit()
        if time.monotonic() - self._last_expiry >= self.expire_every_s and self._latest_seen:
            # The window follows the stream's own clock (first_seen), not the wall clock, so a
            # replay of old data is deduplicated as it was the first time.
            self.state.expire(self._latest_seen - self.window_s)
            self._last_expiry = time.monotonic()
