"""Story similarity for paraphrase: TF-IDF cosine over content words.

Two outlets' reports of one story share its names, places and key facts but little wording:
their MinHash Jaccard over word sets is typically 0.05-0.2, below what the story bands find
(docs/deduplication.md). A TF-IDF cosine weighs the words by how rare they are among the
articles being compared (the recent window: a town or a person named by few other articles
counts far more than "killed" or "said"), so it separates same-story reports from other
stories much better.

:class:`StoryIndex` holds the document frequencies of a collection (the articles of a time
window) and gives the weighted vectors and their cosine. :func:`assign_stories` applies the
stage's story rule with it: in first-seen order, an article joins the story of the most similar
preceding article within the window when the cosine reaches the threshold, else it starts its
own. ``python -m pipeline eval stories`` measures it against the current MinHash layer on the
labelled pairs in ``eval/stories``.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.dedup.batch import _WORD, STOPWORDS

DEFAULT_STORY_COSINE = 0.19  # chosen on eval/stories (tuning split)
DEFAULT_WINDOW_S = 3 * 86400.0

Vector = dict[str, float]


def content_words(text: str) -> list[str]:
    """Case-folded words without stop words and one-letter tokens (the dedup tokenisation)."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return [w for w in _WORD.findall(text.casefold()) if w not in STOPWORDS and len(w) > 1]


class StoryIndex:
    """Document frequencies of a collection, and TF-IDF vectors against them."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.documents = 0
        self.frequencies: Counter[str] = Counter()
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        self.documents += 1
        self.frequencies.update(set(content_words(text)))

    def idf(self, word: str) -> float:
        # Smoothed: a word no other document has weighs the most, one in all of them the least.
        return math.log((1 + self.documents) / (1 + self.frequencies[word])) + 1.0

    def vector(self, text: str) -> Vector:
        counts = Counter(content_words(text))
        weights = {w: (1.0 + math.log(n)) * self.idf(w) for w, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in weights.values()))
        return {w: v / norm for w, v in weights.items()} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


@dataclass(frozen=True)
class Article:
    id: str
    first_seen: float
    text: str


def assign_stories(
    articles: Sequence[Article],
    threshold: float = DEFAULT_STORY_COSINE,
    window_s: float = DEFAULT_WINDOW_S,
    index: StoryIndex | None = None,
) -> dict[str, str]:
    """Article id -> story id by the story rule, the cosine against ``index`` (default: the
    articles themselves) deciding."""
    index = index or StoryIndex(a.text for a in articles)
    ordered = sorted(articles, key=lambda a: (a.first_seen, a.id))
    vectors = {a.id: index.vector(a.text) for a in ordered}
    story: dict[str, str] = {}
    for position, article in enumerate(ordered):
        best, best_score = None, threshold
        for earlier in ordered[:position]:
            if article.first_seen - earlier.first_seen > window_s:
                continue
            score = cosine(vectors[article.id], vectors[earlier.id])
            if score >= best_score:
                best, best_score = earlier, score
        story[article.id] = story[best.id] if best is not None else article.id
    return story
