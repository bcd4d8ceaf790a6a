"""The JSON Schema engine: dialects, offline references, keyword mapping, pointers, fast path."""

from __future__ import annotations

import re
import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from govstd.catalogue import Catalogue
from govstd.engines.base import CompileContext, SchemaDocument
from govstd.engines.jsonschema import KEYWORD_CODES, JsonSchemaEngine, JsonSchemaPlan, brief
from govstd.engines.jsonschema_refs import ecma_regex
from govstd.exceptions import ReferenceResolutionError, SchemaError, UsageError
from govstd.findings import MISSING, Finding
from govstd.formats.base import DocumentBatch, TableBatch

D4 = "http://json-schema.org/draft-04/schema#"
D7 = "http://json-schema.org/draft-07/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"


def build(
    catalogue: Catalogue,
    schema: Any,
    *,
    format_check: bool = True,
    resources: dict[str, Any] | None = None,
    path: Path | None = None,
    default_dialect: str | None = None,
) -> JsonSchemaPlan:
    document = SchemaDocument(
        schema, path=path, resources=resources or {}, default_dialect=default_dialect
    )
    return JsonSchemaEngine().compile(
        document, CompileContext(catalogue, format_check=format_check)
    )


def check(plan: JsonSchemaPlan, *records: Any) -> list[Finding]:
    batch = DocumentBatch(
        list(records),
        list(range(1, len(records) + 1)),
        list(range(11, 11 + len(records))),
    )
    return list(plan.open("feed.jsonl").check_documents(batch))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("govstd tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


# -- detect ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"type": "object", "properties": {}}, True),
        ({"$schema": D4}, True),
        ({}, True),
        (True, True),
        (False, True),
        ({"fields": [{"name": "id", "type": "integer"}]}, False),
        ({"fields": [{"name": "id"}], "primaryKey": "id"}, False),
        ({"resources": [{"path": "x.csv"}]}, False),
        ([{"type": "object"}], False),
        ("schema", False),
    ],
)
def test_detect(content: Any, expected: bool) -> None:
    assert JsonSchemaEngine().detect(content, None) is expected


def test_plan_accepts_documents_only(catalogue: Catalogue) -> None:
    plan = build(catalogue, {"type": "object"})
    assert tuple(plan.accepts) == ("documents",)
    checker = plan.open("x")
    with pytest.raises(UsageError):
        checker.check_table(TableBatch(header=["a"], rows=[["1"]], ordinals=[1], lines=[2]))
    assert list(checker.finish()) == []


# -- dialects ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "default", "dialect"),
    [
        (D4, None, "draft-04"),
        ("http://json-schema.org/draft-04/schema", None, "draft-04"),
        ("https://json-schema.org/draft-06/schema#", None, "draft-06"),
        (D7, None, "draft-07"),
        ("http://json-schema.org/draft-07/schema", None, "draft-07"),
        ("https://json-schema.org/draft/2019-09/schema", None, "2019-09"),
        ("http://json-schema.org/draft/2020-12/schema", None, "2020-12"),
        ("https://json-schema.org/draft/2020-12/schema#", None, "2020-12"),
        (None, None, "2020-12"),
        (None, "draft-04", "draft-04"),
        (None, D7, "draft-07"),
        (None, "2019-09", "2019-09"),
    ],
)
def test_dialect_is_picked_from_schema_or_default(
    catalogue: Catalogue, declared: str | None, default: str | None, dialect: str
) -> None:
    schema: dict[str, Any] = {"type": "integer"}
    if declared is not None:
        schema["$schema"] = declared
    plan = build(catalogue, schema, default_dialect=default)
    assert plan.dialect == dialect
    # draft-04 alone says 1.0 is not an integer: the dialect is really applied
    assert bool(check(plan, 1.0)) is (dialect == "draft-04")
    assert check(plan, 1) == []


def test_unknown_dialect_is_a_schema_error(catalogue: Catalogue) -> None:
    with pytest.raises(SchemaError, match="unknown JSON Schema dialect"):
        build(catalogue, {"$schema": "https://example.org/my-dialect", "type": "string"})
    with pytest.raises(SchemaError, match="unknown default dialect"):
        build(catalogue, {"type": "string"}, default_dialect="draft-99")


