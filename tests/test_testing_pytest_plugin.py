"""The pytest plugin: the `govstd` fixture and assert_conforms, run inside a pytester session."""

from __future__ import annotations

import sys

import pytest

from report_checks import example

pytest_plugins = ["pytester"]


def test_plugin_is_import_light() -> None:
    import subprocess

    code = "import govstd.testing.pytest_plugin, sys; print(sorted(m for m in sys.modules if m.startswith('govstd')))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['govstd', 'govstd.testing', 'govstd.testing.pytest_plugin']"


def test_assert_conforms(pytester: pytest.Pytester) -> None:
    valid = example("cn.natural-person@1.1.0", "valid.csv")
    invalid = example("cn.natural-person@1.1.0", "invalid.jsonl")
    pytester.makepyfile(
        f"""
        from datetime import date

        def test_good(govstd):
            report = govstd.assert_conforms({str(valid)!r}, standard="cn.natural-person@1.1", as_of=date(2026, 1, 1))
            assert report.stats.passed == report.stats.records

        def test_bad(govstd):
            govstd.assert_conforms({str(invalid)!r}, standard="cn.natural-person@1.1", as_of=date(2026, 1, 1))
        """
    )
    result = pytester.runpytest("--govstd-lang", "zh")  # loaded through the pytest11 entry point
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*ERROR cn.ric.check-digit*", "*不通过*"])
    assert "Traceback" not in result.stdout.str()
