"""`govstd certify --all-versions`: a conformance matrix over every active version."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from govstd.cli.main import cli
from govstd.session import Session
from test_certify import write_sample


def test_matrix_certifies_each_active_version_in_range(tmp_path: Path) -> None:
    session = Session(autoload=True)
    sample = write_sample(session, tmp_path / "export.csv", 12, seed=11)
    out = tmp_path / "matrix"
    result = CliRunner().invoke(
        cli,
        [
            "certify",
            "--adapter",
            "acme-hr",
            "--samples",
            str(sample),
            "--all-versions",
            "--examples",
            "5",
            "--as-of",
            "2026-01-01",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["version", "level", "mandatory", "recommended", "verdict"]
    rows = {line.split()[0]: line for line in lines[1:]}
    # 1.0.0 is deprecated (not active); 1.1.0 is in acme-hr's range; 2.0.0 is not
    assert set(rows) == {"cn.natural-person@1.1.0", "cn.natural-person@2.0.0"}
    assert "conforms" in rows["cn.natural-person@1.1.0"]
    assert "n/a: outside the adapter's range" in rows["cn.natural-person@2.0.0"]
    certificate = json.loads((out / "1.1.0" / "certificate.json").read_text("utf-8"))
    assert certificate["standard"]["ref"] == "cn.natural-person@1.1.0"
    assert (out / "1.1.0" / "certificate.html").is_file()
    assert not (out / "2.0.0").exists()
    clash = CliRunner().invoke(
        cli, ["certify", "-a", "acme-hr", "--samples", str(sample), "--all-versions", "-s", "x"]
    )
    assert clash.exit_code == 2
