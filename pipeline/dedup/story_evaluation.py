"""Story linking on labelled article pairs: the current MinHash story layer against the TF-IDF
cosine of :mod:`pipeline.dedup.stories`.

The set is ``eval/stories/articles.jsonl`` (see the README there): reports of one story by
three outlets, and other stories of the same kind and place (another strike in the same
province, another protest in the same city) as hard negatives. Every pair of articles of a split
is labelled by whether they report the same story. A pair counts as linked when the two articles
end up with the same ``story_id``: for the current layer, as the deduplicator assigns it; for
TF-IDF, by the same rule (most similar preceding article in the window, if similar enough).

Word frequencies (IDF) come from the split's articles plus unlabelled background news
(``eval/incidents.jsonl``), as they would come from the other articles of a window in the
stage. The cosine threshold is chosen on the ``tuning`` split only (the highest F1 with
precision at least 0.9, the higher threshold on a tie) and then measured on the ``test`` split.

    python -m pipeline.dedup.story_evaluation [--articles FILE] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.dedup.deduplicator import Deduplicator
from pipeline.dedup.state import MemoryState
from pipeline.dedup.stories import Article, StoryIndex, assign_stories

EVAL = Path(__file__).resolve().parents[2] / "eval"
DEFAULT_ARTICLES = EVAL / "stories" / "articles.jsonl"
# Unlabelled news of the same kind, as the rest of a time window would be: only their word
# frequencies are used (for IDF), never their labels.
DEFAULT_BACKGROUND = EVAL / "incidents.jsonl"
MIN_PRECISION = 0.9
GRID = tuple(round(0.05 + 0.01 * step, 2) for step in range(56))  # 0.05 .. 0.60


@dataclass(frozen=True)
class PairScore:
    same_pairs: int
    linked: int
    correct: int
    precision: float
    recall: float
    f1: float
    wrong_duplicates: int = 0


def load(path: Path = DEFAULT_ARTICLES) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _articles(rows: list[dict[str, Any]]) -> list[Article]:
    return [
        Article(r["id"], datetime.fromisoformat(r["published"]).timestamp(), f"{r['title']}\n{r['text']}")
        for r in rows
    ]


def score(rows: list[dict[str, Any]], story_of: dict[str, str], wrong_duplicates: int = 0) -> PairScore:
    same = linked = correct = 0
    for a, b in itertools.combinations(rows, 2):
        truth = a["story"] == b["story"]
        together = story_of[a["id"]] == story_of[b["id"]]
        same += truth
        linked += together
        correct += truth and together
    precision = correct / linked if linked else 1.0
    recall = correct / same if same else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(same, linked, correct, round(precision, 3), round(recall, 3), round(f1, 3),
                     wrong_duplicates)


def current_layer(rows: list[dict[str, Any]]) -> PairScore:
    """The deduplicator as the stage runs it (in-memory state, first-seen order)."""
    dedup = Deduplicator(MemoryState())
    story_of: dict[str, str] = {}
    wrong = 0
    stories = {r["id"]: r["story"] for r in rows}
    for article in sorted(_articles(rows), key=lambda a: (a.first_seen, a.id)):
        decision = dedup.check(article.id, article.first_seen, article.text)
        story_of[article.id] = decision.story_id
        if decision.duplicate_of is not None and stories[decision.duplicate_of] != stories[article.id]:
            wrong += 1
    return score(rows, story_of, wrong)


def tfidf_layer(rows: list[dict[str, Any]], threshold: float, background: list[str]) -> PairScore:
    articles = _articles(rows)
    index = StoryIndex([*(a.text for a in articles), *background])
    return score(rows, assign_stories(articles, threshold, index=index))


def tune(rows: list[dict[str, Any]], background: list[str]) -> float:
    """The threshold with the best F1 among those with precision >= MIN_PRECISION (the higher
    threshold on a tie)."""
    best, best_f1 = GRID[-1], -1.0
    for threshold in GRID:
        result = tfidf_layer(rows, threshold, background)
        if result.precision >= MIN_PRECISION and result.f1 >= best_f1:
            best, best_f1 = threshold, result.f1
    return best


def background_texts(path: Path = DEFAULT_BACKGROUND) -> list[str]:
    if not path.is_file():
        return []
    return [f"{r.get('title') or ''}\n{r.get('text') or ''}" for r in load(path)]


def evaluate(path: Path = DEFAULT_ARTICLES, background: Path = DEFAULT_BACKGROUND) -> dict[str, Any]:
    rows = load(path)
    extra = background_texts(background)
    splits = {name: [r for r in rows if r["split"] == name] for name in ("tuning", "test")}
    threshold = tune(splits["tuning"], extra)
    report: dict[str, Any] = {"threshold": threshold, "articles": len(rows), "background": len(extra)}
    for name, part in splits.items():
        report[name] = {
            "minhash_story_layer": asdict(current_layer(part)),
            "tfidf_cosine": asdict(tfidf_layer(part, threshold, extra)),
        }
    return report


def _line(label: str, s: dict[str, Any]) -> str:
    return (f"  {label:<22} P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f}  "
            f"linked {s['linked']}, {s['correct']} of {s['same_pairs']} same-story pairs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES)
    parser.add_argument("--background", type=Path, default=DEFAULT_BACKGROUND)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = evaluate(args.articles, args.background)
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"articles: {report['articles']} (+{report['background']} unlabelled for word frequencies); "
          f"cosine threshold {report['threshold']} (chosen on tuning)")
    for name in ("tuning", "test"):
        print(f"{name}:")
        current = report[name]["minhash_story_layer"]
        print(_line("MinHash story layer", current)
              + f"; different stories marked duplicate: {current['wrong_duplicates']}")
        print(_line("TF-IDF cosine", report[name]["tfidf_cosine"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
