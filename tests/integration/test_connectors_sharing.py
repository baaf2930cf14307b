"""Two long-running feed connector processes share one feed list through the consumer group on
the state topic: every feed is polled by exactly one of them, and both stop cleanly on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest
import yaml

from pipeline.settings import Settings
from tests.integration.connector_server import ScenarioServer
from tests.integration.kafka_helpers import read_topic

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ["/rss.xml", "/atom.xml", "/rdf.xml", "/etag.xml"]
ASSIGNED = re.compile(r"state partitions assigned \[[^\]]*\]: (\d+) feeds")


class Output:
    """Collects a process's log lines as they come and tracks the feeds it owns right now
    (from its "state partitions assigned/revoked" lines)."""

    def __init__(self, process: subprocess.Popen[bytes], changed: threading.Condition) -> None:
        self.lines: list[str] = []
        self.owned: int | None = None  # None: no assignment in force
        self.assignments = 0
        self._changed = changed
        assert process.stdout is not None
        self._thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            line = raw.decode("utf-8", "replace")
            with self._changed:
                self.lines.append(line)
                assigned = ASSIGNED.search(line)
                if assigned:
                    self.owned = int(assigned.group(1))
                    self.assignments += 1
                elif "state partitions revoked" in line:
                    self.owned = None
                self._changed.notify_all()

    def text(self) -> str:
        self._thread.join(timeout=60)
        return "".join(self.lines)


@pytest.mark.timeout(240)  # a hang guard: the wait below ends on log lines, not on a clock
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
            # Feeds without stored state are due at once: a process polls what it adopts in the
            # same scheduler round as the assignment, and drains that poll before it stops.
            "NEWS_CONNECTORS__SCHEDULE__FIRST_POLL_SPREAD_S": "0",
            "PYTHONPATH": str(ROOT),
        })
        changed = threading.Condition()
        processes = [
            subprocess.Popen([sys.executable, "-m", "pipeline", "feeds", "--feeds", str(feeds)],
                             env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for _ in range(2)
        ]
        outputs = [Output(p, changed) for p in processes]

        def settled() -> bool:
            """Both processes hold an assignment that together covers every feed (no
            rebalance under way), and every feed has been polled."""
            owned = [o.owned for o in outputs]
            return (
                None not in owned
                and sum(o or 0 for o in owned) == len(FEEDS)
                and all(server.requests[p] for p in FEEDS)
            )

        try:
            with changed:
                # Requests are not log lines: look again every second as well.
                while not settled() and all(p.poll() is None for p in processes):
                    changed.wait(1.0)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=60)
        # Any poll started by the final assignment was finished before the process stopped.
        texts = [o.text() for o in outputs]
        assert [p.returncode for p in processes] == [0, 0], "\n".join(t[-2000:] for t in texts)
        assert {p: server.requests[p] for p in FEEDS} == dict.fromkeys(FEEDS, 1)
        assert all(o.assignments for o in outputs), texts
        assert len(read_topic(s, s.kafka.topic("connector-state"))) >= len(FEEDS)
