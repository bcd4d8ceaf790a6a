"""Writing a report file: whole or not at all, with ordinary permissions, devices in place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from govstd.catalogue import Catalogue, builtin_finding_types
from govstd.cli.reporting import write_report
from govstd.report import Report


class _Failing:
    """A streaming reporter that writes part of the report, then fails."""

    def write(self, report: Any, stream: Any, **_: Any) -> None:
        stream.write('{"partial": ')
        raise RuntimeError("disk vanished")


class _Plain:
    def render(self, report: Any, **_: Any) -> str:
        return "whole report\n"


def _report() -> Report:
    return Report(target="t", govstd_version="0")


def test_a_failing_reporter_leaves_the_earlier_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("earlier", encoding="utf-8")
    catalogue = Catalogue(builtin_finding_types())
    with pytest.raises(RuntimeError):
        write_report(_Failing(), _report(), target, catalogue=catalogue, lang="en")
    assert target.read_text(encoding="utf-8") == "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_written_report_has_umask_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.txt"
    catalogue = Catalogue(builtin_finding_types())
    write_report(_Plain(), _report(), target, catalogue=catalogue, lang="en")
    assert target.read_text(encoding="utf-8") == "whole report\n"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_device_is_written_in_place(tmp_path: Path) -> None:
    catalogue = Catalogue(builtin_finding_types())
    write_report(_Plain(), _report(), Path(os.devnull), catalogue=catalogue, lang="en")
    assert Path(os.devnull).exists()  # still the device, not replaced by a file
    assert not Path(os.devnull).is_file()
