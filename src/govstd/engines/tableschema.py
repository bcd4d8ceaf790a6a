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
  skipped). The key index is a dict from key to first record for now.

Foreign keys are out of scope: their structure is validated, their references not checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from govstd.engines.tabletypes import FORMATS, RANGE_OPS, TYPES, CellType, build_type, is_nan
from govstd.exceptions import SchemaError, SetupError
from govstd.findings import Location

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.engines.base import CompileContext, SchemaDocument
    from govstd.findings import Finding
    from govstd.formats.base import DocumentBatch, TableBatch

__all__ = ["FieldCheck", "TableSchemaChecker", "TableSchemaEngine", "TableSchemaPlan"]

_RANGE = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_SIZED = ("minLength", "maxLength")
#: the constraints each type supports besides required and unique
_CONSTRAINTS: dict[str, tuple[str, ...]] = {
    "string": (*_SIZED, "pattern", "enum"),
    "number": (*_RANGE, "enum"),
    "integer": (*_RANGE, "enum"),
    "boolean": ("enum",),
    "object": (*_SIZED, "enum"),
    "array": (*_SIZED, "enum"),
    "list": _SIZED,
    "date": (*_RANGE, "enum"),
    "time": (*_RANGE, "enum"),
    "datetime": (*_RANGE, "enum"),
    "year": (*_RANGE, "enum"),
    "yearmonth": (*_RANGE, "enum"),
    "duration": ("enum",),
    "geopoint": ("enum",),
    "geojson": ("enum",),
    "any": ("enum",),
}
_LIST_ITEM_TYPES = ("string", "integer", "boolean", "number", "datetime", "date", "time")
_TYPE_OPTIONS = {
    "number": ("decimalChar", "groupChar", "bareNumber"),
    "integer": ("bareNumber",),
    "boolean": ("trueValues", "falseValues"),
    "list": ("delimiter", "itemType"),
}


