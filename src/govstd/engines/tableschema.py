"""The Frictionless Table Schema (v1) engine: a schema compiled once, tables checked by column.

``compile`` validates the descriptor (an unknown type, a constraint a type does not support,
a bad regex, a primary key naming no field … raise :class:`~govstd.exceptions.SchemaError`)
and builds one :class:`FieldCheck` per field. A :class:`TableSchemaChecker` then checks the
batches of one source:

- **Header** (first batch): columns are matched with fields *by name*. A missing field
  (``header.missing``), a column that is no field (``header.extra``), a repeated name
  (``header.duplicate``), an unnamed column (``header.blank``) and fields in another order
  (``header.reordered``, a warning) are file-level findings. Without a header row
  (``header: false`` in the dialect) columns are matched by position.
- **Rows**: cells beyond the header (``row.extra-cell``), cells missing at the end
  (``row.missing-cell``) and rows whose cells are all empty (``row.blank``, which replaces
  every other finding of that row, as frictionless's blank-row does).
- **Cells**, column by column over the batch: ``field.type``, ``field.required``,
  ``field.pattern``, ``field.enum``, ``field.length``, ``field.range``, ``field.unique``. A cell
  that is not of its type gets no constraint finding. Each column is checked with a C-level
  pass (``map`` of a compiled regex or converter, set lookups, ``min``/``max``); findings are
  only built for the cells that fail.
- **Keys**: ``primaryKey`` (a later duplicate gets ``record.duplicate-key`` naming the first
  record; a key whose parts are all empty gets ``record.missing-key``; a partly empty key
  is compared as it is, as frictionless does) and ``uniqueKeys`` (rows with an empty part are
  skipped), tracked in compact 64-bit hash indexes (:mod:`govstd.engines.tablekeys`).

Columnar batches (:mod:`govstd.formats.csvfast`) are checked by vectorised screens first
(:mod:`govstd.engines.tablecolumnar`); only suspect rows take the reference cell path.

Foreign keys are out of scope: their structure is validated, their references not checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from govstd.engines.tablecompile import compile_descriptor
from govstd.engines.tablefields import ColumnOutcome, FieldCheck, Problem
from govstd.exceptions import SetupError
from govstd.findings import Location

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.engines.base import CompileContext, SchemaDocument
    from govstd.engines.tablecolumnar import ColumnarPlan
    from govstd.engines.tablefast import FieldScreen
    from govstd.findings import Finding
    from govstd.formats.base import DocumentBatch, TableBatch

__all__ = ["FieldCheck", "TableSchemaChecker", "TableSchemaEngine", "TableSchemaPlan"]


# -- engine, plan, checker ------------------------------------------------------------------------


class TableSchemaEngine:
    """Compiles Frictionless Table Schema descriptors."""

    name = "tableschema"

    def detect(self, content: Any, path: Path | None) -> bool:
        if not isinstance(content, dict):
            return False
        fields = content.get("fields")
        return (
            isinstance(fields, list)
            and bool(fields)
            and all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields)
        )

    def compile(self, schema: SchemaDocument, context: CompileContext) -> TableSchemaPlan:
        fields, primary, unique_keys = compile_descriptor(schema.content)
        return TableSchemaPlan(
            fields=tuple(fields),
            primary_key=primary,
            unique_keys=tuple(unique_keys),
            catalogue=context.catalogue,
        )


@dataclass(frozen=True)
class TableSchemaPlan:
    """A compiled Table Schema; opens one checker per source."""

    fields: tuple[FieldCheck, ...]
    primary_key: tuple[str, ...]
    unique_keys: tuple[tuple[str, ...], ...]
    catalogue: Catalogue
    accepts: Sequence[Literal["table", "documents"]] = ("table",)

    def open(self, source: str) -> TableSchemaChecker:
        return TableSchemaChecker(self, source)

    @cached_property
    def screens(self) -> tuple[FieldScreen | None, ...] | None:
        """Each field's vectorised screen (None: reference path); None if no field has one."""
        from govstd.engines.tablefast import screen_for

        screens = tuple(screen_for(fc) for fc in self.fields)
        return screens if any(s is not None for s in screens) else None


