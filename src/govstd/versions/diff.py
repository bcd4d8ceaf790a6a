"""Diff two versions of a standard, or two schema files, or two folders of them.

:func:`diff_standards` compares everything a standard version states: its record schema
(JSON Schema, or the Table Schema when that is all it has), the table-only facts
(``primaryKey``), its rules and the code lists they bind. Field renames and conversions that a
declared migration between the two versions states are reported as such (``field.renamed``,
``field.replaced``), never as a removal plus an addition.

:func:`diff_paths` compares two files — JSON Schemas (any draft, ``$ref``s resolved against the
JSON files beside each), Table Schemas, or code lists (CSV/JSON) — or two folders, file by file
(``codelists/*.csv`` included), as published standards such as OCDS lay them out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstd.engines.base import SchemaDocument
from govstd.exceptions import ReferenceResolutionError, SchemaError, UsageError
from govstd.versions.changes import Change, Diff, Impact
from govstd.versions.codelist_diff import diff_codelists, read_codelist_file
from govstd.versions.migrations import field_mapping, find_migration
from govstd.versions.rule_diff import diff_rules
from govstd.versions.schema_diff import diff_json_schemas
from govstd.versions.table_diff import diff_table_schemas, is_table_schema, record_view

if TYPE_CHECKING:
    from govstd.codelists import CodeLists
    from govstd.standard import Standard

__all__ = ["diff_paths", "diff_standards", "record_fields"]


def record_fields(standard: Standard) -> list[str]:
    """The top-level fields a version's records may have, in schema order."""
    if standard.artefact_path("json_schema") is not None:
        content = standard.load_json_artefact("json_schema")
        props = content.get("properties", {}) if isinstance(content, dict) else {}
        return list(props)
    if standard.artefact_path("table_schema") is not None:
        return list(record_view(standard.load_json_artefact("table_schema"))["properties"])
    return []


