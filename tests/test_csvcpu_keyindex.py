"""The key index (sorted runs, an in-memory filter, spilled runs) against a plain dict model:
the same duplicates, in position order, with the same first ordinals, for keys repeated in a
batch, across batches, across merges and spills, for hashes that are small integers (as
Python's ``hash`` gives for integer keys), 0 and 2⁶⁴ − 1, and for ordinals past 2³²."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from govstd.keyindex import KeyIndex

_EDGES = [0, 1, 2, 2**63, 2**64 - 1, 0x9E3779B97F4A7C15]
_HASHES = st.one_of(
    st.integers(0, 30),
    st.sampled_from(_EDGES),
    st.integers(0, 2**64 - 1),
)


def _model(seen: dict[int, int], keys: list[int], ordinals: list[int]) -> list[tuple[int, int]]:
    out = []
    for position, (key, number) in enumerate(zip(keys, ordinals, strict=True)):
        owner = seen.setdefault(key, number)
        if owner != number:
            out.append((position, owner))
    return out


def _check(index: KeyIndex, batches: list[list[int]], base: int, gaps: list[int]) -> None:
    seen: dict[int, int] = {}
    ordinal = base
    step = 0
    for keys in batches:
        ordinals = []
        for _ in keys:
            ordinal += 1 + gaps[step % len(gaps)]
            step += 1
            ordinals.append(ordinal)
        dupes, first = index.add(np.array(keys, dtype=np.uint64), ordinals)
        assert dupes.dtype.kind == "i"
        assert first.dtype == np.int64
        got = list(zip(dupes.tolist(), first.tolist(), strict=True))
        assert got == _model(seen, keys, ordinals)
    assert len(index) == len(seen)


@settings(max_examples=200, deadline=None)
@given(
    batches=st.lists(st.lists(_HASHES, max_size=50), max_size=12),
    spill_keys=st.sampled_from([None, 0, 1, 7, 40]),
    max_runs=st.sampled_from([1, 2, 32]),
    base=st.sampled_from([0, 2**32 - 30]),
    gaps=st.lists(st.integers(0, 3), min_size=1, max_size=5),
)
def test_key_index_matches_a_dict_model(
    batches: list[list[int]],
    spill_keys: int | None,
    max_runs: int,
    base: int,
    gaps: list[int],
) -> None:
    _check(KeyIndex(spill_keys=spill_keys, max_runs=max_runs), batches, base, gaps)


@settings(max_examples=100, deadline=None)
@given(
    batches=st.lists(st.lists(st.integers(0, 12), min_size=1, max_size=60), max_size=10),
    spill_keys=st.sampled_from([None, 3, 20]),
)
def test_many_repeats_inside_batches(batches: list[list[int]], spill_keys: int | None) -> None:
    """Few distinct keys: most of every batch repeats a key, first seen in it or before."""
    _check(KeyIndex(spill_keys=spill_keys), batches, 0, [0])


def test_filter_growth_false_positives_and_spills() -> None:
    """Enough keys that the in-memory filter grows (its keys set again) and lets some new keys
    through (looked up for nothing), runs are merged and spill, and keys come back from disk."""
    rng = np.random.default_rng(11)
    universe = np.concatenate(
        [
            rng.integers(0, 2**64, size=30_000, dtype=np.uint64),
            np.arange(0, 5_000, dtype=np.uint64),  # small integers: Python's hash of ints
        ]
    )
    for spill_keys, max_runs in ((None, 32), (None, 3), (9_000, 32), (2_500, 2)):
        index = KeyIndex(spill_keys=spill_keys, max_runs=max_runs)
        seen: dict[int, int] = {}
        ordinal = 0
        for size in (1, 4_000, 3_000, 7_000, 2, 6_000, 5_000, 9_000, 4_000):
            keys = universe[rng.integers(0, len(universe), size=size)]
            ordinals = list(range(ordinal + 1, ordinal + 1 + size))
            ordinal += size
            dupes, first = index.add(keys, ordinals)
            expected = _model(seen, keys.tolist(), ordinals)
            assert list(zip(dupes.tolist(), first.tolist(), strict=True)) == expected
        assert len(index) == len(seen)
        assert len(index._hashes) <= max_runs
        if spill_keys is not None:
            assert index._spilled


def test_empty_batches_and_no_keys() -> None:
    index = KeyIndex()
    dupes, first = index.add(np.zeros(0, dtype=np.uint64), [])
    assert dupes.tolist() == [] and first.tolist() == []
    assert len(index) == 0
    dupes, first = index.add([5, 5, 0, 0], [1, 2, 3, 4])
    assert dupes.tolist() == [1, 3] and first.tolist() == [1, 3]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    slice_keys=st.sampled_from([16, 64, 1 << 16]),
    block=st.sampled_from([4, 8, 512]),
)
def test_runs_spill_merged_slice_by_slice(seed: int, slice_keys: int, block: int) -> None:
    """Spilled runs are merged a slice of the key range at a time: the file holds every key,
    sorted, with its ordinal, the fences are every ``block``-th key, and lookups agree."""
    import pytest

    from govstd import keyindex

    rng = np.random.default_rng(seed)
    universe = np.concatenate(
        [rng.integers(0, 2**64, size=3_000, dtype=np.uint64), np.arange(300, dtype=np.uint64)]
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keyindex, "_SLICE", slice_keys)
        patch.setattr(keyindex, "_BLOCK", block)
        index = KeyIndex(spill_keys=700, max_runs=4)
        seen: dict[int, int] = {}
        ordinal = 0
        for size in rng.integers(1, 400, size=12).tolist():
            keys = universe[rng.integers(0, len(universe), size=size)]
            ordinals = list(range(ordinal + 1, ordinal + 1 + size))
            ordinal += size
            dupes, first = index.add(keys, ordinals)
            expected = _model(seen, keys.tolist(), ordinals)
            assert list(zip(dupes.tolist(), first.tolist(), strict=True)) == expected
        assert index._spilled
        for run in index._spilled:
            hashes = run._read(0, run.count, 0, np.uint64)
            owners = run._read(0, run.count, run.count * 8, run.dtype)
            assert (hashes[1:] > hashes[:-1]).all()
            assert run.fences.tolist() == hashes[::block].tolist()
            assert len(owners) == run.count
        # every key is where the index says, with the first ordinal the model has
        stored = {}
        for run in index._spilled:
            hashes = run._read(0, run.count, 0, np.uint64)
            owners = run._read(0, run.count, run.count * 8, run.dtype)
            stored.update(zip(hashes.tolist(), owners.tolist(), strict=True))
        for hashes, owners in zip(index._hashes, index._ordinals, strict=True):
            stored.update(zip(hashes.tolist(), owners.tolist(), strict=True))
        spread = {(key * 0x9E3779B97F4A7C15) % 2**64: owner for key, owner in seen.items()}
        assert stored == spread


@settings(deadline=None, max_examples=25)
@given(
    seed=st.integers(0, 2**32 - 1),
    probes=st.sampled_from([3, 40, 3000]),
    repeat_share=st.sampled_from([0.0, 0.01, 0.5]),
)
def test_spilled_runs_big_enough_for_both_lookups(
    seed: int, probes: int, repeat_share: float
) -> None:
    """Spilled runs of tens of thousands of keys, asked about a few keys (a read per block)
    and about thousands (a scan of the run in chunks): the same answers as the model."""
    rng = np.random.default_rng(seed)
    index = KeyIndex(spill_keys=20_000)
    seen_keys: list[int] = []
    batches: list[list[int]] = []
    for size in (25_000, 25_000, probes, probes):
        fresh = rng.integers(0, 2**64 - 1, size=size, dtype=np.uint64).tolist()
        if seen_keys and repeat_share:
            count = max(1, int(size * repeat_share))
            picks = rng.integers(0, len(seen_keys), size=count)
            spots = rng.integers(0, size, size=count).tolist()
            for at, pick in zip(spots, picks.tolist(), strict=True):
                fresh[at] = seen_keys[pick]
        seen_keys.extend(fresh)
        batches.append(fresh)
    _check(index, batches, 0, [0])
    assert index._spilled  # the lookups above went to runs on disk