def test_custom_meta_schema_among_resources_gives_its_dialect(catalogue: Catalogue) -> None:
    meta = {"$schema": D7, "$id": "https://example.org/meta.json", "type": "object"}
    plan = build(
        catalogue,
        {"$schema": "https://example.org/meta.json#", "type": "integer"},
        resources={"https://example.org/meta.json": meta},
    )
    assert plan.dialect == "draft-07"


# -- invalid schemas ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "pointer"),
    [
        ({"properties": {"a": {"type": "strin"}}}, "/properties/a/type"),
        ({"properties": {"a": {"minLength": -1}}}, "/properties/a/minLength"),
        ({"pattern": "([a-z]"}, "/pattern"),
        ({"required": "name"}, "/required"),
    ],
)
def test_invalid_schema_names_file_and_pointer(
    catalogue: Catalogue, tmp_path: Path, schema: dict[str, Any], pointer: str
) -> None:
    path = tmp_path / "person.schema.json"
    with pytest.raises(SchemaError) as caught:
        build(catalogue, schema, path=path)
    message = str(caught.value)
    assert str(path) in message
    assert f"at {pointer}:" in message


def test_invalid_referenced_resource_names_its_uri(catalogue: Catalogue) -> None:
    resources = {"https://example.org/bad.json": {"type": 5}}
    with pytest.raises(SchemaError, match=r"https://example.org/bad.json.* at /type"):
        build(catalogue, {"$ref": "https://example.org/bad.json"}, resources=resources)


def test_non_schema_content_is_refused(catalogue: Catalogue) -> None:
    with pytest.raises(SchemaError, match="object or a boolean"):
        build(catalogue, [1, 2])


# -- references, offline -----------------------------------------------------------------------


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(
    ("schema", "resources", "url"),
    [
        ({"$ref": "http://example.com/x.json"}, {}, "http://example.com/x.json"),
        (
            {"properties": {"a": {"$ref": "http://example.com/x.json#/definitions/y"}}},
            {},
            "http://example.com/x.json",
        ),
        (
            {"$ref": "https://example.org/a.json"},
            {"https://example.org/a.json": {"items": {"$ref": "missing.json"}}},
            "https://example.org/missing.json",
        ),
        ({"$schema": D4, "allOf": [{"$ref": "https://example.com/y.json"}]}, {}, "y.json"),
    ],
)
def test_remote_ref_is_refused_not_fetched(
    catalogue: Catalogue, schema: dict[str, Any], resources: dict[str, Any], url: str
) -> None:
    with pytest.raises(ReferenceResolutionError) as caught:
        build(catalogue, schema, resources=resources)
    assert url in caught.value.url
    assert url in str(caught.value)
    assert "never downloads" in str(caught.value)


@pytest.mark.usefixtures("no_network")
def test_pointer_to_nowhere_is_a_setup_error(catalogue: Catalogue) -> None:
    with pytest.raises(ReferenceResolutionError, match="has nothing at"):
        build(catalogue, {"$defs": {"a": {}}, "properties": {"x": {"$ref": "#/$defs/b"}}})


@pytest.mark.usefixtures("no_network")
def test_resources_are_found_by_key_and_by_own_id(catalogue: Catalogue) -> None:
    person = {"$id": "https://example.org/person.json", "required": ["name"]}
    old = {"$schema": D4, "id": "http://example.org/old.json#", "required": ["code"]}
    resources = {"file:///standards/person.json": person, "file:///standards/old.json": old}
    for ref in ("https://example.org/person.json", "file:///standards/person.json"):
        plan = build(catalogue, {"$ref": ref}, resources=resources)
        assert [f.location.field for f in check(plan, {})] == ["name"]
    plan = build(
        catalogue, {"$schema": D4, "$ref": "http://example.org/old.json"}, resources=resources
    )
    assert [f.location.field for f in check(plan, {})] == ["code"]


@pytest.mark.usefixtures("no_network")
def test_relative_ref_resolves_beside_the_schema_file(catalogue: Catalogue, tmp_path: Path) -> None:
    main = tmp_path / "main.json"
    other = {"properties": {"age": {"type": "integer"}}}
    plan = build(
        catalogue,
        {"$ref": "other.json"},
        path=main,
        resources={(tmp_path / "other.json").as_uri(): other},
    )
    findings = check(plan, {"age": "x"}, {"age": 3})
    assert [(f.record, f.location.pointer) for f in findings] == [(1, "/age")]


@pytest.mark.usefixtures("no_network")
def test_unreferenced_definitions_are_not_resolved(catalogue: Catalogue) -> None:
    schema = {"$defs": {"unused": {"$ref": "http://example.com/nope.json"}}, "type": "object"}
    assert check(build(catalogue, schema), {}) == []


