"""Vectorised screens of the identifier checks, for columnar batches (see :attr:`Check.screen`).

A screen marks the records that *certainly* get no finding from its check; the others are
rebuilt and given to the record check of :mod:`govstd.checks.identifiers`, which stays the
reference (``tests/test_rules_fast.py`` and ``tests/test_rules_screens.py`` compare the two).

The check-character screens look only at the cells of exactly the code's length in UTF-8
bytes (a value of another length never has the code's shape, so the record check returns
nothing for it). Polars reads those cells' bytes as fixed-size arrays
(``bin.reinterpret``), seen by numpy as a ``(width, n)`` uint8 matrix, one row per character
position, so that every step below is one numpy operation over a contiguous row of ``n``
bytes:

* GB 11643-1999: ``digit = byte - 48`` (wrapping: any other byte gives a value above 9, ``X``
  gives 40); the weighted sum of the 17 digits in uint16 (at most 900), the check value
  ``(1 - sum) mod 11``; the embedded date through a table of the valid ``MMDD`` and the leap
  years; the division through a table of a million booleans (one per six-digit number).
* the birth date and sex rules compare the embedded date and the parity of the sequence code
  with the other field's cells, read the same way (``YYYY-MM-DD``: 10 bytes; a sex code: 1).
* GB 32100-2015: ``bytes.translate`` maps every byte to its value in the code's alphabet (255
  for a byte outside it); the weighted sum in uint16 (at most 9,150), the check value
  ``-sum mod 31``, the registration authority and the division as above.

A row whose shape the record check would refuse is passed (the record check says nothing
about it); a row that breaks nothing is passed; every other row is "look closer".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from govstd.checks.identifiers import (
    _RIC_CHARACTERS,
    _RIC_WEIGHTS,
    _USCC_ALPHABET,
    _USCC_WEIGHTS,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from govstd.rules import RuleContext, Screen

__all__ = [
    "birth_date_matches_screen",
    "byte_arrays",
    "date_tables",
    "division_table",
    "fixed_width",
    "real_dates",
    "ric_screen",
    "sex_matches_screen",
    "uscc_screen",
]

_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
#: bytes.translate table: a byte → its value in the USCC alphabet, 255 outside it
_USCC_VALUES = bytes(
    _USCC_ALPHABET.index(chr(b)) if chr(b) in _USCC_ALPHABET else 255 for b in range(256)
)
_OUTSIDE = 255


def byte_arrays(series: Any, width: int) -> Any:
    """The cells of ``series`` (a polars String Series) as a polars ``Array(UInt8, width)``
    Series of their UTF-8 bytes; a cell of any other length (and an empty cell) is null."""
    import polars as pl

    return series.cast(pl.Binary).bin.reinterpret(dtype=pl.Array(pl.UInt8, width))


def fixed_width(series: Any, width: int, *, arrays: Any = None) -> tuple[Any, Any]:
    """The cells of ``series`` (a polars String Series) that are exactly ``width`` UTF-8 bytes
    long: their positions (None when that is every cell) and their bytes as a C-contiguous,
    writable ``(width, n)`` uint8 matrix (row ``j``: the ``j``-th byte of every such cell).

    ``arrays``: the cells' :func:`byte_arrays`, when already evaluated."""
    import numpy as np

    cells = byte_arrays(series, width) if arrays is None else arrays
    where = None
    if cells.null_count():
        valid = cells.is_not_null()
        where = np.flatnonzero(valid.to_numpy())
        if not len(where):
            return where, np.zeros((width, 0), dtype=np.uint8)
        cells = cells.filter(valid)
    matrix = cells.to_numpy().reshape(-1, width)
    return where, np.array(matrix.T, dtype=np.uint8, order="C")  # a writable copy


def _fixed(column: Any, name: str, width: int) -> tuple[Any, Any] | None:
    """:func:`fixed_width` of a field's cells, from the byte arrays the rules checker evaluated
    ahead when it did (``column.fixed``, see :data:`govstd.rules.Screen`); None when the
    batch has no such field."""
    fixed = getattr(column, "fixed", None)
    arrays = fixed(name, width) if fixed is not None else None
    if arrays is not None:
        return fixed_width(None, width, arrays=arrays)
    series = column(name)
    return None if series is None else fixed_width(series, width)


class _Screen:
    """A screen (see :data:`govstd.rules.Screen`) and the ``(field, width)`` byte arrays it
    reads, for the rules checker to have them evaluated ahead."""

    __slots__ = ("fixed_widths", "run")

    def __init__(self, run: Screen, fixed_widths: tuple[tuple[str, int], ...]) -> None:
        self.run = run
        self.fixed_widths = fixed_widths

    def __call__(self, column: Any, height: int) -> Any:
        return self.run(column, height)


def division_table(divisions: Iterable[str]) -> Any:
    """A bool array of 10⁶ entries, True at every six-digit code of ``divisions``."""
    import numpy as np

    table = np.zeros(1_000_000, dtype=bool)
    numbers = [int(c) for c in divisions if len(c) == 6 and c.isascii() and c.isdigit()]
    table[np.asarray(numbers, dtype=np.int64)] = True
    return table


