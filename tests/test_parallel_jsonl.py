"""Parallel batches (``govstd.parallel``): the same report as one process, and clear failures.

The pool only starts for sources of ``MIN_POOLED_BYTES`` and more, cut every ~4 MiB; the
tests shrink both so that small generated files take many stretches and batches that span
them, and check that the pool really ran.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd import parallel
from govstd.engines.jsonschema import JsonSchemaChecker
from govstd.session import Session

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9]{4}$"},
        "name": {"type": "string", "minLength": 1},
        "born": {"type": "string", "format": "date"},
        "size": {"type": "number", "minimum": 0},
        "note": {"type": ["string", "null"]},
    },
    "additionalProperties": False,
}

GOOD = [
    b'{"id": "0001", "name": "\xe5\xbc\xa0\xe4\xb8\x89", "born": "2020-02-29", "size": 1.5}',
    b'{"id": "0002", "name": "b"}',
    b'{"name": "c", "id": "0003", "note": null}',
    b'{"id": "0004", "name": "d", "note": ""}',
    b'{"id": "0005", "name": "e", "size": 123456789012345678901234}',
]
BAD = [
    b'{"id": "12345", "name": "x"}',
    b'{"id": "\xef\xbc\x91234", "name": "x"}',  # full-width digit
    b'{"name": ""}',
    b'{"id": "0006", "name": "y", "born": "2021-02-29", "extra": 1}',
    b'{"id": "0007", "name": "y", "size": -1}',
    b"[1, 2]",
    b'"text"',
    b'{"id": "0008", "name": "bad \xff byte"}',  # not UTF-8
    b'{"id": "0009", "name": ',  # not JSON
    b"{nope}",
    b'{"id": "0010", "name": "z"}\r',  # CRLF
]
BLANK = [b"", b"   ", b"\t\r"]


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pool every source, cut every few hundred bytes; counts the pooled reads."""
    runs: list[int] = []
    original = parallel._run

    def counting(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(parallel, "MIN_POOLED_BYTES", 1)
    monkeypatch.setattr(parallel, "_STRETCH", 200)
    monkeypatch.setattr(parallel, "_run", counting)
    # other tests of the session may have imported polars; its threads never run in a worker
    monkeypatch.setattr(parallel, "_fork_context", lambda: multiprocessing.get_context("fork"))
    return runs


def run(path: Path, schema: Path, workers: int, batch_size: int) -> tuple[Any, list[Any]]:
    calls: list[Any] = []
    report = Session().validate(
        [path],
        schema=schema,
        workers=workers,
        batch_size=batch_size,
        progress=lambda done, total: calls.append((done, total)),
    )
    return report.to_dict(), calls


def same(pooled_run: tuple[Any, list[Any]], single_run: tuple[Any, list[Any]], path: Path) -> None:
    """The same report; progress that only grows, of the same total, and ends past the last
    record (workers cut batches elsewhere, so the steps may differ; trailing blank lines
    after the last batch are never reported, by either)."""
    assert pooled_run[0] == single_run[0]
    steps, reference = pooled_run[1], single_run[1]
    done = [position for position, _ in steps]
    assert done == sorted(done)
    assert {total for _, total in steps} == {total for _, total in reference}
    data = path.read_bytes()
    if data.strip():
        assert len(data.rstrip()) <= done[-1] <= len(data)


def write(tmp_path: Path, lines: list[bytes], *, bom: bool, newline_at_end: bool) -> Path:
    path = tmp_path / "data.jsonl"
    data = b"\n".join(lines) + (b"\n" if newline_at_end else b"")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    return path


@settings(
    deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.sampled_from(GOOD) | st.sampled_from(BAD) | st.sampled_from(GOOD),
        min_size=1,
        max_size=120,
    ),
    blanks=st.lists(st.tuples(st.integers(0, 200), st.sampled_from(BLANK)), max_size=2),
    batch_size=st.integers(1, 25),
    bom=st.booleans(),
    newline_at_end=st.booleans(),
)
def test_reports_are_the_same_with_one_and_two_workers(
    tmp_path_factory: pytest.TempPathFactory,
    pooled: list[int],
    lines: list[bytes],
    blanks: list[tuple[int, bytes]],
    batch_size: int,
    bom: bool,
    newline_at_end: bool,
) -> None:
    for at, blank in blanks:  # a blank line ends the parallel read (from the batch before)
        lines = [*lines[:at], blank, *lines[at:]]
    tmp_path = tmp_path_factory.mktemp("p")
    path = write(tmp_path, lines, bom=bom, newline_at_end=newline_at_end)
    schema = tmp_path / "schema.json"
    before = len(pooled)
    one = run(path, schema, 1, batch_size)
    assert len(pooled) == before, "workers=1 must not start a pool"
    two = run(path, schema, 2, batch_size)
    assert len(pooled) == before + 1, "the pool did not run"
    same(two, one, path)


def test_big_batches_spanning_many_stretches(tmp_path: Path, pooled: list[int]) -> None:
    lines = [GOOD[n % len(GOOD)] if n % 7 else BAD[n % len(BAD)] for n in range(400)]
    path = write(tmp_path, lines, bom=False, newline_at_end=True)
    for batch_size in (1, 3, 50, 1000):
        same(
            run(path, tmp_path / "schema.json", 2, batch_size),
            run(path, tmp_path / "schema.json", 1, batch_size),
            path,
        )
    assert pooled


