"""The Table Schema engine: descriptor validation, every type, constraints, header, rows, keys."""

from __future__ import annotations

import io
from typing import Any

import pytest

from govstd.catalogue import Catalogue
from govstd.engines.base import Checker, CompileContext, Engine, Plan, SchemaDocument
from govstd.engines.tableschema import TableSchemaEngine
from govstd.exceptions import SchemaError
from govstd.findings import Finding, Severity
from govstd.formats.base import ReadOptions, Source
from govstd.formats.csv import CsvReader


def compile_schema(catalogue: Catalogue, schema: Any) -> Plan:
    return TableSchemaEngine().compile(SchemaDocument(schema), CompileContext(catalogue))


def validate(catalogue: Catalogue, schema: Any, text: str, **options: Any) -> list[Finding]:
    checker = compile_schema(catalogue, schema).open("t.csv")
    source = Source(name="t.csv", stream=io.BytesIO(text.encode()))
    found: list[Finding] = []
    for batch in CsvReader().read(source, ReadOptions(**options), catalogue):
        found.extend(batch.findings)
        found.extend(checker.check_table(batch))
    found.extend(checker.finish())
    return found


def summary(found: list[Finding]) -> list[tuple[str, int | None, str | None]]:
    return [(f.code, f.record, f.location.field) for f in found]


def one_field(kind: str, **extra: Any) -> dict[str, Any]:
    return {"fields": [{"name": "v", "type": kind, **extra}]}


def bad_cells(catalogue: Catalogue, schema: dict[str, Any], cells: list[str]) -> list[str]:
    """The cells of a one-column table that get a finding."""
    text = "v\n" + "".join('"' + c.replace('"', '""') + '"\n' for c in cells)
    found = validate(catalogue, schema, text)
    assert all(f.record is not None for f in found), summary(found)
    return [cells[f.record - 1] for f in found if f.record is not None]


def test_protocols(catalogue: Catalogue) -> None:
    engine = TableSchemaEngine()
    assert isinstance(engine, Engine) and engine.name == "tableschema"
    plan = compile_schema(catalogue, one_field("string"))
    assert isinstance(plan, Plan) and list(plan.accepts) == ["table"]
    assert isinstance(plan.open("x"), Checker)


def test_detect() -> None:
    engine = TableSchemaEngine()
    assert engine.detect({"fields": [{"name": "a"}]}, None)
    assert not engine.detect({"type": "object", "properties": {}}, None)
    assert not engine.detect([], None)


