"""spaCy's tokenisation of an article, remembered chunk by chunk.

spaCy splits a text at whitespace into chunks and tokenises each chunk on its own (prefixes,
suffixes, infixes, special cases), then looks for some special cases across the tokens. It caches
a chunk's tokens, but for the rest of a document it stops caching as soon as one chunk was a
special case, and a line break is one: in a news article nearly every word is split afresh with
the affix expressions. :class:`ChunkTokenizer` keeps each chunk's tokens in a bounded LRU cache,
builds the document from its words and spaces and runs the pipeline's components on it.

The tokens are spaCy's (texts, spaces, offsets, lexemes; the norms that special cases give their
tokens are not set, and nothing here reads them). A chunk's tokens depend on the chunk alone,
except where the pieces of a special case run across two chunks ("it 's", "Mr ."): such a run
changes no token, but it could keep spaCy from applying a special case inside one of the chunks,
so a text in which two neighbouring chunks could hold one is tokenised by spaCy whole, as is a
text longer than the pipeline's ``max_length`` (which spaCy refuses).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

CHUNK_CACHE_SIZE = 50_000
# What spaCy's tokenizer calls whitespace (``str.isspace``; ``\s`` matches the same characters).
_RUNS = re.compile(r"\S+|\s+")


@dataclass(frozen=True, slots=True)
class SpecialPieces:
    """The special cases spaCy looks for across tokens (its ``_special_matcher``: those with an
    affix or a space), by their affix pieces."""

    following: dict[str, frozenset[str]]  # piece -> the pieces that follow it in a special case
    # The first and last tokens of the special cases whose tokens are not their pieces (":)" is
    # found as ":" and ")"): a chunk's first or last token may have been such pieces.
    first_tokens: frozenset[str]
    last_tokens: frozenset[str]
    followers: frozenset[str]  # every piece that follows another


@dataclass(frozen=True, slots=True)
class Chunk:
    """A chunk's tokens, and the pieces at its edges that could be part of a special case
    running across into the neighbouring chunk."""

    tokens: tuple[str, ...]
    opens: frozenset[str]  # pieces at its start that follow another piece in a special case
    closes: frozenset[str]  # pieces at its end that another piece follows


class ChunkTokenizer:
    """Documents of one blank pipeline (``nlp``) from cached chunk tokens."""

    def __init__(self, nlp: Any, cache_size: int = CHUNK_CACHE_SIZE) -> None:
        self.nlp = nlp
        self._pieces = special_pieces(nlp.tokenizer)
        self._chunk = lru_cache(maxsize=cache_size)(self._tokenize_chunk)

    def __call__(self, text: str) -> Any:
        """What ``nlp(text)`` returns: the same tokens, spaces and sentence starts."""
        from spacy.tokens import Doc

        words = self._words(text) if 0 < len(text) <= self.nlp.max_length else None
        if words is None:
            return self.nlp(text)
        doc = Doc(self.nlp.vocab, words=words[0], spaces=words[1])
        for _, component in self.nlp.pipeline:
            doc = component(doc)
        return doc

    def _words(self, text: str) -> tuple[list[str], list[bool]] | None:
        """The text's tokens and whether a space follows each, or None when spaCy must see the
        whole text (see the module docstring)."""
        words: list[str] = []
        spaces: list[bool] = []
        closes: frozenset[str] = frozenset()
        following = self._pieces.following
        for text_chunk, space_after in _chunks(text):
            chunk = self._chunk(text_chunk)
            if chunk is None:
                return None
            if chunk.opens and any(following[piece] & chunk.opens for piece in closes):
                return None
            words.extend(chunk.tokens)
            spaces.extend([False] * len(chunk.tokens))
            spaces[-1] = space_after
            closes = chunk.closes
        return words, spaces

    def _tokenize_chunk(self, text: str) -> Chunk | None:
        """The chunk as spaCy tokenises it, or None when its tokens do not simply tile it."""
        doc = self.nlp.tokenizer(text)
        tokens = tuple(token.text for token in doc)
        if not tokens or "".join(tokens) != text or any(token.whitespace_ for token in doc):
            return None
        pieces = self._pieces
        opens = {tokens[0]}
        if tokens[0] in pieces.first_tokens:
            opens.update(piece for piece in pieces.followers if text.startswith(piece))
        closes = {tokens[-1]}
        if tokens[-1] in pieces.last_tokens:
            closes.update(piece for piece in pieces.following if text.endswith(piece))
        return Chunk(
            tokens, frozenset(opens & pieces.followers), frozenset(closes & pieces.following.keys())
        )


def _chunks(text: str) -> Iterator[tuple[str, bool]]:
    """The chunks spaCy tokenises one by one, with whether a single space after the chunk was
    taken as its trailing space: runs of non-space characters, and runs of whitespace less the
    one space that follows a word."""
    after_word = False
    pending: str | None = None
    for match in _RUNS.finditer(text):
        run = match.group(0)
        if not run[0].isspace():
            if pending is not None:
                yield pending, False
            pending, after_word = run, True
            continue
        if after_word and run[0] == " ":
            assert pending is not None
            yield pending, True
            pending = None
            run = run[1:]
        if pending is not None:
            yield pending, False
        pending, after_word = (run or None), False
    if pending is not None:
        yield pending, False


def special_pieces(tokenizer: Any) -> SpecialPieces:
    """The special cases of ``tokenizer`` as :class:`SpecialPieces`."""
    from spacy.attrs import ORTH
    from spacy.tokenizer import Tokenizer

    affixes_only = Tokenizer(
        tokenizer.vocab,
        rules={},
        prefix_search=tokenizer.prefix_search,
        suffix_search=tokenizer.suffix_search,
        infix_finditer=tokenizer.infix_finditer,
        token_match=tokenizer.token_match,
        url_match=tokenizer.url_match,
    )
    following: dict[str, set[str]] = {}
    first_tokens: set[str] = set()
    last_tokens: set[str] = set()
    for special, substrings in (tokenizer.rules or {}).items():
        if not _matched_across_tokens(tokenizer, special):
            continue
        pieces = [token.text for token in affixes_only(special)]
        for before, after in pairwise(pieces):
            following.setdefault(before, set()).add(after)
        orths = [str(substring.get(ORTH, substring.get("ORTH"))) for substring in substrings]
        if orths != pieces:
            first_tokens.add(orths[0])
            last_tokens.add(orths[-1])
    return SpecialPieces(
        {before: frozenset(after) for before, after in following.items()},
        frozenset(first_tokens),
        frozenset(last_tokens),
        frozenset(piece for after in following.values() for piece in after),
    )


def _matched_across_tokens(tokenizer: Any, special: str) -> bool:
    """Whether spaCy adds the special case to the matcher it runs over a document's tokens."""
    return bool(
        not tokenizer.faster_heuristics
        or tokenizer.find_prefix(special)
        or tokenizer.find_suffix(special)
        or tokenizer.find_infix(special)
        or " " in special
    )
