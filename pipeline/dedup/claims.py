"""A compact "first owner wins" table of 64-bit keys.

Each LSH band key (and each content-hash key) is owned by the first document that claimed it; a
later document claiming the same key learns the owner instead. Open addressing with linear
probing over two flat numpy arrays (keys as unsigned 64-bit, owners as signed 32-bit) costs 24
bytes per key at the maximum load of one half, against ~100 bytes for a Python dict entry: that
is what keeps a million documents' worth of keys within a few hundred megabytes. Keys are
claimed a batch at a time with vectorised probing; within a batch the first occurrence of a key
wins, exactly as if the keys had been claimed one by one in order.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

_STANDIN = np.uint64(1)  # key 0 marks an empty slot; a real key 0 is stored as 1
I32 = npt.NDArray[np.int32]
U64 = npt.NDArray[np.uint64]
Index = npt.NDArray[np.intp]


class ClaimTable:
    def __init__(self, capacity: int = 1 << 16) -> None:
        size = 8
        while size < capacity:
            size <<= 1
        self._reset(size)

    def _reset(self, size: int) -> None:
        self._keys = np.zeros(size, dtype=np.uint64)
        self._owners = np.zeros(size, dtype=np.int32)
        self._mask = np.uint64(size - 1)
        self.count = 0

    @property
    def capacity(self) -> int:
        return len(self._keys)

    def nbytes(self) -> int:
        return int(self._keys.nbytes + self._owners.nbytes)

    # -- batches ----------------------------------------------------------------------------

    def _slots(self, keys: U64) -> Index:
        """For each key, its slot if present, else the empty slot where probing stopped."""
        table, mask = self._keys, self._mask
        slots = (keys & mask).astype(np.intp)
        result = np.empty(len(keys), dtype=np.intp)
        active = np.arange(len(keys))
        while active.size:
            here = slots[active]
            current = table[here]
            done = (current == keys[active]) | (current == 0)
            result[active[done]] = here[done]
            active = active[~done]
            slots[active] = (slots[active] + 1) & int(mask)
        return result

    def claim_batch(self, keys: U64, owners: I32) -> tuple[I32, Index]:
        """Claim ``keys[i]`` for ``owners[i]`` in order. Returns the owner of each key after the
        claims (an earlier owner, or the first claimant of the batch) and each key's slot."""
        keys = np.where(keys == 0, _STANDIN, keys).astype(np.uint64)
        if (self.count + len(keys)) * 2 > len(self._keys):
            self._grow(self.count + len(keys))
        slots = self._slots(keys)
        present = self._keys[slots] == keys
        result = np.empty(len(keys), dtype=np.int32)
        result[present] = self._owners[slots[present]]
        absent = np.flatnonzero(~present)
        if absent.size:
            unique, first, inverse = np.unique(
                keys[absent], return_index=True, return_inverse=True
            )
            first_owner = owners[absent[first]]
            result[absent] = first_owner[inverse]
            placed = self._insert(unique, first_owner)
            slots[absent] = placed[inverse]
        return result, slots

    def _insert(self, keys: U64, owners: I32) -> Index:
        """Insert distinct absent keys; their slots."""
        placed = np.empty(len(keys), dtype=np.intp)
        todo = np.arange(len(keys))
        while todo.size:
            slots = self._slots(keys[todo])
            taken_slots, first = np.unique(slots, return_index=True)
            winners = todo[first]
            self._keys[taken_slots] = keys[winners]
            self._owners[taken_slots] = owners[winners]
            placed[winners] = taken_slots
            mask = np.ones(len(todo), dtype=bool)
            mask[first] = False
            todo = todo[mask]
        self.count += len(keys)
        return placed

    def set_owner(self, slot: int, owner: int) -> None:
        self._owners[slot] = owner

    # -- one document -----------------------------------------------------------------------

    def claim(self, keys: Iterable[int], owner: int) -> list[int]:
        """Owner of each key after the claim: ``owner`` where the key was free, else the earlier
        owner."""
        array = np.fromiter(keys, dtype=np.uint64)
        owners, _ = self.claim_batch(array, np.full(len(array), owner, dtype=np.int32))
        result: list[int] = owners.tolist()
        return result

    def take_over(self, key: int, owner: int) -> None:
        """Give an existing key to a new owner (the previous one left the time window)."""
        array = np.array([key or 1], dtype=np.uint64)
        slot = int(self._slots(array)[0])
        if self._keys[slot] != array[0]:
            raise KeyError(key)
        self._owners[slot] = owner

    def lookup(self, keys: Iterable[int]) -> list[int]:
        """Owner of each key, -1 where unclaimed."""
        array = np.fromiter(keys, dtype=np.uint64)
        array[array == 0] = _STANDIN
        slots = self._slots(array)
        found = self._keys[slots] == array
        result: list[int] = np.where(found, self._owners[slots], -1).tolist()
        return result

    def items(self) -> list[tuple[int, int]]:
        used = np.flatnonzero(self._keys)
        return list(zip(self._keys[used].tolist(), self._owners[used].tolist(), strict=True))

    def arrays(self) -> tuple[U64, I32]:
        used = np.flatnonzero(self._keys)
        return self._keys[used], self._owners[used]

    def rebuild(self, items: Iterable[tuple[int, int]], expected: int = 0) -> None:
        """Replace the content (after expiry), keeping the given first owners."""
        entries = list(items)
        keys = np.array([k for k, _ in entries], dtype=np.uint64)
        owners = np.array([o for _, o in entries], dtype=np.int32)
        self.rebuild_arrays(keys, owners, expected)

    def rebuild_arrays(self, keys: U64, owners: I32, expected: int = 0) -> None:
        size = 8
        while size < 2 * max(len(keys), expected, 4):
            size <<= 1
        self._reset(size)
        if len(keys):
            self._insert(keys.astype(np.uint64), owners.astype(np.int32))

    def _grow(self, needed: int) -> None:
        keys, owners = self.arrays()
        size = len(self._keys)
        while needed * 2 > size:
            size <<= 1
        self.rebuild_arrays(keys, owners, size // 2)
