"""SARIF 2.1.0: every document the suite produces validates against the official schema."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from govstd.catalogue import catalogue_markdown
from govstd.cli.main import cli
from govstd.reporters.sarif import SarifReporter, artifact_uri, finding_anchor
from govstd.session import Session
from govstd.waivers import apply_waivers, parse_waivers
from report_checks import AS_OF, assert_valid_sarif, example, sample_report

REFS = [
    "cn.natural-person@1.0.0",
    "cn.natural-person@1.1.0",
    "cn.natural-person@2.0.0",
    "cn.legal-entity@1.0.0",
    "cn.legal-entity@2.0.0",
]


@pytest.fixture(scope="module")
def session() -> Session:
    return Session()


@pytest.mark.parametrize("ref", REFS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_examples_of_every_standard_validate(
    corpus: Path, session: Session, ref: str, lang: str
) -> None:
    report = sample_report(session, ref, "invalid.csv", "invalid.jsonl", "valid.csv")
    text = session.reporters["sarif"].render(report, catalogue=session.catalogue, lang=lang)
    document = assert_valid_sarif(corpus, text)
    run = document["runs"][0]
    assert len(run["results"]) == len(report.all_findings())
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert set(rule_ids) == set(report.counts)
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]


def test_rules_results_and_locations(corpus: Path, session: Session) -> None:
    report = sample_report(session)
    document = assert_valid_sarif(
        corpus, SarifReporter().render(report, catalogue=session.catalogue)
    )
    run = document["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    rule = rules["cn.ric.check-digit"]
    assert rule["shortDescription"]["text"] == session.catalogue["cn.ric.check-digit"].text(
        "title", "en"
    )
    assert rule["help"]["text"]
    assert rule["helpUri"].endswith("/docs/findings.md#cnriccheck-digit")
    assert rule["defaultConfiguration"]["level"] == "error"
    # the anchors are the ones the generated findings page links to
    page = catalogue_markdown(session.catalogue)
    for code in rules:
        assert f"(#{finding_anchor(code)})" in page
    check = next(r for r in run["results"] if r["ruleId"] == "cn.ric.check-digit")
    location = check["locations"][0]
    assert location["physicalLocation"]["region"] == {"startLine": 4}
    assert location["physicalLocation"]["artifactLocation"]["uri"].endswith("examples/invalid.csv")
    logical = {entry["kind"]: entry for entry in location["logicalLocations"]}
    assert logical["object"]["name"] == "record[3]"
    assert logical["member"]["name"] == "id_number"
    assert check["partialFingerprints"]["govstdFinding/v1"]
    # a file-level finding has a file but no region or record
    header = next(r for r in run["results"] if r["ruleId"] == "header.extra")
    assert header["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert run["properties"]["stats"]["records"] == report.stats.records


def test_relative_and_unicode_paths_and_columns(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("数据").mkdir()
    (Path("数据") / "人员 导出.jsonl").write_text(
        example("cn.natural-person@1.1.0", "invalid.jsonl").read_text("utf-8"), "utf-8"
    )
    session = Session()
    report = session.validate(
        ["数据/人员 导出.jsonl"], standard="cn.natural-person@1.1", as_of=AS_OF
    )
    document = assert_valid_sarif(
        corpus, SarifReporter().render(report, catalogue=session.catalogue)
    )
    artifact = document["runs"][0]["artifacts"][0]["location"]
    assert artifact == {
        "uri": "%E6%95%B0%E6%8D%AE/%E4%BA%BA%E5%91%98%20%E5%AF%BC%E5%87%BA.jsonl",
        "uriBaseId": "SRCROOT",
    }
    assert artifact_uri("/abs/path.csv") == ("file:///abs/path.csv", False)
    assert artifact_uri("C:\\data\\x.csv")[0].startswith("file:///C:/")


def test_stdin_waivers_baseline_and_notes(corpus: Path, session: Session) -> None:
    data = example("cn.natural-person@1.0.0", "invalid.jsonl").read_bytes()
    report = session.validate(
        ["-"],
        standard="cn.natural-person@1.0",
        input_format="jsonl",
        stdin=io.BytesIO(data),
        as_of=AS_OF,
    )
    waivers = parse_waivers(
        [
            {"code": "codelist.*", "owner": "qa", "reason": "legacy", "expires": "2026-12-31"},
            {"code": "nothing.here", "owner": "qa", "reason": "stale", "expires": "2020-01-01"},
        ]
    )
    apply_waivers(report, waivers, today=AS_OF, catalogue=session.catalogue)
    for finding in report.findings[:3]:
        finding.baseline = "open"
    document = assert_valid_sarif(
        corpus, SarifReporter().render(report, catalogue=session.catalogue, lang="zh")
    )
    results = document["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert suppressed and all(r["ruleId"] == "codelist.unknown-code" for r in suppressed)
    assert suppressed[0]["suppressions"][0]["status"] == "accepted"
    assert {r.get("baselineState") for r in results} >= {"unchanged"}
    notes = [r for r in results if r["ruleId"] == "waiver.expired"]
    assert notes and "locations" not in notes[0]


def test_empty_report_and_cli_report_option(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.sarif"
    result = CliRunner().invoke(
        cli,
        [
            "validate",
            "--no-config",
            str(example("cn.legal-entity@2.0.0", "valid.csv")),
            "-s",
            "cn.legal-entity@2",
            "--as-of",
            "2026-01-01",
            "--report",
            f"sarif:{out}",
        ],
    )
    assert result.exit_code == 0, result.output
    document = assert_valid_sarif(corpus, out.read_text("utf-8"))
    assert document["runs"][0]["results"] == []
    assert document["runs"][0]["invocations"][0]["exitCode"] == 0
    assert re.match(r"\d+\.\d+", document["runs"][0]["tool"]["driver"]["version"])
    json.dumps(document)
