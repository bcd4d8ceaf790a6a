"""``govstd validate``: check sources against a standard version or a schema file."""

from __future__ import annotations

import os
import sys
from datetime import date
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


def _progress_wanted() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


@click.command(
    epilog="""\b
Examples:
  govstd validate export.jsonl --standard cn.natural-person@1
  govstd validate a.csv b.csv --standard cn.legal-entity@latest -f json -o report.json
  govstd validate data.csv --schema tableschema.json
  govstd validate package.json --schema release-package-schema.json --no-format-check
  cat export.csv | govstd validate - --input-format csv --standard cn.natural-person

"""
    + EXIT_CODES_HELP
)
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--standard",
    "-s",
    "standard",
    metavar="REF",
    help="Standard to check against: ID, ID@1, ID@1.1, ID@1.1.0, ID@^1.1, ID@latest.",
)
@click.option(
    "--schema",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A JSON Schema or Table Schema file; JSON files beside it resolve its $refs.",
)
@click.option(
    "--input-format",
    "-i",
    metavar="FORMAT",
    help="Input format (csv, json, jsonl …); default: from the file extension.",
)
@click.option(
    "--encoding",
    metavar="ENC",
    help="Character encoding of the sources (utf-8, gbk, gb18030 …); default: detect.",
)
@click.option(
    "--output-format",
    "-f",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="error",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
)
@click.option(
    "--max-findings",
    type=click.IntRange(min=0),
    default=None,
    help="Keep at most N findings in the report (counts stay exact; the report says it was truncated).",
)
@click.option(
    "--format-check/--no-format-check",
    default=True,
    show_default=True,
    help="Assert JSON Schema 'format' (date, date-time, email, uri …).",
)
@click.option(
    "--allow-retired", is_flag=True, help="Allow validating against a retired standard version."
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Reference date for date-dependent rules (default: today).",
)
@lang_option
@session_options
@handle_errors
def validate(
    session: Any,
    sources: tuple[str, ...],
    standard: str | None,
    schema: Path | None,
    input_format: str | None,
    encoding: str | None,
    output_format: str,
    output: Path | None,
    fail_on: str,
    max_findings: int | None,
    format_check: bool,
    allow_retired: bool,
    as_of: Any,
    lang: str | None,
) -> None:
    """Validate SOURCES (files, or - for standard input) against a standard or a schema."""
    if (standard is None) == (schema is None):
        raise click.UsageError("give exactly one of --standard REF or --schema FILE")
    bar: Any = None
    progress = None
    if _progress_wanted():
        bar = click.progressbar(length=1, label="validating", file=sys.stderr)
        bar.__enter__()

        def progress(done: int, total: int | None) -> None:
            if total:
                bar.length = total
                bar.update(done - bar.pos)

    try:
        report = session.validate(
            list(sources),
            standard=standard,
            schema=schema,
            input_format=input_format,
            encoding=encoding,
            max_findings=max_findings,
            format_check=format_check,
            allow_retired=allow_retired,
            as_of=as_of.date() if as_of else date.today(),
            stdin=sys.stdin.buffer,
            progress=progress,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    reporter = session.reporters[output_format]
    text = reporter.render(report, catalogue=session.catalogue, lang=pick_lang(lang))
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    sys.exit(report.exit_code(fail_on))
