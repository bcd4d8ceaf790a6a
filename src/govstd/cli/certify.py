"""``govstd certify``, ``govstd verify-certificate`` and ``govstd certify-keygen``."""

from __future__ import annotations

import sys
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import click

from govstd.cli.options import handle_errors, lang_option, pick_lang, session_options

_EXIT = """\b
Exit codes:
  0  every mandatory requirement passes (verify: the certificate checks out)
  1  a mandatory requirement fails (verify: a signature, pin or re-check fails)
  2  usage error   3  setup error   4  internal error"""


@click.command(
    epilog="""\b
Examples:
  govstd certify --adapter acme-hr --standard cn.natural-person@1.1 \\
      --samples export-jan.csv --samples export-feb.csv --output cert/
  govstd certify -a acme-hr --samples export.csv --seed 7 --examples 500 \\
      --waivers waivers.toml --sign-key issuer.pem -o cert/
  govstd certify -a acme-hr --samples export.csv --all-versions -o matrix/

\b
Writes DIR/certificate.json (schema: govstd/schemas/certificate.schema.json) and
DIR/certificate.html. Sample paths on the certificate are relative to DIR.

"""
    + _EXIT
)
@click.argument("more_samples", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--adapter", "-a", required=True, metavar="NAME", help="Vendor adapter to certify.")
@click.option(
    "--standard",
    "-s",
    metavar="REF",
    help="Standard version (default: the newest the adapter maps to).",
)
@click.option(
    "--samples",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A real export of the vendor's system (repeatable; more may follow as arguments).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for certificate.json and certificate.html.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the round trip.")
@click.option(
    "--examples",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Hypothesis examples of the round trip.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Certification date: reference date of rules and waiver expiry (default: today).",
)
@click.option(
    "--waivers",
    "waivers_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="TOML file of [[waivers]] (code, owner, reason, expires …) for this certification.",
)
@click.option(
    "--sign-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Ed25519 private key (PEM) to sign the certificate with.",
)
@click.option(
    "--all-versions",
    is_flag=True,
    help="Certify against every active version of the standard (a conformance matrix); "
    "certificates go to DIR/<version>/.",
)
@lang_option
@session_options
@handle_errors
def certify(
    session: Any,
    more_samples: tuple[Path, ...],
    adapter: str,
    standard: str | None,
    samples: tuple[Path, ...],
    output: Path,
    seed: int,
    examples: int,
    as_of: Any,
    waivers_file: Path | None,
    sign_key: Path | None,
    all_versions: bool,
    lang: str | None,
) -> None:
    """Certify a vendor adapter and its real exports against a standard version."""
    from govstd.waivers import parse_waivers

    waivers = []
    if waivers_file is not None:
        try:
            data = tomllib.loads(waivers_file.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise click.BadParameter(f"{waivers_file}: {exc}", param_hint="--waivers") from None
        waivers = parse_waivers(data.get("waivers"), origin=str(waivers_file))
    output.mkdir(parents=True, exist_ok=True)
    language = pick_lang(lang)
    if all_versions:
        if standard is not None:
            raise click.UsageError("--all-versions certifies every version: leave out --standard")
        matrix = session.certify_matrix(
            adapter=adapter,
            samples=[*samples, *more_samples],
            base=output,
            seed=seed,
            examples=examples,
            as_of=as_of.date() if as_of else date.today(),
            waivers=waivers,
            sign_key=sign_key,
        )
        for standard_version, result in matrix:
            if not isinstance(result, str):
                _write(session, result, output / str(standard_version.version), language)
        click.echo(render_matrix(matrix, language))
        certified = [result for _, result in matrix if not isinstance(result, str)]
        sys.exit(0 if certified and all(c.exit_code() == 0 for c in certified) else 1)
    certificate = session.certify(
        adapter=adapter,
        samples=[*samples, *more_samples],
        standard=standard,
        seed=seed,
        examples=examples,
        as_of=as_of.date() if as_of else date.today(),
        waivers=waivers,
        base=output,
        sign_key=sign_key,
    )
    _write(session, certificate, output, language)
    click.echo(render_summary(certificate, output, language))
    sys.exit(certificate.exit_code())


def _write(session: Any, certificate: Any, output: Path, language: str) -> None:
    from govstd.atomicfile import atomic_output
    from govstd.certify.html import render_certificate

    output.mkdir(parents=True, exist_ok=True)
    with atomic_output(output / "certificate.json") as stream:
        stream.write(certificate.to_json().encode("utf-8"))
    page = render_certificate(certificate, catalogue=session.catalogue, lang=language)
    with atomic_output(output / "certificate.html") as stream:
        stream.write(page.encode("utf-8"))


def render_matrix(matrix: list[tuple[Any, Any]], lang: str) -> str:
    """The conformance matrix: one row per active version, the level reached."""
    zh = lang == "zh"
    head = (
        ("版本", "等级", "必备要求", "推荐要求", "结论")
        if zh
        else (
            "version",
            "level",
            "mandatory",
            "recommended",
            "verdict",
        )
    )
    rows = [head]
    for standard, result in matrix:
        if isinstance(result, str):
            rows.append((standard.ref, "-", "-", "-", ("不适用：" if zh else "n/a: ") + result))
            continue
        summary = result.data["summary"]
        cells = [
            f"{summary[k]['passed']}/{summary[k]['passed'] + summary[k]['failed']}"
            for k in ("mandatory", "recommended")
        ]
        verdict = (
            ("符合" if zh else "conforms") if result.conforms else ("不符合" if zh else "fails")
        )
        rows.append((standard.ref, result.level, *cells, verdict))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def render_summary(certificate: Any, output: Path, lang: str) -> str:
    data = certificate.data
    zh = lang == "zh"
    verdict = (
        ("符合标准" if zh else "CONFORMS")
        if certificate.conforms
        else ("不符合标准" if zh else "DOES NOT CONFORM")
    )
    lines = [
        f"{data['adapter']['name']} → {data['standard']['ref']}: {verdict} "
        f"({'等级' if zh else 'level'} {certificate.level})"
    ]
    for level in ("mandatory", "recommended"):
        counts = data["summary"][level]
        lines.append(f"  {level}: {counts['passed']} passed, {counts['failed']} failed")
    for result in certificate.failed():
        lines.append(f"  FAIL [{result['level']}] {result['id']}: {result['message']}")
    lines.append(f"{'证书' if zh else 'certificate'}: {output / 'certificate.json'}")
    return "\n".join(lines)


@click.command(
    "verify-certificate",
    epilog="""\b
Examples:
  govstd verify-certificate cert/certificate.json --public-key issuer.pub.pem
  govstd verify-certificate cert/certificate.json --recheck

\b
Checks the signature, then every pinned digest (standard files, adapter distribution and
files, sample files relative to the certificate's folder) against what is installed; with
--recheck, runs the certification again and compares every verdict.

"""
    + _EXIT,
)
@click.argument("certificate", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--recheck", is_flag=True, help="Run the certification again and compare.")
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The issuer's Ed25519 public key (PEM): the signature must be by this key.",
)
@lang_option
@session_options
@handle_errors
def verify_certificate(
    session: Any, certificate: Path, recheck: bool, public_key: Path | None, lang: str | None
) -> None:
    """Verify a conformance certificate against what is installed."""
    result = session.verify_certificate(certificate, public_key=public_key, recheck=recheck)
    language = pick_lang(lang)
    for finding in result.findings:
        click.echo(
            f"{finding.severity}: {finding.code}: {session.catalogue.message(finding, language)}",
            err=True,
        )
    data = result.certificate.data
    state = "OK" if result.ok else "FAILED"
    if language == "zh":
        state = "验证通过" if result.ok else "验证失败"
    done = " (re-checked)" if result.rechecked is not None else ""
    click.echo(
        f"{state}{done}: {data['adapter']['name']} → {data['standard']['ref']}, "
        f"level {data['level']}"
    )
    sys.exit(result.exit_code())


@click.command(
    "certify-keygen",
    epilog="""\b
Example:
  govstd certify-keygen issuer.pem issuer.pub.pem
Keep the private key secret; hand out the public key with the certificates.""",
)
@click.argument("private_key", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("public_key", type=click.Path(dir_okay=False, path_type=Path))
@handle_errors
def certify_keygen(private_key: Path, public_key: Path) -> None:
    """Make an Ed25519 key pair (PEM) for signing certificates."""
    from govstd.certify.signing import generate_key_pair

    click.echo(f"key id {generate_key_pair(private_key, public_key)}")
