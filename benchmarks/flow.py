"""Pages into the raw topic, and the moment each becomes searchable, for the end-to-end benchmark
and the soak.

:class:`RawProducer` publishes pages as a connector does (the page and its feed entry, keyed by
the article id), at full speed or at a steady rate, and notes the wall-clock time of each send;
the envelope's ``first_seen`` is that time. :class:`SearchableWatch` asks Elasticsearch, every
``interval_s``, which of the ids sent and not yet seen are searchable (an ``ids`` query on the
articles alias: a document is found only once a refresh has made it searchable) and notes when
each was first found. The produce -> searchable latency of an article is the difference, within
``interval_s``.
"""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from benchmarks.background import BackgroundLoop
from benchmarks.pages import Page, raw_envelope
from pipeline.envelope import encode
from pipeline.messaging import client_config, make_producer
from pipeline.search_setup import articles_alias, client
from pipeline.settings import Settings

QUERY_IDS = 5000  # ids per search: well under the result window


class RawProducer:
    """Pages to the raw topic; with a ``watch``, each id is looked for from the moment it is sent."""

    def __init__(self, settings: Settings, watch: SearchableWatch | None = None) -> None:
        self.topic = settings.kafka.topic("raw")
        self.producer: KafkaProducer = make_producer(settings.kafka)
        self.sent: dict[str, float] = {}
        self.watch = watch
        self._futures: list[Any] = []

    def send(self, page: Page) -> str:
        now = time.time()
        envelope = raw_envelope(page, datetime.fromtimestamp(now, UTC))
        self._futures.append(
            self.producer.send(self.topic, key=envelope.id.encode(), value=encode(envelope))
        )
        self.sent[envelope.id] = now
        if self.watch is not None:
            self.watch.expect([envelope.id])
        return envelope.id

    def send_all(self, pages: Iterable[Page]) -> list[str]:
        ids = [self.send(page) for page in pages]
        self.flush()
        return ids

    def send_at_rate(self, pages: Sequence[Page], rate: float) -> list[str]:
        """One page every 1/rate seconds (on a fixed schedule, so a late send does not push the
        next ones back)."""
        ids: list[str] = []
        started = time.monotonic()
        for n, page in enumerate(pages):
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            ids.append(self.send(page))
            if n % 50 == 49:
                self._check_sent()
        self.flush()
        return ids

    def flush(self) -> None:
        self.producer.flush()
        self._check_sent()

    def _check_sent(self) -> None:
        """Every send acknowledged so far, else raise (the broker's error)."""
        pending = []
        for future in self._futures:
            if future.is_done:
                future.get()
            else:
                pending.append(future)
        self._futures = pending

    def close(self) -> None:
        self.flush()
        self.producer.close()


class SearchableWatch:
    """When each expected article was first found searchable (see the module docstring)."""

    def __init__(self, settings: Settings, interval_s: float = 0.05) -> None:
        self.es = client(settings.elasticsearch)
        self.index = articles_alias(settings.elasticsearch)
        self.interval_s = interval_s
        self.found: dict[str, float] = {}
        self.searches = 0
        self._waiting: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="searchable", daemon=True)

    def start(self) -> SearchableWatch:
        self._thread.start()
        return self

    def expect(self, ids: Iterable[str]) -> None:
        with self._lock:
            self._waiting.update(i for i in ids if i not in self.found)

    def wait(self, ids: Sequence[str], timeout_s: float, check: Any = None) -> bool:
        """Until every id is found (True) or ``timeout_s`` passes (False); ``check()`` runs
        between looks (it may raise, e.g. when a stage process died)."""
        self.expect(ids)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(i in self.found for i in ids):
                return True
            if check is not None:
                check()
            time.sleep(0.2)
        return all(i in self.found for i in ids)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.es.close()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            with self._lock:
                waiting = list(self._waiting)[:QUERY_IDS]
            if not waiting:
                continue
            response = self.es.search(
                index=self.index, query={"ids": {"values": waiting}}, source=False,
                size=len(waiting), filter_path="hits.hits._id",
            )
            now = time.time()
            self.searches += 1
            hits = [hit["_id"] for hit in response.body.get("hits", {}).get("hits", [])]
            with self._lock:
                for doc_id in hits:
                    self.found.setdefault(doc_id, now)
                    self._waiting.discard(doc_id)


class HopTimes(BackgroundLoop):
    """When each article was written to each stage's output topic (the record's timestamp, which
    the stage's producer sets when it sends), read by a consumer of its own that is in no group
    (the stages' offsets are not touched); with the send and searchable times, where an
    article's latency goes."""

    thread_name = "hops"

    def __init__(self, settings: Settings, topics: Sequence[str]) -> None:
        self.topics = [settings.kafka.topic(name) for name in topics]
        self.written: dict[str, dict[str, float]] = {name: {} for name in topics}
        self._names = dict(zip(self.topics, topics, strict=True))
        self._consumer = KafkaConsumer(**client_config(settings.kafka), enable_auto_commit=False)
        partitions = [
            TopicPartition(topic, p) for topic in self.topics
            for p in sorted(self._consumer.partitions_for_topic(topic) or ())
        ]
        self._consumer.assign(partitions)
        self._consumer.seek_to_end()
        super().__init__()

    def close(self) -> None:
        self._halt(10)
        self._consumer.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            for tp, messages in self._consumer.poll(timeout_ms=200).items():
                times = self.written[self._names[tp.topic]]
                for message in messages:
                    if message.key is not None:
                        times.setdefault(message.key.decode(), message.timestamp / 1000)

    def hops(
        self, ids: Sequence[str], sent: dict[str, float], found: dict[str, float]
    ) -> dict[str, dict[str, float]]:
        """p50/p95/p99 of each hop (produce -> first topic -> ... -> searchable), seconds."""
        stops = [("produced", sent), *self.written.items(), ("searchable", found)]
        out: dict[str, dict[str, float]] = {}
        for (before, earlier), (after, later) in itertools.pairwise(stops):
            delays = [later[i] - earlier[i] for i in ids if i in earlier and i in later]
            if delays:
                out[f"{before}->{after}"] = percentiles(delays)
        return out


def percentiles(values: Sequence[float], wanted: Sequence[int] = (50, 95, 99)) -> dict[str, float]:
    """``p50``, ``p95``... of ``values`` (inclusive method: the sample's own range)."""
    if len(values) < 2:
        return {f"p{q}": round(values[0], 3) if values else float("nan") for q in wanted}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {f"p{q}": round(cuts[q - 1], 3) for q in wanted}


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of y over x; 0.0 for fewer than two distinct x."""
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def steady_rate(sent: Sequence[float], found: Sequence[float], trim: float = 0.1) -> dict[str, float]:
    """Articles per second: ``whole``, from the first send to the last article found; ``steady``,
    the least-squares slope of the count of searchable articles over time between the moments a
    share ``trim`` and ``1 - trim`` of them were searchable, which leaves out the time the
    pipeline takes to fill and drain and averages over the bursts in which a stage's batches
    come out."""
    done = sorted(found)
    count = len(done)
    whole = count / (done[-1] - min(sent)) if count and done[-1] > min(sent) else 0.0
    middle = [(t, float(k)) for k, t in enumerate(done) if trim * count <= k < (1 - trim) * count]
    steady = slope(middle)
    return {"whole": round(whole, 2), "steady": round(steady, 2) if steady > 0 else round(whole, 2)}
