"""The Table Schema check of a columnar batch: vectorised screens, then the reference cell path
for the few rows that need it.

1. One polars ``select`` (polars evaluates its expressions in parallel; the CSV reader
   runs it ahead, in its reading thread, see ``ColumnarBatch.prepared``) gives, per
   row, whether the row is *suspect* — one of its cells may have a finding (a screen of
   :mod:`govstd.engines.tablefast` is unsure of it), or every screened field is missing in it
   (it may be a blank row) — which cells each screen is unsure of, and, for key fields, which
   cells are missing and the 64-bit hash of each text cell. The expressions are built once
   per source and header (:class:`ColumnarPlan`).
2. The reference :meth:`FieldCheck.check` runs on the cells a screen is unsure of (for
   screened fields: a cell it is sure of has no finding) and on the whole column (for fields
   without a screen), so every finding is built exactly as the reference engine builds it.
3. Keys go through :class:`~govstd.engines.tablekeys.KeyTracker` with the hashes of step 1.

The result is the same list of findings, in the same order, as the reference path gives for
the same rows (the differential tests hold it to that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from govstd.engines.tablefields import ColumnOutcome, Problem

if TYPE_CHECKING:
    from govstd.engines.tablekeys import KeyColumn
    from govstd.engines.tableschema import TableSchemaChecker
    from govstd.findings import Finding
    from govstd.formats.base import TableBatch

__all__ = ["ColumnarPlan", "Screened", "check_columnar"]

_SUSPECT = "s"
_BLANK = "a"


@dataclass(frozen=True, slots=True, eq=False)
class ColumnarPlan:
    """The one ``select`` that screens a batch, for one header layout (:meth:`screen`: the
    CSV reader may run it ahead, see ``ColumnarBatch.prepared``)."""

    #: the frame's column names it was built for, and whether texts are hashed by polars
    layout: tuple[tuple[str, ...], bool]
    #: the screens' ``select``, then the columns computed from its result (``with_columns``)
    exprs: tuple[Any, ...]
    then: tuple[Any, ...]
    #: fields (by index) that have a screen, and those that take the reference path whole
    screened: frozenset[int]
    #: key fields (by index) with a screen: the output names of their missing mask and hashes
    missing: dict[int, str]
    hashes: dict[int, str]
    #: the frame column of each screened field (by index)
    sources: dict[int, str]

    def screen(self, frame: Any) -> Screened:
        """What the screens say of one batch frame (reads the frame only: the CSV reader
        may call this in its reading thread, see ``ColumnarBatch.prepared``)."""
        flags = frame.select(self.exprs).with_columns(self.then)
        suspect = flags.get_column(_SUSPECT)
        rows = np.flatnonzero(suspect.to_numpy())
        cells: dict[int, list[Any]] = {}
        unsure: dict[int, list[int]] = {}
        blank: list[int] = []
        if len(rows):
            # filtered by the mask, not taken by a numpy index (no index conversion per batch)
            marks = flags.filter(suspect)
            sub = frame.select(sorted(set(self.sources.values()))).filter(suspect).fill_null("")
            texts = sub.to_dict(as_series=False)
            for index, name in self.sources.items():
                which = np.flatnonzero(marks.get_column(f"b{index}").to_numpy()).tolist()
                if which:
                    column = texts[name]
                    unsure[index] = which
                    cells[index] = [column[j] for j in which]
            blank = rows[marks.get_column(_BLANK).to_numpy()].tolist()
        return Screened(
            rows.tolist(),
            unsure,
            cells,
            blank,
            {i: flags.get_column(n).to_numpy() for i, n in self.missing.items()},
            {i: flags.get_column(n).to_numpy() for i, n in self.hashes.items()},
        )


@dataclass(frozen=True, slots=True)
class Screened:
    """The screens' verdict on one batch."""

    #: suspect rows (positions in the batch)
    rows: list[int]
    #: per screened field (by index): the suspect rows (positions into ``rows``) whose cell its
    #: screen is unsure of, and those cells (texts, ``""`` for an empty cell)
    unsure: dict[int, list[int]]
    cells: dict[int, list[Any]]
    #: rows where every screened field is missing
    blank: list[int]
    #: key fields (by index): missing mask and 64-bit text hashes per row
    missing: dict[int, Any]
    hashes: dict[int, Any]


