"""The deduplicate stage: cleaned article -> the same article with its dedup decision.

Nothing is dropped: duplicates are written downstream marked (``duplicate_of``, kind,
similarity) so the index can count syndication. The decision rules live in
:mod:`pipeline.dedup.deduplicator`; the state (in memory, or shared in Elasticsearch) is
committed in :meth:`after_batch_written`, i.e. only once the runner has had every output of the
batch acknowledged and before it commits the Kafka offsets.

:meth:`prepare_batch` decides a polled batch at once (``Deduplicator.check_batch``: signatures
for the batch in one pass, and with the shared state the records, claims and owners of the whole
batch in a few bulk requests instead of several round trips per article). :meth:`process` then
hands out the decision prepared for its envelope; an envelope nothing was prepared for (or a
stage used without ``prepare_batch``) is decided on its own, with the same result.

The time window follows the stream's own clock (the latest ``first_seen``), so a replay of old
data is deduplicated as it was the first time. A ``first_seen`` later than the wall clock plus
``future_slack_s`` (a broken feed date, year 9999) is taken as that bound, both for the stream
clock and for the article's place in the window: one such record would otherwise move the clock
so far ahead that expiry deletes the whole state, and would itself never expire.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from pipeline.dedup.deduplicator import DEFAULT_WINDOW_S, Decision, Deduplicator
from pipeline.dedup.state import DedupState, MemoryState
from pipeline.dedup.stories import DEFAULT_SKETCH_COSINE
from pipeline.dedup.story_words import StoryWords
from pipeline.envelope import DedupInfo, Envelope, Stage
from pipeline.errors import InvalidInput, RetriableError, convert
from pipeline.settings import Settings

log = logging.getLogger(__name__)

# What a prepared decision was computed from: id, revision, first_seen, text.
_Key = tuple[str, int, float, str]
# How far ahead of the wall clock a first_seen may be (clock skew, time zones) before it is
# taken as this bound.
FUTURE_SLACK_S = 86_400.0


class DeduplicateStage:
    name = "deduplicate"

    def __init__(
        self,
        state: DedupState | None = None,
        near_threshold: float | None = None,
        story_threshold: float | None = None,
        window_s: float = DEFAULT_WINDOW_S,
        expire_every_s: float = 3600.0,
        future_slack_s: float = FUTURE_SLACK_S,
        clock: Callable[[], float] = time.time,
        story_cosine: float | None = DEFAULT_SKETCH_COSINE,
        story_words: StoryWords | None = None,
    ) -> None:
        """``story_cosine``: the story layer's threshold, None turns the layer off;
        ``story_words``: its background word frequencies (default: the bundled ones)."""
        options: dict[str, float] = {"window_s": window_s}
        if near_threshold is not None:
            options["near_threshold"] = near_threshold
        if story_threshold is not None:
            options["story_threshold"] = story_threshold
        self.state: DedupState = state if state is not None else MemoryState()
        self.deduplicator = Deduplicator(
            self.state, story_cosine=story_cosine, story_words=story_words, **options
        )
        self.window_s = window_s
        self.expire_every_s = expire_every_s
        self.future_slack_s = future_slack_s
        self._clock = clock
        self._last_expiry = time.monotonic()
        self._latest_seen = 0.0
        self._prepared: dict[_Key, list[Decision]] = {}
        self._prepared_ceiling = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> DeduplicateStage:
        """The stage on the shared Elasticsearch state (``<prefix>-dedup-claims`` and
        ``<prefix>-dedup-records``): several workers agree, and a restart forgets nothing."""
        from pipeline.dedup.es_state import ElasticsearchDedupState

        return cls(state=ElasticsearchDedupState.from_settings(settings.elasticsearch))

    def prepare_batch(self, envelopes: Sequence[Envelope]) -> None:
        """Decide the batch's articles at once, in order; :meth:`process` hands the decisions
        out. A failure of the shared state that may pass is raised as ``RetriableError`` (the
        runner retries; claims and records already written are idempotent); any other failure
        leaves nothing prepared, and each envelope is then decided by :meth:`process`."""
        self._prepared.clear()
        keys = [key for key in map(_key, envelopes) if key is not None]
        if not keys:
            return
        ceiling = self._prepared_ceiling = self._ceiling()
        try:
            decisions = self.deduplicator.check_batch(
                [
                    (doc_id, min(seen, ceiling), text, revision)
                    for doc_id, revision, seen, text in keys
                ]
            )
        except Exception as exc:
            error = convert(exc)
            if isinstance(error, RetriableError):
                raise type(error)(f"deduplicate: batch of {len(keys)}: {error}") from exc
            log.warning("deduplicate: batch of %d not prepared, one by one: %s", len(keys), exc)
            return
        for key, decision in zip(keys, decisions, strict=True):
            self._prepared.setdefault(key, []).append(decision)

    def process(self, envelope: Envelope) -> Sequence[Envelope]:
        key = _key(envelope)
        if key is None:
            raise InvalidInput("deduplicate needs the clean stage's output (cleaned is missing)")
        doc_id, revision, first_seen, text = key
        prepared = self._prepared.get(key)
        if prepared:
            decision = prepared.pop(0)
            first_seen = min(first_seen, self._prepared_ceiling)
        else:
            first_seen = min(first_seen, self._ceiling())
            decision = self.deduplicator.check(doc_id, first_seen, text, revision)
        self._latest_seen = max(self._latest_seen, first_seen)
        info = DedupInfo(
            content_hash=decision.content_hash,
            duplicate_of=decision.duplicate_of,
            duplicate_kind=decision.duplicate_kind,
            similarity=decision.similarity,
            story_id=decision.story_id,
            is_update=decision.is_update,
        )
        return [envelope.advance(Stage.DEDUPLICATED, dedup=info)]

    def discard_staged(self, envelope_ids: Sequence[str]) -> None:
        """Forget the batch's articles that went to the dead-letter topic (see the runner)."""
        self.state.discard(envelope_ids)

    def after_batch_written(self) -> None:
        self._prepared.clear()
        self.state.commit()
        if time.monotonic() - self._last_expiry >= self.expire_every_s and self._latest_seen:
            # The window follows the stream's own clock (first_seen), not the wall clock, so a
            # replay of old data is deduplicated as it was the first time; it never runs ahead
            # of the wall clock by more than the slack.
            latest = min(self._latest_seen, self._ceiling())
            self.state.expire(latest - self.window_s)
            self._last_expiry = time.monotonic()

    def _ceiling(self) -> float:
        """The latest first_seen taken as it is: the wall clock plus the slack."""
        return self._clock() + self.future_slack_s


def _key(envelope: Envelope) -> _Key | None:
    """What the decision depends on: the article id, revision, first-seen time and the text the
    deduplicator reads (title and body); None without the clean stage's output."""
    if envelope.cleaned is None:
        return None
    text = envelope.cleaned.text
    if envelope.cleaned.title:
        text = envelope.cleaned.title + "\n" + text
    return envelope.id, envelope.revision, envelope.first_seen.timestamp(), text
