"""``govstd standards list|show``: the registry of versioned standards."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from govstd.cli.options import handle_errors, lang_option, pick_lang, session_options


@click.group()
def standards() -> None:
    """List and inspect the standards govstd knows."""


@standards.command("list", epilog="Example:\n  govstd standards list -f json")
@click.option(
    "--output-format", "-f", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@lang_option
@session_options
@handle_errors
def list_standards(session: Any, output_format: str, lang: str | None) -> None:
    """List every standard version with its status and release date."""
    items = session.registry.all()
    if output_format == "json":
        click.echo(json.dumps([s.to_dict() for s in items], ensure_ascii=False, indent=2))
        return
    lang = pick_lang(lang)
    if not items:
        click.echo("No standards found.")
        return
    width = max(len(s.ref) for s in items)
    for std in items:
        latest = session.registry.latest(std.id)
        mark = " (latest)" if latest is not None and latest.ref == std.ref else ""
        click.echo(
            f"{std.ref:{width}}  {std.status:10}  {std.released.isoformat()}  "
            f"{std.title.get(lang) or std.title['en']}{mark}"
        )


@standards.command(
    "show",
    epilog="Examples:\n  govstd standards show cn.natural-person@1\n  govstd standards show cn.legal-entity -f json",
)
@click.argument("ref")
@click.option(
    "--output-format", "-f", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--allow-retired", is_flag=True, help="Resolve to a retired version if that is what REF names."
)
@lang_option
@session_options
@handle_errors
def show_standard(
    session: Any, ref: str, output_format: str, allow_retired: bool, lang: str | None
) -> None:
    """Show the standard version REF resolves to."""
    std = session.resolve(ref, allow_retired=allow_retired)
    if output_format == "json":
        click.echo(json.dumps(std.to_dict(), ensure_ascii=False, indent=2))
        return
    lang = pick_lang(lang)
    click.echo(f"{std.ref}  {std.title.get(lang) or std.title['en']}")
    click.echo(f"status: {std.status}   released: {std.released.isoformat()}")
    description = std.description.get(lang) or std.description.get("en")
    if description:
        click.echo(description)
    click.echo("artefacts:")
    for role, path in std.artefacts.items():
        click.echo(f"  {role}: {path.relative_to(std.folder)}")
    if std.rules:
        click.echo("rules:")
        for rule in std.rules:
            click.echo(f"  {rule.id} ({rule.check})")
    others = [f"{s.version} ({s.status})" for s in session.registry.versions(std.id)]
    click.echo(f"versions: {', '.join(others)}")


@standards.command(
    "lint",
    epilog="Examples:\n  govstd standards lint\n  govstd standards lint cn.natural-person -f json\n"
    "  govstd standards lint --standards-dir ./my-standards",
)
@click.argument("ids", nargs=-1)
@click.option(
    "--output-format", "-f", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@lang_option
@session_options
@handle_errors
def lint_standards(
    session: Any, ids: tuple[str, ...], output_format: str, lang: str | None
) -> None:
    """Check every version pair against its manifest's versioning promise (exit 1 if broken).

    With versioning = "semver", a minor release must keep every record of the previous
    version valid, and a patch release must not change what is valid. Also checks
    supersedes and the declared migrations.
    """
    result = session.lint_standards(list(ids) or None)
    if output_format == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        lang = pick_lang(lang)
        for pair in result.pairs:
            mark = "ok" if pair.ok else "BROKEN"
            click.echo(
                f"{pair.old} → {pair.new}  {pair.bump:5}  promise {pair.promise:6}  "
                f"verdict {pair.verdict.value:8}  {mark}"
            )
        for finding in result.findings:
            message = session.catalogue.message(finding, lang)
            click.echo(f"{finding.severity.label}: {finding.source}: {message} [{finding.code}]")
        click.echo("lint passed" if result.ok else "lint failed")
    if not result.ok:
        sys.exit(1)
