"""Which stage is slowest: clean, deduplicate and tag, each as a pure function over the same
articles in the same run (no Kafka, no Elasticsearch; in-memory state for dedup and tag).

The articles are the extraction-quality pages (real article text in realistic site templates),
repeated with distinct URLs. Reported: documents per second per stage, the slowest stage, and the
tag stage's resident-memory growth.
"""

from __future__ import annotations

import json
import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.envelope import Envelope, RawContent, article_id

PAGES = Path(__file__).resolve().parents[1] / "eval" / "extraction" / "pages"


def _raw_envelopes(copies: int) -> list[Envelope]:
    index = json.loads((PAGES / "index.json").read_text(encoding="utf-8"))
    start = datetime(2026, 11, 1, tzinfo=UTC)
    envelopes = []
    for copy in range(copies):
        for n, entry in enumerate(index):
            url = f"{entry['url']}?copy={copy}"
            envelopes.append(
                Envelope(
                    id=article_id(url), url=url, source="bench",
                    first_seen=start + timedelta(minutes=copy * len(index) + n),
                    raw=RawContent(
                        body=(PAGES / entry["page"]).read_text(encoding="utf-8"),
                        content_type="text/html", final_url=url,
                    ),
                )
            )
    return envelopes


def _rss_mib() -> float:
    """Resident memory now (not the peak), from /proc."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def run(copies: int = 20) -> dict[str, object]:
    from pipeline.stages.clean import CleanStage
    from pipeline.stages.deduplicate import DeduplicateStage
    from pipeline.stages.tag import TagStage

    raw = _raw_envelopes(copies)
    results: dict[str, object] = {"documents": len(raw)}
    rates: dict[str, float] = {}

    clean = CleanStage()
    started = time.perf_counter()
    cleaned = [out for env in raw for out in clean.process(env)]
    rates["clean"] = len(raw) / (time.perf_counter() - started)

    dedup = DeduplicateStage()
    started = time.perf_counter()
    deduplicated = [out for env in cleaned for out in dedup.process(env)]
    dedup.after_batch_written()
    rates["deduplicate"] = len(cleaned) / (time.perf_counter() - started)

    rss_before = _rss_mib()
    tag = TagStage()
    tag.process(deduplicated[0])  # loading gazetteers and patterns happens once per process
    started = time.perf_counter()
    tagged = [out for env in deduplicated for out in tag.process(env)]
    tag.after_batch_written()
    rates["tag"] = len(deduplicated) / (time.perf_counter() - started)
    assert len(tagged) == len(raw)

    for name, rate in rates.items():
        results[f"{name}_docs_per_s"] = round(rate, 1)
    slowest = min(rates, key=lambda name: rates[name])
    results["slowest_stage"] = slowest
    results["tag_rate_relative_to_slowest"] = round(rates["tag"] / rates[slowest], 2)
    results["tag_rss_growth_mib"] = round(_rss_mib() - rss_before, 1)
    return results
