"""Differential tests of the transform's fast paths against straightforward references.

- the adapter's column reading (:meth:`ValueRule.read_column`: one-pass recognition of clean
  cells, per-column memos) against ``rule.read`` cell by cell;
- the record builder (a generated dict display) against ``dict(zip(names, row))``;
- the writers' ``write_many`` (one block per batch; orjson for flat JSON Lines) against
  ``json.JSONEncoder(ensure_ascii=False)`` / ``csv.writer`` record by record;
- the transform's batched accounting and writing against the record-by-record loop it
  replaced: the same output, rejects and report, byte for byte.

No timings here: speed is measured by scripts, never asserted.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govstd import hookimpl
from govstd.adapters import parse_adapter
from govstd.adapters.model import _record_builder
from govstd.adapters.values import (
    CodeRule,
    ColumnMemo,
    DateRule,
    DecimalRule,
    DigitsRule,
    IdentityNumberRule,
    PhoneRule,
    TextRule,
    ValueRule,
)
from govstd.findings import Finding, Severity
from govstd.formats.writers import CsvWriter, JsonLinesWriter, JsonWriter, WriteOptions
from govstd.session import Session
from govstd.transform import FIX_PREFIX, _Run

NULLS = ("无", "-", "NULL")

# -- value rules: read_column against read -------------------------------------------------

RULES: dict[str, ValueRule] = {
    "text": TextRule("c", NULLS, {}),
    "text-untrimmed": TextRule("c", NULLS, {"trim": False}),
    "text-upper": TextRule("c", NULLS, {"upper": True}),
    "cn-ric": IdentityNumberRule("c", NULLS, {}),
    "digits": DigitsRule("c", NULLS, {}),
    "date": DateRule("c", NULLS, {"formats": ["YYYY年M月D日", "YYYY/M/D", "YYYYMMDD"]}),
    "code": CodeRule("c", NULLS, {"codes": {"男": "1", "女": "2", " 未知": "0"}}),
    "cn-phone": PhoneRule("c", NULLS, {}),
    "decimal": DecimalRule("c", NULLS, {"thousands": ","}),
}

#: cells of every kind: clean, padded, full-width, null markers, problems …
SAMPLES = [
    "",
    " ",
    "\u3000",
    "无",
    " 无 ",
    "-",
    "NULL",
    "null",
    "张伟",
    " 王芳 ",
    "abc",
    "ABC",
    "110101198503120017",
    "11010119850312001X",
    "11010119850312001x",
    "X",
    "123X",
    "１１０１０１",
    "110101.0",
    "1.10105E+17",
    "²³",
    "110101",
    "0",
    "007",
    "1985年3月12日",
    "1985/3/12",
    "19850312",
    "1985-3-12",
    "2020年2月30日",
    "85/3/12",
    "男",
    "女",
    "未知",
    " 未知",
    "男性",
    "13801012345",
    "138-0101-2345",
    "+86 138 0101 2345",
    "010-12345678",
    "01012345678",
    "0101-2345678",
    "12345678901",
    "8613801012345",
    "13801012345 ",
    "1,000.50",
    "1000",
    "0.1",
    "-5",
]

cells_strategy = st.lists(
    st.one_of(st.sampled_from(SAMPLES), st.text(alphabet="0123456789X x-年月日/.,男", max_size=20)),
    max_size=40,
)


class ShoutingText(TextRule):
    """A plugin's subclass that changes parse: the quick path must not be used for it."""

    def parse(self, text: str) -> Any:
        return text + "!", None, None


def _reference(rule: ValueRule, cells: list[str]) -> tuple[list[Any], dict[int, Any]]:
    readings = [rule.read(cell) for cell in cells]
    irregular = {i: r for i, r in enumerate(readings) if r[1] is not None or r[2] is not None}
    return [r[0] for r in readings], irregular


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(RULES)), batches=st.lists(cells_strategy, max_size=3))
def test_read_column_equals_read_cell_by_cell(kind, batches):
    rule = RULES[kind]
    memo = ColumnMemo(8)  # small: full before the end
    for cells in batches:
        assert rule.read_column(cells) == _reference(rule, cells)
        assert rule.read_column(cells, memo) == _reference(rule, cells)
        for cell in cells:
            assert memo.read(cell, rule.read) == rule.read(cell)


