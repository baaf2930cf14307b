"""Extraction accuracy: token-level precision, recall and F1 against reference text, ours
(the clean stage) compared with trafilatura alone on the same pages.

The page set is ``eval/extraction/pages`` (see the README there): ``index.json`` lists the pages,
their reference texts, URLs and sites. Pages are processed site by site in index order, as a
stream would deliver them, so the clean stage's boilerplate learner sees each site's earlier
articles, as it does in production.

    python -m pipeline.cleaning.quality [--pages DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

from pipeline.envelope import Envelope, RawContent, article_id
from pipeline.stages.clean import CleanStage

DEFAULT_PAGES = Path(__file__).resolve().parents[2] / "eval" / "extraction" / "pages"
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.casefold()))


def score(extracted: str, reference: str) -> Score:
    got, want = tokens(extracted), tokens(reference)
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values()) if got else 0.0
    recall = overlap / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)


def _mean(scores: list[Score]) -> dict[str, float]:
    n = max(len(scores), 1)
    return {
        "precision": round(sum(s.precision for s in scores) / n, 4),
        "recall": round(sum(s.recall for s in scores) / n, 4),
        "f1": round(sum(s.f1 for s in scores) / n, 4),
    }


def evaluate(pages: Path = DEFAULT_PAGES) -> dict[str, object]:
    """Mean token P/R/F1 of the clean stage and of bare ``trafilatura.extract`` per page."""
    index = json.loads((pages / "index.json").read_text(encoding="utf-8"))
    stage = CleanStage()
    ours: list[Score] = []
    baseline: list[Score] = []
    per_page: list[dict[str, object]] = []
    for entry in index:
        html = (pages / entry["page"]).read_text(encoding="utf-8")
        reference = (pages / entry["reference"]).read_text(encoding="utf-8")
        envelope = Envelope(
            id=article_id(entry["url"]),
            url=entry["url"],
            source="eval",
            first_seen=datetime.now(UTC),
            raw=RawContent(body=html, content_type="text/html", final_url=entry["url"]),
        )
        cleaned = stage.clean(envelope)
        bare = trafilatura.extract(html, url=entry["url"]) or ""
        ours.append(score(cleaned.text, reference))
        baseline.append(score(bare, reference))
        per_page.append(
            {"page": entry["page"], "ours_f1": round(ours[-1].f1, 4),
             "trafilatura_f1": round(baseline[-1].f1, 4)}
        )
    return {
        "pages": len(index),
        "ours": _mean(ours),
        "trafilatura": _mean(baseline),
        "per_page": per_page,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = parser.parse_args(argv)
    result = evaluate(args.pages)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"pages: {result['pages']}")
    for name in ("ours", "trafilatura"):
        figures = result[name]
        assert isinstance(figures, dict)
        print(
            f"{name:12s} P={figures['precision']:.3f} R={figures['recall']:.3f} "
            f"F1={figures['f1']:.3f}"
        )


if __name__ == "__main__":
    main()
