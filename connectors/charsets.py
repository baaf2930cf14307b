"""Turning page bytes into text when the declared charset is missing or wrong.

Order: a byte-order mark; the charset in the Content-Type header; the one in a ``<meta>`` tag;
UTF-8; then detection (charset-normalizer). A declaration is only believed if the bytes decode
under it. Single-byte "decode anything" charsets (Latin-1, windows-1252) are believed only when
the text they give looks like Western text (mostly ASCII letters); otherwise detection decides,
since a Cyrillic page labelled ISO-8859-1 is common.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_META = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_PERMISSIVE = frozenset({"iso8859-1", "cp1252", "ascii"})
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    rule: str  # bom | header | meta | utf-8 | detected | fallback


def declared_charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip("\"' "):
            return value.strip("\"' ")
    return None


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _detect(body: bytes) -> Decoded | None:
    best = from_bytes(body[:200_000]).best()
    if best is None or best.encoding is None:
        return None
    try:
        return Decoded(body.decode(best.encoding), best.encoding, "detected")
    except (LookupError, UnicodeDecodeError):
        return None


def _mostly_non_ascii_letters(text: str) -> bool:
    """Western text in a Latin charset has a few accented letters among ASCII ones; another
    script read as Latin-1 is almost all "accented" letters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return sum(1 for c in letters if ord(c) > 127) / len(letters) > 0.3


def decode_html(body: bytes, content_type: str | None = None) -> Decoded:
    for bom, name in _BOMS:
        if body.startswith(bom):
            try:
                return Decoded(body.decode(name), name, "bom")
            except UnicodeDecodeError:
                break
    candidates: list[tuple[str, str]] = []
    header = declared_charset(content_type)
    if header:
        candidates.append((header, "header"))
    match = _META.search(body[:4096])
    if match:
        candidates.append((match.group(1).decode("ascii", "replace"), "meta"))
    for name, rule in candidates:
        codec = _codec(name)
        if codec is None:
            continue
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec in _PERMISSIVE and _mostly_non_ascii_letters(text):
            detected = _detect(body)
            if detected is not None and _codec(detected.encoding) not in _PERMISSIVE | {"utf-8"}:
                return detected
        return Decoded(text, codec, rule)
    try:
        return Decoded(body.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    detected = _detect(body)
    if detected is not None:
        return detected
    return Decoded(body.decode("utf-8", "replace"), "utf-8", "fallback")
