"""The jsonschema-rs screen (``govstd.engines.jsonschema_screen``) against the reference.

The contract: a record the screen accepts is one python-jsonschema (on the engine's
ECMA-rewritten schema, with the same format checker) finds no error in; and the findings of a
plan are the same with and without the screen.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from govstd.catalogue import Catalogue, builtin_finding_types
from govstd.engines.jsonschema_screen import rust_pattern
from govstd.exceptions import SchemaError
from govstd.formats.base import DocumentBatch
from jsonschema_plans import D7, D2019, D2020, build, reference

SETTINGS = settings(
    deadline=None, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# -- strategies: nasty values ------------------------------------------------------------------

NAMES = ["a", "b", "c", "d"]
DATES = ["2020-01-01", "2021-02-29", "2020-02-29", "2000-02-29", "1900-02-29", "2020-1-01",
         "20200101", "２０２０-01-01", "2020-01-01\n", "2020-13-01", " 2020-01-01",
         "0000-01-01", "0001-01-01", "9999-12-31", "2020-02-30", "2020-04-31", "2020-00-10",
         "2020-01-00", "2020-01-01T00:00:00", "٢٠٢٠-٠١-٠١"]  # fmt: skip
TEXTS = st.sampled_from(
    ["", "a", "ab", "b1", "x@y.cn", "x@", "@", "１２", "12", "12\n", "123", "a\n", "\n", "a\r",
     "a\u2028", "\ufeff", "1\u0661", "Ⅻ", "\U0001d7d8", "😀", "a b", "A", "_", " ", "\x1c",
     "\xa0", "a\u3000", "\u180e", "\u200b", "\x00", "\x7f", "\x9f", "\t", "-", "x@y.cn ",
     "中文", " a", *DATES]
) | st.text(max_size=4)  # fmt: skip
NUMBERS = st.sampled_from(
    [0, 1, -1, 2, 3, 0.5, 1.0, -2.0, 2.5, 2**53, 2**53 + 1, -(2**53) - 1, 2**63, 2**64,
     2**64 + 1, 2**70, -(2**64), 10**30, -(10**30), 1e300, -1e300, 5e-324, 1.5, 100.0]
) | st.integers() | st.floats(allow_nan=False, allow_infinity=False)  # fmt: skip
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXTS)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(NAMES), inner, max_size=3)
    ),
    max_leaves=8,
)
WHITE = [" ", "\x1c", "\xa0", "\ufeff", "a\u3000", "\u180e", "a b", " a", "a ", "\x00", "\x9f",
         "x@y.cn", "x@y", "x @y.cn", "中文", "a\x1cb", "\t", "  ", "a\ufeff"]  # fmt: skip
PATTERNS = ["^[0-9]{2}$", "^a", "b$", "^\\d+$", "^\\w*$", "^[A-HJ-N0-9]{3}$", "^1[3-9]\\d{2}$",
            "^(\\S([\\s\\S]*\\S)?)?$", "^a.b$", "^[^0-9]+$", "^(ab|cd)+?$", "x{2,}", "\\.",
            "^[a-z0-9._]+@[a-z0-9.]+$", "^\\$", "^[\\-a]$", "^\\u0041$", "^.{1,3}$",
            "^([^\\s\\u0000-\\u001F\\u007F-\\u009F]([^\\u0000-\\u001F\\u007F-\\u009F]*"
            "[^\\s\\u0000-\\u001F\\u007F-\\u009F])?)?$", "^[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+$",
            "^\\s*$", "^[a\\S]$", "^[^a\\s]$", "^[\\s\\S]{2}$", "^[-a]$", "^[a-]$"]  # fmt: skip


def leaf_schemas() -> st.SearchStrategy[dict[str, Any]]:
    string = st.fixed_dictionaries(
        {"type": st.sampled_from(["string", ["string", "null"]])},
        optional={
            "minLength": st.integers(0, 3),
            "maxLength": st.integers(0, 3),
            "pattern": st.sampled_from(PATTERNS),
            "title": st.just("a title"),
            "x-title-zh": st.just("标题"),
        },
    )
    formatted = st.fixed_dictionaries(
        {
            "type": st.sampled_from(["string", ["string", "null"]]),
            "format": st.sampled_from(["date", "date", "email", "ipv4", "uuid", "x-own"]),
        },
        optional={"maxLength": st.integers(8, 12)},
    )
    patterned = st.fixed_dictionaries(
        {"type": st.just("string"), "pattern": st.sampled_from(PATTERNS)},
        optional={"minLength": st.integers(0, 2)},
    )
    members = st.builds(
        lambda t, e: {"type": t, **e},
        st.sampled_from(["string", ["string", "null"]]),
        st.builds(lambda e: {"enum": e}, st.lists(TEXTS | st.none(), min_size=1, max_size=4))
        | st.builds(lambda c: {"const": c}, TEXTS),
    )
    number = st.fixed_dictionaries(
        {"type": st.sampled_from(["number", "integer"])},
        optional={
            "minimum": st.sampled_from([0, -1, 0.5, 2, 2**53 - 1, 2**65]),
            "maximum": st.sampled_from([0, 1, 2.5, 2**52, 2**53, 2**65]),
            "exclusiveMinimum": st.sampled_from([0, -1.5]),
            "exclusiveMaximum": st.sampled_from([3, 2**64]),
        },
    )
    refused = st.builds(
        lambda t, extra: {"type": t, **extra},
        st.sampled_from(["number", "integer"]),
        st.builds(lambda e: {"enum": e}, st.lists(SCALARS, min_size=1, max_size=3))
        | st.builds(lambda m: {"multipleOf": m}, st.sampled_from([0.1, 2])),
    )
    other = st.builds(lambda t: {"type": t}, st.sampled_from(["boolean", "null", "array"]))
    return st.one_of(
        string, formatted, formatted, patterned, patterned, members, number, number, refused, other
    )


def nested_schemas() -> st.SearchStrategy[Any]:
    return st.recursive(
        leaf_schemas() | st.booleans(),
        lambda inner: st.one_of(
            st.builds(
                lambda props, required, extra: {
                    "type": "object",
                    "properties": props,
                    **({"required": required} if required else {}),
                    **extra,
                },
                st.dictionaries(st.sampled_from(NAMES), inner, max_size=4),
                st.lists(st.sampled_from(NAMES), unique=True, max_size=3),
                st.sampled_from(
                    [
                        {},
                        {"additionalProperties": False},
                        {"minProperties": 1},
                        {"maxProperties": 2},
                    ]
                )
                | st.builds(lambda s: {"additionalProperties": s}, inner),
            ),
            st.builds(lambda s: {"type": "array", "items": s, "maxItems": 2}, inner),
            st.builds(lambda s: {"anyOf": s}, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda s: {"allOf": s}, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda s: {"not": s}, inner),
            st.builds(lambda s: {"oneOf": s}, st.lists(inner, min_size=1, max_size=2)),
        ),
        max_leaves=6,
    )


def schemas() -> st.SearchStrategy[Any]:
    base = nested_schemas()
    return base | st.builds(lambda s: {"$defs": {"x": s}, "$ref": "#/$defs/x"}, base)


def values_for(schema: Any) -> list[Any]:
    """Values at the edges of a schema's limits and members."""
    out: list[Any] = []
    if not isinstance(schema, dict):
        return out
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if key in schema:
            n = schema[key]
            out += [n, n - 1, n + 1, n - 0.5, n + 0.5, float(n)]
    for key in ("minLength", "maxLength"):
        if key in schema:
            n = schema[key]
            out += ["x" * n, "x" * (n + 1), "１" * n, "😀" * n]
    out += list(schema.get("enum", []))
    if "format" in schema:
        out += [*DATES, "x@y", "@", "x", "1.2.3.4", "1.2.3.256"]
    if "pattern" in schema:
        out += [
            "12",
            "123",
            "１２",
            "12\n",
            "a\n",
            "b\n",
            "ab\n",
            "a\rb",
            "a\nb",
            "ab",
            "abab",
            "13123",
            "1312",
            "-",
            "$",
            "A",
            "xx",
            "a.b",
            "a\u2028b",
            "1",
            *WHITE,
        ]
    for key, value in schema.items():  # every subschema, however deep
        if key in ("properties", "$defs"):
            for child in value.values():
                out += values_for(child)
        elif key in ("allOf", "anyOf", "oneOf"):
            for child in value:
                out += values_for(child)
        elif key in ("items", "not", "additionalProperties"):
            out += values_for(value)
    return out


