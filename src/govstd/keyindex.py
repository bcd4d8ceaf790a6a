"""A compact index of the keys seen in a source: 64-bit key hashes → first record ordinal.

Uniqueness (``primaryKey``, ``uniqueKeys``, ``unique`` constraints and rules) needs, for every
key seen so far, the record that first had it. A Python ``dict``/``set`` of key strings costs
~100–200 bytes per key (880 MB for ten million keys); this index keeps two numpy arrays per
sorted *run*: the 64-bit hashes (``uint64``) and the first ordinals (``uint32``, ``int64`` past
2³² records), 12 bytes per distinct key, and works a whole batch at a time:

* each batch's hashes are sorted once, then looked up in every run with ``searchsorted``;
* duplicates inside the batch are neighbours in that order (first occurrence wins);
* the batch's new keys become a new sorted run; runs are merged geometrically (a run is
  merged into the previous one while it is at least half its size), so there are
  O(log n) runs and every key is copied O(log n) times;
* a run that holds ``max_run`` keys (default 2¹⁹, 6 MiB) takes no more merges: a merge
  copies both runs, so unbounded merging made the peak memory of the index twice its size
  at every doubling (240 MB of transient copies at ten million keys). Past ``max_run`` keys
  the index holds about ``n / max_run`` big runs more, each one more ``searchsorted`` per
  batch; peak memory stays the index plus at most two runs of ``max_run`` keys;
* past ``spill_keys`` keys in memory (default 2²⁰), the big runs are *spilled*: written to
  an anonymous temporary file, keeping in memory only a Bloom filter (10 bits per key, 7
  probes: ~1% false positives) and one fence hash per block of 512 keys (~1.3 bytes per key
  in all). A batch's keys are tested against each spilled run's filter; only the candidates
  (the real duplicates and ~1% of the others) cost a read of their 4 KiB block. Trade-off:
  12 bytes per spilled key on disk, a few hundred block reads per batch and spilled run, and
  one filter test per spilled run and key (the cost grows with the number of spilled runs,
  ~n / max_run), for memory that no longer grows by 12 bytes per key (ten million keys:
  ~13 MB instead of 120 MB).

Keys are compared by hash only: two different keys with the same 64-bit hash would be
reported as a false duplicate. With a well-mixed 64-bit hash the chance of any such collision
among ``n`` distinct keys is about ``n² / 2⁶⁵`` (3·10⁻⁶ for ten million keys, 3·10⁻⁴ for a
hundred million). :func:`mix` makes composite keys out of per-part hashes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
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


_BLOCK = 512  # keys per block of a spilled run (4 KiB of hashes)
_BITS_PER_KEY = 10
_PROBES = 7


class _SpilledRun:
    """A sorted run on disk: hashes then ordinals in a temporary file; in memory a Bloom
    filter and the first hash of every block."""

    __slots__ = ("bits", "count", "dtype", "fences", "file", "size")

    def __init__(self, hashes: np.ndarray, ordinals: np.ndarray) -> None:
        self.count = len(hashes)
        self.dtype = ordinals.dtype
        # an anonymous file that lives as long as the run (no context manager to scope it)
        self.file = tempfile.TemporaryFile(prefix="govstd-keys-")  # noqa: SIM115
        self.file.write(hashes.tobytes())
        self.file.write(ordinals.tobytes())
        self.file.flush()
        self.fences = hashes[::_BLOCK].copy()
        self.size = max(64, self.count * _BITS_PER_KEY) // 8 * 8  # bits, whole bytes
        self.bits = np.zeros(self.size // 8, dtype=np.uint8)
        for start in range(0, self.count, 1 << 16):  # in slices: small temporaries
            for position in self._probes(hashes[start : start + (1 << 16)]):
                # ``.at``: repeated byte positions must all get their bit
                np.bitwise_or.at(
                    self.bits,
                    (position >> _U64(3)).astype(np.intp),
                    (_U64(1) << (position & _U64(7))).astype(np.uint8),
                )

    @property
    def nbytes(self) -> int:
        return int(self.bits.nbytes + self.fences.nbytes)

    def _probes(self, hashes: np.ndarray) -> Iterator[np.ndarray]:
        size = _U64(self.size)
        second = _splitmix(hashes) | _U64(1)
        for i in range(_PROBES):
            with np.errstate(over="ignore"):
                yield (hashes + _U64(i) * second) % size

    def _read(self, start: int, count: int, offset: int, dtype: Any) -> np.ndarray:
        itemsize = np.dtype(dtype).itemsize
        self.file.seek(offset + start * itemsize)
        return np.frombuffer(self.file.read(count * itemsize), dtype=dtype)

    def lookup(self, needles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For sorted ``needles``: the positions found here and their first ordinals."""
        maybe = np.ones(len(needles), dtype=bool)
        for position in self._probes(needles):
            maybe &= ((self.bits[position >> _U64(3)] >> (position & _U64(7))) & 1).astype(bool)
        candidates = np.flatnonzero(maybe)
        found: list[int] = []
        owners: list[int] = []
        if not len(candidates):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
        blocks = np.searchsorted(self.fences, needles[candidates], side="right") - 1
        starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])
        ends = np.r_[starts[1:], len(blocks)]
        for begin, end in zip(starts.tolist(), ends.tolist(), strict=True):
            block = int(blocks[begin])
            if block < 0:
                continue
            first = block * _BLOCK
            count = min(_BLOCK, self.count - first)
            run = self._read(first, count, 0, _U64)
            wanted = candidates[begin:end]
            where = np.searchsorted(run, needles[wanted])
            where[where == count] = 0
            hit = run[where] == needles[wanted]
            if hit.any():
                ordinals = self._read(first, count, self.count * 8, self.dtype)
                found.extend(wanted[hit].tolist())
                owners.extend(ordinals[where[hit]].tolist())
        return np.asarray(found, dtype=np.intp), np.asarray(owners, dtype=np.int64)


