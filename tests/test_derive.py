"""``govstd.derive``: the Table Schema of a flat standard is derived from its record schema.

The committed ``table.schema.json`` of every shipped version must be byte-for-byte what the
deriver makes of ``record.schema.json``, so the two forms of a standard can never drift.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from govstd.derive import (
    check_folder,
    derive_folder,
    main,
    render_json,
    table_schema_from_record_schema,
)
from govstd.exceptions import SchemaError
from govstd.registry import builtin_standards_root
from govstd.session import Session

ROOT = builtin_standards_root()
assert ROOT is not None


def _flat_standards() -> list[Any]:
    session = Session(autoload=False, environ={})
    return [
        pytest.param(std, id=std.ref)
        for std in session.registry.all()
        if std.artefact_path("json_schema") and std.artefact_path("table_schema")
    ]


def record(
    properties: dict[str, Any], required: Sequence[str] = (), **extra: Any
) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
        **extra,
    }


# -- the shipped standards ----------------------------------------------------------------------


@pytest.mark.parametrize("std", _flat_standards())
def test_committed_table_schema_is_the_derivation(std: Any) -> None:
    derived = table_schema_from_record_schema(std.load_json_artefact("json_schema"))
    committed_path = std.artefact_path("table_schema")
    assert std.load_json_artefact("table_schema") == derived, (
        f"{committed_path} is stale: run `python -m govstd.derive {std.folder}`"
    )
    assert committed_path.read_text(encoding="utf-8") == render_json(derived)
    assert check_folder(std.folder)


@pytest.mark.parametrize("std", _flat_standards())
def test_derived_table_schema_is_a_valid_table_schema(std: Any) -> None:
    frictionless = pytest.importorskip("frictionless")
    descriptor = std.load_json_artefact("table_schema")
    errors = list(frictionless.Schema.metadata_validate(descriptor))
    assert not errors, errors
    schema = frictionless.Schema.from_descriptor(descriptor)
    record_schema = std.load_json_artefact("json_schema")
    assert schema.field_names == list(record_schema["properties"])


@pytest.mark.parametrize("std", _flat_standards())
def test_both_forms_agree_on_each_field(std: Any) -> None:
    """The header of the CSV form is the property order of the JSON form; required and the
    string constraints are the same facts in both."""
    record_schema = std.load_json_artefact("json_schema")
    table = std.load_json_artefact("table_schema")
    by_name = {f["name"]: f for f in table["fields"]}
    for name, prop in record_schema["properties"].items():
        constraints = by_name[name].get("constraints", {})
        assert constraints.get("required", False) == (name in record_schema["required"]), name
        if by_name[name]["type"] == "string":
            for key in ("pattern", "minLength", "maxLength"):
                assert constraints.get(key) == prop.get(key), (name, key)
    assert table["missingValues"] == [""]


# -- the deriver --------------------------------------------------------------------------------


def test_fields_follow_property_order_with_required_and_annotations() -> None:
    schema = record(
        {
            "b": {"type": "string", "title": "B", "x-title-zh": "乙", "description": "d"},
            "a": {"type": "integer", "minimum": 0, "maximum": 9},
        },
        required=["a"],
    )
    assert table_schema_from_record_schema(schema) == {
        "fields": [
            {"name": "b", "type": "string", "title": "B", "description": "d", "x-title-zh": "乙"},
            {
                "name": "a",
                "type": "integer",
                "constraints": {"required": True, "minimum": 0, "maximum": 9},
            },
        ],
        "missingValues": [""],
    }


@pytest.mark.parametrize(
    ("prop", "field"),
    [
        ({"type": "string"}, {"type": "string"}),
        ({"type": "string", "format": "email"}, {"type": "string", "format": "email"}),
        ({"type": "string", "format": "uri"}, {"type": "string", "format": "uri"}),
        ({"type": "string", "format": "uuid"}, {"type": "string", "format": "uuid"}),
        ({"type": "string", "format": "date"}, {"type": "date"}),
        (
            {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
            {"type": "date"},
        ),
        (
            {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
            {"type": "date"},
        ),
        ({"type": "string", "format": "date-time"}, {"type": "datetime"}),
        ({"type": "string", "format": "time"}, {"type": "time"}),
        ({"type": "number"}, {"type": "number"}),
        ({"type": "integer"}, {"type": "integer"}),
        ({"type": "boolean"}, {"type": "boolean"}),
    ],
)
def test_types(prop: dict[str, Any], field: dict[str, Any]) -> None:
    derived = table_schema_from_record_schema(record({"x": prop}))["fields"][0]
    assert derived == {"name": "x", **field}


def test_a_pattern_a_temporal_type_cannot_carry_keeps_the_string() -> None:
    offset = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"
    prop = {"type": "string", "format": "date-time", "pattern": offset}
    derived = table_schema_from_record_schema(record({"t": prop}))["fields"][0]
    assert derived == {"name": "t", "type": "string", "constraints": {"pattern": offset}}
    other_date = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-01$"}
    derived = table_schema_from_record_schema(record({"d": other_date}))["fields"][0]
    assert derived["type"] == "string"
    assert derived["constraints"] == {"pattern": r"^\d{4}-\d{2}-01$"}


def test_string_and_number_constraints() -> None:
    schema = record(
        {
            "s": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[A-Z]+$"},
            "e": {"type": "string", "enum": ["1", "2"]},
            "c": {"type": "string", "const": "CHN"},
            "n": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "k": {"const": 3},
        }
    )
    fields = {f["name"]: f for f in table_schema_from_record_schema(schema)["fields"]}
    assert fields["s"]["constraints"] == {"minLength": 1, "maxLength": 5, "pattern": "^[A-Z]+$"}
    assert fields["e"]["constraints"] == {"enum": ["1", "2"]}
    assert fields["c"]["constraints"] == {"enum": ["CHN"]}
    assert fields["n"]["constraints"] == {"exclusiveMinimum": 0, "exclusiveMaximum": 1}
    assert fields["k"] == {"name": "k", "type": "integer", "constraints": {"enum": [3]}}


def test_length_constraints_are_implied_by_a_date() -> None:
    prop = {"type": "string", "format": "date", "minLength": 10, "maxLength": 10}
    assert table_schema_from_record_schema(record({"d": prop}))["fields"][0] == {
        "name": "d",
        "type": "date",
    }


def test_local_refs_are_resolved_and_siblings_win() -> None:
    schema = record(
        {"code": {"$ref": "#/$defs/division", "title": "Domicile"}},
        required=["code"],
        **{"$defs": {"division": {"type": "string", "pattern": "^[0-9]{6}$", "title": "Division"}}},
    )
    (field,) = table_schema_from_record_schema(schema)["fields"]
    assert field == {
        "name": "code",
        "type": "string",
        "title": "Domicile",
        "constraints": {"required": True, "pattern": "^[0-9]{6}$"},
    }


def test_primary_key() -> None:
    schema = record({"id": {"type": "string"}}, required=["id"], **{"x-primary-key": "id"})
    assert table_schema_from_record_schema(schema)["primaryKey"] == ["id"]
    schema["x-primary-key"] = ["id", "nope"]
    with pytest.raises(SchemaError, match="x-primary-key"):
        table_schema_from_record_schema(schema)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"additionalProperties": True}, "closed"),
        ({"type": "array"}, "type 'object'"),
        ({"properties": {}}, "at least one property"),
        ({"required": ["missing"]}, "required names no property"),
        ({"oneOf": [{}]}, "oneOf"),
        ({"properties": {"n": {"type": "object"}}}, "not flat"),
        ({"properties": {"n": {"type": "array", "items": {}}}}, "not flat"),
        ({"properties": {"n": {"type": ["string", "null"]}}}, "exactly one 'type'"),
        ({"properties": {"n": {"type": "number", "multipleOf": 0.01}}}, "multipleOf"),
        ({"properties": {"n": {"type": "string", "format": "ipv4"}}}, "ipv4"),
        ({"properties": {"n": {"type": "string", "minimum": 1}}}, "minimum"),
        ({"properties": {"n": {"type": "integer", "format": "int32"}}}, "format"),
        ({"properties": {"n": {"$ref": "https://example.org/s.json"}}}, "local references"),
        ({"properties": {"n": {"$ref": "#/$defs/none"}}}, "points at nothing"),
        ({"properties": {"n": {"type": "string", "format": "date", "maximum": 1}}}, "maximum"),
    ],
)
def test_what_a_table_schema_cannot_say_is_refused(change: dict[str, Any], message: str) -> None:
    schema = record({"s": {"type": "string"}}) | change
    with pytest.raises(SchemaError, match=re.escape(message)):
        table_schema_from_record_schema(schema)


def test_unevaluated_properties_false_also_closes_the_record() -> None:
    schema = record({"s": {"type": "string"}})
    del schema["additionalProperties"]
    schema["unevaluatedProperties"] = False
    assert table_schema_from_record_schema(schema)["fields"] == [{"name": "s", "type": "string"}]


def test_render_json_is_stable_utf8_text() -> None:
    assert (
        render_json({"title": "姓名", "n": [1]})
        == '{\n  "title": "姓名",\n  "n": [\n    1\n  ]\n}\n'
    )


# -- the command --------------------------------------------------------------------------------


def _copy_version(tmp_path: Path) -> Path:
    source = ROOT / "cn.legal-entity" / "1.0.0"
    folder = tmp_path / "cn.legal-entity" / "1.0.0"
    folder.mkdir(parents=True)
    for name in ("manifest.toml", "record.schema.json"):
        (folder / name).write_bytes((source / name).read_bytes())
    return folder


def test_main_writes_then_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _copy_version(tmp_path)
    assert main([str(folder)]) == 0
    assert (folder / "table.schema.json").read_text("utf-8") == (
        ROOT / "cn.legal-entity" / "1.0.0" / "table.schema.json"
    ).read_text("utf-8")
    assert main(["--check", str(folder)]) == 0

    schema = json.loads((folder / "record.schema.json").read_text("utf-8"))
    schema["properties"]["name"]["maxLength"] = 120
    (folder / "record.schema.json").write_text(json.dumps(schema), "utf-8")
    assert not check_folder(folder)
    assert main(["--check", str(folder)]) == 1
    assert "stale" in capsys.readouterr().err
    derive_folder(folder)
    assert check_folder(folder)
