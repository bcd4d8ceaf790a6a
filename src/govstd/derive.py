"""Derive a standard's Table Schema (CSV form) from its record JSON Schema (JSON form).

A flat standard states each fact once, in ``record.schema.json`` (JSON Schema draft 2020-12).
Its Table Schema, ``table.schema.json``, is *derived* from it by
:func:`table_schema_from_record_schema` and committed beside it so that the artefact can be
read and used on its own; a test checks that the committed file equals the derivation.
Regenerate or check the files with::

    python -m govstd.derive standards/*/*/            # rewrite table.schema.json
    python -m govstd.derive --check standards/*/*/    # exit 1 if one is stale

The mapping (everything else is refused with :class:`~govstd.exceptions.SchemaError`, so
nothing is ever dropped silently):

========================================  =================================================
record JSON Schema                        Table Schema
========================================  =================================================
``properties`` (in order)                 ``fields`` (in that order = the CSV header order)
``required``                              ``constraints.required: true``
``type: string``                          ``type: string``
``format: email`` / ``uri`` / ``uuid``    ``format: email`` / ``uri`` / ``uuid``
``format: date`` (+ ``^\\d{4}-\\d{2}-\\d{2}$``)  ``type: date`` (ISO ``YYYY-MM-DD``, the default)
``format: date-time`` / ``time``          ``type: datetime`` / ``time``; with a ``pattern``
                                          (say, "offset required"), ``type: string`` and the
                                          pattern, because Table Schema temporal types
                                          accept no pattern
``type: integer`` / ``number`` / ``boolean``  the same type
``pattern``, ``enum``, ``const``          ``constraints.pattern``, ``constraints.enum``
``minLength`` / ``maxLength``             ``constraints.minLength`` / ``maxLength``
``minimum`` / ``maximum`` / exclusive…    ``constraints.minimum`` / ``maximum`` / …
``title``, ``description``, ``x-*-zh``    the same keys on the field
``x-primary-key``                         ``primaryKey``
``additionalProperties: false``           (a Table Schema header is closed already)
(always)                                  ``missingValues: [""]`` (an empty cell = absent)
========================================  =================================================

Local ``$ref`` (``#/$defs/...``) are resolved. Nested objects and arrays, open records and
keywords with no Table Schema equivalent (``multipleOf``, ``oneOf`` …) are refused: such a
fact must go into the standard's ``rules`` instead, which apply to both forms.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from govstd.exceptions import SchemaError

__all__ = [
    "check_folder",
    "derive_folder",
    "render_json",
    "table_schema_from_record_schema",
]

#: The lexical form of a Table Schema ``date`` (format ``default``), as a JSON Schema pattern.
DATE_PATTERNS = frozenset({r"^\d{4}-\d{2}-\d{2}$", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})

_TOP_KEYS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "definitions",
        "$comment",
        "title",
        "description",
        "type",
        "required",
        "properties",
        "additionalProperties",
        "unevaluatedProperties",
    }
)
_ANNOTATIONS = frozenset(
    {"title", "description", "$comment", "examples", "default", "deprecated", "readOnly"}
)
_CARRIED = ("title", "description")
_STRING_FORMATS = {"email": "email", "uri": "uri", "uuid": "uuid"}
_TEMPORAL = {"date": "date", "date-time": "datetime", "time": "time"}
_SIMPLE_TYPES = {"integer": "integer", "number": "number", "boolean": "boolean"}
_STRING_CONSTRAINTS = ("minLength", "maxLength", "pattern")
_NUMBER_CONSTRAINTS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def table_schema_from_record_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The Table Schema equivalent to a flat, closed record JSON Schema.

    Raises :class:`~govstd.exceptions.SchemaError` when the record schema says something a
    Table Schema cannot (nested values, open records, unsupported keywords or formats).
    """
    if not isinstance(schema, Mapping):
        raise SchemaError("a record schema must be a JSON object")
    where = schema.get("$id") or "record schema"
    unknown = sorted(k for k in schema if k not in _TOP_KEYS and not k.startswith("x-"))
    if unknown:
        raise SchemaError(f"{where}: cannot derive a Table Schema from {', '.join(unknown)}")
    if schema.get("type") != "object":
        raise SchemaError(f"{where}: a record schema must have type 'object'")
    closed = (
        schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False
    )
    if not closed:
        raise SchemaError(
            f"{where}: the record must be closed (additionalProperties: false); a Table "
            "Schema header cannot leave room for undeclared columns"
        )
    properties = schema.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        raise SchemaError(f"{where}: a record schema needs at least one property")
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(n, str) for n in required):
        raise SchemaError(f"{where}: 'required' must be a list of property names")
    missing = [name for name in required if name not in properties]
    if missing:
        raise SchemaError(f"{where}: required names no property: {', '.join(missing)}")

    fields = [
        _field(name, _resolve(schema, prop, f"{where}#/properties/{name}"), name in required)
        for name, prop in properties.items()
    ]
    out: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    key = schema.get("x-primary-key")
    if key is not None:
        names = [key] if isinstance(key, str) else key
        if not isinstance(names, list) or not names or not all(n in properties for n in names):
            raise SchemaError(f"{where}: x-primary-key must name properties of the record")
        out["primaryKey"] = list(names)
    return out


