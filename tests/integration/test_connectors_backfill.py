"""`pipeline backfill urls|sitemap` against the local server and the real Kafka: pages land in
the raw topic, failures are counted and recorded, the run goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.envelope import decode
from pipeline.settings import Settings
from tests.integration.connector_server import ScenarioServer
from tests.integration.kafka_helpers import read_topic

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[ScenarioServer]:
    with ScenarioServer() as running:
        yield running


def backfill(s: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update({
        "NEWS_KAFKA__TOPIC_PREFIX": s.kafka.topic_prefix,
        "NEWS_FETCH__ALLOWED_NETWORKS": '["127.0.0.1/32"]',
        "NEWS_FETCH__PER_HOST_DELAY_S": "0",
        "NEWS_FETCH__DEADLINE_S": "2",
        "NEWS_FETCH__READ_TIMEOUT_S": "1",
        "PYTHONPATH": str(ROOT),
    })
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "backfill", "--rate", "20", *args],
        env=env, cwd=ROOT, timeout=120, capture_output=True, text=True,
    )


def test_backfill_a_url_list_with_progress_and_counted_failures(
    kafka_ready: str, isolated_settings: Settings, server: ScenarioServer, tmp_path: Path
) -> None:
    s = isolated_settings
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join([
        "# a comment",
        server.url("/articles/a1.html?utm_source=newsletter"),
        server.url("/articles/cyrillic.html"),
        server.url("/articles/gone.html"),
        server.url("/private/secret.html"),
        server.url("/articles/a1.html"),  # the same page again
    ]), encoding="utf-8")
    result = backfill(s, "urls", str(listing))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "published 2" in result.stdout and "page-http-410=1" in result.stdout
    assert "page-robots-disallowed=1" in result.stdout
    assert "page/s" in result.stderr or "%" in result.stderr  # the progress bar
    published = [decode(r.value) for r in read_topic(s, s.kafka.topic("raw"))]  # type: ignore[attr-defined]
    assert sorted(str(e.url) for e in published) == sorted(
        [server.url("/articles/a1.html"), server.url("/articles/cyrillic.html")])
    assert all(e.source.startswith("backfill:") and e.raw.body_source == "page" for e in published)
    reasons = {json.loads(r.value)["reason"] for r in read_topic(s, s.kafka.topic("fetch-errors"))}  # type: ignore[attr-defined]
    assert {"http-410", "robots-disallowed"} <= reasons


def test_backfill_a_google_news_sitemap_index(
    kafka_ready: str, isolated_settings: Settings, server: ScenarioServer
) -> None:
    s = isolated_settings
    result = backfill(s, "--no-progress", "sitemap", server.url("/sitemap.xml"))
    assert result.returncode == 0, result.stderr[-3000:]
    published = [decode(r.value) for r in read_topic(s, s.kafka.topic("raw"))]  # type: ignore[attr-defined]
    assert sorted(str(e.feed.title) for e in published if e.feed) == [
        "Sitemap story 1", "Sitemap story 2", "Sitemap story 3"]
    assert all(e.feed is not None and e.feed.published is not None for e in published)
