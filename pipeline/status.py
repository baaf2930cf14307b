"""`python -m pipeline status`: is the pipeline keeping up?

Two reads of every stage's consumer group, ``interval_s`` apart (committed offsets through
kafka-python's admin client, end offsets through a group-less consumer), give per stage and
partition the lag (end offset minus committed offset; a partition never committed counts from
its first offset) and the records committed per minute between the reads. Also shown: the depth
of every dead-letter topic, the feeds failing or backed off (from the connector's state topic) and
the last incident indexed in Elasticsearch.

A stage is **stuck** when it has lag and its committed offsets did not move between the two
reads; ``status`` then exits 1 (0 otherwise), so a cron job or a probe can alert on it. A stage
that is idle with no lag is not stuck.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from pipeline.messaging import DLQ_SUFFIX, client_config
from pipeline.settings import Settings
from pipeline.topology import STEPS


@dataclass
class StageStatus:
    stage: str
    topic: str
    group: str
    lag: int = 0
    partitions: dict[int, int] = field(default_factory=dict)  # partition -> lag
    committed: int = 0
    per_minute: float = 0.0
    stuck: bool = False


@dataclass
class FeedsStatus:
    known: int = 0
    failing: dict[str, str] = field(default_factory=dict)  # url -> last error
    backed_off: list[str] = field(default_factory=list)


@dataclass
class PipelineStatus:
    stages: list[StageStatus]
    dead_letters: dict[str, int]
    last_incident: dict[str, Any] | None
    interval_s: float
    feeds: FeedsStatus = field(default_factory=FeedsStatus)

    @property
    def stuck(self) -> list[str]:
        return [s.stage for s in self.stages if s.stuck]

    def as_json(self) -> str:
        data = asdict(self)
        data["stuck"] = self.stuck
        return json.dumps(data, indent=2, default=str)

    def render(self) -> str:
        lines = [f"{'stage':<13}{'input topic':<28}{'lag':>8}{'per min':>10}  state   partitions"]
        for s in self.stages:
            state = "STUCK" if s.stuck else ("behind" if s.lag else "ok")
            parts = " ".join(f"{p}:{lag}" for p, lag in sorted(s.partitions.items())) or "-"
            lines.append(
                f"{s.stage:<13}{s.topic:<28}{s.lag:>8}{s.per_minute:>10.1f}  {state:<7} {parts}"
            )
        lines.append(f"{'dead-letter topic':<41}{'depth':>8}")
        for topic, depth in sorted(self.dead_letters.items()):
            lines.append(f"{topic:<41}{depth:>8}")
        feeds = self.feeds
        lines.append(f"feeds: {feeds.known} known, {len(feeds.failing)} failing, "
                     f"{len(feeds.backed_off)} backed off")
        for url, error in sorted(feeds.failing.items())[:20]:
            mark = " (backed off)" if url in feeds.backed_off else ""
            lines.append(f"  {url}: {error}{mark}")
        incident = self.last_incident
        if incident is None:
            lines.append("last incident indexed: none")
        else:
            lines.append(
                f"last incident indexed: {incident.get('indexed_at', '-')} "
                f"{incident.get('incident_id', '-')} {incident.get('event_type', '-')}"
            )
        if self.stuck:
            lines.append(f"stuck (lag and no progress in {self.interval_s:.0f}s): "
                         + ", ".join(self.stuck))
        return "\n".join(lines)


class OffsetReader:
    """End, first and committed offsets of the pipeline's topics and groups."""

    def __init__(self, settings: Settings) -> None:
        config = client_config(settings.kafka)
        self._admin = KafkaAdminClient(**config)
        self._consumer = KafkaConsumer(**config, enable_auto_commit=False)

    def partitions(self, topic: str) -> list[TopicPartition]:
        found = self._consumer.partitions_for_topic(topic) or set()
        return [TopicPartition(topic, p) for p in sorted(found)]

    def ends(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        return dict(self._consumer.end_offsets(partitions)) if partitions else {}

    def firsts(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        return dict(self._consumer.beginning_offsets(partitions)) if partitions else {}

    def committed(self, group: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        answer = self._admin.list_group_offsets({group: partitions}).get(group, {})
        return {tp: int(meta.offset) for tp, meta in answer.items() if meta.offset >= 0}

    def close(self) -> None:
        self._consumer.close()
        self._admin.close()


def _read_stages(reader: OffsetReader, settings: Settings) -> list[StageStatus]:
    stages: list[StageStatus] = []
    for current in STEPS:
        topic = settings.kafka.topic(current.input)
        status = StageStatus(current.name, topic, f"{settings.kafka.topic_prefix}.{current.name}")
        partitions = reader.partitions(topic)
        ends, firsts = reader.ends(partitions), reader.firsts(partitions)
        committed = reader.committed(status.group, partitions)
        for tp in partitions:
            done = committed.get(tp, firsts.get(tp, 0))
            status.partitions[tp.partition] = max(0, ends.get(tp, 0) - done)
            status.committed += done
        status.lag = sum(status.partitions.values())
        stages.append(status)
    return stages


def dead_letter_depths(reader: OffsetReader, settings: Settings) -> dict[str, int]:
    names = ["raw"] + [s.output for s in STEPS if s.output]
    depths: dict[str, int] = {}
    for name in names:
        topic = settings.kafka.topic(name) + DLQ_SUFFIX
        partitions = reader.partitions(topic)
        ends, firsts = reader.ends(partitions), reader.firsts(partitions)
        depths[topic] = sum(ends[tp] - firsts.get(tp, 0) for tp in partitions)
    return depths


def feeds_status(reader: OffsetReader, settings: Settings) -> FeedsStatus:
    """The feeds' last known state, from the connector's compacted state topic."""
    from connectors.publisher import KafkaStateStore

    status = FeedsStatus()
    topic = settings.kafka.topic(settings.connectors.state_topic)
    partitions = reader.partitions(topic)
    if not partitions:  # no connector has run yet
        return status
    store = KafkaStateStore(settings.kafka, settings.connectors)
    try:
        states = store.load_partitions(tp.partition for tp in partitions)
    finally:
        store.close()
    status.known = len(states)
    for url, state in sorted(states.items()):
        if state.failures:
            status.failing[url] = state.last_error or f"{state.failures} failures"
        if state.backed_off:
            status.backed_off.append(url)
    return status


def last_incident(settings: Settings) -> dict[str, Any] | None:
    from pipeline.search_setup import client, events_alias

    es = client(settings.elasticsearch)
    try:
        hits = es.search(
            index=events_alias(settings.elasticsearch), size=1, sort=[{"indexed_at": "desc"}],
            source_includes=["incident_id", "indexed_at", "event_type", "date"],
            ignore_unavailable=True, allow_no_indices=True,
        )["hits"]["hits"]
    finally:
        es.close()
    return dict(hits[0]["_source"]) if hits else None


def read_status(
    settings: Settings, interval_s: float = 5.0, sleep: Callable[[float], None] = time.sleep
) -> PipelineStatus:
    reader = OffsetReader(settings)
    try:
        first = _read_stages(reader, settings)
        sleep(interval_s)
        second = _read_stages(reader, settings)
        dead = dead_letter_depths(reader, settings)
        feeds = feeds_status(reader, settings)
    finally:
        reader.close()
    for before, after in zip(first, second, strict=True):
        moved = after.committed - before.committed
        after.per_minute = moved * 60 / interval_s if interval_s > 0 else 0.0
        after.stuck = after.lag > 0 and moved == 0
    return PipelineStatus(second, dead, last_incident(settings), interval_s, feeds)


def _cmd_status(args: Any, settings: Settings) -> int:
    status = read_status(settings, interval_s=args.interval)
    print(status.as_json() if args.json else status.render())
    return 1 if status.stuck else 0


def register(commands: Any) -> None:
    """Add ``status`` to the CLI's subcommands."""
    parser = commands.add_parser(
        "status", help="lag per stage, dead-letter depth, last incident; exit 1 when a stage is stuck"
    )
    parser.add_argument("--json", action="store_true", help="JSON for scripts")
    parser.add_argument(
        "--interval", type=float, default=5.0,
        help="seconds between the two reads that measure progress (default 5)",
    )
    parser.set_defaults(handler=_cmd_status)
