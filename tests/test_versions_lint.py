"""govstd standards lint: shipped versions keep their versioning promise; broken ones fail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from govstd.cli.main import cli
from govstd.registry import builtin_standards_root
from govstd.session import Session

ROOT = builtin_standards_root()
assert ROOT is not None


def _copy(tmp_path: Path, ident: str) -> tuple[Path, str]:
    """A copy of a built-in standard under another id (``test.<id>``), in a fresh root."""
    root = tmp_path / "standards"
    copy = f"test.{ident}"
    shutil.copytree(ROOT / ident, root / copy)
    for manifest in (root / copy).glob("*/manifest.toml"):
        text = manifest.read_text(encoding="utf-8")
        manifest.write_text(text.replace(f'id = "{ident}"', f'id = "{copy}"'), encoding="utf-8")
    return root, copy


def _lint(root: Path, ident: str):
    return Session(standards_dirs=[root], autoload=False, environ={}).lint_standards([ident])


def test_shipped_standards_keep_their_promises() -> None:
    result = Session(autoload=False).lint_standards()
    assert result.ok, [f.message for f in result.findings]
    pairs = {(p.old, p.new): p for p in result.pairs}
    minor = pairs[("cn.natural-person@1.0.0", "cn.natural-person@1.1.0")]
    assert (minor.bump, minor.verdict.value) == ("minor", "backward")
    assert pairs[("cn.legal-entity@1.0.0", "cn.legal-entity@2.0.0")].bump == "major"


def test_a_breaking_minor_release_fails(tmp_path: Path) -> None:
    root, ident = _copy(tmp_path, "cn.natural-person")
    shutil.rmtree(root / ident / "2.0.0")
    schema_path = root / ident / "1.1.0" / "record.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["required"].append("email")  # 1.0.0 exports have no email: they would fail
    schema_path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    result = _lint(root, ident)
    assert not result.ok
    (finding,) = result.findings
    assert finding.code == "versions.promise-broken"
    assert finding.source == f"{ident}@1.1.0" and "/email" in finding.message
    out = CliRunner().invoke(cli, ["standards", "lint", ident, "--standards-dir", str(root)])
    assert out.exit_code == 1, out.output
    assert "promise-broken" in out.output and "lint failed" in out.output
    untouched, other = _copy(tmp_path / "clean", "cn.natural-person")
    assert _lint(untouched, other).ok


def test_broken_migrations_and_supersedes(tmp_path: Path) -> None:
    root, ident = _copy(tmp_path, "cn.legal-entity")
    manifest = root / ident / "2.0.0" / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace('from = "registered_capital"', 'from = "registerd_capital"')
    text = text.replace('supersedes = "1.0.0"', 'supersedes = "0.9.0"')
    manifest.write_text(text, encoding="utf-8")
    result = _lint(root, ident)
    codes = sorted(f.code for f in result.findings)
    assert codes == ["versions.migration-invalid", "versions.supersedes-unknown"]
    assert "registerd_capital" in next(
        f.message for f in result.findings if f.code == "versions.migration-invalid"
    )
