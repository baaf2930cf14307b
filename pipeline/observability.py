"""What a running process shows an operator: Prometheus metrics, health, readiness and logs.

Every long-running command (``feeds``, ``clean``, ``deduplicate``, ``tag``, ``index``) serves,
when ``metrics.port`` is not 0, one small HTTP server on a daemon thread (it stops with the
process)::

    /metrics   Prometheus text format (prometheus-client), the process's own registry
    /healthz   200 while starting and while the loop turns: the last turn (or keepalive tick
               during an outage wait) is younger than ``metrics.stale_after_s``; 503 otherwise
    /readyz    200 once connected (the first poll answered) and not in a retry wait; 503 else

Metrics, all prefixed ``news_`` and labelled by ``stage`` (``feeds`` for the connector)::

    records_read_total / records_written_total / records_dead_lettered_total /
    records_dropped_total      the runner's counters: read = written + dead-lettered + dropped
    records_duplicates_total   inputs marked duplicate by the stage (the deduplicate stage)
    record_processing_seconds  histogram: one ``stage.process`` call
    batch_seconds              histogram: poll to commit of one batch
    record_age_seconds         histogram: now minus ``first_seen`` when written (at ``index``,
                               the end-to-end age)
    consumer_lag               gauge per topic/partition: high watermark minus position
    retry_waits_total          retry waits of the runner, by kind (``outage``, ``retry``)
    breaker_consecutive_dead_letters, breaker_limit
                               the dead-letter breaker: the stage stops when the first reaches
                               the second
    bulk_requests_total, bulk_retried_actions_total, bulk_waits_total, bulk_splits_total
                               the sink's bulk writer (``index`` only)
    bulk_retried_total         actions sent again, by ``status`` (``429``, ``503``, ``connection``)
    feed_polls_total           feed polls by outcome (``ok``, ``not-modified``, ``failed``)
    connector_events_total, fetch_failures_total
                               the connector's counters, failures by reason (``feed-http-404``)
    feeds_backed_off           feeds backed off after repeated failures

Logs: ``log.format=json`` (``NEWS_LOG__FORMAT=json``) writes one JSON object per line with ECS
names (``@timestamp``, ``log.level``, ``log.logger``, ``message``, ``service.name``,
``error.type``, ``error.message``, ``error.stack_trace``); record-level lines add ``article.id``,
``kafka.topic``, ``kafka.partition`` and ``kafka.offset`` (from ``extra=record_fields(...)``).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from pipeline.settings import LogSettings, MetricsSettings

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
AGE_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 12 * 3600, 86_400, 7 * 86_400)
# How often the runner asks its consumer for the lag (it reads cached watermarks: cheap).
LAG_EVERY_S = 5.0

LagReader = Callable[[], Mapping[tuple[str, int], int]]


class Health:
    """Liveness and readiness of one process, set by its loop, read by the HTTP thread."""

    def __init__(self, stale_after_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._stale_after_s = stale_after_s
        self._clock = clock
        self._last_beat = clock()
        self._turned = False
        self._connected = False
        self._waiting = 0
        self._lock = threading.Lock()

    def beat(self) -> None:
        with self._lock:
            self._last_beat = self._clock()
            self._turned = True

    def connected(self) -> None:
        with self._lock:
            self._connected = True
            self._last_beat = self._clock()
            self._turned = True

    def waiting(self, on: bool) -> None:
        with self._lock:
            self._waiting = max(0, self._waiting + (1 if on else -1))

    def alive(self) -> tuple[bool, str]:
        """Alive while starting (loading models can take minutes; /readyz says not ready) and
        while the loop turns."""
        with self._lock:
            age = self._clock() - self._last_beat
            if not self._turned:
                return True, f"starting for {age:.0f}s"
        if age > self._stale_after_s:
            return False, f"loop last turned {age:.0f}s ago (limit {self._stale_after_s:.0f}s)"
        return True, f"loop turned {age:.1f}s ago"

    def ready(self) -> tuple[bool, str]:
        with self._lock:
            connected, waiting = self._connected, self._waiting
        if not connected:
            return False, "not connected yet"
        if waiting:
            return False, "waiting to retry (an outage or a failing write)"
        return True, "ready"


class Telemetry:
    """The metrics of one process, in a registry of its own (tests make one each)."""

    def __init__(self, service: str, stale_after_s: float = 120.0) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.health = Health(stale_after_s)
        r, stage = self.registry, ["stage"]
        self.read = Counter("news_records_read", "records read from the input topic", stage, registry=r)
        self.written = Counter("news_records_written", "inputs whose outputs were all written",
                               stage, registry=r)
        self.dead_lettered = Counter("news_records_dead_lettered", "inputs sent to the dead-letter "
                                     "topic", [*stage, "reason"], registry=r)
        self.dropped = Counter("news_records_dropped", "inputs the stage chose to write nothing for",
                               stage, registry=r)
        self.duplicates = Counter("news_records_duplicates", "inputs marked duplicate", stage,
                                  registry=r)
        self.processing = Histogram("news_record_processing_seconds", "one stage call on a record",
                                    stage, buckets=LATENCY_BUCKETS, registry=r)
        self.batch = Histogram("news_batch_seconds", "one batch, poll to commit", stage,
                               buckets=LATENCY_BUCKETS, registry=r)
        self.age = Histogram("news_record_age_seconds", "now minus first_seen when written", stage,
                             buckets=AGE_BUCKETS, registry=r)
        self.lag = Gauge("news_consumer_lag", "high watermark minus position",
                         [*stage, "topic", "partition"], registry=r)
        self.retry_waits = Counter("news_retry_waits", "retry waits of the runner",
                                   [*stage, "kind"], registry=r)
        self.breaker_count = Gauge("news_breaker_consecutive_dead_letters", "dead letters in a row "
                                   "(the stage stops at news_breaker_limit)", stage, registry=r)
        self.breaker_limit = Gauge("news_breaker_limit", "runner.dlq_breaker (0: no breaker)", stage,
                                   registry=r)
        self.feed_polls = Counter("news_feed_polls", "feed polls by outcome", ["status"], registry=r)

    def stage(self, name: str, lag: LagReader | None = None) -> StageTelemetry:
        return StageTelemetry(self, name, lag)

    def watch(self, collector: Collector) -> None:
        self.registry.register(collector)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class StageTelemetry:
    """What the runner reports about one stage."""

    def __init__(self, telemetry: Telemetry, stage: str, lag: LagReader | None) -> None:
        self.telemetry = telemetry
        self.health = telemetry.health
        self.stage = stage
        self._lag = lag
        self._lag_at = 0.0
        t = telemetry
        self.read = t.read.labels(stage)
        self.written = t.written.labels(stage)
        self.dropped = t.dropped.labels(stage)
        self.duplicates = t.duplicates.labels(stage)
        self.processing = t.processing.labels(stage)
        self.batch = t.batch.labels(stage)
        self.age = t.age.labels(stage)
        for counter in (self.read, self.written, self.dropped, self.duplicates):
            counter.inc(0)

    def dead_lettered(self, reason: str) -> None:
        self.telemetry.dead_lettered.labels(self.stage, reason).inc()

    def breaker(self, consecutive: int, limit: int) -> None:
        self.telemetry.breaker_count.labels(self.stage).set(consecutive)
        self.telemetry.breaker_limit.labels(self.stage).set(limit)

    def waited(self, kind: str) -> None:
        self.telemetry.retry_waits.labels(self.stage, kind).inc()

    def written_at(self, first_seen: datetime, now: datetime | None = None) -> None:
        age = ((now or datetime.now(UTC)) - first_seen).total_seconds()
        self.age.observe(max(0.0, age))

    def turned(self, polled: bool = True) -> None:
        """One turn of the loop: the process is alive; a poll that answered means connected."""
        if polled:
            self.health.connected()
        else:
            self.health.beat()
        now = time.monotonic()
        if self._lag is not None and now - self._lag_at >= LAG_EVERY_S:
            self._lag_at = now
            self.sample_lag()

    def sample_lag(self) -> None:
        if self._lag is None:
            return
        try:
            lags = self._lag()
        except Exception as exc:  # a metric must never stop the stage
            log.debug("%s: lag not read: %s", self.stage, exc)
            return
        for (topic, partition), value in lags.items():
            self.telemetry.lag.labels(self.stage, topic, str(partition)).set(value)


class ReadinessKeepalive:
    """Wraps the consumer keepalive that every outage wait ticks: while it ticks the process is
    alive but not ready; once released it is ready again."""

    def __init__(self, inner: Any, health: Health) -> None:
        self._inner = inner
        self._health = health
        self._waiting = False

    def tick(self) -> None:
        if not self._waiting:
            self._waiting = True
            self._health.waiting(True)
        self._health.beat()
        self._inner.tick()

    def release(self) -> None:
        if self._waiting:
            self._waiting = False
            self._health.waiting(False)
        self._inner.release()


class StatsCollector:
    """Exports a dict of running totals (the sink's ``stats``) as counters."""

    def __init__(self, prefix: str, stage: str, stats: Mapping[str, int]) -> None:
        self._prefix = prefix
        self._stage = stage
        self._stats = stats

    def collect(self) -> Iterable[Metric]:
        for key, value in sorted(dict(self._stats).items()):
            family = CounterMetricFamily(f"{self._prefix}_{key}", f"{key} ({self._prefix})",
                                         labels=["stage"])
            family.add_metric([self._stage], value)
            yield family


class LabelledCollector:
    """Exports a dict of running totals as one counter with a label (the sink's retries by
    status)."""

    def __init__(self, name: str, label: str, stage: str, totals: Mapping[str, int]) -> None:
        self._name = name
        self._label = label
        self._stage = stage
        self._totals = totals

    def collect(self) -> Iterable[Metric]:
        family = CounterMetricFamily(self._name, f"{self._name} by {self._label}",
                                     labels=["stage", self._label])
        for key, value in sorted(dict(self._totals).items()):
            family.add_metric([self._stage, key], value)
        yield family


class ConnectorCollector:
    """Exports the connector's counters (``connectors.reporting.Metrics``) and backed-off feeds."""

    def __init__(
        self,
        snapshot: Callable[[], Mapping[str, Mapping[str, int]]],
        backed_off: Callable[[], int] | None = None,
    ) -> None:
        self._snapshot = snapshot
        self._backed_off = backed_off

    def collect(self) -> Iterator[Metric]:
        snapshot = self._snapshot()
        events = CounterMetricFamily("news_connector_events", "connector events", labels=["event"])
        for name, value in snapshot.get("events", {}).items():
            events.add_metric([name], value)
        yield events
        failures = CounterMetricFamily("news_fetch_failures", "fetch failures by reason",
                                       labels=["reason"])
        for name, value in snapshot.get("failures", {}).items():
            failures.add_metric([name], value)
        yield failures
        if self._backed_off is not None:
            yield GaugeMetricFamily("news_feeds_backed_off", "feeds backed off after failures",
                                    value=self._backed_off())


# -- the HTTP server -----------------------------------------------------------------------------


def _handler(telemetry: Telemetry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._answer(200, telemetry.render(), CONTENT_TYPE)
            elif path in ("/healthz", "/readyz"):
                check = telemetry.health.alive if path == "/healthz" else telemetry.health.ready
                ok, why = check()
                body = json.dumps({"status": "ok" if ok else "unavailable", "detail": why,
                                   "service": telemetry.service})
                self._answer(200 if ok else 503, body.encode(), "application/json")
            else:
                self._answer(404, b"not found: /metrics, /healthz, /readyz\n", "text/plain")

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None  # scrapes every few seconds would drown the process's own log

    return Handler


class MetricsServer:
    """The HTTP server on a daemon thread; ``port`` 0 here means any free port (tests)."""

    def __init__(self, telemetry: Telemetry, host: str, port: int) -> None:
        self._server = ThreadingHTTPServer((host, port), _handler(telemetry))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics-http", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> MetricsServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def start(settings: MetricsSettings, service: str) -> Telemetry:
    """The process's telemetry, served over HTTP unless ``settings.port`` is 0."""
    telemetry = Telemetry(service, settings.stale_after_s)
    if settings.port:
        server = MetricsServer(telemetry, settings.host, settings.port).start()
        log.info("metrics, /healthz and /readyz on http://%s:%d", settings.host, server.port)
    return telemetry


# -- logs ----------------------------------------------------------------------------------------

RECORD_FIELDS = ("article.id", "kafka.topic", "kafka.partition", "kafka.offset", "stage")


def record_fields(
    topic: str, partition: int, offset: int, article_id: str | None = None, stage: str | None = None
) -> dict[str, Any]:
    """``extra=`` for a record-level log line; the JSON format shows these fields."""
    return {"ecs": {"article.id": article_id, "kafka.topic": topic, "kafka.partition": partition,
                    "kafka.offset": offset, "stage": stage}}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, ECS field names where ECS has them."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        doc: dict[str, Any] = {
            "@timestamp": stamp.replace("+00:00", "Z"),
            "log.level": record.levelname.lower(),
            "log.logger": record.name,
            "message": record.getMessage(),
            "service.name": self._service,
        }
        extra = getattr(record, "ecs", None)
        if isinstance(extra, dict):
            doc.update({k: v for k, v in extra.items() if v is not None})
        if record.exc_info and record.exc_info[0] is not None:
            doc["error.type"] = record.exc_info[0].__name__
            doc["error.message"] = str(record.exc_info[1])
            doc["error.stack_trace"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(doc, ensure_ascii=False, default=str)


def configure_logging(settings: LogSettings, service: str, verbose: bool = False) -> None:
    """Plain text (the default) or JSON lines on stderr; libraries' chatter at WARNING."""
    handler = logging.StreamHandler(sys.stderr)
    if settings.format == "json":
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        if type(existing) is logging.StreamHandler:  # basicConfig's, or an earlier call's
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else getattr(logging, settings.level))
    logging.getLogger("kafka").setLevel(logging.WARNING)
    # The transport logs every retry with its traceback; the pipeline says what failed, once.
    logging.getLogger("elastic_transport").setLevel(logging.DEBUG if verbose else logging.ERROR)
