"""Rendering of ``govstd validate --standard ID@all``: one export against every version."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click


def validate_all(
    session: Any,
    sources: tuple[str, ...],
    standard: str,
    *,
    input_format: str | None,
    encoding: str | None,
    as_of: date | None,
    format_check: bool,
    output_format: str,
    output: Path | None,
    lang: str,
) -> None:
    """Validate against every version, print a table (or JSON), exit 1 unless the export
    conforms to the newest version."""
    report = session.validate_all_versions(
        list(sources),
        standard=standard,
        input_format=input_format,
        encoding=encoding,
        as_of=as_of,
        format_check=format_check,
    )
    if output_format == "json":
        text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = render(report, lang)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    sys.exit(0 if report.versions[-1].conforms else 1)


def render(report: Any, lang: str) -> str:
    zh = lang == "zh"
    width = max(len(v.ref) for v in report.versions)
    head = "版本" if zh else "version"
    lines = [
        f"{head:{width}}  {'status':10}  {'conforms':8}  records  passed  rejected  errors  warnings"
    ]
    for v in report.versions:
        mark = ("是" if v.conforms else "否") if zh else ("yes" if v.conforms else "no")
        lines.append(
            f"{v.ref:{width}}  {v.status:10}  {mark:8}  {v.records:7}  {v.passed:6}  "
            f"{v.rejected:8}  {v.errors:6}  {v.warnings:8}"
        )
    if report.plan:
        title = "升级计划" if zh else "upgrade plan"
        lines.append(f"{title}: {report.base} → {report.newest}")
        for change, count in report.plan:
            detail = (change.detail_zh or change.detail) if zh else change.detail
            lines.append(f"  {change.path}  {change.kind}: {detail}  ({count} findings)")
        if report.migration:
            lines.append(f"  govstd migrate: {report.migration['path']}")
    elif report.base == report.newest:
        lines.append("符合最新版本" if zh else f"conforms to the newest version {report.newest}")
    for note in report.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines) + "\n"
