"""Differential tests of the columnar transform path against the reference paths.

- :meth:`ValueRule.read_series` (a polars column, clean cells told apart by one vectorised
  test) against ``rule.read`` cell by cell, the canonical Series included;
- :meth:`_JsonLinesSink.write_frame` (JSON Lines built by polars) against
  ``json.JSONEncoder(ensure_ascii=False)`` record by record;
- the whole ``transform`` of generated ``acme-hr`` feeds (GB18030, GBK, UTF-8, with vendor
  errors, quotes, bad bytes, ragged and blank rows, cut into tiny blocks so that every
  block boundary, hand-over to the Python reader and pending row is exercised) with the
  columnar reader forced, against the Python CSV reader, the row-wise adapter and the
  record-by-record transform loop: the same output, rejects and report, byte for byte.

No timings here: speed is measured by ``benchmarks/transform_bench.py``, never asserted.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govstd.adapters.columnar as columnar
from govstd.adapters.values import ColumnMemo, ValueRule
from govstd.formats.writers import JsonLinesWriter, JsonWriter, WriteOptions
from govstd.session import Session
from govstd.transform import _Run
from test_transform_speed_equivalence import RULES, SAMPLES, _reference_batch

# -- read_series against read ----------------------------------------------------------------

series_cells = st.lists(
    st.one_of(
        st.none(),
        st.sampled_from(SAMPLES),
        st.text(alphabet="0123456789X x-年月日/.,男\u3000\x1c\x85", max_size=20),
    ),
    max_size=40,
)


def _expected(rule: ValueRule, cells: list[str | None]) -> tuple[list[Any], dict[int, Any]]:
    readings = [rule.read("" if cell is None else cell) for cell in cells]
    irregular = {i: r for i, r in enumerate(readings) if r[1] is not None or r[2] is not None}
    return [r[0] for r in readings], irregular


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(RULES)), batches=st.lists(series_cells, max_size=3))
def test_read_series_equals_read_cell_by_cell(kind, batches):
    rule = RULES[kind]
    memo = ColumnMemo(8)  # small: full before the end
    for cells in batches:
        series = pl.Series("c0", cells, dtype=pl.String)
        for given_memo in (None, memo):
            values, irregular, canonical = rule.read_series(series, given_memo)
            assert (values, irregular) == _expected(rule, cells)
            if all(type(v) is str or v is None for v in values):
                assert canonical is not None and canonical.dtype == pl.String
                assert canonical.to_list() == values
            else:
                assert canonical is None


@pytest.mark.parametrize("kind", sorted(RULES))
def test_read_series_equals_read_on_every_sample(kind):
    rule = RULES[kind]
    cells = [*SAMPLES, None, *SAMPLES[::-1]]
    values, irregular, _ = rule.read_series(pl.Series(cells, dtype=pl.String), ColumnMemo(64))
    assert (values, irregular) == _expected(rule, cells)


def test_the_vectorised_test_is_used_and_leaves_unsure_cells_to_read():
    """The clean test must decide most cells (else it is not a fast path) and must not
    claim a padded, full-width or scientific cell."""
    text, ric = RULES["text"], RULES["cn-ric"]
    cells = pl.Series(["张伟", "\x1c张伟", "张伟\u3000", "李", None], dtype=pl.String)
    assert text._clean_test(cells.fill_null("")).to_list() == [True, False, False, True, True]
    ids = pl.Series(["110101198503120017", "11010119850312001X", "1.1E+17", "１１"])
    assert ric._clean_test(ids).to_list() == [True, True, False, False]
    assert RULES["text-upper"]._clean_test(cells) is None  # upper-casing: read cell by cell


# -- write_frame against the JSON encoder ----------------------------------------------------

_BREAKS = re.compile("[\x1c-\x1e\x85\u2028\u2029]")


def _reference_jsonl(records: list[dict[str, Any]], end: str) -> bytes:
    out = []
    for record in records:
        text = json.JSONEncoder(ensure_ascii=False).encode(record)
        out.append(_BREAKS.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + end)
    return "".join(out).encode("utf-8")


frame_texts = st.one_of(
    st.none(),
    st.sampled_from(["张伟", "110101198503120017", "", "a b", "x,y:z", "{}", "'"]),
    st.text(
        alphabet=st.sampled_from(list('ab张 ,:"\\\n\t\x01\x1c\x7f\x85\u2028\u2029é')), max_size=6
    ),
)


@settings(max_examples=150, deadline=None)
@given(
    names=st.lists(
        st.sampled_from(["id", "名", "a b", 'q"k', "k\u2028"]), min_size=1, max_size=4, unique=True
    ),
    rows=st.lists(st.lists(frame_texts, min_size=4, max_size=4), max_size=8),
    end=st.sampled_from(["\n", "\r\n"]),
)
def test_write_frame_equals_json_encoder(names, rows, end):
    frame = pl.DataFrame(
        [[row[j] for row in rows] for j in range(len(names))],
        schema=dict.fromkeys(names, pl.String),
        orient="col",
    )
    records = [{k: v for k, v in zip(names, row, strict=False) if v is not None} for row in rows]
    stream = io.BytesIO()
    sink = JsonLinesWriter().open(stream, (), WriteOptions(line_terminator=end))
    sink.write({"first": "by write"})  # text written before the frame goes first
    if not sink.write_frame(frame):
        assert stream.getvalue() == b""  # nothing written yet: the caller writes the records
        sink.write_many(records)
    sink.close()
    assert stream.getvalue() == _reference_jsonl([{"first": "by write"}, *records], end)


def test_write_frame_takes_plain_texts_and_refuses_what_it_cannot_write():
    frame = pl.DataFrame({"a": ["张伟", None], "b": ["1", "2"]})
    stream = io.BytesIO()
    sink = JsonLinesWriter().open(stream, (), WriteOptions())
    assert sink.write_frame(frame)
    sink.close()
    assert stream.getvalue() == '{"a": "张伟", "b": "1"}\n{"b": "2"}\n'.encode()
    sink = JsonLinesWriter().open(io.BytesIO(), (), WriteOptions())
    assert not sink.write_frame(pl.DataFrame({"a": ['say "hi"']}))
    assert not sink.write_frame(pl.DataFrame({"n": [1]}))
    assert not JsonWriter().open(io.BytesIO(), (), WriteOptions()).write_frame(frame)
    sink = JsonLinesWriter().open(io.BytesIO(), (), WriteOptions(encoding="gb18030"))
    assert not sink.write_frame(frame)


# -- the whole transform: columnar against the reference paths -------------------------------

AS_OF = date(2026, 1, 1)
HEADER = ["姓名", "身份证号", "性别", "出生日期", "民族", "户籍地行政区划", "户籍地址", "联系电话"]
CELLS = [
    ["张伟", "王芳", "\u3000王芳 ", "无", "", "李\x1c", "赵磊", "周\x85", "吴\u2028十", "€"],
    [
        "110101198503120017",
        "310104199007250024",
        "11010519491231002X",
        "11010519491231002x",
        "１１０１０１１９８５０３１２００１７",
        "1.10105E+17",
        "110101198503120018",
        "310104720815123",
        "",
    ],
    ["男", "女", "未知", "未说明", "男性", "不详", " 女", ""],
    ["1985年3月12日", "1990/7/25", "19491231", "1985-3-12", "1985年2月30日", "85/3/12", "-"],
    ["汉族", "汉", "蒙古", "回族", "穿青人", "NULL", ""],
    ["110101", "310104", "110105", "310104.0", "１１０１０５", "999999", ""],
    ["北京市东城区", "上海市徐汇区人民路1号", "/", "", " 有空格 "],
    ["13801012345", "021-64370000", "+86 139 1688 1234", "138-0101-2345", "123", "", "null"],
]
#: cells that make a block one the columnar reader does not take (the Python reader then
#: goes on from there): quotes (with a delimiter or a line break inside), a stray delimiter
ODD_CELLS = ['"引号,里"', '"多\r\n行"', 'a"b', "x,y"]


@st.composite
def feeds(draw: Any) -> tuple[bytes, str]:
    # (not utf-8-sig: formats.csvfast, forced here, names the encoding utf-8 in a finding
    # after it hands a BOM-marked feed over to the Python reader, which says utf-8-sig)
    encoding = draw(st.sampled_from(["gb18030", "gb18030", "gbk", "utf-8"]))
    order = draw(st.permutations(range(len(HEADER))))
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=20))):
        row = [draw(st.sampled_from(CELLS[i])) for i in order]
        shape = draw(st.integers(min_value=0, max_value=60))
        if shape == 0:
            row = row[:-1]  # a missing cell
        elif shape == 1:
            row = [*row, "多余"]  # an extra cell
        elif shape == 2:
            row = []  # a blank line
        elif shape == 3:
            row[draw(st.integers(0, len(row) - 1))] = draw(st.sampled_from(ODD_CELLS))
        rows.append(",".join(row))
    header = ",".join(HEADER[i] for i in order)
    ending = draw(st.sampled_from(["\r\n", "\n"]))
    text = ending.join([header, *rows]) + draw(st.sampled_from([ending, ""]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(min_value=0, max_value=8)) == 0 and rows:  # bytes GB18030 refuses
        cut = draw(st.integers(min_value=len(header) + 2, max_value=len(data)))
        data = data[:cut] + b"\xff\x80" + data[cut:]
    return data, encoding


def _transform(
    session: Session, source: Path, folder: Path, encoding: str, batch_size: int
) -> dict[str, Any]:
    folder.mkdir()
    out = folder / "o.jsonl"
    result = session.transform(
        source,
        adapter="acme-hr",
        output=out,
        rejects=folder / "r.jsonl",
        as_of=AS_OF,
        batch_size=batch_size,
        encoding=None if encoding == "gb18030" else encoding,
    )
    report = json.dumps(result.to_dict(), ensure_ascii=False).replace(str(folder), "DIR")
    return {
        "output": out.read_bytes(),
        "rejects": (folder / "r.jsonl").read_bytes(),
        "report": report,
    }


@pytest.fixture(scope="module")
def session() -> Session:
    return Session(autoload=True)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    feed=feeds(),
    batch_size=st.sampled_from([1, 2, 3, 10_000]),
    block=st.sampled_from([16, 64, 200, 1 << 20]),
)
def test_columnar_transform_equals_the_reference_paths(session, feed, batch_size, block):
    data, encoding = feed
    with tempfile.TemporaryDirectory() as name, pytest.MonkeyPatch.context() as patch:
        folder = Path(name)
        source = folder / "feed.csv"
        source.write_bytes(data)
        patch.setenv("GOVSTD_COLUMNAR", "force")
        patch.setattr(columnar, "_BLOCK_BYTES", block)
        fast = _transform(session, source, folder / "fast", encoding, batch_size)
        patch.setenv("GOVSTD_COLUMNAR", "0")
        patch.setattr(_Run, "batch", _reference_batch)
        reference = _transform(session, source, folder / "ref", encoding, batch_size)
    assert fast == reference


@pytest.mark.parametrize("odd", ['"引号,里"', "x,y", "", "\xff"])
@pytest.mark.parametrize("batch_size", [1, 2, 3, 4])
@pytest.mark.parametrize("block", [16, 150, 400, 1000])
def test_a_block_the_columnar_reader_refuses_is_read_on_by_the_python_reader(
    session, tmp_path, monkeypatch, odd, batch_size, block
):
    """Rows waiting for a batch when a later block is refused are read again, from the
    first of them, by the Python reader (same batches, same findings)."""
    good = ",".join(c[0] for c in CELLS)
    other = ",".join(c[2] for c in CELLS)
    bad = good if odd == "\xff" else ",".join([odd, *(c[1] for c in CELLS[1:])])
    rows = [good, other] * 9 + [bad] + [other, good] * 2
    data = ("\r\n".join([",".join(HEADER), *rows]) + "\r\n").encode("gb18030")
    if odd == "\xff":
        data = data.replace(good.encode("gb18030"), b"\xff" + good.encode("gb18030"), 4)
    source = tmp_path / "feed.csv"
    source.write_bytes(data)
    monkeypatch.setenv("GOVSTD_COLUMNAR", "force")
    monkeypatch.setattr(columnar, "_BLOCK_BYTES", block)
    fast = _transform(session, source, tmp_path / "fast", "gb18030", batch_size)
    monkeypatch.setenv("GOVSTD_COLUMNAR", "0")
    monkeypatch.setattr(_Run, "batch", _reference_batch)
    reference = _transform(session, source, tmp_path / "ref", "gb18030", batch_size)
    assert fast == reference
    assert fast["rejects"]


def test_the_columnar_reader_takes_a_clean_gb18030_feed(session, tmp_path, monkeypatch):
    """The differential test above only means something if the columnar path runs."""
    rows = [",".join(c[0] for c in CELLS)] * 5 + [",".join(c[1] for c in CELLS)] * 5
    source = tmp_path / "feed.csv"
    source.write_bytes(("\r\n".join([",".join(HEADER), *rows]) + "\r\n").encode("gb18030"))
    monkeypatch.setenv("GOVSTD_COLUMNAR", "force")
    monkeypatch.setattr(columnar, "_BLOCK_BYTES", 100)
    adapter = session.adapters["acme-hr"]
    reader = adapter.reader(session.readers["csv"], session.resolve(adapter.range))
    from govstd.formats.base import ReadOptions, Source

    source_arg = Source.from_arg(str(source))
    batches = list(reader.read(source_arg, ReadOptions(batch_size=4), session.catalogue))
    assert [len(b.records) for b in batches] == [4, 4, 2]
    assert all(b.frame is not None for b in batches)
    fields = ["id_number", "name", "sex", "birth_date", "ethnicity", "division_code"]
    assert batches[0].frame.columns == [*fields, "address", "phone"]
    assert batches[0].records[0] == {
        "id_number": "110101198503120017",
        "name": "张伟",
        "sex": "1",
        "birth_date": "1985-03-12",
        "ethnicity": "01",
        "division_code": "110101",
        "address": "北京市东城区",
        "phone": "13801012345",
    }
