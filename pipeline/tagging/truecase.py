"""Headlines in title case or in capitals read like a sentence.

"Suicide Bomber Kills 7 In Baghdad Market" and "TROOPS SHOT 20 DEAD IN CENTRAL AFRICAN REPUBLIC"
capitalise every word, so every word looks like part of a name and the names run into each
other ("Baghdad Market", "Bomber Kills"). Such a headline is restored to sentence case before it
is read: a known name keeps its capitals ("Central African Republic", "Lower Shabelle", "ISIS"),
a common English word is lower-cased ("kills", "in", "market"), and in a headline in capitals
every other word is capitalised ("BAGHDAD" -> "Baghdad"); words of three letters or fewer
stay in capitals there (they are mostly acronyms: "UN", "AU"). The text keeps its length, so
offsets into it stay those of the original.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")
# Words joined by a space or a hyphen may form one name ("Al-Shabaab", "Lower Shabelle").
_JOINER = re.compile(r"^[ -]$")
MAX_NAME_WORDS = 4
# How much of a headline must be in capitals, and how many of its longer words capitalised,
# for it to be restored.
SHOUTING_SHARE = 0.8
TITLE_CASE_SHARE = 0.75
TITLE_CASE_MIN_WORDS = 3
ACRONYM_MAX = 3
_SUFFIXES = ("s", "es", "ed", "d", "ing")


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """``pipeline/data/common_words.txt``: frequent English words, lower-case."""
    text = resources.files("pipeline.data").joinpath("common_words.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_shouting(title: str) -> bool:
    letters = [ch for ch in title if ch.isalpha()]
    return len(letters) >= 12 and sum(ch.isupper() for ch in letters) >= SHOUTING_SHARE * len(letters)


def is_title_case(title: str, is_common: Callable[[str], bool]) -> bool:
    """Whether the headline's longer common words are capitalised (names are capitalised in any
    case: "Clashes in Jobar and bombardment on Reef Dimashq" is in sentence case)."""
    longer = [w for w in _WORD.findall(title) if len(w) >= 4 and is_common(w.lower())]
    capitalised = sum(w[0].isupper() for w in longer)
    return len(longer) >= TITLE_CASE_MIN_WORDS and capitalised >= TITLE_CASE_SHARE * len(longer)


@dataclass(frozen=True)
class CaseRestorer:
    """``is_name(words)`` says whether words (as written in running text: "Lower Shabelle")
    are a known name; ``common`` holds lower-case common words (event words among them)."""

    is_name: Callable[[str], bool]
    common: frozenset[str]

    @classmethod
    def with_words(cls, is_name: Callable[[str], bool], extra_common: Iterable[str]) -> CaseRestorer:
        return cls(is_name, common_words() | {w.lower() for w in extra_common})

    def restore(self, title: str) -> str:
        """``title`` in sentence case when it is in title case or capitals, else unchanged."""
        shouting = is_shouting(title)
        if not shouting and not is_title_case(title, self.is_common):
            return title
        words = list(_WORD.finditer(title))
        out = list(title)
        i = 0
        while i < len(words):
            length = self._name_at(title, words, i)
            if length == 0:
                match = words[i]
                out[match.start() : match.end()] = self._plain_word(match.group(0), shouting)
            elif shouting:
                for match in words[i : i + length]:
                    out[match.start() : match.end()] = _name_case(match.group(0))
            i += max(length, 1)
        return "".join(out)

    def _name_at(self, title: str, words: list[re.Match[str]], i: int) -> int:
        """How many words from the ``i``-th form the longest known name (0: none)."""
        longest = min(MAX_NAME_WORDS, len(words) - i)
        for length in range(longest, 0, -1):
            group = words[i : i + length]
            gaps = (title[a.end() : b.start()] for a, b in itertools.pairwise(group))
            if any(not _JOINER.match(gap) for gap in gaps):
                continue
            text = title[group[0].start() : group[-1].end()]
            if self.is_name(_WORD.sub(lambda m: _name_case(m.group(0)), text) if text.isupper() else text):
                return length
        return 0

    def _plain_word(self, word: str, shouting: bool) -> str:
        if self.is_common(word.lower()):
            return word.lower()
        if shouting and len(word) > ACRONYM_MAX:
            return _name_case(word)
        return word

    def is_common(self, lower: str) -> bool:
        if lower in self.common:
            return True
        return any(lower.endswith(s) and lower[: -len(s)] in self.common for s in _SUFFIXES)


def _name_case(word: str) -> str:
    """ "BAGHDAD" -> "Baghdad", "AL-SHABAAB" -> "Al-Shabaab"; short acronyms stay ("UN")."""
    if not word.isupper() or len(word) <= ACRONYM_MAX:
        return word
    return "-".join(part[:1] + part[1:].lower() for part in word.split("-"))