def test_unresolvable_while_validating_is_a_setup_error(catalogue: Catalogue) -> None:
    import jsonschema
    import referencing

    def refuse(uri: str) -> Any:
        raise LookupError(uri)

    validator = jsonschema.Draft202012Validator(
        {"$ref": "urn:example:nowhere"},
        registry=referencing.Registry(retrieve=refuse),  # type: ignore[call-arg]
    )
    plan = JsonSchemaPlan(
        validator=validator, predicate=None, catalogue=catalogue, dialect="2020-12", label="t"
    )
    with pytest.raises(ReferenceResolutionError, match="urn:example:nowhere"):
        check(plan, {})


# -- keyword -> finding ------------------------------------------------------------------------

KEYWORD_CASES = [
    # (schema, instance, code, keyword, pointer, field)
    ({"required": ["a"]}, {}, "field.required", "required", "", "a"),
    ({"properties": {"p": {"required": ["x"]}}}, {"p": {}}, "field.required", "required", "/p", "x"),
    ({"properties": {"n": {"type": "integer"}}}, {"n": "1"}, "field.type", "type", "/n", "n"),
    ({"properties": {"d": {"format": "date"}}}, {"d": "2020-02-30"}, "field.format", "format", "/d", "d"),
    ({"pattern": "^[0-9]+$"}, "12a", "field.pattern", "pattern", "", None),
    ({"properties": {"s": {"enum": ["1", "2"]}}}, {"s": "男"}, "field.enum", "enum", "/s", "s"),
    ({"properties": {"v": {"const": 1}}}, {"v": True}, "field.const", "const", "/v", "v"),
    ({"properties": {"n": {"minLength": 2}}}, {"n": "a"}, "field.length", "minLength", "/n", "n"),
    ({"properties": {"n": {"maxLength": 2}}}, {"n": "abc"}, "field.length", "maxLength", "/n", "n"),
    ({"properties": {"x": {"minimum": 0}}}, {"x": -1}, "field.range", "minimum", "/x", "x"),
    ({"properties": {"x": {"maximum": 9}}}, {"x": 10}, "field.range", "maximum", "/x", "x"),
    ({"exclusiveMinimum": 0}, 0, "field.range", "exclusiveMinimum", "", None),
    ({"exclusiveMaximum": 0}, 0, "field.range", "exclusiveMaximum", "", None),
    ({"$schema": D4, "maximum": 5, "exclusiveMaximum": True}, 5, "field.range", "maximum", "", None),
    ({"multipleOf": 0.01}, 0.125, "field.multiple-of", "multipleOf", "", None),
    ({"additionalProperties": False}, {"x": 1}, "field.unknown", "additionalProperties", "/x", "x"),
    ({"unevaluatedProperties": False}, {"x": 1}, "field.unknown", "unevaluatedProperties", "/x", "x"),
    ({"uniqueItems": True}, [1, 1], "record.structure", "uniqueItems", "", None),
    ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, None, "record.combination", "oneOf", "", None),
    ({"oneOf": [{"minimum": 0}, {"maximum": 5}]}, 3, "record.combination", "oneOf", "", None),
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, [], "record.combination", "anyOf", "", None),
    ({"not": {"type": "string"}}, "x", "record.combination", "not", "", None),
    # python-jsonschema reports a false subschema at its parent object (its path stops there)
    ({"properties": {"x": False}}, {"x": 1}, "record.combination", "false", "", None),
    ({"items": {"properties": {"x": False}}}, [{"x": 1}], "record.combination", "false", "/0", None),
    (
        {"if": {"properties": {"a": {"const": 1}}}, "then": {"required": ["b"]}},
        {"a": 1},
        "field.required",
        "required",
        "",
        "b",
    ),
    ({"minItems": 1}, [], "record.structure", "minItems", "", None),
    ({"maxItems": 1}, [1, 2], "record.structure", "maxItems", "", None),
    ({"contains": {"type": "string"}}, [1], "record.structure", "contains", "", None),
    ({"contains": {"type": "string"}, "minContains": 2}, ["a"], "record.structure", "minContains", "", None),
    ({"contains": {"type": "string"}, "maxContains": 1}, ["a", "b"], "record.structure", "maxContains", "", None),
    ({"minProperties": 1}, {}, "record.structure", "minProperties", "", None),
    ({"maxProperties": 0}, {"a": 1}, "record.structure", "maxProperties", "", None),
    ({"propertyNames": {"maxLength": 1}}, {"ab": 1}, "field.length", "maxLength", "", None),
    ({"dependentRequired": {"a": ["b"]}}, {"a": 1}, "record.structure", "dependentRequired", "", None),
    ({"$schema": D7, "dependencies": {"a": ["b"]}}, {"a": 1}, "record.structure", "dependencies", "", None),
    ({"prefixItems": [{"type": "string"}], "items": False}, ["a", 1], "record.structure", "items", "", None),
    ({"$schema": D7, "items": [{}], "additionalItems": False}, [1, 2], "record.structure", "additionalItems", "", None),
    ({"unevaluatedItems": False}, [1], "record.structure", "unevaluatedItems", "", None),
    ({"items": {"type": "string"}}, ["a", 1], "field.type", "type", "/1", None),
]  # fmt: skip

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@pytest.mark.parametrize(
    ("schema", "instance", "code", "keyword", "pointer", "field"),
    KEYWORD_CASES,
    ids=[f"{case[3]}-{i}" for i, case in enumerate(KEYWORD_CASES)],
)
def test_keyword_maps_to_code(
    catalogue: Catalogue,
    schema: dict[str, Any],
    instance: Any,
    code: str,
    keyword: str,
    pointer: str,
    field: str | None,
) -> None:
    plan = build(catalogue, schema)
    findings = check(plan, instance)
    assert len(findings) == 1, [f.message for f in findings]
    (finding,) = findings
    assert (finding.code, finding.keyword) == (code, keyword)
    assert (finding.location.pointer, finding.location.field) == (pointer, field)
    assert (finding.record, finding.location.line, finding.source) == (1, 11, "feed.jsonl")
    assert finding.is_error and finding.message
    for lang in ("en", "zh"):
        assert not _PLACEHOLDER.search(catalogue.message(finding, lang)), lang
        assert not _PLACEHOLDER.search(catalogue.hint(finding, lang) or ""), lang
    # the fast path agrees that the instance is invalid, and that the schema is satisfiable
    assert plan.is_valid(instance) is False


