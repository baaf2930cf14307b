"""String normalisation shared by the gazetteers and matchers."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = "'\u2019\u2018`\u00b4\u02bf\u02be\u2032\""
_QUOTE_RE = re.compile(f"[{re.escape(_QUOTES)}]")
_SEP_RE = re.compile(r"[\s\-_\u2010\u2011\u2013\u2014./,()]+")
_ARTICLES = frozenset(
    ["al", "el", "ar", "as", "ash", "az", "ad", "an", "at", "ath", "ez", "es", "ed", "er", "ul", "adh", "ad-"]
)
_VOWELS_RE = re.compile(r"[aeiouyw]")


def fold(text: str) -> str:
    """Lower-case ASCII-ish key: accents and quote marks removed, separators collapsed."""
    if text.isascii():
        return _SEP_RE.sub(" ", _QUOTE_RE.sub("", text)).strip().lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = _QUOTE_RE.sub("", stripped)
    return _SEP_RE.sub(" ", stripped).strip().lower()


def without_article(key: str) -> str:
    """A folded name without a leading Arabic article: "al raqqah" -> "raqqah" (GeoNames spells
    it "Ar Raqqah" and "Raqqa"); the key itself when it has none."""
    head, _, rest = key.partition(" ")
    return rest if rest and head in _ARTICLES else key


def skeleton(text: str) -> str:
    """A loose key for transliterated names: articles and vowels dropped, doubles collapsed.

    ``Deir ez-Zor``, ``Deir el-Zour`` and ``Dayr az Zawr`` all give ``dr zr``.
    """
    words = [w for w in fold(text).split() if w not in _ARTICLES]
    keys: list[str] = []
    for word in words:
        if len(word) > 3 and word.endswith("h") and word[-2] in "aeiou":
            word = word[:-1]
        head, tail = word[:1], _VOWELS_RE.sub("", word[1:])
        squeezed = re.sub(r"(.)\1+", r"\1", head + tail)
        if squeezed:
            keys.append(squeezed)
    return " ".join(keys)


def is_latin(text: str) -> bool:
    """True when every letter of ``text`` is Latin (after removing accents)."""
    folded = fold(text)
    return bool(folded) and all(ch.isascii() for ch in folded)