@pytest.mark.parametrize("kind", sorted(RULES))
def test_read_column_equals_read_on_every_sample(kind):
    rule = RULES[kind]
    cells = SAMPLES + SAMPLES[::-1]  # repeats: read again through the memo
    assert rule.read_column(cells) == _reference(rule, cells)
    assert rule.read_column(cells, ColumnMemo(4096)) == _reference(rule, cells)


def test_a_subclass_that_changes_parse_is_read_by_its_own_parse():
    rule = ShoutingText("c", NULLS, {})
    assert rule.read_column(["a", " b ", "无"]) == (
        ["a!", "b!", None],
        {1: ("b!", [("fix.trimmed", " b ", "b")], None)},
    )


@given(
    names=st.lists(st.sampled_from(["a", "b", "c", "名", "x y", "{k0}"]), min_size=1, max_size=6),
    rows=st.integers(min_value=0, max_value=5),
)
def test_record_builder_equals_dict_zip(names, rows):
    columns = [[f"{n}{i}" for i in range(rows)] for n in range(len(names))]
    expected = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    got = _record_builder(tuple(names))(columns)
    assert got == expected
    assert [list(r) for r in got] == [list(r) for r in expected]  # same key order


# -- writers: write_many against record-by-record references --------------------------------

_BREAKS = re.compile("[\x1c-\x1e\x85\u2028\u2029]")


def _reference_jsonl(records: list[dict[str, Any]], end: str) -> str:
    out = []
    for record in records:
        text = json.JSONEncoder(ensure_ascii=False).encode(record)
        out.append(_BREAKS.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + end)
    return "".join(out)


texts = st.text(
    alphabet=st.sampled_from(list('ab张, :"\\{}[]\n\t\x01\x1c\x85\u2028\u2029\u201c\x7f')),
    max_size=8,
)
scalars = st.one_of(
    texts,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
)
values = st.one_of(
    scalars, st.lists(scalars, max_size=2), st.dictionaries(texts, scalars, max_size=2)
)
records_strategy = st.lists(st.dictionaries(texts, values, max_size=4), max_size=6)
flat_records = st.lists(
    st.dictionaries(st.sampled_from(["id", "名", "k"]), st.sampled_from(["x", "张伟", "", 7, None]))
)


@settings(max_examples=200, deadline=None)
@given(
    batches=st.lists(st.one_of(records_strategy, flat_records), max_size=4),
    end=st.sampled_from(["\n", "\r\n"]),
    single=st.booleans(),
)
def test_json_lines_write_many_equals_json_encoder(batches, end, single):
    stream = io.BytesIO()
    sink = JsonLinesWriter().open(stream, (), WriteOptions(line_terminator=end))
    expected = []
    for batch in batches:
        if single and batch:  # a record by write, then the rest in a block
            sink.write(batch[0])
            sink.write_many(batch[1:])
        else:
            sink.write_many(batch)
        expected.append(_reference_jsonl(batch, end))
    sink.close()
    assert stream.getvalue() == "".join(expected).encode("utf-8")


def test_json_lines_write_many_falls_back_for_what_orjson_writes_otherwise():
    records = [
        {"n": 1e16, "f": 0.1, "nan": float("nan")},  # floats: repr, NaN
        {"big": 2**70, 1: "non-text key"},
        {"t": 'quote " and \\ backslash', "c": "a,b:c"},
        {"nested": {"a": [1, 2]}},
        {"ls": "\u2028\x85"},
    ]
    for record in records:
        stream = io.BytesIO()
        sink = JsonLinesWriter().open(stream, (), WriteOptions())
        sink.write_many([record, {"plain": "张伟"}])
        sink.close()
        assert stream.getvalue() == _reference_jsonl([record, {"plain": "张伟"}], "\n").encode()


@settings(max_examples=50, deadline=None)
@given(batches=st.lists(records_strategy, max_size=3))
def test_json_array_write_many_equals_write(batches):
    def run(many: bool) -> bytes:
        stream = io.BytesIO()
        sink = JsonWriter().open(stream, (), WriteOptions())
        for batch in batches:
            if many:
                sink.write_many(batch)
            else:
                for record in batch:
                    sink.write(record)
        sink.close()
        return stream.getvalue()

    assert run(True) == run(False)


