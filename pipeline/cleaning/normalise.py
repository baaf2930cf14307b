"""Unicode and whitespace normalisation for extracted text, and word counts.

NFC keeps characters such as ``km²`` or ``½`` intact (NFKC would turn them into ``km2``, ``1/2``);
only a short list of compatibility characters that never carry meaning in news text (ligatures,
non-breaking and zero-width spaces, soft hyphens) is folded explicitly.

Word counts split on spaces, except in scripts written without them (Chinese, Japanese, Thai,
Lao, Khmer, Burmese: ``pipeline/data/scripts.yaml``), where a run of characters counts as its
length divided by the script's average characters per word.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

_TRANSLATE = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u3000": " ",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,  # byte-order mark
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\r": None,
    }
)
# Any character the table changes: most texts have none, and the test is much cheaper than
# ``str.translate`` with a mapping.
_FOLDED = re.compile("[" + "".join(re.escape(chr(code)) for code in _TRANSLATE) + "]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_WORDISH = re.compile(r"\w")


def normalise_text(text: str) -> str:
    """NFC, folded invisible/compatibility characters, one space between words, no more than one
    empty line between paragraphs, no spaces at line ends."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _FOLDED.search(text):
        text = text.translate(_TRANSLATE)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def normalise_line(line: str) -> str:
    """One line, normalised for comparison (boilerplate fingerprints): case- and space-folded."""
    if not unicodedata.is_normalized("NFKC", line):
        line = unicodedata.normalize("NFKC", line)
    if _FOLDED.search(line):
        line = line.translate(_TRANSLATE)
    folded = line.casefold()
    return _SPACES.sub(" ", folded).strip()


class UnspacedScript(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    ranges: tuple[str, ...] = Field(min_length=1)
    chars_per_word: float = Field(gt=0.5, le=10.0)

    @field_validator("ranges")
    @classmethod
    def _hex_ranges(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            start, _, end = value.partition("-")
            try:
                low, high = int(start, 16), int(end, 16)
            except ValueError as exc:
                raise ValueError(f"{value!r} is not a range of hex code points like 4E00-9FFF") from exc
            if not 0 < low <= high <= 0x10FFFF:
                raise ValueError(f"{value!r} is not an ordered range of code points")
        return values

    def character_class(self) -> str:
        parts = []
        for value in self.ranges:
            start, _, end = value.partition("-")
            parts.append(f"{re.escape(chr(int(start, 16)))}-{re.escape(chr(int(end, 16)))}")
        return "[" + "".join(parts) + "]"


class UnspacedScripts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(1, ge=1)
    scripts: tuple[UnspacedScript, ...] = Field(min_length=1)


def load_scripts(text: str) -> UnspacedScripts:
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("scripts.yaml: expected a mapping with 'scripts'")
    return UnspacedScripts.model_validate(data)


@functools.cache
def _unspaced() -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], float], ...]]:
    text = resources.files("pipeline.data").joinpath("scripts.yaml").read_text(encoding="utf-8")
    scripts = load_scripts(text).scripts
    each = tuple((re.compile(s.character_class()), s.chars_per_word) for s in scripts)
    anything = re.compile("|".join(s.character_class() for s in scripts))
    return anything, each


def word_count(text: str) -> int:
    """Words in ``text``: space-separated tokens, plus runs of unspaced scripts counted by their
    characters (see the module docstring)."""
    anything, scripts = _unspaced()
    if not anything.search(text):
        return len(text.split())
    words = 0.0
    for pattern, chars_per_word in scripts:
        found = len(pattern.findall(text))
        if found:
            words += found / chars_per_word
            text = pattern.sub(" ", text)
    # What is left between the runs: words of other scripts, numbers, and the runs' own
    # punctuation (full-width commas, full stops, brackets), which is not a word.
    return round(words) + sum(1 for token in text.split() if _WORDISH.search(token))
