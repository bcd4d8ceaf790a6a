"""Declarative mapping files: an adapter written as TOML.

A mapping file says everything about a vendor layout that a declaration can say::

    name = "acme-hr"
    title = { en = "ACME HR household register export", zh = "ACME 户籍系统导出" }
    standard = "cn.natural-person@^1.0"      # the standard and the versions it maps to
    format = "csv"                           # the vendor reader/writer: csv, xml …
    encoding = "gb18030"                     # how the vendor's files are encoded
    null_markers = ["无", "-", "/", "NULL", "null"]   # empty cells are always null

    [layout]                                 # options for the vendor's reader and writer
    delimiter = ","
    line_terminator = "\\r\\n"

    [[columns]]
    label = "性别"                           # the vendor's column (or XML element) name
    field = "sex"                            # the standard's field
    type = "code"                            # a value type, see govstd.adapters.values
    codes = { "男" = "1", "女" = "2" }       # options of the type

Every column has ``label``, ``field`` and ``type``; ``optional = true`` lets the column be
missing from a file; ``trim = false`` keeps surrounding whitespace. Other keys are options of
the type (``formats`` for dates, ``codes``/``codelist``/``labels``/``optional_suffix`` for
codes, ``thousands`` for decimals). A mapping file that cannot work is a
:class:`~govstd.exceptions.SetupError` naming the file and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from govstd.adapters.model import Adapter, Column
from govstd.adapters.values import CodeRule, ValueRule, builtin_value_types
from govstd.exceptions import SetupError
from govstd.refs import StandardRef

__all__ = ["load_adapter", "parse_adapter"]

_TOP_KEYS = frozenset(
    {"name", "title", "standard", "format", "encoding", "null_markers", "layout", "columns"}
)
_COLUMN_KEYS = frozenset({"label", "field", "type", "optional"})


def load_adapter(
    path: Path | Traversable, *, types: Mapping[str, type[ValueRule]] | None = None
) -> Adapter:
    """Load an adapter from a mapping file (a path, or a package resource)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SetupError(f"cannot read adapter mapping {path}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SetupError(f"adapter mapping {path} is not valid TOML: {exc}") from None
    return parse_adapter(data, origin=str(path), types=types, path=Path(str(path)))


def parse_adapter(
    data: Mapping[str, Any],
    *,
    origin: str = "adapter mapping",
    types: Mapping[str, type[ValueRule]] | None = None,
    path: Path | None = None,
) -> Adapter:
    """Build an adapter from the parsed mapping ``data``; ``types`` add value types."""
    where = origin

    def fail(message: str) -> SetupError:
        return SetupError(f"{where}: {message}")

    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise fail(f"unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("name", "standard", "format"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise fail(f"{key} must be a non-empty string")
    try:
        ref = StandardRef.parse(data["standard"])
    except ValueError as exc:
        raise fail(f"standard: {exc}") from None
    encoding = data.get("encoding")
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except (LookupError, TypeError):
            raise fail(f"unknown encoding {encoding!r}") from None
    nulls = data.get("null_markers", [])
    if not isinstance(nulls, list) or not all(isinstance(n, str) for n in nulls):
        raise fail("null_markers must be a list of strings")
    layout = data.get("layout", {})
    if not isinstance(layout, Mapping):
        raise fail("layout must be a table")
    title = data.get("title", {})
    if isinstance(title, str):
        title = {"en": title}

    known_types = {**builtin_value_types(), **(types or {})}
    columns: list[Column] = []
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        raise fail("columns must be a non-empty array of tables ([[columns]])")
    seen_labels: set[str] = set()
    seen_fields: set[str] = set()
    codelists: Any = None
    for number, entry in enumerate(raw_columns, start=1):
        where = f"{origin}: column {number}"
        if not isinstance(entry, Mapping):
            raise fail("must be a table")
        for key in ("label", "field", "type"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise fail(f"{key} must be a non-empty string")
        label, name, kind = entry["label"], entry["field"], entry["type"]
        where = f"{origin}: column {label!r}"
        if label in seen_labels:
            raise fail("label is declared twice")
        if name in seen_fields:
            raise fail(f"field {name!r} is filled by two columns")
        seen_labels.add(label)
        seen_fields.add(name)
        rule_type = known_types.get(kind)
        if rule_type is None:
            raise fail(f"unknown type {kind!r} (known: {', '.join(sorted(known_types))})")
        settings = {k: v for k, v in entry.items() if k not in _COLUMN_KEYS}
        try:
            if issubclass(rule_type, CodeRule) and "codelist" in settings:
                if codelists is None:
                    from govstd.codelists import CodeLists

                    codelists = CodeLists.default()
                codelist = codelists.get(str(settings["codelist"]))
                rule: ValueRule = rule_type(label, nulls, settings, codelist=codelist)
            else:
                rule = rule_type(label, nulls, settings)
        except SetupError as exc:
            raise SetupError(f"{origin}: {exc}") from None
        columns.append(
            Column(label=label, field=name, rule=rule, optional=bool(entry.get("optional")))
        )
    return Adapter(
        name=data["name"],
        standard=ref.id,
        versions=ref.spec,
        format=data["format"],
        columns=tuple(columns),
        title=dict(title),
        encoding=encoding,
        null_markers=tuple(nulls),
        layout=dict(layout),
        path=path,
    )
