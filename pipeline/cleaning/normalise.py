"""Unicode and whitespace normalisation for extracted text.

NFC keeps characters such as ``km²`` or ``½`` intact (NFKC would turn them into ``km2``, ``1/2``);
only a short list of compatibility characters that never carry meaning in news text (ligatures,
non-breaking and zero-width spaces, soft hyphens) is folded explicitly.
"""

from __future__ import annotations

import re
import unicodedata

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


def word_count(text: str) -> int:
    return len(text.split())
