"""Sink throughput against a bare ``elasticsearch.helpers.bulk`` loop, same documents, same run.

Both sides index the same tagged envelopes (articles, a quarter of them with an incident) into
fresh indices of the local Elasticsearch node, in batches of the sink's ``bulk_max_docs``:

* baseline: build the article and incident documents of a batch and hand them to
  ``helpers.bulk`` (no retries, no dead letters, no incident placement);
* sink: ``ElasticsearchOutput.write`` on the batch of envelopes (documents, byte/count bounds,
  per-item outcomes, incident lookup).

Runs alternate between the two so that drift of the node affects both; the reported ratio is
sink throughput / baseline throughput over the medians (target: >= 0.9).

    python -m benchmarks.sink [--docs 6000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from elasticsearch import Elasticsearch, helpers

from pipeline.envelope import CleanedContent, DedupInfo, Envelope, Stage, Tags
from pipeline.index import (
    ElasticsearchOutput,
    article_document,
    incident_document,
    incident_month,
)
from pipeline.search_setup import (
    articles_index,
    client,
    ensure_templates,
    events_index,
)
from pipeline.settings import ElasticsearchSettings, load_settings

PARAGRAPH = (
    "Gunmen attacked a crowded market in the north of the country on Friday, killing at least "
    "three people and wounding two others, local police and hospital officials said. Witnesses "
    "described men on motorcycles firing into the crowd before fleeing towards the hills. "
)


def envelopes(count: int) -> list[Envelope]:
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 11, 1, tzinfo=UTC)
    out: list[Envelope] = []
    for n in range(count):
        incidents: tuple[dict[str, Any], ...] = ()
        if n % 4 == 0:
            incidents = (
                {
                    "incident_id": f"incident-{n // 4:06d}",
                    "event_type": "Violence against civilians",
                    "sub_event_type": "Attack",
                    "date": f"2026-10-{1 + n % 28:02d}",
                    "date_precision": "day",
                    "location": {
                        "name": "Kaduna", "country": "Nigeria", "admin1": "Kaduna",
                        "geo": {"lat": 10.52, "lon": 7.44}, "precision": "city",
                    },
                    "actors": ["Unidentified armed group"],
                    "fatalities": 3,
                    "injured": 2,
                    "article_ids": [f"article-{n:06d}"],
                    "sources": ["news.example"],
                    "fatalities_history": [2, 3],
                    "evidence": [PARAGRAPH[:120]],
                },
            )
        text = PARAGRAPH * 12  # about 3 kB, a typical news article
        out.append(
            Envelope(
                id=f"article-{n:06d}",
                url=f"https://news.example/{n}",
                source="https://news.example/feed.xml",
                stage=Stage.TAGGED,
                first_seen=start + timedelta(seconds=n),
                cleaned=CleanedContent(
                    title=f"Gunmen attack market ({n})", text=text, language="en",
                    word_count=len(text.split()),
                ),
                dedup=DedupInfo(content_hash=f"{n:032x}", story_id=f"article-{n:06d}"),
                tags=Tags(
                    actors=("Unidentified armed group",),
                    incident_ids=tuple(i["incident_id"] for i in incidents),
                    incidents=incidents,
                ),
            )
        )
    return out


def batches(items: Sequence[Envelope], size: int) -> Iterator[Sequence[Envelope]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def baseline_actions(batch: Sequence[Envelope], settings: ElasticsearchSettings) -> list[Any]:
    actions: list[dict[str, Any]] = []
    for envelope in batch:
        actions.append(
            {
                "_index": articles_index(settings, envelope.first_seen),
                "_id": envelope.id,
                "_source": article_document(envelope),
            }
        )
        for incident in envelope.tags.incidents if envelope.tags else ():
            doc = incident_document(incident, envelope)
            actions.append(
                {
                    "_index": events_index(settings, incident_month(doc)),
                    "_id": doc["incident_id"],
                    "_source": doc,
                }
            )
    return actions


def run_baseline(es: Elasticsearch, settings: ElasticsearchSettings, docs: list[Envelope]) -> float:
    started = time.perf_counter()
    for batch in batches(docs, settings.bulk_max_docs):
        helpers.bulk(
            es, baseline_actions(batch, settings),
            chunk_size=settings.bulk_max_docs, max_chunk_bytes=settings.bulk_max_bytes,
        )
    return time.perf_counter() - started


def run_sink(es: Elasticsearch, settings: ElasticsearchSettings, docs: list[Envelope]) -> float:
    output = ElasticsearchOutput(es, settings)
    started = time.perf_counter()
    for batch in batches(docs, settings.bulk_max_docs):
        report = output.write(batch)
        if report.permanent or report.retriable:
            raise RuntimeError(f"the sink failed documents: {report}")
    return time.perf_counter() - started


def _fresh(es: Elasticsearch, base: ElasticsearchSettings, tag: str) -> ElasticsearchSettings:
    settings = base.model_copy(update={"index_prefix": f"bench{tag}{uuid.uuid4().hex[:6]}"})
    ensure_templates(es, settings)
    return settings


def _drop(es: Elasticsearch, settings: ElasticsearchSettings) -> int:
    prefix = settings.index_prefix
    es.indices.refresh(index=f"{prefix}-*")
    counted = int(es.count(index=f"{prefix}-articles,{prefix}-events")["count"])
    names = list(es.indices.get(index=f"{prefix}-*"))
    if names:
        es.indices.delete(index=",".join(names))
    for name in (f"{prefix}-articles", f"{prefix}-events"):
        es.options(ignore_status=404).indices.delete_index_template(name=name)
    return counted


def run(docs: int = 6000, rounds: int = 5) -> dict[str, Any]:
    base = load_settings().elasticsearch
    es = client(base)
    data = envelopes(docs)
    expected = docs + (docs + 3) // 4
    times: dict[str, list[float]] = {"baseline": [], "sink": []}
    # A warm-up of each side, not counted (JIT of the node, connection set-up).
    for fn in (run_baseline, run_sink):
        settings = _fresh(es, base, "w")
        fn(es, settings, data[:1000])
        _drop(es, settings)
    for round_number in range(rounds):
        order = ("baseline", "sink") if round_number % 2 == 0 else ("sink", "baseline")
        for name in order:
            settings = _fresh(es, base, name[0])
            elapsed = (run_baseline if name == "baseline" else run_sink)(es, settings, data)
            counted = _drop(es, settings)
            if counted != expected:
                raise RuntimeError(f"{name}: {counted} documents indexed, expected {expected}")
            times[name].append(elapsed)
    baseline = statistics.median(times["baseline"])
    sink = statistics.median(times["sink"])
    return {
        "benchmark": "sink",
        "envelopes": docs,
        "documents": expected,
        "rounds": rounds,
        "baseline_docs_per_s": round(expected / baseline, 1),
        "sink_docs_per_s": round(expected / sink, 1),
        "ratio": round(baseline / sink, 3),
        "target": 0.9,
        "seconds": {k: [round(v, 3) for v in vs] for k, vs in times.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=6000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(run(args.docs, args.rounds), indent=2))


if __name__ == "__main__":
    main()