def test_every_mapped_code_is_in_the_catalogue(catalogue: Catalogue) -> None:
    for code in {*KEYWORD_CODES.values(), "record.structure"}:
        assert code in catalogue


def test_required_finding_has_no_value_and_names_the_field(catalogue: Catalogue) -> None:
    (finding,) = check(build(catalogue, {"required": ["id_number"]}), {"name": "张三"})
    assert finding.value is MISSING
    assert finding.expected == ["id_number"]
    assert finding.message == "'id_number' is a required property"
    assert catalogue.message(finding, "zh") == "id_number 为必填项"


def test_each_unexpected_property_is_its_own_finding(catalogue: Catalogue) -> None:
    schema = {
        "properties": {"a": {}},
        "patternProperties": {"^x_": {}},
        "additionalProperties": False,
    }
    findings = check(build(catalogue, schema), {"a": 1, "x_ok": 2, "remark": 3, "b/c": [4]})
    assert [(f.location.pointer, f.location.field, f.value) for f in findings] == [
        ("/b~1c", "b/c", [4]),
        ("/remark", "remark", 3),
    ]
    assert all(f.expected is False for f in findings)


def test_unevaluated_properties_are_split_too(catalogue: Catalogue) -> None:
    schema = {"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False}
    findings = check(build(catalogue, schema), {"a": 1, "z": 2, "y": 3})
    assert [f.location.pointer for f in findings] == ["/y", "/z"]


def test_range_findings_say_what_is_allowed(catalogue: Catalogue) -> None:
    (low,) = check(build(catalogue, {"minimum": 0}), -5)
    assert low.params["detail"] == "less than the minimum of 0"
    assert catalogue.hint(low, "en") == "Correct /; it must be at least 0."
    (open_high,) = check(
        build(catalogue, {"$schema": D4, "maximum": 3, "exclusiveMaximum": True}), 3
    )
    assert open_high.params["detail_expected"] == "less than 3"


# -- pointers ----------------------------------------------------------------------------------


def test_pointer_escapes_tilde_and_slash(catalogue: Catalogue) -> None:
    schema = {"properties": {"a/b": {"properties": {"c~d": {"type": "string"}}}}}
    (finding,) = check(build(catalogue, schema), {"a/b": {"c~d": 1}})
    assert finding.location.pointer == "/a~1b/c~0d"
    assert finding.location.field == "c~d"


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=st.text(max_size=12), index=st.integers(0, 3))
def test_pointer_round_trips_any_key(catalogue: Catalogue, key: str, index: int) -> None:
    plan = build(catalogue, {"additionalProperties": {"items": {"type": "string"}}})
    record = {key: ["s"] * index + [7]}
    (finding,) = check(plan, record)
    tokens = finding.location.pointer.split("/")
    assert tokens[0] == ""
    assert [_unescape(t) for t in tokens[1:]] == [key, str(index)]
    assert finding.location.field is None


