"""The decision rules: update, exact duplicate, near-duplicate, story.

For one article (id, first-seen time, revision, text):

1. **Same id** (same canonical URL or feed GUID): an article already stored under this id with
   a different text is an *update*, not a duplicate. The same text again (a replay after a
   crash, or a re-publication) gives back the stored decision unchanged.
2. The article's record is stored (pending), then its keys are *claimed*: the normalised-text
   hash, 8 near-duplicate bands and 16 story bands. Each key has exactly one owner, the first
   article that claimed it; the article learns the owners of its keys. A text with fewer than
   ``MIN_TOKENS`` distinct content words (empty, whitespace, a bare headline) claims no key:
   all such texts would otherwise share one hash, so it is nobody's duplicate and starts a
   story of its own (rule 1 still applies to its id).
3. **Exact**: a preceding article (see 4) with the same text hash is the original
   (``duplicate_kind="exact"``, similarity 1.0); in a single worker that is the owner of the
   text-hash key.
4. **Near**: among the other owners, those that *precede* this article and whose estimated
   Jaccard similarity reaches ``near_threshold`` are originals; the most similar wins
   (``duplicate_kind="near"``). Article X precedes Y when, among the keys both have, X
   owns some and Y none, or both own some and X is earlier by (first_seen, id). Both sides
   compute the same answer from the same claims, which is how two workers processing two
   copies at the same moment agree on which one is the original (docs/deduplication.md).
5. **Story**: a duplicate joins its original's story. Otherwise the story layer
   (:mod:`pipeline.dedup.stories`) asks the state for the articles first seen within
   ``story_window_s`` before this one that share a name with it, and the one that precedes it
   by (first_seen, id) with the highest sketch cosine, if that reaches ``story_cosine``, gives
   its story. Without one, the most similar preceding article by MinHash within the window
   whose similarity reaches ``story_threshold`` gives its story (the MinHash story bands);
   otherwise the article starts a story of its own (``story_id`` = its id). The story layer
   only ever sets ``story_id``: it never makes an article a duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from pipeline.dedup import batch
from pipeline.dedup.signatures import (
    MIN_TOKENS,
    Signature,
    all_keys,
    jaccard,
    signature,
)
from pipeline.dedup.state import BatchDedupState, DedupState, DocRecord, MemoryState
from pipeline.dedup.stories import (
    DEFAULT_SKETCH_COSINE,
    EMPTY_SKETCH,
    StoryCandidate,
    StorySketch,
    best_story,
    sketch,
)
from pipeline.dedup.story_words import StoryWords

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
        story_cosine: float | None = DEFAULT_SKETCH_COSINE,
        story_words: StoryWords | None = None,
    ) -> None:
        """``story_cosine=None`` turns the story layer off (stories by MinHash bands only);
        ``story_words``: the background word frequencies (default: the bundled ones)."""
        self.state = state
        self.near_threshold = near_threshold
        self.story_threshold = story_threshold
        self.story_window_s = story_window_s
        self.window_s = window_s
        self.story_cosine = story_cosine
        self.story_words = story_words

    def check(self, doc_id: str, first_seen: float, text: str, revision: int = 0) -> Decision:
        return self.check_signature(doc_id, first_seen, signature(text), revision, text)

    def _story_sketch(self, decision: Decision, comparable: bool, text: str) -> StorySketch:
        """The sketch the story layer needs and stores: only for an article that is no
        duplicate (a duplicate takes its original's story, and its original is the candidate
        others find) and whose text can be compared."""
        if self.story_cosine is None or decision.duplicate_of is not None or not comparable:
            return EMPTY_SKETCH
        return sketch(text, self.story_words)

    def check_signature(
        self,
        doc_id: str,
        first_seen: float,
        sig: Signature,
        revision: int = 0,
        text: str = "",
    ) -> Decision:
        """:meth:`check` with the signature computed; ``text`` is what the story layer reads
        (none: no story layer for this article)."""
        previous = self.state.get(doc_id)
        if previous is not None and previous.first_seen < first_seen - self.window_s:
            previous = None  # outside the window: a new article as far as we know
        is_update = False
        if previous is not None:
            if previous.content_hash == sig.content_hash and previous.story_id is not None:
                # Replay or re-publication of the same text: the same answer as before.
                return self._from_record(previous, revision)
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
        story_sketch = self._story_sketch(decision, sig.comparable, text)
        if story_sketch.names:  # without a name it shares none: no candidate could be linked
            found = self.state.story_candidates(
                doc_id, first_seen, story_sketch, first_seen - self.story_window_s
            )
            decision = self._join_story(decision, doc_id, first_seen, story_sketch, found)
        self.state.put(_decided(pending, decision, story_sketch))
        return decision

    def _join_story(
        self,
        decision: Decision,
        doc_id: str,
        first_seen: float,
        story_sketch: StorySketch,
        candidates: Sequence[StoryCandidate],
    ) -> Decision:
        """The story layer's answer, if it has one, replaces the MinHash story."""
        assert self.story_cosine is not None
        found = best_story(
            doc_id, first_seen, story_sketch, candidates, self.story_cosine, self.story_window_s
        )
        if found is None:
            return decision
        return replace(decision, story_id=found[0].story)

    def check_batch(
        self, items: Sequence[tuple[str, float, str, int]]
    ) -> list[Decision]:
        """Decisions for (id, first_seen, text, revision) items, as if each were checked in
        order. With the in-memory state the work is vectorised: signatures, band keys and
        claims for the whole batch at once, then the few articles whose keys belong to others
        are decided one by one. Ids already stored (updates, replays) take the one-by-one path
        at their place in the order."""
        texts = [text for _, _, text, _ in items]
        sigs = batch.signatures(texts)
        state = self.state
        if isinstance(state, BatchDedupState):
            return self._check_shared(state, items, sigs)
        if not isinstance(state, MemoryState):
            return [
                self.check_signature(
                    doc_id, first_seen, self._signature(sigs, index), revision, text
                )
                for index, (doc_id, first_seen, text, revision) in enumerate(items)
            ]
        decisions: list[Decision | None] = [None] * len(items)
        start = 0
        run: set[str] = set()
        for index, (doc_id, first_seen, text, revision) in enumerate(items):
            if doc_id in run or doc_id in state:
                self._check_run(state, items, sigs, start, index, decisions)
                run.clear()
                decisions[index] = self.check_signature(
                    doc_id, first_seen, self._signature(sigs, index), revision, text
                )
                start = index + 1
            else:
                run.add(doc_id)
        self._check_run(state, items, sigs, start, len(items), decisions)
        return [decision for decision in decisions if decision is not None]

    def _check_shared(
        self,
        state: BatchDedupState,
        items: Sequence[tuple[str, float, str, int]],
        sigs: batch.Signatures,
    ) -> list[Decision]:
        """The batch path of a shared state: the steps of :meth:`check_signature` (read the
        stored record, store the pending record, claim, read the owners, find story
        candidates, decide, store the decision), each done for a run of articles with distinct
        ids in one request. Claims are made in the batch's order, so each article sees the
        owners it would have seen checked alone; an original earlier in the same batch is
        decided first and its decision is what later articles read."""
        decisions: list[Decision] = []
        start = 0
        seen: set[str] = set()
        for index, (doc_id, *_) in enumerate(items):
            if doc_id in seen:
                decisions.extend(self._check_shared_run(state, items, sigs, start, index))
                seen.clear()
                start = index
            seen.add(doc_id)
        decisions.extend(self._check_shared_run(state, items, sigs, start, len(items)))
        return decisions

    def _shared_pending(
        self,
        items: Sequence[tuple[str, float, str, int]],
        sigs: batch.Signatures,
        span: range,
        previous: dict[str, DocRecord],
    ) -> tuple[dict[int, Decision], list[_Pending]]:
        """Replays answered from their stored record, and the pending records of the rest."""
        decided: dict[int, Decision] = {}
        todo: list[_Pending] = []
        for index in span:
            doc_id, first_seen, _, revision = items[index]
            sig = self._signature(sigs, index)
            stored = previous.get(doc_id)
            if stored is not None and stored.first_seen < first_seen - self.window_s:
                stored = None
            is_update = False
            if stored is not None:
                if stored.content_hash == sig.content_hash and stored.story_id is not None:
                    decided[index] = self._from_record(stored, revision)
                    continue
                is_update = stored.content_hash != sig.content_hash
                first_seen = min(first_seen, stored.first_seen)
            minhash = sig.minhash if sig.comparable else None
            pending = DocRecord(doc_id, first_seen, sig.content_hash, minhash, revision)
            todo.append(_Pending(index, pending, sig, all_keys(sig), is_update))
        return decided, todo

    def _check_shared_run(
        self,
        state: BatchDedupState,
        items: Sequence[tuple[str, float, str, int]],
        sigs: batch.Signatures,
        start: int,
        stop: int,
    ) -> list[Decision]:
        if start >= stop:
            return []
        previous = state.get_many([doc_id for doc_id, *_ in items[start:stop]])
        decided, todo = self._shared_pending(items, sigs, range(start, stop), previous)
        probes = self._probes(items, todo)
        # The pending records carry the sketches, so that the run's story query finds the
        # run's own earlier articles (read as decided below); other workers skip them as long
        # as they are undecided.
        todo = [
            replace(item, pending=replace(item.pending, sketch=probes[item.index]))
            if item.index in probes else item
            for item in todo
        ]
        state.put_many([item.pending for item in todo])
        claims = state.claim_many(
            [(item.keys, item.pending, item.pending.first_seen - self.window_s) for item in todo]
        )
        # Owners claiming in this run are read from the run itself: decided earlier in it, or
        # (a later article of the run that owned the key before) its stored record.
        claimants = {item.pending.id for item in todo}
        others = {
            owner
            for item, owners in zip(todo, claims, strict=True)
            for owner in owners
            if owner != item.pending.id and owner not in claimants
        }
        fetched = state.records(others) if others else {}
        stories = self._shared_story_candidates(state, todo)
        position = {items[index][0]: index for index in range(start, stop)}
        records: dict[str, DocRecord] = {}
        for item, owners in zip(todo, claims, strict=True):
            pending = item.pending
            candidates: dict[str, DocRecord] = {}
            for owner in owners:
                if owner != pending.id and owner not in candidates:
                    record = records.get(owner) or fetched.get(owner)
                    if record is None and owner in claimants:
                        record = previous.get(owner)
                    if record is not None:
                        candidates[owner] = record
            decision = self._decide(
                pending.id, pending.first_seen, item.sig, item.keys, owners, candidates,
                pending.first_seen - self.window_s, item.is_update,
            )
            story_sketch = EMPTY_SKETCH if decision.duplicate_of is not None else pending.sketch
            if story_sketch.names:
                found = _as_of(stories.get(item.index, []), item.index, position, records, previous)
                decision = self._join_story(
                    decision, pending.id, pending.first_seen, story_sketch, found
                )
            decided[item.index] = decision
            records[pending.id] = _decided(pending, decision, story_sketch)
        state.put_many(list(records.values()))
        return [decided[index] for index in range(start, stop)]

    def _probes(
        self, items: Sequence[tuple[str, float, str, int]], todo: Sequence[_Pending]
    ) -> dict[int, StorySketch]:
        """The sketches of a run's comparable articles (duplicates are not known yet)."""
        if self.story_cosine is None:
            return {}
        return {
            item.index: sketch(items[item.index][2], self.story_words)
            for item in todo
            if item.sig.comparable
        }

    def _shared_story_candidates(
        self, state: BatchDedupState, todo: Sequence[_Pending]
    ) -> dict[int, list[StoryCandidate]]:
        """The story candidates of a run's articles whose sketch has a name, in one request."""
        asking = [item for item in todo if item.pending.sketch.names]
        if not asking:
            return {}
        found = state.story_candidates_many([
            (p.id, p.first_seen, p.sketch, p.first_seen - self.story_window_s)
            for p in (item.pending for item in asking)
        ])
        return {item.index: hits for item, hits in zip(asking, found, strict=True)}

    @staticmethod
    def _signature(sigs: batch.Signatures, index: int) -> Signature:
        tokens = MIN_TOKENS if sigs.comparable[index] else 0
        return Signature(sigs.content_hashes[index], sigs.minhash[index], tokens)

    def _check_run(
        self,
        state: MemoryState,
        items: Sequence[tuple[str, float, str, int]],
        sigs: batch.Signatures,
        start: int,
        stop: int,
        decisions: list[Decision | None],
    ) -> None:
        """New articles items[start:stop] (distinct ids, none stored yet)."""
        if start >= stop:
            return
        part = items[start:stop]
        ids = [doc_id for doc_id, _, _, _ in part]
        first_seen = np.array([seen for _, seen, _, _ in part], dtype=np.float64)
        hashes = sigs.content_hashes[start:stop]
        minhash = sigs.minhash[start:stop]
        comparable = sigs.comparable[start:stop]
        rows = state.add_rows(
            ids, first_seen.tolist(), hashes, minhash, comparable, [rev for *_, rev in part]
        )
        keys = np.concatenate([batch.hash_keys(hashes)[:, None], batch.band_keys(minhash)], 1)
        valid = np.ones(keys.shape, dtype=bool)
        valid[~comparable] = False  # a text too short to compare claims nothing
        claimants = np.broadcast_to(rows[:, None], keys.shape)
        horizons = np.broadcast_to((first_seen - self.window_s)[:, None], keys.shape)
        owners = np.full(keys.shape, -1, dtype=np.int32)
        owners[valid] = state.claim_rows(keys[valid], claimants[valid], horizons[valid])
        foreign = (owners != rows[:, None]) & valid
        # Every (article, other owner) pair at once: only others at least as similar as the
        # story threshold can matter to the decision (an identical text scores 1.0), and the
        # owner of the text hash always counts.
        pairs = np.unique((np.nonzero(foreign)[0].astype(np.int64) << 32) | owners[foreign])
        pair_doc, pair_owner = pairs >> 32, pairs & 0xFFFF_FFFF
        agree = np.count_nonzero(
            state.minhash_rows(pair_owner) == minhash[pair_doc], axis=1
        ).astype(np.int64)
        threshold = min(self.story_threshold, self.near_threshold) * batch.NUM_PERM
        wanted = (agree >= threshold) | (pair_owner == owners[pair_doc, 0])
        chosen = self._choose(
            state, ids, first_seen, hashes, comparable, rows, keys, valid, owners,
            pair_doc[wanted], pair_owner[wanted], agree[wanted],
        )
        for offset in range(len(part)):
            index, doc_id, seen = start + offset, ids[offset], float(first_seen[offset])
            decision = _run_decision(state, chosen.get(offset), hashes[offset], doc_id)
            story_sketch = self._story_sketch(decision, bool(comparable[offset]), items[index][2])
            if story_sketch.names:
                found = state.story_candidates(
                    doc_id, seen, story_sketch, seen - self.story_window_s
                )
                decision = self._join_story(decision, doc_id, seen, story_sketch, found)
            decisions[index] = decision
            if decision.story_id != doc_id or decision.duplicate_of is not None:
                state.set_decision(
                    int(rows[offset]), decision.story_id, decision.duplicate_of,
                    decision.duplicate_kind, decision.similarity,
                )
            # Stored once decided, in order, as checking one article at a time would.
            state.add_story(doc_id, seen, story_sketch)

    def _choose(
        self,
        state: MemoryState,
        ids: Sequence[str],
        first_seen: npt.NDArray[np.float64],
        hashes: Sequence[str],
        comparable: npt.NDArray[np.bool_],
        rows: npt.NDArray[np.int32],
        keys: npt.NDArray[np.uint64],
        valid: npt.NDArray[np.bool_],
        owners: npt.NDArray[np.int32],
        pair_doc: npt.NDArray[np.int64],
        pair_owner: npt.NDArray[np.int64],
        agree: npt.NDArray[np.int64],
    ) -> dict[int, tuple[int, int, float | None]]:
        """:meth:`_decide` for every (article, candidate) pair of a run at once. Returns, for
        the articles that are not their own story, (0 story | 1 exact | 2 near, the row of the
        original or story article, the similarity to report)."""
        if not len(pair_doc):
            return {}
        doc_row = rows[pair_doc]
        doc_seen = first_seen[pair_doc]
        cand_seen = state.first_seen_rows(pair_owner)
        cand_has_minhash = state.has_minhash_rows(pair_owner)
        cand_ids = [state.id_of(owner) for owner in pair_owner.tolist()]
        cand_hashes = [state.hash_at(owner) for owner in pair_owner.tolist()]
        doc_list = pair_doc.tolist()
        same_hash = np.array(
            [cand_hashes[i] == hashes[d] for i, d in enumerate(doc_list)], dtype=bool
        )
        live = cand_seen >= doc_seen - self.window_s

        # Precedence (see _precedes), from the keys both articles have.
        cand_keys = np.zeros((len(pair_owner), batch.BAND_KEYS + 1), dtype=np.uint64)
        cand_keys[:, 0] = batch.hash_keys(cand_hashes)
        cand_keys[:, 1:] = batch.band_keys(state.minhash_rows(pair_owner))
        cand_valid = np.ones(cand_keys.shape, dtype=bool)
        cand_valid[~cand_has_minhash] = False
        doc_keys = keys[pair_doc]
        doc_valid = valid[pair_doc]
        doc_owners = owners[pair_doc]
        matches = (doc_keys[:, :, None] == cand_keys[:, None, :]) & cand_valid[:, None, :]
        shared = matches.any(axis=2) & doc_valid
        mine = doc_owners == doc_row[:, None]
        i_own_any = (mine & doc_valid).any(axis=1)
        other_owns = (shared & (doc_owners == pair_owner[:, None])).any(axis=1)
        i_own_shared = (shared & mine).any(axis=1)
        earlier = cand_seen < doc_seen
        ties = np.flatnonzero(cand_seen == doc_seen)
        if ties.size:
            earlier[ties] = [cand_ids[i] < ids[doc_list[i]] for i in ties.tolist()]
        precedes = ~i_own_any | (other_owns & (~i_own_shared | earlier))

        similarity = agree / batch.NUM_PERM
        exact = live & same_hash & comparable[pair_doc] & cand_has_minhash & precedes
        similar = (
            live & ~same_hash & comparable[pair_doc] & cand_has_minhash & precedes
            & (similarity >= self.story_threshold)
        )
        near = similar & (similarity >= self.near_threshold)
        story = similar & (np.abs(doc_seen - cand_seen) <= self.story_window_s)

        # Best first: most similar, then earliest by (first_seen, id).
        _, id_rank = np.unique(np.array(cand_ids, dtype=object).astype(str), return_inverse=True)
        order = np.lexsort((id_rank, cand_seen, -agree, pair_doc))
        chosen: dict[int, tuple[int, int, float | None]] = {}
        for kind, mask in ((0, story), (2, near), (1, exact)):  # later kinds take precedence
            hits = order[mask[order]]
            if not hits.size:
                continue
            _, first = np.unique(pair_doc[hits], return_index=True)
            best = hits[first]
            for index in best.tolist():
                value: float | None = None
                if kind == 1:
                    value = 1.0
                elif kind == 2:
                    value = round(float(similarity[index]), 4)
                chosen[doc_list[index]] = (kind, int(pair_owner[index]), value)
        return chosen

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
        owner_of = dict(zip(keys, owners, strict=True))
        mine = set(keys)
        best_exact: tuple[float, DocRecord] | None = None
        best_near: tuple[float, DocRecord] | None = None
        best_story: tuple[float, DocRecord] | None = None
        for record in live.values():
            if record.content_hash == sig.content_hash:
                if _precedes(record, doc_id, first_seen, mine, owner_of) and (
                    best_exact is None or _better(1.0, record, best_exact)
                ):
                    best_exact = (1.0, record)
                continue
            if not sig.comparable or record.minhash is None:
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

        if best_exact is not None:
            original = best_exact[1]
            return Decision(
                sig.content_hash,
                story_id=original.story_id or original.id,
                duplicate_of=original.duplicate_of or original.id,
                duplicate_kind="exact",
                similarity=1.0,
                is_update=is_update,
            )
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
    def _from_record(record: DocRecord, revision: int) -> Decision:
        # A replay of the same revision repeats the stored answer; the same text published
        # again under a higher revision is an update.
        is_update = record.is_update if revision == record.revision else revision > record.revision
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


