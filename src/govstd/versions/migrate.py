"""Migrating records from one version of a standard to another, in a chain, streaming.

:func:`plan_chain` finds the way from the source version to the target one, version by
version (``1.0.0 → 1.1.0 → 2.0.0``). Each hop is either

* a **declared migration** (an upgrade the later version declares with ``from``, or a
  downgrade the earlier-in-the-chain version declares with ``to``), or
* an **identity** hop, allowed only when :func:`~govstd.versions.diff.diff_standards` finds
  that every record valid under the one version is valid under the next (no change breaking
  producers), as 1.0.0 → 1.1.0 of ``cn.natural-person``.

When neither exists for the next version, a declared migration that jumps further ahead is
used; with none, planning fails with a :class:`~govstd.exceptions.UsageError` naming the gap.

:meth:`MigrationChain.apply` is a pure function, record in → record out plus the problems;
:func:`migrate_records` streams ``(ordinal, record)`` pairs through it; :func:`run_migration`
reads sources with govstd's readers and writes with its writers (atomically), and accounts
for every record: ``records == written + rejected``. A record is rejected when any value of
it could not be migrated exactly (an error finding) or it could not be read; values are never
rounded or dropped silently.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstd.exceptions import UsageError
from govstd.findings import Finding, Location
from govstd.formats.base import DEFAULT_BATCH_SIZE, DocumentBatch, ReadOptions, Source
from govstd.versions.changes import Side
from govstd.versions.diff import diff_standards, record_fields
from govstd.versions.migrations import Migration, declared_migrations
from govstd.versions.operations import Problem

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.registry import Registry
    from govstd.session import Session
    from govstd.standard import Standard

__all__ = [
    "Hop",
    "Migrated",
    "MigrationChain",
    "MigrationResult",
    "migrate_records",
    "plan_chain",
    "reader_for",
    "run_migration",
]


@dataclass(frozen=True)
class Hop:
    """One step of a chain: ``source`` → ``target`` by ``migration`` (None: identity)."""

    source: Standard
    target: Standard
    migration: Migration | None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "from": str(self.source.version),
            "to": str(self.target.version),
            "kind": "identity" if self.migration is None else self.migration.direction,
        }
        if self.migration is not None:
            out["declared_by"] = self.migration.owner.ref
            out["steps"] = [step.get("op") for step in self.migration.steps]
        return out


@dataclass(frozen=True)
class MigrationChain:
    """The hops from ``source`` to ``target``, ready to apply to records."""

    source: Standard
    target: Standard
    hops: tuple[Hop, ...]

    def apply(self, record: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
        """The migrated copy of ``record`` and every value that could not be migrated exactly."""
        out = dict(record)
        problems: list[Problem] = []
        for hop in self.hops:
            if hop.migration is None:
                continue
            for operation in hop.migration.operations:
                problems.extend(operation.apply(out))
        return out, problems

    @property
    def path(self) -> str:
        versions = [str(self.source.version), *(str(h.target.version) for h in self.hops)]
        return " → ".join(versions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source.ref,
            "to": self.target.ref,
            "path": self.path,
            "hops": [hop.to_dict() for hop in self.hops],
        }


def _declared(source: Standard, target: Standard) -> Migration | None:
    owner = target if target.version > source.version else source
    for migration in declared_migrations(owner):
        if migration.connects(source.version, target.version):
            return migration
    return None


def plan_chain(
    registry: Registry,
    source: Standard,
    target: Standard,
    *,
    environ: Mapping[str, str] | None = None,
) -> MigrationChain:
    """The chain of hops from ``source`` to ``target`` (see the module docs)."""
    if source.id != target.id:
        raise UsageError(f"cannot migrate {source.ref} to {target.ref}: different standards")
    upward = target.version >= source.version
    low, high = sorted((source.version, target.version))
    between = [
        s
        for s in registry.versions(source.id)
        if low <= s.version <= high and (s.status != "draft" or s in (source, target))
    ]
    if not upward:
        between.reverse()
    hops: list[Hop] = []
    index = 0
    while between[index] is not target and between[index].version != target.version:
        here = between[index]
        following = between[index + 1]
        migration = _declared(here, following)
        if migration is None and not diff_standards(here, following, environ=environ).is_breaking(
            Side.PRODUCERS
        ):
            hops.append(Hop(here, following, None))
            index += 1
            continue
        if migration is None:
            jump = next(
                (
                    (later, found)
                    for later in reversed(between[index + 2 :])
                    if (found := _declared(here, later)) is not None
                ),
                None,
            )
            if jump is None:
                raise UsageError(
                    f"no way to migrate {here.ref} to {following.ref}: records valid under "
                    f"{here.version} may be invalid under {following.version} and no "
                    f"migration between them is declared (see `govstd diff {here.ref} "
                    f"{following.ref}`)"
                )
            later, migration = jump
            hops.append(Hop(here, later, migration))
            index = between.index(later)
            continue
        hops.append(Hop(here, following, migration))
        index += 1
    return MigrationChain(source, target, tuple(hops))


# -- records -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Migrated:
    """One record after migration: ``record`` is None when it was rejected."""

    ordinal: int
    record: dict[str, Any] | None
    findings: list[Finding]


def _finding(catalogue: Catalogue, problem: Problem, ordinal: int, line: int | None) -> Finding:
    params = {k: v for k, v in problem.params.items() if k not in ("value", "field")}
    return catalogue.finding(
        problem.code,
        record=ordinal,
        location=Location(line=line, field=problem.field),
        value=problem.value,
        keyword=str(problem.params.get("op", "")) or None,
        **params,
    )


def migrate_records(
    chain: MigrationChain,
    records: Iterable[tuple[int, int | None, Any]],
    catalogue: Catalogue,
    *,
    fields: Sequence[str] | None = None,
) -> Iterator[Migrated]:
    """Stream ``(ordinal, line, record)`` through ``chain``.

    A record that is not an object, that has a value the chain cannot migrate exactly, or
    (with ``fields``, the target version's fields) ends with a field the target does not
    define, is rejected with findings; every other record comes out migrated.
    """
    allowed = frozenset(fields) if fields else None
    target = chain.target.ref
    for ordinal, line, record in records:
        if not isinstance(record, Mapping):
            found = catalogue.finding(
                "migrate.unmappable",
                record=ordinal,
                location=Location(line=line),
                value=type(record).__name__,
                expected="an object (one record)",
                op="read",
            )
            yield Migrated(ordinal, None, [found])
            continue
        migrated, problems = chain.apply(record)
        findings = [_finding(catalogue, p, ordinal, line) for p in problems]
        if allowed is not None:
            for name in migrated:
                if name not in allowed:
                    findings.append(
                        catalogue.finding(
                            "migrate.unknown-field",
                            record=ordinal,
                            location=Location(line=line, field=name),
                            value=migrated[name],
                            standard=target,
                        )
                    )
        if fields:
            migrated = {name: migrated[name] for name in fields if name in migrated}
        rejected = any(f.is_error for f in findings)
        yield Migrated(ordinal, None if rejected else migrated, findings)


# -- files -------------------------------------------------------------------------------------


@dataclass
class MigrationResult:
    """What a migration run did: the chain, the counts, and the findings (capped)."""

    chain: MigrationChain
    output: str
    output_format: str
    records: int = 0
    written: int = 0
    rejected: int = 0
    findings: list[Finding] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    truncated: bool = False

    @property
    def balanced(self) -> bool:
        return self.records == self.written + self.rejected

    def to_dict(self) -> dict[str, Any]:
        return {
            "chain": self.chain.to_dict(),
            "output": self.output,
            "output_format": self.output_format,
            "records": self.records,
            "written": self.written,
            "rejected": self.rejected,
            "counts": dict(sorted(self.counts.items())),
            "truncated": self.truncated,
            "findings": [_finding_dict(f) for f in self.findings],
        }


def _finding_dict(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": finding.code,
        "severity": finding.severity.label,
        "message": finding.message,
        "source": finding.source,
        "record": finding.record,
    }
    out.update(finding.location.to_dict())
    return out


def _records(batch: Any) -> Iterator[tuple[int, int | None, Any]]:
    if isinstance(batch, DocumentBatch):
        yield from zip(batch.ordinals, batch.lines, batch.records, strict=True)
        return
    header = list(batch.header)
    for ordinal, line, row in zip(batch.ordinals, batch.lines, batch.rows, strict=True):
        # an empty cell is the absent value (the standards' missingValues)
        yield (
            ordinal,
            line,
            {name: cell for name, cell in zip(header, row, strict=False) if cell != ""},
        )


def reader_for(session: Session, source: Source, wanted: str | None) -> Any:
    """The reader ``--input-format`` names, else the one claiming the source's extension."""
    from govstd.validation import choose_reader

    return choose_reader(session, source, wanted)


def run_migration(
    session: Session,
    sources: Sequence[str | os.PathLike[str]],
    *,
    standard: str,
    to: str,
    output: Path,
    output_format: str | None = None,
    input_format: str | None = None,
    encoding: str | None = None,
    batch_size: int | None = None,
    max_findings: int | None = None,
    allow_retired: bool = False,
) -> MigrationResult:
    """Migrate ``sources`` (records of ``standard``) to version ``to``, written to ``output``."""
    from govstd.atomicfile import atomic_output

    source_std = session.resolve(standard, allow_retired=allow_retired)
    target_ref = to if "@" in to else f"{source_std.id}@{to}"
    target_std = session.resolve(target_ref, allow_retired=allow_retired)
    chain = plan_chain(session.registry, source_std, target_std, environ=session.environ)
    writers = session.writers
    name = output_format or next(
        (w.name for w in writers.values() if output.suffix.lower() in w.extensions), "jsonl"
    )
    if name not in writers:
        raise UsageError(f"no writer {name!r} (available: {', '.join(sorted(writers))})")
    parsed = [Source.from_arg(os.fspath(s)) for s in sources]
    for source in parsed:
        if source.path is not None and not source.path.is_file():
            raise UsageError(f"input file not found: {source.name}")
    fields = record_fields(target_std)
    result = MigrationResult(chain=chain, output=str(output), output_format=name)
    catalogue = session.catalogue
    options = ReadOptions(encoding=encoding, batch_size=batch_size or DEFAULT_BATCH_SIZE)

    def keep(finding: Finding, source: Source) -> None:
        finding.source = finding.source or source.name
        result.counts[finding.code] += 1
        if max_findings is None or len(result.findings) < max_findings:
            result.findings.append(finding)
        else:
            result.truncated = True

    with atomic_output(output) as stream:
        sink = writers[name].open(stream, fields, _write_options())
        for source in parsed:
            reader = reader_for(session, source, input_format)
            for batch in reader.read(source, options, catalogue):
                for finding in batch.findings:
                    keep(finding, source)
                unreadable = set(batch.unreadable).difference(batch.ordinals)
                result.records += len(unreadable)
                result.rejected += len(unreadable)
                # a record the reader had an error about (bad bytes …) is not written either
                broken = {f.record for f in batch.findings if f.is_error and f.record}
                for item in migrate_records(chain, _records(batch), catalogue, fields=fields):
                    result.records += 1
                    for finding in item.findings:
                        keep(finding, source)
                    if item.record is None or item.ordinal in broken:
                        result.rejected += 1
                    else:
                        sink.write(item.record)
                        result.written += 1
        sink.close()
    return result


def _write_options() -> Any:
    from govstd.formats.writers import WriteOptions

    return WriteOptions()