def date_tables() -> tuple[Any, Any]:
    """The tables :func:`real_dates` looks dates up in: a bool array of 10⁴ entries, True at
    every ``MMDD`` that some year has (0229 too), and a uint8 array of 10⁴ years: 0 for year 0, 2 for a
    leap year, 1 for any other."""
    import numpy as np

    month_days = np.zeros(10_000, dtype=bool)
    for month, days in enumerate(_DAYS, start=1):
        month_days[month * 100 + 1 : month * 100 + days + 1] = True
    year = np.arange(10_000)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    years = np.where(leap, 2, 1).astype(np.uint8)
    years[0] = 0  # Python's date has no year 0
    return month_days, years


def _number(digits: Any) -> Any:
    """The decimal number each column of ``digits`` (rows: most significant first) writes,
    as int32 (the caller makes sure every digit is 0-9)."""
    import numpy as np

    out = digits[0].astype(np.int32)
    for row in digits[1:]:
        out *= 10
        out += row
    return out


def real_dates(digits: Any, tables: tuple[Any, Any]) -> Any:
    """Whether each column of an ``(8, n)`` matrix of digits 0-9 (YYYYMMDD) is a real date
    (year 1 or later, as Python's ``date``); ``tables`` from :func:`date_tables`."""
    month_days, years = tables
    mmdd = _number(digits[4:8])
    # a real MMDD in a year ≥ 1, and 29 February only in a leap year (kind 2 > 1)
    return month_days[mmdd] & (years[_number(digits[0:4])] > (mmdd == 229))


def ric_screen(context: RuleContext) -> Screen:
    """The screen of ``cn.ric`` (check character, embedded birth date, division)."""
    import numpy as np

    from govstd.gbt2260 import division_codes_ever

    (name,) = context.fields
    allow_15 = context.param("allow_15", False, bool)
    divisions = division_table(division_codes_ever(context.codelists))
    dates = date_tables()
    weights = [int(w) for w in _RIC_WEIGHTS]
    x_digit = ord(_RIC_CHARACTERS[10]) - 48  # 'X' - '0'

    def screen(column: Any, height: int) -> Any:
        passed = np.ones(height, dtype=bool)
        if allow_15:  # the legacy form is left to the record check
            legacy = _fixed(column, name, 15)
            if legacy is not None:
                passed[slice(None) if legacy[0] is None else legacy[0]] = False
        found = _fixed(column, name, 18)
        if found is None or not found[1].shape[1]:
            return passed
        where, cells = found
        digits = np.subtract(cells, 48, out=cells)  # wraps: every other byte is above 9
        last = digits[17]
        x = last == x_digit
        check = np.where(x, np.uint8(10), last)
        shaped = (np.maximum.reduce(digits[:17], axis=0) <= 9) & ((last <= 9) | x)
        total = np.multiply(digits[0], weights[0], dtype=np.uint16)
        for row, weight in zip(digits[1:17], weights[1:], strict=True):
            total += np.multiply(row, weight, dtype=np.uint16)
        fine = check == (12 - total % 11) % 11
        if not shaped.all():  # keep the table look-ups in range
            digits = np.where(shaped, digits, np.uint8(0))
        fine &= real_dates(digits[6:14], dates)
        fine &= divisions[_number(digits[0:6])]
        if where is None:
            return ~shaped | fine
        passed[where] = ~shaped | fine
        return passed

    return _Screen(screen, ((name, 18), (name, 15)) if allow_15 else ((name, 18),))


def uscc_screen(context: RuleContext) -> Screen:
    """The screen of ``cn.uscc`` (check character, registration authority, division)."""
    import numpy as np

    from govstd.gbt2260 import division_codes_ever

    (name,) = context.fields
    authorities = context.param("authorities", "123456789ANY", str)
    divisions = division_table(division_codes_ever(context.codelists))
    weights = [int(w) for w in _USCC_WEIGHTS]
    allowed = np.zeros(256, dtype=bool)
    for char in authorities:
        if char in _USCC_ALPHABET:
            allowed[_USCC_ALPHABET.index(char)] = True

    def screen(column: Any, height: int) -> Any:
        passed = np.ones(height, dtype=bool)
        found = _fixed(column, name, 18)
        if found is None or not found[1].shape[1]:
            return passed
        where, cells = found
        data = cells.tobytes().translate(_USCC_VALUES)
        value = np.frombuffer(data, dtype=np.uint8).reshape(cells.shape)
        shaped = np.maximum.reduce(value, axis=0) != _OUTSIDE
        total = np.multiply(value[0], weights[0], dtype=np.uint16)
        for row, weight in zip(value[1:17], weights[1:], strict=True):
            total += np.multiply(row, weight, dtype=np.uint16)
        fine = value[17] == (31 - total % 31) % 31
        fine &= allowed[value[0]]
        division = value[2:8]
        digits = np.maximum.reduce(division, axis=0) <= 9
        if not digits.all():  # keep the table look-up in range
            division = np.where(digits, division, np.uint8(0))
        fine &= digits & divisions[_number(division)]
        if where is None:
            return ~shaped | fine
        passed[where] = ~shaped | fine
        return passed

    return _Screen(screen, ((name, 18),))


