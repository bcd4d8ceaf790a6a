"""The ``govstd`` command group. Each command: parse → one library call → render."""

from __future__ import annotations

import click

from govstd import __version__
from govstd.cli.options import EXIT_CODES_HELP


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, "--version", "-V", prog_name="govstd")
def cli() -> None:
    """govstd: make government data standards executable.

    \b
    Validate a vendor export against a versioned standard:
      govstd validate export.csv --standard cn.natural-person@1
    Validate against a schema someone handed you:
      govstd validate data.csv --schema tableschema.json
    """


def _register_commands(group: click.Group) -> None:
    from govstd.cli.codelists import codelists
    from govstd.cli.diff import diff
    from govstd.cli.explain import explain
    from govstd.cli.generate import generate
    from govstd.cli.migrate import migrate
    from govstd.cli.plugins import plugins
    from govstd.cli.standards import standards
    from govstd.cli.transform import transform
    from govstd.cli.validate import validate

    for command in (validate, transform, standards, codelists, explain, plugins, generate):
        group.add_command(command)
    for command in (diff, migrate):
        group.add_command(command)


_register_commands(cli)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="govstd")


if __name__ == "__main__":  # pragma: no cover
    main()
