"""`pipeline status` against the real broker and node: lag, progress, dead letters, last incident."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.publisher import KafkaStateStore, ensure_connector_topics
from connectors.state import FeedState
from pipeline.messaging import ensure_topics
from pipeline.search_setup import ensure_templates, events_index
from pipeline.settings import Settings
from pipeline.status import read_status
from pipeline.topology import all_topics, build_runner
from tests.integration.kafka_helpers import produce_envelopes, produce_raw
from tests.integration.test_backbone import ROOT, env_for, raw_article

pytestmark = pytest.mark.integration


def status_command(settings: Settings) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "status", "--json", "--interval", "1"],
        env=env_for(settings), cwd=ROOT, timeout=120, capture_output=True,
    )
    return done.returncode, json.loads(done.stdout)


def test_status_reports_lag_stuck_stages_dead_letters_and_the_last_incident(
    kafka_ready: str, es_ready: Any, isolated_settings: Settings
) -> None:
    s = isolated_settings
    ensure_topics(s.kafka, all_topics(s))
    rc, idle = status_command(s)
    assert rc == 0 and idle["stuck"] == []
    assert all(stage["lag"] == 0 for stage in idle["stages"])

    produce_envelopes(s, s.kafka.topic("raw"), (raw_article(i) for i in range(6)))
    produce_raw(s, s.kafka.topic("raw"), [(b"poison", b"{nope")])
    rc, waiting = status_command(s)
    clean = next(stage for stage in waiting["stages"] if stage["stage"] == "clean")
    assert rc == 1 and waiting["stuck"] == ["clean"]
    assert clean["lag"] == 7 and clean["group"] == f"{s.kafka.topic_prefix}.clean"
    assert sum(clean["partitions"].values()) == 7

    counters = build_runner("clean", s).run(until_drained=True, idle_timeout_s=60)
    assert counters.balanced()
    es = es_ready
    ensure_connector_topics(s.kafka, s.connectors)
    ensure_templates(es, s.elasticsearch)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    es.index(  # type: ignore[attr-defined]
        index=events_index(s.elasticsearch, now), id="inc-1", refresh=True,
        document={"incident_id": "inc-1", "event_type": "Protests", "date": now.isoformat(),
                  "indexed_at": now.isoformat()},
    )
    store = KafkaStateStore(s.kafka, s.connectors)
    store.save(FeedState(url="https://down.example/feed.rss", failures=6, backed_off=True,
                         last_error="feed-http-503"))
    store.save(FeedState(url="https://fine.example/feed.rss"))
    store.close()
    status = read_status(s, interval_s=0.5)
    assert status.feeds.known == 2
    assert status.feeds.failing == {"https://down.example/feed.rss": "feed-http-503"}
    assert status.feeds.backed_off == ["https://down.example/feed.rss"]
    by_stage = {stage.stage: stage for stage in status.stages}
    assert by_stage["clean"].lag == 0 and not by_stage["clean"].stuck
    assert by_stage["deduplicate"].lag == 6 and by_stage["deduplicate"].stuck
    assert status.dead_letters[s.kafka.topic("raw") + ".dlq"] == 1
    assert status.last_incident is not None and status.last_incident["incident_id"] == "inc-1"
    table = status.render()
    assert "STUCK" in table and "feed-http-503 (backed off)" in table
    assert "inc-1" in table and s.kafka.topic("raw.dlq") in table
