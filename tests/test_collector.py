"""The collector's settings while a feed streams (govstd.collector)."""

from __future__ import annotations

import gc
import weakref

import pytest

from govstd.collector import YOUNG, streaming_collection


class _Node:
    def __init__(self) -> None:
        self.me = self


def test_settings_inside_and_restored_after() -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with streaming_collection():
        assert gc.get_threshold()[0] == max(YOUNG, before[0])
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.isenabled()
        if frozen == 0:
            assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_restored_when_the_run_raises() -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with pytest.raises(RuntimeError), streaming_collection():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_nested_run_keeps_the_outer_settings() -> None:
    with streaming_collection(young=80_000):
        outer = gc.get_threshold(), gc.get_freeze_count()
        with streaming_collection():
            pass
        assert (gc.get_threshold(), gc.get_freeze_count()) == outer


def test_cycles_made_during_the_run_are_still_freed() -> None:
    with streaming_collection():
        node = _Node()
        ref = weakref.ref(node)
        del node
        assert ref() is not None  # a cycle: reference counting alone cannot free it
        gc.collect()
        assert ref() is None


def test_does_not_freeze_when_the_collector_is_off() -> None:
    frozen = gc.get_freeze_count()
    gc.disable()
    try:
        with streaming_collection():
            assert gc.get_freeze_count() == frozen
            assert not gc.isenabled()
    finally:
        gc.enable()
