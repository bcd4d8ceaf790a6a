"""The report model, its JSON contract and exit codes."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources

import jsonschema
import pytest

from govstd.catalogue import Catalogue
from govstd.findings import Finding, Location, Severity
from govstd.report import Report, SourceStats, Stats


def _schema() -> dict:
    return json.loads(
        (resources.files("govstd") / "schemas" / "report.schema.json").read_text("utf-8")
    )


def _report(catalogue: Catalogue) -> Report:
    findings = [
        catalogue.finding(
            "field.pattern",
            source="a.csv",
            record=2,
            location=Location(line=3, column=2, field="phone"),
            keyword="constraints.pattern",
            value="123",
            expected="^1[3-9]\\d{9}$",
        ),
        catalogue.finding("source.empty", source="b.csv"),
    ]
    report = Report(
        target="x.demo@1.0.0",
        findings=findings,
        sources=[
            SourceStats("a.csv", "csv", "utf-8", Stats(records=3, passed=2, rejected=1, errors=1)),
            SourceStats("b.csv", "csv", None, Stats(warnings=1)),
        ],
        counts=Counter({"field.pattern": 1, "source.empty": 1}),
        govstd_version="0.1.0",
    )
    return report


def test_json_report_matches_its_schema_in_both_languages(catalogue: Catalogue) -> None:
    report = _report(catalogue)
    for lang in ("en", "zh"):
        data = report.to_dict(catalogue=catalogue, lang=lang)
        jsonschema.Draft202012Validator(_schema()).validate(data)
    zh = report.to_dict(catalogue=catalogue, lang="zh")["findings"][0]["message"]
    assert "不符合模式" in zh and "123" in zh


def test_stats_and_verdict(catalogue: Catalogue) -> None:
    report = _report(catalogue)
    stats = report.stats
    assert (stats.records, stats.passed, stats.rejected, stats.errors, stats.warnings) == (
        3,
        2,
        1,
        1,
        1,
    )
    assert stats.balanced
    assert not report.valid
    assert report.exit_code("error") == 1
    assert report.exit_code("never") == 0


@pytest.mark.parametrize(
    ("errors", "warnings", "fail_on", "code"),
    [
        (0, 0, "error", 0),
        (0, 1, "error", 0),
        (0, 1, "warning", 1),
        (1, 0, "warning", 1),
        (0, 0, "info", 0),
        (2, 0, "never", 0),
    ],
)
def test_exit_codes(errors: int, warnings: int, fail_on: str, code: int) -> None:
    report = Report(
        target="t", sources=[SourceStats("s", stats=Stats(errors=errors, warnings=warnings))]
    )
    assert report.exit_code(fail_on) == code


def test_round_trip_through_dict(catalogue: Catalogue) -> None:
    report = _report(catalogue)
    data = report.to_dict(catalogue=catalogue)
    again = Report.from_dict(json.loads(json.dumps(data)))
    assert again.to_dict() == report.to_dict()
    assert again.findings[0].location == Location(line=3, column=2, field="phone")
    assert again.findings[0].severity is Severity.ERROR


def test_non_json_values_are_made_serialisable() -> None:
    finding = Finding("x", Severity.ERROR, "m", value=float("nan"), expected={1: (2, 3)})
    data = Report(target="t").finding_to_dict(finding)
    assert data["value"] == "nan"
    assert data["expected"] == {"1": [2, 3]}
    json.dumps(data, allow_nan=False)


def test_text_report_marks_waived_and_new_findings(catalogue: Catalogue) -> None:
    from govstd.reporters.text import TextReporter

    report = _report(catalogue)
    report.findings[0].baseline = "new"
    report.findings[1].waived = {"id": "W1", "owner": "ops", "expires": "2027-01-01", "reason": "x"}
    text = TextReporter().render(report, catalogue=catalogue, lang="en")
    assert "does not match" in text and "[new]" in text
    assert "[waived by W1 (ops, until 2027-01-01)]" in text
    zh = TextReporter().render(report, catalogue=catalogue, lang="zh")
    assert "[新增]" in zh and "已豁免：W1" in zh
