"""Two long-running feed connector processes share one feed list through the consumer group on
the state topic: every feed is polled by exactly one of them, and both stop cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from pipeline.settings import Settings
from tests.integration.connector_server import ScenarioServer
from tests.integration.kafka_helpers import read_topic

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ["/rss.xml", "/atom.xml", "/rdf.xml", "/etag.xml"]


def test_two_processes_split_the_feeds_and_poll_each_once(
    kafka_ready: str, isolated_settings: Settings, tmp_path: Path
) -> None:
    s = isolated_settings
    with ScenarioServer() as server:
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(yaml.safe_dump({"feeds": [{"url": server.url(p)} for p in FEEDS]}))
        env = dict(os.environ)
        env.update({
            "NEWS_KAFKA__TOPIC_PREFIX": s.kafka.topic_prefix,
            "NEWS_FETCH__ALLOWED_NETWORKS": '["127.0.0.1/32"]',
            "NEWS_FETCH__PER_HOST_DELAY_S": "0",
            "NEWS_FETCH__DEADLINE_S": "2",
            "NEWS_CONNECTORS__SCHEDULE__FIRST_POLL_SPREAD_S": "1",
            "PYTHONPATH": str(ROOT),
        })
        processes = [
            subprocess.Popen([sys.executable, "-m", "pipeline", "feeds", "--feeds", str(feeds)],
                             env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for _ in range(2)
        ]
        try:
            deadline = time.monotonic() + 60
            while sum(server.requests[p] for p in FEEDS) < len(FEEDS) and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(3)  # room for a duplicate poll to show up, if there were one
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            outputs = [p.communicate(timeout=60)[0].decode() for p in processes]
        assert [p.returncode for p in processes] == [0, 0], "\n".join(o[-2000:] for o in outputs)
        assert {p: server.requests[p] for p in FEEDS} == dict.fromkeys(FEEDS, 1)
        owned = [o.count("state partitions assigned") for o in outputs]
        assert all(owned), outputs
        assert len(read_topic(s, s.kafka.topic("connector-state"))) >= len(FEEDS)
