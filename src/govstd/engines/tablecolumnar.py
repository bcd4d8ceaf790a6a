"""The Table Schema check of a columnar batch: vectorised screens, then the reference cell path
for the few rows that need it.

1. One polars ``select`` evaluates, for every field with a screen
   (:mod:`govstd.engines.tablefast`), which cells are missing and which certainly have no
   finding; a row is *suspect* if one of its cells may have a finding, or if every screened
   field is missing in it (it may be a blank row).
2. The reference :meth:`FieldCheck.check` runs on the suspect rows only (for screened fields)
   and on the whole column (for fields without a screen), so every finding is built exactly as
   the reference engine builds it.
3. Keys go through :class:`~govstd.engines.tablekeys.KeyTracker` with hashes taken from the
   frame.

The result is the same list of findings, in the same order, as the reference path gives for
the same rows (the differential tests hold it to that).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from govstd.engines.tablefields import ColumnOutcome, Problem

if TYPE_CHECKING:
    from govstd.engines.tablekeys import KeyColumn
    from govstd.engines.tableschema import TableSchemaChecker
    from govstd.findings import Finding
    from govstd.formats.base import TableBatch

__all__ = ["check_columnar"]


def check_columnar(checker: TableSchemaChecker, batch: TableBatch, frame: Any) -> list[Finding]:
    import polars as pl

    from govstd.engines.tableschema import _order

    plan = checker.plan
    screens = plan.screens
    assert screens is not None
    columns = checker._columns or []
    count = frame.height
    names = frame.columns
    exprs: list[Any] = []
    missing_names: list[str] = []
    screened: list[int] = []
    for index, (fc, screen) in enumerate(zip(plan.fields, screens, strict=True)):
        column = columns[index]
        if column is None or screen is None:
            continue
        col = pl.col(names[column])
        missing = screen.missing(col)
        fine = pl.when(missing).then(not fc.required).otherwise(screen.fine(col))
        exprs.append(missing.alias(f"m{index}"))
        exprs.append((~fine).alias(f"b{index}"))
        missing_names.append(f"m{index}")
        screened.append(index)
    if not screened:
        return checker._check_rows(batch)
    flags = frame.select(exprs)
    suspect = flags.select(
        (pl.any_horizontal([f"b{i}" for i in screened]) | pl.all_horizontal(missing_names)).alias(
            "s"
        )
    ).to_series()
    rows = np.flatnonzero(suspect.to_numpy())
    sub = frame[rows] if len(rows) else None

    problems: list[tuple[int, int, Problem]] = []
    outcomes: dict[int, ColumnOutcome] = {}
    full: dict[int, ColumnOutcome] = {}
    missing_sets: list[set[int]] = []
    row_list = rows.tolist()
    for index, fc in enumerate(plan.fields):
        column = columns[index]
        if column is None:
            continue
        if index in screened:
            if sub is None:
                missing_sets.append(set())
                continue
            cells = sub.get_column(names[column]).fill_null("").to_list()
            outcome = fc.check(cells)
            outcomes[index] = outcome
            problems.extend(
                (row_list[p[0]], column + 1, _at(p, row_list)) for p in outcome.problems
            )
            missing_sets.append({row_list[i] for i in outcome.missing})
        else:
            cells = frame.get_column(names[column]).fill_null("").to_list()
            outcome = fc.check(cells)
            full[index] = outcome
            problems.extend((p[0], column + 1, p) for p in outcome.problems)
            missing_sets.append(set(outcome.missing))
    blank = set.intersection(*missing_sets) if missing_sets else set()
    findings = checker._cell_findings(batch, problems, {}, blank)
    tracker = checker._tracker
    if tracker.active:
        material: dict[str, KeyColumn] = {}
        where: dict[str, int] = {}
        for index, fc in enumerate(plan.fields):
            column = columns[index]
            if fc.name not in tracker.keyed or column is None:
                continue
            where[fc.name] = column
            if index in full:
                cells = frame.get_column(names[column]).fill_null("").to_list()
                material[fc.name] = tracker.from_outcome(fc, full[index], cells)
                continue
            if index in screened:
                missing = flags.get_column(f"m{index}").to_numpy()
            else:  # pragma: no cover - every field is screened or in ``full``
                missing = np.zeros(count, dtype=bool)
            outcome = outcomes.get(index)
            invalid = (
                [row_list[p[0]] for p in outcome.problems if p[1] == "field.type"]
                if outcome is not None
                else []
            )
            material[fc.name] = tracker.from_frame(
                fc, frame.get_column(names[column]), missing, invalid
            )
        findings.extend(tracker.check(batch, material, where, blank))
    findings.sort(key=_order)
    return findings


def _at(problem: Problem, rows: list[int]) -> Problem:
    return (rows[problem[0]], *problem[1:])  # type: ignore[return-value]
