"""Rules: named checks applied to every record, compiled once into a :class:`RulesPlan`.

A standard's manifest lists ``rules``; each names a :class:`Check` (registered through the
``govstd_checks`` hook), the fields it looks at, optional parameters and an optional severity::

    [[rules]]
    id = "id-number-unique"
    check = "unique"
    fields = ["id_number"]

Compilation (once per standard version) validates each rule's fields and parameters, looks up
code lists and builds everything the check needs per record (regular expressions, weight tables,
frozen code sets). The plan then opens one checker per source; a rule that needs per-source
state (``unique``) gets fresh state for every source.

A record is a mapping of field to value: for tables, the header zipped with the row's cells
(an empty cell means "no value"); for JSON documents, the document itself (documents that are
not objects are skipped). A rule never reports a missing value, nor a value of the wrong type
or shape: the record schema reports those, once.

Findings carry the record ordinal, the line, the field that breaks the rule (and a JSON Pointer
to it for documents), ``keyword`` = the rule id, the value and what was expected. The rule's
``severity`` (when given) overrides the catalogue's default for every finding it emits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from govstd.exceptions import ManifestError
from govstd.findings import MISSING, Finding, Location, Severity

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.codelists import CodeLists
    from govstd.formats.base import DocumentBatch, TableBatch
    from govstd.standard import RuleSpec

__all__ = [
    "BatchCheck",
    "BatchOpener",
    "Check",
    "Opener",
    "RecordCheck",
    "RuleContext",
    "RulesChecker",
    "RulesPlan",
    "Screen",
    "compile_rules",
    "json_pointer",
]

#: a compiled rule applied to one record: ``(record, ordinal, line) -> findings or None``
RecordCheck = Callable[[Mapping[str, Any], int, int | None], list[Finding] | None]
#: returns the record check for one source (fresh per-source state, if the check keeps any)
Opener = Callable[[], RecordCheck]
#: a vectorised pre-filter for columnar batches: ``(column, height) -> mask`` where
#: ``column(field)`` is the field's cells as a polars String Series (null for an empty cell)
#: or None when the table has no such column, and ``mask`` is a numpy bool array, True for
#: every record that *certainly* gets no finding from the rule (False: "look closer").
#: A screen may also have an attribute ``fixed_widths``, pairs ``(field, width)``: on a frame,
#: ``column`` then also has ``column.fixed(field, width)``, the field's cells as a polars
#: ``Array(UInt8, width)`` Series of their UTF-8 bytes (null for a cell of any other length),
#: evaluated ahead by the reading thread when the batch offers it (None: not evaluated)
Screen = Callable[[Callable[[str], Any], int], Any]
#: a rule applied to a whole batch: ``(values, ordinals, lines) -> [(ordinal, finding)]`` where
#: ``values(field)`` lists the field's value in every record of the batch (None: no value)
BatchCheck = Callable[
    [Callable[[str], list[Any]], Sequence[int], Sequence[Any]], list[tuple[int, Finding]]
]
#: returns the batch check for one source (fresh per-source state)
BatchOpener = Callable[[], BatchCheck]

_NO_DEFAULT: Any = object()
#: batches of documents at least this big are screened (see ``RulesChecker._suspects``;
#: a batch that carries its records as a frame is always screened on it)
_SCREEN_DOCUMENTS = 256
#: up to this many suspect records of a columnar batch are read a row at a time (a gather of
#: every column costs more for a few rows, and waits for polars' thread pool, which the
#: reading thread keeps busy)
_ROW_BY_ROW = 512


@dataclass(frozen=True, slots=True)
class Check:
    """A named check that rules use. ``build`` runs once per rule and returns an opener.

    ``fields`` says how many fields the check takes (``(min, max)``, ``max`` None for no
    limit); ``params`` documents every parameter it accepts (unknown ones are an error);
    ``codes`` lists the finding codes it can emit (checked against the catalogue at compile
    time).
    """

    name: str
    build: Callable[[RuleContext], Opener]
    summary: str
    fields: tuple[int, int | None] = (1, 1)
    params: Mapping[str, str] = field(default_factory=dict)
    codes: tuple[str, ...] = ()
    #: optional vectorised pre-filter, built once per rule (``None``: no screen for these
    #: parameters). Only a check without per-source state may have one: records that the
    #: screen passes are not given to the record check at all.
    screen: Callable[[RuleContext], Screen | None] | None = None
    #: optional batch form, built once per rule; used instead of ``build``'s record check
    #: (which stays the reference it is tested against)
    batch: Callable[[RuleContext], BatchOpener | None] | None = None


@dataclass(frozen=True)
class RuleContext:
    """What a check is compiled with: the rule, the catalogue, the reference date, code lists."""

    rule: RuleSpec
    catalogue: Catalogue
    as_of: date
    codelists: CodeLists
    severity: Severity | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        return self.rule.fields

    def error(self, message: str) -> ManifestError:
        """A setup error naming the rule (raise it for bad fields or parameters)."""
        return ManifestError(f"rule {self.rule.id!r} ({self.rule.check}): {message}")

    def param(
        self, name: str, default: Any = _NO_DEFAULT, kind: type | tuple[type, ...] = object
    ) -> Any:
        """The parameter ``name``, checked to be of ``kind``; required if no default."""
        if name not in self.rule.params:
            if default is _NO_DEFAULT:
                raise self.error(f"needs the parameter {name!r}")
            return default
        value = self.rule.params[name]
        if kind is not object and (
            not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind))
        ):
            names = " or ".join(k.__name__ for k in _kinds(kind))
            raise self.error(f"parameter {name!r} must be of type {names}, not {value!r}")
        return value

    def finding(
        self,
        code: str,
        *,
        record: int,
        line: int | None,
        field: str,
        value: Any = MISSING,
        expected: Any = MISSING,
        severity: Severity | None = None,
        **params: Any,
    ) -> Finding:
        """A finding of this rule about ``field`` of one record.

        Its severity is the rule's, else ``severity``, else the catalogue's default for ``code``.
        """
        params.setdefault("rule", self.rule.id)
        return self.catalogue.finding(
            code,
            record=record,
            location=Location(line=line, field=field),
            severity=self.severity or severity,
            keyword=self.rule.id,
            value=value,
            expected=expected,
            **params,
        )


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


# -- the plan ------------------------------------------------------------------------------


class RulesChecker:
    """Applies every rule to every record of one source, batch after batch.

    A rule is applied record by record (:data:`RecordCheck`) or, if its check has a batch
    form (:attr:`Check.batch`, e.g. ``unique`` on a compact key index), to a whole batch at
    a time; the findings are put back in the reference order (record, then rule).

    With a screen for every record rule (see :attr:`Check.screen`), a columnar batch (one
    with a polars ``frame``) is screened first and only the records some screen is unsure of
    are built and checked one by one, by the record checks of the rules whose screens are
    unsure of them; the findings are those of the reference path (the differential tests in
    ``tests/test_rules_fast.py`` and ``tests/test_rules_screens.py``). The byte arrays the
    screens read (:data:`Screen`) are one select, done ahead by the reading thread when the
    batch offers it. Batches of documents are screened the same way: on their own polars
    frame when they carry one (an adapter's :attr:`~govstd.adapters.model.AdaptedBatch.frame`,
    also read by the batch forms), else with their screened fields gathered into polars
    columns when every screened value is text.
    """

    def __init__(
        self,
        checks: Sequence[RecordCheck | None],
        screens: Sequence[Screen | None] | None = None,
        batches: Sequence[BatchCheck | None] | None = None,
    ) -> None:
        batches = tuple(batches) if batches else (None,) * len(checks)
        screens = tuple(screens) if screens else (None,) * len(checks)
        #: (rule position, record check) for the rules applied record by record
        self._records = tuple(
            (i, c) for i, (c, b) in enumerate(zip(checks, batches, strict=True)) if b is None
        )
        self._checks = tuple(c for _, c in self._records)
        self._batches = tuple((i, b) for i, b in enumerate(batches) if b is not None)
        record_screens = [screens[i] for i, _ in self._records]
        self._screens = tuple(record_screens)
        self._screened = all(s is not None for s in record_screens)
        #: the (field, width) byte arrays the screens read (see :data:`Screen`)
        self._fixed_widths = tuple(
            dict.fromkeys(
                pair for screen in record_screens for pair in getattr(screen, "fixed_widths", ())
            )
        )
        #: per frame layout: the select evaluating them, its key and output columns
        self._ahead: dict[tuple[str, ...], tuple[Any, list[Any], dict[tuple[str, int], str]]] = {}
        self._made_by: dict[int, int] = {}

    def check_table(self, batch: TableBatch) -> list[Finding]:
        frame = getattr(batch, "frame", None)
        if frame is not None and self._screened:
            return self._check_frame(batch, frame)
        out = self._check_rows(batch, batch.rows, batch.ordinals, batch.lines)
        if not self._batches:
            return out
        header = list(batch.header)
        where = {name: i for i, name in enumerate(header)}
        rows = batch.rows

        def values(name: str) -> list[Any]:
            index = where.get(name)
            if index is None:
                return [None] * len(rows)
            return [row[index] if index < len(row) else None for row in rows]

        return self._merge(out, values, batch.ordinals, batch.lines)

    def _check_frame(self, batch: TableBatch, frame: Any) -> list[Finding]:
        height = frame.height
        if height == 0:
            return []
        names = frame.columns
        header = list(batch.header)
        # as ``dict(zip(header, row))``: the last column of a repeated label wins
        where = {name: i for i, name in enumerate(header) if i < len(names)}
        column = _FrameColumns(frame, names, where)

        out: list[Finding] = []
        if self._records:
            if self._fixed_widths:
                column.arrays = self._fixed_arrays(batch, frame, names, where)
            out = self._check_suspects(batch, frame, column, height)
        if not self._batches:
            return out

        def values(name: str) -> list[Any]:
            series = column(name)
            return [None] * height if series is None else series.to_list()

        return self._merge(out, values, batch.ordinals, batch.lines)

    def _fixed_arrays(
        self, batch: TableBatch, frame: Any, names: list[str], where: dict[str, int]
    ) -> dict[tuple[str, int], Any]:
        """The byte arrays the screens read (:data:`Screen`), by ``(field, width)``: one
        select, taken from the reading thread when the batch offers it (a
        :class:`~govstd.formats.csvfast.ColumnarBatch` evaluates row-wise selects ahead)."""
        layout = tuple(names[where[f]] if f in where else "" for f, _ in self._fixed_widths)
        planned = self._ahead.get(layout)
        if planned is None:
            import polars as pl

            outputs: dict[tuple[str, int], str] = {}
            exprs: list[Any] = []
            for (field_name, width), source in zip(self._fixed_widths, layout, strict=True):
                if not source:
                    continue
                alias = f"{source}:{width}"
                if alias not in outputs.values():
                    exprs.append(
                        pl.col(source)
                        .cast(pl.Binary)
                        .bin.reinterpret(dtype=pl.Array(pl.UInt8, width))
                        .alias(alias)
                    )
                outputs[(field_name, width)] = alias
            key = ("govstd.rules: fixed-width bytes", *(e.meta.output_name() for e in exprs))
            planned = self._ahead[layout] = (key, exprs, outputs)
        key, exprs, outputs = planned
        if not exprs:
            return {}
        select_ahead = getattr(batch, "select_ahead", None)
        selected = select_ahead(key, exprs) if select_ahead is not None else frame.select(exprs)
        return {pair: selected.get_column(alias) for pair, alias in outputs.items()}

    def _unsure(
        self, column: Callable[[str], Any], height: int
    ) -> tuple[Any, list[int], list[tuple[tuple[int, RecordCheck], ...]]]:
        """Run every record rule's screen over ``height`` records: the positions of the
        records some screen is unsure of (a numpy array and a list) and, for each, the record
        rules (position, check) whose screens are unsure of it, in rule order."""
        import numpy as np

        records = self._records
        wide = len(records) > 64  # more rules than bits: every rule for every suspect
        # bit ``i`` of a record's pattern: the ``i``-th record rule's screen is unsure of it
        pattern = np.zeros(height, dtype=np.uint64)
        unsure = np.zeros(height, dtype=bool)
        for bit, screen in enumerate(self._screens):
            assert screen is not None
            flagged = ~np.asarray(screen(column, height), dtype=bool)
            unsure |= flagged
            if not wide:
                np.bitwise_or(pattern, np.uint64(1 << bit), out=pattern, where=flagged)
        suspect = np.flatnonzero(unsure)
        picked: list[int] = suspect.tolist()
        if not picked:
            return suspect, picked, []
        if wide:
            return suspect, picked, [records] * len(picked)
        chosen: dict[int, tuple[tuple[int, RecordCheck], ...]] = {}
        choices = []
        for bits in pattern[suspect].tolist():
            rules = chosen.get(bits)
            if rules is None:
                rules = chosen[bits] = tuple(
                    rule for i, rule in enumerate(records) if bits >> i & 1
                )
            choices.append(rules)
        return suspect, picked, choices

    def _check_suspects(
        self, batch: TableBatch, frame: Any, column: Callable[[str], Any], height: int
    ) -> list[Finding]:
        """Screen a columnar batch; apply to each record some screen is unsure of the record
        checks of the rules whose screens are unsure of it (the others certainly find
        nothing), in rule order."""
        suspect, picked, choices = self._unsure(column, height)
        if not picked:
            return []
        if len(picked) <= _ROW_BY_ROW:
            row = frame.row
            rows = [["" if cell is None else cell for cell in row(i)] for i in picked]
        else:
            rows = [list(r) for r in frame[suspect].fill_null("").rows()]
        ordinals, lines = batch.ordinals, batch.lines
        return self._check_rows(
            batch,
            rows,
            [ordinals[i] for i in picked],
            [lines[i] for i in picked],
            choices,
        )

    def _merge(
        self,
        out: list[Finding],
        values: Callable[[str], list[Any]],
        ordinals: Sequence[int],
        lines: Sequence[int | None],
    ) -> list[Finding]:
        """Add the batch checks' findings to the record checks' ``out``, in reference order:
        by record, then by rule."""
        found: list[tuple[int, int, Finding]] = []
        for position, batch_check in self._batches:
            found.extend((o, position, f) for o, f in batch_check(values, ordinals, lines))
        if not found:
            return out
        made_by = self._made_by  # the rule of each record-check finding (see _check_rows)
        keyed = [(f.record or 0, made_by.get(id(f), 0), f) for f in out]
        keyed.extend(found)
        keyed.sort(key=lambda item: (item[0], item[1]))  # stable: a rule's own order stays
        return [f for _, _, f in keyed]

    def _check_rows(
        self,
        batch: TableBatch,
        rows: Any,
        ordinals: Sequence[int],
        lines: Sequence[int],
        choices: Sequence[Sequence[tuple[int, RecordCheck]]] | None = None,
    ) -> list[Finding]:
        """Apply the record checks to ``rows`` (``choices``: the rules to apply to each row;
        default all)."""
        header = batch.header
        records = self._records
        out: list[Finding] = []
        made_by: dict[int, int] = {}
        self._made_by = made_by
        if not records:
            return out
        tag = bool(self._batches)
        if choices is None:
            choices = [records] * len(rows)
        for row, ordinal, line, chosen in zip(rows, ordinals, lines, choices, strict=False):
            record = dict(zip(header, row, strict=False))
            for position, check in chosen:
                found = check(record, ordinal, line)
                if found:
                    out.extend(found)
                    if tag:
                        for f in found:
                            made_by[id(f)] = position
        return out

    def _suspects(self, documents: list[Any]) -> list[int] | None:
        """Positions of the documents some screen is unsure of, or None when the batch cannot
        be screened (a screened field holds something other than text)."""
        import numpy as np
        import polars as pl

        height = len(documents)
        columns: dict[str, Any] = {}
        unscreenable = False

        def column(name: str) -> Any:
            nonlocal unscreenable
            if name not in columns:
                values = [d.get(name) if isinstance(d, dict) else None for d in documents]
                if all(type(v) is str or v is None for v in values):
                    columns[name] = pl.Series(values, dtype=pl.String)
                else:
                    unscreenable = True
                    columns[name] = pl.Series([None] * height, dtype=pl.String)
            return columns[name]

        passed = np.ones(height, dtype=bool)
        for screen in self._screens:
            assert screen is not None
            passed &= np.asarray(screen(column, height), dtype=bool)
            if unscreenable:
                return None
        return np.flatnonzero(~passed).tolist()

    def _frame_of(self, batch: DocumentBatch) -> Any:
        """The batch's records as a polars frame of texts (``AdaptedBatch.frame``: one String
        column per field, null where a record leaves the field out), when the record rules
        can be screened on it; else None."""
        frame = getattr(batch, "frame", None)
        if (
            frame is None
            or not self._records
            or not self._screened
            or not frame.height
            or frame.height != len(batch.records)
        ):
            return None
        import polars as pl

        if any(dtype != pl.String for dtype in frame.dtypes):
            return None
        return frame

    def check_documents(self, batch: DocumentBatch) -> list[Finding]:
        records = self._records
        out: list[Finding] = []
        made_by: dict[int, int] = {}
        self._made_by = made_by
        tag = bool(self._batches)
        documents, ordinals, lines = batch.records, batch.ordinals, batch.lines
        frame = self._frame_of(batch)
        column: Callable[[str], Any] | None = None
        choices: Sequence[Sequence[tuple[int, RecordCheck]]] | None = None
        if frame is not None:  # screened on the adapter's frame (see AdaptedBatch.frame)
            names = frame.columns
            where = {name: i for i, name in enumerate(names)}
            columns = _FrameColumns(frame, names, where)
            if self._fixed_widths:
                columns.arrays = self._fixed_arrays(batch, frame, names, where)  # type: ignore[arg-type]
            column = columns
            _, picked, choices = self._unsure(columns, frame.height)
        else:
            picked = (
                self._suspects(documents)
                if records and self._screened and len(documents) >= _SCREEN_DOCUMENTS
                else None
            )
        if picked is not None:  # only the documents a screen is unsure of
            documents = [documents[i] for i in picked]
            ordinals = [ordinals[i] for i in picked]
            lines = [lines[i] for i in picked]
        elif not records:
            documents = []
        if choices is None:
            choices = [records] * len(documents)
        for record, ordinal, line, chosen in zip(documents, ordinals, lines, choices, strict=False):
            if not isinstance(record, dict):
                continue  # the record schema reports a record that is not an object
            for position, check in chosen:
                found = check(record, ordinal, line)
                if found:
                    out.extend(found)
                    if tag:
                        for f in found:
                            made_by[id(f)] = position
        if self._batches:
            documents = batch.records

            def values(name: str) -> list[Any]:
                if column is not None:  # the frame's column: the same values, null: None
                    series = column(name)
                    return [None] * len(documents) if series is None else series.to_list()
                return [d.get(name) if isinstance(d, dict) else None for d in documents]

            out = self._merge(out, values, batch.ordinals, batch.lines)
        for finding in out:
            where = finding.location
            if where.field is not None and where.pointer is None:
                finding.location = Location(
                    line=where.line, field=where.field, pointer=json_pointer(where.field)
                )
        return out

    def finish(self) -> list[Finding]:
        return []


class _FrameColumns:
    """The columns of a frame as screens read them (see :data:`Screen`): ``columns(field)``
    and ``columns.fixed(field, width)``."""

    __slots__ = ("_frame", "_names", "_where", "arrays")

    def __init__(self, frame: Any, names: list[str], where: dict[str, int]) -> None:
        self._frame = frame
        self._names = names
        self._where = where
        #: the byte arrays evaluated for the screens, by ``(field, width)``
        self.arrays: dict[tuple[str, int], Any] = {}

    def __call__(self, name: str) -> Any:
        index = self._where.get(name)
        return None if index is None else self._frame.get_column(self._names[index])

    def fixed(self, name: str, width: int) -> Any:
        return self.arrays.get((name, width))


class RulesPlan:
    """A standard's rules, compiled. Immutable; opens one :class:`RulesChecker` per source."""

    accepts: Sequence[Literal["table", "documents"]] = ("table", "documents")

    def __init__(
        self,
        name: str,
        rules: Sequence[tuple[RuleSpec, Opener]],
        screens: Sequence[Screen | None] | None = None,
        batches: Sequence[BatchOpener | None] | None = None,
    ) -> None:
        self.name = name
        self.rules = tuple(rules)
        #: one vectorised pre-filter (or None) per rule, in the order of ``rules``
        self.screens = tuple(screens) if screens is not None else (None,) * len(self.rules)
        #: one batch form (or None) per rule, in the order of ``rules``
        self.batches = tuple(batches) if batches is not None else (None,) * len(self.rules)

    def open(self, source: str) -> RulesChecker:
        return RulesChecker(
            [
                None if b is not None else opener()
                for (_, opener), b in zip(self.rules, self.batches, strict=True)
            ],
            self.screens,
            [b() if b is not None else None for b in self.batches],
        )

    def reference(self, source: str) -> RulesChecker:
        """A checker that applies every rule record by record (no batch forms, no screens):
        the reference the fast paths are tested against."""
        return RulesChecker([opener() for _, opener in self.rules])

    def __repr__(self) -> str:
        return f"RulesPlan({self.name!r}, {[r.id for r, _ in self.rules]})"


