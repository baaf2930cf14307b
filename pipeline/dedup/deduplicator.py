"""The decision rules: update, exact duplicate, near-duplicate, story.

For one article (id, first-seen time, revision, text):

1. **Same id** (same canonical URL or feed GUID): an article already stored under this id with
   a different text is an *update*, not a duplicate. The same text again (a replay after a
   crash, or a re-publication) gives back the stored decision unchanged.
2. The article's record is stored (pending), then its keys are *claimed*: the normalised-text
   hash, 8 near-duplicate bands and 16 story bands. Each key has exactly one owner, the first
   article that claimed it; the article learns the owners of its keys.
3. **Exact**: the owner of the text-hash key, if another article with the same hash, is the
   original (``duplicate_kind="exact"``, similarity 1.0).
4. **Near**: among the other owners, those that *precede* this article and whose estimated
   Jaccard similarity reaches ``near_threshold`` are originals; the most similar wins
   (``duplicate_kind="near"``). Article X precedes Y when, among the band keys both have, X
   owns some and Y none, or both own some and X is earlier by (first_seen, id). Both sides
   compute the same answer from the same claims, which is how two workers processing two
   copies at the same moment agree on which one is the original (docs/deduplication.md).
5. **Story**: a duplicate joins its original's story. Otherwise the most similar preceding
   article within ``story_window_s`` whose similarity reaches ``story_threshold`` gives its
   story; otherwise the article starts a story of its own (``story_id`` = its id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pipeline.dedup.signatures import Signature, all_keys, jaccard, signature
from pipeline.dedup.state import DedupState, DocRecord

DEFAULT_NEAR_THRESHOLD = 0.8
DEFAULT_STORY_THRESHOLD = 0.3
DEFAULT_STORY_WINDOW_S = 3 * 86400.0
DEFAULT_WINDOW_S = 14 * 86400.0


@dataclass(frozen=True)
class Decision:
    content_hash: str
    story_id: str
    duplicate_of: str | None = None
    duplicate_kind: Literal["exact", "near"] | None = None
    similarity: float | None = None
    is_update: bool = False


class Deduplicator:
    def __init__(
        self,
        state: DedupState,
        near_threshold: float = DEFAULT_NEAR_THRESHOLD,
        story_threshold: float = DEFAULT_STORY_THRESHOLD,
        story_window_s: float = DEFAULT_STORY_WINDOW_S,
        window_s: float = DEFAULT_WINDOW_S,
    ) -> None:
        self.state = state
        self.near_threshold = near_threshold
        self.story_threshold = story_threshold
        self.story_window_s = story_window_s
        self.window_s = window_s

    def check(self, doc_id: str, first_seen: float, text: str, revision: int = 0) -> Decision:
        return self.check_signature(doc_id, first_seen, signature(text), revision)

    def check_signature(
        self, doc_id: str, first_seen: float, sig: Signature, revision: int = 0
    ) -> Decision:
        previous = self.state.get(doc_id)
        if previous is not None and previous.first_seen < first_seen - self.window_s:
            previous = None  # outside the window: a new article as far as we know
        is_update = False
        if previous is not None:
            if previous.content_hash == sig.content_hash and previous.story_id is not None:
                # Replay or re-publication of the same text: the same answer as before.
                return self._from_record(previous, revision > previous.revision)
            is_update = previous.content_hash != sig.content_hash
            # An update keeps the article's place in time.
            first_seen = min(first_seen, previous.first_seen)

        minhash = sig.minhash if sig.comparable else None
        pending = DocRecord(doc_id, first_seen, sig.content_hash, minhash, revision)
        self.state.put(pending)
        keys = all_keys(sig)
        horizon = first_seen - self.window_s
        owners = self.state.claim(keys, pending, horizon)
        others = {owner for owner in owners if owner != doc_id}
        candidates = self.state.records(others) if others else {}

        decision = self._decide(
            doc_id, first_seen, sig, keys, owners, candidates, horizon, is_update
        )
        self.state.put(
            DocRecord(
                doc_id, first_seen, sig.content_hash, minhash, revision,
                story_id=decision.story_id, duplicate_of=decision.duplicate_of,
                duplicate_kind=decision.duplicate_kind, similarity=decision.similarity,
            )
        )
        return decision

    def _decide(
        self,
        doc_id: str,
        first_seen: float,
        sig: Signature,
        keys: Sequence[int],
        owners: Sequence[str],
        candidates: dict[str, DocRecord],
        horizon: float,
        is_update: bool,
    ) -> Decision:
        live = {
            cid: record for cid, record in candidates.items() if record.first_seen >= horizon
        }
        exact_owner = owners[0]
        if exact_owner != doc_id:
            original = live.get(exact_owner)
            if original is not None and original.content_hash == sig.content_hash:
                return Decision(
                    sig.content_hash,
                    story_id=original.story_id or original.id,
                    duplicate_of=original.duplicate_of or original.id,
                    duplicate_kind="exact",
                    similarity=1.0,
                    is_update=is_update,
                )
        if not sig.comparable:
            return Decision(sig.content_hash, story_id=doc_id, is_update=is_update)

        owner_of = dict(zip(keys[1:], owners[1:], strict=True))
        mine = set(keys[1:])
        best_near: tuple[float, DocRecord] | None = None
        best_story: tuple[float, DocRecord] | None = None
        for record in live.values():
            if record.minhash is None:
                continue
            similarity = jaccard(sig.minhash, record.minhash)
            if similarity < self.story_threshold:
                continue  # cheap test first: most candidates of a band are not similar
            if not _precedes(record, doc_id, first_seen, mine, owner_of):
                continue
            if similarity >= self.near_threshold and (
                best_near is None or _better(similarity, record, best_near)
            ):
                best_near = (similarity, record)
            if (
                similarity >= self.story_threshold
                and abs(first_seen - record.first_seen) <= self.story_window_s
                and (best_story is None or _better(similarity, record, best_story))
            ):
                best_story = (similarity, record)

        if best_near is not None:
            similarity, original = best_near
            return Decision(
                sig.content_hash,
                story_id=original.story_id or original.id,
                duplicate_of=original.duplicate_of or original.id,
                duplicate_kind="near",
                similarity=round(similarity, 4),
                is_update=is_update,
            )
        if best_story is not None:
            story = best_story[1]
            return Decision(
                sig.content_hash, story_id=story.story_id or story.id, is_update=is_update
            )
        return Decision(sig.content_hash, story_id=doc_id, is_update=is_update)

    @staticmethod
    def _from_record(record: DocRecord, is_update: bool) -> Decision:
        kind: Literal["exact", "near"] | None = None
        if record.duplicate_kind == "exact":
            kind = "exact"
        elif record.duplicate_kind == "near":
            kind = "near"
        return Decision(
            record.content_hash,
            story_id=record.story_id or record.id,
            duplicate_of=record.duplicate_of,
            duplicate_kind=kind,
            similarity=record.similarity,
            is_update=is_update,
        )


def _better(similarity: float, record: DocRecord, best: tuple[float, DocRecord]) -> bool:
    best_similarity, best_record = best
    if similarity != best_similarity:
        return similarity > best_similarity
    return (record.first_seen, record.id) < (best_record.first_seen, best_record.id)


def _precedes(
    other: DocRecord,
    doc_id: str,
    first_seen: float,
    mine: set[int],
    owner_of: dict[int, str],
) -> bool:
    """Does ``other`` come before the article being decided? See the module docstring."""
    assert other.minhash is not None
    shared = mine.intersection(all_keys(Signature(other.content_hash, other.minhash, 1 << 30))[1:])
    other_owns = any(owner_of[key] == other.id for key in shared)
    if not other_owns:
        return False
    i_own = any(owner_of[key] == doc_id for key in shared)
    if not i_own:
        return True
    return (other.first_seen, other.id) < (first_seen, doc_id)
