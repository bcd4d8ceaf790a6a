"""The manifest check: jsonschema-rs says yes or no, python-jsonschema explains and decides.

The contract: a manifest the fast check accepts is one python-jsonschema accepts, so the
verdict and the messages are always the reference's.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.standard import _is_date, _ManifestCheck, _plain, _reference_validator

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = sorted(ROOT.glob("standards/*/*/manifest.toml"))


@pytest.fixture(scope="module")
def check() -> _ManifestCheck:
    return _ManifestCheck()


@pytest.fixture(scope="module")
def reference(check: _ManifestCheck) -> Any:
    return _reference_validator(check.schema)


def _load(path: Path) -> dict[str, Any]:
    return _plain(tomllib.loads(path.read_text(encoding="utf-8")))


def test_every_shipped_manifest_is_accepted_fast(check: _ManifestCheck) -> None:
    assert MANIFESTS
    for path in MANIFESTS:
        assert check.accepts(_load(path)), path


_ODD_TEXT = st.sampled_from(
    [
        "cn.natural-person",
        "cn.natural-person\n",
        "Cn",
        "1.0.0",
        "1.0.0\n",
        "١.٠.٠",
        "01.0.0",
        "1.0.0-rc.1",
        "2026-01-01",
        "0000-01-01",
        "2026-02-30",
        "2026-1-01",
        "２０２６-01-01",
        "2026-01-01\n",
        "/abs/path.json",
        "../up.json",
        "a\\b.json",
        "record.schema.json",
        "",
        "/field",
        "x\n/y",
    ]
)
_VALUES = st.one_of(_ODD_TEXT, st.text(max_size=6), st.integers(), st.none(), st.booleans())


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_paths(item, (*prefix, index)))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if new is _DROP and not rest:
            copy.pop(head, None)
            return copy
        copy[head] = _replace(value[head], rest, new)
        return copy
    copy_list = list(value)
    if new is _DROP and not rest:
        del copy_list[head]
        return copy_list
    copy_list[head] = _replace(value[head], rest, new)
    return copy_list


_DROP = object()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(MANIFESTS),
    st.lists(st.tuples(st.integers(0, 10_000), st.one_of(_VALUES, st.just(_DROP))), max_size=3),
)
def test_what_the_fast_check_accepts_the_reference_accepts(
    check: _ManifestCheck, reference: Any, path: Path, edits: list[tuple[int, Any]]
) -> None:
    data: Any = _load(path)
    for where, new in edits:
        paths = _paths(data)
        target = paths[where % len(paths)]
        if new is _DROP and not target:
            continue
        data = _replace(data, target, new)
    errors = list(reference.iter_errors(data))
    if check.accepts(data):
        assert errors == []
    assert [e.message for e in check.iter_errors(data)] == [e.message for e in errors]


@given(st.one_of(_ODD_TEXT, st.text(max_size=12)))
def test_date_is_at_least_as_strict_as_python_jsonschema(value: str) -> None:
    from jsonschema import FormatChecker

    if _is_date(value):
        assert FormatChecker().conforms(value, "date")
