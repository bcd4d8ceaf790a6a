"""The adapter model: one vendor layout mapped to one standard (a version range) and back.

An :class:`Adapter` is data: the vendor's format (``csv``, ``xml`` …) and encoding, its null
markers, and its :class:`Column` s, each a vendor column label bound to a standard field by a
:class:`~govstd.adapters.values.ValueRule`. Adapters are registered through the
``govstd_adapters`` hook, usually loaded from a mapping file
(:func:`govstd.adapters.load_adapter`).

Reading: :meth:`Adapter.reader` wraps the vendor's reader. The result is itself a reader of
kind ``"documents"``: it yields :class:`AdaptedBatch` es of canonical records (dicts in the
standard's field order) with the vendor reader's ordinals and lines, plus every fix and
problem as a finding located in the vendor's own row and column (``location.field`` is the
vendor column label, ``location.column`` its 1-based position). Any pipeline that checks
documents can validate a vendor feed this way; ``AdaptedBatch.raw`` gives each record's
vendor cells back for the rejects file.

Writing: :meth:`Adapter.to_vendor` turns a canonical record into the vendor's cells, or says
why it cannot without losing something.
"""

from __future__ import annotations

import codecs
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import is_
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from govstd.adapters.values import ColumnMemo, FrameReader, Reading, ValueRule
from govstd.exceptions import SetupError
from govstd.findings import Finding, Location
from govstd.formats.base import DocumentBatch, ReadOptions, Source, TableBatch
from govstd.refs import VersionSpec

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.standard import Standard

__all__ = [
    "AdaptedBatch",
    "Adapter",
    "AdapterReader",
    "Column",
    "FrameRecords",
    "standard_fields",
    "without_shadowed",
]


@dataclass(frozen=True, slots=True)
class Column:
    """One vendor column: its label, the standard field it fills and how."""

    label: str
    field: str
    rule: ValueRule
    #: the column may be missing from a file without a finding
    optional: bool = False


@dataclass(slots=True)
class AdaptedBatch(DocumentBatch):
    """Canonical records read through an adapter, with the vendor's cells kept.

    ``records[i]`` is the canonical record with ordinal ``ordinals[i]``; ``raw(i)`` its
    vendor cells, verbatim as read (label → text).
    """

    vendor_header: Sequence[str] | None = None
    vendor_rows: list[Any] = field(default_factory=list)
    encoding: str | None = None
    #: the records as a polars frame, when the adapter read the batch columnar and every
    #: value is text: one String column per field of the records, in their order, null
    #: where a record leaves the field out (``records[i]`` is row ``i`` without its nulls)
    frame: Any = None

    def raw(self, index: int) -> dict[str, Any]:
        row = self.vendor_rows[index]
        if self.vendor_header is None:
            return dict(row) if isinstance(row, Mapping) else {"#record": row}
        header = self.vendor_header
        out = {
            label or f"#{i + 1}": cell
            for i, (label, cell) in enumerate(zip(header, row, strict=False))
        }
        for i in range(len(header), len(row)):
            out[f"#{i + 1}"] = row[i]
        return out


def without_shadowed(findings: list[Finding]) -> list[Finding]:
    """Drop the standard's findings on a field the adapter already could not map.

    When an adapter reports an error for a value (``adapter.unmapped-value`` …), the value is
    passed on unchanged, and the standard's own complaint about it (``codelist.unknown-code``,
    ``field.pattern`` …) says the same thing again; only the adapter's finding is kept.
    """
    shadowed = {
        (f.record, f.params.get("field_name"))
        for f in findings
        if f.code.startswith("adapter.") and f.record is not None and f.is_error
    }
    if not shadowed:
        return findings
    out = []
    for finding in findings:
        pointer = finding.location.pointer
        name = pointer[1:] if pointer and pointer.count("/") == 1 else None
        if name is not None and (finding.record, name) in shadowed:
            continue
        out.append(finding)
    return out


