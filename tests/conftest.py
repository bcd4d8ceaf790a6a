"""Shared fixtures: the third-party corpus, an isolated session, the catalogue."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govstd.catalogue import Catalogue, builtin_finding_types

REPO = Path(__file__).resolve().parents[1]
_DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"


def corpus_root() -> Path | None:
    """The shared corpus. With GOVSTD_CORPUS set, a missing path is an error, not a skip."""
    configured = os.environ.get("GOVSTD_CORPUS")
    if configured:
        path = Path(configured)
        if not path.is_absolute():
            path = (Path.cwd() / path).resolve()
        if not path.is_dir():
            raise RuntimeError(f"GOVSTD_CORPUS={configured!r} but {path} is not a directory")
        return path
    return _DEFAULT_CORPUS if _DEFAULT_CORPUS.is_dir() else None


@pytest.fixture(scope="session")
def corpus() -> Path:
    root = corpus_root()
    if root is None:
        pytest.skip("shared corpus not found; set GOVSTD_CORPUS=../shared/corpus")
    return root


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue(builtin_finding_types())