# -- descriptor validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ([], "JSON object"),
        ({}, "fields"),
        ({"fields": [{"name": "a", "type": "text"}]}, "unknown type"),
        ({"fields": [{"name": "a", "required": True}]}, 'inside "constraints"'),
        (
            {"fields": [{"name": "a", "constraints": {"format": "email"}}]},
            'constraint "format" is not supported',
        ),
        (
            {"fields": [{"name": "a", "type": "integer", "constraints": {"pattern": "x"}}]},
            "not supported",
        ),
        ({"fields": [{"name": "a", "constraints": {"pattern": "(["}}]}, "not a valid regex"),
        (
            {"fields": [{"name": "a", "type": "integer", "constraints": {"minimum": "x"}}]},
            "not a valid integer",
        ),
        (
            {"fields": [{"name": "a", "type": "date", "constraints": {"enum": ["2020-13-01"]}}]},
            "not a valid date",
        ),
        ({"fields": [{"name": "a", "constraints": {"minLength": -1}}]}, "non-negative"),
        ({"fields": [{"name": "a", "format": "phone"}]}, "unknown format"),
        ({"fields": [{"name": "a", "type": "date", "format": "dd/mm/yyyy"}]}, "strptime"),
        ({"fields": [{"name": "a"}, {"name": "a"}]}, "used twice"),
        (
            {"fields": [{"name": "id"}], "primaryKey": "identifier"},
            'primary key field "identifier"',
        ),
        ({"fields": [{"name": "id"}], "uniqueKeys": [["id", "x"]]}, "unique key field"),
        ({"fields": [{"name": "s"}], "foreignKeys": [{"fields": "s"}]}, "foreign key"),
        ({"fields": [{"name": "a", "type": "list", "itemType": "object"}]}, "itemType"),
    ],
)
def test_invalid_schemas(catalogue: Catalogue, schema: Any, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        compile_schema(catalogue, schema)


def test_foreign_keys_are_accepted_but_not_checked(catalogue: Catalogue) -> None:
    schema = {
        "fields": [{"name": "s"}],
        "foreignKeys": [{"fields": "s", "reference": {"resource": "other", "fields": "id"}}],
    }
    assert validate(catalogue, schema, "s\nanything\n") == []


# -- types ----------------------------------------------------------------------------------------

TYPE_CASES: list[tuple[dict[str, Any], list[str], list[str]]] = [
    (one_field("string"), [" ", "x", "张三"], []),
    (one_field("string", format="email"), ["a@b.cn", "x.y@gov.cn"], ["ab.cn", "a@b", "a b@c.cn"]),
    (
        one_field("string", format="uri"),
        ["https://gov.cn/a?b=1", "urn:isbn:1"],
        ["gov.cn", "http://a b"],
    ),
    (
        one_field("string", format="uuid"),
        ["123e4567-e89b-12d3-a456-426614174000"],
        ["123e4567e89b"],
    ),
    (one_field("string", format="binary"), ["aGVsbG8=", "YQ=="], ["aGVsbG8", "!!"]),
    (
        one_field("integer"),
        ["0", "-12", "+7", " 42 ", "007"],
        ["1.0", "1e3", "1_000", "١٢", "x", "12a"],
    ),
    (one_field("integer", bareNumber=False), ["¥100", "100元", "-5%"], ["¥", "abc"]),
    (
        one_field("number"),
        ["1", "-1.5", ".5", "5.", "1e-3", "2E+10", "NaN", "INF", "-INF"],
        ["1,5", "nan", "inf", "Infinity", "1_0", "e5", "--1", "1.2.3"],
    ),
    (
        one_field("number", decimalChar=",", groupChar="."),
        ["1.234,5", "12,0", "1234"],
        ["1,234.5", "1..2"],
    ),
    (one_field("number", bareNumber=False), ["€ 12.5", "95%"], ["%"]),
    (one_field("boolean"), ["true", "False", "1", "0"], ["yes", "T", "tRue"]),
    (one_field("boolean", trueValues=["是"], falseValues=["否"]), ["是", "否"], ["true", "1"]),
    (one_field("object"), ['{"a": 1}', "{}"], ["[]", "1", "{a:1}"]),
    (one_field("array"), ["[1, 2]", "[]"], ["{}", "[1,"]),
    (one_field("list"), ["a,b", "a"], []),
    (one_field("list", itemType="integer", delimiter=";"), ["1;2", "3"], ["1;x", "1,2"]),
    (
        one_field("date"),
        ["2020-01-02", "2020-02-29"],
        ["2020-1-2", "2021-02-29", "20200102", "2020-W01-1", " 2020-01-02", "2020/01/02"],
    ),
    (
        one_field("date", format="%d/%m/%Y"),
        ["02/01/2020", "2/1/2020"],
        ["2020-01-02", "32/01/2020"],
    ),
    (one_field("date", format="%Y年%m月%d日"), ["2020年01月02日"], ["2020-01-02"]),
    (one_field("date", format="any"), ["2020-01-02", "2020/1/2", "02.01.2020"], ["yesterday"]),
    (
        one_field("time"),
        ["10:00:00", "23:59:59.5", "10:00:00Z", "10:00:00+08:00"],
        ["10:00", "25:00:00", "10:00:00 "],
    ),
    (one_field("time", format="%H%M"), ["1000"], ["10:00"]),
    (
        one_field("datetime"),
        ["2020-01-02T10:00:00", "2020-01-02T10:00:00Z", "2020-01-02T10:00:00.123+08:00"],
        ["2020-01-02 10:00:00", "2020-01-02", "2020-01-02T10:00"],
    ),
    (one_field("datetime", format="%Y-%m-%d %H:%M"), ["2020-01-02 10:30"], ["2020-01-02T10:30"]),
    (one_field("year"), ["2020", "0999"], ["20", "20201", "-200"]),
    (one_field("yearmonth"), ["2020-01", "1999-12"], ["2020-13", "2020-1", "202001"]),
    (
        one_field("duration"),
        ["P1Y2M3DT4H5M6S", "PT0.5S", "P1D", "-P1M"],
        ["P", "PT", "1D", "P1H", "P1W"],
    ),
    (one_field("geopoint"), ["116.4,39.9", "-180, 90"], ["181,0", "0,91", "116.4", "a,b"]),
    (one_field("geopoint", format="array"), ["[116.4, 39.9]"], ["[1]", "[200, 0]", "116,39"]),
    (
        one_field("geopoint", format="object"),
        ['{"lon": 1, "lat": 2}'],
        ['{"lon": 1}', '{"lat": 1, "lon": 1, "x": 0}'],
    ),
    (
        one_field("geojson"),
        [
            '{"type": "Point", "coordinates": [1, 2]}',
            '{"type": "Feature", "geometry": null, "properties": {}}',
        ],
        ['{"type": "Dot"}', '{"type": "Point"}', "[]"],
    ),
    (one_field("any"), ["x", "1", "{"], []),
]


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    TYPE_CASES,
    ids=lambda v: v["fields"][0].get("type") if isinstance(v, dict) else None,
)
def test_types(
    catalogue: Catalogue, schema: dict[str, Any], good: list[str], bad: list[str]
) -> None:
    assert bad_cells(catalogue, schema, good + bad) == bad


