"""Differential test of the columnar field statistics: a :class:`ColumnarBatch` (cells in a
polars frame) must give exactly the statistics and sample rows of the same rows as a plain
:class:`TableBatch` (the reference row path)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govstd.fieldstats import FieldObserver
from govstd.findings import Finding, Location, Severity
from govstd.formats.base import TableBatch
from govstd.formats.csvfast import ColumnarBatch, column_names

pl = pytest.importorskip("polars")

CELL = st.sampled_from(["", "", "a", "0", " ", "甲乙", "x" * 250, "NA"])
HEADERS = st.sampled_from(
    [["a", "b", "c"], ["a", "", "c"], ["a", "a", "b"], ["x", "y"], ["k", "l", "m", "n"]]
)


def _finding(code: str, record: int, field: str | None, error: bool) -> Finding:
    return Finding(
        code=code,
        severity=Severity.ERROR if error else Severity.WARNING,
        message=code,
        record=record,
        location=Location(field=field),
    )


@st.composite
def cases(draw):
    header = draw(HEADERS)
    width = len(header)
    count = draw(st.integers(0, 30))
    rows = [draw(st.lists(CELL, min_size=width, max_size=width)) for _ in range(count)]
    start = draw(st.integers(0, 5))
    ordinals = list(range(start + 1, start + 1 + count))
    findings = []
    fields = [*header, "zz", None]
    for _ in range(draw(st.integers(0, 25))):
        record = draw(st.integers(1, start + count + 3))  # some outside the batch
        findings.append(
            _finding(
                draw(st.sampled_from(["c.one", "c.two", "c.three"])),
                record,
                draw(st.sampled_from(fields)),
                draw(st.booleans()),
            )
        )
    empty_as_null = draw(st.booleans())
    return header, rows, ordinals, findings, empty_as_null


def _observe(batches, findings_per_batch):
    observer = FieldObserver(samples_per_code=3)
    for batch, findings in zip(batches, findings_per_batch, strict=True):
        observer.observe("src", batch, findings)
    return observer.result(), observer.samples


@settings(max_examples=150, deadline=None)
@given(st.lists(cases(), min_size=1, max_size=3))
def test_columnar_statistics_equal_row_path(parts):
    reference, columnar, found = [], [], []
    for header, rows, ordinals, findings, empty_as_null in parts:
        lines = [o + 1 for o in ordinals]
        reference.append(TableBatch(header, [list(r) for r in rows], ordinals, lines))
        names = column_names(len(header))
        data = {
            name: [(None if empty_as_null and r[i] == "" else r[i]) for r in rows]
            for i, name in enumerate(names)
        }
        frame = pl.DataFrame(data, schema=dict.fromkeys(names, pl.String))
        # the reader's promise (no "" in the frame) lets the counts come from null counts
        batch = ColumnarBatch(header, frame, ordinals, lines, empty_is_null=empty_as_null)
        columnar.append(batch)
        found.append(findings)
    assert _observe(columnar, found) == _observe(reference, found)
    for batch in columnar:  # the rows were never built
        assert batch._rows is None or batch._rows._all is None
