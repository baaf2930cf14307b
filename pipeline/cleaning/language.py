"""A small stop-word language guesser for when the page does not declare its language.

No model is loaded: the share of very frequent function words of each language among the first
few hundred words decides. Good enough to route text; ``None`` when nothing stands out.
"""

from __future__ import annotations

import re

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
