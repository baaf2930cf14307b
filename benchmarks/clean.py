"""Clean-stage throughput as a ratio to bare ``trafilatura.extract`` on the same pages, measured
in the same run (alternating rounds, so machine load affects both alike).

    python -m benchmarks.clean [--rounds N]
"""

from __future__ import annotations

import argparse
import json
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


def run(rounds: int = 10, pages: Path = PAGES) -> dict[str, float | int]:
    documents = _load(pages)
    envelopes = [
        Envelope(
            id=article_id(url), url=url, source="bench", first_seen=datetime.now(UTC),
            raw=RawContent(body=html, content_type="text/html", final_url=url),
        )
        for url, html in documents
    ]
    stage = CleanStage()
    ours_s = bare_s = 0.0
    # one warm-up round of each, not timed
    for envelope in envelopes:
        stage.process(envelope)
    for _, html in documents:
        trafilatura.extract(html)
    for _ in range(rounds):
        started = time.perf_counter()
        for url, html in documents:
            trafilatura.extract(html, url=url)
        bare_s += time.perf_counter() - started
        started = time.perf_counter()
        for envelope in envelopes:
            stage.process(envelope)
        ours_s += time.perf_counter() - started
    n = rounds * len(documents)
    ours = n / ours_s
    bare = n / bare_s
    return {
        "pages": len(documents),
        "documents": n,
        "clean_docs_per_s": round(ours, 1),
        "trafilatura_extract_docs_per_s": round(bare, 1),
        "ratio": round(ours / bare, 3),
        "target_ratio": 0.9,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    print(json.dumps(run(parser.parse_args().rounds), indent=1))
