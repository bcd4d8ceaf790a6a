"""Table Schema descriptors: validation and compilation into :class:`FieldCheck` s.

An unknown type, a constraint a type does not support, a bad regex, a primary key naming no
field … raise :class:`~govstd.exceptions.SchemaError`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from govstd.engines.tablefields import FieldCheck
from govstd.engines.tabletypes import FORMATS, TYPES, CellType, build_type
from govstd.exceptions import SchemaError

__all__ = ["compile_descriptor"]

_RANGE = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_SIZED = ("minLength", "maxLength")
#: the constraints each type supports besides required and unique
_CONSTRAINTS: dict[str, tuple[str, ...]] = {
    "string": (*_SIZED, "pattern", "enum"),
    "number": (*_RANGE, "enum"),
    "integer": (*_RANGE, "enum"),
    "boolean": ("enum",),
    "object": (*_SIZED, "enum"),
    "array": (*_SIZED, "enum"),
    "list": _SIZED,
    "date": (*_RANGE, "enum"),
    "time": (*_RANGE, "enum"),
    "datetime": (*_RANGE, "enum"),
    "year": (*_RANGE, "enum"),
    "yearmonth": (*_RANGE, "enum"),
    "duration": ("enum",),
    "geopoint": ("enum",),
    "geojson": ("enum",),
    "any": ("enum",),
}
_LIST_ITEM_TYPES = ("string", "integer", "boolean", "number", "datetime", "date", "time")
_TYPE_OPTIONS = {
    "number": ("decimalChar", "groupChar", "bareNumber"),
    "integer": ("bareNumber",),
    "boolean": ("trueValues", "falseValues"),
    "list": ("delimiter", "itemType"),
}


def _fail(message: str) -> SchemaError:
    return SchemaError(f"invalid Table Schema: {message}")


def _names(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _fail(f"{what} must be a field name or a list of field names, not {value!r}")


def _string_list(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(f"{what} must be a list of strings, not {value!r}")
    return value


def _cast_bound(ctype: CellType, name: str, keyword: str, value: Any) -> Any:
    """A constraint value (``minimum``, an ``enum`` item …) as a value of the field's type."""
    try:
        if isinstance(value, bool):
            if ctype.name == "boolean":
                return value
            raise ValueError(value)
        if isinstance(value, int | float) and ctype.name in ("number", "integer", "year"):
            if ctype.name == "number":
                return Decimal(str(value))
            if float(value).is_integer():
                return int(value)
            raise ValueError(value)
        if isinstance(value, dict | list) and ctype.name in ("object", "array", "geojson"):
            return value
        if not isinstance(value, str):
            raise ValueError(value)
        return ctype.parse(value)
    except (ValueError, TypeError, ArithmeticError, LookupError):
        raise _fail(
            f'field "{name}": constraint {keyword} {value!r} is not a valid {ctype.expected}'
        ) from None