def diff_standards(
    old: Standard,
    new: Standard,
    *,
    renames: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Diff:
    """Every change from standard version ``old`` to ``new``.

    ``renames`` adds renames to those the declared migration states (old name → new name).
    Raises :class:`~govstd.exceptions.SetupError` for unreadable or unresolvable schemas.
    """
    declared, replaced = field_mapping(find_migration(old, new))
    declared.update(renames or {})
    result = Diff(old=old.ref, new=new.ref)
    result.changes.extend(_schemas(old, new, declared, replaced, result))

    old_fields, new_fields = set(record_fields(old)), set(record_fields(new))
    appeared = new_fields - old_fields - set(declared.values())
    gone = old_fields - new_fields - set(declared)
    libraries: dict[str, CodeLists] = {}

    def codelists(standard: Standard) -> CodeLists:
        from govstd.rules_plugin import standard_codelists

        if standard.ref not in libraries:
            libraries[standard.ref] = standard_codelists(standard, environ)
        return libraries[standard.ref]

    result.changes.extend(
        diff_rules(
            old,
            new,
            renames=declared,
            new_fields=appeared,
            gone_fields=gone,
            codelists=codelists,
        )
    )
    return result


def _schemas(
    old: Standard,
    new: Standard,
    renames: Mapping[str, str],
    replaced: Mapping[str, str],
    result: Diff,
) -> list[Change]:
    def document(standard: Standard) -> SchemaDocument:
        path = standard.artefact_path("json_schema")
        assert path is not None
        return SchemaDocument(
            content=standard.load_json_artefact("json_schema"),
            path=path,
            resources=standard.json_resources,
        )

    has_json = all(s.artefact_path("json_schema") is not None for s in (old, new))
    has_table = all(s.artefact_path("table_schema") is not None for s in (old, new))
    changes: list[Change] = []
    if has_json:
        changes.extend(
            diff_json_schemas(document(old), document(new), renames=renames, replaced=replaced)
        )
        if has_table:
            # the Table Schema states the same field facts (derived); only its keys are its own
            table = diff_table_schemas(
                old.load_json_artefact("table_schema"),
                new.load_json_artefact("table_schema"),
                renames=renames,
                replaced=replaced,
            )
            changes.extend(c for c in table if c.kind == "primary-key.changed")
    elif has_table:
        changes.extend(
            diff_table_schemas(
                old.load_json_artefact("table_schema"),
                new.load_json_artefact("table_schema"),
                renames=renames,
                replaced=replaced,
            )
        )
    else:
        result.notes.append(
            f"{old.ref} and {new.ref} share no schema artefact govstd can compare "
            "(json_schema or table_schema)"
        )
    return changes


# -- files and folders -------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise SchemaError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SchemaError(f"{path} is not valid JSON: {exc}") from None


def _siblings(path: Path, extra: Mapping[str, Path]) -> dict[str, Any]:
    out: dict[str, Any] = {uri: _read_json(file) for uri, file in extra.items()}
    for sibling in sorted(path.resolve().parent.glob("*.json")):
        try:
            out[sibling.as_uri()] = json.loads(sibling.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            continue
    return out


def _diff_files(
    old: Path,
    new: Path,
    renames: Mapping[str, str],
    resources: tuple[Mapping[str, Path], Mapping[str, Path]],
    artefact: str | None = None,
) -> list[Change]:
    if old.suffix.lower() == ".csv" or new.suffix.lower() == ".csv":
        if old.suffix.lower() != new.suffix.lower():
            raise UsageError(f"cannot compare {old.name} with {new.name}: different kinds")
        return diff_codelists(
            read_codelist_file(old, id=old.stem, version="old"),
            read_codelist_file(new, id=new.stem, version="new"),
            path=f"codelist:{new.stem}",
            artefact=artefact or "codelists",
        )
    a, b = _read_json(old), _read_json(new)
    if is_table_schema(a) and is_table_schema(b):
        return diff_table_schemas(a, b, renames=renames)
    if is_table_schema(a) != is_table_schema(b):
        # one Table Schema and one JSON Schema: compare the Table Schema's record view
        a = record_view(a) if is_table_schema(a) else a
        b = record_view(b) if is_table_schema(b) else b
    changes = diff_json_schemas(
        SchemaDocument(a, old, _siblings(old, resources[0])),
        SchemaDocument(b, new, _siblings(new, resources[1])),
        renames=renames,
        artefact=artefact or "json_schema",
    )
    return changes


def diff_paths(
    old: Path,
    new: Path,
    *,
    renames: Mapping[str, str] | None = None,
    old_resources: Mapping[str, Path] | None = None,
    new_resources: Mapping[str, Path] | None = None,
) -> Diff:
    """Changes from file (or folder) ``old`` to ``new``. See the module docs.

    ``old_resources``/``new_resources`` map URIs that ``$ref``s name to local files, for
    schemas that refer to each other by a URL that is not their ``$id`` (360Giving 1.0.0).
    In a folder, a schema whose ``$ref``s cannot be resolved is skipped with a note.
    """
    resources = (dict(old_resources or {}), dict(new_resources or {}))
    for path in (old, new):
        if not path.exists():
            raise UsageError(f"{path} does not exist")
    if old.is_dir() != new.is_dir():
        raise UsageError("compare two files or two folders, not a file with a folder")
    result = Diff(old=str(old), new=str(new))
    names = dict(renames or {})
    if old.is_file():
        result.changes.extend(_diff_files(old, new, names, resources))
        return result
    pairs = _folder_pairs(old, new, result)
    for relative, (a, b) in pairs.items():
        try:
            result.changes.extend(_diff_files(a, b, names, resources, artefact=relative))
        except ReferenceResolutionError as exc:
            result.notes.append(f"{relative} not compared: {exc}")
    return result


def _folder_pairs(old: Path, new: Path, result: Diff) -> dict[str, tuple[Path, Path]]:
    def listing(folder: Path) -> dict[str, Path]:
        return {
            p.relative_to(folder).as_posix(): p
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix.lower() in (".json", ".csv")
        }

    before, after = listing(old), listing(new)
    for relative in sorted(set(before) ^ set(after)):
        added = relative in after
        result.changes.append(_file_change(relative, added))
    return {r: (before[r], after[r]) for r in sorted(set(before) & set(after))}


def _file_change(relative: str, added: bool) -> Change:
    """A schema or code list file present on one side only: listed, breaking nobody."""
    kind = "codelist.changed" if relative.endswith(".csv") else "schema.changed"
    return Change(
        kind=kind,
        path=f"file:{relative}",
        producers=Impact.COMPATIBLE,
        consumers=Impact.COMPATIBLE,
        detail=f"{relative} {'added' if added else 'removed'}",
        direction="added" if added else "removed",
        artefact=relative,
    )
