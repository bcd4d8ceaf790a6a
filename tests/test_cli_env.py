"""What the console entry point sets up before a command runs."""

from __future__ import annotations

import os
from typing import Any

import pytest

from govstd.cli import main as entry


def _capture(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_cli(**kwargs: Any) -> None:
        seen["threads"] = os.environ.get("OPENBLAS_NUM_THREADS")
        seen["kwargs"] = kwargs

    monkeypatch.setattr(entry, "cli", fake_cli)
    return seen


def test_openblas_runs_one_thread_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    seen = _capture(monkeypatch)
    entry.main()
    assert seen["threads"] == "1"
    assert seen["kwargs"] == {"prog_name": "govstd"}


def test_a_users_openblas_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    seen = _capture(monkeypatch)
    entry.main()
    assert seen["threads"] == "4"
