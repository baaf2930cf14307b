"""The backbone's guarantees against the real broker: nothing lost when a stage dies between
produce and commit, poison messages dead-lettered with their bytes, clean shutdown on SIGTERM,
and `run --once` over the bundled demo."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.envelope import Envelope, RawContent, decode
from pipeline.messaging import ensure_topics
from pipeline.settings import Settings
from pipeline.topology import all_topics, build_runner
from tests.integration.kafka_helpers import (
    committed_offsets,
    produce_envelopes,
    produce_raw,
    read_topic,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PARAGRAPH = (
    "<p>Hundreds of people protested on Friday in the northern city against a sharp rise in the "
    "price of bread, witnesses said, marching from the old city to the governor's office.</p>"
)


def raw_article(n: int) -> Envelope:
    html = f"<html><body><article><h1>Story {n}</h1>{PARAGRAPH * 3}</article></body></html>"
    return Envelope(
        id=f"article-{n:04d}",
        url=f"https://news.example/{n}",
        source="test",
        first_seen=datetime(2026, 11, 20, tzinfo=UTC),
        raw=RawContent(body=html, content_type="text/html"),
    )


def env_for(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["NEWS_KAFKA__TOPIC_PREFIX"] = settings.kafka.topic_prefix
    env["NEWS_ELASTICSEARCH__INDEX_PREFIX"] = settings.elasticsearch.index_prefix
    env["NEWS_KAFKA__BATCH_SIZE"] = str(settings.kafka.batch_size)
    env["NEWS_KAFKA__PARTITIONS"] = str(settings.kafka.partitions)
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_stage_killed_between_produce_and_commit_loses_nothing(
    kafka_ready: str, isolated_settings: Settings
) -> None:
    s = isolated_settings
    s.kafka.batch_size = 20
    ensure_topics(s.kafka, all_topics(s))
    produce_envelopes(s, s.kafka.topic("raw"), (raw_article(i) for i in range(100)))

    crashed = subprocess.run(
        [sys.executable, "-m", "tests.integration.crash_before_commit"],
        env=env_for(s), cwd=ROOT, timeout=120, capture_output=True,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr.decode()[-2000:]
    produced_before_crash = read_topic(s, s.kafka.topic("cleaned"))
    assert produced_before_crash, "the stage produced nothing before it was killed"
    group = f"{s.kafka.topic_prefix}.clean"
    assert set(committed_offsets(s, s.kafka.topic("raw"), group).values()) == {None}

    counters = build_runner("clean", s).run(until_drained=True, idle_timeout_s=60)
    assert counters.balanced() and counters.dead_lettered == 0

    ids = Counter(decode(r.value).id for r in read_topic(s, s.kafka.topic("cleaned")))  # type: ignore[attr-defined]
    assert set(ids) == {f"article-{i:04d}" for i in range(100)}
    # At-least-once: the killed batch was written again (same keys), nothing else twice.
    assert sum(ids.values()) == 100 + len(produced_before_crash)


def test_poison_message_goes_to_dlq_with_its_bytes_and_the_stage_goes_on(
    kafka_ready: str, isolated_settings: Settings
) -> None:
    s = isolated_settings
    raw_topic = s.kafka.topic("raw")
    ensure_topics(s.kafka, all_topics(s))
    poison = b'{"schema_version": 1, "id": 42, "truncated'
    produce_envelopes(s, raw_topic, [raw_article(1)])
    produce_raw(s, raw_topic, [(b"poison-key", poison)])
    produce_envelopes(s, raw_topic, [raw_article(2), raw_article(3)])

    counters = build_runner("clean", s).run(until_drained=True, idle_timeout_s=60)
    assert (counters.read, counters.written, counters.dead_lettered) == (4, 3, 1)

    cleaned = {decode(r.value).id for r in read_topic(s, s.kafka.topic("cleaned"))}  # type: ignore[attr-defined]
    assert cleaned == {"article-0001", "article-0002", "article-0003"}
    dead = read_topic(s, raw_topic + ".dlq")
    assert len(dead) == 1
    letter: Any = dead[0]
    headers = {k: v.decode() for k, v in letter.headers}
    assert letter.value == poison and letter.key == b"poison-key"
    assert headers["dlq.stage"] == "clean"
    assert headers["dlq.source.topic"] == raw_topic
    assert "not a valid envelope" in headers["dlq.reason"]
    assert headers["dlq.source.offset"].isdigit()


def test_sigterm_finishes_the_batch_commits_and_exits_zero(
    kafka_ready: str, isolated_settings: Settings
) -> None:
    s = isolated_settings
    s.kafka.batch_size = 10
    ensure_topics(s.kafka, all_topics(s))
    produce_envelopes(s, s.kafka.topic("raw"), (raw_article(i) for i in range(300)))

    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "clean"], env=env_for(s), cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while not read_topic(s, s.kafka.topic("cleaned"), timeout_s=5):
        assert process.poll() is None, process.stdout.read().decode()[-2000:]  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the stage produced nothing in 90s"
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=60)[0].decode()
    assert process.returncode == 0, output[-2000:]

    written = {decode(r.value).id for r in read_topic(s, s.kafka.topic("cleaned"))}  # type: ignore[attr-defined]
    committed = committed_offsets(s, s.kafka.topic("raw"), f"{s.kafka.topic_prefix}.clean")
    total_committed = sum(o or 0 for o in committed.values())
    # Everything committed was written, and nothing was written past the commit point.
    assert total_committed == len(written) > 0


def test_run_once_indexes_the_bundled_demo(
    kafka_ready: str, es_ready: Any, isolated_settings: Settings
) -> None:
    s = isolated_settings
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--feeds", "demo/feeds.yaml", "--once"],
        env=env_for(s), cwd=ROOT, timeout=300, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "articles in the index: 6" in result.stdout
    # The reference article's two incidents, with their tolls, in the printed summary.
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["2026-11-19", "Battles", "Abu", "Kamal,", "Syria", "40", "(earlier", "25)", "1"] in rows
    bombing = ["2026-11-17", "Explosions/Remote", "violence", "Deir", "ez-Zor,", "Syria", "12", "2"]
    assert bombing in rows
    es = es_ready
    alias = f"{s.elasticsearch.index_prefix}-articles"
    es.indices.refresh(index=alias)
    assert es.count(index=alias)["count"] == 6
    hits = es.search(index=alias, query={"match": {"text": "car bomb"}}, size=10)["hits"]["hits"]
    titles = {h["_source"]["title"] for h in hits}
    assert any("Deir" in t for t in titles)
    # The page behind one entry is missing (404): its feed summary was indexed instead.
    from_feed = es.search(index=alias, query={"term": {"body_source": "feed"}})["hits"]["hits"]
    assert [h["_source"]["title"] for h in from_feed] == ["Militants attack checkpoint near Kirkuk"]


def test_dlq_replay_sends_dead_letters_back_to_their_topic(
    kafka_ready: str, isolated_settings: Settings
) -> None:
    from pipeline.dlq import replay

    s = isolated_settings
    raw_topic = s.kafka.topic("raw")
    ensure_topics(s.kafka, all_topics(s))
    produce_raw(s, raw_topic, [(b"k1", b"not json 1"), (b"k2", b"not json 2")])
    counters = build_runner("clean", s).run(until_drained=True, idle_timeout_s=60)
    assert counters.dead_lettered == 2

    assert replay(s.kafka, raw_topic + ".dlq") == 2
    back: list[Any] = read_topic(s, raw_topic)
    replayed = [r for r in back if dict(r.headers).get("dlq.replayed") == b"1"]
    assert sorted((r.key, r.value) for r in replayed) == [(b"k1", b"not json 1"), (b"k2", b"not json 2")]
    assert all(not k.startswith("dlq.") or k == "dlq.replayed" for r in replayed for k, _ in r.headers)
    # A second replay finds nothing new: its offsets were committed.
    assert replay(s.kafka, raw_topic + ".dlq", idle_timeout_s=5) == 0
