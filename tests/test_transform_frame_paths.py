"""Differential tests of the frame paths of ``govstd transform`` against the reference paths.

- :class:`~govstd.adapters.model.FrameRecords` (records built from the adapter's frame when
  asked for) against the list of records;
- :func:`~govstd.adapters.values.read_frame` on columns whose texts repeat (read one distinct
  text at a time) against ``rule.read`` cell by cell;
- the ordered background writing of frames (``transform._Output``) against writing in place;
- the whole transform of feeds made by the benchmark's own generator (valid people, with
  every quirk and error it knows at a high rate) with the columnar reader forced, against
  the Python reader, the row-wise adapter and the record-by-record loop: the same output,
  rejects and report, byte for byte.

No timings here: speed is measured by ``benchmarks/transform_bench.py``, never asserted.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govstd.adapters.columnar as columnar
from govstd.adapters.model import FrameRecords, _record_builder
from govstd.adapters.values import ColumnMemo, DateRule, read_frame
from govstd.formats.writers import JsonLinesWriter, WriteOptions
from govstd.session import Session
from govstd.transform import _Output, _Run
from test_transform_speed_equivalence import RULES, SAMPLES, _reference_batch

ROOT = Path(__file__).resolve().parents[1]


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location(
        "transform_bench", ROOT / "benchmarks" / "transform_bench.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("transform_bench", module)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()

# -- FrameRecords against the list of records ------------------------------------------------

NAMES = ["id", "名", "b"]
cells = st.none() | st.sampled_from(["", "a", "张伟", "0", "x y"])


def _built(names: tuple[str, ...]) -> Any:
    full = _record_builder(names)

    def build(columns: list[list[Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if v is not None} for r in full(columns)]

    return build


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(st.lists(cells, min_size=3, max_size=3), max_size=6),
    asks=st.lists(st.integers(-8, 8), max_size=6),
    whole=st.booleans(),
)
def test_frame_records_are_the_records(rows, asks, whole):
    frame = pl.DataFrame(
        [[row[j] for row in rows] for j in range(3)],
        schema=dict.fromkeys(NAMES, pl.String),
        orient="col",
    )
    expected = [{k: v for k, v in zip(NAMES, row, strict=True) if v is not None} for row in rows]
    records = FrameRecords(frame, _built(tuple(NAMES)))
    assert len(records) == len(expected)
    seen = {}
    for ask in asks:
        if -len(expected) <= ask < len(expected):
            seen[ask % len(expected)] = records[ask]
            assert records[ask] == expected[ask]
            assert records[ask] is seen[ask % len(expected)]  # the same dict every time
        else:
            with pytest.raises(IndexError):
                records[ask]
    assert records[1:3] == expected[1:3]
    if whole:
        assert list(records) == expected
        for position, record in seen.items():
            assert records[position] is record  # kept when all are built
    assert records == expected
    if expected:
        records[0] = {"changed": "1"}
        assert records[0] == {"changed": "1"}
        assert list(records)[1:] == expected[1:]


# -- read_frame on repeating texts against read ----------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(sorted(RULES)),
    pool=st.lists(st.none() | st.sampled_from(SAMPLES), min_size=1, max_size=5),
    picks=st.lists(st.integers(0, 4), min_size=8, max_size=60),
    lists=st.booleans(),
)
def test_read_frame_on_repeated_texts_equals_read_cell_by_cell(kind, pool, picks, lists):
    rule = RULES[kind]
    column = [pool[i % len(pool)] for i in picks]
    readings = [rule.read("" if cell is None else cell) for cell in column]
    values = [r[0] for r in readings]
    irregular = {i: r for i, r in enumerate(readings) if r[1] is not None or r[2] is not None}
    frame = pl.DataFrame({"c0": column}, schema={"c0": pl.String})
    for memo in (ColumnMemo(2), ColumnMemo(64)):  # full early, and with room
        [(listed, found, series)] = read_frame(frame, [(rule, "c0", memo)], lists=lists)
        assert found == irregular
        if all(type(v) is str or v is None for v in values):
            assert series is not None and series.to_list() == values
            assert listed == values if lists else listed in (None, values)
        else:
            assert series is None and listed == values


DATE_RULES = [
    RULES["date"],
    DateRule("c", ["-"], {"formats": ["YYYY-MM-DD"]}),
    DateRule("c", ["-"], {"formats": ["D.M.YYYY", "YYYY年M月D日"]}),
    DateRule("c", ["-"], {"formats": ["YYYYMMDD"]}),  # (no vectorised parse: digits only)
]
dates = st.builds(
    lambda y, m, d, seps: f"{y}{seps[0]}{m}{seps[1]}{d}{seps[2]}",
    st.sampled_from(["1990", "2000", "1900", "0000", "0001", "9999", "199", "19900"])
    | st.integers(0, 9999).map(lambda n: f"{n:04d}"),
    st.sampled_from(["1", "01", "2", "02", "12", "13", "0", "00", "001", "１"]),
    st.sampled_from(["1", "05", "28", "29", "30", "31", "32", "0", "9", "09"]),
    st.sampled_from([("年", "月", "日"), ("-", "-", ""), (".", ".", ""), ("/", "/", "")]),
)
date_cells = st.none() | dates | st.sampled_from(["-", "", " 1990年1月5日", "1990年1月5日 "])


@settings(max_examples=150, deadline=None)
@given(rule=st.sampled_from(DATE_RULES), column=st.lists(date_cells, max_size=30))
def test_read_frame_of_dates_equals_read_cell_by_cell(rule, column):
    """Dates in the first declared format are parsed by polars; the same days as read."""
    readings = [rule.read("" if cell is None else cell) for cell in column]
    irregular = {i: r for i, r in enumerate(readings) if r[1] is not None or r[2] is not None}
    frame = pl.DataFrame({"c0": column}, schema={"c0": pl.String})
    [(listed, found, series)] = read_frame(frame, [(rule, "c0", ColumnMemo(4))])
    assert (listed, found) == ([r[0] for r in readings], irregular)
    assert series is not None and series.to_list() == listed


def test_the_first_date_format_is_parsed_by_polars():
    """The test above only means something if dates are parsed vectorised."""
    texts = pl.Series(["1990年1月5日", "1990年2月30日", "0000年1月1日", "1990/1/5"])
    frame = pl.DataFrame({"c": texts})
    found = frame.select(RULES["date"]._clean_values(pl.col("c"))).to_series().to_list()
    assert found == ["1990-01-05", None, None, None]
    assert DATE_RULES[3]._clean_values(pl.col("c")) is None


# -- frames written in the background, in order -----------------------------------------------


class _Refusing:
    """A JSON Lines sink that refuses the frames whose first cell is ``refuse``."""

    def __init__(self, stream: io.BytesIO) -> None:
        self.inner = JsonLinesWriter().open(stream, (), WriteOptions())

    def write(self, record: Any) -> None:
        self.inner.write(record)

    def write_many(self, records: Any) -> None:
        self.inner.write_many(records)

    def write_frame(self, frame: pl.DataFrame) -> bool:
        if frame.height and frame.row(0)[0] == "refuse":
            return False
        return bool(self.inner.write_frame(frame))

    def close(self) -> None:
        self.inner.close()


@settings(max_examples=60, deadline=None)
@given(
    batches=st.lists(
        st.tuples(
            st.sampled_from(["frame", "refuse", "records", "one"]),
            st.lists(st.sampled_from(["a", "张伟", "1"]), min_size=1, max_size=4),
            st.sets(st.integers(1, 3)),
        ),
        max_size=8,
    )
)
def test_frames_are_written_in_order(batches):
    stream, expected = io.BytesIO(), io.BytesIO()
    output = _Output(_Refusing(stream))
    reference = JsonLinesWriter().open(expected, (), WriteOptions())
    for kind, texts, dropped in batches:
        first = "refuse" if kind == "refuse" else texts[0]
        records = [{"k": first}, *({"k": text} for text in texts[1:])]
        frame = pl.DataFrame({"k": [r["k"] for r in records]})
        rejected = sorted(i for i in dropped if i < len(records))
        kept = [r for i, r in enumerate(records) if i not in rejected]
        if kind == "one":
            kept = records[:1]
            output.write(kept[0])
        else:
            output.write_batch(None if kind == "records" else frame, rejected, lambda r=kept: r)
        for record in kept:
            reference.write(record)
    output.close()
    reference.close()
    assert stream.getvalue() == expected.getvalue()


def test_an_error_waits_for_the_frame_being_written():
    stream = io.BytesIO()
    output = _Output(_Refusing(stream))
    output.write_batch(pl.DataFrame({"k": ["a"]}), [], lambda: [{"k": "a"}])
    output.abandon()
    assert output._pool is None and output._pending is None


# -- the whole transform, on the benchmark's feeds -------------------------------------------

AS_OF = date(2026, 1, 1)


def _transform(session: Session, source: Path, folder: Path, batch_size: int) -> dict[str, Any]:
    folder.mkdir()
    out = folder / "o.jsonl"
    result = session.transform(
        source,
        adapter="acme-hr",
        output=out,
        rejects=folder / "r.jsonl",
        as_of=AS_OF,
        batch_size=batch_size,
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
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(0, 2**32),
    count=st.integers(1, 400),
    rate=st.sampled_from([0.02, 0.2, 0.6]),
    batch_size=st.sampled_from([7, 64, 10_000]),
    block=st.sampled_from([512, 4096, 1 << 20]),
)
def test_transform_of_benchmark_feeds_equals_the_reference_paths(
    session, seed, count, rate, batch_size, block
):
    with tempfile.TemporaryDirectory() as name, pytest.MonkeyPatch.context() as patch:
        folder = Path(name)
        source = BENCH.generate(folder / "feed.csv", count, seed=seed, error_rate=rate)
        patch.setenv("GOVSTD_COLUMNAR", "force")
        patch.setattr(columnar, "_BLOCK_BYTES", block)
        fast = _transform(session, source, folder / "fast", batch_size)
        patch.setenv("GOVSTD_COLUMNAR", "0")
        patch.setattr(_Run, "batch", _reference_batch)
        reference = _transform(session, source, folder / "ref", batch_size)
    assert fast == reference


def test_the_benchmark_feed_takes_the_frame_paths(session, tmp_path, monkeypatch):
    """The differential test above only means something if the frame paths run: the
    records stay in the frame, and the JSON Schema check screens the frame."""
    source = BENCH.generate(tmp_path / "feed.csv", 300, seed=7, error_rate=0.1)
    monkeypatch.setenv("GOVSTD_COLUMNAR", "force")
    adapter = session.adapters["acme-hr"]
    reader = adapter.reader(session.readers["csv"], session.resolve(adapter.range))
    from govstd.formats.base import ReadOptions, Source

    batches = list(
        reader.read(Source.from_arg(str(source)), ReadOptions(batch_size=100), session.catalogue)
    )
    assert [len(b.records) for b in batches] == [100, 100, 100]
    assert all(isinstance(b.records, FrameRecords) and b.frame is not None for b in batches)
    assert all(b.records._all is None for b in batches)  # no record built yet


@pytest.mark.parametrize("odd", ["张\r伟", "张伟\r", "\r", "张伟\r\r"])
@pytest.mark.parametrize("where", [0, 5, 39])
def test_a_lone_carriage_return_hands_the_block_to_the_python_reader(
    session, tmp_path, monkeypatch, odd, where
):
    """A CR that is not part of a CRLF ends a row for the Python reader: the columnar
    reader must not take such a block (same rows, same findings)."""
    source = BENCH.generate(tmp_path / "clean.csv", 40, seed=where, error_rate=0.0)
    lines = source.read_bytes().split(b"\r\n")
    cells = lines[where + 1].split(b",")
    cells[0] = odd.encode("gb18030")
    lines[where + 1] = b",".join(cells)
    feed = tmp_path / "feed.csv"
    feed.write_bytes(b"\r\n".join(lines))
    monkeypatch.setenv("GOVSTD_COLUMNAR", "force")
    monkeypatch.setattr(columnar, "_BLOCK_BYTES", 512)
    fast = _transform(session, feed, tmp_path / "fast", 16)
    monkeypatch.setenv("GOVSTD_COLUMNAR", "0")
    monkeypatch.setattr(_Run, "batch", _reference_batch)
    reference = _transform(session, feed, tmp_path / "ref", 16)
    assert fast == reference


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(0, 2**32),
    count=st.integers(0, 300),
    rate=st.sampled_from([0.0, 0.3]),
    lang=st.sampled_from(["en", "zh"]),
    limit=st.sampled_from([None, 5]),
)
def test_the_json_report_text_is_the_reference_text(session, seed, count, rate, lang, limit):
    """``TransformResult.to_json`` (findings by the JSON reporter) against ``json.dumps`` of
    ``to_dict``, as ``govstd transform --report`` wrote it."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = BENCH.generate(folder / "feed.csv", count, seed=seed, error_rate=rate)
        result = session.transform(
            source, adapter="acme-hr", output=folder / "o.jsonl", as_of=AS_OF, max_findings=limit
        )
        data = result.to_dict(catalogue=session.catalogue, lang=lang)
        expected = json.dumps(data, ensure_ascii=False, indent=2)
        assert result.to_json(catalogue=session.catalogue, lang=lang) == expected