@dataclass(frozen=True)
class _Pending:
    """An article of a shared-state run being decided: its place in the batch, its pending
    record, signature and keys."""

    index: int
    pending: DocRecord
    sig: Signature
    keys: list[int]
    is_update: bool


def _decided(pending: DocRecord, decision: Decision, story_sketch: StorySketch) -> DocRecord:
    return replace(
        pending, story_id=decision.story_id, duplicate_of=decision.duplicate_of,
        duplicate_kind=decision.duplicate_kind, similarity=decision.similarity,
        is_update=decision.is_update, sketch=story_sketch,
    )


def _run_decision(
    state: MemoryState, found: tuple[int, int, float | None] | None, content: str, doc_id: str
) -> Decision:
    """The decision of the vectorised path from its chosen (kind, row, similarity)."""
    if found is None:
        return Decision(content, story_id=doc_id)
    kind, original, similarity = found
    story = state.story_at(original)
    if kind == 0:
        return Decision(content, story_id=story)
    return Decision(
        content,
        story_id=story,
        duplicate_of=state.duplicate_at(original) or state.id_of(original),
        duplicate_kind="exact" if kind == 1 else "near",
        similarity=similarity,
    )


def _as_of(
    hits: Sequence[StoryCandidate],
    index: int,
    position: dict[str, int],
    records: dict[str, DocRecord],
    previous: dict[str, DocRecord],
) -> list[StoryCandidate]:
    """A run's story candidates as checking its articles one at a time would find them: an
    article decided earlier in the run with its decision, one later in the run as it was stored
    before the run (or not at all)."""
    found: list[StoryCandidate] = []
    for hit in hits:
        at = position.get(hit.id)
        if at is None:
            found.append(hit)
            continue
        record = records.get(hit.id) if at < index else previous.get(hit.id)
        if at < index and record is None:
            found.append(hit)  # a replay earlier in the run: stored as it was
        elif record is not None and record.sketch:
            found.append(_candidate(record))
    return found


