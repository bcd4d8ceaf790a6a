"""Files beside a ``--schema``: read only when the schema refers outside itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govstd import validation
from govstd.engines.base import refers_outside
from govstd.session import Session


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = Path.read_text

    def read_text(self: Path, *args: object, **kwargs: object) -> str:
        seen.append(self.name)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", read_text)
    return seen


def _write(path: Path, content: object) -> Path:
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def test_a_feed_beside_a_self_contained_schema_is_not_read_as_a_resource(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = _write(
        tmp_path / "schema.json",
        {
            "$defs": {"code": {"type": "string", "pattern": "^[0-9]+$"}},
            "type": "object",
            "properties": {"code": {"$ref": "#/$defs/code"}},
        },
    )
    feed = _write(tmp_path / "feed.json", {"code": "x"})
    seen = _reads(monkeypatch)
    report = Session(autoload=False).validate([feed], schema=schema)
    assert seen.count("feed.json") == 0  # read by the reader as a stream, never as a schema
    assert report.stats.records == 1 and report.stats.rejected == 1


def test_outside_references_resolve_from_siblings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "defs.json", {"$defs": {"code": {"type": "string", "maxLength": 2}}})
    schema = _write(
        tmp_path / "schema.json",
        {"type": "object", "properties": {"code": {"$ref": "defs.json#/$defs/code"}}},
    )
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"code": "12"}\n{"code": "123"}\n', encoding="utf-8")
    seen = _reads(monkeypatch)
    report = Session(autoload=False).validate([feed], schema=schema)
    assert "defs.json" in seen
    assert report.stats.rejected == 1
    assert [f.code for f in report.findings] == ["field.length"]


def test_data_sized_siblings_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "defs.json", {"$defs": {"n": {"type": "integer"}}})
    big = _write(tmp_path / "big.json", {"x": "y" * 100})
    schema = _write(tmp_path / "schema.json", {"$ref": "defs.json#/$defs/n"})
    monkeypatch.setattr(validation, "MAX_SIBLING_BYTES", big.stat().st_size - 1)
    resources = validation._sibling_resources(schema, json.loads(schema.read_text("utf-8")))
    names = sorted(Path(uri).name for uri in resources)
    assert names == ["defs.json", "schema.json"]


@pytest.mark.parametrize(
    ("content", "outside"),
    [
        ({"$ref": "#/$defs/a"}, False),
        ({"properties": {"$ref": {"type": "string"}}}, False),  # a property named $ref
        ({"items": [{"$dynamicRef": "#meta"}]}, False),
        ({"allOf": [{"$ref": "other.json"}]}, True),
        ({"$defs": {"a": {"$dynamicRef": "https://example.org/s#node"}}}, True),
        (True, False),
    ],
)
def test_refers_outside(content: object, outside: bool) -> None:
    assert refers_outside(content) is outside
