"""Value rules: how one vendor column's text becomes one canonical value, and back.

A :class:`ValueRule` is built once per column from the mapping file (``type = "date"`` …) and
then called for every cell. Reading (:meth:`ValueRule.read`) returns a :data:`Reading`:

- the canonical value (``None`` when the cell is empty or a null marker: the field is absent);
- the *fixes*: changes made beyond the vendor's declared format, each ``(code, before,
  after)`` with a ``fix.*`` code (trimming, full-width digits, a lower-case ``x`` …);
- a *problem*: ``(code, params)`` when the value cannot be mapped with certainty
  (``adapter.scientific-notation``, ``adapter.unmapped-value`` …). Nothing is guessed: the
  value is then passed on unchanged, and the record is rejected.

Writing (:meth:`ValueRule.write`) turns a canonical value into the vendor's text, or says why
it cannot be written so that it reads back unchanged (``adapter.not-representable``).

The common, clean cell costs one set lookup, one ``strip`` and one type-specific check.
Plugins add their own types by passing ``types={"name": SomeRule}`` to
:func:`govstd.adapters.load_adapter`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import compress, repeat
from operator import is_
from typing import Any, ClassVar

from govstd.exceptions import SetupError

__all__ = [
    "FULLWIDTH",
    "CodeRule",
    "ColumnMemo",
    "DateRule",
    "DecimalRule",
    "DigitsRule",
    "FrameReader",
    "IdentityNumberRule",
    "PhoneRule",
    "Problem",
    "Reading",
    "TextRule",
    "ValueRule",
    "WriteResult",
    "builtin_value_types",
    "compile_date_format",
    "read_frame",
]

#: ``(code, before, after)``
Fix = tuple[str, str, str]
#: ``(code, params)``
Problem = tuple[str, dict[str, Any]]
#: ``(value, fixes, problem)``
Reading = tuple[Any, list[Fix] | None, Problem | None]
#: ``(text, problem)``
WriteResult = tuple[str, Problem | None]

ABSENT: Reading = (None, None, None)

#: full-width digits, letters X/x and the punctuation found in numbers, dates and phones
FULLWIDTH = str.maketrans(
    "０１２３４５６７８９Ｘｘ－＋／．（）：",
    "0123456789Xx-+/.():",
)
_FULLWIDTH_CHARS = frozenset("０１２３４５６７８９Ｘｘ－＋／．（）：")
_SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]+\Z")
_SPREADSHEET_SUFFIX = re.compile(r"([0-9]+)\.0+\Z")
#: C0 controls other than tab, LF and CR: neither CSV readers nor XML 1.0 carry them
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: the characters ``str.strip`` removes (``str.isspace``), as a class of the polars (Rust)
#: regex syntax: Rust's ``\s`` is not the same set (it leaves out U+001C to U+001F)
_SPACE_CLASS = (
    "[\\x{9}-\\x{d}\\x{1c}-\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}"
    "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"
)
#: a text with whitespace at either end (polars regex)
_PADDED = f"^{_SPACE_CLASS}|{_SPACE_CLASS}$"


def _unrepresentable(detail: str) -> Problem:
    return ("adapter.not-representable", {"detail": detail})


#: a column's value not yet known: the cell needs the full :meth:`ValueRule.read`
_SLOW: Any = object()


class ColumnMemo:
    """The readings of texts already seen in one column, at most ``size`` of them.

    Most columns repeat a few values (codes, dates, divisions): a text read once is not read
    again. Clean readings (no fixes, no problem) are kept as the bare value (``None`` when
    absent) in ``clean``, every other reading in ``other``. Only for rules whose ``memo`` is true (the
    reading depends on the text alone).
    """

    __slots__ = ("clean", "other", "size")

    def __init__(self, size: int) -> None:
        self.clean: dict[str, Any] = {}
        self.other: dict[str, Reading] = {}
        self.size = size

    def read(self, raw: str, read: Callable[[str], Reading]) -> Reading:
        """The reading of ``raw``: remembered, or ``read(raw)`` (then remembered if room)."""
        value = self.clean.get(raw, _SLOW)
        if value is not _SLOW:
            return value, None, None
        reading = self.other.get(raw)
        if reading is None:
            reading = read(raw)
            self.keep(raw, reading)
        return reading

    def keep(self, raw: str, reading: Reading) -> None:
        clean, other = self.clean, self.other
        if len(clean) + len(other) < self.size:
            if reading[1] is None and reading[2] is None:
                clean[raw] = reading[0]
            else:
                other[raw] = reading


def _reads_as(rule: ValueRule, kind: type[ValueRule]) -> bool:
    """Whether ``rule`` reads exactly as the built-in ``kind`` does (a subclass may change
    :meth:`ValueRule.read` or ``parse``; then its own methods are used for every cell)."""
    cls = type(rule)
    return cls.read is ValueRule.read and cls.parse is kind.parse


class ValueRule:
    """The base of every value type: null markers, trimming and full-width folding.

    Subclasses implement :meth:`parse` (text that is already trimmed, folded and not null)
    and :meth:`format`; they may set ``fold_fullwidth`` for columns of digits.
    """

    #: the ``type`` name used in mapping files
    type_name: ClassVar[str] = "text"
    #: whether full-width digits and punctuation are made ASCII (a fix)
    fold_fullwidth: ClassVar[bool] = False
    #: mapping keys this type accepts beyond the common ones
    options: ClassVar[frozenset[str]] = frozenset()
    #: whether :meth:`read` depends on the raw text only, so that the adapter may reuse the
    #: reading of a text it has already seen in the column (set False for a stateful type)
    memo: ClassVar[bool] = True
    #: how many distinct texts of a column the adapter remembers the readings of
    memo_size: ClassVar[int] = 4096

    def __init__(
        self, column: str, null_markers: Iterable[str], settings: Mapping[str, Any]
    ) -> None:
        self.column = column
        self.nulls = frozenset(null_markers) | {""}
        self.trim = bool(settings.get("trim", True))
        unknown = set(settings) - self.options - {"trim"}
        if unknown:
            raise SetupError(
                f"column {column!r}: unknown option(s) {', '.join(sorted(unknown))} "
                f"for type {self.type_name!r}"
            )

    # -- reading -------------------------------------------------------------------------

    def read(self, raw: str) -> Reading:
        nulls = self.nulls
        if raw in nulls:
            return ABSENT
        text = raw.strip() if self.trim else raw
        fixes: list[Fix] | None = None
        if text is not raw and text != raw:
            if text in nulls:
                return ABSENT  # a blank cell, or a null marker with padding
            fixes = [("fix.trimmed", raw, text)]
        if self.fold_fullwidth and not text.isascii() and not _FULLWIDTH_CHARS.isdisjoint(text):
            folded = text.translate(FULLWIDTH)
            (fixes if fixes is not None else (fixes := [])).append(
                ("fix.fullwidth-digits", text, folded)
            )
            text = folded
        value, more, problem = self.parse(text)
        if more:
            if fixes is None:
                fixes = more
            else:
                fixes.extend(more)
        return value, fixes, problem

    def parse(self, text: str) -> Reading:
        return text, None, None

    def read_column(
        self, cells: Sequence[str], memo: ColumnMemo | None = None
    ) -> tuple[list[Any], dict[int, Reading]]:
        """Read a whole column: the value of every cell (``None`` when it is absent), and
        the full reading of every cell that has fixes or a problem, by position.

        The same as ``[self.read(c) for c in cells]`` (through ``memo`` when given), only
        faster: built-in types recognise their clean cells in one pass (:meth:`_quick`), and
        only the others are read one by one, in order.
        """
        values = self._quick(cells)
        if values is None:
            if memo is not None:
                values = list(map(memo.clean.get, cells, repeat(_SLOW)))
            else:
                values = [_SLOW] * len(cells)
        irregular: dict[int, Reading] = {}
        slow = list(compress(range(len(values)), map(is_, values, repeat(_SLOW))))
        if not slow:
            return values, irregular
        read = self.read
        remembered = memo.read if memo is not None else None
        for i in slow:
            # through the memo: a text may repeat within the column
            reading = read(cells[i]) if remembered is None else remembered(cells[i], read)
            values[i] = reading[0]
            if reading[1] is not None or reading[2] is not None:
                irregular[i] = reading
        return values, irregular

    def _quick(self, cells: Sequence[str]) -> list[Any] | None:
        """The values of the cells this type reads cleanly with certainty (no fixes, no
        problem; ``None`` for a null marker or an empty cell) and ``_SLOW`` for every other
        cell; or None. Each built-in type checks only what makes a cell certainly clean,
        and only when the rule reads as the built-in does (:func:`_reads_as`)."""
        return None

    def read_series(
        self, cells: Any, memo: ColumnMemo | None = None
    ) -> tuple[list[Any], dict[int, Reading], Any]:
        """:meth:`read_column` for a column held by polars (a String Series; a null is an
        empty cell): the same values and irregular readings, and the values as a String
        Series (null: absent), or None when some value is not text. See
        :func:`read_frame`, which reads several columns of a frame at once."""
        import polars as pl

        frame = pl.DataFrame([cells.alias("c")])
        return read_frame(frame, [(self, "c", memo)])[0]

    def _clean_test(self, texts: Any) -> Any:
        """A polars boolean expression (or Series, given a Series) over ``texts`` (the cells,
        ``""`` for an empty one), true for the cells that, unless they are null markers, this
        type certainly reads as themselves with no fix and no problem; or None (no such test:
        every cell is read by :meth:`read_column`). Built-in types only, and only when the
        rule reads as the built-in does (:func:`_reads_as`)."""
        return None

    def _clean_values(self, texts: Any) -> Any:
        """A polars expression over ``texts`` (as for :meth:`_clean_test`) giving, for the
        cells that, unless they are null markers, this type certainly reads with no fix and
        no problem, their value as text, and null for every other cell; or None (then
        :meth:`_clean_test` is asked). For types whose clean value is not the text itself;
        built-in types only, and only when the rule reads as the built-in does."""
        return None

    # -- writing -------------------------------------------------------------------------

    def write(self, value: Any) -> WriteResult:
        if value is None:
            return "", None
        text, problem = self.format(value)
        if problem is not None:
            return text, problem
        if text in self.nulls:
            return text, _unrepresentable(f"{text!r} is a null marker of this layout")
        if not text.isprintable() and _CONTROL.search(text):
            return text, _unrepresentable("control characters cannot be written in files")
        if self.trim and text != text.strip():
            return text, _unrepresentable("surrounding whitespace would be trimmed on reading")
        return text, None

    def format(self, value: Any) -> WriteResult:
        if not isinstance(value, str):
            return str(value), _unrepresentable(f"expected text, got {type(value).__name__}")
        return value, None

    @property
    def expected(self) -> str:
        """What the column holds, for hints."""
        return "text"


def read_frame(
    frame: Any,
    columns: Sequence[tuple[ValueRule, str, ColumnMemo | None]],
    *,
    lists: bool = True,
) -> list[tuple[list[Any] | None, dict[int, Reading], Any]]:
    """:meth:`ValueRule.read_column` for columns of a polars frame of texts (a null is an
    empty cell), one ``(rule, column name, memo)`` each: per column, the values, the
    irregular readings by position, and the values as a String Series (null: absent), or
    None when some value is not text. With ``lists`` false the values may be None instead
    of a list when the Series holds them. See :class:`FrameReader`, which builds its
    polars expressions once for many frames."""
    reader = FrameReader([(rule, name) for rule, name, _ in columns])
    return reader.read(frame, [memo for _, _, memo in columns], lists=lists)


class FrameReader:
    """:func:`read_frame` for one set of ``(rule, column name)``, its polars expressions
    built once (an adapter reads every batch of a feed with the same columns).

    The vectorised tests of every column (:meth:`ValueRule._clean_test`: the cells a type
    certainly reads as themselves; :meth:`ValueRule._clean_values`: the cells it certainly
    reads cleanly, and their values) and of null markers run in one polars pass; only the
    other cells are read one by one, in order, through the column's memo. A column whose
    type has neither is read through its memo one distinct text at a time when its texts
    repeat (:func:`_read_repeated`), else as a list by :meth:`ValueRule.read_column`.
    """

    def __init__(self, columns: Sequence[tuple[ValueRule, str]]) -> None:
        import polars as pl

        self.columns = list(columns)
        flags = []
        self.tested: list[bool] = []
        #: the columns whose clean values are not their texts
        self.valued: set[int] = set()
        for k, (rule, name) in enumerate(self.columns):
            texts = pl.col(name).fill_null("")
            known = rule._clean_values(texts)
            test = rule._clean_test(texts) if known is None else None
            self.tested.append(known is not None or test is not None)
            if known is None and test is None:
                continue
            absent = texts.is_in(list(rule.nulls))
            flags.append(absent.alias(f"a{k}"))
            if known is not None:
                flags.append(known.alias(f"v{k}"))
                self.valued.add(k)
            else:
                flags.append((~(test | absent)).alias(f"s{k}"))
        self.flags = flags
        #: slow: neither absent nor clean (no value)
        self.slow = [
            (pl.col(f"v{k}").is_null() & ~pl.col(f"a{k}")).alias(f"s{k}")
            for k in sorted(self.valued)
        ]

    def read(
        self, frame: Any, memos: Sequence[ColumnMemo | None], *, lists: bool = True
    ) -> list[tuple[list[Any] | None, dict[int, Reading], Any]]:
        """Read ``frame`` (see :func:`read_frame`), one memo (or None) per column."""
        import numpy as np
        import polars as pl

        screened = frame.select(self.flags) if self.flags else None
        if self.slow:
            assert screened is not None
            screened = screened.with_columns(self.slow)
        valued = self.valued
        out: list[tuple[list[Any] | None, dict[int, Reading], Any]] = []
        for k, ((rule, name), memo) in enumerate(zip(self.columns, memos, strict=True)):
            if not self.tested[k]:
                found = _read_repeated(rule, frame[name], memo, lists) if memo is not None else None
                if found is None:
                    values, irregular = rule.read_column(frame[name].fill_null("").to_list(), memo)
                    try:
                        series = pl.Series(name, values, dtype=pl.String, strict=True)
                    except (TypeError, ValueError, pl.exceptions.PolarsError):
                        series = None
                    found = (values, irregular, series)
                out.append(found)
                continue
            assert screened is not None
            # a clean cell's value is its text (or the one the type gave); an absent one's
            # None; a slow one's its reading
            absent = np.flatnonzero(screened[f"a{k}"].to_numpy()).tolist()
            slow = np.flatnonzero(screened[f"s{k}"].to_numpy()).tolist()
            series = screened[f"v{k}"] if k in valued else frame[name]
            irregular = {}
            patched: list[Any] = []
            if slow:
                cells = frame[name].gather(slow).to_list()  # (never null: an empty cell is absent)
                read = rule.read
                remembered = memo.read if memo is not None else None
                for i, cell in zip(slow, cells, strict=True):
                    reading = read(cell) if remembered is None else remembered(cell, read)
                    patched.append(reading[0])
                    if reading[1] is not None or reading[2] is not None:
                        irregular[i] = reading
            listed: list[Any] | None = None
            if all(type(value) is str or value is None for value in patched):
                if absent or slow:
                    series = series.scatter(absent + slow, [None] * len(absent) + patched)
                if lists:
                    listed = series.to_list()
            else:
                listed = series.to_list()
                for i in absent:
                    listed[i] = None
                for i, value in zip(slow, patched, strict=True):
                    listed[i] = value
                series = None
            out.append((listed, irregular, series.alias(name) if series is not None else None))
        return out


def _read_repeated(
    rule: ValueRule, column: Any, memo: ColumnMemo, lists: bool
) -> tuple[list[Any] | None, dict[int, Reading], Any] | None:
    """One column of a frame read one distinct text at a time (through ``memo``), when its
    texts repeat (codes, dates …): as :func:`read_frame` gives it, or None (texts that
    hardly repeat, or a value that is not text: read the column as a list)."""
    import numpy as np
    import polars as pl

    texts = column.fill_null("")
    distinct = texts.unique()
    if len(distinct) * 4 > len(texts):
        return None
    keys = distinct.to_list()
    read = rule.read
    readings = [memo.read(text, read) for text in keys]
    values = [reading[0] for reading in readings]
    if not all(type(value) is str or value is None for value in values):
        return None
    series = texts.replace_strict(keys, values, default=None, return_dtype=pl.String)
    odd = {
        text: reading
        for text, reading in zip(keys, readings, strict=True)
        if reading[1] is not None or reading[2] is not None
    }
    irregular: dict[int, Reading] = {}
    if odd:
        positions = np.flatnonzero(texts.is_in(list(odd)).to_numpy()).tolist()
        for i, text in zip(positions, texts.gather(positions).to_list(), strict=True):
            irregular[i] = odd[text]
    return (series.to_list() if lists else None, irregular, series.alias(column.name))


class TextRule(ValueRule):
    """Free text (names, addresses): trimmed, otherwise kept as it is."""

    type_name = "text"
    options = frozenset({"upper"})

    def __init__(
        self, column: str, null_markers: Iterable[str], settings: Mapping[str, Any]
    ) -> None:
        super().__init__(column, null_markers, settings)
        self.upper = bool(settings.get("upper", False))

    def parse(self, text: str) -> Reading:
        if self.upper and not text.isupper() and text.upper() != text:
            return text.upper(), [("fix.upper-cased", text, text.upper())], None
        return text, None, None

    def _quick(self, cells: Sequence[str]) -> list[Any] | None:
        if self.upper or self.fold_fullwidth or not _reads_as(self, TextRule):
            return None
        nulls = self.nulls
        if not self.trim:
            return [None if raw in nulls else raw for raw in cells]
        # a null marker is absent; nothing to trim: the text itself
        return [None if raw in nulls else raw if raw.strip() == raw else _SLOW for raw in cells]

    def _clean_test(self, texts: Any) -> Any:
        if self.upper or self.fold_fullwidth or not _reads_as(self, TextRule):
            return None
        if not self.trim:
            return texts.is_not_null()
        return ~texts.str.contains(_PADDED)


def _scientific(text: str) -> Problem | None:
    if _SCIENTIFIC.match(text):
        return ("adapter.scientific-notation", {})
    return None


class IdentityNumberRule(ValueRule):
    """GB 11643 identity numbers: full-width digits folded, a final ``x`` upper-cased,
    spreadsheet scientific notation refused. Shape and check character are the standard's
    business; a value the rule does not recognise is passed on for it to report."""

    type_name = "cn-ric"
    fold_fullwidth = True

    def parse(self, text: str) -> Reading:
        if text[-1] == "x" and len(text) == 18 and text[:17].isdigit():
            upper = text[:17] + "X"
            return upper, [("fix.id-upper-x", text, upper)], None
        if not text.isdigit():
            problem = _scientific(text)
            if problem is not None:
                return text, None, problem
        return text, None, None

    def _quick(self, cells: Sequence[str]) -> list[Any] | None:
        if not _reads_as(self, IdentityNumberRule):
            return None
        nulls = self.nulls
        # ASCII digits, with or without a final X: nothing to trim, fold or refuse
        return [
            None
            if raw in nulls
            else raw
            if (raw.isdigit() or (raw[-1:] == "X" and raw[:-1].isdigit())) and raw.isascii()
            else _SLOW
            for raw in cells
        ]

    def _clean_test(self, texts: Any) -> Any:
        if not _reads_as(self, IdentityNumberRule):
            return None
        return texts.str.contains("^[0-9]+X?$")

    @property
    def expected(self) -> str:
        return "an 18-character or 15-digit identity number"


class DigitsRule(ValueRule):
    """Codes made of digits (division codes …): full-width folded, a spreadsheet ``.0``
    suffix dropped, scientific notation refused."""

    type_name = "digits"
    fold_fullwidth = True

    def parse(self, text: str) -> Reading:
        if text.isdigit():
            return text, None, None
        match = _SPREADSHEET_SUFFIX.match(text)
        if match:
            digits = match.group(1)
            return digits, [("fix.spreadsheet-suffix", text, digits)], None
        problem = _scientific(text)
        if problem is not None:
            return text, None, problem
        return text, None, None

    def _quick(self, cells: Sequence[str]) -> list[Any] | None:
        if not _reads_as(self, DigitsRule):
            return None
        nulls = self.nulls
        return [
            None if raw in nulls else raw if raw.isdigit() and raw.isascii() else _SLOW
            for raw in cells
        ]

    def _clean_test(self, texts: Any) -> Any:
        if not _reads_as(self, DigitsRule):
            return None
        return texts.str.contains("^[0-9]+$")

    @property
    def expected(self) -> str:
        return "digits"


# -- dates -------------------------------------------------------------------------------------

_DATE_TOKENS = re.compile(r"YYYY|MM|M|DD|D")
_DATE_GROUPS = {"YYYY": r"(?P<y>[0-9]{4})", "MM": r"(?P<m>[0-9]{2})", "M": r"(?P<m>[0-9]{1,2})"}
_DATE_GROUPS |= {"DD": r"(?P<d>[0-9]{2})", "D": r"(?P<d>[0-9]{1,2})"}
#: each token as the polars regex of the digits a clean cell holds: Python's ``date``
#: takes years 1 to 9999
_DATE_SHAPES = {
    "YYYY": "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])",
    "MM": "[0-9]{2}",
    "M": "[0-9]{1,2}",
    "DD": "[0-9]{2}",
    "D": "[0-9]{1,2}",
}
#: unambiguous year-first forms read (as a fix) when no declared format matches
_TOLERATED_DATES = tuple(
    re.compile(p)
    for p in (
        r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})\Z",
        r"(?P<y>[0-9]{4})\.(?P<m>[0-9]{1,2})\.(?P<d>[0-9]{1,2})\Z",
        r"(?P<y>[0-9]{4})/(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})\Z",
        r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日\Z",
    )
)


def compile_date_format(spec: str) -> tuple[re.Pattern[str], Callable[[date], str]]:
    """A date format such as ``YYYY年M月D日`` as (regex to read it, function to write it).

    Tokens: ``YYYY``, ``MM``/``M`` (month with/without zero padding), ``DD``/``D``; every
    other character stands for itself.
    """
    tokens = _DATE_TOKENS.findall(spec)
    if sorted(t[0] for t in tokens) != ["D", "M", "Y"]:
        raise SetupError(f"date format {spec!r} needs exactly one each of YYYY, M/MM and D/DD")
    pattern = _DATE_TOKENS.sub(lambda m: _DATE_GROUPS[m.group(0)], re.escape(spec))
    # re.escape leaves letters alone, so the tokens survive escaping
    widths = {"YYYY": "{0.year:04d}", "MM": "{0.month:02d}", "M": "{0.month}"}
    widths |= {"DD": "{0.day:02d}", "D": "{0.day}"}
    template = _DATE_TOKENS.sub(
        lambda m: widths[m.group(0)], spec.replace("{", "{{").replace("}", "}}")
    )
    return re.compile(pattern + r"\Z"), template.format


class DateRule(ValueRule):
    """Dates in the vendor's declared formats (``formats``, the first is written), as
    ``YYYY-MM-DD``. An unambiguous year-first form that is not declared is read as a
    ``fix.date-reformatted``; a day that does not exist, or any other text, is a problem."""

    type_name = "date"
    fold_fullwidth = True
    options = frozenset({"formats"})
    #: every day of about 180 years: birth dates repeat, but over tens of thousands of days
    memo_size = 1 << 16

    def __init__(
        self, column: str, null_markers: Iterable[str], settings: Mapping[str, Any]
    ) -> None:
        super().__init__(column, null_markers, settings)
        formats = settings.get("formats") or ["YYYY-MM-DD"]
        if isinstance(formats, str) or not all(isinstance(f, str) for f in formats):
            raise SetupError(f"column {column!r}: formats must be a list of strings")
        self.formats = list(formats)
        compiled = [compile_date_format(f) for f in formats]
        self.patterns = [regex for regex, _ in compiled]
        self.writer = compiled[0][1]

    def parse(self, text: str) -> Reading:
        match = None
        for pattern in self.patterns:
            match = pattern.match(text)
            if match is not None:
                break
        fixes: list[Fix] | None = None
        if match is None:
            for pattern in _TOLERATED_DATES:
                match = pattern.match(text)
                if match is not None:
                    break
            if match is None:
                return text, None, ("adapter.unparseable-value", {"expected": self.expected})
            fixes = []
        try:
            day = date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            return text, None, ("adapter.invalid-date", {})
        iso = day.isoformat()
        if fixes is not None:
            fixes.append(("fix.date-reformatted", text, iso))
        return iso, fixes, None

    def _clean_values(self, texts: Any) -> Any:
        """The cells in the first declared format that name a real day, as ``YYYY-MM-DD``
        (parsed by polars); None when that format's tokens are not each followed by a
        character other than a digit (the parse could then split the digits otherwise), or
        it has a digit among its other characters, white space at an end or a character
        the rule folds."""
        import polars as pl

        if not _reads_as(self, DateRule):
            return None
        spec = self.formats[0]
        if spec != spec.strip() or not _FULLWIDTH_CHARS.isdisjoint(spec):
            return None
        if any(c.isdigit() for c in _DATE_TOKENS.sub("", spec)):
            return None
        shape, parse, at = ["^"], [], 0
        for token in _DATE_TOKENS.finditer(spec):
            following = spec[token.end() : token.end() + 1]
            if following.isdigit() or following.startswith(("Y", "M", "D")):
                return None
            literal = spec[at : token.start()]
            shape.extend(f"\\x{{{ord(c):X}}}" for c in literal)
            parse.append(literal.replace("%", "%%"))
            text = token.group(0)
            shape.append(_DATE_SHAPES[text])
            parse.append({"Y": "%Y", "M": "%m", "D": "%d"}[text[0]])
            at = token.end()
        shape.extend(f"\\x{{{ord(c):X}}}" for c in spec[at:])
        parse.append(spec[at:].replace("%", "%%"))
        day = texts.str.to_date("".join(parse), strict=False)  # null: no such day
        return pl.when(texts.str.contains("".join(shape) + "$")).then(day.dt.to_string("%Y-%m-%d"))

    def format(self, value: Any) -> WriteResult:
        try:
            day = date.fromisoformat(value)
        except (TypeError, ValueError):
            return str(value), _unrepresentable("not a YYYY-MM-DD date")
        return self.writer(day), None

    @property
    def expected(self) -> str:
        return " or ".join(self.formats)


# -- codes -------------------------------------------------------------------------------------


class CodeRule(ValueRule):
    """Labels mapped to codes.

    Declared values (no fix): the ``codes`` table (label → code) and, with ``labels = "zh"``
    (or ``"en"``), the code list's own labels in that language, each also without
    ``optional_suffix`` (``汉`` for ``汉族``). With a ``codelist``, its labels in any
    language are accepted too, as ``fix.code-mapped``. Anything else is
    ``adapter.unmapped-value``. Writing uses the first declared label of a code.
    """

    type_name = "code"
    options = frozenset({"codes", "codelist", "labels", "optional_suffix"})

    def __init__(
        self,
        column: str,
        null_markers: Iterable[str],
        settings: Mapping[str, Any],
        *,
        codelist: Any = None,
    ) -> None:
        super().__init__(column, null_markers, settings)
        codes = settings.get("codes", {})
        if not isinstance(codes, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in codes.items()
        ):
            raise SetupError(f'column {column!r}: codes must be a table of label = "code"')
        declared: dict[str, str] = dict(codes)
        labels_lang = settings.get("labels")
        suffix = settings.get("optional_suffix", "")
        aliases: dict[str, str] = {}
        if codelist is not None:
            for entry in codelist:
                for lang, label in entry.labels.items():
                    target = declared if lang == labels_lang else aliases
                    target.setdefault(label, entry.code)
        elif labels_lang:
            raise SetupError(f"column {column!r}: labels = {labels_lang!r} needs a codelist")
        if suffix:
            for label, code in list(declared.items()):
                if label.endswith(suffix) and len(label) > len(suffix):
                    declared.setdefault(label[: -len(suffix)], code)
        self.declared = declared
        self.aliases = {k: v for k, v in aliases.items() if k not in declared}
        self.reverse: dict[str, str] = {}
        for label, code in declared.items():
            if suffix and not label.endswith(suffix) and label + suffix in declared:
                continue  # write the full label
            self.reverse.setdefault(code, label)

    def parse(self, text: str) -> Reading:
        code = self.declared.get(text)
        if code is not None:
            return code, None, None
        code = self.aliases.get(text)
        if code is not None:
            return code, [("fix.code-mapped", text, code)], None
        return text, None, ("adapter.unmapped-value", {"expected": self.expected})

    def _clean_values(self, texts: Any) -> Any:
        """The code of every cell that is a declared label with nothing to trim."""
        import polars as pl

        if not _reads_as(self, CodeRule):
            return None
        labels = {
            label: code
            for label, code in self.declared.items()
            if not self.trim or label == label.strip()
        }
        return texts.replace_strict(
            list(labels), list(labels.values()), default=None, return_dtype=pl.String
        )

    def format(self, value: Any) -> WriteResult:
        label = self.reverse.get(value) if isinstance(value, str) else None
        if label is None:
            return str(value), _unrepresentable(f"code {value!r} has no label in this layout")
        return label, None

    @property
    def expected(self) -> str:
        labels = list(self.reverse.values())
        shown = ", ".join(labels[:12])
        return shown + (f" … ({len(labels)} labels)" if len(labels) > 12 else "")


# -- phone numbers -------------------------------------------------------------------------

_PHONE_NOISE = re.compile(r"[\s\-()（）]+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}\Z")
_LANDLINE = re.compile(r"0[0-9]{2,3}-[0-9]{7,8}\Z")
_COUNTRY_PREFIX = re.compile(r"(?:\+86|0086|86)(1[3-9][0-9]{9})\Z")
#: ``_MOBILE`` or ``_LANDLINE`` in one pattern
_PHONE_CLEAN = re.compile(r"(?:1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8})\Z")
#: ``_PHONE_CLEAN`` for polars
_PHONE_CLEAN_POLARS = "^(?:1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8})$"


def _landline(digits: str) -> str | None:
    """``0AA-NNNNNNNN`` for a run of digits with its trunk 0, else None.

    Chinese area codes are 010 and 02X (three digits) or 0 and three more digits, so the
    split is certain.
    """
    if len(digits) < 2 or not digits.startswith("0") or not digits.isdigit():
        return None  # ("0" alone has no area code)
    cut = 3 if digits[1] in "12" else 4
    subscriber = digits[cut:]
    if 7 <= len(subscriber) <= 8:
        return f"{digits[:cut]}-{subscriber}"
    return None


class PhoneRule(ValueRule):
    """Mainland phone numbers in the standard's form: an 11-digit mobile, or a landline
    ``0AA-NNNNNNNN``. Spaces, dashes and brackets, and a ``+86``/``86``/``0086`` prefix
    before a mobile, are removed (``fix.phone-normalised``); a value that is not recognised
    is passed on for the standard to report."""

    type_name = "cn-phone"
    fold_fullwidth = True

    def parse(self, text: str) -> Reading:
        if _MOBILE.match(text) or _LANDLINE.match(text):
            return text, None, None
        compact = _PHONE_NOISE.sub("", text)
        normal: str | None = compact
        if not _MOBILE.match(compact):
            match = _COUNTRY_PREFIX.match(compact)
            normal = match.group(1) if match else _landline(compact)
        if normal is None or normal == text:
            return text, None, None
        return normal, [("fix.phone-normalised", text, normal)], None

    def _quick(self, cells: Sequence[str]) -> list[Any] | None:
        if not _reads_as(self, PhoneRule):
            return None
        nulls = self.nulls
        clean = _PHONE_CLEAN.match
        # already in the standard's form: ASCII digits (and a hyphen) only, nothing to trim
        return [None if raw in nulls else raw if clean(raw) else _SLOW for raw in cells]

    def _clean_test(self, texts: Any) -> Any:
        if not _reads_as(self, PhoneRule):
            return None
        return texts.str.contains(_PHONE_CLEAN_POLARS)

    @property
    def expected(self) -> str:
        return "13812345678 or 010-12345678"


# -- numbers -----------------------------------------------------------------------------------

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")


class DecimalRule(ValueRule):
    """Decimal numbers, with an optional declared thousands separator (``1,000.50``).

    The canonical value is an ``int`` when there is no fractional part, else a ``float`` —
    refused (``adapter.unparseable-value``) when a float cannot hold it exactly.
    """

    type_name = "decimal"
    fold_fullwidth = True
    options = frozenset({"thousands"})

    def __init__(
        self, column: str, null_markers: Iterable[str], settings: Mapping[str, Any]
    ) -> None:
        super().__init__(column, null_markers, settings)
        self.thousands = str(settings.get("thousands", ""))

    def parse(self, text: str) -> Reading:
        plain = text.replace(self.thousands, "") if self.thousands else text
        if not _DECIMAL.match(plain):
            problem = _scientific(plain)
            if problem is not None:
                return text, None, problem
            return text, None, ("adapter.unparseable-value", {"expected": self.expected})
        if "." not in plain:
            return int(plain), None, None
        number = float(plain)
        try:
            exact = Decimal(plain) == Decimal(repr(number))
        except InvalidOperation:  # pragma: no cover - the regex admits only decimals
            exact = False
        if not exact:
            return text, None, ("adapter.unparseable-value", {"expected": "at most 15 digits"})
        return number, None, None

    def format(self, value: Any) -> WriteResult:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value), _unrepresentable("not a number")
        if isinstance(value, float) and (value != value or value in (float("inf"), -float("inf"))):
            return str(value), _unrepresentable("not a finite number")
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text, None

    @property
    def expected(self) -> str:
        return "a decimal number" + (
            f" (thousands separator {self.thousands!r})" if self.thousands else ""
        )


def builtin_value_types() -> dict[str, type[ValueRule]]:
    """The value types a mapping file can name, by ``type``."""
    return {
        rule.type_name: rule
        for rule in (
            TextRule,
            IdentityNumberRule,
            DigitsRule,
            DateRule,
            CodeRule,
            PhoneRule,
            DecimalRule,
        )
    }
