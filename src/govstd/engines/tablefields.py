"""Table Schema fields, compiled: a field's type, missing values and constraints, checked a
column at a time (the reference cell path that every fast path is tested against).

:class:`FieldCheck.check` takes the cells of one column of a batch and returns a
:class:`ColumnOutcome`: the problems (``(row index, code, keyword, expected, value, params)``),
the rows whose cell is missing, and the key value of every row when the field is part of a key.
Descriptor validation and compilation live in :mod:`govstd.engines.tablecompile`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from govstd.engines.tabletypes import RANGE_OPS, CellType, is_nan

__all__ = ["INVALID", "ColumnOutcome", "FieldCheck", "Problem"]


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
