"""GitHub Actions workflow commands: one annotation per finding, escaped as the runner expects."""

from __future__ import annotations

from govstd.findings import Location
from govstd.reporters.github import GithubReporter, escape_data, escape_property
from govstd.session import Session
from govstd.waivers import apply_waivers, parse_waivers
from report_checks import AS_OF, sample_report


def test_escaping() -> None:
    assert escape_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_annotations() -> None:
    session = Session()
    report = sample_report(session)
    lines = GithubReporter().render(report, catalogue=session.catalogue).splitlines()
    check = next(line for line in lines if "title=cn.ric.check-digit" in line)
    assert check.startswith("::error file=")
    assert ",line=4," in check and "::record 3, field id_number: " in check
    header = next(line for line in lines if "title=header.extra" in line)
    assert ",line=1,col=11," in header
    assert lines[-1].startswith("::notice title=govstd::govstd cn.natural-person@1.1.0: invalid")
    assert sum(1 for line in lines if line.startswith("::error ")) == len(report.findings)


def test_newlines_in_messages_are_escaped_and_waivers_become_notices() -> None:
    session = Session()
    report = sample_report(session, "cn.natural-person@1.1.0", "valid.csv")
    finding = session.catalogue.finding(
        "field.pattern",
        source="a,b:c.csv",
        record=2,
        location=Location(line=3, column=2, field="name"),
        value="x\ny",
        message="bad\nvalue 100%",
    )
    report.findings.append(finding)
    report.counts[finding.code] += 1
    apply_waivers(
        report,
        parse_waivers(
            [{"code": "field.*", "owner": "qa", "reason": "ok", "expires": "2026-02-01"}]
        ),
        today=AS_OF,
        catalogue=session.catalogue,
    )
    line = GithubReporter().render(report, catalogue=session.catalogue).splitlines()[0]
    assert line.startswith("::notice file=a%2Cb%3Ac.csv,line=3,col=2,title=field.pattern::")
    assert "bad%0Avalue 100%25" in line and "waived: ok" in line
    assert "\n" not in line


def test_per_code_cap() -> None:
    session = Session()
    report = sample_report(session)
    lines = GithubReporter(per_code=1).render(report, catalogue=session.catalogue).splitlines()
    assert (
        sum(1 for line in lines if "title=field.pattern::" in line and line.startswith("::error"))
        == 1
    )
    assert any(line.startswith("::notice title=field.pattern::… and") for line in lines)
