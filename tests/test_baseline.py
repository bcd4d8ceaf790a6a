"""Baselines: new / still open / fixed by fingerprint, and --fail-on new."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govstd.baseline import compare, fingerprint, load_baseline
from govstd.cli.main import cli
from govstd.exceptions import SetupError
from govstd.generate import generate_feed
from govstd.report import Report
from govstd.session import Session
from report_checks import AS_OF, example

REF = "cn.natural-person@1.1"


def lines(name: str) -> list[str]:
    return example("cn.natural-person@1.1.0", name).read_text("utf-8").splitlines(keepends=True)


@pytest.fixture
def feeds(tmp_path: Path) -> tuple[Path, Path]:
    valid = generate_feed(Session(), REF, count=4, seed=1, as_of=AS_OF).to_csv().splitlines(True)
    bad = [line.rsplit(",", 1)[0] + "\n" for line in lines("invalid.csv")]  # drop 备注
    before = tmp_path / "before.csv"
    # records 4, 5, 6: wrong check digit, impossible birth date, unknown birthplace
    before.write_text("".join(valid[:4] + bad[3:6]), "utf-8")
    after = tmp_path / "after.csv"
    # record 4 fixed, a new bad record 7 (17-character number): the others keep their ordinals
    after.write_text("".join(valid[:5] + bad[4:7]), "utf-8")
    return before, after


def test_fingerprint_ignores_message_language_and_line(feeds) -> None:
    session = Session()
    before, _ = feeds
    report = session.validate([before], standard=REF, as_of=AS_OF)
    data = report.to_dict(catalogue=session.catalogue, lang="zh")
    for item in data["findings"]:
        item["location"].pop("line", None)
    again = Report.from_dict(json.loads(json.dumps(data)))
    assert [fingerprint(f) for f in again.findings] == [fingerprint(f) for f in report.findings]


def test_new_open_fixed(feeds, tmp_path: Path) -> None:
    session = Session()
    before, after = feeds
    old = session.validate([before], standard=REF, as_of=AS_OF)
    new = session.validate([after], standard=REF, as_of=AS_OF)
    # the sources differ in name: compare as if the same file was checked twice
    for f in old.findings:
        f.source = str(after)
    compare(new, old, origin="before.json")
    marks = {(f.record, f.code): f.baseline for f in new.findings}
    assert marks == {
        (5, "cn.ric.birth-date"): "open",
        (6, "cn.ric.division"): "open",
        (7, "field.pattern"): "new",
    }
    assert new.baseline["new"] == 1 and new.baseline["open"] == 2 and new.baseline["fixed"] == 1
    assert new.baseline["fixed_findings"][0]["code"] == "cn.ric.check-digit"
    assert new.exit_code("new") == 1 and new.exit_code("error") == 1
    new.findings = [f for f in new.findings if f.baseline == "open"]
    new.sources[0].stats.errors = 2
    assert new.exit_code("new") == 0


def test_records_inserted_above_keep_findings_open(feeds, tmp_path: Path) -> None:
    session = Session()
    before, _ = feeds
    rows = before.read_text("utf-8").splitlines(keepends=True)
    valid = generate_feed(Session(), REF, count=6, seed=2, as_of=AS_OF).to_csv()
    extra = valid.splitlines(keepends=True)[1:3]  # two more valid records, no header
    moved = tmp_path / "moved.csv"
    # two valid records inserted after the header: every finding moves two records down
    moved.write_text("".join([rows[0], *extra, *rows[1:]]), "utf-8")
    old = session.validate([before], standard=REF, as_of=AS_OF)
    new = session.validate([moved], standard=REF, as_of=AS_OF)
    for f in old.findings:
        f.source = str(moved)
    assert {f.record for f in new.findings} == {f.record + 2 for f in old.findings}
    compare(new, old)
    assert {f.baseline for f in new.findings} == {"open"}
    assert new.baseline["new"] == 0 and new.baseline["fixed"] == 0
    assert new.baseline["open"] == len(old.findings)
    # the exact fingerprint still tells the ordinals apart; the loose one does not
    pairs = zip(old.findings, new.findings, strict=True)
    for was, now in pairs:
        assert fingerprint(was) != fingerprint(now)
        assert fingerprint(was, record=False) == fingerprint(now, record=False)


def test_moved_matching_is_one_to_one(feeds, tmp_path: Path) -> None:
    session = Session()
    before, _ = feeds
    old = session.validate([before], standard=REF, as_of=AS_OF)
    new = session.validate([before], standard=REF, as_of=AS_OF)
    twin = new.findings[0]
    for f in old.findings:
        f.record = (f.record or 0) + 100  # every old finding elsewhere
    new.findings.append(dataclasses.replace(twin, record=(twin.record or 0) + 50))
    compare(new, old)
    marks = [f.baseline for f in new.findings]
    assert marks.count("open") == len(old.findings)
    assert marks.count("new") == 1 and new.baseline["new"] == 1


def test_cli_fail_on_new(feeds, tmp_path: Path, monkeypatch) -> None:
    before, after = feeds
    monkeypatch.chdir(tmp_path)
    same = tmp_path / "feed.csv"
    same.write_text(before.read_text("utf-8"), "utf-8")
    base = tmp_path / "base.json"
    runner = CliRunner()
    args = ["validate", "--no-config", "feed.csv", "-s", REF, "--as-of", "2026-01-01"]
    first = runner.invoke(cli, [*args, "--report", f"json:{base}"])
    assert first.exit_code == 1
    unchanged = runner.invoke(
        cli, [*args, "--baseline", str(base), "--fail-on", "new", "-f", "json"]
    )
    assert unchanged.exit_code == 0, unchanged.output
    data = json.loads(unchanged.stdout)
    assert {f["baseline"] for f in data["findings"]} == {"open"}
    assert data["baseline"]["new"] == 0 and data["baseline"]["fixed"] == 0
    same.write_text(after.read_text("utf-8"), "utf-8")
    regressed = runner.invoke(cli, [*args, "--baseline", str(base), "--fail-on", "new"])
    assert regressed.exit_code == 1
    assert "baseline: 1 new, 2 still open, 1 fixed" in regressed.stderr


def test_bad_baseline_is_a_setup_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("[]", "utf-8")
    with pytest.raises(SetupError):
        load_baseline(path)
    result = CliRunner().invoke(
        cli,
        [
            "validate",
            "--no-config",
            str(example("cn.natural-person@1.1.0", "valid.csv")),
            "-s",
            REF,
            "--baseline",
            str(path),
        ],
    )
    assert result.exit_code == 3