def test_findings_are_ordered_by_record_then_pointer(catalogue: Catalogue) -> None:
    plan = build(catalogue, {"items": {"type": "integer"}, "maxItems": 20})
    bad = [0] * 12
    bad[10] = bad[2] = "x"
    findings = check(plan, bad, ["y"])
    assert [(f.record, f.location.pointer) for f in findings] == [(1, "/2"), (1, "/10"), (2, "/0")]
    assert findings == check(plan, bad, ["y"])  # deterministic


# -- format ------------------------------------------------------------------------------------

BAD_FORMATS = {
    "date": "2020-02-30",
    "date-time": "2020-01-01 10:00",
    "time": "25:00:00Z",
    "email": "nobody",
    "uri": "example.org/x",
    "ipv4": "256.1.1.1",
    "ipv6": "::g",
    "uuid": "1234",
}
GOOD_FORMATS = {
    "date": "2020-02-29",
    "date-time": "2020-01-01T10:00:00+08:00",
    "time": "10:00:00Z",
    "email": "a@example.cn",
    "uri": "https://example.org/x",
    "ipv4": "10.1.1.1",
    "ipv6": "::1",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
}


@pytest.mark.parametrize("fmt", sorted(BAD_FORMATS))
def test_format_is_asserted_only_when_asked(catalogue: Catalogue, fmt: str) -> None:
    schema = {"properties": {"v": {"format": fmt}}}
    asserted = build(catalogue, schema, format_check=True)
    annotated = build(catalogue, schema, format_check=False)
    (finding,) = check(asserted, {"v": BAD_FORMATS[fmt]})
    assert (finding.code, finding.expected) == ("field.format", fmt)
    assert check(asserted, {"v": GOOD_FORMATS[fmt]}) == []
    assert check(annotated, {"v": BAD_FORMATS[fmt]}) == []


# -- ECMA-262 patterns ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "python"),
    [
        ("^abc$", "^abc\\Z"),
        ("^\\d{6}$", "^[0-9]{6}\\Z"),
        ("[\\d-]+", "[0-9-]+"),
        ("[^\\d]", "[^0-9]"),
        ("\\w\\W\\D", "[A-Za-z0-9_][^A-Za-z0-9_][^0-9]"),
        ("^\\S\\s", "^[^\\s\\ufeff][\\s\\ufeff]"),
        ("\\$\\\\d", "\\$\\\\d"),  # an escaped $ and an escaped backslash stay
        ("[$]", "[$]"),
        ("[]$]$", "[]$]\\Z"),
        ("^[A-Z]{3}", "^[A-Z]{3}"),
    ],
)
def test_ecma_regex(pattern: str, python: str) -> None:
    assert ecma_regex(pattern) == python


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("张三", True),
        ("张三\n", False),
        ("张三\u3000", False),
        ("\ufeff张三", False),
        (" 张三", False),
    ],
)
def test_patterns_follow_ecma_262(catalogue: Catalogue, value: str, valid: bool) -> None:
    pattern = "^([^\\s\\u0000-\\u001F]([^\\u0000-\\u001F]*[^\\s\\u0000-\\u001F])?)?$"
    plan = build(catalogue, {"properties": {"name": {"type": "string", "pattern": pattern}}})
    findings = check(plan, {"name": value})
    assert (findings == []) is valid
    for finding in findings:
        assert finding.expected == pattern  # as the standard writes it, not as rewritten
        assert repr(pattern) in finding.message