def standard_fields(standard: Standard) -> list[str]:
    """The fields of a standard version, in order (its record schema's ``properties``)."""
    schema = standard.load_json_artefact("json_schema")
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        raise SetupError(f"{standard.ref}: the record schema has no properties")
    return list(properties)


@dataclass
class Adapter:
    """A vendor layout bound to a standard version range."""

    name: str
    standard: str
    versions: VersionSpec
    format: str
    columns: tuple[Column, ...]
    title: Mapping[str, str] = field(default_factory=dict)
    encoding: str | None = None
    null_markers: tuple[str, ...] = ()
    #: format options for the vendor's reader and writer (CSV: ``delimiter``,
    #: ``line_terminator``; XML: ``root``, ``record`` …)
    layout: Mapping[str, Any] = field(default_factory=dict)
    #: the mapping file the adapter was loaded from, if any
    path: Path | None = None

    @property
    def range(self) -> str:
        """The standards this adapter maps to, as ``id@spec``."""
        spec = str(self.versions)
        return self.standard if spec == "latest" else f"{self.standard}@{spec}"

    def supports(self, standard: Standard) -> bool:
        return standard.id == self.standard and self.versions.allows(standard.version)

    def labels(self) -> list[str]:
        return [c.label for c in self.columns]

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": dict(self.title),
            "standard": self.range,
            "format": self.format,
            "encoding": self.encoding,
            "columns": {c.label: c.field for c in self.columns},
        }

    # -- reading -------------------------------------------------------------------------

    def reader(self, vendor_reader: Any, standard: Standard) -> AdapterReader:
        """A documents reader that reads with ``vendor_reader`` and adapts to ``standard``."""
        if not self.supports(standard):
            raise SetupError(
                f"adapter {self.name} maps to {self.range}, not {standard.ref}: migration "
                f"from {self.range} to {standard.ref} is not available yet"
            )
        order = {name: i for i, name in enumerate(standard_fields(standard))}
        stray = [c for c in self.columns if c.field not in order]
        if stray:
            raise SetupError(
                f"adapter {self.name}: column {stray[0].label!r} maps to field "
                f"{stray[0].field!r}, which {standard.ref} does not have"
            )
        columns = sorted(self.columns, key=lambda c: order[c.field])
        return AdapterReader(self, vendor_reader, tuple(columns))

    # -- writing -------------------------------------------------------------------------

    def to_vendor(
        self, record: Mapping[str, Any]
    ) -> tuple[dict[str, str], list[tuple[str, str, Any, dict[str, Any]]]]:
        """The vendor cells (label → text) for a canonical record, and the problems:
        ``(code, field, value, params)`` for every value that cannot be written so that it
        reads back unchanged."""
        cells: dict[str, str] = {}
        problems: list[tuple[str, str, Any, dict[str, Any]]] = []
        mapped = set()
        encoding = self.encoding
        for column in self.columns:
            mapped.add(column.field)
            value = record.get(column.field)
            text, problem = column.rule.write(value)
            if problem is None and encoding and not text.isascii():
                try:
                    text.encode(encoding)
                except UnicodeEncodeError:
                    problem = (
                        "adapter.not-representable",
                        {"detail": f"not encodable in {encoding}"},
                    )
            if problem is not None:
                problems.append((problem[0], column.field, value, problem[1]))
            cells[column.label] = text
        for name, value in record.items():
            if name not in mapped and value is not None:
                problems.append(
                    (
                        "adapter.not-representable",
                        name,
                        value,
                        {"detail": "the layout has no column for this field"},
                    )
                )
        return cells, problems


