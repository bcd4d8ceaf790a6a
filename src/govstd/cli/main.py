"""The ``govstd`` command group. Each command: parse → one library call → render."""

from __future__ import annotations

import importlib
import os
from types import MappingProxyType

import click

from govstd import __version__
from govstd.cli.options import EXIT_CODES_HELP


class GovstdGroup(click.Group):
    """The command group; every command loads lazily.

    A built-in command's module is imported only when that command runs (or for ``--help``),
    so ``govstd validate`` does not import and compile the other commands' modules. Built-in
    commands never touch the plugin manager, so ``govstd --version`` and ``govstd validate``
    stay fast; plugin commands (``govstd_cli_commands``) are looked up only for a name that
    is not built in, and for ``--help``.
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
        names.update(_BUILTIN_COMMANDS)
        names.update(self._plugin_group(ctx).list_commands(ctx))
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        where = _BUILTIN_COMMANDS.get(cmd_name)
        if where is not None:
            module, attribute = where
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
            return command
        return self._plugin_group(ctx).get_command(ctx, cmd_name)


#: the built-in commands: name → (module, attribute), imported on first use
_BUILTIN_COMMANDS = MappingProxyType(
    {
        "validate": ("govstd.cli.validate", "validate"),
        "transform": ("govstd.cli.transform", "transform"),
        "standards": ("govstd.cli.standards", "standards"),
        "codelists": ("govstd.cli.codelists", "codelists"),
        "explain": ("govstd.cli.explain", "explain"),
        "plugins": ("govstd.cli.plugins", "plugins"),
        "generate": ("govstd.cli.generate", "generate"),
        "diff": ("govstd.cli.diff", "diff"),
        "migrate": ("govstd.cli.migrate", "migrate"),
        "certify": ("govstd.cli.certify", "certify"),
        "verify-certificate": ("govstd.cli.certify", "verify_certificate"),
        "certify-keygen": ("govstd.cli.certify", "certify_keygen"),
    }
)


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


def main() -> None:
    """Console-script entry point."""
    # govstd never calls BLAS, but numpy's OpenBLAS starts a thread per core that spins while
    # idle: ~0.15 s of CPU on a 1M-row CSV run on 2 cores. One thread, unless the user says
    # otherwise (set before numpy is first imported, which happens lazily).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    cli(prog_name="govstd")


if __name__ == "__main__":  # pragma: no cover
    main()
