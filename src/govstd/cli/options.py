"""Option bundles shared by several commands, and the error-to-exit-code wrapper."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import click

from govstd.exceptions import GovstdError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = """\b
Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on
  2  usage error (bad option, missing input file)
  3  setup error (unknown standard, broken schema or manifest,
     unresolvable $ref, plugin failure)
  4  internal error (a bug in govstd: please report it)"""


def session_options(func: F) -> F:
    """``--standards-dir`` and ``-p no:NAME``: what a Session is built from."""

    @click.option(
        "--standards-dir",
        "standards_dirs",
        multiple=True,
        type=click.Path(file_okay=False, path_type=str),
        help="Extra folder of standards (<id>/<version>/manifest.toml); repeatable. "
        "Also read from GOVSTD_STANDARDS_PATH.",
    )
    @click.option(
        "-p",
        "plugin_switches",
        multiple=True,
        metavar="no:NAME",
        help="Do not load plugin NAME (repeatable). GOVSTD_DISABLE_PLUGIN_AUTOLOAD=1 skips all "
        "installed plugins.",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any, standards_dirs: tuple[str, ...], plugin_switches: tuple[str, ...], **kwargs: Any
    ) -> Any:
        from govstd.session import Session

        disabled = []
        for switch in plugin_switches:
            if not switch.startswith("no:") or len(switch) <= 3:
                raise click.BadParameter(f"expected no:NAME, got {switch!r}", param_hint="-p")
            disabled.append(switch[3:])
        session = Session(standards_dirs=standards_dirs, disabled_plugins=disabled)
        return func(*args, session=session, **kwargs)

    return wrapper  # type: ignore[return-value]


def handle_errors(func: F) -> F:
    """Turn govstd errors into a one-line message and the documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except GovstdError as exc:
            kind = "setup error" if exc.exit_code == 3 else "error"
            click.echo(f"govstd: {kind}: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("govstd: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say so plainly, details on request
            click.echo(
                f"govstd: internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in govstd. Set GOVSTD_DEBUG=1 for the traceback and report it.",
                err=True,
            )
            if os.environ.get("GOVSTD_DEBUG"):
                traceback.print_exc()
            sys.exit(4)

    return wrapper  # type: ignore[return-value]


def output_format_option(choices: tuple[str, ...] = ("text", "json")) -> Callable[[F], F]:
    return click.option(
        "--output-format",
        "-f",
        type=click.Choice(choices),
        default="text",
        show_default=True,
        help="How to print the result.",
    )


def lang_option(func: F) -> F:
    return click.option(
        "--lang",
        type=click.Choice(["en", "zh"]),
        default=None,
        help="Language of messages (default: en, or zh when LANG starts with zh).",
    )(func)


def pick_lang(lang: str | None) -> str:
    if lang:
        return lang
    env = os.environ.get("GOVSTD_LANG") or os.environ.get("LANG", "")
    return "zh" if env.lower().startswith("zh") else "en"


def load_plugin_commands() -> click.Group:
    """Commands added by plugins through ``govstd_cli_commands``, in a group of their own.

    A plugin that fails here is reported like any plugin failure (exit 3), naming it.
    """
    from govstd.plugins import collect
    from govstd.session import Session

    extra = click.Group("plugins")
    try:
        collect(Session().plugin_manager, "govstd_cli_commands", cli=extra)
    except GovstdError as exc:
        click.echo(f"govstd: setup error: {exc}", err=True)
        sys.exit(exc.exit_code)
    return extra
