"""Check every shipped version of a standard against its manifest's versioning promise.

``versioning = "semver"`` promises, for each version and the one before it:

=======  =================================================================================
bump     promise
=======  =================================================================================
patch    nothing that is valid changes: no change breaks producers or consumers
minor    every record valid under the previous version stays valid (backward compatible
         for producers); new optional fields, new codes and looser constraints are fine
major    anything may change; a change that breaks producers should come with a declared
         migration from the previous version (a warning otherwise)
=======  =================================================================================

(For ``0.y.z`` a minor bump counts as major, as SemVer says.) ``versioning = "none"`` or no
``versioning`` promises nothing. Whatever the promise, :func:`lint_standards` also checks
that ``supersedes`` names an earlier version, and that every declared migration is well
formed, matches an existing version and only moves fields the versions it connects define.

Problems are :class:`~govstd.findings.Finding` objects (``versions.*`` codes) whose
``source`` is the version they are about; a test runs the lint over the shipped standards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from govstd.exceptions import ManifestError
from govstd.findings import Finding
from govstd.versions.changes import Side, Verdict
from govstd.versions.diff import diff_standards, record_fields
from govstd.versions.migrations import Migration, declared_migrations, find_migration

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.registry import Registry
    from govstd.standard import Standard

__all__ = ["LintResult", "PairCheck", "bump_of", "lint_standards"]

_FIELD_PARAMS = ("field", "from")


@dataclass(frozen=True, slots=True)
class PairCheck:
    """One consecutive pair of versions and what the diff said about it."""

    old: str
    new: str
    bump: str
    promise: str
    verdict: Verdict
    ok: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "bump": self.bump,
            "promise": self.promise,
            "verdict": self.verdict.value,
            "ok": self.ok,
        }


@dataclass
class LintResult:
    """Findings of the lint and every pair of versions it checked."""

    pairs: list[PairCheck] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "pairs": [p.to_dict() for p in self.pairs],
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity.label,
                    "standard": f.source,
                    "message": f.message,
                }
                for f in self.findings
            ],
        }


def bump_of(old: Standard, new: Standard) -> str:
    """``major``, ``minor`` or ``patch``: what kind of release ``new`` is after ``old``."""
    a, b = old.version, new.version
    if a.major != b.major or (a.major == 0 and a.minor != b.minor):
        return "major"
    return "minor" if a.minor != b.minor else "patch"


def lint_standards(
    registry: Registry,
    catalogue: Catalogue,
    *,
    ids: Iterable[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> LintResult:
    """Lint the versions of the standards ``ids`` (default: every standard in ``registry``)."""
    result = LintResult()
    for ident in ids if ids is not None else registry.ids():
        versions = registry.versions(ident)
        for standard in versions:
            _supersedes(standard, versions, catalogue, result)
            _migrations(standard, versions, catalogue, result)
        ordered = [s for s in versions if not s.version.is_prerelease]
        for old, new in pairwise(ordered):
            _pair(old, new, catalogue, result, environ)
    return result


def _supersedes(
    standard: Standard, versions: list[Standard], catalogue: Catalogue, result: LintResult
) -> None:
    named = standard.manifest.get("supersedes")
    if named is None:
        return
    if any(str(s.version) == named and s.version < standard.version for s in versions):
        return
    result.findings.append(
        catalogue.finding(
            "versions.supersedes-unknown",
            source=standard.ref,
            standard=standard.ref,
            supersedes=named,
            id=standard.id,
        )
    )


def _migrations(
    standard: Standard, versions: list[Standard], catalogue: Catalogue, result: LintResult
) -> None:
    def invalid(detail: str) -> None:
        result.findings.append(
            catalogue.finding(
                "versions.migration-invalid",
                source=standard.ref,
                standard=standard.ref,
                detail=detail,
            )
        )

    try:
        migrations = declared_migrations(standard)
    except ManifestError as exc:
        invalid(str(exc).removeprefix(f"{standard.ref}: "))
        return
    for migration in migrations:
        others = [s for s in versions if s is not standard and migration.other.allows(s.version)]
        label = f"migrations[{migration.index}]"
        if not others:
            invalid(f"{label} names {migration.other}, which matches no other version")
            continue
        for other in others:
            problem = _unknown_fields(migration, other)
            if problem:
                invalid(f"{label}: {problem}")
                break


def _unknown_fields(migration: Migration, other: Standard) -> str | None:
    """A step that names a field neither side defines (nor an earlier step creates)."""
    source, target = (
        (other, migration.owner) if migration.direction == "upgrade" else (migration.owner, other)
    )
    known = set(record_fields(source)) | set(record_fields(target))
    if not known:
        return None
    for number, step in enumerate(migration.steps):
        for param in _FIELD_PARAMS:
            name = step.get(param)
            if isinstance(name, str) and name not in known:
                return (
                    f"steps[{number}] ({step.get('op')}) names field {name!r}, which neither "
                    f"{source.ref} nor {target.ref} defines"
                )
        created = step.get("to") or step.get("field")
        if isinstance(created, str):
            known.add(created)
    return None


def _pair(
    old: Standard,
    new: Standard,
    catalogue: Catalogue,
    result: LintResult,
    environ: Mapping[str, str] | None,
) -> None:
    promise = str(new.manifest.get("versioning", "none"))
    bump = bump_of(old, new)
    diff = diff_standards(old, new, environ=environ)
    ok = True
    if promise == "semver" and bump in ("minor", "patch"):
        side = Side.PRODUCERS if bump == "minor" else Side.ANY
        broken = diff.breaking(side)
        if broken:
            ok = False
            detail = "; ".join(f"{c.path}: {c.detail}" for c in broken)
            result.findings.append(
                catalogue.finding(
                    "versions.promise-broken",
                    source=new.ref,
                    old=old.ref,
                    new=new.ref,
                    bump=bump,
                    side="producers" if side is Side.PRODUCERS else "producers or consumers",
                    detail=detail,
                )
            )
    elif diff.is_breaking(Side.PRODUCERS) and find_migration(old, new) is None:
        result.findings.append(
            catalogue.finding(
                "versions.migration-missing", source=new.ref, old=old.ref, new=new.ref
            )
        )
    result.pairs.append(PairCheck(old.ref, new.ref, bump, promise, diff.verdict, ok))
