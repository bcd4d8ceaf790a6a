"""The JSON Lines reader's block handling: lines split across blocks, ``maybe_empty`` and the
``vouch_empty=False`` reads of :mod:`govstd.parallel`.

A block is split as read and only the line that spans two blocks is joined; the scans for
``null``/``""`` (``DocumentBatch.maybe_empty``) and for long digit runs (which send lines to the
standard library) must still see every line whole. These tests put such lines across block
boundaries (tiny blocks) and compare with ``json.loads`` line by line.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.catalogue import Catalogue
from govstd.formats import jsonl
from govstd.formats.base import DocumentBatch, ReadOptions, Source
from govstd.formats.jsonl import JsonLinesReader


def exact(value: Any) -> Any:
    """``value`` with every number tagged by its type and repr (1 != 1.0, big ints exact)."""
    if isinstance(value, dict):
        return ("dict", [(k, exact(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [exact(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, repr(value))


def holds_empty(record: Any) -> bool:
    return isinstance(record, dict) and any(v is None or v == "" for v in record.values())


VALUES = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=6),
    st.integers(-(2**70), 2**70),
    st.sampled_from([10**19, -(10**20), 18446744073709551616, 12345678901234567890123]),
    st.floats(allow_nan=False, allow_infinity=False),
)
RECORDS = st.dictionaries(st.sampled_from(["a", "b", "nul", "c"]), VALUES, max_size=4)


def read(
    catalogue: Catalogue,
    data: bytes,
    monkeypatch: pytest.MonkeyPatch,
    block: int,
    batch_size: int,
    *,
    vouch_empty: bool = True,
) -> list[DocumentBatch]:
    options = ReadOptions(batch_size=batch_size)
    source = Source(name="feed", path=None, stream=io.BytesIO(data))
    with monkeypatch.context() as patch:
        patch.setattr(jsonl, "_BLOCK", block)
        if vouch_empty:
            return list(JsonLinesReader().read(source, options, catalogue))
        stretch = JsonLinesReader().stretch(
            source, options, catalogue, first_line=0, first_ordinal=0, vouch_empty=False
        )
        return list(stretch.batches(io.BytesIO(data)))


@settings(
    deadline=None, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    records=st.lists(RECORDS, min_size=1, max_size=10),
    crlf=st.booleans(),
    final_newline=st.booleans(),
    block=st.sampled_from([1, 2, 5, 9, 17, 64]),
    batch_size=st.integers(1, 4),
)
def test_lines_across_blocks_parse_as_the_standard_library_does(
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
    records: list[dict[str, Any]],
    crlf: bool,
    final_newline: bool,
    block: int,
    batch_size: int,
) -> None:
    ending = b"\r\n" if crlf else b"\n"
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in records]
    data = ending.join(lines) + (ending if final_newline else b"")
    batches = read(catalogue, data, monkeypatch, block, batch_size)
    got = [exact(r) for b in batches for r in b.records]
    assert got == [exact(json.loads(line)) for line in lines]
    assert [o for b in batches for o in b.ordinals] == list(range(1, len(lines) + 1))
    assert batches[-1].position == len(data)
    for batch in batches:  # a batch with a None or "" somewhere never vouches for none
        if any(map(holds_empty, batch.records)):
            assert batch.maybe_empty
    # without the scans: the same records, and no batch vouches for anything
    unvouched = read(catalogue, data, monkeypatch, block, batch_size, vouch_empty=False)
    assert [exact(r) for b in unvouched for r in b.records] == got
    assert all(b.maybe_empty for b in unvouched)
    assert [b.position for b in unvouched] == [b.position for b in batches]


def test_a_long_number_split_between_blocks_stays_exact(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = b'{"n": 18446744073709551616123}'
    data = b'{"a": 1}\n' + line + b"\n"
    for block in range(1, len(data) + 1):
        batches = read(catalogue, data, monkeypatch, block, 10)
        values = [r for b in batches for r in b.records]
        assert values == [{"a": 1}, {"n": 18446744073709551616123}], block
        assert type(values[1]["n"]) is int


def test_a_null_split_between_blocks_is_seen(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b'{"a": 1}\n{"b": null}\n{"c": ""}\n'
    for block in range(1, len(data) + 1):
        batches = read(catalogue, data, monkeypatch, block, 10)
        assert [r for b in batches for r in b.records] == [{"a": 1}, {"b": None}, {"c": ""}]
        assert all(b.maybe_empty for b in batches), block
