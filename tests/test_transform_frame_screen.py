"""The JSON Schema frame screen (``govstd.engines.jsonschema_frame``) against the reference.

The contract: a row of a frame of texts the screen accepts is a record (the row without its
nulls) that python-jsonschema (on the engine's ECMA-rewritten schema, with the same format
checker) finds no error in; and a plan's findings on a batch that carries a frame are the
same as without it.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from govstd.adapters.model import AdaptedBatch
from govstd.catalogue import Catalogue
from govstd.exceptions import SchemaError
from govstd.formats.base import DocumentBatch
from govstd.session import Session
from jsonschema_plans import D7, D2019, D2020, build, reference
from test_jsonl_screen import DATES, TEXTS, WHITE, leaf_schemas, values_for

SETTINGS = settings(
    deadline=None, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NAMES = ["a", "b", "c", "d"]


def flat_schemas() -> st.SearchStrategy[dict[str, Any]]:
    """Closed or open records of leaf schemas (most of them the frame screen takes), and a
    few it must refuse (nested objects, a root keyword outside the subset)."""
    leaf = leaf_schemas() | st.booleans()
    flat = st.builds(
        lambda props, required, extra: {
            "type": "object",
            "properties": props,
            **({"required": required} if required else {}),
            **extra,
        },
        st.dictionaries(st.sampled_from(NAMES), leaf, min_size=1, max_size=4),
        st.lists(st.sampled_from(NAMES), unique=True, max_size=3),
        st.sampled_from([{}, {"additionalProperties": False}, {"minProperties": 1}])
        | st.builds(lambda s: {"additionalProperties": s}, leaf),
    )
    allof = st.builds(
        lambda props: {"type": "object", "properties": {k: {"allOf": [v]} for k, v in props}},
        st.lists(st.tuples(st.sampled_from(NAMES), leaf), min_size=1, max_size=2),
    )
    return st.one_of(flat, flat, flat, allof)


def _frame(rows: list[list[str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [[row[j] for row in rows] for j in range(len(NAMES))],
        schema=dict.fromkeys(NAMES, pl.String),
        orient="col",
    )


def _records(rows: list[list[str | None]]) -> list[dict[str, str]]:
    return [{k: v for k, v in zip(NAMES, row, strict=True) if v is not None} for row in rows]


@pytest.mark.parametrize("uri", [D7, D2019, D2020])
def test_frame_screen_accepts_only_what_the_reference_accepts(
    catalogue: Catalogue, uri: str
) -> None:
    screened = [0]
    accepted = [0]

    @SETTINGS
    @given(schema=flat_schemas(), fmt=st.sampled_from([True, True, False]), data=st.data())
    def agree(schema: dict[str, Any], fmt: bool, data: Any) -> None:
        try:
            plan = build(catalogue, {"$schema": uri, **schema}, format_check=fmt)
        except SchemaError:
            assume(False)
            return
        if plan.frame_screen is None:
            return
        screened[0] += 1
        validator = reference(plan)
        edges = [v for v in values_for(schema) if isinstance(v, str)]
        cell = st.none() | st.sampled_from([*edges, *WHITE, *DATES] if edges else WHITE) | TEXTS
        rows = data.draw(st.lists(st.lists(cell, min_size=4, max_size=4), max_size=12))
        rows += [[edge] * 4 for edge in edges]
        unsure = set(plan.frame_screen(_frame(rows)))
        assert unsure <= set(range(len(rows)))
        for i, record in enumerate(_records(rows)):
            if i not in unsure:
                accepted[0] += 1
                errors = [e.message for e in validator.iter_errors(record)]
                assert not errors, (schema, record, errors)

    agree()
    assert screened[0] >= 20, "the frame screen was hardly ever built: the test tests nothing"
    assert accepted[0] >= 50, "the frame screen hardly accepted a row: the test tests nothing"


@pytest.mark.parametrize(
    ("schema", "taken"),
    [
        ({"type": "object", "properties": {"a": {"type": "string"}}}, True),
        ({"type": "object", "properties": {"a": {"type": "object"}}}, True),  # never accepts
        ({"type": "object", "properties": {"a": {"not": {"type": "string"}}}}, False),
        ({"type": "object", "properties": {"a": {"type": "string"}}, "minProperties": 1}, False),
        ({"type": "array"}, False),
        ({"$defs": {"x": {"type": "string"}}, "properties": {"a": {"$ref": "#/$defs/x"}}}, False),
        ({"type": "object", "properties": {"a": {"pattern": "^\\bx"}}}, False),  # untranslatable
    ],
)
def test_schemas_the_frame_screen_takes(
    catalogue: Catalogue, schema: dict[str, Any], taken: bool
) -> None:
    plan = build(catalogue, {"$schema": D2020, **schema})
    assert (plan.frame_screen is not None) is taken


def test_frame_screen_verdicts(catalogue: Catalogue) -> None:
    schema = {
        "$schema": D2020,
        "type": "object",
        "required": ["a"],
        "properties": {
            "a": {"type": "string", "pattern": "^[0-9]{2}$"},
            "b": {"type": "string", "format": "date"},
            "c": {"type": "string", "minLength": 1, "maxLength": 2},
            "d": {"type": "string", "format": "email"},
        },
        "additionalProperties": False,
    }
    plan = build(catalogue, schema)
    rows = [
        ["12", "2020-02-29", "ab", None],  # valid
        [None, None, None, None],  # a is required
        ["12", "2021-02-29", None, None],  # no such day
        ["12", "0000-01-01", None, None],  # year 0
        ["12", "２０２０-01-01", None, None],  # not ASCII digits
        ["12", None, "abc", None],  # too long
        ["12", None, "", None],  # too short
        ["12\n", None, None, None],  # the pattern's $ is the end of the text
        ["12", None, None, "x@y.cn"],  # the reference's own email check: unsure
        ["12", "2000-02-29", "😀😀", None],  # code points, not bytes
    ]
    assert plan.frame_screen(_frame(rows)) == [1, 2, 3, 4, 5, 6, 7, 8]
    extra = _frame(rows[:1]).with_columns(pl.lit("x").alias("e"))
    assert plan.frame_screen(extra) == [0]  # additionalProperties: false
    off = build(catalogue, schema, format_check=False)
    assert off.frame_screen(_frame(rows)) == [1, 5, 6, 7]  # formats not checked


@SETTINGS
@given(data=st.data())
def test_findings_are_the_same_with_and_without_the_frame(catalogue: Catalogue, data: Any):
    """The engine's findings on a batch whose records a frame also holds (as an adapter
    hands them over) are those of the same records without it."""
    schema = data.draw(flat_schemas())
    try:
        plan = build(catalogue, {"$schema": D2020, **schema})
    except SchemaError:
        assume(False)
        return
    cell = st.none() | TEXTS | st.sampled_from([*WHITE, *DATES])
    rows = data.draw(st.lists(st.lists(cell, min_size=4, max_size=4), max_size=10))
    records = _records(rows)
    ordinals = list(range(1, len(rows) + 1))
    lines = [o + 1 for o in ordinals]
    framed = AdaptedBatch(
        records=records, ordinals=ordinals, lines=lines, frame=_frame(rows) if rows else None
    )
    plain = DocumentBatch(records=[dict(r) for r in records], ordinals=ordinals, lines=lines)
    fast = list(plan.open("s").check_documents(framed))
    slow = list(plan.open("s").check_documents(plain))
    assert fast == slow


def test_the_natural_person_schema_gets_a_frame_screen():
    """The standard the acme-hr adapter maps to is screened on its frame (else the
    transform checks every record one by one)."""
    session = Session(autoload=True)
    adapter = session.adapters["acme-hr"]
    from govstd.validation import ValidationOptions, compile_standard

    compiled = compile_standard(session, session.resolve(adapter.range), ValidationOptions())
    plans = [p for p in compiled.plans_for("documents") if hasattr(p, "frame_screen")]
    assert plans and plans[0].frame_screen is not None
    frame = pl.DataFrame(
        {
            "id_number": ["110101198503120017", "1.1E+17"],
            "name": ["张伟", "张伟 "],
            "sex": ["1", "1"],
            "birth_date": ["1985-03-12", "1985-02-30"],
            "division_code": ["110101", "110101"],
        }
    )
    assert plans[0].frame_screen(frame) == [1]
