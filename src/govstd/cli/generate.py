"""``govstd generate``: a realistic sample feed for a standard, with a ground truth of defects."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from govstd.cli.options import handle_errors, session_options


@click.command(
    epilog="""\b
Examples:
  govstd generate cn.natural-person@1.1 --count 1000 --seed 7 -o people.csv
  govstd generate cn.legal-entity@2 --count 500 --invalid-rate 0.1 --format jsonl -o firms.jsonl
  govstd validate people.csv -s cn.natural-person@1.1   # finds exactly people.csv.expected.json

The ground truth (FILE.expected.json beside --output, or --truth FILE) lists every injected
defect as {"record", "field", "code", "severity", "why"}: what `govstd validate` must report.
"""
)
@click.argument("ref")
@click.option(
    "--count",
    "-n",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="Number of records.",
)
@click.option(
    "--invalid-rate",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Share of records that carry exactly one injected defect.",
)
@click.option("--seed", type=int, default=None, help="Seed: the same seed gives the same feed.")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    default=None,
    help="Output format (default: from --output's extension, else csv).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the feed to FILE (default: standard output).",
)
@click.option(
    "--truth",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the ground truth (default: OUTPUT.expected.json).",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Reference date: codes in use and date ranges as of this day (default: today).",
)
@session_options
@handle_errors
def generate(
    session: Any,
    ref: str,
    count: int,
    invalid_rate: float,
    seed: int | None,
    fmt: str | None,
    output: Path | None,
    truth: Path | None,
    as_of: Any,
) -> None:
    """Generate a sample feed of records valid under standard REF, optionally with defects."""
    from govstd.generate import generate_feed

    if fmt is None:
        fmt = "jsonl" if output is not None and output.suffix.lower() == ".jsonl" else "csv"
    feed = generate_feed(
        session,
        ref,
        count=count,
        invalid_rate=invalid_rate,
        seed=seed,
        as_of=as_of.date() if as_of else date.today(),
    )
    text = feed.to_csv() if fmt == "csv" else feed.to_jsonl()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    if truth is None and output is not None:
        truth = output.with_name(output.name + ".expected.json")
    if truth is not None:
        truth.write_text(
            json.dumps(feed.truth(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    elif feed.defects:
        click.echo("govstd: no --output or --truth: the ground truth was not written", err=True)
    click.echo(
        f"govstd: {len(feed.records)} records of {feed.standard}, {len(feed.defects)} with a defect",
        err=True,
    )
    sys.exit(0)
