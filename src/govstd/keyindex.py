"""A compact index of the keys seen in a source: 64-bit key hashes → first record ordinal.

Uniqueness (``primaryKey``, ``uniqueKeys``, ``unique`` constraints and rules) needs, for every
key seen so far, the record that first had it. A Python ``dict``/``set`` of key strings costs
~100–200 bytes per key (880 MB for ten million keys); this index keeps two numpy arrays per
sorted *run*: the 64-bit hashes (``uint64``) and the first ordinals (``uint32``, ``int64`` past
2³² records), 12 bytes per distinct key, and works a whole batch at a time:

* each batch's hashes are looked up in every run with ``searchsorted``;
* duplicates inside the batch are found with ``np.unique`` (first occurrence wins);
* the batch's new keys become a new sorted run; runs are merged geometrically (a run is
  merged into the previous one while it is at least half its size), so there are
  O(log n) runs and every key is copied O(log n) times;
* a run that holds ``max_run`` keys (default 2²⁰, 12 MiB) takes no more merges: a merge
  copies both runs, so unbounded merging made the peak memory of the index twice its size
  at every doubling (240 MB of transient copies at ten million keys). Past ``max_run`` keys
  the index holds about ``n / max_run`` big runs more, each one more ``searchsorted`` per
  batch; peak memory stays the index plus at most two runs of ``max_run`` keys.

Keys are compared by hash only: two different keys with the same 64-bit hash would be
reported as a false duplicate. With a well-mixed 64-bit hash the chance of any such collision
among ``n`` distinct keys is about ``n² / 2⁶⁵`` (3·10⁻⁶ for ten million keys, 3·10⁻⁴ for a
hundred million). :func:`mix` makes composite keys out of per-part hashes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["KeyIndex", "mix"]

_U64 = np.uint64
_MUL = _U64(0x9E3779B97F4A7C15)
_M1 = _U64(0xBF58476D1CE4E5B9)
_M2 = _U64(0x94D049BB133111EB)


def _splitmix(values: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = values + _MUL
        z = (z ^ (z >> _U64(30))) * _M1
        z = (z ^ (z >> _U64(27))) * _M2
        return z ^ (z >> _U64(31))


def mix(parts: list[np.ndarray]) -> np.ndarray:
    """One 64-bit hash per row from the per-part hashes of a composite key (order matters)."""
    out = np.zeros(len(parts[0]), dtype=_U64)
    with np.errstate(over="ignore"):
        for part in parts:
            out = _splitmix(out ^ part.astype(_U64, copy=False))
    return out


class KeyIndex:
    """64-bit key hashes → ordinal of the first record that had the key."""

    __slots__ = ("_hashes", "_ordinals", "max_run")

    def __init__(self, max_run: int = 1 << 20) -> None:
        self._hashes: list[np.ndarray] = []
        self._ordinals: list[np.ndarray] = []
        #: a run this big is no longer merged into (see the module notes)
        self.max_run = max_run

    def __len__(self) -> int:
        return sum(len(run) for run in self._hashes)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self._hashes) + sum(a.nbytes for a in self._ordinals)

    def add(self, hashes: Any, ordinals: Any) -> tuple[np.ndarray, np.ndarray]:
        """Add keys in record order; the duplicates.

        ``hashes`` and ``ordinals`` are parallel (``ordinals`` increasing). Returns the
        positions (into the arguments) of the keys seen before — earlier in this call or in an
        earlier one — and, for each, the ordinal of the first record with that key.
        """
        hashes = np.asarray(hashes, dtype=_U64)
        ordinals = np.asarray(ordinals, dtype=np.int64)
        count = len(hashes)
        first = np.full(count, -1, dtype=np.int64)
        if count == 0:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
        if self._hashes:
            # sorted needles walk each run in order (far fewer cache misses)
            order = np.argsort(hashes)
            needles = hashes[order]
            for run, owners in zip(self._hashes, self._ordinals, strict=True):
                where = np.searchsorted(run, needles)
                where[where == len(run)] = 0
                hit = run[where] == needles
                if hit.any():
                    first[order[hit]] = owners[where[hit]]
        new = np.flatnonzero(first < 0)
        if len(new):
            unique, index, inverse = np.unique(hashes[new], return_index=True, return_inverse=True)
            owner_pos = new[index]  # position of each new key's first occurrence
            repeated = owner_pos[inverse] != new
            if repeated.any():
                first[new[repeated]] = ordinals[owner_pos[inverse[repeated]]]
            self._push(unique, ordinals[owner_pos])
        dupes = np.flatnonzero(first >= 0)
        return dupes, first[dupes]

    def _push(self, hashes: np.ndarray, ordinals: np.ndarray) -> None:
        dtype = np.uint32 if ordinals.size == 0 or ordinals.max() < 2**32 else np.int64
        self._hashes.append(hashes)
        self._ordinals.append(ordinals.astype(dtype))
        while (
            len(self._hashes) > 1
            and len(self._hashes[-1]) * 2 >= len(self._hashes[-2])
            and len(self._hashes[-2]) < self.max_run
        ):
            top_h, top_o = self._hashes.pop(), self._ordinals.pop()
            low_h, low_o = self._hashes.pop(), self._ordinals.pop()
            # both runs are sorted and disjoint: insert one into the other in O(n)
            where = np.searchsorted(low_h, top_h)
            self._hashes.append(np.insert(low_h, where, top_h))
            self._ordinals.append(np.insert(low_o, where, top_o.astype(low_o.dtype)))