def test_type_finding_details(catalogue: Catalogue) -> None:
    found = validate(catalogue, one_field("date"), "v\n2020-01-02\n2020-1-2\n")
    assert len(found) == 1
    f = found[0]
    assert (f.code, f.severity, f.record, f.keyword, f.value, f.expected) == (
        "field.type",
        Severity.ERROR,
        2,
        "type",
        "2020-1-2",
        "date",
    )
    assert (f.location.line, f.location.column, f.location.field) == (3, 1, "v")


def test_fast_and_reference_paths_agree_on_a_mixed_column(catalogue: Catalogue) -> None:
    # A clean batch takes the C-level path; one bad cell sends the batch down the
    # reference path. Both must give the same verdict for the same cells.
    schema = one_field("number", constraints={"maximum": 10})
    cells = ["1", "2.5", "10", "3"]
    assert bad_cells(catalogue, schema, cells) == []
    assert bad_cells(catalogue, schema, [*cells, "x", "10.0000000000000000001"]) == [
        "x",
        "10.0000000000000000001",
    ]


# -- constraints ----------------------------------------------------------------------------------

CONSTRAINT_CASES: list[tuple[str, dict[str, Any], list[str], list[str], str]] = [
    (
        "string",
        {"minLength": 2, "maxLength": 3},
        ["ab", "abc", "张三"],
        ["a", "abcd"],
        "field.length",
    ),
    (
        "string",
        {"pattern": "[0-9]{6}"},
        ["100000"],
        ["10000", "1000000", "a00000"],
        "field.pattern",
    ),
    ("string", {"pattern": "a|b"}, ["a", "b"], ["ab"], "field.pattern"),  # full match
    ("string", {"enum": ["男", "女"]}, ["男", "女"], ["1", "M"], "field.enum"),
    ("integer", {"enum": [1, 2]}, ["1", "02", "+2"], ["3"], "field.enum"),  # after casting
    ("number", {"enum": ["1.0", 4e4]}, ["1", "40000", "4E4"], ["1.01"], "field.enum"),
    ("boolean", {"enum": [True]}, ["true", "1"], ["false"], "field.enum"),
    ("integer", {"minimum": 0, "maximum": 150}, ["0", "150"], ["-1", "151"], "field.range"),
    (
        "integer",
        {"exclusiveMinimum": 0, "exclusiveMaximum": 10},
        ["1", "9"],
        ["0", "10"],
        "field.range",
    ),
    ("number", {"minimum": "-99.99"}, ["-99.99", "0"], ["-100", "NaN", "-INF"], "field.range"),
    ("number", {"maximum": 1000}, ["1000", "INF"][:1], ["INF", "1000.001"], "field.range"),
    (
        "date",
        {"minimum": "2020-01-01", "maximum": "2020-12-31"},
        ["2020-06-01"],
        ["2019-12-31", "2021-01-01"],
        "field.range",
    ),
    (
        "datetime",
        {"maximum": "2020-01-01T00:00:00Z"},
        ["2019-12-31T23:00:00", "2020-01-01T08:00:00+08:00"],
        ["2020-01-01T00:00:01Z"],
        "field.range",
    ),
    ("year", {"minimum": 2000}, ["2000"], ["1999"], "field.range"),
    ("yearmonth", {"maximum": "2020-06"}, ["2020-06", "2019-12"], ["2020-07"], "field.range"),
    ("time", {"minimum": "08:00:00"}, ["08:00:00", "23:00:00"], ["07:59:59"], "field.range"),
    ("list", {"minLength": 2}, ["a,b"], ["a"], "field.length"),
    ("array", {"maxLength": 1}, ["[1]"], ["[1, 2]"], "field.length"),
    ("object", {"enum": [{"a": 1}]}, ['{"a": 1}'], ['{"a": 2}'], "field.enum"),
]


