"""Signatures and band keys for many texts at once, vectorised with numpy.

Per-document Python work (tokenising with a regular expression, building word sets, hashing
band by band) was what bounded the deduplicator's throughput. Here a batch of texts becomes one
byte buffer and everything else is array arithmetic:

* ASCII texts are lower-cased through a byte table; other texts are tokenised with the Unicode
  rules (NFKC, case-folding, ``\\w+``) and their words joined by spaces, so both paths produce the
  same words and the same bytes for them.
* Each word's 64-bit hash is a polynomial hash of its UTF-8 bytes, computed for all words at
  once from prefix sums, then mixed (``fmix64``). Stop words are dropped by their hashes.
* The MinHash matrix comes from rensa's flat-hash API (``digest_matrix_from_flat_token_hashes``).
* The content hash is xxh3-128 of the normalised text (words joined by single spaces).
* Band keys mix each band's rows with multiply-xor steps and ``fmix64``: stable across
  processes, machines and Python versions (they are stored in Elasticsearch).

The single-text functions in :mod:`pipeline.dedup.signatures` call these with a batch of one, so
both paths agree exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import xxhash
from rensa import RMinHash

NUM_PERM = 64
SEED = 20240501
NEAR_BANDS, NEAR_ROWS = 8, 8
STORY_BANDS, STORY_ROWS = 16, 2
BAND_KEYS = NEAR_BANDS + STORY_BANDS
MIN_TOKENS = 8
SUB_BATCH = 2048  # texts per vectorised pass: bounds the temporary arrays (< 2**16)

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]
Bools = npt.NDArray[np.bool_]

_WORD = re.compile(r"\w+", re.UNICODE)
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

_P = np.uint64(0x100000001B3)  # odd: invertible modulo 2**64
_P_INV = np.uint64(pow(0x100000001B3, -1, 2**64))
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_ROW_MUL = np.uint64(0x9E3779B97F4A7C15)
_S33 = np.uint64(33)
_SHIFT32 = np.uint64(32)

# Byte tables: ASCII lower-casing, and which bytes belong to words. Bytes >= 0x80 only occur in
# the joined-words form of non-ASCII texts, where every non-space byte belongs to a word.
_LOWER = np.arange(256, dtype=np.uint8)
_LOWER[ord("A") : ord("Z") + 1] += 32
_IS_WORD = np.zeros(256, dtype=bool)
for _c in b"abcdefghijklmnopqrstuvwxyz0123456789_":
    _IS_WORD[_c] = True
_IS_WORD[0x80:] = True


def fmix64(h: U64) -> U64:
    h = h ^ (h >> _S33)
    h = h * _M1
    h = h ^ (h >> _S33)
    h = h * _M2
    return h ^ (h >> _S33)


def _words_text(text: str) -> bytes:
    """Bytes whose word runs are the text's words: the lower-cased text itself when ASCII,
    else its Unicode words joined by spaces."""
    if text.isascii():
        return text.encode("ascii")
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return " ".join(_WORD.findall(text.casefold())).encode("utf-8")


def _token_hashes(buffer: npt.NDArray[np.uint8]) -> tuple[U64, npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Hashes, starts and ends of the word runs of a lower-cased byte buffer."""
    is_word = _IS_WORD[buffer]
    edges = np.diff(np.concatenate(([False], is_word, [False])).astype(np.int8))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    n = len(buffer)
    powers = np.empty(n + 1, dtype=np.uint64)
    powers[0] = 1
    powers[1:] = _P
    np.cumprod(powers, out=powers)
    inverse = np.empty(n + 1, dtype=np.uint64)
    inverse[0] = 1
    inverse[1:] = _P_INV
    np.cumprod(inverse, out=inverse)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(buffer.astype(np.uint64) * powers[:n], out=prefix[1:])
    raw = (prefix[ends] - prefix[starts]) * inverse[starts]
    lengths = (ends - starts).astype(np.uint64)
    return fmix64(raw ^ (lengths << _SHIFT32)), starts, ends


