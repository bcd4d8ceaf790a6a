"""``govstd explain CODE``: what a finding code means and how to fix it."""

from __future__ import annotations

from typing import Any

import click

from govstd.cli.options import handle_errors, lang_option, pick_lang, session_options


@click.command(
    epilog="""\b
Examples:
  govstd explain field.pattern
  govstd explain cn.ric.check-digit --lang zh
  govstd explain --list
  govstd explain --markdown > docs/findings.md"""
)
@click.argument("code", required=False)
@click.option("--list", "list_all", is_flag=True, help="List every known code.")
@click.option("--markdown", is_flag=True, help="Print the whole catalogue as Markdown.")
@lang_option
@session_options
@handle_errors
def explain(
    session: Any, code: str | None, list_all: bool, markdown: bool, lang: str | None
) -> None:
    """Explain finding CODE: title, description, an example and how to fix it."""
    lang = pick_lang(lang)
    catalogue = session.catalogue
    if markdown:
        from govstd.catalogue import catalogue_markdown

        click.echo(catalogue_markdown(catalogue), nl=False)
        return
    if list_all or code is None:
        for entry in catalogue:
            click.echo(f"{entry.code:32} {entry.severity.label:8} {entry.text('title', lang)}")
        return
    entry = catalogue.get(code)
    if entry is None:
        close = [e.code for e in catalogue if code.split(".")[0] in e.code]
        suggestion = f" Did you mean: {', '.join(close[:5])}?" if close else ""
        raise click.UsageError(
            f"unknown finding code {code!r}.{suggestion} (govstd explain --list)"
        )
    labels = {
        "en": ("Severity", "Example", "How to fix", "Keywords"),
        "zh": ("严重程度", "示例", "修正方法", "对应关键字"),
    }[lang]
    click.echo(f"{entry.code}: {entry.text('title', lang)}")
    click.echo(f"{labels[0]}: {entry.severity.label}")
    click.echo("")
    click.echo(entry.text("description", lang))
    if entry.example:
        click.echo("")
        click.echo(f"{labels[1]}: {entry.example}")
    hint = entry.text("hint", lang)
    if hint:
        click.echo(f"{labels[2]}: {hint}")
    if entry.keywords:
        click.echo(f"{labels[3]}: {', '.join(entry.keywords)}")
