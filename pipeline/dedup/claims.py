"""A compact "first owner wins" table of 64-bit keys.

Each LSH band key (and each content-hash key) is owned by the first document that claimed it; a
later document claiming the same key learns the owner instead. Open addressing with linear
probing over two flat arrays (keys as unsigned 64-bit, owners as signed 32-bit) costs 24 bytes
per key at the maximum load of one half, against ~100 bytes for a Python dict entry: that is what
keeps a million documents' worth of keys within a few hundred megabytes. ``array.array`` rather
than numpy because a document claims about 25 keys one by one, where numpy's per-call overhead
would dominate.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

_STANDIN = 1  # key 0 marks an empty slot; a real key 0 is stored as 1


class ClaimTable:
    def __init__(self, capacity: int = 1 << 16) -> None:
        size = 8
        while size < capacity:
            size <<= 1
        self._reset(size)

    def _reset(self, size: int) -> None:
        self._keys = array("Q", bytes(8 * size))
        self._owners = array("i", bytes(4 * size))
        self._mask = size - 1
        self.count = 0

    @property
    def capacity(self) -> int:
        return len(self._keys)

    def nbytes(self) -> int:
        return len(self._keys) * 8 + len(self._owners) * 4

    def claim(self, keys: Iterable[int], owner: int) -> list[int]:
        """Owner of each key after the claim: ``owner`` where the key was free, else the earlier
        owner."""
        keys = list(keys)
        if (self.count + len(keys)) * 2 > len(self._keys):
            self._grow(self.count + len(keys))
        table, owners, mask = self._keys, self._owners, self._mask
        result: list[int] = []
        for key in keys:
            key = key or _STANDIN
            slot = key & mask
            while True:
                current = table[slot]
                if current == key:
                    result.append(owners[slot])
                    break
                if current == 0:
                    table[slot] = key
                    owners[slot] = owner
                    self.count += 1
                    result.append(owner)
                    break
                slot = (slot + 1) & mask
        return result

    def take_over(self, key: int, owner: int) -> None:
        """Give an existing key to a new owner (the previous one left the time window)."""
        key = key or _STANDIN
        table, mask = self._keys, self._mask
        slot = key & mask
        while table[slot] != key:
            if table[slot] == 0:
                raise KeyError(key)
            slot = (slot + 1) & mask
        self._owners[slot] = owner

    def lookup(self, keys: Iterable[int]) -> list[int]:
        """Owner of each key, -1 where unclaimed."""
        table, owners, mask = self._keys, self._owners, self._mask
        result: list[int] = []
        for key in keys:
            key = key or _STANDIN
            slot = key & mask
            while True:
                current = table[slot]
                if current == key:
                    result.append(owners[slot])
                    break
                if current == 0:
                    result.append(-1)
                    break
                slot = (slot + 1) & mask
        return result

    def items(self) -> list[tuple[int, int]]:
        return [
            (key, owner) for key, owner in zip(self._keys, self._owners, strict=True) if key
        ]

    def rebuild(self, items: Iterable[tuple[int, int]], expected: int = 0) -> None:
        """Replace the content (after expiry), keeping the given first owners."""
        entries = list(items)
        size = 8
        while size < 2 * max(len(entries), expected, 4):
            size <<= 1
        self._reset(size)
        table, owners, mask = self._keys, self._owners, self._mask
        for key, owner in entries:
            slot = key & mask
            while table[slot] != 0:
                slot = (slot + 1) & mask
            table[slot] = key
            owners[slot] = owner
        self.count = len(entries)

    def _grow(self, needed: int) -> None:
        entries = self.items()
        size = len(self._keys)
        while needed * 2 > size:
            size <<= 1
        self.rebuild(entries, size // 2)
