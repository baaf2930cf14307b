"""String normalisation shared by the gazetteers and matchers."""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

_QUOTES = "'\u2019\u2018`\u00b4\u02bf\u02be\u2032\""
_QUOTE_RE = re.compile(f"[{re.escape(_QUOTES)}]")
_SEP_RE = re.compile(r"[\s\-_\u2010\u2011\u2013\u2014./,()]+")
_ARTICLES = frozenset(
    ["al", "el", "ar", "as", "ash", "az", "ad", "an", "at", "ath", "ez", "es", "ed", "er", "ul", "adh", "ad-"]
)
_VOWELS_RE = re.compile(r"[aeiouyw]")
_DOUBLES_RE = re.compile(r"(.)\1+")
# The gazetteer folds the same names over and over (every run of capitalised words is looked up
# several ways, and the same places recur across articles): keys of names up to this length are
# remembered, in bounded caches, so that memory stays flat in a long-running process.
CACHED_KEY_MAX_CHARS = 120
FOLD_CACHE_SIZE = 32_768
SKELETON_CACHE_SIZE = 16_384
# How alike two loose keys must be to spell one name (difflib's ratio).
SPELLING_VARIANT_MIN_RATIO = 0.6
SPELLING_VARIANT_MIN_KEY = 3


def fold(text: str) -> str:
    """Lower-case ASCII-ish key: accents and quote marks removed, separators collapsed."""
    return _cached_fold(text) if len(text) <= CACHED_KEY_MAX_CHARS else _fold(text)


def skeleton(text: str) -> str:
    """A loose key for transliterated names: articles and vowels dropped, doubles collapsed.

    ``Deir ez-Zor``, ``Deir el-Zour`` and ``Dayr az Zawr`` all give ``dr zr``.
    """
    return _cached_skeleton(text) if len(text) <= CACHED_KEY_MAX_CHARS else _skeleton(text)


@lru_cache(maxsize=FOLD_CACHE_SIZE)
def spelling_variant(a: str, b: str) -> bool:
    """Whether two names are spellings of one name ("Inkhel" and "Inkhil", "Zabadani" and "Az
    Zabadani", "Azaz" and "I'zaz"), not two names ("Bassa" and "Passau"): their loose keys
    start alike and share most of their letters."""
    key_a, key_b = skeleton(a), skeleton(b)
    if not key_a or not key_b:
        return False
    key_a, key_b = any_initial_vowel(key_a), any_initial_vowel(key_b)
    if key_a[0] != key_b[0]:
        return False
    if min(len(key_a), len(key_b)) < SPELLING_VARIANT_MIN_KEY:
        # two letters say too little: "Bala" is not a spelling of Basel
        return key_a == key_b
    return difflib.SequenceMatcher(None, key_a, key_b).ratio() >= SPELLING_VARIANT_MIN_RATIO


def any_initial_vowel(key: str) -> str:
    """A key whose initial vowel is written "a": an initial vowel is a transliterator's choice
    ("Azaz", "I'zaz", "Ezaz")."""
    return "a" + key[1:] if key[:1] in ("a", "e", "i", "o", "u") else key


def without_article(key: str) -> str:
    """A folded name without a leading Arabic article: "al raqqah" -> "raqqah" (GeoNames spells
    it "Ar Raqqah" and "Raqqa"); the key itself when it has none."""
    head, _, rest = key.partition(" ")
    return rest if rest and head in _ARTICLES else key


def _fold(text: str) -> str:
    if text.isascii():
        return _SEP_RE.sub(" ", _QUOTE_RE.sub("", text)).strip().lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = _QUOTE_RE.sub("", stripped)
    return _SEP_RE.sub(" ", stripped).strip().lower()


def _skeleton(text: str) -> str:
    words = [w for w in fold(text).split() if w not in _ARTICLES]
    keys: list[str] = []
    for word in words:
        if len(word) > 3 and word.endswith("h") and word[-2] in "aeiou":
            word = word[:-1]
        head, tail = word[:1], _VOWELS_RE.sub("", word[1:])
        squeezed = _DOUBLES_RE.sub(r"\1", head + tail)
        if squeezed:
            keys.append(squeezed)
    return " ".join(keys)


_cached_fold = lru_cache(maxsize=FOLD_CACHE_SIZE)(_fold)
_cached_skeleton = lru_cache(maxsize=SKELETON_CACHE_SIZE)(_skeleton)


def is_latin(text: str) -> bool:
    """True when every letter of ``text`` is Latin (after removing accents)."""
    folded = fold(text)
    return bool(folded) and all(ch.isascii() for ch in folded)
