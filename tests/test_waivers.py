"""Waivers and the options file: waived findings stay visible, expired ones fail, unused ones
are reported; default options come from govstd.toml or [tool.govstd]."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from govstd.cli.main import cli
from govstd.config import discover_config, load_config
from govstd.exceptions import SetupError
from govstd.session import Session
from govstd.waivers import RecordSet, apply_waivers, parse_waivers
from report_checks import AS_OF, assert_valid_junit, example, sample_report
from test_validate_cli import report_schema

INVALID = example("cn.natural-person@1.1.0", "invalid.csv")


def waiver(**extra):
    return {
        "code": "field.pattern",
        "owner": "qa@vendor.example",
        "reason": "legacy export",
        "expires": date(2026, 6, 30),
        **extra,
    }


def test_record_sets() -> None:
    records = RecordSet.parse("3-5, 9")
    assert [n for n in range(1, 12) if n in records] == [3, 4, 5, 9]
    assert 7 in RecordSet.parse("*") and None not in RecordSet.parse("1")
    assert 4 in RecordSet.parse([4, 8]) and 8 in RecordSet.parse(8)
    for bad in ("", "5-3", "a", "0", True):
        with pytest.raises(ValueError):
            RecordSet.parse(bad)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"code": "x", "owner": "o", "reason": "r"}, "needs expires"),
        ({**waiver(), "expires": "soon"}, "must be a date"),
        ({**waiver(), "recordz": "1"}, "unknown key"),
        ({**waiver(), "records": "x"}, "not a record number"),
    ],
)
def test_malformed_waivers_are_setup_errors(entry, message) -> None:
    with pytest.raises(SetupError, match=message):
        parse_waivers([entry], origin="govstd.toml")


def test_waived_findings_are_marked_not_hidden() -> None:
    session = Session()
    report = sample_report(session, "cn.natural-person@1.1.0", "invalid.csv")
    before = len(report.all_findings())
    waivers = parse_waivers(
        [
            waiver(field="name"),
            waiver(code="cn.ric.*", records="3-5", id="legacy-ids"),
            waiver(code="codelist.unknown-code", source="*.jsonl"),
            waiver(code="field.range", expires=date(2025, 12, 31)),
        ]
    )
    apply_waivers(report, waivers, today=AS_OF, catalogue=session.catalogue)
    waived = [f for f in report.findings if f.waived]
    assert {(f.code, f.location.field) for f in waived} == {
        ("field.pattern", "name"),
        ("cn.ric.check-digit", "id_number"),
        ("cn.ric.birth-date", "id_number"),
        ("cn.ric.division", "id_number"),
    }
    assert all(f.record in (3, 4, 5) for f in waived if f.code.startswith("cn.ric"))
    assert len(report.all_findings()) == before + 2  # notes: one unused, one expired
    status = {w["id"]: (w["status"], w["matched"]) for w in report.waivers}
    assert status == {
        "W1": ("active", 4),
        "legacy-ids": ("active", 3),
        "W3": ("unused", 0),
        "W4": ("expired", 2),
    }
    notes = {n.code: n for n in report.notes}
    assert notes["waiver.expired"].severity.label == "warning"
    assert (
        "W4" in notes["waiver.expired"].message
        and "2 finding(s)" in notes["waiver.expired"].message
    )
    assert notes["waiver.unused"].severity.label == "info"
    # expired: field.range still fails; the report is still invalid, the JSON says who waived what
    assert report.exit_code("error") == 1
    data = report.to_dict(catalogue=session.catalogue)
    jsonschema.Draft202012Validator(
        report_schema(), format_checker=jsonschema.FormatChecker()
    ).validate(data)
    marked = [f for f in data["findings"] if "waived" in f]
    assert {f["waived"]["id"] for f in marked} == {"W1", "legacy-ids"}
    assert marked[0]["waived"]["owner"] == "qa@vendor.example"


def test_everything_waived_passes_and_expiry_day_counts() -> None:
    session = Session()
    report = sample_report(session, "cn.natural-person@1.1.0", "invalid.csv")
    apply_waivers(
        report,
        parse_waivers([waiver(code="*", expires=AS_OF)]),
        today=AS_OF,
        catalogue=session.catalogue,
    )
    assert not report.valid and report.exit_code("error") == 0
    again = sample_report(session, "cn.natural-person@1.1.0", "invalid.csv")
    apply_waivers(
        again,
        parse_waivers([waiver(code="*", expires=AS_OF)]),
        today=date(2026, 1, 2),
        catalogue=session.catalogue,
    )
    assert again.exit_code("error") == 1 and not any(f.waived for f in again.findings)


def test_options_file_and_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")
    assert discover_config(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text(
        '[tool.govstd]\nstandard = "cn.natural-person@1.1"\nfail-on = "warning"\n'
        'reports = ["junit:out/j.xml"]\n\n[[tool.govstd.waivers]]\ncode = "x"\nowner = "o"\n'
        'reason = "r"\nexpires = 2030-01-01\n',
        "utf-8",
    )
    config = discover_config(tmp_path)
    assert config is not None and config.options["fail-on"] == "warning"
    assert config.default_map()["reports"] == [f"junit:{tmp_path / 'out/j.xml'}"]
    assert config.waivers[0].code == "x"
    (tmp_path / "govstd.toml").write_text('standard = "cn.legal-entity"\n', "utf-8")
    assert discover_config(tmp_path).options == {"standard": "cn.legal-entity"}
    bad = tmp_path / "bad.toml"
    bad.write_text('colour = "red"\n', "utf-8")
    with pytest.raises(SetupError, match="unknown option 'colour'"):
        load_config(bad)


def test_cli_uses_options_file_waivers_and_reports(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "feed.csv").write_text(INVALID.read_text("utf-8"), "utf-8")
    (tmp_path / "govstd.toml").write_text(
        'standard = "cn.natural-person@1.1"\nreports = ["junit:out/junit.xml", "json:out/r.json"]\n'
        '\n[[waivers]]\ncode = "*"\nowner = "qa"\nreason = "accepted for the pilot"\nexpires = 2026-03-31\n',
        "utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "feed.csv", "--as-of", "2026-01-01"])
    assert result.exit_code == 0, result.output  # every finding waived
    assert "finding(s) waived by 1 waiver(s)" in result.stderr
    data = json.loads((tmp_path / "out" / "r.json").read_text("utf-8"))
    assert all("waived" in f for f in data["findings"]) and data["waivers"][0]["status"] == "active"
    junit = assert_valid_junit((tmp_path / "out" / "junit.xml").read_text("utf-8"))
    assert int(junit.get("failures")) == 0 and int(junit.get("skipped")) > 0
    # expired on the day after: the same findings fail again
    expired = runner.invoke(cli, ["validate", "feed.csv", "--as-of", "2026-04-01"])
    assert expired.exit_code == 1 and "waiver.expired" in expired.output
    # the command line wins; --no-config ignores the file; --waivers names another file
    assert (
        runner.invoke(
            cli,
            [
                "validate",
                "feed.csv",
                "--as-of",
                "2026-01-01",
                "--fail-on",
                "never",
                "--no-config",
                "-s",
                "cn.natural-person@1.1",
            ],
        ).exit_code
        == 0
    )
    (tmp_path / "w.toml").write_text(
        '[[waivers]]\ncode = "nothing"\nowner = "o"\nreason = "r"\nexpires = 2030-01-01\n', "utf-8"
    )
    other = runner.invoke(
        cli, ["validate", "feed.csv", "--as-of", "2026-01-01", "--waivers", "w.toml"]
    )
    assert other.exit_code == 1 and "waiver.unused" in other.output
    broken = runner.invoke(cli, ["validate", "feed.csv", "--config", "missing.toml"])
    assert broken.exit_code == 2
