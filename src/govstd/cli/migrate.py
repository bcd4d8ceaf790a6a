"""``govstd migrate``: move records of one standard version to another."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from govstd.cli.options import (
    EXIT_CODES_HELP,
    handle_errors,
    lang_option,
    pick_lang,
    session_options,
)


@click.command(
    epilog="""\b
Examples:
  govstd migrate people-1.0.jsonl --standard cn.natural-person@1.0.0 --to 2.0.0 -o people-2.jsonl
  govstd migrate firms.csv -s cn.legal-entity@1.0.0 --to 2.0.0 -o firms-2.csv -f json

\b
The declared migrations are applied in a chain (1.0.0 → 1.1.0 → 2.0.0); a hop without a
declared migration is allowed only when the newer version accepts every record of the older.
A value that cannot be migrated exactly (never rounded, never dropped silently) is a finding
and its record is not written: records = written + rejected. The output is written
atomically, in the target version's field order.

"""
    + EXIT_CODES_HELP
)
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--standard", "-s", "standard", required=True, metavar="REF", help="Version the sources follow."
)
@click.option(
    "--to",
    "to",
    required=True,
    metavar="VERSION",
    help="Version to migrate to (VERSION or ID@VERSION).",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the migrated records.",
)
@click.option(
    "--output-format",
    "-f",
    metavar="FORMAT",
    help="jsonl, json, csv … (default: from OUT's extension, else jsonl).",
)
@click.option(
    "--input-format", "-i", metavar="FORMAT", help="Input format (default: from the extension)."
)
@click.option(
    "--encoding", metavar="ENC", help="Character encoding of the sources (default: detect)."
)
@click.option(
    "--report",
    "report_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the summary.",
)
@click.option(
    "--max-findings",
    type=click.IntRange(min=0),
    default=None,
    help="Keep at most N findings (counts stay exact).",
)
@click.option("--allow-retired", is_flag=True, help="Allow retired versions.")
@lang_option
@session_options
@handle_errors
def migrate(
    session: Any,
    sources: tuple[str, ...],
    standard: str,
    to: str,
    output: Path,
    output_format: str | None,
    input_format: str | None,
    encoding: str | None,
    report_format: str,
    max_findings: int | None,
    allow_retired: bool,
    lang: str | None,
) -> None:
    """Migrate SOURCES from version --standard to version --to."""
    result = session.migrate(
        list(sources),
        standard=standard,
        to=to,
        output=output,
        output_format=output_format,
        input_format=input_format,
        encoding=encoding,
        max_findings=max_findings,
        allow_retired=allow_retired,
    )
    if report_format == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        lang = pick_lang(lang)
        click.echo(f"{result.chain.source.ref} → {result.chain.target.ref}: {result.chain.path}")
        for finding in result.findings:
            where = f"record {finding.record}" if finding.record is not None else "file"
            message = session.catalogue.message(finding, lang)
            click.echo(
                f"  {finding.source}:{where}: {finding.severity.label}: {message} [{finding.code}]"
            )
        if result.truncated:
            click.echo("  (more findings not shown; see the counts)")
        click.echo(
            f"records {result.records} = written {result.written} + rejected {result.rejected}"
            f" → {result.output} ({result.output_format})"
        )
    sys.exit(1 if result.rejected else 0)
