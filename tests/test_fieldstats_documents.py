"""Filled-field counts of document batches: the C-counted path against a plain loop."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from govstd.fieldstats import FieldObserver
from govstd.formats.base import DocumentBatch

_NAMES = st.sampled_from(["a", "b", "c", "名称", "", "x y"])
_VALUES = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=3),
    st.integers(-2, 2),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.lists(st.just(""), max_size=2),
    st.dictionaries(st.just("k"), st.none(), max_size=1),
)
_RECORD = st.one_of(
    st.dictionaries(_NAMES, _VALUES, max_size=6),
    st.none(),
    st.integers(),
    st.lists(st.integers(), max_size=2),
    st.text(max_size=2),
)


def _reference(batches: list[list[Any]]) -> tuple[list[str], dict[str, int]]:
    order: dict[str, None] = {}
    filled: Counter[str] = Counter()
    for records in batches:
        for document in records:
            if isinstance(document, dict):
                for name, value in document.items():
                    order.setdefault(name, None)
                    if value is not None and value != "":
                        filled[name] += 1
    return list(order), {name: filled[name] for name in order}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_RECORD, max_size=8), max_size=4))
def test_counts_and_order_equal_the_plain_loop(batches: list[list[Any]]) -> None:
    observer = FieldObserver()
    ordinal = 0
    for records in batches:
        ordinals = list(range(ordinal + 1, ordinal + 1 + len(records)))
        ordinal += len(records)
        batch = DocumentBatch(records=records, ordinals=ordinals, lines=list(ordinals))
        observer.observe("s", batch, [])
    order, filled = _reference(batches)
    result = observer.result()
    assert [f.name for f in result] == order
    assert {f.name: f.filled for f in result} == filled


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(_RECORD, max_size=8), max_size=4))
def test_jsonl_reader_vouching_for_no_empties_changes_nothing(
    tmp_path_factory: Any, batches: list[list[Any]]
) -> None:
    """Read back through the JSON Lines reader (which sets ``maybe_empty``): same counts."""
    import json

    from govstd.catalogue import Catalogue, builtin_finding_types
    from govstd.formats.base import ReadOptions, Source
    from govstd.formats.jsonl import JsonLinesReader

    records = [r for batch in batches for r in batch]
    path = tmp_path_factory.mktemp("jsonl") / "feed.jsonl"
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    observer = FieldObserver()
    options = ReadOptions(batch_size=3)
    reader = JsonLinesReader()
    for batch in reader.read(
        Source.from_arg(str(path)), options, Catalogue(builtin_finding_types())
    ):
        observer.observe("s", batch, [])
    order, filled = _reference([records])
    result = observer.result()
    assert [f.name for f in result] == order
    assert {f.name: f.filled for f in result} == filled
