"""Story similarity for paraphrase: TF-IDF cosine over content words.

Two uses. The deduplicate stage links an article to the story of an earlier one with
:func:`sketch` (the article's most distinctive words, weighted by TF-IDF against fixed background
frequencies, :mod:`pipeline.dedup.story_words`), :func:`sketch_cosine` and :func:`best_story`; a
sketch is stored with the article's dedup record and its first words are the query that finds
story candidates in the state. The offline :class:`StoryIndex` below takes its frequencies from
the articles compared instead, as a reference for the evaluation.

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
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import mul

from pipeline.dedup import story_words
from pipeline.dedup.batch import _WORD, STOPWORDS

DEFAULT_STORY_COSINE = 0.32  # the offline rule's threshold, chosen on eval/stories (tuning split)
DEFAULT_WINDOW_S = 3 * 86400.0

# The stage's story sketch: the article's STORY_TERMS heaviest words, and which of them are
# names. A story link needs a shared name, so the state's query returns the articles sharing one
# (at most STORY_CANDIDATES, those sharing the most name weight first) and the cosine decides.
STORY_TERMS = 48
STORY_CANDIDATES = 8
# The stage's threshold on the sketch cosine, chosen on eval/stories (tuning split) only by
# ``python -m pipeline eval stories``.
DEFAULT_SKETCH_COSINE = 0.21

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


@dataclass(frozen=True)
class StorySketch:
    """An article's heaviest words, heaviest first (ties by the word), with their weights:
    (1 + ln tf) * idf against the background frequencies, normalised over the kept words and
    rounded to 6 decimals, so a sketch read back from storage is the one computed. ``names``:
    those of the words that the text writes as a name (see :func:`names`)."""

    terms: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    names: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)


EMPTY_SKETCH = StorySketch()


# A word starting with a capital (the Latin, Greek and Cyrillic capitals: other scripts have
# no case), and what may stand just before a word inside a sentence.
_CAPITALISED = re.compile("[A-Z\u00c0-\u00de\u0391-\u03a9\u0400-\u042f][\\w'\u2019-]*")
_INSIDE = frozenset(",;:)\"'\u2019")


def names(text: str, broad: frozenset[str] = frozenset()) -> set[str]:
    """The content words the text writes capitalised inside a sentence ("in the town of
    Saraqeb", "spokesman Abubakar Sadiq"): after a space that follows a word, a comma or a
    closing quote or bracket; but country words (``broad``) and words of three letters or
    fewer. Lines in title case (most words capitalised) say nothing and are skipped."""
    found: list[str] = []
    for line in text.splitlines():
        words = len(line.split())
        capitalised = [m for m in _CAPITALISED.finditer(line) if m.start() >= 2]
        if not words or 2 * (len(capitalised) + line[:1].isupper()) > words:
            continue
        for match in capitalised:
            before = line[match.start() - 2 : match.start()]
            if before[1] == " " and (before[0].isalnum() or before[0] in _INSIDE):
                found.append(match.group())
    return {w for w in content_words(" ".join(found)) if len(w) > 3 and w not in broad}


def sketch(text: str, words: story_words.StoryWords | None = None) -> StorySketch:
    words = words or story_words.load()
    idf, unknown = words.idf_table()
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    # The words of content_words(text), counted; stop words dropped from the counts at once.
    counts = Counter(_WORD.findall(text.casefold()))
    for stop in STOPWORDS.intersection(counts):
        del counts[stop]
    weighted = sorted(
        [
            (-(_TF[n] if n < _TF_SIZE else _tf(n)) * idf.get(w, unknown), w)
            for w, n in counts.items()
            if len(w) > 1
        ]
    )[:STORY_TERMS]
    norm = math.sqrt(sum(weight * weight for weight, _ in weighted))
    if not norm:
        return EMPTY_SKETCH
    named = names(text, words.broad)
    terms = tuple(w for _, w in weighted)
    scale = -1e6 / norm  # to 6 decimals (the weights are positive): int() is faster than round
    return StorySketch(
        terms,
        tuple([int(weight * scale + 0.5) / 1e6 for weight, _ in weighted]),
        tuple(w for w in terms if w in named),
    )


# 1 + ln(tf), looked up: tf is small in nearly every article.
_TF = [0.0] + [1.0 + math.log(n) for n in range(1, 65)]
_TF_SIZE = len(_TF)


def _tf(count: int) -> float:
    return _TF[count] if count < len(_TF) else 1.0 + math.log(count)


def sketch_cosine(a: StorySketch, b: StorySketch) -> float:
    return _cosine(dict(zip(a.terms, a.weights, strict=True)), b)


def _cosine(weights: dict[str, float], other: StorySketch) -> float:
    """The cosine of a sketch (as word -> weight) and another, summed in the other's word
    order (so every process gets the same float), in C loops: this runs for every candidate."""
    mine = map(weights.get, other.terms, repeat(0.0))
    total: float = sum(map(mul, mine, other.weights))
    return round(total, 6)


@dataclass(frozen=True)
class StoryCandidate:
    """An earlier article that may report the same story, as the state returns it:
    ``story_id`` is None while its own decision is pending (being taken by another worker)."""

    id: str
    first_seen: float
    story_id: str | None
    sketch: StorySketch

    @property
    def story(self) -> str:
        return self.story_id or self.id


def shares_a_name(a: StorySketch, b: StorySketch) -> bool:
    return not set(a.names).isdisjoint(b.names)


def best_story(
    doc_id: str,
    first_seen: float,
    probe: StorySketch,
    candidates: Iterable[StoryCandidate],
    threshold: float,
    window_s: float,
) -> tuple[StoryCandidate, float] | None:
    """The candidate whose story the article joins: the most similar (ties: the earliest by
    (first_seen, id)) among those that are decided, *precede* it by (first_seen, id) within
    ``window_s``, share a name with it and reach ``threshold``.

    Only decided candidates count (another worker may be deciding one at this moment): the
    story id taken is then one a decision already gave, never the id of an article whose own
    story is still open, which could turn out to be this article's (a copy decided as its
    duplicate) and make two story ids point at each other. Only preceding articles count, so
    links point back in time."""
    best: tuple[StoryCandidate, float] | None = None
    weights = dict(zip(probe.terms, probe.weights, strict=True))
    for candidate in candidates:
        if candidate.story_id is None:
            continue
        if (candidate.first_seen, candidate.id) >= (first_seen, doc_id):
            continue
        if first_seen - candidate.first_seen > window_s:
            continue
        if not shares_a_name(probe, candidate.sketch):
            continue
        score = _cosine(weights, candidate.sketch)
        if score < threshold:
            continue
        if best is None or (-score, candidate.first_seen, candidate.id) < (
            -best[1], best[0].first_seen, best[0].id
        ):
            best = (candidate, score)
    return best
