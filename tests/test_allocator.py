"""Giving freed memory back to the system (govstd.allocator)."""

from __future__ import annotations

import platform
import sys

import pytest

from govstd import allocator


def test_release_on_glibc() -> None:
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    blocks = [bytearray(300_000) for _ in range(64)]  # freed below: something to give back
    del blocks
    assert allocator.release_free_memory() is glibc


def test_without_malloc_trim_nothing_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allocator, "_malloc_trim", lambda: None)
    assert allocator.release_free_memory() is False


def test_a_trim_that_is_called(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(allocator, "_malloc_trim", lambda: calls.append)
    assert allocator.release_free_memory() is True
    assert calls == [0]