def _stop_hashes() -> U64:
    data = np.frombuffer(" ".join(sorted(STOPWORDS)).encode("utf-8"), dtype=np.uint8)
    hashes, _, _ = _token_hashes(data)
    return np.unique(hashes)


_STOP = _stop_hashes()
_STOP_BITS = 12


def _stop_tables() -> list[tuple[np.uint64, U64]]:
    """Stop-word hashes spread over a few small direct-mapped tables (slot: 12 bits of the
    hash, other bits for each further table), so a token is tested with a gather per table
    instead of a binary search. Empty slots hold a stop-word hash too, so any hit is one."""
    tables: list[tuple[np.uint64, U64]] = []
    remaining = _STOP
    shift = 0
    while remaining.size:
        slots = (remaining >> np.uint64(shift)) & np.uint64((1 << _STOP_BITS) - 1)
        used, first = np.unique(slots, return_index=True)
        table = np.full(1 << _STOP_BITS, _STOP[0], dtype=np.uint64)
        table[used] = remaining[first]
        tables.append((np.uint64(shift), table))
        remaining = np.delete(remaining, first)
        shift += _STOP_BITS
    return tables


_STOP_TABLES = _stop_tables()
_STOP_MASK = np.uint64((1 << _STOP_BITS) - 1)


def _is_stop(hashes: U64) -> Bools:
    stop = np.zeros(len(hashes), dtype=bool)
    for shift, table in _STOP_TABLES:
        stop |= table[((hashes >> shift) & _STOP_MASK).astype(np.intp)] == hashes
    return stop


class Signatures:
    """Signatures of a batch: content hashes, a MinHash matrix, and which rows are comparable
    (at least ``MIN_TOKENS`` distinct content words)."""

    __slots__ = ("comparable", "content_hashes", "minhash")

    def __init__(self, content_hashes: list[str], minhash: U32, comparable: Bools) -> None:
        self.content_hashes = content_hashes
        self.minhash = minhash
        self.comparable = comparable


def signatures(texts: Sequence[str]) -> Signatures:
    hashes: list[str] = []
    blocks: list[U32] = []
    comparable: list[Bools] = []
    for offset in range(0, len(texts), SUB_BATCH):
        part = _signatures(texts[offset : offset + SUB_BATCH])
        hashes.extend(part.content_hashes)
        blocks.append(part.minhash)
        comparable.append(part.comparable)
    if not blocks:
        return Signatures([], np.zeros((0, NUM_PERM), dtype=np.uint32), np.zeros(0, dtype=bool))
    return Signatures(hashes, np.concatenate(blocks), np.concatenate(comparable))


def _signatures(texts: Sequence[str]) -> Signatures:
    pieces = [_words_text(text) for text in texts]
    joined = b"\n".join(pieces)
    buffer = _LOWER[np.frombuffer(joined, dtype=np.uint8)] if joined else np.zeros(0, np.uint8)
    lengths = np.array([len(p) + 1 for p in pieces], dtype=np.intp)
    doc_starts = np.zeros(len(pieces), dtype=np.intp)
    np.cumsum(lengths[:-1], out=doc_starts[1:])
    token_hash, starts, ends = _token_hashes(buffer)
    doc_of_byte = np.repeat(np.arange(len(pieces), dtype=np.intp), lengths)
    token_doc = doc_of_byte[starts]

    # Normalised text per document: its words joined by single spaces.
    normalised = buffer.copy()
    gap_after = np.zeros(len(buffer) + 1, dtype=bool)
    same_doc_next = token_doc[1:] == token_doc[:-1]
    gap_after[ends[:-1][same_doc_next]] = True
    normalised[gap_after[:-1]] = ord(" ")
    keep = _IS_WORD[buffer] | gap_after[:-1]
    kept = normalised[keep]
    kept_before = np.concatenate(([0], np.cumsum(keep)))
    doc_ends = np.empty(len(pieces), dtype=np.intp)
    doc_ends[:-1] = doc_starts[1:] - 1
    doc_ends[-1:] = len(buffer)
    first = kept_before[doc_starts]
    last = kept_before[doc_ends]
    data = kept.tobytes()
    digest = xxhash.xxh3_128_hexdigest
    content_hashes = [
        digest(data[a:b]) for a, b in zip(first.tolist(), last.tolist(), strict=True)
    ]

    content = ~_is_stop(token_hash)
    content_hash = token_hash[content]
    content_doc = token_doc[content]
    offsets = np.zeros(len(pieces) + 1, dtype=np.uint64)
    np.cumsum(np.bincount(content_doc, minlength=len(pieces)), out=offsets[1:])
    matrix = RMinHash.digest_matrix_from_flat_token_hashes(content_hash, offsets, NUM_PERM, SEED)
    minhash = np.array(matrix.to_rows(), dtype=np.uint32).reshape(len(pieces), NUM_PERM)

    comparable = _comparable(content_hash, content_doc, offsets.astype(np.intp), len(pieces))
    return Signatures(content_hashes, minhash, comparable)