# -- the contract ------------------------------------------------------------------------------


@pytest.mark.parametrize("uri", [D7, D2019, D2020])
def test_screen_accepts_only_what_the_reference_accepts(catalogue: Catalogue, uri: str) -> None:
    screened = [0]

    @SETTINGS
    @given(schema=schemas(), fmt=st.sampled_from([True, True, True, False]), data=st.data())
    def agree(schema: Any, fmt: bool, data: Any) -> None:
        content = {"$schema": uri, **schema} if isinstance(schema, dict) else schema
        try:
            plan = build(catalogue, content, format_check=fmt)
        except SchemaError:
            assume(False)
            return
        if plan.screen is None:
            return
        screened[0] += 1
        validator = reference(plan)
        edges = values_for(schema)
        records = data.draw(st.lists(VALUES, max_size=4))
        # every edge value at the top and under every name, then mixed records
        records += edges + [[edge] for edge in edges]
        records += [{name: edge} for name in NAMES for edge in edges]
        near = (st.sampled_from(edges) | SCALARS) if edges else SCALARS
        records += [
            data.draw(st.dictionaries(st.sampled_from(NAMES), near, max_size=4)) for _ in range(4)
        ]
        for record in records:
            if plan.screen(record):
                errors = [e.message for e in validator.iter_errors(record)]
                assert not errors, (content, record, errors)

    agree()
    # about 17-40 of the 150 drawn schemas get a screen (the rest are refused, which is
    # allowed); fewer than 5 would mean the generator no longer reaches the screen at all
    assert screened[0] >= 5, "the screen was hardly ever built: the test tests nothing"


