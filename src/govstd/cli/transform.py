"""``govstd transform``: vendor feed → standard (→ another vendor), with a rejects file."""

from __future__ import annotations

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


@click.command(
    epilog="""\b
Examples:
  govstd transform export.csv --adapter acme-hr --output people.jsonl
  govstd transform export.csv --adapter acme-hr -o people.csv --rejects rejects.jsonl
  govstd transform export.csv --adapter acme-hr --standard cn.natural-person@1.1 \\
      -o people.json --output-format json --report report.json
  govstd transform a.csv --adapter acme-hr --to-adapter other-vendor -o b.csv

\b
Every record read is written or rejected (records = written + rejected). Rejected records
go to the rejects file (default: OUT.rejects.jsonl, only when there are any) verbatim, with
their source line and every finding. Output files are written atomically.

"""
    + EXIT_CODES_HELP
)
@click.argument("source")
@click.option(
    "--adapter", "-a", required=True, metavar="NAME", help="Vendor adapter to read SOURCE with."
)
@click.option(
    "--standard",
    "-s",
    metavar="REF",
    help="Standard version to transform into (default: the newest the adapter maps to).",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the records that passed or were fixed.",
)
@click.option(
    "--output-format",
    "-f",
    metavar="FORMAT",
    help="jsonl, json, csv, xml … (default: from OUT's extension, else jsonl).",
)
@click.option(
    "--to-adapter",
    metavar="NAME",
    help="Write in this vendor adapter's layout instead of canonical records.",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rejects file (JSON Lines) [default: OUT.rejects.jsonl when needed].",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the full JSON report (findings, accounting) to FILE.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="error",
    show_default=True,
    help="Lowest severity that makes the exit code 1 (rejected records are errors).",
)
@click.option("--encoding", metavar="ENC", help="Encoding of SOURCE (default: the adapter's).")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Reference date for date-dependent rules (default: today).",
)
@click.option(
    "--max-findings",
    type=click.IntRange(min=0),
    default=None,
    help="Keep at most N findings in the report (counts and the rejects file stay complete).",
)
@lang_option
@session_options
@handle_errors
def transform(
    session: Any,
    source: str,
    adapter: str,
    standard: str | None,
    output: Path,
    output_format: str | None,
    to_adapter: str | None,
    rejects: Path | None,
    report_path: Path | None,
    fail_on: str,
    encoding: str | None,
    as_of: Any,
    max_findings: int | None,
    lang: str | None,
) -> None:
    """Transform SOURCE (a vendor feed, or - for standard input) with a vendor adapter."""
    result = session.transform(
        source,
        adapter=adapter,
        output=output,
        standard=standard,
        output_format=output_format,
        to_adapter=to_adapter,
        rejects=rejects,
        encoding=encoding,
        as_of=as_of.date() if as_of else date.today(),
        max_findings=max_findings,
        stdin=sys.stdin.buffer,
    )
    language = pick_lang(lang)
    if report_path is not None:
        from govstd.atomicfile import atomic_output

        # (the text of json.dumps(result.to_dict(…), ensure_ascii=False, indent=2))
        text = result.to_json(catalogue=session.catalogue, lang=language)
        with atomic_output(report_path) as stream:
            stream.write((text + "\n").encode("utf-8"))
    click.echo(render_summary(result.summary(), result.report.target, language), err=True)
    sys.exit(result.report.exit_code(fail_on))


_WORDS = {
    "en": ("records", "written", "clean", "fixed", "rejected", "fixes", "reasons", "rejects"),
    "zh": ("记录", "写出", "无需修改", "已修正", "拒收", "修正类型", "拒收原因", "拒收文件"),
}


def render_summary(summary: dict[str, Any], target: str, lang: str) -> str:
    """The few lines a person reads after a transform."""
    words = dict(zip(_WORDS["en"], _WORDS.get(lang, _WORDS["en"]), strict=True))
    lines = [
        f"{target} → {summary['output']} ({summary['output_format']})",
        f"{words['records']} {summary['records']} = {words['written']} {summary['written']} "
        f"({words['clean']} {summary['clean']}, {words['fixed']} {summary['fixed']}) + "
        f"{words['rejected']} {summary['rejected']}",
    ]
    migration = summary.get("migration")
    if migration:
        label = "迁移" if lang == "zh" else "migrated"
        lines.insert(1, f"  {label}: {migration['from']} → {migration['to']} ({migration['path']})")
    for key in ("fixes", "reasons"):
        if summary[key]:
            counts = ", ".join(f"{code} {n}" for code, n in summary[key].items())
            lines.append(f"  {words[key]}: {counts}")
    if summary["rejects"]:
        lines.append(f"{words['rejects']}: {summary['rejects']}")
    return "\n".join(lines)
