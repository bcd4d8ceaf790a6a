"""``govstd codelists list|show|import``: the code lists rules check codes against."""

from __future__ import annotations

import json
from pathlib import Path

import click

from govstd.cli.options import handle_errors, lang_option, pick_lang


@click.group()
def codelists() -> None:
    """List, inspect and import code lists (GB/T 2260, GB/T 2261.1, GB/T 3304 …)."""


@codelists.command("list", epilog="Example:\n  govstd codelists list -f json")
@click.option(
    "--output-format", "-f", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@lang_option
@handle_errors
def list_codelists(output_format: str, lang: str | None) -> None:
    """List every code list and version, with its size and whether it is dated."""
    from govstd.codelists import CodeLists

    library = CodeLists.default()
    items = library.all()
    if output_format == "json":
        click.echo(json.dumps([c.summary() for c in items], ensure_ascii=False, indent=2))
        return
    lang = pick_lang(lang)
    width = max(len(c.ref) for c in items)
    for item in items:
        default = library.get(item.id)
        marks = [
            "dated" if item.dated else "",
            "open" if not item.closed else "",
            "default" if default is item and len(library.versions(item.id)) > 1 else "",
        ]
        mark = ", ".join(m for m in marks if m)
        click.echo(
            f"{item.ref:{width}}  {len(item):6} codes  {item.title.get(lang) or item.title['en']}"
            + (f"  ({mark})" if mark else "")
        )


@codelists.command(
    "show",
    epilog="Examples:\n  govstd codelists show gbt3304-ethnicity\n"
    "  govstd codelists show cn.legal-entity.status@1 -f json",
)
@click.argument("ref")
@click.option(
    "--output-format", "-f", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@lang_option
@handle_errors
def show_codelist(ref: str, output_format: str, lang: str | None) -> None:
    """Show the code list REF (id or id@version): its provenance and every code."""
    from govstd.codelists import CodeLists

    item = CodeLists.default().get(ref)
    if output_format == "json":
        click.echo(json.dumps(item.to_dict(), ensure_ascii=False, indent=2))
        return
    lang = pick_lang(lang)
    click.echo(f"{item.ref}  {item.title.get(lang) or item.title['en']}")
    click.echo(f"{'closed' if item.closed else 'open'} list of {len(item)} codes")
    if item.provenance:
        click.echo(f"provenance: {item.provenance}")
    for entry in item:
        labels = "  ".join(entry.labels.get(k, "") for k in ("zh", "en") if entry.labels.get(k))
        extra = []
        if entry.periods:
            extra.append(
                "; ".join(
                    f"{s.isoformat() if s else '…'} – {e.isoformat() if e else '…'}"
                    for s, e in entry.periods
                )
            )
        if entry.successors:
            extra.append("→ " + ", ".join(entry.successors))
        tail = f"  [{'  '.join(extra)}]" if extra else ""
        click.echo(f"  {entry.code}  {labels}{tail}")


@codelists.group("import")
def import_group() -> None:
    """Import a code list from its publisher's data into the user data directory."""


@import_group.command(
    "gbt2260",
    epilog="Example:\n  govstd codelists import gbt2260 ./areacodes\n\n"
    "The list is stored in GOVSTD_DATA_DIR (default: $XDG_DATA_HOME/govstd or "
    "~/.local/share/govstd) and from then on is the default gbt2260 list.",
)
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--output-format", "-f", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@handle_errors
def import_gbt2260(directory: Path, output_format: str) -> None:
    """Import dated GB/T 2260 codes from DIRECTORY (yearly data/<year>.txt, diff/*.diff)."""
    from govstd.codelists import user_data_dir
    from govstd.gbt2260 import import_gbt2260 as run_import

    result = run_import(directory, user_data_dir())
    if output_format == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    first, last = result.years
    click.echo(
        f"imported {result.codelist.ref}: {len(result.codelist)} codes, {first}-{last}; "
        f"{result.retired} withdrawn, {result.with_successors} with successor codes"
    )
    click.echo(f"stored in {result.path}")
    if result.problems:
        click.echo(f"{len(result.problems)} change-file lines could not be used:", err=True)
        for problem in result.problems[:20]:
            click.echo(f"  {problem}", err=True)
