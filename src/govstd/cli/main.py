"""The ``govstd`` command group. Each command: parse → one library call → render."""

from __future__ import annotations

import click

from govstd import __version__
from govstd.cli.options import EXIT_CODES_HELP


class GovstdGroup(click.Group):
    """The command group; commands that plugins add (``govstd_cli_commands``) load lazily.

    Built-in commands never touch the plugin manager, so ``govstd --version`` and
    ``govstd validate`` stay fast; plugin commands are looked up only for a name that is not
    built in, and for ``--help``.
    """

    def _plugin_group(self, ctx: click.Context) -> click.Group:
        extra = ctx.meta.get("govstd.plugin_commands")
        if extra is None:
            from govstd.cli.options import load_plugin_commands

            extra = load_plugin_commands()
            ctx.meta["govstd.plugin_commands"] = extra
        return extra

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(self._plugin_group(ctx).list_commands(ctx))
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        return self._plugin_group(ctx).get_command(ctx, cmd_name)


@click.group(
    cls=GovstdGroup,
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
    from govstd.cli.certify import certify, certify_keygen, verify_certificate
    from govstd.cli.codelists import codelists
    from govstd.cli.diff import diff
    from govstd.cli.explain import explain
    from govstd.cli.generate import generate
    from govstd.cli.migrate import migrate
    from govstd.cli.plugins import plugins
    from govstd.cli.standards import standards
    from govstd.cli.transform import transform
    from govstd.cli.validate import validate

    for command in (
        validate,
        transform,
        standards,
        codelists,
        explain,
        plugins,
        generate,
        diff,
        migrate,
        certify,
        verify_certificate,
        certify_keygen,
    ):
        group.add_command(command)


_register_commands(cli)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="govstd")


if __name__ == "__main__":  # pragma: no cover
    main()