def json_pointer(field_name: str) -> str:
    """RFC 6901 pointer to a top-level member."""
    return "/" + field_name.replace("~", "~0").replace("/", "~1")


def compile_rules(
    name: str,
    rules: Iterable[RuleSpec],
    checks: Mapping[str, Check],
    *,
    catalogue: Catalogue,
    codelists: CodeLists,
    as_of: date | None = None,
) -> RulesPlan:
    """Compile ``rules`` into a plan; raise :class:`ManifestError` for a rule that cannot work
    (unknown check, wrong number of fields, unknown or ill-typed parameter, unknown code list).

    ``as_of`` is the reference date for date-dependent rules (default: today).
    """
    reference = as_of or date.today()
    compiled: list[tuple[RuleSpec, Opener]] = []
    screens: list[Screen | None] = []
    batches: list[BatchOpener | None] = []
    seen: set[str] = set()
    for rule in rules:
        where = f"{name}: rule {rule.id!r}"
        if rule.id in seen:
            raise ManifestError(f"{where} is defined twice")
        seen.add(rule.id)
        check = checks.get(rule.check)
        if check is None:
            known = ", ".join(sorted(checks)) or "none"
            raise ManifestError(f"{where} uses unknown check {rule.check!r} (installed: {known})")
        low, high = check.fields
        count = len(rule.fields)
        if count < low or (high is not None and count > high):
            wanted = str(low) if low == high else f"{low} to {high}" if high else f"at least {low}"
            raise ManifestError(f"{where}: check {check.name} takes {wanted} field(s), got {count}")
        unknown = sorted(set(rule.params) - set(check.params))
        if unknown:
            allowed = ", ".join(sorted(check.params)) or "none"
            raise ManifestError(
                f"{where}: unknown parameter(s) {', '.join(unknown)} for check {check.name} "
                f"(accepted: {allowed})"
            )
        missing = [code for code in check.codes if code not in catalogue]
        if missing:
            raise ManifestError(
                f"{where}: check {check.name} emits undocumented finding codes {missing}"
            )
        try:
            severity = Severity.parse(rule.severity) if rule.severity else None
        except ValueError as exc:
            raise ManifestError(f"{where}: {exc}") from None
        context = RuleContext(
            rule=rule,
            catalogue=catalogue,
            as_of=reference,
            codelists=codelists,
            severity=severity,
        )
        try:
            opener = check.build(context)
            screen = check.screen(context) if check.screen is not None else None
            batch = check.batch(context) if check.batch is not None else None
        except ManifestError as exc:
            raise ManifestError(f"{name}: {exc}") from None
        compiled.append((rule, opener))
        screens.append(screen)
        batches.append(batch)
    return RulesPlan(name, compiled, screens, batches)
