"""``govstd diff OLD NEW``: what changed between two versions, and whom it breaks."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from govstd.cli.options import handle_errors, lang_option, pick_lang, session_options

_MARK = {"compatible": "ok", "breaking": "BREAKS"}


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    out = {}
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left or not right:
            raise click.BadParameter(f"expected A=B, got {value!r}", param_hint=what)
        out[left] = right
    return out


@click.command(
    epilog="""\b
Examples:
  govstd diff cn.natural-person@1.1.0 cn.natural-person@2.0.0
  govstd diff cn.legal-entity@1 cn.legal-entity@2 -f json
  govstd diff old/release-schema.json new/release-schema.json --fail-on-breaking
  govstd diff ocds-1.0.3/ ocds-1.1.5/ --side consumers
  govstd diff v1/schema.json v2/schema.json --rename division_code=household_division_code

\b
OLD and NEW are standard references (ID@VERSION) or files: JSON Schemas (any draft; $refs
resolve against the JSON files beside each), Table Schemas, code lists (.csv), or folders
of them. Each change is classified for producers (do exports valid under OLD stay valid?)
and consumers (can a system built for OLD read data valid under NEW?). The verdict is
backward (producers safe), forward (consumers safe), full (both) or none.

\b
Exit codes:
  0  done (with --fail-on-breaking: nothing breaks the chosen side)
  1  --fail-on-breaking and a change breaks the chosen side
  2  usage error   3  setup error (unknown standard, unresolvable $ref)"""
)
@click.argument("old")
@click.argument("new")
@click.option(
    "--output-format", "-f", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--fail-on-breaking", is_flag=True, help="Exit 1 when a change breaks the --side that counts."
)
@click.option(
    "--side",
    type=click.Choice(["producers", "consumers", "any"]),
    default="producers",
    show_default=True,
    help="Whose breakage --fail-on-breaking counts.",
)
@click.option(
    "--rename",
    "renames",
    multiple=True,
    metavar="OLD=NEW",
    help="Treat field OLD as renamed to NEW (repeatable; standards' declared renames are read "
    "from their migrations).",
)
@click.option(
    "--resource",
    "resources",
    multiple=True,
    metavar="URI=FILE",
    help="Resolve $refs to URI from FILE, on both sides (repeatable).",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@lang_option
@session_options
@handle_errors
def diff(
    session: Any,
    old: str,
    new: str,
    output_format: str,
    fail_on_breaking: bool,
    side: str,
    renames: tuple[str, ...],
    resources: tuple[str, ...],
    output: Path | None,
    lang: str | None,
) -> None:
    """Show every change from OLD to NEW, classified for producers and consumers."""
    from govstd.versions.changes import Side

    refs = {uri: Path(file) for uri, file in _pairs(resources, "--resource").items()}
    result = session.diff(
        old, new, renames=_pairs(renames, "--rename"), old_resources=refs, new_resources=refs
    )
    if output_format == "json":
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = render_text(result, pick_lang(lang))
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if fail_on_breaking and result.is_breaking(Side(side)):
        sys.exit(1)


def render_text(result: Any, lang: str) -> str:
    """The diff as a table for people: one line per change, then the verdict."""
    lines = [f"{result.old} → {result.new}"]
    if not result.changes:
        lines.append("  no changes" if lang == "en" else "  无变更")
    width = max((len(c.path) for c in result.changes), default=0)
    for change in result.changes:
        detail = (change.detail_zh or change.detail) if lang == "zh" else change.detail
        where = f" (+{len(change.locations)} more)" if change.locations else ""
        lines.append(
            f"  {change.path:{width}}  producers {_MARK[change.producers.value]:6}  "
            f"consumers {_MARK[change.consumers.value]:6}  {change.kind}: {detail}{where}"
        )
    for note in result.notes:
        lines.append(f"  note: {note}")
    summary = result.to_dict()
    counts = summary["counts"]
    lines.append(
        f"verdict: {summary['verdict']} ({counts['changes']} changes; "
        f"{counts['breaking_producers']} break producers, "
        f"{counts['breaking_consumers']} break consumers)"
    )
    return "\n".join(lines) + "\n"
