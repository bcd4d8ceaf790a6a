"""Reports are written without holding every finding at once: the JSON reporter streams, the
text reporter keeps only the first findings of each code (no timing or memory assertions)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from govstd.cli.main import cli
from govstd.findings import Finding, Location, Severity
from govstd.report import Report
from govstd.reporters.json import JsonReporter
from govstd.session import Session
from report_checks import example


class _Counted(list):  # type: ignore[type-arg]
    """A list of findings that counts how many were read through ``readonly()``."""

    read = 0

    def readonly(self) -> Iterator[Finding]:
        for finding in list.__iter__(self):
            self.read += 1
            yield finding


class _Recorder(io.StringIO):
    def __init__(self, findings: _Counted) -> None:
        super().__init__()
        self.findings = findings
        self.seen: list[int] = []  # findings read when each piece was written

    def write(self, text: str) -> int:
        self.seen.append(self.findings.read)
        return super().write(text)


def finding(i: int, code: str = "field.pattern") -> Finding:
    return Finding(
        code,
        Severity.ERROR,
        f"bad {i}",
        source="a.csv",
        record=i,
        location=Location(line=i + 1, field="phone"),
        value=str(i),
    )


def test_json_report_is_written_while_findings_are_read() -> None:
    found = _Counted(finding(i) for i in range(1, 3001))
    report = Report(target="t", findings=found)
    report.counts["field.pattern"] = len(found)
    stream = _Recorder(found)
    JsonReporter().write(report, stream, catalogue=Session().catalogue)
    assert found.read == 3000
    partial = [n for n in stream.seen if 0 < n < 3000]
    assert len(partial) >= 4 and partial[0] <= 600  # text went out long before the end
    assert stream.getvalue() == json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


@settings(max_examples=60, deadline=None)
@given(
    codes=st.lists(st.sampled_from(["a.x", "b.y", "c.z", "d.w"]), max_size=40),
    examples=st.integers(1, 5),
)
def test_code_heads_are_the_heads_of_by_code(codes: list[str], examples: int) -> None:
    report = Report(target="t", findings=[finding(i, c) for i, c in enumerate(codes, 1)])
    heads = report.code_heads(examples)
    groups = report.by_code()
    assert list(heads) == list(groups)
    assert {c: (g[:examples], len(g)) for c, g in groups.items()} == heads


def test_cli_json_report_same_on_stdout_and_in_a_file(tmp_path: Path) -> None:
    data = example("cn.natural-person@1.1.0", "invalid.csv")
    args = ["validate", str(data), "--standard", "cn.natural-person@1.1.0", "-f", "json"]
    args += ["--as-of", "2026-01-01"]
    to_stdout = CliRunner().invoke(cli, args)
    out = tmp_path / "report.json"
    extra = tmp_path / "more" / "extra.json"
    to_file = CliRunner().invoke(cli, [*args, "-o", str(out), "--report", f"json:{extra}"])
    assert to_stdout.exit_code == to_file.exit_code == 1, to_stdout.output
    assert out.read_text(encoding="utf-8") == to_stdout.stdout == extra.read_text("utf-8")
    report = json.loads(to_stdout.stdout)
    assert report["findings"] and report["stats"]["rejected"] > 0
