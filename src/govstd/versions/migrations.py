"""Declared migrations: how records of one version become records of another.

A version's manifest may declare migrations as data (see ``docs/versions.md``)::

    [[migrations]]                  # an upgrade INTO this version
    from = "^1.0"                   # from every version this spec matches
    steps = [ { op = "rename", from = "division_code", to = "household_division_code" } ]

    [[migrations]]                  # a downgrade FROM this version
    to = "1.0.0"
    steps = [ { op = "drop", field = "industry_code" } ]

:func:`declared_migrations` reads them into :class:`Migration` objects with every step built
(its operation checked), so a broken step is a :class:`~govstd.exceptions.ManifestError` naming
the version and the step, raised before any record is read. :func:`field_mapping` tells the
differ which fields a migration renames or converts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from govstd.exceptions import ManifestError
from govstd.refs import Version, VersionSpec
from govstd.versions.operations import Operation, StepError, build_operation

if TYPE_CHECKING:
    from govstd.standard import Standard

__all__ = ["Migration", "declared_migrations", "field_mapping", "find_migration"]


@dataclass(frozen=True)
class Migration:
    """One declared migration of ``owner`` (the version whose manifest declares it)."""

    owner: Standard
    direction: Literal["upgrade", "downgrade"]
    #: the versions on the other side: sources of an upgrade, targets of a downgrade
    other: VersionSpec
    steps: tuple[Mapping[str, Any], ...]
    operations: tuple[Operation, ...]
    description: Mapping[str, str]
    index: int

    def connects(self, source: Version, target: Version) -> bool:
        """Whether this migration takes records of ``source`` to ``target``."""
        if self.direction == "upgrade":
            return target == self.owner.version and self.other.allows(source)
        return source == self.owner.version and self.other.allows(target)

    @property
    def label(self) -> str:
        arrow = f"{self.other} → {self.owner.version}"
        if self.direction == "downgrade":
            arrow = f"{self.owner.version} → {self.other}"
        return f"{self.owner.id} {arrow}"


def declared_migrations(standard: Standard) -> list[Migration]:
    """The migrations ``standard``'s manifest declares, each step built and checked."""
    out = []
    for index, entry in enumerate(standard.manifest.get("migrations", ()) or ()):
        where = f"{standard.ref}: migrations[{index}]"
        if not isinstance(entry, Mapping):
            raise ManifestError(f"{where}: must be a table")
        has_from, has_to = "from" in entry, "to" in entry
        if has_from == has_to:
            raise ManifestError(
                f"{where}: give exactly one of 'from' (upgrade) or 'to' (downgrade)"
            )
        spec_text = str(entry["from"] if has_from else entry["to"])
        try:
            spec = VersionSpec.parse(spec_text)
        except ValueError as exc:
            raise ManifestError(f"{where}: {exc}") from None
        steps = tuple(entry.get("steps") or ())
        operations = []
        for number, step in enumerate(steps):
            try:
                operations.append(build_operation(step))
            except StepError as exc:
                raise ManifestError(f"{where}.steps[{number}]: {exc}") from None
        out.append(
            Migration(
                owner=standard,
                direction="upgrade" if has_from else "downgrade",
                other=spec,
                steps=steps,
                operations=tuple(operations),
                description=dict(entry.get("description") or {}),
                index=index,
            )
        )
    return out


def find_migration(source: Standard, target: Standard) -> Migration | None:
    """The declared migration from ``source`` to ``target`` (declared by either), if any."""
    owner = target if target.version > source.version else source
    for migration in declared_migrations(owner):
        if migration.connects(source.version, target.version):
            return migration
    return None


def field_mapping(migration: Migration | None) -> tuple[dict[str, str], dict[str, str]]:
    """``(renames, replaced)`` the migration declares, as old name → new name.

    ``rename`` steps are renames; a ``multiply`` into another field is a replacement (the new
    field holds a converted value). For a downgrade the names are those of the downgrade.
    """
    renames: dict[str, str] = {}
    replaced: dict[str, str] = {}
    if migration is None:
        return renames, replaced
    for step in migration.steps:
        source, target = step.get("from"), step.get("to")
        if not isinstance(source, str) or not isinstance(target, str) or source == target:
            continue
        if step.get("op") == "rename":
            renames[source] = target
        elif step.get("op") == "multiply":
            replaced[source] = target
    return renames, replaced