@pytest.mark.parametrize(
    ("fmt", "value", "expected"),
    [
        ("date", "2020-02-29", True),
        ("date", "0000-01-01", False),  # Rust's date accepts year 0000, Python's does not
        ("date", "2021-02-29", False),
        ("date", "２０２０-01-01", False),
        ("date", "2020-01-01\n", False),
        ("email", "@", True),  # python-jsonschema's own (lax) email check decides
        ("email", "x", False),
        ("x-unknown", "anything", True),
    ],
)
def test_formats_keep_the_reference_verdict(
    catalogue: Catalogue, fmt: str, value: str, expected: bool
) -> None:
    plan = build(catalogue, {"$schema": D2020, "type": "string", "format": fmt})
    assert plan.screen is not None
    assert plan.screen(value) is expected
    assert reference(plan).is_valid(value) is expected


@pytest.mark.parametrize(
    "schema",
    [
        {"not": {"type": "string"}},
        {"oneOf": [{"type": "string"}]},
        {"type": "number", "multipleOf": 0.1},
        {"enum": [1, 2]},
        {"maximum": 2**53},
        {"pattern": "^[\\D]+$"},
        {"pattern": "^\\bword"},
        {"pattern": "^(?=a)"},
        {"pattern": "(a)\\1"},
        {"patternProperties": {"^a": {"type": "string"}}},
        {"$ref": "other.json"},
        {"$ref": "https://example.com/schema.json"},
        {"properties": {"a": {"$id": "https://example.com/a", "type": "string"}}},
        {"uniqueItems": True},
        {"$dynamicRef": "#meta"},
    ],
)
def test_schemas_the_screen_does_not_take(catalogue: Catalogue, schema: dict[str, Any]) -> None:
    try:
        plan = build(catalogue, {"$schema": D2020, **schema})
    except Exception:  # an unresolvable reference: refused at compile time anyway
        return
    assert plan.screen is None


def test_draft_4_gets_no_screen(catalogue: Catalogue) -> None:
    plan = build(
        catalogue, {"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"}
    )
    assert plan.screen is None


def test_benchmark_shaped_schema_is_screened(catalogue: Catalogue) -> None:
    schema = {
        "$schema": D2020,
        "type": "object",
        "required": ["uscc", "established"],
        "properties": {
            "uscc": {"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"},
            "id": {"type": "string", "pattern": "^\\d{17}[0-9X]$"},
            "established": {"type": "string", "format": "date"},
            "capital": {"type": "number", "minimum": 0},
            "status": {"type": "string", "enum": ["1", "2", "3", "4"]},
        },
        "additionalProperties": False,
    }
    plan = build(catalogue, schema)
    assert plan.screen is not None
    good = {"uscc": "9114252500000001MN", "established": "2014-02-12", "id": "13020419590721074X"}
    assert plan.screen(good)
    for bad in (
        {**good, "id": "１３020419590721074X"},
        {**good, "id": "13020419590721074X\n"},
        {**good, "uscc": "9114252500000001MN\n"},
        {**good, "established": "0000-02-12"},
        {**good, "capital": -(10**30)},
        {**good, "status": 1},
    ):
        assert not plan.screen(bad)
        assert not reference(plan).is_valid(bad)


@pytest.mark.parametrize(
    ("python", "rust"),
    [
        ("^[0-9]{18}\\Z", "^[\\x{30}-\\x{39}]{18}$"),
        ("^(?:a|b)+?x*\\.\\Z", "^(?:a|b)+?x*\\.$"),
        ("[^a-z\\-]", "[^\\x{2D}\\x{61}-\\x{7A}]"),
        ("\\u0041[\\s\\S]", "[\\x{41}][\\x{0}-\\x{10FFFF}]"),
    ],
)
def test_rust_pattern_translates(python: str, rust: str) -> None:
    assert rust_pattern(python) == rust


