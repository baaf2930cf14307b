"""Story linking on labelled article pairs: the deduplicate stage with its story layer, the
stage with MinHash story bands only (as it was before the story layer), and the offline TF-IDF
cosine of :mod:`pipeline.dedup.stories` as a reference.

The set is ``eval/stories/articles.jsonl`` (see the README there): reports of one story by
three outlets, and other stories of the same kind and place (another strike in the same
province, another protest in the same city) as hard negatives. Every pair of articles of a split
is labelled by whether they report the same story. A pair counts as linked when the two articles
end up with the same ``story_id``: for the stage, as ``DeduplicateStage`` assigns it (the
split's articles as one polled batch, ``prepare_batch`` then ``process``, on the in-memory
state); for the offline TF-IDF, by the same rule (most similar preceding article in the window,
if similar enough). A different story's article marked a *duplicate* is counted apart: it must
never happen.

The stage weighs words by fixed background frequencies (``pipeline/data/story_words.yaml``); the
offline reference takes them from the split's articles plus unlabelled background news
(``eval/incidents.jsonl``). Each threshold is chosen on the ``tuning`` split only (the
highest F1 with precision at least 0.9; on a tie the higher threshold for the offline cosine,
the middle of the range for the stage) and then measured on the ``test`` split; the stage's
default (``DEFAULT_SKETCH_COSINE``) is the one chosen here.

    python -m pipeline.dedup.story_evaluation [--articles FILE] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.dedup.state import MemoryState
from pipeline.dedup.stories import DEFAULT_SKETCH_COSINE, Article, StoryIndex, assign_stories
from pipeline.envelope import CleanedContent, Envelope, Stage

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


def _envelopes(rows: list[dict[str, Any]]) -> list[Envelope]:
    return [
        Envelope(
            id=r["id"], url=f"https://{r['outlet']}.example/{r['id']}", source=r["outlet"],
            first_seen=datetime.fromisoformat(r["published"]).astimezone(UTC),
            stage=Stage.CLEANED, cleaned=CleanedContent(title=r["title"], text=r["text"]),
        )
        for r in sorted(rows, key=lambda r: (datetime.fromisoformat(r["published"]), r["id"]))
    ]


def stage_layer(rows: list[dict[str, Any]], story_cosine: float | None) -> PairScore:
    """The deduplicate stage as the runner drives it (in-memory state, first-seen order);
    ``story_cosine=None``: without the story layer, stories by MinHash bands only."""
    from pipeline.stages.deduplicate import DeduplicateStage

    stage = DeduplicateStage(state=MemoryState(), story_cosine=story_cosine)
    envelopes = _envelopes(rows)
    stage.prepare_batch(envelopes)
    story_of: dict[str, str] = {}
    wrong = 0
    stories = {r["id"]: r["story"] for r in rows}
    for envelope in envelopes:
        (out,) = stage.process(envelope)
        assert out.dedup is not None
        story_of[envelope.id] = out.dedup.story_id
        original = out.dedup.duplicate_of
        if original is not None and stories[original] != stories[envelope.id]:
            wrong += 1
    stage.after_batch_written()
    return score(rows, story_of, wrong)


def current_layer(rows: list[dict[str, Any]]) -> PairScore:
    """The stage before the story layer: stories by MinHash bands only."""
    return stage_layer(rows, None)


def tfidf_layer(rows: list[dict[str, Any]], threshold: float, background: list[str]) -> PairScore:
    articles = _articles(rows)
    index = StoryIndex([*(a.text for a in articles), *background])
    return score(rows, assign_stories(articles, threshold, index=index))


def _best(scores: dict[float, PairScore], middle: bool = False) -> float:
    """The threshold with the best F1 among those with precision >= MIN_PRECISION: the higher
    one on a tie, or with ``middle`` the middle of the longest run of such thresholds (the
    same margin on both sides)."""
    eligible = {t: s.f1 for t, s in scores.items() if s.precision >= MIN_PRECISION}
    if not eligible:
        return GRID[-1]
    top = max(eligible.values())
    if not middle:
        return max(t for t, f1 in eligible.items() if f1 == top)
    runs: list[list[float]] = [[]]
    for threshold in sorted(scores):
        if eligible.get(threshold) == top:
            runs[-1].append(threshold)
        elif runs[-1]:
            runs.append([])
    longest = max(runs, key=len)
    return longest[(len(longest) - 1) // 2]


def tune(rows: list[dict[str, Any]], background: list[str]) -> float:
    """The offline cosine's threshold on ``rows``."""
    return _best({t: tfidf_layer(rows, t, background) for t in GRID})


def tune_stage(rows: list[dict[str, Any]]) -> float:
    """The stage's sketch-cosine threshold on ``rows``: the middle of the best range."""
    return _best({t: stage_layer(rows, t) for t in GRID}, middle=True)


def background_texts(path: Path = DEFAULT_BACKGROUND) -> list[str]:
    if not path.is_file():
        return []
    return [f"{r.get('title') or ''}\n{r.get('text') or ''}" for r in load(path)]


def evaluate(path: Path = DEFAULT_ARTICLES, background: Path = DEFAULT_BACKGROUND) -> dict[str, Any]:
    rows = load(path)
    extra = background_texts(background)
    splits = {name: [r for r in rows if r["split"] == name] for name in ("tuning", "test")}
    threshold = tune(splits["tuning"], extra)
    stage_threshold = tune_stage(splits["tuning"])
    report: dict[str, Any] = {
        "threshold": threshold,
        "stage_threshold": stage_threshold,
        "stage_default": DEFAULT_SKETCH_COSINE,
        "articles": len(rows),
        "stories": len({r["story"] for r in rows}),
        "background": len(extra),
    }
    for name, part in splits.items():
        report[name] = {
            "articles": len(part),
            "minhash_story_layer": asdict(current_layer(part)),
            "stage_story_layer": asdict(stage_layer(part, stage_threshold)),
            "tfidf_cosine": asdict(tfidf_layer(part, threshold, extra)),
        }
    return report


def _line(label: str, s: dict[str, Any]) -> str:
    return (f"  {label:<36} P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f}  "
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
    print(f"articles: {report['articles']} reports of {report['stories']} stories "
          f"(+{report['background']} unlabelled for the offline word frequencies); thresholds "
          f"chosen on tuning: stage sketch cosine {report['stage_threshold']} (default "
          f"{report['stage_default']}), offline cosine {report['threshold']}")
    for name in ("tuning", "test"):
        print(f"{name} ({report[name]['articles']} articles):")
        for key, label in (
            ("minhash_story_layer", "stage, MinHash story bands (before)"),
            ("stage_story_layer", "stage, story layer (now)"),
        ):
            figures = report[name][key]
            print(_line(label, figures)
                  + f"; different stories marked duplicate: {figures['wrong_duplicates']}")
        print(_line("offline TF-IDF cosine (reference)", report[name]["tfidf_cosine"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
