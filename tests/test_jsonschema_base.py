"""When python-jsonschema needs the root's file URI as base (the ``$ref`` indirection), and
that going without it gives the same findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govstd.engines.jsonschema import _uses_base
from govstd.session import Session


@pytest.mark.parametrize(
    ("content", "uses"),
    [
        ({"type": "object", "properties": {"a": {"type": "string"}}}, False),
        ({"$defs": {"a": {"type": "string"}}, "properties": {"a": {"$ref": "#/$defs/a"}}}, False),
        ({"properties": {"a": {"$ref": "defs.json#/a"}}}, True),
        ({"properties": {"a": {"$dynamicRef": "#node"}}}, True),
        ({"$defs": {"x": {"$id": "https://example.org/x", "type": "string"}}}, True),
        ({"properties": {"id": {"type": "string"}}}, True),  # a false alarm: harmless
        ({"items": [{"$recursiveRef": "#"}]}, True),
    ],
)
def test_uses_base(content: object, uses: bool) -> None:
    assert _uses_base(content) is uses


def test_same_findings_with_and_without_the_indirection(tmp_path: Path) -> None:
    body = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": {"code": {"type": "string", "pattern": "^[0-9]{3}$"}},
        "type": "object",
        "required": ["code", "n"],
        "properties": {
            "code": {"$ref": "#/$defs/code"},
            "n": {"type": "integer", "minimum": 0},
            "tags": {"type": "array", "items": {"$ref": "#/$defs/code"}},
        },
        "additionalProperties": False,
    }
    plain = tmp_path / "plain" / "s.json"
    plain.parent.mkdir()
    plain.write_text(json.dumps(body), encoding="utf-8")
    # the same schema, plus a harmless property named "id": it keeps the indirection
    wrapped_body = json.loads(json.dumps(body))
    wrapped_body["properties"]["id"] = {}
    wrapped = tmp_path / "wrapped" / "s.json"
    wrapped.parent.mkdir()
    wrapped.write_text(json.dumps(wrapped_body), encoding="utf-8")
    feed = tmp_path / "f.jsonl"
    records = [
        {"code": "12", "n": -1},
        {"code": "123", "n": 1, "tags": ["1", "999", 7]},
        {"n": 2, "extra": True},
        {"code": 5, "n": 1.5},
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    session = Session(autoload=False)

    def findings(schema: Path) -> list[tuple[object, ...]]:
        report = session.validate([feed], schema=schema)
        return [(f.record, f.code, f.location.pointer, f.message) for f in report.findings]

    assert findings(plain) == findings(wrapped)
    assert len(findings(plain)) >= 6