@pytest.mark.parametrize(
    "python",
    [
        "a$",
        "[\\D]",
        "\\p{L}",
        "\\b",
        "[[a]]",
        "a{,3}",
        "a{x}",
        "(?P<n>a)",
        "a**",
        "\\1",
        "[^\\s\\S]",
    ],
)
def test_rust_pattern_refuses(python: str) -> None:
    with pytest.raises(ValueError):
        rust_pattern(python)


def test_findings_are_the_same_with_and_without_the_screen(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    @SETTINGS
    @given(schema=schemas(), data=st.data())
    def same(schema: Any, data: Any) -> None:
        content = {"$schema": D2020, **schema} if isinstance(schema, dict) else schema
        try:
            with_screen = build(catalogue, content)
        except SchemaError:
            assume(False)
            return
        monkeypatch.setenv("GOVSTD_JSONSCHEMA_SCREEN", "0")
        try:
            without = build(catalogue, content)
        finally:
            monkeypatch.delenv("GOVSTD_JSONSCHEMA_SCREEN")
        assert without.screen is None
        edges = values_for(schema)
        records = data.draw(st.lists(VALUES, max_size=4))
        records += [
            data.draw(
                st.dictionaries(
                    st.sampled_from(NAMES),
                    (st.sampled_from(edges) | SCALARS) if edges else SCALARS,
                    max_size=4,
                )
            )
            for _ in range(4)
        ]
        batch = DocumentBatch(records, list(range(1, len(records) + 1)), [None] * len(records))
        got = list(with_screen.open("s").check_documents(batch))
        want = list(without.open("s").check_documents(batch))
        assert got == want

    same()


def test_pattern_translation_matches_python_on_samples() -> None:
    """The translated patterns mean what the Python ones mean, on awkward texts."""
    import jsonschema_rs

    texts = [
        "",
        "a",
        "ab",
        "12",
        "１２",
        "12\n",
        "a\rb",
        "a\nb",
        "a.b",
        "axb",
        "-",
        "$",
        "A",
        *WHITE,
    ]
    for python in ("^[0-9]{2}\\Z", "^a.b\\Z", "^[^0-9]+\\Z", "^(ab|cd)+?\\Z", "\\.", "^\\$",
                   "^[\\s\\ufeff]+\\Z", "^[^\\s\\ufeff]+\\Z", "^[a\\S]\\Z", "^[^a\\s]\\Z",
                   "^[\\u0000-\\u001F\\s]\\Z", "^\\s\\S\\Z",
                   "^[^\\u0009-\\u000D\\S]\\Z", "^[\\u0009\\S]\\Z"):  # fmt: skip
        rust = jsonschema_rs.validator_for({"pattern": rust_pattern(python)})
        for text in texts:
            verdict = re.search(python, text) is not None
            if "." in python.replace("\\.", ""):  # Rust's "." also refuses \r, U+2028/9
                assert verdict or not rust.is_valid(text), (python, text)
            else:
                assert rust.is_valid(text) is verdict, (python, text)


def test_whole_reports_are_the_same_with_and_without_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govstd.session import Session

    schema = {
        "$schema": D2020,
        "type": "object",
        "required": ["id", "day"],
        "properties": {
            "id": {"type": "string", "pattern": "^\\d{4}$"},
            "day": {"type": "string", "format": "date"},
            "size": {"type": "integer", "minimum": 0, "maximum": 2**40},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 2}},
            "kind": {"enum": ["a", "b", None]},
        },
        "additionalProperties": False,
    }
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    assert build(Catalogue(builtin_finding_types()), schema).screen is not None

    @settings(deadline=None, max_examples=30)
    @given(
        st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "id": st.sampled_from(["1234", "１２３４", "1234\n", "12345", 1234]),
                    "day": st.sampled_from(DATES),
                    "size": NUMBERS,
                    "tags": st.lists(TEXTS, max_size=2),
                    "kind": st.sampled_from(["a", "c", None, 1]),
                    "x": SCALARS,
                },
            ),
            min_size=1,
            max_size=30,
        )
    )
    def same(records: list[dict[str, Any]]) -> None:
        data = tmp_path / "data.jsonl"
        data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
        reports = []
        for flag in ("1", "0"):
            monkeypatch.setenv("GOVSTD_JSONSCHEMA_SCREEN", flag)
            reports.append(Session().validate([data], schema=path, workers=1).to_dict())
        assert reports[0] == reports[1]

    same()
