"""Which stage reads which topic and writes where, and how a runner is assembled for it.

    connectors -> <prefix>.raw -> clean -> <prefix>.cleaned -> deduplicate
      -> <prefix>.deduplicated -> tag -> <prefix>.tagged -> index -> Elasticsearch

Each stage's dead letters go to ``<its input topic>.dlq``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.messaging import (
    DLQ_SUFFIX,
    ConsumerKeepalive,
    InboundSource,
    KafkaDeadLetters,
    KafkaOutput,
    KafkaSource,
    LingeringSource,
    Output,
    ensure_topics,
    make_producer,
)
from pipeline.observability import (
    LabelledCollector,
    ReadinessKeepalive,
    StatsCollector,
    Telemetry,
)
from pipeline.runner import StageRunner
from pipeline.settings import Settings
from pipeline.stages.base import StageFunction


@dataclass(frozen=True)
class Step:
    name: str
    input: str
    output: str | None  # None: the step writes to Elasticsearch


# A lingering stage's batch is bounded by the record count; this only keeps a batch of huge
# records in check.
LINGER_MAX_BYTES = 32 * 1024 * 1024

STEPS: tuple[Step, ...] = (
    Step("clean", "raw", "cleaned"),
    Step("deduplicate", "cleaned", "deduplicated"),
    Step("tag", "deduplicated", "tagged"),
    Step("index", "tagged", None),
)


def step(name: str) -> Step:
    for candidate in STEPS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no stage named {name!r}; stages: {', '.join(s.name for s in STEPS)}")


def all_topics(settings: Settings) -> list[str]:
    names = ["raw"] + [s.output for s in STEPS if s.output]
    topics = [settings.kafka.topic(n) for n in names]
    return topics + [t + DLQ_SUFFIX for t in topics]


def make_stage(name: str, settings: Settings) -> StageFunction:
    """The stage implementation for a step name."""
    if name == "clean":
        from pipeline.stages.clean import CleanStage

        return CleanStage()
    if name == "deduplicate":
        from pipeline.stages.deduplicate import DeduplicateStage

        return DeduplicateStage.from_settings(settings)
    if name == "tag":
        from pipeline.stages.tag import TagStage

        return TagStage.from_settings(settings)
    if name == "index":
        from pipeline.stages.passthrough import Identity

        return Identity()
    raise KeyError(name)


def _sink(
    current: Step,
    settings: Settings,
    kafka_source: KafkaSource,
    keepalive: ConsumerKeepalive | ReadinessKeepalive,
    telemetry: Telemetry | None,
) -> tuple[Output, InboundSource]:
    """The sink's output, and its source lingering for full bulk requests."""
    from pipeline.index import ElasticsearchOutput
    from pipeline.search_setup import client

    es = settings.elasticsearch
    # Bulk requests fill up to their count/byte bounds or the linger time.
    sink = ElasticsearchOutput(client(es), es, keepalive=keepalive)
    if telemetry is not None:
        telemetry.watch(StatsCollector("news_bulk", current.name, sink.stats))
        telemetry.watch(LabelledCollector(
            "news_bulk_retried", "status", current.name, sink.retried_by_status
        ))
    source = LingeringSource(kafka_source, es.linger_ms / 1000, es.bulk_max_docs, es.bulk_max_bytes)
    return sink, source


def build_runner(
    name: str,
    settings: Settings,
    stage: StageFunction | None = None,
    group_id: str | None = None,
    telemetry: Telemetry | None = None,
) -> StageRunner:
    """The runner of a step; with ``telemetry`` its counters, waits and lag are exported."""
    current = step(name)
    ensure_topics(settings.kafka, all_topics(settings))
    kafka_source = KafkaSource(
        settings.kafka,
        settings.kafka.topic(current.input),
        group_id or f"{settings.kafka.topic_prefix}.{current.name}",
    )
    source: InboundSource = kafka_source
    # While Elasticsearch or Kafka is unreachable the keepalive keeps the consumer in its group.
    keepalive: ConsumerKeepalive | ReadinessKeepalive = ConsumerKeepalive(kafka_source.consumer)
    if telemetry is not None:
        keepalive = ReadinessKeepalive(keepalive, telemetry.health)
    output: Output
    if current.output is None:
        output, source = _sink(current, settings, kafka_source, keepalive, telemetry)
    else:
        output = KafkaOutput(
            make_producer(settings.kafka),
            settings.kafka.topic(current.output),
            settings.kafka.max_record_bytes,
        )
        linger_ms = settings.runner.batch_linger_ms
        if linger_ms:
            source = LingeringSource(
                kafka_source, linger_ms / 1000, settings.kafka.batch_size, LINGER_MAX_BYTES
            )
    return StageRunner(
        stage=stage or make_stage(name, settings),
        source=source,
        output=output,
        dead_letters=KafkaDeadLetters(
            make_producer(settings.kafka), settings.kafka.max_record_bytes
        ),
        settings=settings.runner,
        batch_size=settings.kafka.batch_size,
        poll_timeout_ms=settings.kafka.poll_timeout_ms,
        keepalive=keepalive,
        telemetry=telemetry.stage(name, kafka_source.lag) if telemetry is not None else None,
    )