def _scatter(where: Any, values: Any, height: int, fill: int, dtype: Any) -> Any:
    """A ``height`` array of ``fill`` holding ``values`` at ``where`` (None: everywhere)."""
    import numpy as np

    if where is None:
        return values.astype(dtype, copy=False)
    out = np.full(height, fill, dtype=dtype)
    out[where] = values
    return out


def _ric_numbers(
    column: Any, name: str, height: int, dates: tuple[Any, Any] | None
) -> tuple[Any, Any, Any]:
    """For each cell of a column of identity numbers: the embedded date as ``YYYYMMDD`` (-1
    when the cell is not of the 18- or 15-character shape) and whether it is a real date
    (both left at -1 and False without ``dates``), and the parity of the sequence code (-1
    when not of either shape)."""
    import numpy as np

    embedded = np.full(height, -1, dtype=np.int32)
    real = np.zeros(height, dtype=bool)
    parity = np.full(height, -1, dtype=np.int8)
    where, cells = _fixed(column, name, 18) or (None, np.zeros((18, 0), dtype=np.uint8))
    if cells.shape[1]:
        digits = np.subtract(cells, 48, out=cells)
        last = digits[17]
        shaped = (np.maximum.reduce(digits[:17], axis=0) <= 9) & ((last <= 9) | (last == 40))
        at = slice(None) if where is None else where
        parity[at] = np.where(shaped, digits[16] % 2, -1)
        if dates is not None:
            born = np.where(shaped, digits[6:14], np.uint8(0))
            embedded[at] = np.where(shaped, _number(born), -1)
            real[at] = shaped & real_dates(born, dates)
    where, cells = _fixed(column, name, 15) or (None, np.zeros((15, 0), dtype=np.uint8))
    if cells.shape[1]:
        digits = np.subtract(cells, 48, out=cells)
        shaped = np.maximum.reduce(digits, axis=0) <= 9
        at = slice(None) if where is None else where
        parity[at] = np.where(shaped, digits[14] % 2, -1)
        if dates is not None:
            century = np.empty((2, digits.shape[1]), dtype=np.uint8)
            century[0], century[1] = 1, 9  # 15-digit numbers: year 19YY
            born = np.where(shaped, np.concatenate([century, digits[6:12]]), np.uint8(0))
            embedded[at] = np.where(shaped, _number(born), -1)
            real[at] = shaped & real_dates(born, dates)
    return embedded, real, parity


def birth_date_matches_screen(context: RuleContext) -> Screen:
    """The screen of ``cn.ric.birth-date-matches``: the date field is not ``YYYY-MM-DD``, the
    number is of neither shape, the dates are equal, or the embedded date is not real."""
    import numpy as np

    number_field, date_field = context.fields
    dates = date_tables()
    dash = (ord("-") - 48) % 256

    def screen(column: Any, height: int) -> Any:
        found = _fixed(column, date_field, 10)
        # a missing field is "no value": nothing to say
        if found is None or not found[1].shape[1]:
            return np.ones(height, dtype=bool)
        where, cells = found
        digits = np.subtract(cells, 48, out=cells)
        iso = (digits[4] == dash) & (digits[7] == dash)
        digits = digits[[0, 1, 2, 3, 5, 6, 8, 9]]
        iso &= np.maximum.reduce(digits, axis=0) <= 9
        compact = np.where(iso, _number(np.where(iso, digits, np.uint8(0))), -1)
        compact = _scatter(where, compact, height, -1, np.int32)
        embedded, real, _ = _ric_numbers(column, number_field, height, dates)
        return (compact < 0) | (embedded < 0) | (compact == embedded) | ~real

    return _Screen(screen, ((date_field, 10), (number_field, 18), (number_field, 15)))


def sex_matches_screen(context: RuleContext) -> Screen:
    """The screen of ``cn.ric.sex-matches``: the sex code is not 1 or 2, the number is of
    neither shape, or the parity of its sequence code agrees (odd: 1)."""
    import numpy as np

    number_field, sex_field = context.fields

    def screen(column: Any, height: int) -> Any:
        found = _fixed(column, sex_field, 1)
        if found is None or not found[1].shape[1]:
            return np.ones(height, dtype=bool)
        where, cells = found
        # 1 for "1", 0 for "2", -1 for anything else (it agrees with any number)
        code = np.where(cells[0] == ord("1"), 1, np.where(cells[0] == ord("2"), 0, -1))
        code = _scatter(where, code, height, -1, np.int8)
        _, _, parity = _ric_numbers(column, number_field, height, None)
        return (code < 0) | (parity < 0) | (code == parity)

    return _Screen(screen, ((sex_field, 1), (number_field, 18), (number_field, 15)))