def _compile_field(descriptor: Any, position: int, schema_missing: frozenset[str]) -> FieldCheck:
    if not isinstance(descriptor, dict):
        raise _fail(f"field {position} must be an object, not {descriptor!r}")
    name = descriptor.get("name")
    if not isinstance(name, str):
        raise _fail(f"field {position} has no name (a string)")
    kind = descriptor.get("type", "string")
    if kind not in TYPES:
        raise _fail(f'field "{name}": unknown type {kind!r} (use one of {", ".join(TYPES)})')
    if "required" in descriptor:
        raise _fail(f'field "{name}": "required" must be set inside "constraints"')
    fmt = descriptor.get("format", "default")
    if not isinstance(fmt, str):
        raise _fail(f'field "{name}": format must be a string')
    fmt = fmt.removeprefix("fmt:") or "default"
    allowed_formats = FORMATS.get(kind, ())
    if kind in FORMATS and fmt != "default":
        if allowed_formats is None:
            if fmt != "any" and "%" not in fmt:
                raise _fail(
                    f'field "{name}": format {fmt!r} is not "default", "any" or a strptime pattern'
                )
        elif fmt not in allowed_formats:
            raise _fail(f'field "{name}": unknown format {fmt!r} for type {kind}')
    elif kind not in FORMATS:
        fmt = "default"  # formats of other types carry no meaning in Table Schema v1
    options = {k: descriptor[k] for k in _TYPE_OPTIONS.get(kind, ()) if k in descriptor}
    for key in ("trueValues", "falseValues"):
        if key in options:
            _string_list(options[key], f'field "{name}": {key}')
    for key in ("decimalChar", "groupChar", "delimiter"):
        if key in options and (not isinstance(options[key], str) or not options[key]):
            raise _fail(f'field "{name}": {key} must be a non-empty string')
    if "bareNumber" in options and not isinstance(options["bareNumber"], bool):
        raise _fail(f'field "{name}": bareNumber must be true or false')
    if kind == "list" and options.get("itemType", "string") not in _LIST_ITEM_TYPES:
        raise _fail(f'field "{name}": itemType must be one of {", ".join(_LIST_ITEM_TYPES)}')
    ctype = build_type(kind, fmt, options)
    missing = schema_missing
    if "missingValues" in descriptor:
        missing = frozenset(
            _string_list(descriptor["missingValues"], f'field "{name}": missingValues')
        )
    constraints = descriptor.get("constraints", {})
    if not isinstance(constraints, dict):
        raise _fail(f'field "{name}": constraints must be an object')
    supported = {"required", "unique", *_CONSTRAINTS[kind]}
    for key in constraints:
        if key not in supported:
            raise _fail(f'field "{name}": constraint "{key}" is not supported by type "{kind}"')
    settings: dict[str, Any] = {}
    for key in ("required", "unique"):
        value = constraints.get(key, False)
        if not isinstance(value, bool):
            raise _fail(f'field "{name}": constraint {key} must be true or false')
        settings[key] = value
    for key, attr in (("minLength", "min_length"), ("maxLength", "max_length")):
        if key in constraints:
            value = constraints[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _fail(f'field "{name}": constraint {key} must be a non-negative integer')
            settings[attr] = value
    if "pattern" in constraints:
        text = constraints["pattern"]
        if not isinstance(text, str):
            raise _fail(f'field "{name}": constraint pattern must be a string')
        try:
            settings["pattern"] = re.compile(text)
        except re.error as exc:
            raise _fail(
                f'field "{name}": constraint pattern {text!r} is not a valid regex: {exc}'
            ) from None
        settings["pattern_text"] = text
    if "enum" in constraints:
        items = constraints["enum"]
        if not isinstance(items, list) or not items:
            raise _fail(f'field "{name}": constraint enum must be a non-empty list')
        settings["enum"] = tuple(items)
        settings["enum_values"] = tuple(_cast_bound(ctype, name, "enum", v) for v in items)
        raw = {v for v in items if isinstance(v, str)}
        if kind == "boolean":
            raw = {k for k, v in ctype.extras["map"].items() if v in settings["enum_values"]}
        settings["enum_raw"] = frozenset(raw)
    ranges = []
    comparable = ctype.comparable
    for key in _RANGE:
        if key in constraints:
            bound = _cast_bound(ctype, name, key, constraints[key])
            ranges.append((key, comparable(bound) if comparable else bound, constraints[key]))
    return FieldCheck(
        name=name,
        ctype=ctype,
        missing=missing,
        ranges=tuple(ranges),
        keyed=settings["unique"],
        descriptor=descriptor,
        **settings,
    )


def _check_foreign_keys(value: Any, names: set[str]) -> None:
    if not isinstance(value, list):
        raise _fail("foreignKeys must be a list")
    for fk in value:
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            raise _fail(f"foreign key {fk!r} needs fields and a reference")
        fields = _names(fk.get("fields"), "foreign key fields")
        for name in fields:
            if name not in names:
                raise _fail(f'foreign key field "{name}" is not a field of the schema')
        reference = fk["reference"]
        target = _names(reference.get("fields"), "foreign key reference fields")
        if len(target) != len(fields):
            raise _fail(
                f"foreign key fields {list(fields)} do not match reference fields {list(target)}"
            )


def compile_descriptor(
    descriptor: Any,
) -> tuple[list[FieldCheck], tuple[str, ...], list[tuple[str, ...]]]:
    """Validate a Table Schema descriptor; the fields, primary key and unique keys."""
    if not isinstance(descriptor, dict):
        raise _fail("a Table Schema must be a JSON object")
    fields = descriptor.get("fields")
    if not isinstance(fields, list):
        raise _fail('"fields" is required and must be a list')
    schema_missing = frozenset(_string_list(descriptor.get("missingValues", [""]), "missingValues"))
    checks = [_compile_field(f, i + 1, schema_missing) for i, f in enumerate(fields)]
    names = [c.name for c in checks]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _fail(f'field name "{name}" is used twice')
        seen.add(name)
    primary: tuple[str, ...] = ()
    if "primaryKey" in descriptor:
        primary = _names(descriptor["primaryKey"], "primaryKey")
        for name in primary:
            if name not in seen:
                raise _fail(
                    f'primary key field "{name}" is not a field (fields: {", ".join(names)})'
                )
    unique_keys: list[tuple[str, ...]] = []
    if "uniqueKeys" in descriptor:
        if not isinstance(descriptor["uniqueKeys"], list):
            raise _fail("uniqueKeys must be a list")
        for item in descriptor["uniqueKeys"]:
            key = _names(item, "uniqueKeys item")
            for name in key:
                if name not in seen:
                    raise _fail(f'unique key field "{name}" is not a field')
            unique_keys.append(key)
    if "foreignKeys" in descriptor:
        _check_foreign_keys(descriptor["foreignKeys"], seen)
    keyed = set(primary).union(*unique_keys) if unique_keys else set(primary)
    checks = [c if c.keyed or c.name not in keyed else _with_keys(c) for c in checks]
    return checks, primary, unique_keys


def _with_keys(check: FieldCheck) -> FieldCheck:
    return replace(check, keyed=True)
