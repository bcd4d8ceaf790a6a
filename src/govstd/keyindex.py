"""A compact index of the keys seen in a source: 64-bit key hashes → first record ordinal.

Uniqueness (``primaryKey``, ``uniqueKeys``, ``unique`` constraints and rules) needs, for every
key seen so far, the record that first had it. A Python ``dict``/``set`` of key strings costs
~100–200 bytes per key (880 MB for ten million keys); this index keeps two numpy arrays per
sorted *run*: the 64-bit keys (``uint64``) and the first ordinals (``uint32``, ``int64`` past
2³² records), 12 bytes per distinct key (and 4 for the filter below), and works a whole batch
at a time:

* the index keeps ``hash × φ`` (an odd 64-bit constant: a bijection, so equal exactly when
  the hashes are), well spread in its top bits even where the hashes are small integers
  (Python's ``hash`` of an integer key is the integer);
* each batch's keys are sorted once; duplicates inside the batch are neighbours in that
  order (first occurrence wins), and the batch's new keys come out sorted: they become a new
  run as they are. Runs are not merged while in memory (but past ``max_runs`` of them, the
  smallest adjacent pair first): merging was half the cost of this index;
* a *filter* over the keys in memory (a blocked Bloom filter: 32 bits per key, at most
  4 MiB; a key sets two bits of the 64-bit word its top bits name, so sorted keys test and
  set the words in order) answers "surely new" for all but ~0.5% of the new keys: only the
  others (the real duplicates and those few) are looked up in the runs, with
  ``searchsorted``. A binary search per key and run was the other half of the cost;
* past ``spill_keys`` keys in memory (default 2²⁰), the runs are *spilled* as one, once the
  batch's own temporaries are gone: merged a slice of the key range at a time (about 2¹⁴
  keys: no transient copy of the whole), the freed runs given back to the system
  (:func:`govstd.allocator.release_free_memory`), into an
  anonymous temporary file, keeping in memory only a Bloom filter (10 bits per key, 7
  probes: ~1% false positives) and one fence hash per block of 512 keys (~1.3 bytes per key
  in all); the in-memory filter starts empty again. A batch's keys are tested against each
  spilled run's filter, probe by probe (only the keys every earlier probe let through: about
  two passes for seven probes); only the candidates (the real duplicates and ~1% of the
  others) are looked up on disk: a read of their 4 KiB block when they are few, else a scan
  of the run in 256 KiB chunks (a batch's candidates fall in most blocks of a run of a
  million keys). Trade-off: 12 bytes per spilled key on disk, one filter test per spilled run
  and key (the cost grows with the number of spilled runs, ~n / ``spill_keys``), for memory
  that no longer grows by 12 bytes per key (ten million keys: ~13 MB instead of 120 MB).

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

from govstd.allocator import release_free_memory

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
_SLICE = 1 << 14  # keys merged and written at a time when runs spill (transient memory: ~40 B each)
_BITS_PER_KEY = 10
_PROBES = 7


def _position(hashes: np.ndarray, second: np.ndarray, probe: int, size: int) -> np.ndarray:
    """Bit positions in ``[0, size)`` of one probe of a spilled run's Bloom filter: the top
    32 bits of the probe's hash scaled to the size (a multiply and a shift where ``%`` would
    divide; sizes stay below 2³² bits)."""
    thirty_two = _U64(32)
    with np.errstate(over="ignore"):
        return (((hashes + _U64(probe) * second) >> thirty_two) * _U64(size)) >> thirty_two


class _SpilledRun:
    """A sorted run on disk: hashes then ordinals in a temporary file; in memory a Bloom
    filter and the first hash of every block."""

    __slots__ = ("bits", "count", "dtype", "fences", "file", "size")

    def __init__(self, runs: list[np.ndarray], owners: list[np.ndarray]) -> None:
        """Disjoint sorted runs (hashes, and their first ordinals), merged as they are written:
        one slice of the key range at a time, so that the merge takes no more memory than
        a slice (about ``_SLICE`` keys)."""
        count = self.count = sum(len(run) for run in runs)
        dtype = self.dtype = np.result_type(*owners) if owners else np.dtype(np.int64)
        # an anonymous file that lives as long as the run (no context manager to scope it)
        self.file = tempfile.TemporaryFile(prefix="govstd-keys-")  # noqa: SIM115
        self.size = max(64, count * _BITS_PER_KEY) // 8 * 8  # bits, whole bytes
        self.bits = np.zeros(self.size // 8, dtype=np.uint8)
        # slice bounds: every _SLICE-th key or so, from a sample of every run
        step = max(1, _SLICE // 16)
        sample = np.sort(np.concatenate([run[step::step] for run in runs] or [np.zeros(0, _U64)]))
        bounds = sample[16::16]
        cuts = [np.searchsorted(run, bounds) for run in runs]
        fences: list[np.ndarray] = []
        written = 0
        for piece in range(len(bounds) + 1):
            parts = [
                (
                    0 if piece == 0 else int(cut[piece - 1]),
                    len(run) if piece == len(bounds) else int(cut[piece]),
                )
                for run, cut in zip(runs, cuts, strict=True)
            ]
            hashes = np.concatenate([run[a:b] for run, (a, b) in zip(runs, parts, strict=True)])
            if not len(hashes):
                continue
            ordinals = np.concatenate(
                [o[a:b].astype(dtype, copy=False) for o, (a, b) in zip(owners, parts, strict=True)]
            )
            if len(runs) > 1:
                order = np.argsort(hashes)
                hashes, ordinals = hashes[order], ordinals[order]
            self.file.seek(written * 8)
            self.file.write(hashes.tobytes())
            self.file.seek(count * 8 + written * dtype.itemsize)
            self.file.write(ordinals.tobytes())
            fences.append(hashes[-written % _BLOCK :: _BLOCK])
            for position in self._probes(hashes):
                # ``.at``: repeated byte positions must all get their bit
                np.bitwise_or.at(
                    self.bits,
                    (position >> _U64(3)).astype(np.intp),
                    (_U64(1) << (position & _U64(7))).astype(np.uint8),
                )
            written += len(hashes)
        self.file.flush()
        self.fences = np.concatenate(fences) if fences else np.zeros(0, dtype=_U64)

    @property
    def nbytes(self) -> int:
        return int(self.bits.nbytes + self.fences.nbytes)

    def _probes(self, hashes: np.ndarray) -> Iterator[np.ndarray]:
        second = _splitmix(hashes) | _U64(1)
        for i in range(_PROBES):
            yield _position(hashes, second, i, self.size)

    def _read(self, start: int, count: int, offset: int, dtype: Any) -> np.ndarray:
        itemsize = np.dtype(dtype).itemsize
        self.file.seek(offset + start * itemsize)
        return np.frombuffer(self.file.read(count * itemsize), dtype=dtype)

    def lookup(self, needles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For sorted ``needles``: the positions found here and their first ordinals."""
        # probe by probe, only the keys every earlier probe let through: about half of the
        # keys not here fail each probe, so the seven cost about two passes over the batch
        candidates = np.arange(len(needles))
        keys, bits = needles, self.bits
        second = _splitmix(keys) | _U64(1)
        for i in range(_PROBES):
            position = _position(keys, second, i, self.size)
            through = ((bits[position >> _U64(3)] >> (position & _U64(7))) & _U64(1)).astype(bool)
            candidates, keys, second = candidates[through], keys[through], second[through]
            if not len(candidates):
                break
        if not len(candidates):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
        blocks = np.searchsorted(self.fences, needles[candidates], side="right") - 1
        keep = blocks >= 0  # (below the first key: not here)
        candidates, blocks = candidates[keep], blocks[keep]
        if not len(candidates):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
        starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])
        if len(starts) * _DENSE > len(self.fences):
            positions, where = self._scan(needles, candidates, blocks)
        else:
            positions, where = self._probe_blocks(needles, candidates, blocks, starts)
        if not len(positions):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
        return positions, self._owners(where)

    def _owners(self, where: np.ndarray) -> np.ndarray:
        """The first ordinals at ascending positions ``where`` (one read per block of them)."""
        owners = np.empty(len(where), dtype=np.int64)
        blocks = where // _BLOCK
        starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])
        ends = np.r_[starts[1:], len(where)]
        for begin, end in zip(starts.tolist(), ends.tolist(), strict=True):
            first = int(blocks[begin]) * _BLOCK
            count = min(_BLOCK, self.count - first)
            ordinals = self._read(first, count, self.count * 8, self.dtype)
            owners[begin:end] = ordinals[where[begin:end] - first]
        return owners

    def _probe_blocks(
        self, needles: np.ndarray, candidates: np.ndarray, blocks: np.ndarray, starts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Few candidates: read the block of each (one 4 KiB read per block)."""
        found: list[np.ndarray] = []
        where_all: list[np.ndarray] = []
        ends = np.r_[starts[1:], len(blocks)]
        for begin, end in zip(starts.tolist(), ends.tolist(), strict=True):
            first = int(blocks[begin]) * _BLOCK
            self._search(first, _BLOCK, needles, candidates[begin:end], found, where_all)
        return _joined(found), _joined(where_all)

    def _scan(
        self, needles: np.ndarray, candidates: np.ndarray, blocks: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Many candidates (spread over most blocks): read the run's keys in order, a chunk
        of ``_SCAN_BLOCKS`` blocks at a time, instead of a read per block."""
        found: list[np.ndarray] = []
        where_all: list[np.ndarray] = []
        chunk_keys = _SCAN_BLOCKS * _BLOCK
        bounds = np.searchsorted(
            blocks, np.arange(0, len(self.fences) + _SCAN_BLOCKS, _SCAN_BLOCKS)
        )
        for chunk in range(len(bounds) - 1):
            begin, end = int(bounds[chunk]), int(bounds[chunk + 1])
            if begin == end:
                continue
            first = chunk * chunk_keys
            self._search(first, chunk_keys, needles, candidates[begin:end], found, where_all)
        return _joined(found), _joined(where_all)

    def _search(
        self,
        first: int,
        size: int,
        needles: np.ndarray,
        wanted: np.ndarray,
        found: list[np.ndarray],
        where_all: list[np.ndarray],
    ) -> None:
        """Look the needles at ``wanted`` up among the run's keys ``first`` … (``size`` of
        them, fewer at the end); add the ones found and their positions in the run."""
        count = min(size, self.count - first)
        run = self._read(first, count, 0, _U64)
        where = np.searchsorted(run, needles[wanted])
        where[where == count] = 0
        hit = run[where] == needles[wanted]
        if hit.any():
            found.append(wanted[hit])
            where_all.append(where[hit] + first)


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


#: a lookup with candidates in more than one block in ``_DENSE`` reads the run in chunks
_DENSE = 16
#: blocks read at a time by such a scan (256 KiB of keys)
_SCAN_BLOCKS = 64


_FILTER_BITS_PER_KEY = 32  # the in-memory filter: bits per key (two bits each: ~0.5% pass)
_FILTER_MIN_WORDS = 1 << 12  # 32 KiB
_FILTER_MAX_WORDS = 1 << 19  # 4 MiB
_SPREAD = _U64(0x9E3779B97F4A7C15)  # odd: multiplying by it is a bijection of 64-bit words
_SECOND = _U64(0xC2B2AE3D27D4EB4F)
_SIX = _U64(58)


class _Filter:
    """A blocked Bloom filter over the keys in memory ("surely not there" or "maybe there"):
    a key sets two bits of one 64-bit word, the word its top bits name, so that sorted keys
    test and set the words in order (no random access, no ``ufunc.at``)."""

    __slots__ = ("shift", "words")

    def __init__(self, keys: int) -> None:
        size = _FILTER_MIN_WORDS
        while size * 64 < keys * _FILTER_BITS_PER_KEY and size < _FILTER_MAX_WORDS:
            size *= 2
        self.shift = _U64(64 - (size.bit_length() - 1))
        self.words = np.zeros(size, dtype=_U64)

    @property
    def capacity(self) -> int:
        """The keys it holds with its intended rate of false "maybe"s."""
        return len(self.words) * 64 // _FILTER_BITS_PER_KEY

    def where(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each key's word (in the order of the keys) and its two bits there."""
        with np.errstate(over="ignore"):
            other = keys * _SECOND
        one = _U64(1)
        bits = (one << (other >> _SIX)) | (one << ((other >> _U64(52)) & _U64(63)))
        return keys >> self.shift, bits

    def add(self, word: np.ndarray, bits: np.ndarray, current: np.ndarray | None = None) -> None:
        """Set the bits of keys (from :meth:`where`, the keys sorted; ``current``: their words'
        contents before, if the caller read them already)."""
        words = self.words
        if current is None:
            current = words[word]
        words[word] = current | bits  # where keys share a word, one wins: the others next
        if len(word) > 1:
            shared = word[1:] == word[:-1]
            if shared.any():
                both = np.zeros(len(word), dtype=bool)  # both of each pair, whoever won
                both[:-1] = shared
                both[1:] |= shared
                np.bitwise_or.at(words, word[both], bits[both])

    @staticmethod
    def maybe(current: np.ndarray, bits: np.ndarray) -> np.ndarray:
        """Per key (its word's contents, its bits from :meth:`where`): may it be there?"""
        return (current & bits) == bits


class KeyIndex:
    """64-bit key hashes → ordinal of the first record that had the key."""

    __slots__ = ("_filter", "_hashes", "_ordinals", "_spilled", "max_runs", "spill_keys")

    def __init__(self, spill_keys: int | None = 1 << 20, max_runs: int = 32) -> None:
        #: the sorted runs in memory (disjoint), in the order they were made
        self._hashes: list[np.ndarray] = []
        self._ordinals: list[np.ndarray] = []
        self._spilled: list[_SpilledRun] = []
        self._filter: _Filter | None = None
        #: past this many keys in memory, the runs go to disk as one (None: never)
        self.spill_keys = spill_keys
        #: more runs than this in memory are merged, the smallest first
        self.max_runs = max_runs

    def __len__(self) -> int:
        return self._in_memory() + sum(r.count for r in self._spilled)

    def _in_memory(self) -> int:
        return sum(len(run) for run in self._hashes)

    @property
    def nbytes(self) -> int:
        """Bytes held in memory (spilled runs: their filters and fences)."""
        return (
            sum(a.nbytes for a in self._hashes)
            + sum(a.nbytes for a in self._ordinals)
            + (self._filter.words.nbytes if self._filter is not None else 0)
            + sum(r.nbytes for r in self._spilled)
        )

    def add(self, hashes: Any, ordinals: Any) -> tuple[np.ndarray, np.ndarray]:
        """Add keys in record order; the duplicates.

        ``hashes`` and ``ordinals`` are parallel (``ordinals`` increasing). Returns the
        positions (into the arguments) of the keys seen before — earlier in this call or in an
        earlier one — and, for each, the ordinal of the first record with that key.
        """
        found, spill = self._add(hashes, ordinals)
        if spill:  # once the batch's temporaries are gone: the spill's are the only ones
            self._spill()
        return found

    def _add(self, hashes: Any, ordinals: Any) -> tuple[tuple[np.ndarray, np.ndarray], bool]:
        hashes = np.asarray(hashes, dtype=_U64)
        ordinals = np.asarray(ordinals, dtype=np.int64)
        count = len(hashes)
        if count == 0:
            return (np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)), False
        # the index keeps ``hash × _SPREAD``: equal exactly when the hashes are, and well
        # spread in its top bits even where the hashes are small integers
        with np.errstate(over="ignore"):
            hashes = hashes * _SPREAD
        # One sort serves every step: sorted needles walk each run in order (far fewer cache
        # misses), equal keys of the batch are neighbours, and the new keys come out sorted.
        order = np.argsort(hashes)
        needles = hashes[order]
        found = np.full(count, -1, dtype=np.int64)  # by sorted position
        for spilled in self._spilled:
            positions, owners_found = spilled.lookup(needles)
            if len(positions):
                found[positions] = owners_found
        filter_ = self._filter
        if filter_ is None:
            filter_ = self._filter = _Filter(count * 16)
        word, bits = filter_.where(needles)
        current = filter_.words[word]  # read once: to test, then to set
        if self._hashes:
            # only what the filter may have; the spilled runs hold none of the keys in memory
            wanted = np.flatnonzero(filter_.maybe(current, bits))
            if self._spilled and len(wanted):
                wanted = wanted[found[wanted] < 0]
            if len(wanted):
                sought = needles[wanted]
                for run, owners in zip(self._hashes, self._ordinals, strict=True):
                    where = np.searchsorted(run, sought)
                    where[where == len(run)] = 0
                    hit = run[where] == sought
                    if hit.any():
                        found[wanted[hit]] = owners[where[hit]]
        starts = np.empty(count, dtype=bool)
        starts[0] = True
        np.not_equal(needles[1:], needles[:-1], out=starts[1:])
        new = found < 0
        new &= starts  # the first of each key of the batch in sorted order
        new_positions = order[new]
        repeats = np.flatnonzero(~starts)
        if len(repeats):
            # keys repeated in the batch (few): the first occurrence (smallest position:
            # ordinals increase) owns a new key, whatever order the sort left them in
            heads = np.flatnonzero(starts)
            head = heads[np.searchsorted(heads, repeats, side="right") - 1]
            groups, which = np.unique(head, return_inverse=True)
            first = order[groups].copy()
            np.minimum.at(first, which, order[repeats])
            unknown = found[groups] < 0
            members = np.concatenate((groups, repeats))
            member_group = np.concatenate((np.arange(len(groups)), which))
            repeat = unknown[member_group] & (order[members] != first[member_group])
            found[members[repeat]] = ordinals[first[member_group[repeat]]]
            # the new keys' owners: the groups' first occurrences
            if unknown.any():
                new_positions = new_positions.copy()
                at_new = np.searchsorted(np.flatnonzero(new), groups[unknown])
                new_positions[at_new] = first[unknown]
        # every key of the batch in the filter: those already in memory or spilled too (a
        # few more false "maybe"s for them, and no gathering of the new ones' words)
        filter_.add(word, bits, current)
        spill = bool(len(new_positions)) and self._push(needles[new], ordinals[new_positions])
        dupes = np.flatnonzero(found >= 0)
        positions = order[dupes]
        by_position = np.argsort(positions)
        return (positions[by_position], found[dupes[by_position]]), spill

    def _push(self, hashes: np.ndarray, ordinals: np.ndarray) -> bool:
        """A new run (its keys are in the filter already); whether the runs should spill."""
        dtype = np.uint32 if ordinals.min() >= 0 and ordinals.max() < 2**32 else np.int64
        self._hashes.append(hashes)
        self._ordinals.append(ordinals.astype(dtype))
        keys = self._in_memory()
        limit = self.spill_keys
        if limit is not None and keys > limit:
            return True
        if len(self._hashes) > self.max_runs:
            self._merge_smallest()
        filter_ = self._filter
        assert filter_ is not None
        if keys > filter_.capacity and len(filter_.words) < _FILTER_MAX_WORDS:
            # a bigger filter, ×16 (few rebuilds), with every key in memory set again
            filter_ = self._filter = _Filter(keys * 16)
            for run in self._hashes:
                filter_.add(*filter_.where(run))
        return False

    def _merge_smallest(self) -> None:
        """Merge the two adjacent runs of least total size into one."""
        sizes = [len(run) for run in self._hashes]
        pair = min(range(len(sizes) - 1), key=lambda i: sizes[i] + sizes[i + 1])
        hashes, ordinals = _merged(self._hashes[pair : pair + 2], self._ordinals[pair : pair + 2])
        self._hashes[pair : pair + 2] = [hashes]
        self._ordinals[pair : pair + 2] = [ordinals]

    def _spill(self) -> None:
        """All the runs in memory to disk, as one run; the filter starts empty again."""
        self._spilled.append(_SpilledRun(self._hashes, self._ordinals))
        self._hashes, self._ordinals = [], []
        if self._filter is not None:
            self._filter.words.fill(0)  # its memory again, cleared
        release_free_memory()  # the runs' ~12 MB back to the system, not kept as slack


def _merged(runs: list[np.ndarray], owners: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint sorted runs (and their ordinals) as one."""
    hashes = np.concatenate(runs)
    # a stable sort finds the sorted runs and merges them (timsort): O(n log runs)
    order = np.argsort(hashes, kind="stable")
    wide = np.result_type(*owners)
    ordinals = np.concatenate([o.astype(wide, copy=False) for o in owners])
    return hashes[order], ordinals[order]
