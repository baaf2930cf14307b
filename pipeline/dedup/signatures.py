"""Text -> content hash, MinHash and LSH band keys.

* The content hash is taken over a normalised form of the text (NFKC, case-folded, punctuation
  and whitespace removed), so copies that differ only in typography or spacing are identical.
* The MinHash (rensa, ``NUM_PERM`` permutations) is taken over the set of content words (stop
  words dropped). Word sets rather than shingles keep the signature cheap, and one signature
  serves both near-duplicates (high Jaccard) and story clustering (moderate Jaccard).
* Band keys: ``NEAR_BANDS`` bands of ``NEAR_ROWS`` values catch near-duplicates (candidate
  probability 50% at J≈0.77, >96% at J≥0.85); ``STORY_BANDS`` bands of ``STORY_ROWS`` values over
  the first permutations catch looser matches for stories (50% at J≈0.28, >93% at J≥0.45).
  Keys are 64-bit xxh3 digests of the bands' bytes, stable across processes, machines and
  Python versions (they are stored in Elasticsearch).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xxhash
from rensa import RMinHash

NUM_PERM = 64
SEED = 20240501
NEAR_BANDS, NEAR_ROWS = 8, 8
STORY_BANDS, STORY_ROWS = 16, 2
MIN_TOKENS = 8

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]

_WORD = re.compile(r"\w+", re.UNICODE)
_STRIP = re.compile(r"[\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own said same says she should so some such than that the their theirs them then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours
    der die das und ist nicht mit den von zu sich auf für ein eine dem des im le la les et des
    est une dans pour que qui pas sur du au el los las y en del por con una para se al""".split()  # noqa: SIM905
)

@dataclass(frozen=True)
class Signature:
    content_hash: str
    minhash: U32
    tokens: int

    @property
    def comparable(self) -> bool:
        """Too few words make MinHash meaningless; such texts only take part in exact layers."""
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


def content_words(text: str) -> set[str]:
    return set(_words(text)) - STOPWORDS


def minhash(words: set[str] | list[str]) -> U32:
    hasher = RMinHash(num_perm=NUM_PERM, seed=SEED)
    hasher.update(words)
    return np.asarray(hasher.digest(), dtype=np.uint32)


def signature(text: str) -> Signature:
    words = _words(text)
    digest = xxhash.xxh3_128_hexdigest(" ".join(words).encode("utf-8"))
    content = set(words) - STOPWORDS
    return Signature(digest, minhash(content), len(content))


def jaccard(a: U32, b: U32) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


_NEAR_SLICES = [(band * NEAR_ROWS * 4, (band + 1) * NEAR_ROWS * 4) for band in range(NEAR_BANDS)]
_STORY_SLICES = [
    (band * STORY_ROWS * 4, (band + 1) * STORY_ROWS * 4) for band in range(STORY_BANDS)
]


def _band_keys(data: bytes, slices: list[tuple[int, int]], salt: int) -> list[int]:
    return [
        xxhash.xxh3_64_intdigest(data[start:end], seed=salt + band)
        for band, (start, end) in enumerate(slices)
    ]


def near_keys(mh: U32) -> list[int]:
    return _band_keys(minhash_to_bytes(mh), _NEAR_SLICES, 0x100)


def story_keys(mh: U32) -> list[int]:
    return _band_keys(minhash_to_bytes(mh), _STORY_SLICES, 0x200)


def hash_key(content_hash_hex: str) -> int:
    return int(content_hash_hex[:16], 16)


def all_keys(sig: Signature) -> list[int]:
    """The exact-text key first, then (for comparable texts) near and story band keys. Keys are
    xxh3 digests of the bands' bytes, stable across processes, machines and Python versions."""
    exact = hash_key(sig.content_hash)
    if not sig.comparable:
        return [exact]
    data = minhash_to_bytes(sig.minhash)
    return [exact, *_band_keys(data, _NEAR_SLICES, 0x100), *_band_keys(data, _STORY_SLICES, 0x200)]


def minhash_to_bytes(mh: U32) -> bytes:
    return mh.astype("<u4").tobytes()


def minhash_from_bytes(data: bytes) -> U32:
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)