def _candidate(record: DocRecord) -> StoryCandidate:
    return StoryCandidate(record.id, record.first_seen, record.story_id, record.sketch)


def _better(similarity: float, record: DocRecord, best: tuple[float, DocRecord]) -> bool:
    best_similarity, best_record = best
    if similarity != best_similarity:
        return similarity > best_similarity
    return (record.first_seen, record.id) < (best_record.first_seen, best_record.id)


def record_keys(record: DocRecord) -> list[int]:
    """The keys an article claimed, recomputed from its record (none without a MinHash: the
    text was not comparable)."""
    if record.minhash is None:
        return []
    return all_keys(Signature(record.content_hash, record.minhash, MIN_TOKENS))


def _precedes(
    other: DocRecord,
    doc_id: str,
    first_seen: float,
    mine: set[int],
    owner_of: dict[int, str],
) -> bool:
    """Does ``other`` come before the article being decided? See the module docstring. All
    keys count, the text hash included, so the exact and near layers agree on one order. A key
    of mine that ``other`` owns is one we share, so the keys of ``other`` are only recomputed
    when both own some."""
    owners = owner_of.values()
    if other.id not in owners:
        return False
    if doc_id not in owners:
        return True
    shared = mine.intersection(record_keys(other))
    other_owns = any(owner_of[key] == other.id for key in shared)
    if not other_owns:
        return False
    i_own = any(owner_of[key] == doc_id for key in shared)
    if not i_own:
        return True
    return (other.first_seen, other.id) < (first_seen, doc_id)
