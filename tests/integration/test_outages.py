"""Outages against the real engines: the tag stage waits for its Elasticsearch (stopped, then
started again) instead of dead-lettering good articles, and the sink waits on an index write
block (``index.blocks.write``, or the flood-stage block ``read_only_allow_delete``) instead of
stopping for refused credentials. Nothing is lost, nothing dead-lettered."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pipeline.envelope import decode
from pipeline.messaging import ensure_topics
from pipeline.search_setup import articles_alias, articles_index, client, ensure_templates
from pipeline.settings import Settings
from pipeline.topology import all_topics, build_runner
from tests.integration.es_node import SpareNode
from tests.integration.kafka_helpers import committed_offsets, produce_envelopes, read_topic
from tests.integration.sink_helpers import (
    Background,
    all_ids,
    count,
    drop_indices,
    sink_runner,
    tagged_envelope,
)
from tests.integration.test_tag_workers import gulf_report

pytestmark = pytest.mark.integration


def wait_for(condition: Callable[[], bool], what: str, thread: Background, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert thread.is_alive(), f"stopped before {what}: {thread.error!r}"
        assert time.monotonic() < deadline, f"not {what} in {timeout_s:.0f}s"
        time.sleep(0.5)


@pytest.fixture
def spare_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpareNode]:
    node = SpareNode(tmp_path_factory.mktemp("tag-es"))
    node.start()
    yield node
    node.stop()


def test_tag_stage_waits_for_elasticsearch_and_dead_letters_nothing(
    spare_node: SpareNode, kafka_ready: str, isolated_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    s = isolated_settings
    s.elasticsearch.url = spare_node.url
    s.elasticsearch.request_timeout_s = 5.0
    s.runner.retry_initial_backoff_s = 0.2
    s.runner.retry_max_backoff_s = 2.0
    s.runner.keepalive_interval_s = 1.0
    s.kafka.batch_size = 5
    ensure_topics(s.kafka, all_topics(s))
    source, target = s.kafka.topic("deduplicated"), s.kafka.topic("tagged")
    total = 12
    produce_envelopes(s, source, [gulf_report(n) for n in range(total)])
    runner = build_runner("tag", s)  # the stage's incident store on the spare node
    spare_node.stop()

    tag = Background(runner.run)
    tag.start()
    wait_for(
        lambda: "unavailable, waiting" in caplog.text or runner.counters.dead_lettered > 0,
        "waiting", tag, 120,
    )
    spare_node.start()
    wait_for(
        lambda: sum(o or 0 for o in committed_offsets(s, source, f"{s.kafka.topic_prefix}.tag").values())
        >= total,
        "caught up", tag, 180,
    )
    runner.request_stop()
    tag.join(60)
    assert tag.error is None
    assert read_topic(s, source + ".dlq", timeout_s=5) == []
    tagged = sorted(decode(r.value).id for r in read_topic(s, target))  # type: ignore[attr-defined]
    assert tagged == sorted(f"gulf-{n}" for n in range(total))
    assert runner.counters.dead_lettered == 0 and runner.counters.balanced()
    assert "commit failed after a rebalance" not in caplog.text


@pytest.mark.parametrize(
    "block", ["index.blocks.write", "index.blocks.read_only_allow_delete"]
)
def test_sink_waits_on_a_write_block_and_goes_on_once_it_is_lifted(
    block: str, kafka_ready: str, es_ready: Any, isolated_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    s = isolated_settings
    s.elasticsearch.auth_failure_attempts = 2  # a block counted as credentials would stop at once
    s.elasticsearch.retry_initial_backoff_s = 0.2
    s.elasticsearch.retry_max_backoff_s = 1.0
    s.elasticsearch.keepalive_interval_s = 0.5
    s.elasticsearch.linger_ms = 50
    es = client(s.elasticsearch)
    ensure_templates(es, s.elasticsearch)
    topic = s.kafka.topic("tagged")
    ensure_topics(s.kafka, [topic, topic + ".dlq"])
    envelopes = [tagged_envelope(n) for n in range(20)]
    index = articles_index(s.elasticsearch, envelopes[0].first_seen)
    es.indices.create(index=index)
    es.indices.put_settings(index=index, settings={block: True})
    produce_envelopes(s, topic, envelopes)
    runner, output = sink_runner(s, f"{s.kafka.topic_prefix}.index")
    sink = Background(runner.run)
    sink.start()
    try:
        wait_for(lambda: output.stats.get("blocked_waits", 0) >= 5, "blocked", sink, 120)
        es.indices.put_settings(index=index, settings={block: None})
        wait_for(lambda: count(es, articles_alias(s.elasticsearch)) >= 20, "indexed", sink, 120)
        runner.request_stop()
        sink.join(60)
        assert sink.error is None
        assert all_ids(es, articles_alias(s.elasticsearch)) == [f"article-{n:04d}" for n in range(20)]
    finally:
        runner.request_stop()
        drop_indices(es, s.elasticsearch.index_prefix)
    assert runner.counters.dead_lettered == 0 and runner.counters.balanced()
    assert read_topic(s, topic + ".dlq", timeout_s=5) == []
    assert "index write block" in caplog.text and "credentials" not in caplog.text
