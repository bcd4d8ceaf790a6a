"""The JSON reporter's fast chunk rendering (orjson) against the standard library's bytes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from govstd.findings import Finding, Location, Severity
from govstd.report import Report, SourceStats
from govstd.reporters.json import JsonReporter, render_findings
from govstd.session import Session


def reference(items: list[Any]) -> str:
    """The findings array body as the reporter wrote it with ``json`` alone."""
    return "".join(
        ("," if i else "")
        + "\n    "
        + json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        for i, item in enumerate(items)
    )


# text that exercises every place the two encoders could escape differently
_chars = st.characters(codec=None) | st.sampled_from(
    ["\x00", "\x1f", "\x7f", "\u2028", "\u2029", "\ud800", "\udfff", '"', "\\", "\n", "/", "é"]
)
_text = st.text(_chars, max_size=8)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.sampled_from([1e-7, 1e16, 5e-324, -0.0, float("nan"), float("inf")])
    | _text
)
_keys = _text | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(_keys, inner, max_size=3)
    ),
    max_leaves=12,
)
# mostly the shape of real finding dictionaries, with odd values now and then
_findings = st.fixed_dictionaries(
    {"code": _text, "message": _text, "record": st.none() | st.integers(0, 10**6)},
    optional={"value": _values, "expected": _values, "location": st.dictionaries(_text, _values)},
)


def _encodable(items: list[Any]) -> bool:
    try:
        json.dumps(items, ensure_ascii=False, indent=2)
    except (TypeError, ValueError):
        return False
    return True


@settings(max_examples=200, deadline=None)
@given(st.lists(_findings | _values, max_size=6))
def test_render_findings_gives_the_standard_library_bytes(items: list[Any]) -> None:
    if not _encodable(items):
        return
    assert render_findings(items) == reference(items)


def test_render_findings_falls_back_where_orjson_differs() -> None:
    odd = [
        {"value": 1e-7},
        {"expected": float("nan")},
        {"value": [float("-inf")]},
        {"big": 2**65},
        {"text": "lone \ud800 surrogate", 1: "int key", None: "none key"},
        {"ctl": "\x00\x1f\x7f\u2028", "nested": [[], {}, ({"a": -0.0},)]},
    ]
    for item in odd:
        assert render_findings([item]) == reference([item])
    assert render_findings(odd) == reference(odd)
    assert render_findings([]) == ""


def test_json_report_with_many_findings_is_byte_identical() -> None:
    """Across several chunks, some rendered by orjson and some (a float) by json."""
    session = Session()
    findings = [
        Finding(
            "field.type",
            Severity.ERROR,
            f"bad 名 {i}\n\t",
            source="a.csv",
            record=i,
            location=Location(line=i + 1, field="f"),
            value=(1e-7 * i) if i % 700 == 0 else f"v{i}",
            expected=["integer"],
            params={"field": "f"},
        )
        for i in range(1, 1500)
    ]
    report = Report(target="t", findings=findings, sources=[SourceStats("a.csv")])
    want = json.dumps(report.to_dict(catalogue=session.catalogue), ensure_ascii=False, indent=2)
    assert JsonReporter().render(report, catalogue=session.catalogue) == want + "\n"
