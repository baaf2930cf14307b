"""Clean-stage throughput as a ratio to bare ``trafilatura.extract`` on the same pages, measured
in the same run.

Both sides get the same pages, in the same order, in alternating rounds (which side goes first
alternates too), so load from other processes on the machine affects both alike. Each round
gives one ratio (bare time / stage time: the stage's speed as a share of trafilatura's); the
figure is the median of the rounds, with the ratio of the summed times next to it. The stage is
measured as production calls it (``CleanStage.process`` on an envelope: extraction, metadata,
dates, boilerplate learning, normalisation, quality); bare ``trafilatura.extract`` gets the page
and its URL.

    python -m benchmarks.clean [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

from pipeline.envelope import Envelope, RawContent, article_id
from pipeline.stages.clean import CleanStage

PAGES = Path(__file__).resolve().parents[1] / "eval" / "extraction" / "pages"


def _load(pages: Path) -> list[tuple[str, str]]:
    index = json.loads((pages / "index.json").read_text(encoding="utf-8"))
    return [(e["url"], (pages / e["page"]).read_text(encoding="utf-8")) for e in index]


def run(rounds: int = 40, pages: Path = PAGES) -> dict[str, object]:
    documents = _load(pages)
    envelopes = [
        Envelope(
            id=article_id(url), url=url, source="bench", first_seen=datetime.now(UTC),
            raw=RawContent(body=html, content_type="text/html", final_url=url),
        )
        for url, html in documents
    ]
    stage = CleanStage()

    def ours() -> float:
        started = time.perf_counter()
        for envelope in envelopes:
            stage.process(envelope)
        return time.perf_counter() - started

    def bare() -> float:
        started = time.perf_counter()
        for url, html in documents:
            trafilatura.extract(html, url=url)
        return time.perf_counter() - started

    ours()  # warm-up round of each, not timed
    bare()
    ours_times: list[float] = []
    bare_times: list[float] = []
    for round_ in range(rounds):
        if round_ % 2:
            ours_times.append(ours())
            bare_times.append(bare())
        else:
            bare_times.append(bare())
            ours_times.append(ours())
    ratios = [b / o for o, b in zip(ours_times, bare_times, strict=True)]
    n = rounds * len(documents)
    return {
        "pages": len(documents),
        "rounds": rounds,
        "documents": n,
        "clean_docs_per_s": round(n / sum(ours_times), 1),
        "trafilatura_extract_docs_per_s": round(n / sum(bare_times), 1),
        "ratio": round(statistics.median(ratios), 3),
        "ratio_of_totals": round(sum(bare_times) / sum(ours_times), 3),
        "ratio_quartiles": [round(q, 3) for q in statistics.quantiles(ratios, n=4)[::2]]
        if rounds >= 2
        else [round(ratios[0], 3)] * 2,
        "target_ratio": 0.9,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    print(json.dumps(run(parser.parse_args().rounds), indent=1))
