"""One export checked against every version of a standard, in one pass (``ID@all``).

Every usable version of the standard is compiled; each source is read **once**, and every
batch goes through the checkers of every version. The result says, per version, whether the
export conforms (no error finding) and how many records passed or were rejected, with the
finding counts; and for the newest version an **upgrade plan**: the changes from the newest
version the export already conforms to (else the one it fits best) that break producers —
what the vendor must change — each with the number of the export's findings under the newest
version that point at it, and the migration chain govstd can apply, if there is one.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from govstd.exceptions import UsageError
from govstd.formats.base import DEFAULT_BATCH_SIZE, DocumentBatch, ReadOptions, Source
from govstd.refs import StandardRef
from govstd.versions.changes import Change, Side
from govstd.versions.diff import diff_standards
from govstd.versions.migrate import plan_chain, reader_for

if TYPE_CHECKING:
    from govstd.session import Session
    from govstd.standard import Standard

__all__ = ["AllVersionsReport", "VersionConformance", "validate_all_versions"]


@dataclass
class VersionConformance:
    """How the export fares against one version."""

    ref: str
    status: str
    records: int = 0
    passed: int = 0
    rejected: int = 0
    errors: int = 0
    warnings: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def conforms(self) -> bool:
        return self.errors == 0 and self.rejected == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "status": self.status,
            "conforms": self.conforms,
            "records": self.records,
            "passed": self.passed,
            "rejected": self.rejected,
            "errors": self.errors,
            "warnings": self.warnings,
            "counts": dict(sorted(self.counts.items())),
        }


@dataclass
class AllVersionsReport:
    """Per-version conformance and the upgrade plan to the newest version."""

    standard: str
    versions: list[VersionConformance]
    newest: str
    base: str
    plan: list[tuple[Change, int]]
    migration: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "versions": [v.to_dict() for v in self.versions],
            "newest": self.newest,
            "upgrade_plan": {
                "from": self.base,
                "to": self.newest,
                "changes": [{**c.to_dict(), "findings": n} for c, n in self.plan],
                "migration": self.migration,
            },
            "notes": list(self.notes),
        }


def _field_of(path: str) -> str:
    return path.strip("/").split("/")[0] if path.startswith("/") else ""


def validate_all_versions(
    session: Session,
    sources: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    standard: str,
    input_format: str | None = None,
    encoding: str | None = None,
    as_of: date | None = None,
    batch_size: int | None = None,
    format_check: bool = True,
) -> AllVersionsReport:
    """See the module docs. ``standard`` is an id or ``id@all``."""
    from govstd.validation import ValidationOptions, compile_standard

    ident = StandardRef.parse(standard.replace("@all", "")).id
    versions = [s for s in session.registry.versions(ident) if s.usable]
    if not versions:
        raise UsageError(f"no usable version of {ident!r}")
    options = ValidationOptions(format_check=format_check, as_of=as_of, batch_size=batch_size)
    targets = [compile_standard(session, s, options) for s in versions]
    results = [VersionConformance(s.ref, s.status) for s in versions]
    by_field: list[Counter[str]] = [Counter() for _ in versions]
    if isinstance(sources, str | os.PathLike):
        sources = [sources]
    for arg in sources:
        source = Source.from_arg(os.fspath(arg))
        if source.path is not None and not source.path.is_file():
            raise UsageError(f"input file not found: {source.name}")
        reader = reader_for(session, source, input_format)
        checkers = [[p.open(source.name) for p in t.plans_for(reader.kind)] for t in targets]
        read = ReadOptions(
            encoding=encoding,
            batch_size=batch_size or DEFAULT_BATCH_SIZE,
            dialect=targets[-1].dialect,
        )
        for batch in reader.read(source, read, session.catalogue):
            records = len(batch.ordinals) + len(set(batch.unreadable) - set(batch.ordinals))
            for result, fields, opened in zip(results, by_field, checkers, strict=True):
                found = list(batch.findings)
                for checker in opened:
                    if isinstance(batch, DocumentBatch):
                        found.extend(checker.check_documents(batch))
                    else:
                        found.extend(checker.check_table(batch))
                _count(result, fields, found, records, set(batch.unreadable))
        for result, fields, opened in zip(results, by_field, checkers, strict=True):
            tail = [f for checker in opened for f in checker.finish()]
            _count(result, fields, tail, 0, set())
    return _report(session, ident, versions, results, by_field)


def _count(
    result: VersionConformance,
    fields: Counter[str],
    findings: list[Any],
    records: int,
    unreadable: set[int],
) -> None:
    rejected = set(unreadable)
    for finding in findings:
        result.counts[finding.code] += 1
        if finding.is_error:
            result.errors += 1
            if finding.record is not None:
                rejected.add(finding.record)
            fields[finding.location.field or ""] += 1
        elif finding.severity.label == "warning":
            result.warnings += 1
    result.records += records
    result.rejected += len(rejected)
    result.passed += records - len(rejected)


def _report(
    session: Session,
    ident: str,
    versions: list[Standard],
    results: list[VersionConformance],
    by_field: list[Counter[str]],
) -> AllVersionsReport:
    newest = versions[-1]
    conforming = [i for i, r in enumerate(results) if r.conforms]
    base_index = (
        conforming[-1]
        if conforming
        else min(range(len(results)), key=lambda i: (results[i].rejected, results[i].errors, -i))
    )
    base = versions[base_index]
    plan: list[tuple[Change, int]] = []
    migration = None
    notes = []
    if base is not newest:
        diff = diff_standards(base, newest, environ=session.environ)
        for change in diff.breaking(Side.PRODUCERS):
            names = {_field_of(change.path)}
            if isinstance(change.new, str):
                names.add(change.new)
            if change.path.startswith("rule:"):
                names = set()
            plan.append((change, sum(by_field[-1][n] for n in names if n)))
        try:
            migration = plan_chain(
                session.registry, base, newest, environ=session.environ
            ).to_dict()
        except UsageError as exc:
            notes.append(str(exc))
    return AllVersionsReport(
        standard=ident,
        versions=results,
        newest=newest.ref,
        base=base.ref,
        plan=plan,
        migration=migration,
        notes=notes,
    )
