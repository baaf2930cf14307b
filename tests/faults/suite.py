"""The fault suite: each fault on its own topics and indices, against the real Kafka and
Elasticsearch of `make services`, and the invariant checked exactly for each:

    article ids in Elasticsearch + dead-lettered ids = ids accepted, no id twice,
    incidents = distinct real incidents, the sum of deaths unchanged by replays.

``in`` is the records accepted, ``indexed`` the distinct article ids in Elasticsearch (or, for
the tag rows, the articles tagged), ``dead letters`` the records in the dead-letter topic, and
``duplicates`` every id found twice (indexed and dead-lettered, twice in the dead-letter topic)
plus every incident counted more than once.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from connectors.commands import publish_feeds_once
from connectors.feedlist import FeedSpec
from pipeline.envelope import Envelope, RawContent, decode
from pipeline.messaging import ensure_topics
from pipeline.search_setup import (
    articles_alias,
    articles_index,
    client,
    ensure_templates,
    events_alias,
)
from pipeline.settings import Settings, load_settings
from pipeline.stages.tag import TagStage
from pipeline.tagging.es_store import ElasticsearchIncidentStore, reservations_index, state_index
from pipeline.topology import all_topics, build_runner
from tests.integration.connector_server import ScenarioServer
from tests.integration.es_node import SpareNode
from tests.integration.kafka_helpers import (
    committed_offsets,
    produce_envelopes,
    produce_raw,
    read_topic,
)
from tests.integration.kafka_node import SpareBroker
from tests.integration.sink_helpers import (
    all_ids,
    count,
    drop_indices,
    incident_for,
    sink_runner,
    tagged_envelope,
)
from tests.integration.test_backbone import env_for, raw_article
from tests.integration.test_connectors_feeds import configure
from tests.integration.test_tag_fusion_store import GULF, GULF_TITLE
from tests.integration.test_tag_workers import gulf_report, race

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "docs" / "reliability.md"
ARTICLES = 30
BOMBING = "Explosions/Remote violence"


@dataclass
class Row:
    fault: str
    accepted: int
    indexed: int
    dead_letters: int
    duplicates: int
    ok: bool
    note: str = ""

    @property
    def verdict(self) -> str:
        return "pass" if self.ok else "FAIL"


def isolated(partitions: int = 2, bootstrap: str | None = None) -> Settings:
    s = load_settings()
    if bootstrap is not None:
        s.kafka.bootstrap_servers = bootstrap
    prefix = "f" + uuid.uuid4().hex[:10]
    s.kafka.topic_prefix = prefix
    s.elasticsearch.index_prefix = prefix
    s.kafka.partitions = partitions
    s.elasticsearch.retry_initial_backoff_s = 0.2
    s.elasticsearch.retry_max_backoff_s = 1.0
    s.elasticsearch.keepalive_interval_s = 0.5
    s.elasticsearch.linger_ms = 50
    s.runner.retry_initial_backoff_s = 0.2
    s.runner.retry_max_backoff_s = 2.0
    s.runner.keepalive_interval_s = 1.0
    ensure_topics(s.kafka, all_topics(s))
    ensure_templates(client(s.elasticsearch), s.elasticsearch)
    return s


def sink_row(
    fault: str, s: Settings, accepted: set[str], extra_in: int = 0,
    inputs: tuple[str, ...] = ("tagged",), **checks: bool,
) -> Row:
    """The row for a sink fault: what Elasticsearch and the dead-letter topics of ``inputs``
    (the stages' input topics) hold."""
    es = client(s.elasticsearch)
    indexed = all_ids(es, articles_alias(s.elasticsearch))
    letters = [
        letter for name in inputs
        for letter in read_topic(s, s.kafka.topic(name) + ".dlq", timeout_s=5)
    ]
    lettered = [_letter_id(r) for r in letters]
    named = [i for i in lettered if i is not None]
    duplicates = len(set(indexed) & set(named)) + len(named) - len(set(named))
    whole = set(indexed) | set(named)
    ok = (
        len(indexed) + len(letters) == len(accepted) + extra_in
        and accepted <= whole and duplicates == 0 and all(checks.values())
    )
    failed = [name for name, passed in checks.items() if not passed]
    drop_indices(es, s.elasticsearch.index_prefix)
    return Row(fault, len(accepted) + extra_in, len(indexed), len(letters), duplicates, ok,
               ", ".join(failed))


def _letter_id(record: Any) -> str | None:
    try:
        return decode(record.value).id
    except Exception:
        return None


def run_sink(s: Settings) -> tuple[Any, Any]:
    runner, output = sink_runner(s, f"{s.kafka.topic_prefix}.index")
    runner.run(until_drained=True, idle_timeout_s=60)
    return runner, output


# -- faults -----------------------------------------------------------------------------------


def poison_records() -> Row:
    s = isolated()
    topic = s.kafka.topic("tagged")
    envelopes = [tagged_envelope(n) for n in range(ARTICLES)]
    produce_envelopes(s, topic, envelopes[:10])
    produce_raw(s, topic, [(b"bad", b"\xff not json"), (b"tomb", b""), (b"half", b'{"id": 4')])
    huge = b'{"schema_version":1,"id":"huge","text":"' + b"a" * 5_000_000 + b'"}'
    producer = KafkaProducer(
        bootstrap_servers=s.kafka.bootstrap_servers, compression_type="gzip",
        max_request_size=2 * len(huge),
    )
    producer.send(topic, key=b"huge", value=huge).get(timeout=30)
    producer.close()
    produce_envelopes(s, topic, envelopes[10:])
    runner, _ = run_sink(s)
    return sink_row(
        "poison records (bytes, empty, truncated, 5 MB compressed)", s,
        {e.id for e in envelopes}, extra_in=4, balanced=runner.counters.balanced(),
    )


def replayed_twice() -> Row:
    s = isolated()
    topic = s.kafka.topic("tagged")
    envelopes = [
        tagged_envelope(n, (incident_for(n // 10),) if n % 10 == 0 else ())
        for n in range(ARTICLES)
    ]
    produce_envelopes(s, topic, envelopes)
    run_sink(s)
    es = client(s.elasticsearch)
    deaths_once = _deaths(es, s)
    produce_envelopes(s, topic, envelopes)
    run_sink(s)
    return sink_row(
        "the same input replayed twice", s, {e.id for e in envelopes},
        deaths_unchanged=_deaths(es, s) == deaths_once == 3 * (ARTICLES // 10),
        incidents_once=count(es, events_alias(s.elasticsearch)) == ARTICLES // 10,
    )


def _deaths(es: Any, s: Settings) -> int:
    alias = events_alias(s.elasticsearch)
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=1000, query={"match_all": {}})["hits"]["hits"]
    return sum(int(hit["_source"].get("fatalities") or 0) for hit in hits)


def write_block() -> Row:
    s = isolated()
    s.elasticsearch.auth_failure_attempts = 2
    es = client(s.elasticsearch)
    envelopes = [tagged_envelope(n) for n in range(ARTICLES)]
    index = articles_index(s.elasticsearch, envelopes[0].first_seen)
    es.indices.create(index=index)
    es.indices.put_settings(index=index, settings={"index.blocks.write": True})
    produce_envelopes(s, s.kafka.topic("tagged"), envelopes)
    runner, output = sink_runner(s, f"{s.kafka.topic_prefix}.index")
    errors: list[BaseException] = []
    sink = threading.Thread(target=_catching(runner.run, errors), daemon=True)
    sink.start()
    _until(lambda: output.stats["blocked_waits"] >= 5 or not sink.is_alive(), 120)
    es.indices.put_settings(index=index, settings={"index.blocks.write": None})
    _until(lambda: count(es, articles_alias(s.elasticsearch)) >= ARTICLES or not sink.is_alive(), 120)
    runner.request_stop()
    sink.join(60)
    return sink_row(
        "index write block, lifted after 5 waits", s, {e.id for e in envelopes},
        sink_kept_running=not errors, waited_on_block=output.stats["blocked_waits"] >= 5,
    )


def tag_workers(workers: int = 4) -> Row:
    s = isolated()
    stages = [TagStage(ElasticsearchIncidentStore.from_settings(s.elasticsearch)) for _ in range(workers)]

    def work(n: int, barrier: threading.Barrier) -> list[str]:
        barrier.wait()
        (out,) = stages[n].process(gulf_report(n))
        barrier.wait()
        stages[n].after_batch_written()
        assert out.tags is not None
        return [str(i["incident_id"]) for i in out.tags.incidents if i["event_type"] == BOMBING]

    ids = race(workers, work)
    es = client(s.elasticsearch)
    index = state_index(s.elasticsearch)
    es.indices.refresh(index=index)
    stored = [
        hit["_source"] for hit in es.search(index=index, size=100)["hits"]["hits"]
        if hit["_source"]["event_type"] == BOMBING
    ]
    es.indices.delete(index=f"{index},{reservations_index(index)}", ignore_unavailable=True)
    distinct = {i for found in ids for i in found}
    ok = len(stored) == 1 and len(distinct) == 1
    return Row(f"{workers} tag workers meet one incident at once", workers, workers, 0,
               len(stored) - 1 + len(distinct) - 1, ok)


def tag_elasticsearch_down(folder: Path) -> Row:
    s = isolated()
    node = SpareNode(folder)
    node.start()
    try:
        s.elasticsearch.url = node.url
        s.elasticsearch.request_timeout_s = 5.0
        ensure_topics(s.kafka, all_topics(s))
        source = s.kafka.topic("deduplicated")
        produce_envelopes(s, source, [gulf_report(n) for n in range(12)])
        runner = build_runner("tag", s)
        node.stop()
        errors: list[BaseException] = []
        tag = threading.Thread(target=_catching(runner.run, errors), daemon=True)
        tag.start()
        time.sleep(10)  # an outage of some ten seconds while the stage has a batch in hand
        node.start()
        _until(lambda: runner.counters.read >= 12 and runner.counters.batches > 0
               and runner.counters.written + runner.counters.dead_lettered >= 12, 180)
        runner.request_stop()
        tag.join(60)
    finally:
        node.stop()
    tagged = {decode(r.value).id for r in read_topic(s, s.kafka.topic("tagged"))}  # type: ignore[attr-defined]
    letters = read_topic(s, source + ".dlq", timeout_s=5)
    ok = len(tagged) == 12 and not letters and not errors
    return Row("tag stage, Elasticsearch stopped ~10 s", 12, len(tagged), len(letters), 0, ok)


STAGE_OUTPUT = {"clean": "cleaned", "deduplicate": "deduplicated", "tag": "tagged"}
STAGE_INPUT = {"clean": "raw", "deduplicate": "cleaned", "tag": "deduplicated", "index": "tagged"}
KILLED_ARTICLES = 100


def killed_article(n: int) -> Envelope:
    """A raw article; every tenth one reports the same car bombing (one real incident)."""
    if n % 10:
        return raw_article(n)
    paragraphs = "".join(f"<p>{line}</p>" for line in GULF.split("\n"))
    html = f"<html><body><article><h1>{GULF_TITLE}</h1>{paragraphs}</article></body></html>"
    return Envelope(
        id=f"article-{n:04d}", url=f"https://desk-{n}.example/bombing", source=f"desk-{n}",
        first_seen=datetime(2026, 11, 19, 18, tzinfo=UTC) + timedelta(minutes=n),
        raw=RawContent(body=html, content_type="text/html"),
    )


def stages_killed_before_commit() -> list[Row]:
    """Each stage in turn SIGKILLed after writing a batch, before committing it; then restarted
    and drained. Rewrites of the killed batch (same keys) are expected and are not duplicates
    downstream; the last row checks what Elasticsearch holds at the end of the chain."""
    s = isolated()
    s.kafka.batch_size = 20
    produce_envelopes(s, s.kafka.topic("raw"), (killed_article(i) for i in range(KILLED_ARTICLES)))
    rows = []
    for name in ("clean", "deduplicate", "tag", "index"):
        crashed = subprocess.run(
            [sys.executable, "-m", "tests.integration.crash_before_commit", name],
            env=env_for(s), cwd=ROOT, timeout=300, capture_output=True, check=False,
        )
        counters = build_runner(name, s).run(until_drained=True, idle_timeout_s=60)
        killed = crashed.returncode == -signal.SIGKILL
        rows.append(_killed_row(name, s, killed=killed, balanced=counters.balanced()))
    return rows


def _killed_row(name: str, s: Settings, **checks: bool) -> Row:
    expected = {f"article-{i:04d}" for i in range(KILLED_ARTICLES)}
    letters = read_topic(s, s.kafka.topic(STAGE_INPUT[name]) + ".dlq", timeout_s=5)
    fault = f"{name} stage SIGKILLed between write and commit"
    if name in STAGE_OUTPUT:
        ids = [decode(r.value).id for r in read_topic(s, s.kafka.topic(STAGE_OUTPUT[name]))]  # type: ignore[attr-defined]
        ok = set(ids) == expected and not letters and all(checks.values())
        failed = [k for k, passed in checks.items() if not passed]
        note = ", ".join(failed) or f"{len(ids) - len(set(ids))} records rewritten by id"
        return Row(fault, len(expected), len(set(ids)), len(letters), 0, ok, note)
    es = client(s.elasticsearch)
    alias = events_alias(s.elasticsearch)
    es.indices.refresh(index=alias)
    bombings = es.search(index=alias, size=100, query={"term": {"event_type": BOMBING}})
    checks["one_bombing"] = len(bombings["hits"]["hits"]) == 1
    return sink_row(fault + " (Elasticsearch at the end of the chain)", s, expected, 0, ("tagged",),
                    **checks)


# -- several workers of one group, one of them SIGKILLed -------------------------------------


def workers_one_killed() -> list[Row]:
    """Three clean workers, then two tag workers, in one group each over four partitions; one
    worker of each group is SIGKILLed after writing its first batch, before committing it.
    The clean survivors take the dead worker's partitions over; for tag another worker is
    started in its place. Deduplicate and index drain in between and at the end."""
    s = isolated(partitions=4)
    s.kafka.batch_size = 10
    articles = [killed_article(i) for i in range(KILLED_ARTICLES)]
    rows = [_group_run(s, "clean", lambda: produce_envelopes(s, s.kafka.topic("raw"), articles),
                       workers=3, restart=False)]
    rows.append(_group_run(
        s, "tag", lambda: build_runner("deduplicate", s).run(until_drained=True, idle_timeout_s=60),
        workers=2, restart=True,
    ))
    counters = build_runner("index", s).run(until_drained=True, idle_timeout_s=60)
    rows.append(_killed_row("index", s, balanced=counters.balanced()))
    rows[-1].fault = "index after 3 clean and 2 tag workers, one of each SIGKILLed"
    return rows


def _group_run(
    s: Settings, name: str, feed: Callable[[], object], workers: int, restart: bool
) -> Row:
    """``workers`` members of the stage's group, the last of them SIGKILLed at its first
    commit; ``feed`` writes the input once all have joined."""
    group = f"{s.kafka.topic_prefix}.{name}"
    alive = [_worker(s, "pipeline", name) for _ in range(workers - 1)]
    doomed = _worker(s, "tests.integration.crash_before_commit", name)
    try:
        joined = _wait_for_members(s, group, workers)
        feed()
        died = doomed.wait(timeout=300) == -signal.SIGKILL
        if restart:
            alive.append(_worker(s, "pipeline", name))
        expected = {f"article-{i:04d}" for i in range(KILLED_ARTICLES)}
        output = s.kafka.topic(STAGE_OUTPUT[name])
        _until(lambda: {decode(r.value).id for r in read_topic(s, output)} >= expected  # type: ignore[attr-defined]
               or any(w.poll() is not None for w in alive), 300)
        for worker in alive:
            worker.send_signal(signal.SIGTERM)
        stopped = all(worker.wait(timeout=120) == 0 for worker in alive)
    finally:
        for process in [*alive, doomed]:
            if process.poll() is None:
                process.kill()
                process.wait()
    source = s.kafka.topic(STAGE_INPUT[name])
    row = _killed_row(name, s, joined=joined, killed=died, stopped=stopped,
                      committed=_all_committed(s, source, group))
    started = "another started" if restart else "not restarted"
    row.fault = f"{workers} {name} workers, one SIGKILLed mid-run ({started})"
    return row


def _worker(s: Settings, module: str, stage: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", module, stage], env=env_for(s), cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _wait_for_members(s: Settings, group: str, members: int) -> bool:
    admin = KafkaAdminClient(bootstrap_servers=s.kafka.bootstrap_servers)
    try:
        def stable() -> bool:
            found = admin.describe_groups([group])[group]
            return bool(found["group_state"] == "Stable" and len(found["members"]) == members)

        _until(stable, 300)
        return stable()
    finally:
        admin.close()


def _all_committed(s: Settings, topic: str, group: str) -> bool:
    """Every record of the topic committed by the group: nothing left to re-read."""
    consumer = KafkaConsumer(bootstrap_servers=s.kafka.bootstrap_servers)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends = consumer.end_offsets(partitions)
    finally:
        consumer.close()
    committed = committed_offsets(s, topic, group)
    return bool(partitions) and all(committed.get(tp.partition) == ends[tp] for tp in partitions)


# -- the broker killed and restarted on its data ----------------------------------------------


class Supervised:
    """A stage process restarted whenever it exits, as compose's restart policy does."""

    def __init__(self, s: Settings, stage: str) -> None:
        self.env = env_for(s) | {"NEWS_KAFKA__BOOTSTRAP_SERVERS": s.kafka.bootstrap_servers}
        self.stage = stage
        self.restarts = 0
        self._stopping = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._process = subprocess.Popen(
                [sys.executable, "-m", "pipeline", self.stage], env=self.env, cwd=ROOT,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            self._process.wait()
            if not self._stopping.is_set():
                self.restarts += 1
                time.sleep(1.0)  # a restart delay, as a supervisor has

    def stop(self) -> None:
        self._stopping.set()
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
        self._thread.join(130)


def broker_killed(folder: Path) -> Row:
    """A broker of its own (free ports, its own data folder), SIGKILLed while the four stages
    (supervised processes) have half of the articles in flight, restarted on the same data;
    then the other half is produced. Nothing lost in the broker, nothing doubled downstream,
    every stage's group committed to the end of its input."""
    broker = SpareBroker(folder)
    broker.start()
    try:
        s = isolated(bootstrap=broker.bootstrap)
        s.kafka.batch_size = 5  # small batches: the first reach Elasticsearch while others wait
        articles = [killed_article(i) for i in range(KILLED_ARTICLES)]
        half = KILLED_ARTICLES // 2
        produce_envelopes(s, s.kafka.topic("raw"), articles[:half])
        stages = [Supervised(s, name) for name in STAGE_INPUT]
        es = client(s.elasticsearch)
        alias = articles_alias(s.elasticsearch)
        _until(lambda: count(es, alias) > 0, 300)
        at_kill = count(es, alias)
        in_flight = at_kill < half
        killed = broker.kill() == -signal.SIGKILL
        broker.start()
        produce_envelopes(s, s.kafka.topic("raw"), articles[half:])
        _until(lambda: count(es, alias) >= KILLED_ARTICLES, 300)
        for stage in stages:
            stage.stop()
        raw = len(read_topic(s, s.kafka.topic("raw")))
        committed = all(
            _all_committed(s, s.kafka.topic(source), f"{s.kafka.topic_prefix}.{name}")
            for name, source in STAGE_INPUT.items()
        )
        row = _killed_row("index", s, killed=killed, in_flight=in_flight, committed=committed,
                          raw_kept=raw == KILLED_ARTICLES)
    finally:
        broker.stop()
    row.fault = "the broker SIGKILLed mid-stream, restarted on its data"
    if row.ok:
        restarts = sum(stage.restarts for stage in stages)
        row.note = f"{at_kill} indexed when killed, stage restarts: {restarts}"
    return row


# -- hostile feeds and pages ------------------------------------------------------------------

HOSTILE_FEEDS = [
    "/rss.xml", "/atom.xml", "/rdf.xml", "/etag.xml", "/malformed.xml", "/html-feed.xml",
    "/429.xml", "/500.xml", "/loop-a.xml", "/to-private.xml", "/missing.xml",
]
HOSTILE_PAGES = [
    ("rss-7", "/articles/error.html", "Error page"),
    ("rss-8", "/articles/big.html", "Oversize page"),
    ("rss-9", "/articles/missing.html", "Missing page"),
]
# Entries whose page could not be had, indexed from their feed summary: slow-loris, gzip bomb,
# 410, robots-disallowed, 500, oversize, 404.
FAILED_PAGES = 7
HOSTILE_FAILURES = {
    "feed-malformed", "feed-not-a-feed", "feed-http-429", "feed-http-500", "feed-http-404",
    "feed-redirect-loop", "feed-blocked-address", "page-deadline", "page-too-large",
    "page-http-410", "page-http-404", "page-http-500", "page-robots-disallowed",
}


def hostile_feeds() -> Row:
    """The feed connector polls the hostile local server twice (malformed XML, HTML as a feed,
    gzip bomb, slow-loris, redirect loop, oversize, 404/410/500 feeds and pages), then every
    stage drains what it published. Every accepted entry ends indexed or dead-lettered with a
    reason, none twice; every failure is counted; the second poll publishes nothing again."""
    s = configure(isolated())
    with ScenarioServer() as server:
        server.rss_items = server.rss_items + HOSTILE_PAGES
        specs = [FeedSpec(url=server.url(path)) for path in HOSTILE_FEEDS]
        first = publish_feeds_once(specs, s)
        second = publish_feeds_once(specs, s)
    published = [decode(r.value).id for r in read_topic(s, s.kafka.topic("raw"))]  # type: ignore[attr-defined]
    balanced = all(
        build_runner(name, s).run(until_drained=True, idle_timeout_s=60).balanced()
        for name in ("clean", "deduplicate", "tag", "index")
    )
    letters = [r for name in STAGE_INPUT.values()
               for r in read_topic(s, s.kafka.topic(name) + ".dlq", timeout_s=5)]
    reasons = [dict(r.headers).get("dlq.reason", b"") for r in letters]  # type: ignore[attr-defined]
    missing = sorted(HOSTILE_FAILURES - set(first.errors))
    es = client(s.elasticsearch)
    es.indices.refresh(index=articles_alias(s.elasticsearch))
    from_feed = es.count(index=articles_alias(s.elasticsearch),
                         query={"term": {"body_source": "feed"}})["count"]
    row = sink_row(
        "hostile feeds and pages (feed connector, local server)", s, set(published),
        inputs=tuple(STAGE_INPUT.values()), balanced=balanced,
        kept_polling=first.feeds == second.feeds == len(specs),
        published_once=len(published) == len(set(published)) == first.published > 0,
        nothing_again=second.published == 0, letters_have_reasons=all(reasons),
        failures_counted=not missing, summaries_for_failed_pages=from_feed == FAILED_PAGES,
    )
    if missing:
        row.note = f"{row.note}; not counted: {', '.join(missing)}"
    elif row.ok:
        row.note = (f"{len(HOSTILE_FAILURES)} kinds of failure counted, {from_feed} failed pages "
                    "indexed from their feed summary, connector kept polling")
    return row


def _catching(run: Callable[[], Any], errors: list[BaseException]) -> Callable[[], None]:
    def wrapped() -> None:
        try:
            run()
        except BaseException as exc:
            errors.append(exc)

    return wrapped


def _until(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.5)


# -- the table --------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    lines = [
        "| fault | in | indexed | dead letters | duplicates | verdict |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        verdict = row.verdict + (f" ({row.note})" if row.note else "")
        if row.ok and row.note:
            verdict = f"pass; {row.note}"
        lines.append(
            f"| {row.fault} | {row.accepted} | {row.indexed} | {row.dead_letters} | "
            f"{row.duplicates} | {verdict} |"
        )
    return "\n".join(lines)


def write_report(rows: list[Row], minutes: float) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    REPORT.write_text(
        "# Reliability: the latest fault-suite run\n\n"
        "Written by `make faults` (`python -m tests.faults`); each fault runs on its own topics and\n"
        "indices against the local Kafka and Elasticsearch. See `tests/faults/suite.py` for what\n"
        "each column counts.\n\n"
        f"Run of {when} ({minutes:.0f} min):\n\n{table(rows)}\n\n"
        "The SIGKILL rows kill each stage after it wrote a batch and before it committed it, then\n"
        "restart it; the worker rows run two workers of one group over four partitions and kill\n"
        "one after its first batch; the broker row runs a Kafka of its own (free ports, its own\n"
        "data folder), SIGKILLs it with articles in flight through supervised stage processes\n"
        "and restarts it on the same data; the hostile row polls the local scenario server\n"
        "(`tests/integration/connector_server.py`) twice with the feed connector and drains every\n"
        "stage. The shared Kafka and Elasticsearch are never stopped. The integration tests cover\n"
        "more of each fault (`tests/integration/test_outages.py`, `test_oversized_records.py`,\n"
        "`test_tag_workers.py`, `test_sink_outage.py`, `test_connectors_feeds.py`).\n"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults")
    parser.add_argument("--no-report", action="store_true", help="do not rewrite docs/reliability.md")
    parser.add_argument("--only", help="comma-separated positions of the faults to run (0-based)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("kafka").setLevel(logging.CRITICAL)  # the broker row's outage, expected
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="faults-") as folder:
        faults: list[Callable[[], Row | list[Row]]] = [
            poison_records, replayed_twice, write_block, stages_killed_before_commit,
            workers_one_killed, hostile_feeds, lambda: broker_killed(Path(folder) / "kafka"),
            lambda: tag_workers(2),
            lambda: tag_workers(4), lambda: tag_elasticsearch_down(Path(folder)),
        ]
        if args.only:
            faults = [faults[int(n)] for n in args.only.split(",")]
        rows: list[Row] = []
        for fault in faults:
            found = fault()
            done = found if isinstance(found, list) else [found]
            rows.extend(done)
            for line in table(done).splitlines()[2:]:
                print(line, flush=True)
    print(table(rows))
    print(f"{len(rows)} rows in {(time.monotonic() - started) / 60:.1f} min")
    if not args.no_report:
        write_report(rows, (time.monotonic() - started) / 60)
    return 0 if all(row.ok for row in rows) else 1
