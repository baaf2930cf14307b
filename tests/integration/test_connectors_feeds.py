"""The feed connector end to end against the local scenario server and the real Kafka: what is
published to the raw topic, what is recorded as a fetch error, what is kept as state, and what a
restarted connector process does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.commands import publish_feeds_once
from connectors.feedlist import FeedSpec
from connectors.state import FeedState
from pipeline.envelope import Envelope, decode
from pipeline.settings import Settings
from tests.integration.connector_server import ScenarioServer
from tests.integration.kafka_helpers import read_topic

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

GOOD = ["/rss.xml", "/atom.xml", "/rdf.xml", "/etag.xml"]
BAD = ["/malformed.xml", "/html-feed.xml", "/429.xml", "/500.xml", "/loop-a.xml", "/to-private.xml"]


@pytest.fixture
def server() -> Iterator[ScenarioServer]:
    with ScenarioServer() as running:
        yield running


def configure(s: Settings) -> Settings:
    s.fetch.allowed_networks = ("127.0.0.1/32",)  # the guard stays on for everything else
    s.fetch.connect_timeout_s = 1.0
    s.fetch.read_timeout_s = 1.0
    s.fetch.deadline_s = 2.0
    s.fetch.max_bytes = 1024 * 1024
    s.fetch.per_host_delay_s = 0.0
    s.connectors.schedule.first_poll_spread_s = 0.0
    s.connectors.per_host_feed_concurrency = 4
    return s


def envelopes(s: Settings) -> list[Envelope]:
    return [decode(r.value) for r in read_topic(s, s.kafka.topic("raw"))]  # type: ignore[attr-defined]


def fetch_errors(s: Settings) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in read_topic(s, s.kafka.topic("fetch-errors"))]  # type: ignore[attr-defined]


def states(s: Settings) -> dict[str, FeedState]:
    latest: dict[str, FeedState] = {}
    for record in read_topic(s, s.kafka.topic("connector-state")):
        latest[record.key.decode()] = FeedState.decode(record.value)  # type: ignore[attr-defined]
    return latest


@pytest.mark.timeout(180)  # a hang guard: the slow pages are cut by the fetch deadline
def test_every_scenario_is_published_or_recorded_and_the_connector_keeps_going(
    kafka_ready: str, isolated_settings: Settings, server: ScenarioServer
) -> None:
    s = configure(isolated_settings)
    specs = [FeedSpec(url=server.url(path)) for path in GOOD + BAD]
    report = publish_feeds_once(specs, s)

    published = envelopes(s)
    by_title = {e.feed.title: e for e in published if e.feed}
    # RSS 2.0 (6 entries, one of them disallowed by robots.txt), Atom, RDF and the ETag feed.
    assert report.feeds == len(specs) and report.published == len(published) == 9
    assert {"Atom story", "RDF story", "ETag story"} <= set(by_title)
    protest = by_title["Bread protest"]
    assert protest.raw.body_source == "page" and protest.url == server.url("/articles/protest.html")
    cyrillic = by_title["Взрыв в центре"].raw
    assert cyrillic.body_source == "page" and "двенадцати человек" in (cyrillic.body or "")
    # Pages that could not be had: the feed's summary, marked with why.
    for title, why in [("Slow page", "deadline"), ("Bomb page", "too-large"), ("Gone page", "http-410"),
                       ("Disallowed by robots", "robots-disallowed")]:
        raw = by_title[title].raw
        assert raw.body_source == "feed" and raw.body == f"Feed summary of {title}.", title
        assert (raw.fetch_error or "").startswith(why), (title, raw.fetch_error)
    assert server.requests["/private/secret.html"] == 0

    # Every failure: counted, and a fetch-error record with the same reason.
    expected = {"feed-malformed", "feed-not-a-feed", "feed-http-429", "feed-http-500",
                "feed-redirect-loop", "feed-blocked-address", "page-deadline", "page-too-large",
                "page-http-410", "page-robots-disallowed"}
    assert expected <= set(report.errors), report.errors
    recorded = {f"{r['kind']}-{r['reason']}" for r in fetch_errors(s)}
    assert expected <= recorded

    saved = states(s)
    assert set(saved) == {spec.url for spec in specs}
    limited = saved[server.url("/429.xml")]
    assert limited.failures == 1 and limited.next_poll_reason == "retry-after"
    assert limited.next_poll is not None and limited.last_poll is not None
    assert (limited.next_poll - limited.last_poll).total_seconds() >= 3600
    assert saved[server.url("/rss.xml")].ttl_s == 1800
    assert saved[server.url("/etag.xml")].etag == '"etag-v1"'

    # A second pass: the ETag feed answers 304, nothing is published twice.
    second = publish_feeds_once(specs, s)
    assert second.published == 0 and second.not_modified >= 1
    assert server.headers_seen["/etag.xml"][-1].get("If-None-Match") == '"etag-v1"'
    assert len(envelopes(s)) == 9


def write_feeds(path: Path, urls: list[str]) -> Path:
    path.write_text(yaml.safe_dump({"feeds": [{"url": u} for u in urls]}), encoding="utf-8")
    return path


def run_connector(s: Settings, feeds: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update({
        "NEWS_KAFKA__TOPIC_PREFIX": s.kafka.topic_prefix,
        "NEWS_KAFKA__PARTITIONS": str(s.kafka.partitions),
        "NEWS_FETCH__ALLOWED_NETWORKS": '["127.0.0.1/32"]',
        "NEWS_FETCH__PER_HOST_DELAY_S": "0",
        "NEWS_FETCH__DEADLINE_S": "2",
        "NEWS_FETCH__READ_TIMEOUT_S": "1",
        "PYTHONPATH": str(ROOT),
    })
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "feeds", "--feeds", str(feeds), "--once"],
        env=env, cwd=ROOT, timeout=120, capture_output=True, text=True,
    )


def test_a_restarted_connector_publishes_nothing_twice_and_misses_nothing_new(
    kafka_ready: str, isolated_settings: Settings, server: ScenarioServer, tmp_path: Path
) -> None:
    s = isolated_settings
    server.rss_items = [("g1", "/articles/a1.html", "First"), ("g2", "/articles/a2.html", "Second")]
    feeds = write_feeds(tmp_path / "feeds.yaml", [server.url("/rss.xml")])

    first = run_connector(s, feeds)
    assert first.returncode == 0, first.stderr[-3000:]
    assert sorted(str(e.feed.title) for e in envelopes(s) if e.feed) == ["First", "Second"]

    # While the connector is down: one entry is corrected, one is new.
    server.rss_items = [("g3", "/articles/a3.html", "Third"),
                        ("g1", "/articles/a1.html", "First (corrected)"),
                        ("g2", "/articles/a2.html", "Second")]
    second = run_connector(s, feeds)
    assert second.returncode == 0, second.stderr[-3000:]
    third = run_connector(s, feeds)  # nothing changed since: nothing published
    assert third.returncode == 0, third.stderr[-3000:]

    published = envelopes(s)
    titles = Counter(e.feed.title for e in published if e.feed)
    assert titles == Counter({"First": 1, "Second": 1, "Third": 1, "First (corrected)": 1})
    first_version = next(e for e in published if e.feed and e.feed.title == "First")
    correction = next(e for e in published if e.feed and e.feed.title == "First (corrected)")
    assert (correction.id, correction.revision) == (first_version.id, 1)
    assert correction.first_seen == first_version.first_seen
    assert len({e.id for e in published}) == 3