def _comparable(hashes: U64, docs: npt.NDArray[np.intp], offsets: npt.NDArray[np.intp],
                count: int) -> Bools:
    """Which documents have at least ``MIN_TOKENS`` distinct content words. The distinct
    values of 6 bits of the words' hashes are a lower bound, enough for almost every document
    (one OR and one popcount each); the few others are counted exactly (sorted (document, 48
    bits of the hash) pairs)."""
    tokens = np.diff(offsets)
    bits = np.zeros(count, dtype=np.uint64)
    occupied = tokens > 0
    if len(hashes):
        one = np.left_shift(np.uint64(1), hashes & np.uint64(63))
        bits[occupied] = np.bitwise_or.reduceat(one, offsets[:-1][occupied])
    comparable = np.bitwise_count(bits) >= MIN_TOKENS
    doubtful = np.flatnonzero(~comparable & (tokens >= MIN_TOKENS))
    if doubtful.size:
        pick = np.isin(docs, doubtful)
        tagged = np.sort(
            (docs[pick].astype(np.uint64) << np.uint64(48)) | (hashes[pick] >> np.uint64(16))
        )
        first_of_kind = np.ones(len(tagged), dtype=bool)
        first_of_kind[1:] = tagged[1:] != tagged[:-1]
        distinct = np.bincount(
            (tagged[first_of_kind] >> np.uint64(48)).astype(np.intp), minlength=count
        )
        comparable[doubtful] = distinct[doubtful] >= MIN_TOKENS
    return comparable


_NEAR_SALT = (np.uint64(0x100) + np.arange(NEAR_BANDS, dtype=np.uint64)) * _ROW_MUL
_STORY_SALT = (np.uint64(0x200) + np.arange(STORY_BANDS, dtype=np.uint64)) * _ROW_MUL


def _mix_bands(bands: U64, salt: U64) -> U64:
    """(docs, bands, rows) -> (docs, bands) keys."""
    h = np.broadcast_to(salt, bands.shape[:2]).copy()
    for row in range(bands.shape[2]):
        h = fmix64(h ^ bands[:, :, row])
    return h


def band_keys(minhash: U32) -> U64:
    """(docs, 64) MinHash rows -> (docs, 24) keys: 8 near bands of 8 rows, then 16 story bands
    of 2 rows over the first 32 permutations."""
    values = minhash.astype(np.uint64)
    docs = len(values)
    near = _mix_bands(values.reshape(docs, NEAR_BANDS, NEAR_ROWS), _NEAR_SALT)
    story = _mix_bands(
        values[:, : STORY_BANDS * STORY_ROWS].reshape(docs, STORY_BANDS, STORY_ROWS), _STORY_SALT
    )
    return np.concatenate([near, story], axis=1)


def hash_keys(content_hashes: Sequence[str]) -> U64:
    return np.array([int(h[:16], 16) for h in content_hashes], dtype=np.uint64)
