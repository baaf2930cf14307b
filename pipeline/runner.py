"""The stage runner: poll, process, write, check every write, then commit.

One loop serves every stage and the sink::

    poll a batch -> decode + stage.process each record -> output.write(all results)
      -> retry only the items that failed retriably (bounded backoff; then give up and exit
         WITHOUT committing: the supervisor restarts the process and the batch is re-read)
      -> a stage call that meets an outage (``Unavailable``: Elasticsearch or Kafka down,
         overloaded, or an index write block) waits it out for as long as it takes, keeping
         the consumer in its group, and carries on; library errors are classified once, by
         ``pipeline.errors.convert``, and never taken for bad input
      -> dead-letter what failed for good (original bytes, headers naming stage/reason/source)
      -> stage.discard_staged(ids)  (articles dead-lettered after processing, if any)
      -> stage.after_batch_written()  (stateful stages persist state only now)
      -> commit offset+1 per partition

Delivery is at-least-once; because every record's key and ``_id`` derive from its envelope id,
a re-read batch overwrites what it wrote before, so counts stay exact downstream.

Counters are per input record and always balance::

    read == written + dead_lettered + dropped

``dropped`` counts inputs for which the stage chose to write nothing. The same counts, latencies,
ages and waits go to the stage's :class:`~pipeline.observability.StageTelemetry` when it has one.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import TypeVar

from pipeline.envelope import Envelope, decode
from pipeline.errors import (
    DeadLetterStorm,
    InvalidInput,
    RecordTooLarge,
    RetriableError,
    Unavailable,
    converted,
)
from pipeline.messaging import DeadLetters, InboundRecord, InboundSource, Output, too_large_notice
from pipeline.observability import StageTelemetry, record_fields
from pipeline.settings import RunnerSettings
from pipeline.stages.base import StageFunction
from pipeline.waiting import Keepalive, backoff_delay, pause

log = logging.getLogger(__name__)
_T = TypeVar("_T")


@dataclass
class StageCounters:
    stage: str
    read: int = 0
    written: int = 0
    outputs: int = 0
    dead_lettered: int = 0
    dropped: int = 0
    batches: int = 0
    dead_letter_reasons: dict[str, int] = field(default_factory=dict)

    def balanced(self) -> bool:
        return self.read == self.written + self.dead_lettered + self.dropped

    def as_dict(self) -> dict[str, object]:
        return {
            "stage": self.stage,
            "read": self.read,
            "written": self.written,
            "outputs": self.outputs,
            "dead_lettered": self.dead_lettered,
            "dropped": self.dropped,
            "balanced": self.balanced(),
        }


@dataclass
class _Pending:
    """One input record and what the stage made of it."""

    record: InboundRecord
    envelope_id: str
    outputs: list[Envelope]
    duplicate: bool = False


class StageRunner:
    def __init__(
        self,
        stage: StageFunction,
        source: InboundSource,
        output: Output,
        dead_letters: DeadLetters,
        settings: RunnerSettings,
        batch_size: int = 100,
        poll_timeout_ms: int = 500,
        sleep: Callable[[float], None] | None = None,
        keepalive: Keepalive | None = None,
        telemetry: StageTelemetry | None = None,
    ) -> None:
        self.stage = stage
        self.source = source
        self.output = output
        self.dead_letters = dead_letters
        self.settings = settings
        self.batch_size = batch_size
        self.poll_timeout_ms = poll_timeout_ms
        self.counters = StageCounters(stage.name)
        self._sleep = sleep
        self.keepalive = keepalive
        self.telemetry = telemetry
        self._cancelled = threading.Event()
        self._stop_requested = False
        self._consecutive_dead_letters = 0

    # -- lifecycle -----------------------------------------------------------------------------

    def request_stop(self, *_: object) -> None:
        """Finish the current batch, commit, and return from run(). An output waiting for an
        unreachable destination is asked to give up, so the process exits without committing
        the batch it could not write."""
        self._stop_requested = True
        self._cancelled.set()
        cancel = getattr(self.output, "cancel", None)
        if callable(cancel):
            cancel()

    def install_signal_handlers(self) -> None:
        def handler(signum: int, frame: FrameType | None) -> None:
            log.info("%s: signal %d received; finishing the batch", self.stage.name, signum)
            self.request_stop()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def run(self, until_drained: bool = False, idle_timeout_s: float | None = None) -> StageCounters:
        """Process batches until stopped, or (``until_drained``) until the input is read to its
        end. ``idle_timeout_s`` bounds the wait for a first assignment in drained mode."""
        idle_since = time.monotonic()
        try:
            while not self._stop_requested:
                records = self.source.poll(self.batch_size, self.poll_timeout_ms)
                if self.telemetry is not None:
                    self.telemetry.turned()
                if records:
                    self.process_batch(records)
                    idle_since = time.monotonic()
                    continue
                if until_drained and self.source.drained():
                    break
                if idle_timeout_s is not None and time.monotonic() - idle_since > idle_timeout_s:
                    log.warning("%s: idle for %.0fs; stopping", self.stage.name, idle_timeout_s)
                    break
        finally:
            self.output.close()
            self.dead_letters.close()
            self.source.close()
        return self.counters

    # -- one batch -----------------------------------------------------------------------------

    def process_batch(self, records: Sequence[InboundRecord]) -> None:
        started = time.perf_counter()
        self.counters.batches += 1
        decoded: list[tuple[InboundRecord, Envelope]] = []
        for record in records:
            self.counters.read += 1
            if self.telemetry is not None:
                self.telemetry.read.inc()
            try:
                decoded.append((record, decode(record.value)))
            except InvalidInput as exc:  # undecodable bytes, schema violations
                self._dead_letter(record, str(exc), record.value)
        self._prepare_with_retries([envelope for _, envelope in decoded])

        pending: list[_Pending] = []
        # Articles processed but not written: what the stage staged for them must not persist.
        discarded: list[str] = []
        for record, envelope in decoded:
            try:
                outputs = self._process_with_retries(envelope)
            except InvalidInput as exc:
                self._dead_letter(record, str(exc), record.value)
                discarded.append(envelope.id)
                continue
            if outputs:
                pending.append(_Pending(record, envelope.id, outputs, _marks_duplicate(envelope, outputs)))
            else:
                self.counters.dropped += 1
                self._consecutive_dead_letters = 0
                if self.telemetry is not None:
                    self.telemetry.dropped.inc()

        written_ids, not_written = self._settle_writes(pending, self._write_with_retries(pending))
        self.dead_letters.flush()
        # An id also written in this batch (an earlier revision of the same article) keeps its
        # state: forgetting it would forget an article that is downstream.
        discarded = [doc_id for doc_id in [*discarded, *not_written] if doc_id not in written_ids]
        if discarded:
            self._discard_staged(discarded)
        self._with_retries(self.stage.after_batch_written, "after_batch_written")
        self.source.commit(_next_offsets(records))
        if self.telemetry is not None:
            self.telemetry.batch.observe(time.perf_counter() - started)
        self._check_breaker()

    def _settle_writes(
        self, pending: list[_Pending], failed: dict[int, list[InvalidInput]]
    ) -> tuple[set[str], list[str]]:
        """Count what was written and dead-letter what failed for good (a record too large for
        the topic as a small notice). Returns the ids written and the ids dead-lettered."""
        written: set[str] = set()
        dead: list[str] = []
        for item in pending:
            errors = failed.get(id(item), [])
            if not errors:
                self.counters.written += 1
                self.counters.outputs += len(item.outputs)
                self._consecutive_dead_letters = 0
                written.add(item.envelope_id)
                self._count_written(item)
                continue
            error = errors[0]
            value = (
                too_large_notice(error, self.stage.name)
                if isinstance(error, RecordTooLarge)
                else item.record.value
            )
            self._dead_letter(item.record, str(error), value)
            dead.append(item.envelope_id)
        return written, dead

    def _count_written(self, item: _Pending) -> None:
        if self.telemetry is None:
            return
        self.telemetry.written.inc()
        if item.duplicate:
            self.telemetry.duplicates.inc()
        self.telemetry.written_at(item.outputs[0].first_seen)

    def _prepare_with_retries(self, envelopes: list[Envelope]) -> None:
        """Let a stage that can work on a whole batch at once (one round trip to its state
        store instead of one per record) do so before the records are processed one by one."""
        prepare = getattr(self.stage, "prepare_batch", None)
        if prepare is None or not envelopes:
            return
        self._with_retries(lambda: prepare(envelopes), "prepare_batch")

    def _discard_staged(self, envelope_ids: list[str]) -> None:
        """Tell a stateful stage which of the batch's articles went to the dead-letter topic
        instead of downstream, so that ``after_batch_written`` persists nothing for them."""
        discard = getattr(self.stage, "discard_staged", None)
        if discard is None:
            return
        ids = list(dict.fromkeys(envelope_ids))
        self._with_retries(lambda: discard(ids), "discard_staged")

    def _process_with_retries(self, envelope: Envelope) -> list[Envelope]:
        started = time.perf_counter()
        try:
            return self._with_retries(lambda: list(self.stage.process(envelope)), envelope.id)
        except (InvalidInput, DeadLetterStorm, RetriableError):
            raise
        except Exception as exc:
            # A stage that raises anything else on a record has met input it cannot handle.
            # Dead-letter it with the error named; the breaker catches a systematic bug.
            log.exception("%s raised on %s", self.stage.name, envelope.id)
            raise InvalidInput(f"stage raised {type(exc).__name__}: {exc}") from exc
        finally:
            if self.telemetry is not None:
                self.telemetry.processing.observe(time.perf_counter() - started)

    def _with_retries(self, call: Callable[[], _T], what: str) -> _T:
        """Call a stage method. An outage is waited out for as long as it takes (the consumer
        kept in its group; a stop request ends the wait with RetriableError); any other
        retriable failure is tried ``retry_attempts`` times."""
        attempt = outage = 0
        try:
            while True:
                try:
                    with converted():
                        result = call()
                    if outage:
                        log.info("%s: %s went through after %d waits", self.stage.name, what, outage)
                    return result
                except Unavailable as exc:
                    outage += 1
                    self._wait_out(outage, f"stage {self.stage.name} ({what}): {exc}")
                except RetriableError as exc:
                    attempt += 1
                    if attempt >= self.settings.retry_attempts:
                        raise
                    self._backoff(attempt, f"stage {self.stage.name} ({what}): {exc}")
        finally:
            if outage and self.keepalive is not None:
                self.keepalive.release()

    def _wait_out(self, attempt: int, why: str) -> None:
        delay = backoff_delay(
            attempt, self.settings.retry_initial_backoff_s, self.settings.retry_max_backoff_s
        )
        log.warning("%s: unavailable, waiting %.1fs (wait %d): %s", self.stage.name, delay, attempt, why)
        if self.telemetry is not None:
            self.telemetry.waited("outage")
        pause(
            delay,
            cancelled=self._cancelled,
            keepalive=self.keepalive,
            interval_s=self.settings.keepalive_interval_s,
            why=why,
            sleep=self._sleep,
        )

    def _write_with_retries(self, pending: list[_Pending]) -> dict[int, list[InvalidInput]]:
        """Write every output; return the permanent failures per pending item (by id()).
        Only items that failed retriably are written again."""
        todo: list[tuple[_Pending, Envelope]] = [(p, e) for p in pending for e in p.outputs]
        permanent: dict[int, list[InvalidInput]] = {}
        attempt = outage = 0
        while todo:
            report = self.output.write([envelope for _, envelope in todo])
            for index, error in report.permanent.items():
                permanent.setdefault(id(todo[index][0]), []).append(error)
            if not report.retriable:
                break
            reasons = sorted(set(report.retriable.values()))
            todo = [todo[index] for index in sorted(report.retriable)]
            if report.unavailable:  # the destination is down: wait, however long it takes
                outage += 1
                self._wait_out(outage, f"{len(todo)} writes failed: {reasons[:3]}")
                continue
            attempt += 1
            if attempt >= self.settings.retry_attempts:
                raise RetriableError(
                    f"{self.stage.name}: {len(report.retriable)} writes still failing after "
                    f"{attempt} attempts: {reasons[:3]}"
                )
            self._backoff(attempt, f"{len(report.retriable)} writes failed: {reasons[:3]}")
        if outage and self.keepalive is not None:
            self.keepalive.release()
        return permanent

    def _dead_letter(self, record: InboundRecord, reason: str, value: bytes | None) -> None:
        article_id = record.key.decode("utf-8", "replace") if record.key else None
        log.warning(
            "%s: dead-lettering %s[%d]@%d: %s",
            self.stage.name, record.topic, record.partition, record.offset, reason,
            extra=record_fields(
                record.topic, record.partition, record.offset, article_id, self.stage.name
            ),
        )
        self.dead_letters.send(record, self.stage.name, reason, value)
        self.counters.dead_lettered += 1
        kind = reason.split(":", 1)[0][:60]
        if self.telemetry is not None:
            self.telemetry.dead_lettered(kind)
        self.counters.dead_letter_reasons[kind] = self.counters.dead_letter_reasons.get(kind, 0) + 1
        self._consecutive_dead_letters += 1

    def _check_breaker(self) -> None:
        limit = self.settings.dlq_breaker
        if self.telemetry is not None:
            self.telemetry.breaker(self._consecutive_dead_letters, limit)
        if limit and self._consecutive_dead_letters >= limit:
            raise DeadLetterStorm(
                f"{self.stage.name}: {self._consecutive_dead_letters} records in a row went to the "
                "dead-letter topic; this looks like a misconfiguration, stopping"
            )

    def _backoff(self, attempt: int, why: str) -> None:
        delay = backoff_delay(
            attempt, self.settings.retry_initial_backoff_s, self.settings.retry_max_backoff_s
        )
        log.warning("%s: retry %d in %.1fs: %s", self.stage.name, attempt, delay, why)
        if self.telemetry is None:
            (self._sleep or time.sleep)(delay)
            return
        self.telemetry.waited("retry")
        self.telemetry.health.waiting(True)
        try:
            (self._sleep or time.sleep)(delay)
        finally:
            self.telemetry.health.waiting(False)


def _marks_duplicate(envelope: Envelope, outputs: list[Envelope]) -> bool:
    """True when this stage is the one that marked the article a duplicate."""
    if envelope.dedup is not None:
        return False
    return any(o.dedup is not None and o.dedup.duplicate_of for o in outputs)


def _next_offsets(records: Sequence[InboundRecord]) -> dict[tuple[str, int], int]:
    offsets: dict[tuple[str, int], int] = {}
    for record in records:
        key = (record.topic, record.partition)
        offsets[key] = max(offsets.get(key, 0), record.offset + 1)
    return offsets
