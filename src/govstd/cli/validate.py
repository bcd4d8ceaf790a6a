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
from govstd.cli.reporting import reporting_options, write_report


def _progress_wanted() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


@click.command(
    epilog="""\b
Examples:
  govstd validate export.jsonl --standard cn.natural-person@1
  govstd validate a.csv b.csv --standard cn.legal-entity@latest -f json -o report.json
  govstd validate data.csv --schema tableschema.json
  govstd validate package.json --schema release-package-schema.json --no-format-check
  govstd validate activities.xml --schema iati-activities-schema.xsd --record-element iati-activity
  govstd validate invoice.xml --schema invoice.xsd --schematron rules.sch
  cat export.csv | govstd validate - --input-format csv --standard cn.natural-person
  govstd validate acme-export.csv --adapter acme-hr --standard cn.natural-person@1.1
  govstd validate feed-a.jsonl feed-b.jsonl --standard t.person@detect
  govstd validate export.csv -s cn.natural-person@1.1 --report junit:junit.xml --report html:report.html
  govstd validate export.csv -s cn.natural-person@1.1 --baseline baseline.json --fail-on new
  govstd validate export.csv -s cn.natural-person@1.1 --waivers govstd.toml -f github

"""
    + EXIT_CODES_HELP
)
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--standard",
    "-s",
    "standard",
    metavar="REF",
    help="Standard to check against: ID, ID@1, ID@1.1, ID@1.1.0, ID@^1.1, ID@latest; "
    "ID@all (every version); ID@detect (the version each source declares).",
)
@click.option(
    "--schema",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A JSON Schema or Table Schema file; JSON files beside it resolve its $refs. "
    "Or an XML Schema (.xsd): includes and imports resolve from local files only.",
)
@click.option(
    "--schematron",
    type=click.Path(dir_okay=False, path_type=Path),
    help="ISO Schematron rules (XSLT 1.0 query binding) for XML sources; alone or with "
    "--standard/--schema.",
)
@click.option(
    "--record-element",
    metavar="NAME",
    help="XML: stream the sources, each NAME element being one record (e.g. iati-activity); "
    "default: the standard's, else each document is one record.",
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
    "--adapter",
    "-a",
    metavar="NAME",
    help="Read the sources as this vendor adapter's feeds; findings point at the vendor's "
    "rows and columns (--standard defaults to the adapter's).",
)
@click.option(
    "--output-format",
    "-f",
    metavar="FORMAT",
    default="text",
    show_default=True,
    help="Report format: text, json, junit, sarif, github, html, or any installed reporter.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never", "new"]),
    default="error",
    show_default=True,
    help="Lowest severity that makes the exit code 1; 'new': only errors not in --baseline. "
    "Waived findings never fail.",
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
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that read and check a big source in parallel when every check allows "
    "it (JSON Lines with a JSON Schema); 1: this process only. Default: one per core. "
    "The report is the same either way.",
)
@lang_option
@session_options
@handle_errors
@reporting_options
def validate(
    session: Any,
    reporting: Any,
    sources: tuple[str, ...],
    standard: str | None,
    schema: Path | None,
    schematron: Path | None,
    record_element: str | None,
    input_format: str | None,
    encoding: str | None,
    adapter: str | None,
    output_format: str,
    output: Path | None,
    fail_on: str,
    max_findings: int | None,
    format_check: bool,
    allow_retired: bool,
    as_of: Any,
    workers: int | None,
    lang: str | None,
) -> None:
    """Validate SOURCES (files, or - for standard input) against a standard or a schema."""
    if (standard is None) == (schema is None) and not (
        (adapter and schema is None) or (schematron is not None and standard is None)
    ):
        raise click.UsageError("give exactly one of --standard REF or --schema FILE")
    if standard is not None and standard.endswith("@all"):
        from govstd.cli.allversions import validate_all

        validate_all(
            session,
            sources,
            standard,
            input_format=input_format,
            encoding=encoding,
            as_of=as_of.date() if as_of else date.today(),
            format_check=format_check,
            output_format=output_format,
            output=output,
            lang=pick_lang(lang),
        )
    reporter = reporting.reporter(session, output_format)
    reporting.check(session)
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
            adapter=adapter,
            schematron=schematron,
            record_element=record_element,
            workers=workers,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    today = as_of.date() if as_of else date.today()
    reporting.finish(session, report, lang=pick_lang(lang), today=today)
    write_report(
        reporter, report, output, catalogue=session.catalogue, lang=pick_lang(lang), parents=False
    )
    sys.exit(report.exit_code(fail_on))
