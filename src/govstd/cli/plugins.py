"""``govstd plugins list``: what is installed and what each plugin registers."""

from __future__ import annotations

import json
from typing import Any

import click

from govstd.cli.options import handle_errors, session_options


@click.group()
def plugins() -> None:
    """Inspect installed plugins."""


@plugins.command("list", epilog="Example:\n  govstd plugins list -f json")
@click.option(
    "--output-format", "-f", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@session_options
@handle_errors
def list_plugins(session: Any, output_format: str) -> None:
    """List plugins with their version, hooks and registrations."""
    from govstd.plugins import describe

    info = describe(session.plugin_manager, session.registrations)
    if output_format == "json":
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    for item in info:
        origin = "built-in" if item["builtin"] else (item["distribution"] or "local")
        click.echo(f"{item['name']} {item['version'] or ''} ({origin})")
        click.echo(f"  hooks: {', '.join(item['hooks'])}")
        if item["registers"]:
            click.echo(f"  registers: {', '.join(item['registers'])}")
