"""Throughput and memory of the tag stage, on documents built from the evaluation texts.

``run(n_docs)`` warms the stage up (gazetteer and spaCy load once per process; the load time and
its memory are reported separately), then tags ``n_docs`` envelopes through
:class:`~pipeline.stages.tag.TagStage`, fusing into an in-memory store and flushing every 100
documents as the runner would.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.envelope import CleanedContent, Envelope, Stage
from pipeline.stages.tag import TagStage
from pipeline.tagging.evaluation import DEFAULT_DATA, load
from pipeline.tagging.fusion import InMemoryIncidentStore


def _rss_bytes() -> int:
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:  # pragma: no cover - psutil is a dev dependency
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def _envelopes(n_docs: int) -> list[Envelope]:
    items = load(DEFAULT_DATA)
    out: list[Envelope] = []
    for i in range(n_docs):
        item = items[i % len(items)]
        published = datetime.fromisoformat(item["published"]).replace(tzinfo=UTC) + timedelta(
            days=i // len(items)
        )
        out.append(
            Envelope(
                id=f"bench-{i}",
                url=f"https://bench.example/{i}",
                source="bench",
                first_seen=published,
                stage=Stage.DEDUPLICATED,
                cleaned=CleanedContent(
                    title=item.get("title"), text=item["text"], published=published, site_name="bench"
                ),
            )
        )
    return out


def run(n_docs: int) -> dict[str, Any]:
    """Tag ``n_docs`` documents; return docs/s, mean text size and memory figures."""
    docs = _envelopes(n_docs)
    rss_start = _rss_bytes()
    stage = TagStage(InMemoryIncidentStore())
    t0 = time.perf_counter()
    stage.process(docs[0])  # loads the gazetteer and spaCy
    load_seconds = time.perf_counter() - t0
    rss_loaded = _rss_bytes()
    peak = rss_loaded
    incidents = 0
    t1 = time.perf_counter()
    for index, envelope in enumerate(docs, start=1):
        tags = stage.process(envelope)[0].tags
        incidents += len(tags.incidents) if tags else 0
        if index % 100 == 0:
            stage.after_batch_written()
            peak = max(peak, _rss_bytes())
    stage.after_batch_written()
    elapsed = time.perf_counter() - t1
    peak = max(peak, _rss_bytes())
    return {
        "stage": "tag",
        "docs": n_docs,
        "seconds": round(elapsed, 3),
        "docs_per_s": round(n_docs / elapsed, 1) if elapsed else 0.0,
        "mean_chars": round(sum(len(d.cleaned.text) for d in docs if d.cleaned) / max(n_docs, 1)),
        "incidents": incidents,
        "load_seconds": round(load_seconds, 2),
        "rss_load_delta_mb": round((rss_loaded - rss_start) / 1e6, 1),
        "peak_rss_delta_mb": round((peak - rss_start) / 1e6, 1),
    }


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1000), indent=2))
