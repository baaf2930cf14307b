"""The language of an article, decided from its text.

A page's declared language (``<html lang>``, ``og:locale``) is often the site's default, not the
article's: a French article on a site whose template says ``lang="en"``. So the text decides:
py3langid's naive Bayes model (shipped inside the package, loaded once per process, nothing
downloaded) classifies the first thousand characters, and its answer is used when it is
confident. The declared language is kept beside it. When the text is too short or the model is
unsure, the declared language is used, and without one a small stop-word guesser (the share of
very frequent function words of seven languages) has the last word.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

from py3langid.langid import MODEL_FILE, LanguageIdentifier

TEXT: Literal["text"] = "text"
DECLARED: Literal["declared"] = "declared"
STOPWORDS: Literal["stopwords"] = "stopwords"

SAMPLE_CHARS = 1000
MIN_LETTERS = 20
MIN_CONFIDENCE = 0.8

_STOPWORDS: dict[str, frozenset[str]] = {
    language: frozenset(words.split())
    for language, words in (
        ("en", "the and of to in is was that for on with as by at from it said has have"),
        ("de", "der die und das ist nicht mit den von zu sich auf für ein eine dem des"),
        ("fr", "le la les et des est une dans pour que qui pas sur du au avec ont"),
        ("es", "el la los las y que en del por con una para es se al como más"),
        ("it", "il di che la per non una sono della con del le gli ha nel anche"),
        ("pt", "o os que de do da em para com uma não se por mais foi dos das"),
        ("nl", "de het een en van is dat op te niet met voor zijn aan ook bij"),
    )
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def guess_language(text: str, sample_words: int = 300, min_share: float = 0.08) -> str | None:
    words = [word.casefold() for word in _WORD.findall(text[:5000])[:sample_words]]
    if len(words) < 10:
        return None
    scores = {
        language: sum(1 for word in words if word in stopwords)
        for language, stopwords in _STOPWORDS.items()
    }
    language, best = max(scores.items(), key=lambda item: item[1])
    return language if best / len(words) >= min_share else None


def normalise_language(declared: str | None) -> str | None:
    """'en-GB' -> 'en'; anything that is not a two- or three-letter code -> None."""
    if not declared:
        return None
    code = declared.strip().lower().replace("_", "-").split("-")[0]
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


@dataclass(frozen=True)
class LanguageDecision:
    language: str | None
    declared: str | None
    source: Literal["text", "declared", "stopwords"] | None


@functools.cache
def _identifier() -> Any:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float]:
    """(language, confidence) of ``text`` by py3langid; (None, 0.0) for too little text."""
    sample = text[:SAMPLE_CHARS]
    if sum(1 for c in sample if c.isalpha()) < MIN_LETTERS:
        return None, 0.0
    language, confidence = _identifier().classify(sample)
    return str(language), float(confidence)


def decide_language(text: str, declared: str | None) -> LanguageDecision:
    """The text's language when the model is confident, else the declared one, else a guess."""
    stated = normalise_language(declared)
    detected, confidence = detect_language(text)
    if detected is not None and confidence >= MIN_CONFIDENCE:
        return LanguageDecision(detected, stated, TEXT)
    if stated is not None:
        return LanguageDecision(stated, stated, DECLARED)
    guessed = guess_language(text)
    return LanguageDecision(guessed, None, STOPWORDS if guessed else None)
