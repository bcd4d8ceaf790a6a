"""The README's quickstart: two command lines, the first showing real findings, the second
the test command that .ci/run runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from govstd.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]


def quickstart_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Quickstart", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "no ```sh block under ## Quickstart"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quickstart_has_exactly_two_commands() -> None:
    lines = quickstart_lines()
    assert len(lines) == 2, lines
    assert "pip install" in lines[0] and "govstd validate" in lines[0]
    assert "pytest" in lines[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert quickstart_lines()[1] in ci


def test_main_job_shows_real_findings(monkeypatch) -> None:
    command = quickstart_lines()[0].split("&&")[-1].strip()
    args = shlex.split(command)
    assert args[0].endswith("govstd"), args
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, args[1:])
    assert result.exit_code == 0, result.output
    assert "INVALID" in result.output
    for code in ("cn.ric.check-digit", "codelist.unknown-code", "field.pattern"):
        assert code in result.output