@settings(max_examples=100, deadline=None)
@given(
    batches=st.lists(
        st.lists(st.dictionaries(st.sampled_from(["a", "b", "名"]), values, max_size=3)),
        max_size=3,
    ),
    options=st.sampled_from(
        [
            {},
            {"encoding": "gb18030", "line_terminator": "\r\n"},
            {"delimiter": ";", "header": False},
        ]
    ),
)
def test_csv_write_many_equals_csv_writer(batches, options):
    fields = ("a", "b", "名")
    options = WriteOptions(**options)
    stream = io.BytesIO()
    sink = CsvWriter().open(stream, fields, options)
    for batch in batches:
        sink.write_many(batch)
    sink.close()

    text = io.StringIO()
    writer = csv.writer(text, delimiter=options.delimiter, lineterminator=options.line_terminator)
    if options.header:
        writer.writerow(fields)
    for record in (r for batch in batches for r in batch):
        row = []
        for name in fields:
            value = record.get(name)
            if value is None:
                row.append("")
            elif isinstance(value, str):
                row.append(value)
            elif isinstance(value, bool):
                row.append("true" if value else "false")
            elif isinstance(value, int | float):
                row.append(repr(value))
            else:
                row.append(json.dumps(value, ensure_ascii=False))
        writer.writerow(row)
    try:
        expected = text.getvalue().encode(options.encoding)
    except UnicodeEncodeError:
        return  # both fail: nothing to compare
    assert stream.getvalue() == expected


# -- the transform: batched accounting against the record-by-record loop --------------------

AS_OF = date(2026, 1, 1)
MAPPING = {
    "name": "eq-hr",
    "standard": "cn.natural-person@^1.0",
    "format": "csv",
    "encoding": "gb18030",
    "null_markers": ["无", "-"],
    "layout": {"line_terminator": "\r\n"},
    "columns": [
        {"label": "姓名", "field": "name", "type": "text"},
        {"label": "身份证号", "field": "id_number", "type": "cn-ric"},
        {"label": "性别", "field": "sex", "type": "code", "codes": {"男": "1", "女": "2"}},
        {"label": "出生日期", "field": "birth_date", "type": "date", "formats": ["YYYY年M月D日"]},
        {"label": "户籍地行政区划", "field": "division_code", "type": "digits"},
        {"label": "联系电话", "field": "phone", "type": "cn-phone", "optional": True},
    ],
}
#: the same layout without the phone column: records with a phone cannot be written to it
NARROW = {
    **MAPPING,
    "name": "eq-narrow",
    "columns": [c for c in MAPPING["columns"] if c["field"] != "phone"],
}
HEADER = "姓名,身份证号,性别,出生日期,户籍地行政区划,联系电话"
ROWS = [
    "张伟,110101198503120017,男,1985年3月12日,110101,13801012345",
    "　王芳 ,310104199007250024,女,1990年7月25日,310104.0,138 0101 2345",
    "刘洋,1.10105E+17,男,2001年1月31日,350102,",
    "赵六,11010519491231002X,不详,1949年12月31日,110105,",
    "钱七,110101198503120018,男,1985年3月12日,110101,",
    "孙八,11010519491231002x,女,1949年12月31日,110105,无",
    "周九,110101198503120017,男,1985年3月12日,110101,",  # a duplicate identity number
    "吴十,310104199007250024,女,1990-7-25,310104,",
    "郑一,110101198503120017,男,1985年3月12日,110101",  # a missing cell
    "",  # a blank row
    '王二,"broken',
]


class _Adapters:
    __name__ = "eq-adapters"

    @hookimpl
    def govstd_adapters(self):
        return [parse_adapter(MAPPING), parse_adapter(NARROW)]