def test_ascii_digits_and_property_names(catalogue: Catalogue) -> None:
    schema = {
        "properties": {"code": {"pattern": "^\\d{6}$"}},
        "patternProperties": {"^x\\d$": {"type": "integer"}},
        "additionalProperties": False,
    }
    plan = build(catalogue, schema)
    assert check(plan, {"code": "110101", "x1": 1}) == []
    found = check(plan, {"code": "１１０１０１", "x１": 1})
    assert [(f.code, f.location.pointer) for f in found] == [
        ("field.pattern", "/code"),
        ("field.unknown", "/x１"),
    ]


def test_data_keywords_are_not_rewritten(catalogue: Catalogue) -> None:
    schema = {
        "properties": {"pattern": {"pattern": "^x$"}, "rule": {"const": {"pattern": "a$"}}},
        "$defs": {"unused": {"enum": [{"pattern": "b$"}]}},
    }
    plan = build(catalogue, schema)
    assert check(plan, {"pattern": "x", "rule": {"pattern": "a$"}}) == []
    (finding,) = check(plan, {"pattern": "x\n"})
    assert finding.location.pointer == "/pattern"


# -- oneOf/anyOf explanations, shortening, records ---------------------------------------------


def test_one_of_keeps_top_level_pointer_and_explains_best_alternative(catalogue: Catalogue) -> None:
    schema = {
        "properties": {
            "awardDate": {
                "oneOf": [
                    {"type": "string", "format": "date-time"},
                    {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                ]
            }
        }
    }
    (finding,) = check(build(catalogue, schema), {"awardDate": "17/03/2014"})
    assert (finding.keyword, finding.location.pointer) == ("oneOf", "/awardDate")
    assert finding.message == "'17/03/2014' is not valid under any of the given schemas"
    assert "Closest alternative" in (finding.hint or "")
    assert "17/03/2014" in finding.params["closest"]
    assert finding.params["closest"] in catalogue.message(finding, "zh")


def test_huge_values_and_messages_are_shortened(catalogue: Catalogue) -> None:
    plan = build(catalogue, {"properties": {"s": {"maxLength": 3}, "a": {"type": "string"}}})
    findings = check(plan, {"s": "x" * 5000, "a": list(range(5000))})
    by_field = {f.location.field: f for f in findings}
    assert by_field["s"].value == "x" * 200 + "…"
    assert by_field["a"].value == "<array of 5000 items>"
    assert all(len(f.message) <= 700 for f in findings)
    assert brief({"a": 1}) == {"a": 1}
    assert brief({str(i): i for i in range(100)}) == "<object with 100 properties>"


def test_findings_carry_the_batch_ordinals_and_lines(catalogue: Catalogue) -> None:
    plan = build(catalogue, {"type": "object"})
    batch = DocumentBatch([{}, "x", {}], [5, 9, 10], [12, 20, None])
    (finding,) = plan.open("s").check_documents(batch)
    assert (finding.record, finding.location.line, finding.source) == (9, 20, "s")


def test_too_deep_a_record_is_a_finding_not_a_crash(catalogue: Catalogue) -> None:
    schema = {
        "$defs": {"n": {"type": "array", "items": {"$ref": "#/$defs/n"}}},
        "$ref": "#/$defs/n",
    }
    plan = build(catalogue, schema)
    deep: Any = "bottom"
    for _ in range(20_000):
        deep = [deep]
    (finding,) = check(plan, deep)
    assert finding.code == "record.structure"
    assert "nested too deeply" in finding.message
    assert check(plan, [[[]], []]) == []


# -- the fast path agrees with python-jsonschema -------------------------------------------------

NAMES = st.sampled_from(["a", "b", "ab"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.5, 1.0, -2.0, 2.5]),
    st.sampled_from(["", "a", "ab", "b1", "2020-01-01", "x@y.cn", "10.0.0.1"]),
)
INSTANCES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(NAMES, inner, max_size=3)),
    max_leaves=12,
)
TYPES = ["string", "integer", "number", "object", "array", "boolean", "null"]


