"""govstd diff: changes between versions, classified for producers and consumers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govstd.cli.main import cli
from govstd.engines.base import SchemaDocument
from govstd.session import Session
from govstd.versions.changes import Impact, Side, Verdict
from govstd.versions.patterns import pattern_relation
from govstd.versions.schema_diff import diff_json_schemas
from govstd.versions.table_diff import diff_table_schemas

C, B = Impact.COMPATIBLE, Impact.BREAKING


@pytest.fixture(scope="module")
def session() -> Session:
    return Session(autoload=False)


def _diff(session: Session, old: str, new: str):
    return session.diff(old, new)


def _one(diff, kind: str, path: str):
    found = diff.find(kind, path)
    assert len(found) == 1, (kind, path, [c.to_dict() for c in diff.changes])
    return found[0]


def test_natural_person_1_0_to_1_1_adds_optional_fields_backward(session: Session) -> None:
    diff = _diff(session, "cn.natural-person@1.0.0", "cn.natural-person@1.1.0")
    assert diff.verdict is Verdict.BACKWARD
    assert {(c.kind, c.path) for c in diff.changes} == {
        ("field.added", "/email"),
        ("field.added", "/updated_at"),
    }
    for change in diff.changes:
        # old exports stay valid; a 1.0.0 system (closed records) rejects the new fields
        assert (change.producers, change.consumers) == (C, B)
    assert not diff.is_breaking(Side.PRODUCERS)


def test_natural_person_1_1_to_2_0_every_listed_change(session: Session) -> None:
    diff = _diff(session, "cn.natural-person@1.1.0", "cn.natural-person@2.0.0")
    assert diff.verdict is Verdict.NONE
    rename = _one(diff, "field.renamed", "/division_code")
    assert (rename.old, rename.new) == ("division_code", "household_division_code")
    assert not diff.find("field.removed") and not diff.find(
        "field.added", "/household_division_code"
    )
    id_number = _one(diff, "pattern.changed", "/id_number")
    assert id_number.direction == "tightened"
    assert (id_number.producers, id_number.consumers) == (B, C)
    assert _one(diff, "rule.changed", "rule:id-number").direction == "tightened"
    phone = _one(diff, "pattern.changed", "/phone")
    assert phone.direction == "changed" and (phone.producers, phone.consumers) == (B, B)
    nationality = _one(diff, "field.added", "/nationality")
    assert "required" in nationality.detail and nationality.producers is B
    # the division rule follows its renamed field: unchanged
    assert not diff.find(path="rule:division-code-in-use")


def test_legal_entity_1_to_2(session: Session) -> None:
    diff = _diff(session, "cn.legal-entity@1.0.0", "cn.legal-entity@2.0.0")
    capital = _one(diff, "field.replaced", "/registered_capital")
    assert capital.new == "registered_capital_yuan" and capital.producers is B
    status = _one(diff, "codelist.codes-added", "/status")
    assert status.new == ["5"] and (status.producers, status.consumers) == (C, B)
    industry = _one(diff, "field.added", "/industry_code")
    assert "optional" in industry.detail and (industry.producers, industry.consumers) == (C, B)
    decimals = _one(diff, "rule.removed", "rule:registered-capital-decimals")
    assert (decimals.producers, decimals.consumers) == (C, C)
    assert diff.verdict is Verdict.NONE


def test_same_version_is_full(session: Session) -> None:
    diff = _diff(session, "cn.legal-entity@2.0.0", "cn.legal-entity@2.0.0")
    assert diff.changes == [] and diff.verdict is Verdict.FULL


@pytest.mark.parametrize(
    ("old", "new", "relation"),
    [
        ("^([0-9]{17}[0-9X]|[0-9]{15})$", "^[0-9]{17}[0-9X]$", "tightened"),
        ("^[0-9]{17}[0-9X]$", "^([0-9]{17}[0-9X]|[0-9]{15})$", "loosened"),
        ("^(?:a|b)$", "^(a|b)$", "same"),
        (r"^\d{6}$", "^[0-9]{6}$", "same"),
        ("^a$", "^b$", "changed"),
        ("^(a|b)c$", "^ac$", "changed"),  # the group does not span the pattern
        (None, "^a$", "tightened"),
        ("^a$", None, "loosened"),
    ],
)
def test_pattern_relation(old: str | None, new: str | None, relation: str) -> None:
    assert pattern_relation(old, new) == relation


def _schema(content: dict) -> SchemaDocument:  # type: ignore[type-arg]
    return SchemaDocument(content)


def test_drafts_compare_keyword_by_keyword() -> None:
    old = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {
            "n": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
            "list": {"type": "array", "items": [{"type": "string"}]},
        },
    }
    same = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "n": {"type": "number", "exclusiveMinimum": 0},
            "list": {"type": "array", "prefixItems": [{"type": "string"}]},
        },
    }
    assert diff_json_schemas(_schema(old), _schema(same)) == []
    looser = json.loads(json.dumps(same))
    looser["properties"]["n"] = {"type": "number", "minimum": 0}
    (change,) = diff_json_schemas(_schema(old), _schema(looser))
    assert (change.kind, change.path, change.direction) == ("bound.changed", "/n", "loosened")


def test_refs_types_enums_and_not() -> None:
    old = {
        "$defs": {"code": {"enum": ["1", "2"]}},
        "type": "object",
        "properties": {
            "a": {"$ref": "#/$defs/code"},
            "b": {"$ref": "#/$defs/code"},
            "n": {"type": "integer"},
            "s": {"not": {"type": "string", "maxLength": 3}},
        },
        "required": ["a"],
    }
    new = json.loads(json.dumps(old))
    new["$defs"]["code"]["enum"] = ["1", "2", "3"]
    new["properties"]["n"] = {"type": "number"}
    new["properties"]["s"] = {"not": {"type": "string", "maxLength": 5}}
    new["required"] = ["a", "b"]
    changes = {(c.kind, c.path): c for c in diff_json_schemas(_schema(old), _schema(new))}
    enum = changes[("enum.changed", "/a")]
    assert enum.direction == "loosened" and enum.locations == ("/b",)  # one shared definition
    assert changes[("type.changed", "/n")].direction == "loosened"
    # under `not`, a looser inner schema rejects more: tightened
    assert changes[("bound.changed", "/s")].direction == "tightened"
    assert changes[("required.added", "/b")].producers is B


def test_table_schema_diff(tmp_path: Path) -> None:
    old = {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": True}},
            {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
            {"name": "day", "type": "date", "constraints": {"minimum": "2000-01-01"}},
        ],
        "primaryKey": ["id"],
    }
    new = {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": True, "maxLength": 8}},
            {"name": "amount", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "day", "type": "date", "constraints": {"minimum": "2010-01-01"}},
            {"name": "note", "type": "string"},
        ],
    }
    changes = {(c.kind, c.path): c for c in diff_table_schemas(old, new)}
    assert changes[("bound.changed", "/id")].direction == "tightened"
    assert changes[("type.changed", "/amount")].direction == "tightened"
    assert changes[("bound.changed", "/day")].direction == "tightened"
    assert changes[("field.added", "/note")].consumers is B
    assert changes[("primary-key.changed", "")].direction == "loosened"


def test_codelist_files(tmp_path: Path, session: Session) -> None:
    (tmp_path / "old.csv").write_text("code,zh\n1,甲\n2,乙\n", encoding="utf-8")
    (tmp_path / "new.csv").write_text("Code,Title\n2,b\n3,c\n", encoding="utf-8")
    diff = session.diff(tmp_path / "old.csv", tmp_path / "new.csv")
    kinds = {c.kind: c for c in diff.changes}
    assert kinds["codelist.codes-added"].new == ["3"]
    assert kinds["codelist.codes-removed"].old == ["1"]
    assert diff.verdict is Verdict.NONE


def test_cli_exit_codes_and_json() -> None:
    runner = CliRunner()
    args = ["diff", "cn.natural-person@1.0.0", "cn.natural-person@1.1.0"]
    assert runner.invoke(cli, [*args, "--fail-on-breaking"]).exit_code == 0
    assert runner.invoke(cli, [*args, "--fail-on-breaking", "--side", "consumers"]).exit_code == 1
    result = runner.invoke(cli, [*args, "-f", "json"])
    data = json.loads(result.output)
    assert data["verdict"] == "backward" and data["counts"]["breaking_producers"] == 0
    major = runner.invoke(
        cli, ["diff", "cn.legal-entity@1.0.0", "cn.legal-entity@2.0.0", "--fail-on-breaking"]
    )
    assert major.exit_code == 1 and "registered_capital_yuan" in major.output
    mixed = runner.invoke(cli, ["diff", "cn.legal-entity@1.0.0", "pyproject.toml"])
    assert mixed.exit_code == 2