def _build_plan(checker: TableSchemaChecker, names: list[str], polars_hash: bool) -> ColumnarPlan:
    import polars as pl

    plan = checker.plan
    screens = plan.screens
    assert screens is not None
    columns = checker._columns or []
    keyed = checker._tracker.keyed
    exprs: list[Any] = []
    bad: list[str] = []
    missing_all: list[str] = []
    screened: set[int] = set()
    missing_out: dict[int, str] = {}
    hashes_out: dict[int, str] = {}
    sources: dict[int, str] = {}
    for index, (fc, screen) in enumerate(zip(plan.fields, screens, strict=True)):
        column = columns[index]
        if column is None or screen is None:
            continue
        sources[index] = names[column]
        col = pl.col(names[column])
        missing = screen.missing(col)
        fine = pl.when(missing).then(not fc.required).otherwise(screen.fine(col))
        exprs.append(missing.alias(f"m{index}"))
        exprs.append((~fine).alias(f"b{index}"))
        missing_all.append(f"m{index}")
        bad.append(f"b{index}")
        screened.add(index)
        if fc.name in keyed:
            missing_out[index] = f"m{index}"
            if fc.ctype.identity and polars_hash:
                hashes_out[index] = f"h{index}"
                exprs.append(col.hash(seed=0).alias(f"h{index}"))
    then: list[Any] = []
    if screened:
        # from the columns of the first step (an expression used twice would run twice)
        blank = pl.all_horizontal(missing_all)
        then = [blank.alias(_BLANK), (pl.any_horizontal(bad) | blank).alias(_SUSPECT)]
    return ColumnarPlan(
        (tuple(names), polars_hash),
        tuple(exprs),
        tuple(then),
        frozenset(screened),
        missing_out,
        hashes_out,
        sources,
    )


def check_columnar(checker: TableSchemaChecker, batch: TableBatch, frame: Any) -> list[Finding]:
    """The findings of ``batch`` (held by the polars ``frame``), as the reference path gives."""
    from govstd.engines.tableschema import _order

    tracker = checker._tracker
    names = frame.columns
    layout = (tuple(names), tracker.polars is not False)
    fast = checker._columnar
    if fast is None or fast.layout != layout:
        fast = checker._columnar = _build_plan(checker, names, layout[1])
    if not fast.screened:
        return checker._check_rows(batch)
    plan = checker.plan
    columns = checker._columns or []
    count = frame.height
    prepared = getattr(batch, "prepared", None)
    screened = prepared(fast, fast.screen) if prepared is not None else fast.screen(frame)
    row_list = screened.rows
    blank = set(screened.blank)

    problems: list[tuple[int, int, Problem]] = []
    outcomes: dict[int, tuple[ColumnOutcome, list[int]]] = {}
    full: dict[int, tuple[ColumnOutcome, list[Any]]] = {}
    for index, fc in enumerate(plan.fields):
        column = columns[index]
        if column is None:
            continue
        if index in fast.screened:
            # only the cells its screen is unsure of: the others have no finding
            which = screened.unsure.get(index)
            if not which:
                continue
            at = [row_list[j] for j in which]
            outcome = fc.check(screened.cells[index])
            outcomes[index] = (outcome, at)
            problems.extend((at[p[0]], column + 1, _at(p, at)) for p in outcome.problems)
        else:
            cells = frame.get_column(names[column]).fill_null("").to_list()
            outcome = fc.check(cells)
            full[index] = (outcome, cells)
            problems.extend((p[0], column + 1, p) for p in outcome.problems)
            if blank:
                blank.intersection_update(outcome.missing)
    findings = checker._cell_findings(batch, problems, {}, blank)
    if tracker.active:
        material: dict[str, KeyColumn] = {}
        where: dict[str, int] = {}
        for index, fc in enumerate(plan.fields):
            column = columns[index]
            if fc.name not in tracker.keyed or column is None:
                continue
            where[fc.name] = column
            if index in full:
                outcome, cells = full[index]
                material[fc.name] = tracker.from_outcome(fc, outcome, cells)
                continue
            missing = screened.missing.get(index)
            if missing is None:  # pragma: no cover - every key field is screened or in ``full``
                missing = np.zeros(count, dtype=bool)
            checked = outcomes.get(index)
            invalid = (
                [checked[1][p[0]] for p in checked[0].problems if p[1] == "field.type"]
                if checked is not None
                else []
            )
            material[fc.name] = tracker.from_frame(
                fc,
                frame.get_column(names[column]),
                missing,
                invalid,
                hashes=screened.hashes.get(index),
            )
        findings.extend(tracker.check(batch, material, where, blank))
    findings.sort(key=_order)
    return findings


def _at(problem: Problem, rows: list[int]) -> Problem:
    return (rows[problem[0]], *problem[1:])  # type: ignore[return-value]
