"""The CLI imports only the command it runs."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from govstd.cli.main import _BUILTIN_COMMANDS, cli


def test_running_one_command_imports_no_other_command_module() -> None:
    code = (
        "import sys\n"
        "from govstd.cli.main import cli\n"
        "try:\n    cli(['explain', 'field.type'])\nexcept SystemExit:\n    pass\n"
        "print('LOADED=' + ','.join(sorted(m for m in sys.modules if m.startswith('govstd.cli.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.strip().rsplit("LOADED=", 1)[1].split(",")
    assert "govstd.cli.explain" in loaded
    assert not {"govstd.cli.certify", "govstd.cli.transform", "govstd.cli.validate"} & set(loaded)


def test_every_builtin_command_loads_and_is_listed() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in _BUILTIN_COMMANDS:
        assert name in result.output
        ctx = cli.make_context("govstd", [name, "--help"], resilient_parsing=True)
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
