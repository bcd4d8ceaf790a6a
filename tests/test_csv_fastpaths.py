"""Differential tests of the speed-ups behind ``govstd validate`` on CSV + Table Schema:
parsed message templates against ``string.Formatter``, consecutive-ordinal lookups against a
dict, the key index against a dict (many repeats inside one batch), and the columnar check
against the reference path on files whose columns come in any order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.catalogue import Catalogue, _render, _Template
from govstd.fieldstats import _positions
from govstd.keyindex import KeyIndex

pl = pytest.importorskip("polars")

PIECES = st.sampled_from(
    [
        "{value}",
        "{expected}",
        "{field}",
        "{missing}",
        "{value!r}",
        "{value:>5}",
        "{0}",
        "{}",
        "{a.b}",
        "{a[0]}",
        "{{",
        "}}",
        "{",
        "}",
        " is not ",
        "值",
        "{值}",
    ]
)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.text(max_size=4),
    st.lists(st.one_of(st.text(max_size=3), st.integers(0, 3), st.none()), max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(PIECES, max_size=6),
    params=st.dictionaries(st.sampled_from(["value", "expected", "field", "值", "a"]), VALUES),
)
def test_parsed_templates_render_as_the_formatter(pieces: list[str], params: dict) -> None:
    template = "".join(pieces)
    assert _Template(template).render(params) == _render(template, params)
    catalogue = Catalogue()
    assert catalogue._render(template, params) == _render(template, params)
    assert catalogue._render(template, params) == _render(template, params)  # cached


def test_catalogue_findings_are_unchanged_by_the_template_cache(catalogue: Catalogue) -> None:
    for entry in catalogue:
        params = {"value": ["a", 1], "expected": None, "field": "f", "detail": "d"}
        for lang in ("en", "zh"):
            for template in (entry.message.get(lang), entry.hint.get(lang)):
                if template:
                    assert catalogue._render(template, params) == _render(template, params)


@settings(max_examples=200, deadline=None)
@given(
    ordinals=st.one_of(
        st.builds(lambda a, n: list(range(a, a + n)), st.integers(-3, 5), st.integers(0, 8)),
        st.lists(st.integers(-3, 12), max_size=8, unique=True),
    ),
    probes=st.lists(st.one_of(st.integers(-5, 15), st.just(2.0), st.just("1")), max_size=8),
)
def test_positions_act_as_a_dict(ordinals: list[int], probes: list[Any]) -> None:
    expected = {ordinal: i for i, ordinal in enumerate(ordinals)}
    got = _positions(ordinals)
    for probe in probes:
        if isinstance(probe, float):
            continue  # never a record number
        assert (probe in got) == (probe in expected)
        if probe in expected:
            assert got[probe] == expected[probe]
    assert dict(got.items()) == expected


@settings(max_examples=150, deadline=None)
@given(
    batches=st.lists(st.lists(st.integers(0, 12), max_size=60), max_size=8),
    max_runs=st.sampled_from([1, 4, 32]),
    ordinal_base=st.sampled_from([0, 2**32 - 20]),
)
def test_key_index_with_many_repeats_matches_a_dict(
    batches: list[list[int]], max_runs: int, ordinal_base: int
) -> None:
    index = KeyIndex(max_runs=max_runs)
    seen: dict[int, int] = {}
    ordinal = ordinal_base
    for keys in batches:
        ordinals = list(range(ordinal + 1, ordinal + 1 + len(keys)))
        ordinal += len(keys)
        hashes = (np.array(keys, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)).astype(np.uint64)
        dupes, first = index.add(hashes, ordinals)
        expected = []
        for position, (key, number) in enumerate(zip(keys, ordinals, strict=True)):
            owner = seen.setdefault(key, number)
            if owner != number:
                expected.append((position, owner))
        assert list(zip(dupes.tolist(), first.tolist(), strict=True)) == expected
    assert len(index) == len(seen)


# -- the columnar check, columns in any order -------------------------------------------------

SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "pattern": "[A-C]{2}"}},
        {"name": "name", "type": "string", "constraints": {"required": True, "maxLength": 3}},
        {"name": "day", "type": "date", "constraints": {"required": True}},
        {"name": "cap", "type": "number", "constraints": {"minimum": 0}},
        {"name": "st", "type": "string", "constraints": {"required": True, "enum": ["1", "2"]}},
        {"name": "k", "type": "integer"},
        {"name": "t", "type": "string", "constraints": {"pattern": r"\S+"}},  # no screen
    ],
    "primaryKey": ["id"],
    "uniqueKeys": [["st", "k"]],
}
CELLS = {
    "id": ["AA", "AB", "BC", "CC", "AD", "", "ab"],
    "name": ["甲", "甲乙丙丁", "abc", ""],
    "day": ["2020-01-02", "2020/01/02", "2021-02-29", ""],
    "cap": ["1.5", "-1", "0", "x", ""],
    "st": ["1", "2", "9", ""],
    "k": ["1", "01", "2", "", "z"],
    "t": ["a", "", "a b"],
}
ROW = st.fixed_dictionaries({n: st.sampled_from(c) for n, c in CELLS.items()})
#: a row whose cells are all empty (row.blank), or all empty but the unscreened field's
BLANKS = st.sampled_from([dict.fromkeys(CELLS, ""), {**dict.fromkeys(CELLS, ""), "t": "a"}])


def _findings(path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> list[Any]:
    from govstd.engines.base import CompileContext, SchemaDocument
    from govstd.engines.tableschema import TableSchemaEngine
    from govstd.formats.base import ReadOptions, Source
    from govstd.formats.csv import CsvReader
    from govstd.session import Session

    monkeypatch.setenv("GOVSTD_COLUMNAR", mode)
    catalogue = Session().catalogue
    plan = TableSchemaEngine().compile(
        SchemaDocument(content=SCHEMA), CompileContext(catalogue=catalogue)
    )
    checker = plan.open("t.csv")
    out: list[str] = []
    kinds = set()
    for batch in CsvReader().read(Source.from_arg(path), ReadOptions(batch_size=5), catalogue):
        kinds.add(type(batch).__name__)
        out.extend(repr(f) for f in batch.findings)
        out.extend(repr(f) for f in checker.check_table(batch))
    return [out, kinds]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    order=st.permutations(list(CELLS)),
    rows=st.lists(st.one_of(ROW, ROW, BLANKS), max_size=30),
    block=st.sampled_from([40, 150, 1 << 20]),
    odd=st.sampled_from(["", '"A,A",x\n', "\n", "a,b\n"]),
    at=st.integers(0, 30),
)
def test_columnar_check_matches_reference_in_any_column_order(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    order: list[str],
    rows: list[dict[str, str]],
    block: int,
    odd: str,
    at: int,
) -> None:
    lines = [",".join(r[n] for n in order) + "\n" for r in rows]
    lines.insert(min(at, len(lines)), odd)  # a line the columnar reader hands back on
    body = ",".join(order) + "\n" + "".join(lines)
    path = tmp_path_factory.mktemp("order") / "t.csv"
    path.write_text(body, encoding="utf-8")
    from govstd.formats import csv as csv_module
    from govstd.formats import csvfast

    monkeypatch.setattr(csv_module, "SAMPLE_BYTES", block)  # several blocks, read ahead
    monkeypatch.setattr(csvfast, "_MIN_BLOCK", block)
    monkeypatch.setattr(csvfast, "_MAX_BLOCK", block)
    fast, kinds = _findings(path, monkeypatch, "force")
    reference, reference_kinds = _findings(path, monkeypatch, "0")
    assert fast == reference
    assert reference_kinds == {"TableBatch"}
    if rows and not odd:
        assert kinds == {"ColumnarBatch"}


def test_schema_fixture_is_a_json_table_schema() -> None:
    from govstd.engines.tableschema import TableSchemaEngine

    assert json.loads(json.dumps(SCHEMA)) == SCHEMA
    assert TableSchemaEngine().detect(SCHEMA, None)


# -- the reading thread ---------------------------------------------------------------------------


def test_reading_thread_hands_over_items_errors_and_stops() -> None:
    from govstd.formats.csvfast import _Ahead

    assert list(_Ahead(iter(range(5)))) == [0, 1, 2, 3, 4]

    def broken():
        yield 1
        raise OSError("disk gone")

    ahead = _Ahead(broken())
    assert next(ahead) == 1
    with pytest.raises(OSError, match="disk gone"):
        next(ahead)

    made: list[int] = []

    def counted():
        for i in range(1000):
            made.append(i)
            yield i

    ahead = _Ahead(counted())
    assert next(ahead) == 0
    ahead.close()  # stops the thread: it made at most the item in use and the next one
    assert len(made) <= 2
    with pytest.raises(StopIteration):
        next(ahead)


def test_two_reading_threads_hand_over_items_errors_and_stop() -> None:
    """The parse thread feeding the screen thread (``_Ahead`` of ``_Ahead``), as the columnar
    read chains them: same items in order, errors raised in the consumer, close stops both."""
    from govstd.formats.csvfast import _Ahead

    def stage(source):
        items = _Ahead(source)
        try:
            for item in items:
                yield item * 10
        finally:
            items.close()

    assert list(_Ahead(stage(iter(range(50))))) == [i * 10 for i in range(50)]

    def broken():
        yield 1
        raise OSError("disk gone")

    ahead = _Ahead(stage(broken()))
    assert next(ahead) == 10
    with pytest.raises(OSError, match="disk gone"):
        next(ahead)

    made: list[int] = []

    def counted():
        for i in range(1000):
            made.append(i)
            yield i

    ahead = _Ahead(stage(counted()))
    assert next(ahead) == 0
    ahead.close()  # stops both threads: at most two items in flight in each
    assert len(made) <= 4
    count = len(made)
    with pytest.raises(StopIteration):
        next(ahead)
    assert len(made) == count  # nothing is read after close


def test_selects_evaluated_ahead_equal_the_batch_select(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govstd.formats import csv as csv_module
    from govstd.formats import csvfast
    from govstd.formats.base import ReadOptions, Source
    from govstd.formats.csv import CsvReader
    from govstd.formats.csvfast import ColumnarBatch
    from govstd.session import Session

    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i % 7 or ''}\n" for i in range(500)), "utf-8")
    monkeypatch.setenv("GOVSTD_COLUMNAR", "force")
    monkeypatch.setattr(csv_module, "SAMPLE_BYTES", 64)  # many blocks: most are read ahead
    monkeypatch.setattr(csvfast, "_MIN_BLOCK", 64)
    monkeypatch.setattr(csvfast, "_MAX_BLOCK", 64)
    key = object()
    exprs = [pl.col("c1").is_null().alias("m"), pl.col("c0").hash(seed=0).alias("h")]
    options = ReadOptions(batch_size=6)
    batches = CsvReader().read(Source.from_arg(path), options, Session().catalogue)
    ahead_used = 0
    seen = 0
    for batch in batches:
        assert isinstance(batch, ColumnarBatch)
        assert batch.first_ordinal() == seen + 1
        seen += len(batch.ordinals)
        ahead_used += bool(batch._prepared)
        assert batch.select_ahead(key, exprs).equals(batch.frame.select(exprs))
    assert seen == 500
    assert ahead_used > 10
    batch.ordinals = [1, 5]
    assert batch.first_ordinal() is None


def test_work_prepared_ahead_is_the_work_done_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govstd.formats import csv as csv_module
    from govstd.formats import csvfast
    from govstd.formats.base import ReadOptions, Source
    from govstd.formats.csv import CsvReader
    from govstd.session import Session

    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "".join(f"{i},x{i % 5}\n" for i in range(400)), "utf-8")
    monkeypatch.setenv("GOVSTD_COLUMNAR", "force")
    monkeypatch.setattr(csv_module, "SAMPLE_BYTES", 64)
    monkeypatch.setattr(csvfast, "_MIN_BLOCK", 64)
    monkeypatch.setattr(csvfast, "_MAX_BLOCK", 64)

    def work(frame: Any) -> list[Any]:
        return frame.get_column("c1").to_list()

    def broken(frame: Any) -> None:
        raise ValueError("no")

    options = ReadOptions(batch_size=3)
    done_ahead = 0
    for batch in CsvReader().read(Source.from_arg(path), options, Session().catalogue):
        done_ahead += work in (batch._prepared or {})  # done in the reading thread
        assert batch.prepared(work, work) == batch.frame.get_column("c1").to_list()
        with pytest.raises(ValueError, match="no"):
            batch.prepared(broken, broken)
    assert done_ahead > 10


# -- screens: a cell a screen calls fine has no finding ---------------------------------------

SCREEN_CELLS = {
    "integer": ["0", "1", "-1", "+5", "007", "10", "11", "9", "x", "1.0", "9223372036854775808"],
    "number": ["0", "0.5", "0.50000000001", "1e3", "-2", ".5", "5.", "1e999", "10", "x", "NaN"],
    "date": ["2000-01-01", "1999-12-31", "2000-01-02", "2020-02-30", "9999-12-31", "0001-01-01"],
}
BOUNDS = {
    "integer": [0, 1, 10, -1],
    "number": [0, 0.5, 10, -2],
    "date": ["2000-01-01", "1999-12-31", "9999-12-31", "0001-01-01"],
}
KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(sorted(SCREEN_CELLS)),
    data=st.data(),
)
def test_a_cell_a_screen_calls_fine_has_no_finding(kind: str, data: st.DataObject) -> None:
    from govstd.engines.tablecompile import compile_descriptor
    from govstd.engines.tablefast import screen_for

    keywords = data.draw(st.lists(st.sampled_from(KEYWORDS), max_size=3, unique=True))
    constraints = {k: data.draw(st.sampled_from(BOUNDS[kind])) for k in keywords}
    cells = data.draw(st.lists(st.sampled_from(SCREEN_CELLS[kind]), min_size=1, max_size=12))
    fields, _, _ = compile_descriptor(
        {"fields": [{"name": "v", "type": kind, "constraints": constraints}]}
    )
    check = fields[0]
    screen = screen_for(check)
    assert screen is not None
    fine = pl.DataFrame({"v": cells}).select(screen.fine(pl.col("v"))).to_series().to_list()
    flagged = {p[0] for p in check.check(cells).problems}
    assert not [c for i, c in enumerate(cells) if fine[i] and i in flagged]
    # and the screen is not useless: a plain valid cell passes when nothing bounds it
    if not constraints:
        plain = {"integer": "10", "number": "0.5", "date": "2000-01-02"}[kind]
        assert pl.DataFrame({"v": [plain]}).select(screen.fine(pl.col("v"))).item()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.binary(max_size=8).map(lambda b: b.replace(b"\x01", b"\n")), min_size=1),
    st.booleans(),
)
def test_whole_lines_cuts_the_joined_parts_after_the_last_newline(
    parts: list[bytes], eof: bool
) -> None:
    """The reading thread's block cut (one copy) against joining and slicing."""
    from govstd.formats.csvfast import _whole_lines

    buffer = b"".join(parts)
    cut = len(buffer) if eof else buffer.rfind(b"\n") + 1
    assert _whole_lines(parts, eof) == (buffer[:cut], buffer[cut:])
