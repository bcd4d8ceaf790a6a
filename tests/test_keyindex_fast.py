"""The compact key index against a plain dict, with so few runs allowed that they are merged
(``max_runs``) and so few keys in memory that runs spill: duplicates and first ordinals must
not change."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from govstd.keyindex import KeyIndex


@settings(max_examples=150, deadline=None)
@given(
    batches=st.lists(st.lists(st.integers(0, 200), max_size=40), max_size=20),
    max_runs=st.sampled_from([1, 2, 3, 8, 64]),
    spill_keys=st.sampled_from([None, 0, 5, 50]),
)
def test_bounded_merging_and_spilling_match_a_dict(
    batches: list[list[int]], max_runs: int, spill_keys: int | None
) -> None:
    index = KeyIndex(spill_keys=spill_keys, max_runs=max_runs)
    seen: dict[int, int] = {}
    ordinal = 0
    for keys in batches:
        ordinals = list(range(ordinal + 1, ordinal + 1 + len(keys)))
        ordinal += len(keys)
        dupes, first = index.add(np.array(keys, dtype=np.uint64), ordinals)
        expected = []
        for position, (key, number) in enumerate(zip(keys, ordinals, strict=True)):
            owner = seen.setdefault(key, number)
            if owner != number:
                expected.append((position, owner))
        assert sorted(zip(dupes.tolist(), first.tolist(), strict=True)) == expected
    assert len(index) == len(seen)
    assert len(index._hashes) <= max_runs
    if not index._spilled and index._filter is not None:  # 12 bytes a key, and the filter
        assert index.nbytes <= 12 * len(seen) + index._filter.words.nbytes
    for run in index._hashes:  # every run stays sorted and runs stay disjoint
        assert (np.diff(run.astype(np.float64)) > 0).all() or len(run) < 2
    runs = [*index._hashes, *(r._read(0, r.count, 0, np.uint64) for r in index._spilled)]
    merged = np.concatenate(runs) if runs else np.zeros(0, np.uint64)
    assert len(np.unique(merged)) == len(merged) == len(seen)


def test_spilled_runs_with_wide_hashes_and_many_keys() -> None:
    """Real 64-bit hashes, runs of several blocks, a Bloom filter that must hold every key."""
    rng = np.random.default_rng(7)
    universe = rng.integers(0, 2**64, size=6000, dtype=np.uint64)
    index = KeyIndex(spill_keys=1500, max_runs=2)
    seen: dict[int, int] = {}
    ordinal = 0
    for _ in range(12):
        keys = universe[rng.integers(0, len(universe), size=700)]
        ordinals = list(range(ordinal + 1, ordinal + 1 + len(keys)))
        ordinal += len(keys)
        dupes, first = index.add(keys, ordinals)
        expected = []
        for position, (key, number) in enumerate(zip(keys.tolist(), ordinals, strict=True)):
            owner = seen.setdefault(key, number)
            if owner != number:
                expected.append((position, owner))
        assert sorted(zip(dupes.tolist(), first.tolist(), strict=True)) == expected
    assert index._spilled
    filter_bytes = index._filter.words.nbytes if index._filter is not None else 0
    assert index.nbytes < 12 * len(seen) + filter_bytes
