"""The public surface: pinned names, cheap import, version."""

from __future__ import annotations

import subprocess
import sys

import govstd

HEAVY = (
    "jsonschema",
    "referencing",
    "lxml",
    "frictionless",
    "polars",
    "pyarrow",
    "click",
    "pluggy",
    "charset_normalizer",
    "stdnum",
    "pycountry",
)


def test_public_names_are_pinned() -> None:
    assert sorted(govstd.__all__) == sorted(
        [
            "Finding",
            "GovstdError",
            "Location",
            "Report",
            "Session",
            "Severity",
            "__version__",
            "hookimpl",
            "validate",
        ]
    )
    for name in govstd.__all__:
        assert getattr(govstd, name) is not None


def test_import_govstd_loads_no_heavy_engine() -> None:
    code = f"import sys, govstd; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_version_command_loads_no_engine() -> None:
    code = (
        "import sys\n"
        "from govstd.cli.main import cli\n"
        "try:\n    cli(['--version'])\nexcept SystemExit:\n    pass\n"
        f"print('LOADED=' + ','.join(m for m in {HEAVY[:6]!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert f"govstd, version {govstd.__version__}" in out.stdout
    assert out.stdout.strip().endswith("LOADED=")


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "govstd", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert govstd.__version__ in out.stdout