class AdapterReader:
    """Reads a vendor feed with the vendor's reader and yields canonical records."""

    kind: Literal["documents"] = "documents"
    extensions: Sequence[str] = ()

    def __init__(self, adapter: Adapter, vendor_reader: Any, columns: tuple[Column, ...]) -> None:
        self.adapter = adapter
        self.name = adapter.name
        self.vendor_reader = vendor_reader
        self.columns = columns

    def read_options(self, source: Source, options: ReadOptions) -> ReadOptions:
        encoding = options.encoding or self.adapter.encoding
        if options.encoding is None and source.path is not None and self.adapter.format == "csv":
            bom = _bom(source.path)
            if bom:
                encoding = bom
        dialect = None
        if "delimiter" in self.adapter.layout:
            dialect = {"delimiter": self.adapter.layout["delimiter"]}
        return ReadOptions(
            encoding=encoding,
            batch_size=options.batch_size,
            dialect=dialect,
            max_line_bytes=options.max_line_bytes,
        )

    def read(
        self, source: Source, options: ReadOptions, catalogue: Catalogue
    ) -> Iterator[AdaptedBatch]:
        from govstd.adapters.columnar import columnar_batches

        state = _Adapting(self, source, catalogue)
        vendor_options = self.read_options(source, options)
        batches = None
        if self.adapter.format == "csv":
            batches = columnar_batches(self.vendor_reader, source, vendor_options, catalogue)
        if batches is None:
            batches = self.vendor_reader.read(source, vendor_options, catalogue)
        for batch in batches:
            if isinstance(batch, TableBatch):
                if getattr(batch, "frame", None) is not None:
                    adapted = state.columnar(batch)
                else:
                    adapted = state.table(batch)
            else:
                adapted = state.documents(batch)
            adapted.encoding = vendor_options.encoding or getattr(batch, "encoding", None)
            yield adapted

    def relocate(self, findings: Sequence[Finding], batch: AdaptedBatch) -> None:
        """Point the standard's findings at the vendor's own column, in place.

        A finding on canonical field ``f`` (e.g. ``field.unique`` on ``id_number``) gets the
        label of the vendor column that fills ``f`` as its ``field`` and that column's position
        as its ``column``; the canonical JSON Pointer stays in ``pointer``. Findings of the
        adapter itself are already located in the vendor's terms.
        """
        labels = {column.field: column.label for column in self.columns}
        relocate_findings(findings, labels, batch.vendor_header)


def _bom(path: Path) -> str | None:
    try:
        with path.open("rb") as stream:
            start = stream.read(4)
    except OSError:
        return None
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return None


def _record_builder(
    names: tuple[str, ...],
) -> Callable[[list[list[Any]]], list[dict[str, Any]]]:
    """A function from columns of values to records: ``[dict(zip(names, row)) for row in
    zip(*columns)]``, built as one dict display with the names as constants (about twice
    as fast). The names are values in the function's namespace, never part of its code."""
    if not names or len(names) > 250:
        return lambda columns: [
            dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)
        ]
    targets = "".join(f"v{i}, " for i in range(len(names)))
    items = ", ".join(f"k{i}: v{i}" for i in range(len(names)))
    code = f"def build(columns):\n    return [{{{items}}} for {targets}in zip(*columns, strict=True)]\n"
    namespace: dict[str, Any] = {f"k{i}": name for i, name in enumerate(names)}
    exec(compile(code, "<govstd.adapters.records>", "exec"), namespace)
    build: Callable[[list[list[Any]]], list[dict[str, Any]]] = namespace["build"]
    return build


class FrameRows(Sequence[list[str]]):
    """The rows of a polars frame of texts (null: an empty cell), built one at a time when
    asked for (a batch needs the vendor cells of its rejected records only)."""

    def __init__(self, frame: Any) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return int(self.frame.height)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return ["" if cell is None else cell for cell in self.frame.row(index)]