class _Invalid:
    """Marks a cell that is not of its type in a column of key values."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()

#: one problem in a column: (row index, code, keyword, expected, value, params)
Problem = tuple[int, str, str, Any, Any, dict[str, Any]]


def _hashable(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


@dataclass(frozen=True, slots=True)
class ColumnOutcome:
    """What checking one column of a batch found."""

    problems: list[Problem]
    #: row indices whose cell is missing (absent or a missing value)
    missing: list[int]
    #: one key value per row (None: missing, INVALID: not of the type), if asked for
    keys: list[Any] | None


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """One field, compiled: its type, missing values and constraints."""

    name: str
    ctype: CellType
    missing: frozenset[str]
    required: bool = False
    unique: bool = False
    min_length: int | None = None
    max_length: int | None = None
    pattern: re.Pattern[str] | None = None
    pattern_text: str | None = None
    enum: tuple[Any, ...] | None = None
    enum_raw: frozenset[str] = frozenset()
    enum_values: tuple[Any, ...] = ()
    ranges: tuple[tuple[str, Any, Any], ...] = ()
    #: whether ``check`` should return key values (unique, primary or unique keys)
    keyed: bool = False
    descriptor: Mapping[str, Any] = field(default_factory=dict)

    def parse(self, text: str) -> Any:
        """The reference path for one cell: its value, or ValueError."""
        return self.ctype.parse(text)

    def check(self, cells: Sequence[str | None]) -> ColumnOutcome:
        """Check a column (``None`` = no cell in that row)."""
        missing_values = self.missing
        problems: list[Problem] = []
        if None in cells or not missing_values.isdisjoint(cells):
            missing = [i for i, c in enumerate(cells) if c is None or c in missing_values]
            gone = set(missing)
            index = [i for i in range(len(cells)) if i not in gone]
            present: Sequence[str] = [cells[i] for i in index]  # type: ignore[misc]
            if self.required:
                problems.extend(
                    self._required(i, cells[i]) for i in missing if cells[i] is not None
                )
        else:
            missing, index, present = [], list(range(len(cells))), cells  # type: ignore[assignment]
        values, bad = self.ctype.column(present)
        if bad:
            expected = self.ctype.expected
            problems.extend((index[b], "field.type", "type", expected, present[b], {}) for b in bad)
            bad_set = set(bad)
            keep = [k for k in range(len(present)) if k not in bad_set]
            ok_index = [index[k] for k in keep]
            ok_cells = [present[k] for k in keep]
            ok_values = [values[k] for k in keep]
        else:
            ok_index, ok_cells, ok_values = index, present, values
        if ok_cells:
            self._constraints(ok_index, ok_cells, ok_values, problems)
        keys = None
        if self.keyed:
            if self.ctype.name in ("object", "array", "geojson", "list"):
                ok_values = list(map(_hashable, ok_values))
            if not missing and not bad:
                keys = ok_values
            else:
                keys = [None] * len(cells)
                for i in index:
                    keys[i] = INVALID
                for i, value in zip(ok_index, ok_values, strict=True):
                    keys[i] = value
        return ColumnOutcome(problems, missing, keys)

    def _required(self, row: int, cell: str | None) -> Problem:
        return (row, "field.required", "constraints.required", True, cell, {})

    def _constraints(
        self, index: Sequence[int], cells: Sequence[str], values: list[Any], out: list[Problem]
    ) -> None:
        if self.min_length is not None or self.max_length is not None:
            sized = cells if self.ctype.name == "string" else values
            lengths = list(map(len, sized))
            low, high = self.min_length, self.max_length
            if (low is not None and min(lengths) < low) or (
                high is not None and max(lengths) > high
            ):
                for k, length in enumerate(lengths):
                    if low is not None and length < low:
                        detail = f"{length} long, shorter than the minimum length {low}"
                        out.append(self._length(index[k], "minLength", low, cells[k], detail))
                    if high is not None and length > high:
                        detail = f"{length} long, longer than the maximum length {high}"
                        out.append(self._length(index[k], "maxLength", high, cells[k], detail))
        if self.pattern is not None:
            matches = list(map(self.pattern.fullmatch, cells))
            if None in matches:
                for k, found in enumerate(matches):
                    if found is None:
                        out.append(
                            (
                                index[k],
                                "field.pattern",
                                "constraints.pattern",
                                self.pattern_text,
                                cells[k],
                                {},
                            )
                        )
        if self.enum is not None and not self.enum_raw.issuperset(cells):
            allowed = self.enum_values
            for k, cell in enumerate(cells):
                if cell in self.enum_raw:
                    continue
                value = values[k]
                if is_nan(value) or not any(_same(value, a) for a in allowed):
                    out.append(
                        (index[k], "field.enum", "constraints.enum", list(self.enum), cell, {})
                    )
        if self.ranges:
            self._range(index, cells, values, out)

    def _length(self, row: int, keyword: str, bound: int, cell: str, detail: str) -> Problem:
        return (row, "field.length", f"constraints.{keyword}", bound, cell, {"detail": detail})

    def _range(
        self, index: Sequence[int], cells: Sequence[str], values: list[Any], out: list[Problem]
    ) -> None:
        comparable = self.ctype.comparable
        try:
            low, high = min(values), max(values)
            if all(
                RANGE_OPS[kw](low if kw.endswith("inimum") else high, bound)
                for kw, bound, _ in self.ranges
            ):
                return
        except (TypeError, ArithmeticError):
            pass  # NaN or naive/aware datetimes: compare one by one
        for k, value in enumerate(values):
            subject = comparable(value) if comparable else value
            for keyword, bound, shown in self.ranges:
                try:
                    fine = not is_nan(value) and RANGE_OPS[keyword](subject, bound)
                except (TypeError, ArithmeticError):
                    fine = False
                if not fine:
                    out.append(
                        (
                            index[k],
                            "field.range",
                            f"constraints.{keyword}",
                            shown,
                            cells[k],
                            _range_params(keyword, shown),
                        )
                    )


def _same(value: Any, allowed: Any) -> bool:
    """Equality for enum membership that does not let True equal 1."""
    if isinstance(value, bool) or isinstance(allowed, bool):
        return type(value) is type(allowed) and value == allowed
    try:
        return bool(value == allowed)
    except (TypeError, ArithmeticError):
        return False


def _range_params(keyword: str, bound: Any) -> dict[str, Any]:
    words = {
        "minimum": ("below the minimum", "at least"),
        "maximum": ("above the maximum", "at most"),
        "exclusiveMinimum": ("not above the exclusive minimum", "greater than"),
        "exclusiveMaximum": ("not below the exclusive maximum", "less than"),
    }[keyword]
    return {"detail": f"{words[0]} {bound}", "detail_expected": f"{words[1]} {bound}"}


# -- descriptor validation and compilation --------------------------------------------------------


def _fail(message: str) -> SchemaError:
    return SchemaError(f"invalid Table Schema: {message}")


def _names(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _fail(f"{what} must be a field name or a list of field names, not {value!r}")


def _string_list(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(f"{what} must be a list of strings, not {value!r}")
    return value


def _cast_bound(ctype: CellType, name: str, keyword: str, value: Any) -> Any:
    """A constraint value (``minimum``, an ``enum`` item …) as a value of the field's type."""
    try:
        if isinstance(value, bool):
            if ctype.name == "boolean":
                return value
            raise ValueError(value)
        if isinstance(value, int | float) and ctype.name in ("number", "integer", "year"):
            if ctype.name == "number":
                return Decimal(str(value))
            if float(value).is_integer():
                return int(value)
            raise ValueError(value)
        if isinstance(value, dict | list) and ctype.name in ("object", "array", "geojson"):
            return value
        if not isinstance(value, str):
            raise ValueError(value)
        return ctype.parse(value)
    except (ValueError, TypeError, ArithmeticError, LookupError):
        raise _fail(
            f'field "{name}": constraint {keyword} {value!r} is not a valid {ctype.expected}'
        ) from None


