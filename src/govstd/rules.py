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
    "Check",
    "Opener",
    "RecordCheck",
    "RuleContext",
    "RulesChecker",
    "RulesPlan",
    "compile_rules",
    "json_pointer",
]

#: a compiled rule applied to one record: ``(record, ordinal, line) -> findings or None``
RecordCheck = Callable[[Mapping[str, Any], int, int | None], list[Finding] | None]
#: returns the record check for one source (fresh per-source state, if the check keeps any)
Opener = Callable[[], RecordCheck]

_NO_DEFAULT: Any = object()


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
    """Applies every rule to every record of one source, batch after batch."""

    def __init__(self, checks: Sequence[RecordCheck]) -> None:
        self._checks = tuple(checks)

    def check_table(self, batch: TableBatch) -> list[Finding]:
        header = batch.header
        checks = self._checks
        out: list[Finding] = []
        for row, ordinal, line in zip(batch.rows, batch.ordinals, batch.lines, strict=False):
            record = dict(zip(header, row, strict=False))
            for check in checks:
                found = check(record, ordinal, line)
                if found:
                    out.extend(found)
        return out

    def check_documents(self, batch: DocumentBatch) -> list[Finding]:
        checks = self._checks
        out: list[Finding] = []
        for record, ordinal, line in zip(batch.records, batch.ordinals, batch.lines, strict=False):
            if not isinstance(record, dict):
                continue  # the record schema reports a record that is not an object
            for check in checks:
                found = check(record, ordinal, line)
                if found:
                    out.extend(found)
        for finding in out:
            where = finding.location
            if where.field is not None and where.pointer is None:
                finding.location = Location(
                    line=where.line, field=where.field, pointer=json_pointer(where.field)
                )
        return out

    def finish(self) -> list[Finding]:
        return []


class RulesPlan:
    """A standard's rules, compiled. Immutable; opens one :class:`RulesChecker` per source."""

    accepts: Sequence[Literal["table", "documents"]] = ("table", "documents")

    def __init__(self, name: str, rules: Sequence[tuple[RuleSpec, Opener]]) -> None:
        self.name = name
        self.rules = tuple(rules)

    def open(self, source: str) -> RulesChecker:
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
        except ManifestError as exc:
            raise ManifestError(f"{name}: {exc}") from None
        compiled.append((rule, opener))
    return RulesPlan(name, compiled)