class FrameRecords(Sequence[dict[str, Any]]):
    """The records held by a polars frame of texts (:attr:`AdaptedBatch.frame`: a record is
    a row without its nulls, fields in column order), each built when first asked for and
    then kept (the same dict every time); iterating, or changing one, builds them all."""

    def __init__(
        self, frame: Any, build: Callable[[list[list[Any]]], list[dict[str, Any]]]
    ) -> None:
        self.frame = frame
        self._build = build
        self._all: list[dict[str, Any]] | None = None
        self._some: dict[int, dict[str, Any]] = {}

    def __len__(self) -> int:
        return int(self.frame.height)

    def __getitem__(self, index: Any) -> Any:
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        position = operator.index(index)
        height = len(self)
        if position < 0:
            position += height
        if not 0 <= position < height:
            raise IndexError("record index out of range")
        record = self._some.get(position)
        if record is None:
            cells = self.frame.row(position)
            names = self.frame.columns
            record = {n: v for n, v in zip(names, cells, strict=True) if v is not None}
            self._some[position] = record
        return record

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.materialise())

    def __setitem__(self, index: Any, value: Any) -> None:
        self.materialise()[index] = value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrameRecords | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def materialise(self) -> list[dict[str, Any]]:
        """Every record, as a list (built once; the records already asked for are kept)."""
        if self._all is None:
            frame = self.frame
            records = self._build([frame.get_column(n).to_list() for n in frame.columns])
            for position, record in self._some.items():
                records[position] = record
            self._all = records
            self._some = {}
        return self._all


