"""`govstd generate`: the ground truth of a generated feed is exactly what validation finds."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from govstd.cli.main import cli
from govstd.generate import generate_feed, sample_pattern
from govstd.session import Session

AS_OF = date(2026, 1, 1)
REFS = [
    "cn.natural-person@1.0.0",
    "cn.natural-person@1.1.0",
    "cn.natural-person@2.0.0",
    "cn.legal-entity@1.0.0",
    "cn.legal-entity@2.0.0",
]


def found(report) -> Counter:
    return Counter(
        (f.record, f.location.field or (f.location.pointer or "")[1:], f.code, f.severity.label)
        for f in report.findings
    )


def expected(truth: list[dict]) -> Counter:
    return Counter((d["record"], d["field"], d["code"], d["severity"]) for d in truth)


@pytest.fixture(scope="module")
def session() -> Session:
    return Session()


@pytest.mark.parametrize("ref", REFS)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_ground_truth_matches_validation(
    session: Session, tmp_path: Path, ref: str, fmt: str
) -> None:
    feed = generate_feed(session, ref, count=400, invalid_rate=0.3, seed=11, as_of=AS_OF)
    assert 80 < len(feed.defects) < 160
    assert {d.kind for d in feed.defects} >= {"missing", "check-digit", "codelist"}
    path = tmp_path / f"feed.{fmt}"
    path.write_text(feed.to_csv() if fmt == "csv" else feed.to_jsonl(), "utf-8")
    report = session.validate([path], standard=ref, as_of=AS_OF)
    assert found(report) == expected(feed.truth())
    assert report.stats.rejected == len({d.record for d in feed.defects})


@pytest.mark.parametrize("ref", REFS)
def test_valid_feeds_are_valid(session: Session, tmp_path: Path, ref: str) -> None:
    feed = generate_feed(session, ref, count=300, seed=3, as_of=AS_OF)
    path = tmp_path / "ok.jsonl"
    path.write_text(feed.to_jsonl(), "utf-8")
    report = session.validate([path], standard=ref, as_of=AS_OF)
    assert report.findings == [] and report.stats.passed == 300


def test_seed_reproduces(session: Session) -> None:
    one = generate_feed(
        session, "cn.legal-entity@2", count=50, invalid_rate=0.2, seed=5, as_of=AS_OF
    )
    two = generate_feed(
        session, "cn.legal-entity@2", count=50, invalid_rate=0.2, seed=5, as_of=AS_OF
    )
    assert one.to_csv() == two.to_csv() and one.truth() == two.truth()


def test_sample_pattern() -> None:
    import random
    import re

    rnd = random.Random(1)
    for pattern in (
        r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8})$",
        r"^[A-T][0-9]{2,4}$",
        r"^\+[1-9][0-9]{6,14}$",
        r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$",
    ):
        for _ in range(50):
            assert re.fullmatch(pattern, sample_pattern(pattern, rnd))


def test_cli(tmp_path: Path) -> None:
    out = tmp_path / "people.csv"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "generate",
            "cn.natural-person@1.1",
            "--count",
            "200",
            "--invalid-rate",
            "0.25",
            "--seed",
            "9",
            "--as-of",
            "2026-01-01",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "people.csv.expected.json").read_text("utf-8"))
    assert truth and set(truth[0]) == {"record", "field", "code", "severity", "why"}
    check = runner.invoke(
        cli,
        [
            "validate",
            "--no-config",
            str(out),
            "-s",
            "cn.natural-person@1.1",
            "--as-of",
            "2026-01-01",
            "-f",
            "json",
        ],
    )
    assert check.exit_code == 1
    findings = json.loads(check.stdout)["findings"]
    assert Counter(
        (f["record"], f["location"]["field"], f["code"], f["severity"]) for f in findings
    ) == expected(truth)
    jsonl = runner.invoke(
        cli, ["generate", "cn.legal-entity@1", "-n", "3", "--seed", "1", "--format", "jsonl"]
    )
    assert jsonl.exit_code == 0 and len(jsonl.stdout.splitlines()) == 3
    assert all(isinstance(json.loads(line), dict) for line in jsonl.stdout.splitlines())
    assert runner.invoke(cli, ["generate", "no.such-standard", "-n", "1"]).exit_code == 3
