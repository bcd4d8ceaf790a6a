"""JUnit XML: valid against tests/data/junit.xsd; one test case per source × finding code."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from govstd.cli.main import cli
from govstd.findings import Location, Severity
from govstd.reporters.junit import JUnitReporter
from govstd.session import Session
from govstd.waivers import apply_waivers, parse_waivers
from report_checks import AS_OF, assert_valid_junit, example, sample_report


@pytest.fixture(scope="module")
def session() -> Session:
    return Session()


def test_failures_count_source_code_pairs(session: Session) -> None:
    report = sample_report(
        session, "cn.natural-person@1.1.0", "invalid.csv", "invalid.jsonl", "valid.csv"
    )
    document = assert_valid_junit(JUnitReporter().render(report, catalogue=session.catalogue))
    pairs = {(s.source, code) for s in report.sources for code in s.counts}
    errors = {(f.source, f.code) for f in report.findings if f.severity is Severity.ERROR}
    assert int(document.get("failures")) == len(errors)
    assert int(document.get("tests")) == len(pairs) + 1  # + valid.csv's "conforms" case
    suites = {s.get("name"): s for s in document.iter("testsuite")}
    csv_suite = suites[str(example("cn.natural-person@1.1.0", "invalid.csv"))]
    case = next(
        c for c in csv_suite.findall("testcase") if c.get("name").startswith("field.pattern:")
    )
    failure = case.find("failure")
    total = report.sources[0].counts["field.pattern"]
    assert failure.get("type") == "field.pattern"
    assert failure.get("message").startswith(f"{total} finding(s)")
    assert failure.text.count("\n") >= 2  # the places, one per line, then the hint
    clean = suites[str(example("cn.natural-person@1.1.0", "valid.csv"))]
    assert [c.get("name") for c in clean.findall("testcase")] == [
        "conforms to cn.natural-person@1.1.0"
    ]
    props = {p.get("name"): p.get("value") for p in csv_suite.iter("property")}
    assert props["records"] == str(report.sources[0].stats.records)


def test_warnings_pass_waived_skip_notes_get_a_suite(session: Session) -> None:
    report = sample_report(session, "cn.legal-entity@1.0.0", "invalid.csv")
    warnings = {f.code for f in report.findings if f.severity is Severity.WARNING}
    assert warnings, "the legal-entity example has warnings (uscc division)"
    waivers = parse_waivers(
        [{"code": "field.pattern", "owner": "qa", "reason": "known", "expires": "2026-06-30"}]
    )
    apply_waivers(report, waivers, today=AS_OF, catalogue=session.catalogue)
    document = assert_valid_junit(
        JUnitReporter().render(report, catalogue=session.catalogue, lang="zh")
    )
    cases = {c.get("name").split(":")[0]: c for c in document.iter("testcase")}
    assert cases["field.pattern"].find("skipped") is not None
    assert "known" in cases["field.pattern"].find("skipped").get("message")
    for code in warnings:
        assert cases[code].find("failure") is None
        assert cases[code].find("system-out") is not None
    # the stricter threshold turns warnings into failures
    strict = assert_valid_junit(
        JUnitReporter(fail_on="warning").render(report, catalogue=session.catalogue)
    )
    assert int(strict.get("failures")) == int(document.get("failures")) + len(warnings)


def test_deprecated_standard_note_has_its_own_suite(session: Session) -> None:
    report = sample_report(session, "cn.natural-person@1.0.0", "valid.csv")
    document = assert_valid_junit(JUnitReporter().render(report, catalogue=session.catalogue))
    names = [s.get("name") for s in document.iter("testsuite")]
    assert "cn.natural-person@1.0.0" in names
    assert int(document.get("failures")) == 0


def test_truncated_reports_still_count_and_fail(session: Session) -> None:
    path = example("cn.natural-person@1.1.0", "invalid.csv")
    report = session.validate([path], standard="cn.natural-person@1.1", as_of=AS_OF, max_findings=3)
    document = assert_valid_junit(JUnitReporter().render(report, catalogue=session.catalogue))
    assert int(document.get("failures")) == len(report.sources[0].counts)


def test_control_characters_become_visible_escapes(session: Session) -> None:
    report = sample_report(session, "cn.natural-person@1.1.0", "valid.csv")
    finding = session.catalogue.finding(
        "field.pattern",
        source="x\x01.csv",
        record=1,
        location=Location(line=2, field="name"),
        value="a\x00b",
    )
    report.findings.append(finding)
    report.counts[finding.code] += 1
    text = JUnitReporter().render(report, catalogue=session.catalogue)
    assert "\\x01" in text and "\x01" not in text
    assert_valid_junit(text)


def test_cli_writes_junit_alongside_text(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "junit.xml"
    result = CliRunner().invoke(
        cli,
        [
            "validate",
            "--no-config",
            str(example("cn.natural-person@2.0.0", "invalid.jsonl")),
            "-s",
            "cn.natural-person@2",
            "--as-of",
            "2026-01-01",
            "--report",
            f"junit:{out}",
        ],
    )
    assert result.exit_code == 1
    assert "INVALID" in result.output  # the terminal report is still there
    document = assert_valid_junit(out.read_text("utf-8"))
    failed = Counter(
        c.find("failure").get("type")
        for c in document.iter("testcase")
        if c.find("failure") is not None
    )
    assert all(n == 1 for n in failed.values())