class _Adapting:
    """The state of one adapted read: the header binding, made on the first batch."""

    def __init__(self, reader: AdapterReader, source: Source, catalogue: Catalogue) -> None:
        self.reader = reader
        self.adapter = reader.adapter
        self.source = source.name
        self.catalogue = catalogue
        self.bound: list[tuple[str, int, ValueRule, str]] | None = None
        self.blank: list[int] = []
        self.header: list[str] = []
        self._memos: list[ColumnMemo | None] = []
        self._builders: dict[tuple[str, ...], Callable[[list[list[Any]]], list[dict[str, Any]]]]
        self._builders = {}
        #: the columnar readers of the bound columns, by the frame's column names
        self._readers: dict[tuple[str, ...], FrameReader] = {}

    def finding(self, code: str, **kwargs: Any) -> Finding:
        return self.catalogue.finding(code, source=self.source, **kwargs)

    # -- the header ----------------------------------------------------------------------

    def bind(self, header: Sequence[str], line: int | None) -> list[Finding]:
        """Match the vendor's header to the columns; file-level findings for mismatches."""
        findings: list[Finding] = []
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            label = cell.strip().lstrip("\ufeff").strip()
            if not label:
                self.blank.append(index)
            elif label in positions:
                findings.append(self._unknown(label, index, line))
            else:
                positions[label] = index
        known = {c.label for c in self.adapter.columns}
        for label, index in positions.items():
            if label not in known:
                findings.append(self._unknown(label, index, line))
        bound = []
        for column in self.reader.columns:
            index = positions.get(column.label)
            if index is None:
                if not column.optional:
                    findings.append(
                        self.finding(
                            "adapter.missing-column",
                            location=Location(line=line),
                            column=column.label,
                            field_name=column.field,
                        )
                    )
                continue
            bound.append((column.field, index, column.rule, column.label))
        self.bound = bound
        # the readings of texts already seen, per bound column (most columns repeat a few
        # values: codes, dates, divisions); bounded, so a column of unique values costs little
        self._memos = [ColumnMemo(rule.memo_size) if rule.memo else None for _, _, rule, _ in bound]
        return findings

    def _unknown(self, label: str, index: int, line: int | None) -> Finding:
        return self.finding(
            "adapter.unknown-column",
            location=Location(line=line, column=index + 1, field=label),
            column=label,
            position=index + 1,
            adapter=self.adapter.name,
        )

    # -- records -------------------------------------------------------------------------

    def table(self, batch: TableBatch) -> AdaptedBatch:
        findings = list(batch.findings)
        if self.bound is None:
            findings.extend(self.bind(batch.header, batch.header_line or None))
        bound = self.bound or []
        width = len(batch.header)
        blank = self.blank
        records: list[dict[str, Any]] = []
        add = findings.append
        convert = self._convert
        rows = batch.rows
        if bound and not blank and all(map(width.__eq__, map(len, rows))):
            # the common case, column by column (same records, same findings in the same order)
            records = self._convert_columns(rows, bound, batch.ordinals, batch.lines, add)
            rows = []
        for row, ordinal, line in zip(rows, batch.ordinals, batch.lines, strict=False):
            if len(row) != width:
                self._shape(row, width, ordinal, line, batch.header, add)
            if blank:
                for index in blank:
                    if index < len(row) and row[index].strip():
                        add(self._stray_cell(row[index], index, width, ordinal, line))
            records.append(convert(row, bound, ordinal, line, add))
        return AdaptedBatch(
            records=records,
            ordinals=batch.ordinals,
            lines=list(batch.lines),
            findings=findings,
            unreadable=batch.unreadable,
            position=batch.position,
            vendor_header=batch.header,
            vendor_rows=batch.rows,
        )

    def documents(self, batch: DocumentBatch) -> AdaptedBatch:
        """Records that are mappings of vendor label → text (XML elements, JSON objects)."""
        findings = list(batch.findings)
        if batch.records and hasattr(batch.records[0], "tag"):  # XML elements
            from govstd.formats.xml import element_fields

            batch.records = [element_fields(r) if hasattr(r, "tag") else r for r in batch.records]
        if self.bound is None:
            labels: list[str] = []
            for record in batch.records:
                if isinstance(record, Mapping):
                    labels.extend(k for k in record if k not in labels)
            header = labels or self.adapter.labels()
            self.header = header
            findings.extend(self.bind(header, None))
        bound = self.bound or []
        header = self.header
        records: list[dict[str, Any]] = []
        rows: list[Any] = []
        add = findings.append
        paths = getattr(batch, "paths", None) or None
        for index, (record, ordinal, line) in enumerate(
            zip(batch.records, batch.ordinals, batch.lines, strict=True)
        ):
            if not isinstance(record, Mapping):
                add(
                    self.finding(
                        "record.structure",
                        record=ordinal,
                        location=Location(line=line),
                        detail="the record is not a set of named values",
                    )
                )
                records.append({})
                rows.append(record)
                continue
            for label in record:
                if label not in header:
                    header.append(label)
                    add(self._unknown(str(label), len(header) - 1, line))
            row = ["" if record.get(label) is None else str(record[label]) for label in header]
            xpath = paths[index] if paths is not None and index < len(paths) else None
            records.append(self._convert(row, bound, ordinal, line, add, xpath))
            rows.append(record)
        return AdaptedBatch(
            records=records,
            ordinals=batch.ordinals,
            lines=batch.lines,
            findings=findings,
            unreadable=batch.unreadable,
            position=batch.position,
            vendor_header=None,
            vendor_rows=rows,
        )

    def _convert_columns(
        self,
        rows: Sequence[Sequence[str]],
        bound: list[tuple[str, int, ValueRule, str]],
        ordinals: Sequence[int],
        lines: Sequence[int | None],
        add: Any,
    ) -> list[dict[str, Any]]:
        """:meth:`_convert` for every row of a batch whose rows all have the header's width:
        each column is read at once (:meth:`ValueRule.read_column`, through its memo), then
        the records are assembled and the findings of the few cells with fixes or problems
        added in row, then column order."""
        cells = list(zip(*rows, strict=True)) if rows else []
        read = [
            rule.read_column(cells[index] if cells else (), memo)
            for (_, index, rule, _), memo in zip(bound, self._memos, strict=True)
        ]
        return self._assemble(read, bound, rows.__getitem__, ordinals, lines, add)

    def _assemble(
        self,
        read: list[tuple[list[Any], dict[int, Reading]]],
        bound: list[tuple[str, int, ValueRule, str]],
        row: Callable[[int], Sequence[str]],
        ordinals: Sequence[int],
        lines: Sequence[int | None],
        add: Any,
    ) -> list[dict[str, Any]]:
        """The records of a batch from its columns read (values and irregular readings, one
        pair per bound column), and the findings of the cells with fixes or problems, in
        row, then column order (``row(i)``: the vendor cells of the ``i``-th row)."""
        columns = [values for values, _ in read]
        irregulars = [irregular for _, irregular in read]
        names = tuple(name for name, _, _, _ in bound)
        if len(set(names)) == len(names):
            records = self._builder(names)(columns)
        else:  # two columns for one field (not from a mapping file): the last present wins
            records = [
                {name: value for name, value in zip(names, cells, strict=True) if value is not None}
                for cells in zip(*columns, strict=True)
            ]
        self._irregular(irregulars, bound, row, ordinals, lines, add)
        return records

    def _builder(self, names: tuple[str, ...]) -> Callable[[list[list[Any]]], list[dict[str, Any]]]:
        """The records of columns of values for the (distinct) field ``names``, an absent
        value (None) leaving its field out (the others keep their order)."""
        known = self._builders.get(names)
        if known is not None:
            return known
        full = _record_builder(names)

        def build(columns: list[list[Any]]) -> list[dict[str, Any]]:
            records = full(columns)
            everyone = range(len(records))
            for values, name in zip(columns, names, strict=True):
                for i in compress(everyone, map(is_, values, repeat(None))):
                    del records[i][name]
            return records

        self._builders[names] = build
        return build

    def _irregular(
        self,
        irregulars: list[dict[int, Reading]],
        bound: list[tuple[str, int, ValueRule, str]],
        row: Callable[[int], Sequence[str]],
        ordinals: Sequence[int],
        lines: Sequence[int | None],
        add: Any,
    ) -> None:
        """The findings of the cells with fixes or a problem (per bound column, the
        readings by row position), in row, then column order."""
        empty: Sequence[str] = ()
        for i in sorted({i for irregular in irregulars for i in irregular}):
            cells = None  # the vendor cells: only a problem's finding quotes them
            for (name, index, _, label), irregular in zip(bound, irregulars, strict=True):
                reading = irregular.get(i)
                if reading is not None:
                    _, fixes, problem = reading
                    if problem is not None and cells is None:
                        cells = row(i)
                    self._emit(
                        name,
                        index,
                        label,
                        empty if cells is None else cells,
                        fixes,
                        problem,
                        ordinals[i],
                        lines[i],
                        add,
                    )

    def columnar(self, batch: TableBatch) -> AdaptedBatch:
        """:meth:`table` for a batch whose cells polars holds (``batch.frame``: one String
        column per header column, ``c0`` …, null for an empty cell; every row has the
        header's width): the bound columns are read by
        :class:`~govstd.adapters.values.FrameReader` (vectorised tests, then the other cells
        one by one). The same records and findings as :meth:`table`, and the records as a
        polars frame too (:attr:`AdaptedBatch.frame`); then the records themselves are
        :class:`FrameRecords`, each built when asked for. The vendor rows are only built for
        the records that need them (findings, rejects)."""
        frame = batch.frame  # type: ignore[attr-defined]
        findings = list(batch.findings)
        if self.bound is None:
            findings.extend(self.bind(batch.header, batch.header_line or None))
        bound = self.bound or []
        if not bound or self.blank:
            return self.table(batch)  # rows from the frame, read row by row
        rows = FrameRows(frame)
        labels = frame.columns
        used = tuple(labels[index] for _, index, _, _ in bound)
        reader = self._readers.get(used)
        if reader is None:
            reader = self._readers[used] = FrameReader(
                [(rule, label) for (_, _, rule, _), label in zip(bound, used, strict=True)]
            )
        columns = reader.read(frame, self._memos, lists=False)
        series = [canonical for _, _, canonical in columns]
        names = [name for name, _, _, _ in bound]
        canonical_frame = None
        records: Sequence[dict[str, Any]]
        if len(set(names)) == len(names) and all(s is not None for s in series):
            import polars as pl

            canonical_frame = pl.DataFrame(
                [s.alias(name) for s, name in zip(series, names, strict=True)]
            )
            records = FrameRecords(canonical_frame, self._builder(tuple(names)))
            self._irregular(
                [irregular for _, irregular, _ in columns],
                bound,
                rows.__getitem__,
                batch.ordinals,
                batch.lines,
                findings.append,
            )
        else:
            read = [
                (values if values is not None else canonical.to_list(), irregular)
                for values, irregular, canonical in columns
            ]
            records = self._assemble(
                read, bound, rows.__getitem__, batch.ordinals, batch.lines, findings.append
            )
        return AdaptedBatch(
            records=records,  # type: ignore[arg-type]
            ordinals=batch.ordinals,
            lines=list(batch.lines),
            findings=findings,
            unreadable=batch.unreadable,
            position=batch.position,
            vendor_header=batch.header,
            vendor_rows=rows,  # type: ignore[arg-type]
            frame=canonical_frame,
        )

    def _emit(
        self,
        name: str,
        index: int,
        label: str,
        row: Sequence[str],
        fixes: Any,
        problem: Any,
        ordinal: int,
        line: int | None,
        add: Any,
        xpath: str | None = None,
    ) -> None:
        """The findings of one cell's reading: its fixes, then its problem."""
        if xpath is None:
            where = Location(line=line, column=index + 1, field=label)
        else:
            where = Location(line=line, field=label, xpath=f"{xpath}/{label}")
        if fixes is not None:
            for code, before, after in fixes:
                add(
                    self.finding(
                        code,
                        record=ordinal,
                        location=where,
                        value=before,
                        expected=after,
                        column=label,
                        after=after,
                    )
                )
        if problem is not None:
            code, params = problem
            add(
                self.finding(
                    code,
                    record=ordinal,
                    location=where,
                    value=row[index],
                    column=label,
                    field_name=name,
                    **params,
                )
            )

    def _convert(
        self,
        row: Sequence[str],
        bound: list[tuple[str, int, ValueRule, str]],
        ordinal: int,
        line: int | None,
        add: Any,
        xpath: str | None = None,
    ) -> dict[str, Any]:
        record: dict[str, Any] = {}
        cells = len(row)
        for (name, index, rule, label), memo in zip(bound, self._memos, strict=False):
            if index >= cells:
                continue
            raw = row[index]
            reading = rule.read(raw) if memo is None else memo.read(raw, rule.read)
            value, fixes, problem = reading
            if value is not None:
                record[name] = value
            if fixes is None and problem is None:
                continue
            self._emit(name, index, label, row, fixes, problem, ordinal, line, add, xpath)
        return record

    def _shape(
        self,
        row: list[str],
        width: int,
        ordinal: int,
        line: int | None,
        header: Sequence[str],
        add: Any,
    ) -> None:
        if not row:
            add(self.finding("row.blank", record=ordinal, location=Location(line=line), line=line))
        elif len(row) < width:
            add(
                self.finding(
                    "row.missing-cell",
                    record=ordinal,
                    location=Location(line=line, column=len(row) + 1, field=header[len(row)]),
                    column=len(row) + 1,
                )
            )
        else:
            add(self._stray_cell(row[width], width, width, ordinal, line))

    def _stray_cell(
        self, value: str, index: int, width: int, ordinal: int, line: int | None
    ) -> Finding:
        return self.finding(
            "row.extra-cell",
            record=ordinal,
            location=Location(line=line, column=index + 1),
            value=value,
            expected=width,
            column=index + 1,
        )


def relocate_findings(
    findings: Sequence[Finding], labels: Mapping[str, str], vendor_header: Sequence[str] | None
) -> None:
    """Give each finding on a canonical field in ``labels`` the vendor column's label as its
    ``field`` and that column's position in ``vendor_header`` as its ``column``, in place; the
    canonical JSON Pointer stays. The adapter's own findings (``fix.*``, ``adapter.*``) and
    findings without a pointer are left as they are."""
    positions = {label: index for index, label in enumerate(vendor_header or (), start=1)}
    for finding in findings:
        location = finding.location
        label = labels.get(location.field or "")
        if label is None or not location.pointer or finding.code.startswith(("fix.", "adapter.")):
            continue
        finding.location = Location(
            line=location.line,
            column=positions.get(label, location.column),
            pointer=location.pointer,
            field=label,
            xpath=location.xpath,
        )
