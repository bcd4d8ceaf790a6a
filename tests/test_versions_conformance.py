"""govstd validate --standard ID@all: one pass over every version, and an upgrade plan."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from govstd.cli.main import cli
from govstd.exceptions import ManifestError
from govstd.registry import builtin_standards_root
from govstd.session import Session


def test_every_version_and_the_upgrade_plan() -> None:
    session = Session(autoload=False)
    example = session.resolve("cn.natural-person@1.0.0").folder / "examples" / "valid.jsonl"
    report = session.validate_all_versions(example, standard="cn.natural-person@all")
    by_ref = {v.ref: v for v in report.versions}
    assert set(by_ref) == {f"cn.natural-person@{v}" for v in ("1.0.0", "1.1.0", "2.0.0")}
    assert by_ref["cn.natural-person@1.0.0"].conforms
    assert by_ref["cn.natural-person@1.1.0"].conforms  # backward compatible
    newest = by_ref["cn.natural-person@2.0.0"]
    assert not newest.conforms and newest.rejected == newest.records
    assert report.base == "cn.natural-person@1.1.0"
    kinds = {(c.kind, c.path) for c, _ in report.plan}
    assert ("field.renamed", "/division_code") in kinds
    assert ("field.added", "/nationality") in kinds
    counts = {c.path: n for c, n in report.plan}
    assert counts["/division_code"] == 2 * newest.records  # unknown old name + missing new one
    assert report.migration is not None and report.migration["path"] == "1.1.0 → 2.0.0"


def test_cli_table_and_json() -> None:
    root = builtin_standards_root()
    assert root is not None
    example = str(root / "cn.legal-entity" / "2.0.0" / "examples" / "valid.jsonl")
    runner = CliRunner()
    text = runner.invoke(
        cli, ["validate", example, "-s", "cn.legal-entity@all", "--as-of", "2026-01-01"]
    )
    assert text.exit_code == 0, text.output
    assert "conforms to the newest version" in text.output
    data = json.loads(
        runner.invoke(
            cli,
            [
                "validate",
                example,
                "-s",
                "cn.legal-entity@all",
                "--as-of",
                "2026-01-01",
                "-f",
                "json",
            ],
        ).output
    )
    assert [v["conforms"] for v in data["versions"]][-1] is True


def test_manifest_refuses_a_migration_with_both_directions(tmp_path: Path) -> None:
    root = builtin_standards_root()
    assert root is not None
    shutil.copytree(root / "cn.legal-entity", tmp_path / "cn.legal-entity")
    manifest = tmp_path / "cn.legal-entity" / "2.0.0" / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('from = "^1.0"', 'from = "^1.0"\nto = "1.0.0"'), "utf-8")
    from govstd.standard import load_standard

    with pytest.raises(ManifestError, match="migrations"):
        load_standard(tmp_path / "cn.legal-entity" / "2.0.0")