def _schemas(dialect: str) -> st.SearchStrategy[Any]:
    d4 = dialect == "draft-04"
    small = st.integers(0, 2)
    leaves = [
        st.builds(lambda t: {"type": t}, st.sampled_from(TYPES)),
        st.builds(
            lambda t: {"type": t},
            st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True),
        ),
        st.builds(lambda v: {"enum": v}, st.lists(SCALARS, min_size=1, max_size=3)),
        st.builds(lambda n: {"minLength": n}, small),
        st.builds(lambda n: {"maxLength": n}, small),
        st.builds(lambda p: {"pattern": p}, st.sampled_from(["^a", "b$", "[0-9]"])),
        st.builds(lambda n: {"minimum": n}, st.integers(-2, 2)),
        st.builds(lambda n: {"maximum": n}, st.integers(-2, 2)),
        st.builds(lambda n: {"multipleOf": n}, st.sampled_from([1, 2, 0.5])),
        st.builds(lambda n: {"minItems": n}, small),
        st.builds(lambda n: {"maxItems": n}, small),
        st.builds(lambda b: {"uniqueItems": b}, st.booleans()),
        st.builds(lambda n: {"minProperties": n}, small),
        st.builds(lambda n: {"maxProperties": n}, small),
        st.builds(lambda r: {"required": r}, st.lists(NAMES, min_size=1, max_size=2, unique=True)),
        st.builds(lambda f: {"format": f}, st.sampled_from(["date", "email", "ipv4"])),
    ]
    if d4:
        leaves.append(
            st.builds(
                lambda n, b: {"minimum": n, "exclusiveMinimum": b},
                st.integers(-2, 2),
                st.booleans(),
            )
        )
    else:
        leaves += [
            st.booleans(),
            st.builds(lambda v: {"const": v}, SCALARS),
            st.builds(lambda n: {"exclusiveMaximum": n}, st.integers(-2, 2)),
        ]

    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        options = [
            st.builds(lambda p: {"properties": p}, st.dictionaries(NAMES, inner, max_size=2)),
            st.builds(lambda s: {"additionalProperties": s}, inner),
            st.builds(lambda s: {"patternProperties": {"^a": s}}, inner),
            st.builds(lambda s: {"items": s}, inner),
            st.builds(lambda s: {"allOf": s}, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda s: {"anyOf": s}, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda s: {"oneOf": s}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda s: {"not": s}, inner),
            st.builds(
                lambda a, b: {**a, **b},
                inner.filter(lambda s: isinstance(s, dict)),
                inner.filter(lambda s: isinstance(s, dict)),
            ),
        ]
        defs = "definitions" if dialect != "2020-12" else "$defs"
        options.append(
            st.builds(
                lambda s: {defs: {"x": s}, "properties": {"a": {"$ref": f"#/{defs}/x"}}}, inner
            )
        )
        if dialect != "draft-04":
            options += [
                st.builds(lambda s: {"contains": s}, inner),
                st.builds(lambda s: {"propertyNames": s}, inner),
                st.builds(lambda a, b, c: {"if": a, "then": b, "else": c}, inner, inner, inner),
            ]
        if dialect == "2020-12":
            options += [
                st.builds(
                    lambda s, t: {"prefixItems": s, "items": t}, st.lists(inner, max_size=2), inner
                ),
                st.builds(
                    lambda s, n: {"contains": s, "minContains": n, "maxContains": n + 1},
                    inner,
                    small,
                ),
                st.builds(
                    lambda r: {"dependentRequired": {"a": r}},
                    st.lists(NAMES, max_size=2, unique=True),
                ),
                st.builds(lambda s: {"dependentSchemas": {"a": s}}, inner),
            ]
        else:
            options += [
                st.builds(
                    lambda s, t: {"items": s, "additionalItems": t},
                    st.lists(inner, min_size=1, max_size=2),
                    inner,
                ),
                st.builds(lambda s: {"dependencies": {"a": s}}, inner | st.just(["b"])),
            ]
        return st.one_of(options)

    return st.recursive(st.one_of(leaves), extend, max_leaves=6)


@pytest.mark.parametrize(
    ("dialect", "uri"), [("draft-04", D4), ("draft-07", D7), ("2020-12", D2020)]
)
def test_fast_path_agrees_with_python_jsonschema(
    catalogue: Catalogue, dialect: str, uri: str
) -> None:
    @settings(max_examples=250, deadline=None)
    @given(
        schema=_schemas(dialect),
        instances=st.lists(INSTANCES, min_size=1, max_size=4),
        fmt=st.booleans(),
    )
    def agree(schema: Any, instances: list[Any], fmt: bool) -> None:
        content = {"$schema": uri, "allOf": [schema]}
        try:
            plan = build(catalogue, content, format_check=fmt)
        except SchemaError:
            assume(False)
            return
        assert plan.predicate is not None
        for instance in instances:
            expected = next(iter(plan.validator.iter_errors(instance)), None) is None
            assert plan.predicate(instance) is expected, (schema, instance)
            assert (check(plan, instance) == []) is expected

    agree()