class TableSchemaChecker:
    """Checks the batches of one source against a :class:`TableSchemaPlan`."""

    def __init__(self, plan: TableSchemaPlan, source: str) -> None:
        self.plan = plan
        self.source = source
        #: per field: its 0-based column, or None when the header lacks it
        self._columns: list[int | None] | None = None
        self._width = 0
        self._labels: list[str | None] = []
        from govstd.engines.tablekeys import KeyTracker  # numpy: only once a table is read

        self._tracker = KeyTracker(
            plan.fields, plan.primary_key, plan.unique_keys, plan.catalogue, source
        )
        #: the columnar screen of this source's header (built on its first columnar batch)
        self._columnar: ColumnarPlan | None = None

    def check_documents(self, batch: DocumentBatch) -> Iterable[Finding]:
        raise SetupError("a Table Schema checks tables; this source was read as documents")

    def finish(self) -> Iterable[Finding]:
        return []

    # -- header ------------------------------------------------------------------------------

    def _header(self, batch: TableBatch) -> list[Finding]:
        fields = self.plan.fields
        finding = self.plan.catalogue.finding
        header = list(batch.header)
        out: list[Finding] = []
        if not header:  # no header row: by position
            self._columns = list(range(len(fields)))
            self._width = len(fields)
            self._labels = [f.name for f in fields]
            return out
        line = batch.header_line
        wanted = {f.name: i for i, f in enumerate(fields)}
        columns: list[int | None] = [None] * len(fields)
        first_seen: dict[str, int] = {}
        for position, label in enumerate(header):
            where = Location(line=line, column=position + 1, field=label or None)
            if not label.strip():
                out.append(
                    finding(
                        "header.blank",
                        source=self.source,
                        location=where,
                        keyword="fields",
                        value=label,
                        column=position + 1,
                    )
                )
            elif label in first_seen:
                out.append(
                    finding(
                        "header.duplicate",
                        source=self.source,
                        location=where,
                        keyword="fields",
                        value=label,
                        column=position + 1,
                        first_column=first_seen[label] + 1,
                    )
                )
            elif label in wanted:
                columns[wanted[label]] = position
            else:
                out.append(
                    finding(
                        "header.extra",
                        source=self.source,
                        location=where,
                        keyword="fields",
                        value=label,
                        column=position + 1,
                    )
                )
            first_seen.setdefault(label, position)
        for index, fc in enumerate(fields):
            if columns[index] is None:
                out.append(
                    finding(
                        "header.missing",
                        source=self.source,
                        location=Location(line=line, field=fc.name),
                        keyword="fields",
                        expected=fc.name,
                    )
                )
        present = [c for c in columns if c is not None]
        if present != sorted(present):
            order = [header[c] for c in sorted(present)]
            expected = [f.name for f, c in zip(fields, columns, strict=True) if c is not None]
            out.append(
                finding(
                    "header.reordered",
                    source=self.source,
                    location=Location(line=line),
                    keyword="fields",
                    value=order,
                    expected=expected,
                )
            )
        self._columns = columns
        self._width = len(header)
        self._labels = header  # type: ignore[assignment]
        return out

    # -- rows ----------------------------------------------------------------------------------

    def check_table(self, batch: TableBatch) -> list[Finding]:
        out: list[Finding] = []
        if self._columns is None:
            out.extend(self._header(batch))
        columns = self._columns
        assert columns is not None
        frame = getattr(batch, "frame", None)
        if frame is not None and frame.width == self._width and self.plan.screens is not None:
            if frame.height:
                from govstd.engines.tablecolumnar import check_columnar  # numpy: CSV only

                out.extend(check_columnar(self, batch, frame))
            return out
        out.extend(self._check_rows(batch))
        return out

    def _check_rows(self, batch: TableBatch) -> list[Finding]:
        """The reference path: every cell of the batch's rows."""
        columns = self._columns
        assert columns is not None
        rows = batch.rows
        if not rows:
            return []
        width = self._width
        count = len(rows)
        problems: list[tuple[int, int, Problem]] = []  # (row index, column, problem)
        lengths = set(map(len, rows))
        if lengths == {width}:
            table: list[Sequence[str | None]] = list(zip(*rows, strict=True)) if width else []
            shape: dict[int, list[Problem]] = {}
        else:
            table, shape = self._ragged(rows, width)
        outcomes: dict[int, ColumnOutcome] = {}
        for index, fc in enumerate(self.plan.fields):
            column = columns[index]
            if column is None:
                continue
            outcome = fc.check(table[column])
            outcomes[index] = outcome
            problems.extend((p[0], column + 1, p) for p in outcome.problems)
        blank = self._blank_rows(rows, outcomes, count)
        findings = self._cell_findings(batch, problems, shape, blank)
        if self._tracker.active:
            findings.extend(self._reference_keys(batch, outcomes, table, blank))
        findings.sort(key=_order)
        return findings

    def _ragged(
        self, rows: list[list[str]], width: int
    ) -> tuple[list[Sequence[str | None]], dict[int, list[Problem]]]:
        shape: dict[int, list[Problem]] = {}
        labels = self._labels
        for r, row in enumerate(rows):
            size = len(row)
            if size > width:
                shape[r] = [
                    (r, "row.extra-cell", "fields", width, row[c], {"column": c + 1})
                    for c in range(width, size)
                ]
            elif size < width and size:
                shape[r] = [
                    (r, "row.missing-cell", "fields", labels[c], None, {"column": c + 1})
                    for c in range(size, width)
                ]
        table = [[row[c] if c < len(row) else None for row in rows] for c in range(width)]
        return table, shape  # type: ignore[return-value]

    def _blank_rows(
        self, rows: list[list[str]], outcomes: Mapping[int, ColumnOutcome], count: int
    ) -> set[int]:
        if not outcomes:
            return {r for r, row in enumerate(rows) if not any(row)}
        blank: set[int] | None = None
        for outcome in outcomes.values():
            if not outcome.missing:
                return set()
            blank = set(outcome.missing) if blank is None else blank & set(outcome.missing)
            if not blank:
                return set()
        # As frictionless's blank-row: every field's cell is missing (other cells aside).
        return blank or set()

    def _cell_findings(
        self,
        batch: TableBatch,
        problems: list[tuple[int, int, Problem]],
        shape: Mapping[int, list[Problem]],
        blank: set[int],
    ) -> list[Finding]:
        finding = self.plan.catalogue.finding
        fields = self.plan.fields
        names = {c: fields[i].name for i, c in enumerate(self._columns or []) if c is not None}
        out: list[Finding] = []
        ordinals, lines = batch.ordinals, batch.lines
        for r in sorted(blank):
            out.append(
                finding(
                    "row.blank",
                    source=self.source,
                    record=ordinals[r],
                    location=Location(line=lines[r]),
                    line=lines[r],
                )
            )
        for r, column, (_, code, keyword, expected, value, params) in problems:
            if r in blank:
                continue
            out.append(
                finding(
                    code,
                    source=self.source,
                    record=ordinals[r],
                    location=Location(line=lines[r], column=column, field=names.get(column - 1)),
                    keyword=keyword,
                    value=value,
                    expected=expected,
                    **params,
                )
            )
        for r, items in shape.items():
            if r in blank:
                continue
            for _, code, keyword, expected, value, params in items:
                column = params["column"]
                name = names.get(column - 1) or (
                    self._labels[column - 1] if column <= len(self._labels) else None
                )
                out.append(
                    finding(
                        code,
                        source=self.source,
                        record=ordinals[r],
                        location=Location(line=lines[r], column=column, field=name),
                        keyword=keyword,
                        value=value if value is not None else "",
                        expected=expected,
                        **params,
                    )
                )
        return out

    # -- keys ----------------------------------------------------------------------------------

    def _reference_keys(
        self,
        batch: TableBatch,
        outcomes: Mapping[int, ColumnOutcome],
        table: Sequence[Sequence[str | None]],
        blank: set[int],
    ) -> list[Finding]:
        tracker = self._tracker
        columns = self._columns or []
        material = {}
        where = {}
        for index, fc in enumerate(self.plan.fields):
            outcome = outcomes.get(index)
            if fc.name not in tracker.keyed or outcome is None:
                continue
            column = columns[index]
            assert column is not None
            material[fc.name] = tracker.from_outcome(fc, outcome, table[column])
            where[fc.name] = column
        return tracker.check(batch, material, where, blank)


def _order(finding: Finding) -> tuple[int, int, str]:
    return (
        -1 if finding.record is None else finding.record,
        finding.location.column or 0,
        finding.code,
    )
