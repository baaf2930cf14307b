"""Text -> content hash, MinHash and LSH band keys.

* The content hash is taken over a normalised form of the text (NFKC, case-folded, punctuation
  and whitespace removed), so copies that differ only in typography or spacing are identical.
* The MinHash (rensa, ``NUM_PERM`` permutations) is taken over the set of content words (stop
  words dropped), each word hashed to 64 bits by :mod:`pipeline.dedup.batch`. Word sets rather
  than shingles keep the signature cheap, and one signature serves both near-duplicates (high
  Jaccard) and story clustering (moderate Jaccard).
* Band keys: ``NEAR_BANDS`` bands of ``NEAR_ROWS`` values catch near-duplicates (candidate
  probability 50% at J≈0.77, >96% at J≥0.85); ``STORY_BANDS`` bands of ``STORY_ROWS`` values over
  the first permutations catch looser matches for stories (50% at J≈0.28, >93% at J≥0.45).
  Keys are 64-bit mixes of the bands' values, stable across processes, machines and Python
  versions (they are stored in Elasticsearch).

The work is done by :mod:`pipeline.dedup.batch` for many texts at once; the functions here are
its batch of one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import xxhash

from pipeline.dedup import batch
from pipeline.dedup.batch import (
    _WORD,
    MIN_TOKENS,
    NEAR_BANDS,
    NEAR_ROWS,
    NUM_PERM,
    SEED,
    STOPWORDS,
    STORY_BANDS,
    STORY_ROWS,
    U32,
    U64,
)

__all__ = [
    "MIN_TOKENS", "NEAR_BANDS", "NEAR_ROWS", "NUM_PERM", "SEED", "STOPWORDS", "STORY_BANDS",
    "STORY_ROWS", "U32", "U64", "Signature", "all_keys", "content_hash", "hash_key", "jaccard",
    "minhash_from_bytes", "minhash_to_bytes", "near_keys", "normalise_for_hash", "signature",
    "story_keys",
]


@dataclass(frozen=True)
class Signature:
    content_hash: str
    minhash: U32
    tokens: int

    @property
    def comparable(self) -> bool:
        """Fewer than ``MIN_TOKENS`` distinct content words (an empty page, a bare headline, a
        paywall notice) say nothing about which article it is: such texts are not compared at
        all, neither exactly nor by MinHash."""
        return self.tokens >= MIN_TOKENS


def _words(text: str) -> list[str]:
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _WORD.findall(text.casefold())


def normalise_for_hash(text: str) -> str:
    """Case-folded words separated by single spaces: punctuation, spacing and typography gone."""
    return " ".join(_words(text))


def content_hash(text: str) -> str:
    return xxhash.xxh3_128_hexdigest(normalise_for_hash(text).encode("utf-8"))


def signature(text: str) -> Signature:
    sigs = batch.signatures([text])
    tokens = MIN_TOKENS if sigs.comparable[0] else 0
    return Signature(sigs.content_hashes[0], sigs.minhash[0], tokens)


def jaccard(a: U32, b: U32) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


def near_keys(mh: U32) -> list[int]:
    keys: list[int] = batch.band_keys(mh.reshape(1, NUM_PERM))[0, :NEAR_BANDS].tolist()
    return keys


def story_keys(mh: U32) -> list[int]:
    keys: list[int] = batch.band_keys(mh.reshape(1, NUM_PERM))[0, NEAR_BANDS:].tolist()
    return keys


def hash_key(content_hash_hex: str) -> int:
    return int(content_hash_hex[:16], 16)


def all_keys(sig: Signature) -> list[int]:
    """The exact-text key first, then near and story band keys; none for a text that is not
    comparable (empty or too short), which therefore matches no other article."""
    if not sig.comparable:
        return []
    exact = hash_key(sig.content_hash)
    bands: list[int] = batch.band_keys(sig.minhash.reshape(1, NUM_PERM))[0].tolist()
    return [exact, *bands]


def minhash_to_bytes(mh: U32) -> bytes:
    return mh.astype("<u4").tobytes()


def minhash_from_bytes(data: bytes) -> U32:
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)