def _resolve(root: Mapping[str, Any], node: Any, where: str, depth: int = 0) -> dict[str, Any]:
    """``node`` with a local ``$ref`` replaced by its target (sibling keywords win)."""
    if not isinstance(node, Mapping):
        raise SchemaError(f"{where}: a property schema must be a JSON object")
    if "$ref" not in node:
        return dict(node)
    if depth > 20:
        raise SchemaError(f"{where}: $ref chain too long (a cycle?)")
    ref = node["$ref"]
    if not isinstance(ref, str) or not ref.startswith("#/"):
        raise SchemaError(f"{where}: only local references (#/$defs/...) can be derived: {ref!r}")
    target: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, Mapping) or part not in target:
            raise SchemaError(f"{where}: $ref {ref!r} points at nothing")
        target = target[part]
    merged = _resolve(root, target, ref, depth + 1)
    merged.update({k: v for k, v in node.items() if k != "$ref"})
    return merged


def _field(name: str, prop: Mapping[str, Any], required: bool) -> dict[str, Any]:
    where = f"property {name!r}"
    json_type = prop.get("type")
    if json_type is None and "const" in prop:
        json_type = _type_of(prop["const"])
    if not isinstance(json_type, str):
        raise SchemaError(f"{where}: needs exactly one 'type' (got {json_type!r})")

    field: dict[str, Any] = {"name": name}
    constraints: dict[str, Any] = {}
    if required:
        constraints["required"] = True
    allowed: tuple[str, ...]
    if json_type == "string":
        fmt = prop.get("format")
        pattern = prop.get("pattern")
        allowed = _STRING_CONSTRAINTS
        if fmt is None:
            field["type"] = "string"
        elif fmt in _STRING_FORMATS:
            field["type"] = "string"
            field["format"] = _STRING_FORMATS[fmt]
        elif fmt in _TEMPORAL:
            if pattern is None or (fmt == "date" and pattern in DATE_PATTERNS):
                # the Table Schema type says all the pattern says, and checks the calendar
                field["type"] = _TEMPORAL[fmt]
                allowed = ()
            else:
                # a pattern that says more (an offset, say): only a string can carry it
                field["type"] = "string"
        else:
            raise SchemaError(f"{where}: format {fmt!r} has no Table Schema equivalent")
    elif json_type in _SIMPLE_TYPES:
        field["type"] = _SIMPLE_TYPES[json_type]
        allowed = _NUMBER_CONSTRAINTS if json_type != "boolean" else ()
        if "format" in prop:
            raise SchemaError(f"{where}: format on a {json_type} has no Table Schema equivalent")
    else:
        raise SchemaError(
            f"{where}: type {json_type!r} is not flat; a Table Schema field holds one scalar"
        )

    handled = {"type", "format", "$ref", *_ANNOTATIONS, "enum", "const"}
    for key, value in prop.items():
        if key in handled or key.startswith("x-"):
            continue
        if key in allowed:
            constraints[key] = value
        elif key in _STRING_CONSTRAINTS and field["type"] in _TEMPORAL.values():
            continue  # the lexical form of the temporal type implies them
        else:
            raise SchemaError(
                f"{where}: {key!r} cannot be said in a Table Schema; put it in the "
                "standard's rules so that it applies to both forms"
            )
    if "const" in prop:
        constraints["enum"] = [prop["const"]]
    elif "enum" in prop:
        constraints["enum"] = list(prop["enum"])
    for key in _CARRIED:
        if key in prop:
            field[key] = prop[key]
    for key, value in prop.items():
        if key.startswith("x-"):
            field[key] = value
    if constraints:
        field["constraints"] = constraints
    return field


def _type_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def render_json(document: Any) -> str:
    """The canonical text of a committed JSON artefact (2-space indent, UTF-8, final newline)."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# -- standard folders -----------------------------------------------------------------------


def _artefact_paths(folder: Path) -> tuple[Path, Path]:
    """The ``json_schema`` and ``table_schema`` artefacts the manifest in ``folder`` names.

    Reads only the ``[artefacts]`` table, so that a missing Table Schema can be (re)created.
    """
    import tomllib

    from govstd.standard import MANIFEST_NAME

    manifest = folder / MANIFEST_NAME
    try:
        artefacts = tomllib.loads(manifest.read_text(encoding="utf-8")).get("artefacts", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SchemaError(f"cannot read {manifest}: {exc}") from None
    source, target = artefacts.get("json_schema"), artefacts.get("table_schema")
    if not isinstance(source, str) or not isinstance(target, str):
        raise SchemaError(f"{manifest} names no json_schema and table_schema artefact pair")
    return folder / source, folder / target


def _derived_text(source: Path) -> str:
    try:
        record = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaError(f"cannot read {source}: {exc}") from None
    return render_json(table_schema_from_record_schema(record))


def check_folder(folder: Path) -> bool:
    """Whether the committed Table Schema of the standard version in ``folder`` is current."""
    source, target = _artefact_paths(folder)
    return target.read_text(encoding="utf-8") == _derived_text(source)


def derive_folder(folder: Path) -> Path:
    """(Re)write the Table Schema of the standard version in ``folder``; return its path."""
    source, target = _artefact_paths(folder)
    target.write_text(_derived_text(source), encoding="utf-8")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m govstd.derive",
        description="Derive table.schema.json from record.schema.json in standard folders.",
    )
    parser.add_argument("folders", nargs="+", type=Path, help="standard version folders")
    parser.add_argument(
        "--check", action="store_true", help="only check; exit 1 if a file is stale"
    )
    args = parser.parse_args(argv)
    stale = 0
    for folder in args.folders:
        if args.check:
            if not check_folder(folder):
                stale += 1
                print(f"stale: {folder}", file=sys.stderr)
        else:
            print(f"wrote {derive_folder(folder)}")
    return 1 if stale else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