@pytest.mark.parametrize(("kind", "constraints", "good", "bad", "code"), CONSTRAINT_CASES)
def test_constraints(
    catalogue: Catalogue,
    kind: str,
    constraints: dict[str, Any],
    good: list[str],
    bad: list[str],
    code: str,
) -> None:
    schema = one_field(kind, constraints=constraints)
    text = "v\n" + "".join('"' + c.replace('"', '""') + '"\n' for c in good + bad)
    found = validate(catalogue, schema, text)
    assert [f.code for f in found] == [code] * len(bad)
    assert [f.value for f in found] == bad
    assert all(f.keyword and f.keyword.startswith("constraints.") for f in found)


def test_constraint_finding_details(catalogue: Catalogue) -> None:
    schema = one_field("string", constraints={"pattern": "[0-9]{6}", "maxLength": 3})
    found = validate(catalogue, schema, "v\n1234567\n")
    assert [(f.code, f.keyword, f.expected) for f in found] == [
        ("field.length", "constraints.maxLength", 3),
        ("field.pattern", "constraints.pattern", "[0-9]{6}"),
    ]
    range_found = validate(catalogue, one_field("integer", constraints={"minimum": 5}), "v\n3\n")
    assert range_found[0].message == "3 is below the minimum 5"


def test_type_error_suppresses_constraints(catalogue: Catalogue) -> None:
    schema = one_field("integer", constraints={"minimum": 5, "enum": [7]})
    assert [f.code for f in validate(catalogue, schema, "v\nabc\n")] == ["field.type"]


def test_required_and_missing_values(catalogue: Catalogue) -> None:
    schema = {
        "fields": [
            {"name": "a", "constraints": {"required": True}},
            {"name": "b", "type": "integer"},
            {"name": "c", "missingValues": ["-"], "constraints": {"required": True}},
        ],
        "missingValues": ["", "NA", "无"],
    }
    # c has its own missing values, so "NA" is a value there and "-" is missing.
    found = validate(catalogue, schema, "a,b,c\nx,NA,1\nNA,5,-\n,1,y\nx,,NA\nNA,无,-\n")
    assert summary(found) == [
        ("field.required", 2, "a"),
        ("field.required", 2, "c"),
        ("field.required", 3, "a"),
        ("row.blank", 5, None),
    ]
    assert found[0].value == "NA" and found[0].keyword == "constraints.required"


def test_unique(catalogue: Catalogue) -> None:
    schema = one_field("integer", constraints={"unique": True})
    found = validate(catalogue, schema, "v\n1\n2\n01\n\n\n1\n", batch_size=2)
    assert [
        (f.code, f.record, f.params["first_record"]) for f in found if f.code == "field.unique"
    ] == [
        ("field.unique", 3, 1),
        ("field.unique", 6, 1),
    ]


# -- header ---------------------------------------------------------------------------------------

SCHEMA_ABC = {"fields": [{"name": "a"}, {"name": "b", "type": "integer"}, {"name": "c"}]}


