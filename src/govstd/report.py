"""The report of a run: findings, per-source accounting, verdict and exit code.

The dictionary form (:meth:`Report.to_dict`) is a public contract, described by
``govstd/schemas/report.schema.json`` (``report_version`` 1) and documented in
``docs/report-format.md``. Every record is accounted for:
``records == passed + fixed + rejected`` for each source and in total.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from govstd.findings import MISSING, Finding, Location, Severity
from govstd.findingstore import FindingsView, iter_findings

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue

__all__ = ["REPORT_VERSION", "FailOn", "FieldStats", "Report", "SourceStats", "Stats"]

REPORT_VERSION = 1

#: exit codes, documented in ``govstd --help``
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_SETUP, EXIT_INTERNAL = 0, 1, 2, 3, 4

FailOn = str  # "error" | "warning" | "info" | "never" | "new" (needs a baseline)


@dataclass(slots=True)
class Stats:
    """Counts of records and findings."""

    records: int = 0
    passed: int = 0
    fixed: int = 0
    rejected: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0

    def add(self, other: Stats) -> None:
        for name in self.__slots__:  # type: ignore[attr-defined]
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def count(self, severity: Severity) -> None:
        if severity is Severity.ERROR:
            self.errors += 1
        elif severity is Severity.WARNING:
            self.warnings += 1
        else:
            self.infos += 1

    @property
    def balanced(self) -> bool:
        return self.records == self.passed + self.fixed + self.rejected

    def to_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stats:
        return cls(**{k: int(data.get(k, 0)) for k in cls.__slots__})  # type: ignore[attr-defined]


@dataclass(slots=True)
class SourceStats:
    """Accounting for one source."""

    source: str
    format: str | None = None
    encoding: str | None = None
    stats: Stats = field(default_factory=Stats)
    #: exact number of findings per code in this source (kept or not)
    counts: Counter[str] = field(default_factory=Counter)
    #: ``id@version`` this source was validated against, when it was chosen per source
    #: (``--standard ID@detect``)
    standard: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source, **self.stats.to_dict()}
        if self.format:
            out["format"] = self.format
        if self.standard:
            out["standard"] = self.standard
        if self.encoding:
            out["encoding"] = self.encoding
        if self.counts:
            out["counts"] = dict(sorted(self.counts.items()))
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceStats:
        return cls(
            source=data["source"],
            format=data.get("format"),
            encoding=data.get("encoding"),
            stats=Stats.from_dict(data),
            counts=Counter(data.get("counts", {})),
            standard=data.get("standard"),
        )


@dataclass(slots=True)
class FieldStats:
    """Accounting for one field over all sources (computed by the pipeline, exact).

    ``filled``: records in which the field has a value; ``rejected``: records with an error
    finding on this field; ``valid``: filled records with no error finding on it; ``fixed``:
    records in which an adapter changed it; ``findings``: findings on it, any severity.
    ``title``/``description`` come from the standard (by language), when it documents the field.
    """

    name: str
    filled: int = 0
    valid: int = 0
    fixed: int = 0
    rejected: int = 0
    findings: int = 0
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)

    def text(self, what: str, lang: str) -> str:
        table: dict[str, str] = getattr(self, what)
        return table.get(lang) or table.get("en", "")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "filled": self.filled,
            "valid": self.valid,
            "fixed": self.fixed,
            "rejected": self.rejected,
            "findings": self.findings,
        }
        if self.title:
            out["title"] = dict(self.title)
        if self.description:
            out["description"] = dict(self.description)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldStats:
        return cls(
            name=data["name"],
            **{
                k: int(data.get(k, 0)) for k in ("filled", "valid", "fixed", "rejected", "findings")
            },
            title=dict(data.get("title", {})),
            description=dict(data.get("description", {})),
        )


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


@dataclass
class Report:
    """What a validation found. Build one with :func:`govstd.validate`.

    ``findings`` is a read-only sequence: a list, or, after a run that kept many findings, a
    :class:`~govstd.findingstore.FindingStore` that holds the later ones on disk.
    """

    target: str
    findings: Sequence[Finding] = field(default_factory=list)
    sources: list[SourceStats] = field(default_factory=list)
    truncated: bool = False
    #: exact number of findings per code, including those dropped by ``max_findings``
    counts: Counter[str] = field(default_factory=Counter)
    #: the standard version used, if any (``Standard.to_dict`` subset)
    standard: dict[str, Any] | None = None
    govstd_version: str = ""
    #: file-level findings not tied to any one source (e.g. ``standard.deprecated``)
    notes: list[Finding] = field(default_factory=list)
    #: per-field accounting, in the order fields were first seen (see :class:`FieldStats`)
    fields: list[FieldStats] = field(default_factory=list)
    #: the records the first findings of each code point at: ``{source: {record: values}}``
    samples: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    #: the waivers that were applied, each with its status (see :mod:`govstd.waivers`)
    waivers: list[dict[str, Any]] | None = None
    #: comparison with a previous report (see :mod:`govstd.baseline`): counts and fixed findings
    baseline: dict[str, Any] | None = None

    @property
    def stats(self) -> Stats:
        total = Stats()
        for source in self.sources:
            total.add(source.stats)
        for note in self.notes:
            total.count(note.severity)
        return total

    @property
    def valid(self) -> bool:
        """True when no error was found (warnings and infos do not make data invalid)."""
        return self.stats.errors == 0

    def all_findings(self) -> Sequence[Finding]:
        """The notes, then the findings: a list, or a read-only view when the findings are
        a :class:`~govstd.findingstore.FindingStore`."""
        if isinstance(self.findings, list):
            return [*self.notes, *self.findings]
        return FindingsView(self.notes, self.findings)

    def _each_finding(self) -> Iterator[Finding]:
        """The notes, then the findings, for reading only (no write-back of spilled ones)."""
        yield from self.notes
        yield from iter_findings(self.findings)

    def worst(self) -> Severity | None:
        stats = self.stats
        if stats.errors:
            return Severity.ERROR
        if stats.warnings:
            return Severity.WARNING
        if stats.infos:
            return Severity.INFO
        return None

    def waived_stats(self) -> Stats:
        """Counts of the findings a waiver accepted, by severity."""
        waived = Stats()
        for finding in self._each_finding():
            if finding.waived is not None:
                waived.count(finding.severity)
        return waived

    def unwaived_worst(self) -> Severity | None:
        """The worst severity among findings no waiver accepted."""
        stats, waived = self.stats, self.waived_stats()
        if stats.errors > waived.errors:
            return Severity.ERROR
        if stats.warnings > waived.warnings:
            return Severity.WARNING
        if stats.infos > waived.infos:
            return Severity.INFO
        return None

    def new_errors(self) -> int:
        """Errors that are new against the baseline and not waived. Errors dropped by
        ``max_findings`` cannot be compared, so they count as new."""
        kept = new = 0
        for finding in self._each_finding():
            if finding.is_error:
                kept += 1
                new += finding.waived is None and finding.baseline != "open"
        return new + max(0, self.stats.errors - kept)

    def exit_code(self, fail_on: FailOn = "error") -> int:
        """0 when nothing at or above ``fail_on`` was found, else 1.

        Waived findings never fail. ``fail_on="new"`` fails only on errors that are new
        against the baseline (every error is new when there is no baseline).
        """
        if fail_on == "never":
            return EXIT_OK
        if fail_on == "new":
            return EXIT_FINDINGS if self.new_errors() else EXIT_OK
        threshold = Severity.parse(fail_on)
        worst = self.unwaived_worst()
        return EXIT_FINDINGS if worst is not None and worst >= threshold else EXIT_OK

    # -- serialisation ---------------------------------------------------------------------

    def finding_to_dict(
        self, finding: Finding, *, catalogue: Catalogue | None = None, lang: str = "en"
    ) -> dict[str, Any]:
        message = catalogue.message(finding, lang) if catalogue else finding.message
        hint = catalogue.hint(finding, lang) if catalogue else finding.hint
        out: dict[str, Any] = {
            "code": finding.code,
            "severity": finding.severity.label,
            "message": message,
            "source": finding.source,
            "record": finding.record,
            "location": finding.location.to_dict(),
        }
        if finding.keyword is not None:
            out["keyword"] = finding.keyword
        if finding.value is not MISSING:
            out["value"] = _jsonable(finding.value)
        if finding.expected is not MISSING:
            out["expected"] = _jsonable(finding.expected)
        if hint:
            out["hint"] = hint
        if finding.waived is not None:
            out["waived"] = _jsonable(finding.waived)
        if finding.baseline is not None:
            out["baseline"] = finding.baseline
        return out

    def iter_finding_dicts(
        self, *, catalogue: Catalogue | None = None, lang: str = "en"
    ) -> Iterator[dict[str, Any]]:
        """The ``findings`` of :meth:`to_dict`, one at a time (for streaming reporters)."""
        for finding in self._each_finding():
            yield self.finding_to_dict(finding, catalogue=catalogue, lang=lang)

    def to_dict(self, *, catalogue: Catalogue | None = None, lang: str = "en") -> dict[str, Any]:
        """The JSON report (``report_version`` 1)."""
        out = self.to_dict_without_findings(lang=lang)
        out["findings"] = list(self.iter_finding_dicts(catalogue=catalogue, lang=lang))
        return out

    def to_dict_without_findings(self, *, lang: str = "en") -> dict[str, Any]:
        """:meth:`to_dict` with ``"findings": None``, in the same key order: the frame a
        streaming reporter fills with :meth:`iter_finding_dicts`."""
        out: dict[str, Any] = {
            "report_version": REPORT_VERSION,
            "valid": self.valid,
            "target": self.target,
            "truncated": self.truncated,
            "stats": self.stats.to_dict(),
            "sources": [s.to_dict() for s in self.sources],
            "counts": dict(sorted(self.counts.items())),
            "findings": None,
            "govstd_version": self.govstd_version,
            "lang": lang,
        }
        if self.standard is not None:
            out["standard"] = self.standard
        if self.fields:
            out["fields"] = [f.to_dict() for f in self.fields]
        if self.samples:
            out["samples"] = [
                {"source": source, "record": record, "values": _jsonable(values)}
                for source, rows in self.samples.items()
                for record, values in sorted(rows.items())
            ]
        if self.waivers is not None:
            out["waivers"] = _jsonable(self.waivers)
        if self.baseline is not None:
            out["baseline"] = _jsonable(self.baseline)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Read a JSON report back (messages stay in the language they were written in)."""
        findings = [_finding_from_dict(f) for f in data.get("findings", [])]
        report = cls(
            target=data["target"],
            findings=[f for f in findings if f.source or f.record is not None],
            notes=[f for f in findings if not f.source and f.record is None],
            sources=[SourceStats.from_dict(s) for s in data.get("sources", [])],
            truncated=bool(data.get("truncated", False)),
            counts=Counter(data.get("counts", {})),
            standard=data.get("standard"),
            govstd_version=data.get("govstd_version", ""),
            fields=[FieldStats.from_dict(f) for f in data.get("fields", [])],
            waivers=data.get("waivers"),
            baseline=data.get("baseline"),
        )
        for sample in data.get("samples", []):
            report.samples.setdefault(sample["source"], {})[int(sample["record"])] = dict(
                sample.get("values", {})
            )
        return report

    def by_code(self) -> dict[str, list[Finding]]:
        """Kept findings grouped by code, codes in order of first appearance."""
        groups: dict[str, list[Finding]] = {}
        for finding in self._each_finding():
            groups.setdefault(finding.code, []).append(finding)
        return groups

    def code_heads(self, examples: int) -> dict[str, tuple[list[Finding], int]]:
        """Per code, in order of first appearance: its first ``examples`` kept findings and
        the number kept. Like :meth:`by_code`, without holding every finding in memory."""
        heads: dict[str, tuple[list[Finding], int]] = {}
        for finding in self._each_finding():
            shown, kept = heads.get(finding.code, ([], 0))
            if kept < examples:
                shown.append(finding)
            heads[finding.code] = (shown, kept + 1)
        return heads


def _finding_from_dict(data: dict[str, Any]) -> Finding:
    return Finding(
        code=data["code"],
        severity=Severity.parse(data["severity"]),
        message=data.get("message", ""),
        source=data.get("source", ""),
        record=data.get("record"),
        location=Location.from_dict(data.get("location", {})),
        keyword=data.get("keyword"),
        value=data.get("value", MISSING),
        expected=data.get("expected", MISSING),
        hint=data.get("hint"),
        waived=data.get("waived"),
        baseline=data.get("baseline"),
    )


def merge_counts(findings: Iterable[Finding]) -> Counter[str]:
    return Counter(f.code for f in findings)