class KeyIndex:
    """64-bit key hashes → ordinal of the first record that had the key."""

    __slots__ = ("_hashes", "_ordinals", "_spilled", "max_run", "spill_keys")

    def __init__(self, max_run: int = 1 << 19, spill_keys: int | None = 1 << 20) -> None:
        self._hashes: list[np.ndarray] = []
        self._ordinals: list[np.ndarray] = []
        self._spilled: list[_SpilledRun] = []
        #: a run this big is no longer merged into (see the module notes)
        self.max_run = max_run
        #: past this many keys in memory, runs of ``max_run`` keys go to disk (None: never)
        self.spill_keys = spill_keys

    def __len__(self) -> int:
        return sum(len(run) for run in self._hashes) + sum(r.count for r in self._spilled)

    @property
    def nbytes(self) -> int:
        """Bytes held in memory (spilled runs: their filters and fences)."""
        return (
            sum(a.nbytes for a in self._hashes)
            + sum(a.nbytes for a in self._ordinals)
            + sum(r.nbytes for r in self._spilled)
        )

    def add(self, hashes: Any, ordinals: Any) -> tuple[np.ndarray, np.ndarray]:
        """Add keys in record order; the duplicates.

        ``hashes`` and ``ordinals`` are parallel (``ordinals`` increasing). Returns the
        positions (into the arguments) of the keys seen before — earlier in this call or in an
        earlier one — and, for each, the ordinal of the first record with that key.
        """
        hashes = np.asarray(hashes, dtype=_U64)
        ordinals = np.asarray(ordinals, dtype=np.int64)
        count = len(hashes)
        if count == 0:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
        # One sort serves every step: sorted needles walk each run in order (far fewer cache
        # misses), equal keys of the batch are neighbours, and the new keys come out sorted.
        order = np.argsort(hashes)
        needles = hashes[order]
        found = np.full(count, -1, dtype=np.int64)  # by sorted position
        for run, owners in zip(self._hashes, self._ordinals, strict=True):
            where = np.searchsorted(run, needles)
            where[where == len(run)] = 0
            hit = run[where] == needles
            if hit.any():
                found[hit] = owners[where[hit]]
        for spilled in self._spilled:
            positions, owners_found = spilled.lookup(needles)
            if len(positions):
                found[positions] = owners_found
        starts = np.empty(count, dtype=bool)
        starts[0] = True
        np.not_equal(needles[1:], needles[:-1], out=starts[1:])
        if starts.all():  # no key repeats inside the batch
            new = found < 0
            new_hashes = needles[new]
            new_ordinals = ordinals[order[new]]
        else:
            heads = np.flatnonzero(starts)
            group = np.cumsum(starts) - 1
            # the first occurrence (smallest position: ordinals increase) owns a new key
            owner_pos = np.minimum.reduceat(order, heads)
            unknown = found[heads] < 0
            repeat = unknown[group] & (order != owner_pos[group])
            found[repeat] = ordinals[owner_pos[group[repeat]]]
            new_hashes = needles[heads[unknown]]
            new_ordinals = ordinals[owner_pos[unknown]]
        if len(new_hashes):
            self._push(new_hashes, new_ordinals)
        first = np.empty(count, dtype=np.int64)
        first[order] = found
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
            # both runs are sorted and disjoint: a stable sort of the two (timsort finds the
            # two runs and merges them in O(n))
            merged = np.concatenate((low_h, top_h))
            order = np.argsort(merged, kind="stable")
            self._hashes.append(merged[order])
            wide = np.promote_types(low_o.dtype, top_o.dtype)
            owners = np.concatenate((low_o.astype(wide, copy=False), top_o.astype(wide)))
            self._ordinals.append(owners[order])
        limit = self.spill_keys
        if limit is not None and sum(len(run) for run in self._hashes) > limit:
            keep_h, keep_o = [], []
            for run, owners in zip(self._hashes, self._ordinals, strict=True):
                if len(run) >= self.max_run:
                    self._spilled.append(_SpilledRun(run, owners))
                else:
                    keep_h.append(run)
                    keep_o.append(owners)
            self._hashes, self._ordinals = keep_h, keep_o