def _reference_batch(self, batch, checkers, sink, target, rejects):
    """``_Run.batch`` as it was: every record written, rejected and counted one by one."""
    from govstd.transform import without_shadowed

    findings = list(batch.findings)
    for checker in checkers:
        findings.extend(checker.check_documents(batch))
    findings = without_shadowed(findings)
    findings.sort(key=Finding.sort_key)
    by_record: dict[Any, list[Finding]] = {}
    rejected = set(batch.unreadable)
    fixed: set[int] = set()
    for finding in findings:
        self.add(finding)
        ordinal = finding.record
        if ordinal is None:
            continue
        by_record.setdefault(ordinal, []).append(finding)
        if finding.severity is Severity.ERROR:
            rejected.add(ordinal)
        elif finding.severity is Severity.INFO and finding.code.startswith(FIX_PREFIX):
            fixed.add(ordinal)
    stats = self.stats.stats
    result = self.result
    raw = batch.raw if hasattr(batch, "raw") else None
    for index, (record, ordinal, line) in enumerate(
        zip(batch.records, batch.ordinals, batch.lines, strict=True)
    ):
        stats.records += 1
        if ordinal not in rejected and target is not None:
            record, problems = self._to_vendor(target, record, ordinal, line)
            if problems:
                by_record.setdefault(ordinal, []).extend(problems)
                rejected.add(ordinal)
        if ordinal in rejected:
            stats.rejected += 1
            own = by_record.get(ordinal, [])
            self._reject(rejects, ordinal, line, raw(index) if raw else record, own)
            continue
        sink.write(record)
        result.written += 1
        if ordinal in fixed:
            stats.fixed += 1
            for finding in by_record[ordinal]:
                if finding.code.startswith(FIX_PREFIX):
                    result.fixes[finding.code] += 1
        else:
            stats.passed += 1
    for ordinal in sorted(set(batch.unreadable).difference(batch.ordinals)):
        stats.records += 1
        stats.rejected += 1
        own = by_record.get(ordinal, [])
        line = next((f.location.line for f in own if f.location.line), None)
        self._reject(rejects, ordinal, line, None, own)


def _transform(folder: Path, source: Path, output: str, **options: Any) -> dict[str, Any]:
    folder.mkdir()
    session = Session(plugins=[_Adapters()], autoload=False)
    out = folder / output
    result = session.transform(
        source, adapter="eq-hr", output=out, rejects=folder / "r.jsonl", as_of=AS_OF, **options
    )
    report = json.dumps(result.to_dict(), ensure_ascii=False).replace(str(folder), "DIR")
    return {
        "output": out.read_bytes(),
        "rejects": (folder / "r.jsonl").read_bytes(),
        "report": report,
    }


@pytest.mark.parametrize(
    ("output", "options"),
    [
        ("o.jsonl", {}),
        ("o.json", {}),
        ("o.csv", {}),
        ("o.csv", {"to_adapter": "eq-hr"}),
        ("o.csv", {"to_adapter": "eq-narrow"}),
    ],
)
@pytest.mark.parametrize("batch_size", [1, 4, 1000])
@pytest.mark.parametrize("columnar", ["auto", "force"])
def test_transform_equals_the_record_by_record_loop(
    tmp_path, monkeypatch, output, options, batch_size, columnar
):
    """The batched loop (and, forced, the columnar reader, adapter and writer: see also
    tests/test_transform_columnar.py) against the record-by-record loop on the Python
    reader's rows."""
    source = tmp_path / "feed.csv"
    clean = "\r\n".join([HEADER, *ROWS[:2], *ROWS[4:8], *ROWS[:3]])
    text = "\r\n".join([clean, *ROWS, *ROWS[:3]])  # clean blocks first, then the odd rows
    source.write_bytes((text + "\r\n").encode("gb18030"))
    monkeypatch.setenv("GOVSTD_COLUMNAR", columnar)
    monkeypatch.setattr("govstd.adapters.columnar._BLOCK_BYTES", 256)
    fast = _transform(tmp_path / "fast", source, output, batch_size=batch_size, **options)
    monkeypatch.setenv("GOVSTD_COLUMNAR", "0")
    monkeypatch.setattr(_Run, "batch", _reference_batch)
    reference = _transform(tmp_path / "ref", source, output, batch_size=batch_size, **options)
    assert fast == reference
    assert fast["rejects"]  # the feed exercises the rejects path
