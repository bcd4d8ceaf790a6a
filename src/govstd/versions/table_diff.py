"""Diff of two Frictionless Table Schemas, through the JSON Schema differ.

A Table Schema describes one CSV row. Its facts map one to one onto a flat, closed JSON
Schema (the inverse of :mod:`govstd.derive`): each field a property, ``constraints.required``
the ``required`` list, the other constraints the same keywords, temporal types a ``format``.
So the two versions are turned into that view and compared by
:func:`~govstd.versions.schema_diff.diff_json_schemas`; what has no JSON Schema counterpart
(``primaryKey``, ``constraints.unique``, ``missingValues``) is compared here.

The view is closed: govstd reports a column the Table Schema does not define
(``header.extra``), so a CSV is a closed record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govstd.engines.base import SchemaDocument
from govstd.versions.changes import Change, Impact
from govstd.versions.schema_diff import diff_json_schemas

__all__ = ["diff_table_schemas", "is_table_schema", "record_view"]

C, B = Impact.COMPATIBLE, Impact.BREAKING

#: Table Schema type → JSON Schema keywords of the value as a CSV cell would be read
_TYPES: Mapping[str, Mapping[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "time": {"type": "string", "format": "time"},
    "year": {"type": "integer"},
    "yearmonth": {"type": "string", "format": "yearmonth"},
    "duration": {"type": "string", "format": "duration"},
    "object": {"type": "object"},
    "array": {"type": "array"},
    "geopoint": {"type": "string", "format": "geopoint"},
    "geojson": {"type": "object"},
    "any": {},
}

_COPIED = (
    "pattern",
    "minLength",
    "maxLength",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
)


def is_table_schema(content: Any) -> bool:
    """Whether ``content`` looks like a Table Schema (a ``fields`` list of named objects)."""
    return (
        isinstance(content, dict)
        and isinstance(content.get("fields"), list)
        and all(isinstance(f, dict) and "name" in f for f in content["fields"])
    )


def record_view(table_schema: Mapping[str, Any]) -> dict[str, Any]:
    """The flat, closed JSON Schema (draft 2020-12) stating the Table Schema's cell facts."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for spec in table_schema.get("fields", []):
        name = str(spec["name"])
        kind = str(spec.get("type", "string"))
        prop: dict[str, Any] = dict(_TYPES.get(kind, {"type": "string", "format": kind}))
        if kind == "string" and isinstance(spec.get("format"), str) and spec["format"] != "default":
            prop["format"] = spec["format"]
        constraints = spec.get("constraints") or {}
        for keyword in _COPIED:
            if keyword in constraints:
                value = constraints[keyword]
                # date/time bounds are texts; JSON Schema bounds are numbers only
                if keyword.endswith(("imum", "Minimum", "Maximum")) and not isinstance(
                    value, int | float
                ):
                    prop[f"x-{keyword}"] = value
                    continue
                prop[keyword] = value
        if constraints.get("required"):
            required.append(name)
        properties[name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _unique_fields(table_schema: Mapping[str, Any]) -> set[str]:
    return {
        str(f["name"])
        for f in table_schema.get("fields", [])
        if (f.get("constraints") or {}).get("unique")
    }


def _primary_key(table_schema: Mapping[str, Any]) -> tuple[str, ...]:
    key = table_schema.get("primaryKey")
    if isinstance(key, str):
        return (key,)
    return tuple(key or ())


def diff_table_schemas(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    renames: Mapping[str, str] | None = None,
    replaced: Mapping[str, str] | None = None,
) -> list[Change]:
    """Every change from Table Schema ``old`` to ``new`` (fields, constraints, keys)."""
    renames = dict(renames or {})
    changes = diff_json_schemas(
        SchemaDocument(record_view(old)),
        SchemaDocument(record_view(new)),
        renames=renames,
        replaced=replaced,
        artefact="table_schema",
    )
    changes.extend(_bounds_as_text(old, new, renames))
    old_key = tuple(renames.get(n, n) for n in _primary_key(old))
    new_key = _primary_key(new)
    if old_key != new_key:
        direction = "tightened" if not old_key else "loosened" if not new_key else "changed"
        impacts = {"tightened": (B, C), "loosened": (C, B), "changed": (B, B)}[direction]
        changes.append(
            Change(
                kind="primary-key.changed",
                path="",
                producers=impacts[0],
                consumers=impacts[1],
                detail=f"primary key {list(old_key) or '(none)'} → {list(new_key) or '(none)'}",
                direction=direction,
                artefact="table_schema",
                old=list(old_key),
                new=list(new_key),
            )
        )
    old_unique = {renames.get(n, n) for n in _unique_fields(old)}
    new_unique = _unique_fields(new)
    for name in sorted(old_unique ^ new_unique):
        now = name in new_unique
        changes.append(
            Change(
                kind="bound.changed",
                path=f"/{name}",
                producers=B if now else C,
                consumers=C if now else B,
                detail=f"values {'now' if now else 'no longer'} unique",
                direction="tightened" if now else "loosened",
                artefact="table_schema",
            )
        )
    old_missing = list(old.get("missingValues", [""]))
    new_missing = list(new.get("missingValues", [""]))
    if old_missing != new_missing:
        changes.append(
            Change(
                kind="schema.changed",
                path="",
                producers=B,
                consumers=B,
                detail=f"missingValues {old_missing} → {new_missing}",
                artefact="table_schema",
                old=old_missing,
                new=new_missing,
            )
        )
    return changes


def _bounds_as_text(
    old: Mapping[str, Any], new: Mapping[str, Any], renames: Mapping[str, str]
) -> list[Change]:
    """Date/time ``minimum``/``maximum`` (texts): ISO texts order like the values they name."""

    def bounds(schema: Mapping[str, Any]) -> dict[tuple[str, str], Any]:
        out = {}
        for spec in schema.get("fields", []):
            for keyword in ("minimum", "maximum"):
                value = (spec.get("constraints") or {}).get(keyword)
                if isinstance(value, str):
                    out[(str(spec["name"]), keyword)] = value
        return out

    before = {(renames.get(n, n), k): v for (n, k), v in bounds(old).items()}
    after = bounds(new)
    out = []
    for name, keyword in sorted(set(before) | set(after)):
        a, b = before.get((name, keyword)), after.get((name, keyword))
        if a == b:
            continue
        if a is None:
            direction = "tightened"
        elif b is None:
            direction = "loosened"
        elif keyword == "minimum":
            direction = "tightened" if b > a else "loosened"
        else:
            direction = "tightened" if b < a else "loosened"
        producers, consumers = (B, C) if direction == "tightened" else (C, B)
        out.append(
            Change(
                kind="bound.changed",
                path=f"/{name}",
                producers=producers,
                consumers=consumers,
                detail=f"{keyword} {a or '(none)'} → {b or '(none)'}",
                direction=direction,
                artefact="table_schema",
                old=a,
                new=b,
            )
        )
    return out