def test_a_worker_that_dies_gives_a_clear_error(
    tmp_path: Path, pooled: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    main = os.getpid()
    original = JsonSchemaChecker.check_documents

    def dying(self: Any, batch: Any) -> Any:
        if os.getpid() != main:
            os._exit(3)
        return original(self, batch)

    monkeypatch.setattr(JsonSchemaChecker, "check_documents", dying)
    path = write(tmp_path, GOOD * 40, bom=False, newline_at_end=True)
    with pytest.raises(parallel.ParallelError, match=r"stopped unexpectedly.*exit code 3"):
        run(path, tmp_path / "schema.json", 2, 10)
    # with one worker the same source is checked in this process
    assert run(path, tmp_path / "schema.json", 1, 10)[0]["sources"]


def test_an_error_in_a_worker_is_raised_as_is(
    tmp_path: Path, pooled: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from govstd.exceptions import UsageError

    def failing(self: Any, batch: Any) -> Any:
        raise UsageError("checker says no")

    monkeypatch.setattr(JsonSchemaChecker, "check_documents", failing)
    path = write(tmp_path, GOOD * 40, bom=False, newline_at_end=True)
    with pytest.raises(UsageError, match="checker says no"):
        run(path, tmp_path / "schema.json", 2, 10)


def test_no_pool_for_small_sources_stdin_or_stateful_plans(tmp_path: Path) -> None:
    from govstd.engines.base import is_stateless
    from govstd.formats.base import ReadOptions, Source
    from govstd.formats.jsonl import JsonLinesReader

    session = Session()
    path = write(tmp_path, GOOD, bom=False, newline_at_end=True)
    reader = JsonLinesReader()

    class Stateful:
        accepts = ("documents",)

    class Stateless:
        accepts = ("documents",)
        stateless = True

    assert not is_stateless(Stateful()) and is_stateless(Stateless())

    def pool(source: Source, plans: list[Any], workers: int | None = 2) -> Any:
        return parallel.pooled_batches(
            reader, source, ReadOptions(), session.catalogue, plans, [], lambda c, b: [],
            workers=workers,
        )  # fmt: skip

    assert pool(Source.from_arg(path), [Stateless()]) is None  # too small
    big = tmp_path / "big.jsonl"
    big.write_bytes(GOOD[0] + b"\n" * parallel.MIN_POOLED_BYTES)
    assert pool(Source.from_arg(big), [Stateful()]) is None
    assert pool(Source.from_arg(big), [Stateless()], workers=1) is None
    assert pool(Source("<stdin>", None, None), [Stateless()]) is None


@pytest.mark.parametrize("probe", [1, 3, 64 * 1024])
@pytest.mark.parametrize("stretch", [1, 2, 3, 5, 100])
@pytest.mark.parametrize(
    "data", [b"a", b"a\n", b"a\nb", b"\n\n\n", b"x" * 50 + b"\ny", b"abc\n" * 20, b""]
)
def test_stretches_are_whole_lines_that_cover_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stretch: int, probe: int, data: bytes
) -> None:
    monkeypatch.setattr(parallel, "_STRETCH", stretch)
    monkeypatch.setattr(parallel, "_PROBE", probe)
    path = tmp_path / "f"
    path.write_bytes(data)
    at = 0
    for part in parallel._stretches(path):
        assert part.start == at
        end = len(data) if part.end is None else part.end
        assert end > part.start
        assert part.end is None or data[part.end - 1 : part.end] == b"\n"
        at = end
    assert at == len(data)


def test_nonempty_fields_are_the_ones_a_valid_record_fills(tmp_path: Path) -> None:
    from govstd.validation import ValidationOptions, compile_schema_file

    path = write(tmp_path, GOOD, bom=False, newline_at_end=True)
    target = compile_schema_file(Session(), path.with_name("schema.json"), ValidationOptions())
    (plan,) = target.plans_for("documents")
    # "note" may be null or ""; "born" is a date, "size" a number, "id" a pattern, "name" non-empty
    assert plan.nonempty_fields == {"id", "name", "born", "size"}


def test_when_no_worker_can_start_the_source_is_read_here(
    tmp_path: Path, pooled: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Refusing:
        def Pipe(self) -> Any:
            return multiprocessing.get_context("fork").Pipe()

        def Process(self, *args: Any, **kwargs: Any) -> Any:
            raise OSError("no more processes")

    monkeypatch.setattr(parallel, "_fork_context", lambda: Refusing())
    lines = [GOOD[n % len(GOOD)] if n % 5 else BAD[n % len(BAD)] for n in range(100)]
    path = write(tmp_path, lines, bom=False, newline_at_end=True)
    same(run(path, tmp_path / "schema.json", 2, 7), run(path, tmp_path / "schema.json", 1, 7), path)
    assert pooled


@settings(
    deadline=None, max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(st.sampled_from(GOOD) | st.sampled_from(BAD[:5]), min_size=20, max_size=150),
    batch_size=st.integers(1, 30),
)
def test_records_are_renumbered_across_many_stretches(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    pooled: list[int],
    lines: list[bytes],
    batch_size: int,
) -> None:
    """Lines the reader reads without a finding of its own, invalid or not: every stretch is
    checked by a worker (none read here) and numbered from its start, then shifted."""
    read_here: list[int] = []
    original = parallel._read_rest

    def counting(*args: Any, **kwargs: Any) -> Any:
        read_here.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(parallel, "_read_rest", counting)
    tmp_path = tmp_path_factory.mktemp("r")
    path = write(tmp_path, lines, bom=False, newline_at_end=True)
    same(
        run(path, tmp_path / "schema.json", 2, batch_size),
        run(path, tmp_path / "schema.json", 1, batch_size),
        path,
    )
    assert pooled and not read_here
