"""The registry: discovery, manifest checks and id@version resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from govstd.exceptions import ManifestError, RetiredStandardError, UnknownStandardError
from govstd.registry import Registry
from standards_factory import write_standard


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for version, status in [
        ("1.0.0", "deprecated"),
        ("1.1.0", "active"),
        ("1.2.0", "draft"),
        ("2.0.0", "active"),
        ("3.0.0", "draft"),
    ]:
        write_standard(tmp_path, "x.demo", version, status)
    write_standard(tmp_path, "x.old", "1.0.0", "retired")
    write_standard(tmp_path, "x.old", "0.9.0", "retired")
    return tmp_path


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("x.demo", "2.0.0"),
        ("x.demo@latest", "2.0.0"),
        ("x.demo@1", "1.1.0"),
        ("x.demo@1.0", "1.0.0"),
        ("x.demo@1.0.0", "1.0.0"),
        ("x.demo@^1.1", "1.1.0"),
        ("x.demo@1.2.0", "1.2.0"),  # a draft, named exactly
        ("x.demo@3.0.0", "3.0.0"),
        ("x.demo@>=1.0,<3", "2.0.0"),
    ],
)
def test_resolution(root: Path, ref: str, expected: str) -> None:
    assert str(Registry([root]).resolve(ref).version) == expected


def test_unknown_standard_and_version(root: Path) -> None:
    registry = Registry([root])
    with pytest.raises(UnknownStandardError, match=r"known standards: x\.demo, x\.old"):
        registry.resolve("nope")
    with pytest.raises(UnknownStandardError, match=r"available: 1.0.0 \(deprecated\)"):
        registry.resolve("x.demo@4")
    with pytest.raises(UnknownStandardError):
        registry.resolve("x.demo@3")  # only a draft: not picked by a range


def test_retired_versions_need_permission(root: Path) -> None:
    registry = Registry([root])
    with pytest.raises(RetiredStandardError, match="allow-retired"):
        registry.resolve("x.old@1.0.0")
    with pytest.raises(RetiredStandardError):
        registry.resolve("x.old")
    assert str(registry.resolve("x.old", allow_retired=True).version) == "1.0.0"
    assert registry.latest("x.old") is None


def test_listing_is_sorted(root: Path) -> None:
    refs = [s.ref for s in Registry([root]).all()]
    assert refs == [
        "x.demo@1.0.0",
        "x.demo@1.1.0",
        "x.demo@1.2.0",
        "x.demo@2.0.0",
        "x.demo@3.0.0",
        "x.old@0.9.0",
        "x.old@1.0.0",
    ]


def test_duplicate_version_across_roots_is_an_error(tmp_path: Path) -> None:
    write_standard(tmp_path / "a", "x.dup", "1.0.0")
    write_standard(tmp_path / "b", "x.dup", "1.0.0")
    with pytest.raises(ManifestError, match="defined twice"):
        Registry([tmp_path / "a", tmp_path / "b"]).all()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.replace('status = "active"', 'status = "live"'), "status"),
        (lambda t: t.replace("released = 2024-01-01", 'released = "soon"'), "released"),
        (lambda t: t.replace('zh = "测试 x.bad"', 'fr = "x"'), "zh"),
        (lambda t: t + "\nunknown_key = 1\n", "unknown_key"),
        (lambda t: t.replace("record.schema.json", "missing.json"), "does not exist"),
        (lambda t: t.replace('version = "1.0.0"', 'version = "1.0"'), "version"),
        (lambda t: t + "\n[[", "not valid TOML"),
    ],
)
def test_invalid_manifests_are_setup_errors(tmp_path: Path, mutate, message: str) -> None:
    folder = write_standard(tmp_path, "x.bad", "1.0.0")
    manifest = folder / "manifest.toml"
    manifest.write_text(mutate(manifest.read_text("utf-8")), "utf-8")
    with pytest.raises(ManifestError, match=message):
        Registry([tmp_path]).all()


def test_manifest_must_live_in_its_id_and_version_folder(tmp_path: Path) -> None:
    folder = write_standard(tmp_path, "x.here", "1.0.0")
    folder.rename(tmp_path / "x.here" / "1.0.1")
    with pytest.raises(ManifestError, match=r"expected x\.here/1\.0\.0"):
        Registry([tmp_path]).all()


def test_missing_root_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="does not exist"):
        Registry([tmp_path / "nowhere"]).all()
