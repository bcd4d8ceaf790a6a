"""Vectorised screens for Table Schema fields, run on columnar (polars) batches.

A screen is *conservative*: for each cell it says either "certainly no finding" or "look
closer". Only rows with a cell that needs a closer look go through the reference cell path
(:meth:`FieldCheck.check`), which builds every finding, so codes, messages and values are
exactly the reference engine's. A field whose type, format, missing values or constraints
have no exact vectorised form (``geojson``, ``bareNumber: false``, a pattern with Unicode
classes …) gets no screen: its whole column goes through the reference path.

What the screens rely on (each checked by the differential tests):

* missing: null (the empty cell) or one of the other missing values;
* ``integer``: ``[+-]?[0-9]+`` cast to Int64 (anything else, e.g. surrounding spaces, is looked
  at closer); ``number``: a plain decimal literal, compared as a float only when clearly
  away from the bound (within 1e-9 relative of it, the reference ``Decimal`` decides);
  ``date``: ``YYYY-MM-DD`` that chrono parses, year 0000 excluded (Python has no year 0);
* ``pattern``: translated to the Rust regex dialect only when it uses nothing whose meaning
  differs between Python's ``re`` and Rust's ``regex`` (ASCII text, classes of ASCII
  characters, groups, alternation, quantifiers, ``.``); otherwise no screen;
* ``enum``: membership of the cell text in the enum's strings (other cells: closer look);
* ``minLength``/``maxLength`` of strings: ``len_chars`` (code points, as Python's ``len``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from govstd.engines.tablefields import FieldCheck

__all__ = ["FieldScreen", "screen_for", "translate_pattern"]

_INT64 = (-(2**63), 2**63 - 1)
_INTEGER = r"^[+-]?[0-9]+$"
_NUMBER = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: escapes whose meaning is the same in both dialects (punctuation only)
_SAFE_ESCAPES = set(r".^$*+?()[]{}|\-/")
_CLASS_ESCAPES = set(r"^]\-[.")


def translate_pattern(pattern: str) -> str | None:
    """``pattern`` (for ``re.fullmatch``) as an anchored Rust regex, or None if it uses
    anything whose meaning might differ between the two engines."""
    if not pattern.isascii() or "(?" in pattern.replace("(?:", ""):
        return None
    body = pattern
    if body.startswith("^"):
        body = body[1:]
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    index, in_class = 0, False
    while index < len(body):
        char = body[index]
        if char == "\\":
            if index + 1 >= len(body):
                return None
            escaped = body[index + 1]
            if escaped not in (_CLASS_ESCAPES if in_class else _SAFE_ESCAPES):
                return None
            index += 2
            continue
        if in_class:
            if char == "[":
                return None  # nested classes / set operations: Rust only
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            if body.startswith("^", index + 1):
                index += 1
            if body.startswith("]", index + 1):
                return None  # a literal "]" first: written differently in the two
        elif char in "^$" or not (char.isprintable() or char == " "):
            return None
        index += 1
    if in_class:
        return None
    try:
        re.compile(body)
    except re.error:
        return None
    return f"^(?:{body})$"


@dataclass(frozen=True, slots=True)
class FieldScreen:
    """The vectorised form of one field: expressions over its column of texts."""

    field: FieldCheck
    #: cells other than the empty one that are missing values
    other_missing: tuple[str, ...]
    kind: str
    pattern: str | None

    def missing(self, col: Any) -> Any:
        if self.other_missing:
            return col.is_null() | col.is_in(list(self.other_missing))
        return col.is_null()

    def fine(self, col: Any) -> Any:
        """True where a present cell certainly has no finding."""
        import polars as pl

        fc = self.field
        checks: list[Any] = []
        value: Any = None
        if self.kind == "integer":
            checks.append(col.str.contains(_INTEGER))
            value = col.cast(pl.Int64, strict=False)
        elif self.kind == "number":
            checks.append(col.str.contains(_NUMBER))
            value = col.cast(pl.Float64, strict=False)
        elif self.kind == "date":
            checks.append(col.str.contains(_DATE) & ~col.str.starts_with("0000"))
            # no cache: building the cache of unique texts costs more than parsing them
            value = col.str.to_date("%Y-%m-%d", strict=False, cache=False)
        elif self.kind == "boolean":
            checks.append(col.is_in(list(fc.ctype.extras["map"])))
        elif self.kind == "lexical":
            lexical = translate_pattern(fc.ctype.lexical.pattern)  # type: ignore[union-attr]
            checks.append(col.str.contains(lexical))  # type: ignore[arg-type]
        if fc.min_length is not None:
            checks.append(col.str.len_chars() >= fc.min_length)
        if fc.max_length is not None:
            checks.append(col.str.len_chars() <= fc.max_length)
        if self.pattern is not None:
            checks.append(col.str.contains(self.pattern))
        if fc.enum is not None:
            checks.append(col.is_in(sorted(fc.enum_raw)))
        if value is not None:
            # the parsed value is used once: polars would parse it again for every use
            checks.append(_within(self.kind, value, fc.ranges))
        if not checks:
            return pl.lit(True)
        return pl.all_horizontal(checks).fill_null(False)


def _within(kind: str, value: Any, ranges: tuple[tuple[str, Any, Any], ...]) -> Any:
    """True where the parsed ``value`` is present (and finite) and within every range; null
    where it did not parse (the caller counts null as "look closer")."""
    import polars as pl

    if kind == "number":
        # a float is compared only when clearly away from the bound (else: look closer)
        low, high = -math.inf, math.inf
        for keyword, bound, _shown in ranges:
            limit = float(bound)
            margin = 1e-9 * max(1.0, abs(limit))
            if keyword in ("minimum", "exclusiveMinimum"):
                low = max(low, limit + margin)
            else:
                high = min(high, limit - margin)
        return value.is_between(low, high, closed="none")  # infinities are outside
    if not ranges:
        return value.is_not_null()
    if kind == "integer":
        low, high = _INT64
        for keyword, bound, _shown in ranges:
            if keyword == "minimum":
                low = max(low, bound)
            elif keyword == "exclusiveMinimum":
                low = max(low, bound + 1)
            elif keyword == "maximum":
                high = min(high, bound)
            else:
                high = min(high, bound - 1)
        return value.is_between(
            pl.lit(low, dtype=pl.Int64), pl.lit(high, dtype=pl.Int64), closed="both"
        )
    first, last = date.min, date.max
    for keyword, bound, _shown in ranges:
        if keyword == "minimum":
            first = max(first, bound)
        elif keyword == "maximum":
            last = min(last, bound)
        elif keyword == "exclusiveMinimum":
            if bound == date.max:
                return pl.lit(False)  # no date is after it: look closer at every one
            first = max(first, bound + timedelta(days=1))
        else:
            if bound == date.min:
                return pl.lit(False)
            last = min(last, bound - timedelta(days=1))
    return value.is_between(
        pl.lit(first, dtype=pl.Date), pl.lit(last, dtype=pl.Date), closed="both"
    )


def _kind(fc: FieldCheck) -> str | None:
    ctype = fc.ctype
    name = ctype.name
    if ctype.identity:
        return "text"
    if name == "integer" and ctype.bulk is int:
        return "integer"
    if name == "number" and ctype.bulk is Decimal:
        return "number"
    if name == "date" and ctype.format == "default":
        return "date"
    if name == "boolean":
        return "boolean"
    if name == "string" and ctype.lexical is not None and ctype.format in ("email", "uri", "uuid"):
        return "lexical" if translate_pattern(ctype.lexical.pattern) else None
    return None


def screen_for(fc: FieldCheck) -> FieldScreen | None:
    """The field's screen, or None if the field must go through the reference path."""
    if "" not in fc.missing:
        return None  # an empty cell is a value to check: leave it to the reference path
    kind = _kind(fc)
    if kind is None:
        return None
    if (fc.min_length is not None or fc.max_length is not None) and fc.ctype.name != "string":
        return None
    pattern = None
    if fc.pattern is not None:
        pattern = translate_pattern(fc.pattern.pattern)
        if pattern is None:
            return None
    for _keyword, bound, _shown in fc.ranges:
        if kind == "integer" and not (isinstance(bound, int) and _INT64[0] < bound < _INT64[1]):
            return None
        if kind == "number" and not (isinstance(bound, Decimal) and bound.is_finite()):
            return None
        if kind == "date" and type(bound) is not date:
            return None
        if kind not in ("integer", "number", "date"):
            return None
    other = tuple(sorted(m for m in fc.missing if m != ""))
    return FieldScreen(fc, other, kind, pattern)