def _compile_field(descriptor: Any, position: int, schema_missing: frozenset[str]) -> FieldCheck:
    if not isinstance(descriptor, dict):
        raise _fail(f"field {position} must be an object, not {descriptor!r}")
    name = descriptor.get("name")
    if not isinstance(name, str):
        raise _fail(f"field {position} has no name (a string)")
    kind = descriptor.get("type", "string")
    if kind not in TYPES:
        raise _fail(f'field "{name}": unknown type {kind!r} (use one of {", ".join(TYPES)})')
    if "required" in descriptor:
        raise _fail(f'field "{name}": "required" must be set inside "constraints"')
    fmt = descriptor.get("format", "default")
    if not isinstance(fmt, str):
        raise _fail(f'field "{name}": format must be a string')
    fmt = fmt.removeprefix("fmt:") or "default"
    allowed_formats = FORMATS.get(kind, ())
    if kind in FORMATS and fmt != "default":
        if allowed_formats is None:
            if fmt != "any" and "%" not in fmt:
                raise _fail(
                    f'field "{name}": format {fmt!r} is not "default", "any" or a strptime pattern'
                )
        elif fmt not in allowed_formats:
            raise _fail(f'field "{name}": unknown format {fmt!r} for type {kind}')
    elif kind not in FORMATS:
        fmt = "default"  # formats of other types carry no meaning in Table Schema v1
    options = {k: descriptor[k] for k in _TYPE_OPTIONS.get(kind, ()) if k in descriptor}
    for key in ("trueValues", "falseValues"):
        if key in options:
            _string_list(options[key], f'field "{name}": {key}')
    for key in ("decimalChar", "groupChar", "delimiter"):
        if key in options and (not isinstance(options[key], str) or not options[key]):
            raise _fail(f'field "{name}": {key} must be a non-empty string')
    if "bareNumber" in options and not isinstance(options["bareNumber"], bool):
        raise _fail(f'field "{name}": bareNumber must be true or false')
    if kind == "list" and options.get("itemType", "string") not in _LIST_ITEM_TYPES:
        raise _fail(f'field "{name}": itemType must be one of {", ".join(_LIST_ITEM_TYPES)}')
    ctype = build_type(kind, fmt, options)
    missing = schema_missing
    if "missingValues" in descriptor:
        missing = frozenset(
            _string_list(descriptor["missingValues"], f'field "{name}": missingValues')
        )
    constraints = descriptor.get("constraints", {})
    if not isinstance(constraints, dict):
        raise _fail(f'field "{name}": constraints must be an object')
    supported = {"required", "unique", *_CONSTRAINTS[kind]}
    for key in constraints:
        if key not in supported:
            raise _fail(f'field "{name}": constraint "{key}" is not supported by type "{kind}"')
    settings: dict[str, Any] = {}
    for key in ("required", "unique"):
        value = constraints.get(key, False)
        if not isinstance(value, bool):
            raise _fail(f'field "{name}": constraint {key} must be true or false')
        settings[key] = value
    for key, attr in (("minLength", "min_length"), ("maxLength", "max_length")):
        if key in constraints:
            value = constraints[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _fail(f'field "{name}": constraint {key} must be a non-negative integer')
            settings[attr] = value
    if "pattern" in constraints:
        text = constraints["pattern"]
        if not isinstance(text, str):
            raise _fail(f'field "{name}": constraint pattern must be a string')
        try:
            settings["pattern"] = re.compile(text)
        except re.error as exc:
            raise _fail(
                f'field "{name}": constraint pattern {text!r} is not a valid regex: {exc}'
            ) from None
        settings["pattern_text"] = text
    if "enum" in constraints:
        items = constraints["enum"]
        if not isinstance(items, list) or not items:
            raise _fail(f'field "{name}": constraint enum must be a non-empty list')
        settings["enum"] = tuple(items)
        settings["enum_values"] = tuple(_cast_bound(ctype, name, "enum", v) for v in items)
        raw = {v for v in items if isinstance(v, str)}
        if kind == "boolean":
            raw = {k for k, v in ctype.extras["map"].items() if v in settings["enum_values"]}
        settings["enum_raw"] = frozenset(raw)
    ranges = []
    comparable = ctype.comparable
    for key in _RANGE:
        if key in constraints:
            bound = _cast_bound(ctype, name, key, constraints[key])
            ranges.append((key, comparable(bound) if comparable else bound, constraints[key]))
    return FieldCheck(
        name=name,
        ctype=ctype,
        missing=missing,
        ranges=tuple(ranges),
        keyed=settings["unique"],
        descriptor=descriptor,
        **settings,
    )


def _check_foreign_keys(value: Any, names: set[str]) -> None:
    if not isinstance(value, list):
        raise _fail("foreignKeys must be a list")
    for fk in value:
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            raise _fail(f"foreign key {fk!r} needs fields and a reference")
        fields = _names(fk.get("fields"), "foreign key fields")
        for name in fields:
            if name not in names:
                raise _fail(f'foreign key field "{name}" is not a field of the schema')
        reference = fk["reference"]
        target = _names(reference.get("fields"), "foreign key reference fields")
        if len(target) != len(fields):
            raise _fail(
                f"foreign key fields {list(fields)} do not match reference fields {list(target)}"
            )


def compile_descriptor(
    descriptor: Any,
) -> tuple[list[FieldCheck], tuple[str, ...], list[tuple[str, ...]]]:
    """Validate a Table Schema descriptor; the fields, primary key and unique keys."""
    if not isinstance(descriptor, dict):
        raise _fail("a Table Schema must be a JSON object")
    fields = descriptor.get("fields")
    if not isinstance(fields, list):
        raise _fail('"fields" is required and must be a list')
    schema_missing = frozenset(_string_list(descriptor.get("missingValues", [""]), "missingValues"))
    checks = [_compile_field(f, i + 1, schema_missing) for i, f in enumerate(fields)]
    names = [c.name for c in checks]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _fail(f'field name "{name}" is used twice')
        seen.add(name)
    primary: tuple[str, ...] = ()
    if "primaryKey" in descriptor:
        primary = _names(descriptor["primaryKey"], "primaryKey")
        for name in primary:
            if name not in seen:
                raise _fail(
                    f'primary key field "{name}" is not a field (fields: {", ".join(names)})'
                )
    unique_keys: list[tuple[str, ...]] = []
    if "uniqueKeys" in descriptor:
        if not isinstance(descriptor["uniqueKeys"], list):
            raise _fail("uniqueKeys must be a list")
        for item in descriptor["uniqueKeys"]:
            key = _names(item, "uniqueKeys item")
            for name in key:
                if name not in seen:
                    raise _fail(f'unique key field "{name}" is not a field')
            unique_keys.append(key)
    if "foreignKeys" in descriptor:
        _check_foreign_keys(descriptor["foreignKeys"], seen)
    keyed = set(primary).union(*unique_keys) if unique_keys else set(primary)
    checks = [c if c.keyed or c.name not in keyed else _with_keys(c) for c in checks]
    return checks, primary, unique_keys


def _with_keys(check: FieldCheck) -> FieldCheck:
    from dataclasses import replace

    return replace(check, keyed=True)


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


class TableSchemaChecker:
    """Checks the batches of one source against a :class:`TableSchemaPlan`."""

    def __init__(self, plan: TableSchemaPlan, source: str) -> None:
        self.plan = plan
        self.source = source
        #: per field: its 0-based column, or None when the header lacks it
        self._columns: list[int | None] | None = None
        self._width = 0
        self._labels: list[str | None] = []
        self._unique: dict[str, dict[Any, int]] = {f.name: {} for f in plan.fields if f.unique}
        self._primary: dict[Any, int] = {}
        self._unique_keys: list[dict[Any, int]] = [{} for _ in plan.unique_keys]

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
        rows = batch.rows
        if not rows:
            return out
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
        findings.extend(self._keys(batch, outcomes, blank))
        findings.sort(key=_order)
        out.extend(findings)
        return out

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

    def _column_keys(self, outcomes: Mapping[int, ColumnOutcome], name: str) -> list[Any] | None:
        for index, fc in enumerate(self.plan.fields):
            if fc.name == name:
                outcome = outcomes.get(index)
                return outcome.keys if outcome is not None else None
        return None

    def _keys(
        self, batch: TableBatch, outcomes: Mapping[int, ColumnOutcome], blank: set[int]
    ) -> list[Finding]:
        out: list[Finding] = []
        finding = self.plan.catalogue.finding
        ordinals, lines = batch.ordinals, batch.lines
        for index, fc in enumerate(self.plan.fields):
            if not fc.unique or index not in outcomes:
                continue
            keys = outcomes[index].keys
            assert keys is not None
            column = (self._columns or [])[index]
            seen = self._unique[fc.name]
            for r, key in enumerate(keys):
                if key is None or key is INVALID or r in blank:
                    continue
                first = seen.setdefault(key, ordinals[r])
                if first != ordinals[r]:
                    cell = batch.rows[r][column] if column is not None else None
                    out.append(
                        finding(
                            "field.unique",
                            source=self.source,
                            record=ordinals[r],
                            location=Location(
                                line=lines[r], column=(column or 0) + 1, field=fc.name
                            ),
                            keyword="constraints.unique",
                            value=cell,
                            expected=True,
                            first_record=first,
                        )
                    )
        if self.plan.primary_key:
            out.extend(
                self._key_index(
                    batch, outcomes, blank, self.plan.primary_key, self._primary, primary=True
                )
            )
        for key_fields, index_map in zip(self.plan.unique_keys, self._unique_keys, strict=True):
            out.extend(
                self._key_index(batch, outcomes, blank, key_fields, index_map, primary=False)
            )
        return out

    def _key_index(
        self,
        batch: TableBatch,
        outcomes: Mapping[int, ColumnOutcome],
        blank: set[int],
        names: tuple[str, ...],
        seen: dict[Any, int],
        *,
        primary: bool,
    ) -> list[Finding]:
        parts = [self._column_keys(outcomes, n) for n in names]
        if any(p is None for p in parts):
            return []  # a key column is missing from the header (header.missing says so)
        finding = self.plan.catalogue.finding
        ordinals, lines = batch.ordinals, batch.lines
        out: list[Finding] = []
        single = len(parts) == 1
        columns: list[Any] = parts[0] if single else list(zip(*parts, strict=True))  # type: ignore[assignment,arg-type]
        flat = columns if single else [item for key in columns for item in key]
        if not blank and None not in flat and INVALID not in flat:
            # The common case, at C speed: no empty part and no duplicate in the batch or
            # with an earlier batch (earlier rows overwrite later ones: first record wins).
            new = dict(zip(reversed(columns), reversed(ordinals), strict=True))
            if len(new) == len(columns) and seen.keys().isdisjoint(new):
                seen.update(new)
                return out
        expected = list(names)
        shown_field = ", ".join(names)
        for r, key in enumerate(columns):
            if r in blank:
                continue
            items = (key,) if single else key
            if INVALID in items:
                continue  # the cell already has a field.type finding
            where = Location(line=lines[r], field=shown_field)
            if all(item is None for item in items):
                if primary:
                    out.append(
                        finding(
                            "record.missing-key",
                            source=self.source,
                            record=ordinals[r],
                            location=where,
                            keyword="primaryKey",
                            expected=expected,
                        )
                    )
                continue
            if not primary and any(item is None for item in items):
                continue
            first = seen.setdefault(key, ordinals[r])
            if first != ordinals[r]:
                value = [str(i) if i is not None else "" for i in items]
                code = "record.duplicate-key" if primary else "record.duplicate-unique-key"
                keyword = "primaryKey" if primary else "uniqueKeys"
                out.append(
                    finding(
                        code,
                        source=self.source,
                        record=ordinals[r],
                        location=where,
                        keyword=keyword,
                        value=value,
                        expected=expected,
                        first_record=first,
                    )
                )
        return out


def _order(finding: Finding) -> tuple[int, int, str]:
    return (
        -1 if finding.record is None else finding.record,
        finding.location.column or 0,
        finding.code,
    )