def test_header_by_name(catalogue: Catalogue) -> None:
    found = validate(catalogue, SCHEMA_ABC, "c,a,b\nx,y,z\n")
    assert [(f.code, f.severity, f.record) for f in found] == [
        ("header.reordered", Severity.WARNING, None),
        ("field.type", Severity.ERROR, 1),
    ]
    assert found[1].location.column == 3 and found[1].location.field == "b"


def test_header_problems(catalogue: Catalogue) -> None:
    found = validate(catalogue, SCHEMA_ABC, "a,,a,x\n1,2,3,4\n")
    # column by column, then the fields no column has
    assert [(f.code, f.record, f.location.column) for f in found] == [
        ("header.blank", None, 2),
        ("header.duplicate", None, 3),
        ("header.extra", None, 4),
        ("header.missing", None, None),
        ("header.missing", None, None),
    ]
    assert {f.location.field for f in found if f.code == "header.missing"} == {"b", "c"}
    assert all(f.location.line == 1 for f in found)


def test_no_header_row_matches_by_position(catalogue: Catalogue) -> None:
    found = validate(catalogue, SCHEMA_ABC, "x,y,z\n", dialect={"header": False})
    assert summary(found) == [("field.type", 1, "b")]


# -- rows ---------------------------------------------------------------------------------------


def test_row_shape_and_blank_rows(catalogue: Catalogue) -> None:
    text = "a,b,c\n1,2,3,4,5\n1\n\n,,\n1,2,3\n"
    found = validate(catalogue, SCHEMA_ABC, text)
    assert [(f.code, f.record, f.location.column) for f in found] == [
        ("row.extra-cell", 1, 4),
        ("row.extra-cell", 1, 5),
        ("row.missing-cell", 2, 2),
        ("row.missing-cell", 2, 3),
        ("row.blank", 3, None),
        ("row.blank", 4, None),
    ]


def test_blank_row_replaces_other_findings(catalogue: Catalogue) -> None:
    schema = {"fields": [{"name": "a", "constraints": {"required": True}}], "primaryKey": "a"}
    assert summary(validate(catalogue, schema, "a\n1\n\n")) == [("row.blank", 2, None)]


# -- keys ---------------------------------------------------------------------------------------


def test_primary_key(catalogue: Catalogue) -> None:
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "n"}], "primaryKey": ["id"]}
    found = validate(catalogue, schema, "id,n\n1,a\n2,b\n01,c\n,d\nx,e\n1,f\n", batch_size=2)
    assert [(f.code, f.record, f.params.get("first_record")) for f in found] == [
        ("record.duplicate-key", 3, 1),
        ("record.missing-key", 4, None),
        ("field.type", 5, None),
        ("record.duplicate-key", 6, 1),
    ]


def test_composite_primary_key_with_a_missing_part(catalogue: Catalogue) -> None:
    # As frictionless: a partly empty key is compared as it is; only an all-empty key is
    # reported by itself.
    schema = {"fields": [{"name": "a"}, {"name": "b"}, {"name": "c"}], "primaryKey": ["a", "b"]}
    found = validate(catalogue, schema, "a,b,c\n1,,x\n1,,y\n,,z\n1,2,w\n")
    assert [(f.code, f.record) for f in found] == [
        ("record.duplicate-key", 2),
        ("record.missing-key", 3),
    ]
    assert found[0].value == ["1", ""]


def test_unique_keys(catalogue: Catalogue) -> None:
    schema = {"fields": [{"name": "a"}, {"name": "b"}], "uniqueKeys": [["a", "b"]]}
    found = validate(catalogue, schema, "a,b\n1,2\n1,3\n1,2\n1,\n1,\n")
    assert [(f.code, f.record) for f in found] == [("record.duplicate-unique-key", 3)]


def test_every_emitted_code_is_in_the_catalogue(catalogue: Catalogue) -> None:
    for code in [
        "header.missing",
        "header.extra",
        "header.duplicate",
        "header.blank",
        "header.reordered",
        "row.extra-cell",
        "row.missing-cell",
        "row.blank",
        "record.missing-key",
        "record.duplicate-unique-key",
    ]:
        entry = catalogue[code]
        assert entry.title.get("zh") and entry.message.get("zh")
