"""Differential tests of the columnar fast path (polars reader + vectorised screens + compact key
index) against the reference path (Python csv reader + per-cell checks + key index fed from
Python values), on the same generated files: the findings must be identical, in order.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.catalogue import Catalogue
from govstd.engines.base import CompileContext, SchemaDocument
from govstd.engines.tablefast import translate_pattern
from govstd.engines.tableschema import TableSchemaEngine
from govstd.formats.base import ReadOptions, Source
from govstd.formats.csv import CsvReader
from govstd.formats.csvfast import ColumnarBatch
from govstd.keyindex import KeyIndex

pl = pytest.importorskip("polars")

SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "name": "code",
            "type": "string",
            "constraints": {"required": True, "pattern": "[A-C][0-9]{2}"},
        },
        {"name": "name", "type": "string", "constraints": {"maxLength": 3, "minLength": 1}},
        {"name": "n", "type": "integer", "constraints": {"minimum": 0, "maximum": 50}},
        {"name": "x", "type": "number", "constraints": {"minimum": 0.5}},
        {"name": "d", "type": "date", "constraints": {"minimum": "2000-01-01"}},
        {"name": "s", "type": "string", "constraints": {"enum": ["1", "2"]}},
        {"name": "b", "type": "boolean"},
        {"name": "u", "type": "integer", "constraints": {"unique": True}},
        {"name": "t", "type": "string", "constraints": {"pattern": r"\S+"}},
    ],
    "primaryKey": ["code", "s"],
    "missingValues": ["", "NA"],
}

CELLS = {
    "code": ["A01", "B22", "C99", "D01", "a01", "", "NA", "A1"],
    "name": ["", "甲", "abcd", "ab", " x"],
    "n": ["0", "50", "51", "-1", "+7", " 3", "1.0", "x", "", "99999999999999999999", "007"],
    "x": ["0.5", "0.50000000001", "0.4999", "1e3", "NaN", "INF", "-INF", ".5", "5.", "x", ""],
    "d": ["2000-01-01", "1999-12-31", "2020-02-30", "0000-01-01", "2020/01/02", "2020-1-2", ""],
    "s": ["1", "2", "3", "", "NA"],
    "b": ["true", "false", "1", "0", "yes", ""],
    "u": ["1", "01", "2", "3", "x", ""],
    "t": ["a", "a b", "\u3000", "", "\x1c"],
}
NAMES = [f["name"] for f in SCHEMA["fields"]]

row = st.fixed_dictionaries({n: st.sampled_from(CELLS[n]) for n in NAMES})


def _findings(path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, batch: int) -> list[Any]:
    monkeypatch.setenv("GOVSTD_COLUMNAR", mode)
    catalogue = _catalogue()
    plan = TableSchemaEngine().compile(
        SchemaDocument(content=SCHEMA), CompileContext(catalogue=catalogue)
    )
    checker = plan.open("t.csv")
    out: list[Any] = []
    kinds = set()
    for b in CsvReader().read(Source.from_arg(path), ReadOptions(batch_size=batch), catalogue):
        kinds.add(type(b).__name__)
        out.extend(repr(f) for f in b.findings)
        out.extend(repr(f) for f in checker.check_table(b))
    out.extend(repr(f) for f in checker.finish())
    return [out, kinds]


_CATALOGUE: list[Catalogue] = []


def _catalogue() -> Catalogue:
    if not _CATALOGUE:
        from govstd.session import Session

        _CATALOGUE.append(Session().catalogue)
    return _CATALOGUE[0]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(row, min_size=1, max_size=60),
    batch=st.sampled_from([1, 7, 10_000]),
    crlf=st.booleans(),
    tail=st.sampled_from(["", '"q,uoted",x\n', "a,b\n", "\n", "\xff\n"]),
    cut=st.integers(0, 60),
)
def test_columnar_path_matches_reference(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[dict[str, str]],
    batch: int,
    crlf: bool,
    tail: str,
    cut: int,
) -> None:
    end = "\r\n" if crlf else "\n"
    lines = [",".join(NAMES)] + [",".join(r[n] for n in NAMES) for r in rows]
    body = end.join(lines[: cut + 1]) + end + tail + end.join(lines[cut + 1 :])
    if len(lines) > cut + 1:
        body += end
    path = tmp_path_factory.mktemp("fast") / "t.csv"
    path.write_bytes(body.encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    reference, kinds = _findings(path, monkeypatch, "0", batch)
    assert kinds <= {"TableBatch"}
    fast, kinds = _findings(path, monkeypatch, "force", batch)
    assert fast == reference
    if not tail:
        assert "ColumnarBatch" in kinds


def test_columnar_rows_are_texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,\n,2\n", encoding="utf-8")
    monkeypatch.setenv("GOVSTD_COLUMNAR", "force")
    batches = list(CsvReader().read(Source.from_arg(path), ReadOptions(), _catalogue()))
    assert isinstance(batches[0], ColumnarBatch)
    assert batches[0].rows[1] == ["", "2"]
    assert list(batches[0].rows) == [["1", ""], ["", "2"]]
    assert batches[0].lines == [2, 3] and batches[0].ordinals == [1, 2]


@settings(max_examples=200, deadline=None)
@given(
    pattern=st.sampled_from(
        ["[A-C][0-9]{2}", "a|b", "^x+$", "[^a-c]*", r"\d+", r"a\.b", ".*", "(ab)+c?", "[a-]z"]
    ),
    text=st.text(alphabet="abcxz.-019A-C\n \u00e9\u0663", max_size=6),
)
def test_translated_patterns_agree_with_python(pattern: str, text: str) -> None:
    rust = translate_pattern(pattern)
    if rust is None:
        return
    expected = re.fullmatch(pattern, text) is not None
    assert pl.Series([text]).str.contains(rust).item() == expected


def test_untranslatable_patterns() -> None:
    for pattern in (r"\s+", r"\d", "(?i)a", "a(?=b)", "[[a]]", "é", r"\bx"):
        assert translate_pattern(pattern) is None


@settings(max_examples=100, deadline=None)
@given(
    batches=st.lists(st.lists(st.integers(0, 40), max_size=30), max_size=12),
)
def test_key_index_matches_a_dict(batches: list[list[int]]) -> None:
    index = KeyIndex()
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
    filter_bytes = index._filter.words.nbytes if index._filter is not None else 0
    assert index.nbytes <= 12 * len(seen) + filter_bytes


def test_schema_fixture_is_a_json_table_schema() -> None:
    from govstd.engines.tableschema import TableSchemaEngine

    assert json.loads(json.dumps(SCHEMA)) == SCHEMA
    assert TableSchemaEngine().detect(SCHEMA, None)
