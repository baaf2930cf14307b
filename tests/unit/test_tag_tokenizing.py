"""The chunk-cached tokenizer gives the documents spaCy gives."""

from __future__ import annotations

import random
from typing import Any

import pytest

from pipeline.tagging.entities import recognizer
from pipeline.tagging.tokenizing import ChunkTokenizer


def _shape(doc: Any) -> list[tuple[object, ...]]:
    return [(t.text, t.whitespace_, t.idx, t.is_sent_start, t.is_punct, t.is_stop, t.lower_) for t in doc]


@pytest.fixture(scope="module")
def documents() -> ChunkTokenizer:
    return ChunkTokenizer(recognizer().nlp)


@pytest.mark.parametrize(
    "text",
    [
        "Abu Bakr al-Baghdadi  spoke.\n\n  Then  Mr. Smith-Jones left Deir ez-Zor.  ",
        "Ça va — Sévaré, Köln; co-op\tU.S.-backed forces (SDF) entered.",
        " x",
        "x ",
        "x",
        "It 's what Mr . Brown said : ( not :) at 10a.m. ; ok",
        "don't:) :)—:):)\nMr  \xa0aU.S.  \n itxdon't. \n U.S.\ne.g.Mrit",
        "Internet: 1, priorities: - and / or (August, 2017: (S1114)",
    ],
)
def test_the_same_tokens_as_spacy(documents: ChunkTokenizer, text: str) -> None:
    assert _shape(documents(text)) == _shape(recognizer().nlp(text))


def test_the_same_tokens_as_spacy_around_special_cases(documents: ChunkTokenizer) -> None:
    """Special cases, their pieces and whitespace in random order: where a special case could run
    across two chunks, the text goes to spaCy whole."""
    nlp = recognizer().nlp
    specials = sorted(nlp.tokenizer.rules)
    words = ["it", "Mr", "the", "Syria", "a", "o", "s", "8", "10"]
    words += ["(", ")", ":", ";", "'", "\u2019", "-", "."]
    spaces = [" ", " ", " ", "  ", "\n", "\t", "\xa0", ""]
    rng = random.Random(7)
    for _ in range(3000):
        pieces = [rng.choice(specials + words * 3) + rng.choice(spaces) for _ in range(rng.randint(1, 12))]
        text = "".join(pieces)
        assert _shape(documents(text)) == _shape(nlp(text)), text
