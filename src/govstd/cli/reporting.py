"""CI options of ``govstd validate``: extra reports, baseline, waivers and the options file.

``@reporting_options`` adds ``--report FORMAT:FILE`` (repeatable), ``--baseline FILE``,
``--waivers FILE``, ``--config FILE`` and ``--no-config``. Before the command runs it reads the
options file (``--config``, else ``govstd.toml`` or ``[tool.govstd]`` in ``pyproject.toml`` in
the current directory) and fills every option the command line left at its default; the
command then receives one :class:`Reporting` object that reviews the report (waivers,
baseline) and writes the extra reports.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from govstd.atomicfile import atomic_output
from govstd.exceptions import UsageError

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["Reporting", "reporting_options", "write_report"]


class _Echo:
    """A text stream that hands what is written to ``click.echo`` (standard output)."""

    def write(self, text: str) -> int:
        click.echo(text, nl=False)
        return len(text)


def write_report(
    reporter: Any,
    report: Any,
    target: Path | str | None,
    *,
    catalogue: Any,
    lang: str,
    parents: bool = True,
) -> None:
    """Write ``report`` with ``reporter`` to the file ``target`` (``parents``: creating its
    folder), or to standard output when ``target`` is None or ``-``. A reporter with a
    ``write(report, stream, ...)`` method streams (the JSON reporter does); any other one
    renders the whole text first. A file appears whole or not at all (a failure half way
    leaves any earlier file in place)."""
    stream_out = getattr(reporter, "write", None)
    if target is None or str(target) == "-":
        if stream_out is not None:
            stream_out(report, _Echo(), catalogue=catalogue, lang=lang)
        else:
            click.echo(reporter.render(report, catalogue=catalogue, lang=lang), nl=False)
        return
    path = Path(target)
    if parents and path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not path.is_file():  # /dev/stdout, a named pipe …: write in place
        with path.open("w", encoding="utf-8", newline="") as handle:
            if stream_out is None:
                handle.write(reporter.render(report, catalogue=catalogue, lang=lang))
            else:
                stream_out(report, handle, catalogue=catalogue, lang=lang)
        return
    with atomic_output(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        if stream_out is None:
            text.write(reporter.render(report, catalogue=catalogue, lang=lang))
        else:
            stream_out(report, text, catalogue=catalogue, lang=lang)
        text.flush()
        text.detach()  # atomic_output closes the file itself


@dataclass
class Reporting:
    """What the CI options asked for; :meth:`finish` applies it to a report."""

    reports: list[tuple[str, str]] = field(default_factory=list)
    baseline: Path | None = None
    waivers: Sequence[Any] = ()
    waivers_origin: str = ""

    def reporter(self, session: Any, name: str) -> Any:
        """The reporter called ``name``, or a usage error listing the installed ones."""
        reporters = session.reporters
        if name not in reporters:
            raise UsageError(
                f"unknown report format {name!r} (installed: {', '.join(sorted(reporters))})"
            )
        return reporters[name]

    def check(self, session: Any) -> None:
        for name, _ in self.reports:
            self.reporter(session, name)

    def finish(self, session: Any, report: Any, *, lang: str, today: date) -> None:
        """Apply waivers and the baseline, then write every ``--report``."""
        from govstd.review import review

        review(
            report,
            catalogue=session.catalogue,
            waivers=self.waivers,
            waivers_origin=self.waivers_origin,
            baseline=self.baseline,
            today=today,
        )
        for name, target in self.reports:
            write_report(
                self.reporter(session, name), report, target, catalogue=session.catalogue, lang=lang
            )
        notes = []
        if report.waivers is not None:
            waived = report.waived_stats()
            notes.append(
                f"waivers: {waived.errors + waived.warnings + waived.infos} finding(s) waived "
                f"by {sum(1 for w in report.waivers if w['status'] == 'active')} waiver(s)"
            )
        if report.baseline is not None:
            b = report.baseline
            notes.append(f"baseline: {b['new']} new, {b['open']} still open, {b['fixed']} fixed")
        if notes:
            click.echo("govstd: " + "; ".join(notes), err=True)


def _parse_report(spec: str) -> tuple[str, str]:
    name, sep, target = spec.partition(":")
    if not sep or not name or not target:
        raise click.BadParameter(f"expected FORMAT:FILE, got {spec!r}", param_hint="--report")
    return name, target


def reporting_options(func: F) -> F:
    @click.option(
        "--report",
        "reports",
        multiple=True,
        metavar="FORMAT:FILE",
        help="Also write a report in FORMAT (json, junit, sarif, github, html …) to FILE; "
        "repeatable. The terminal output is unchanged.",
    )
    @click.option(
        "--baseline",
        type=click.Path(dir_okay=False, path_type=Path),
        help="A previous JSON report: mark findings new, still open or fixed "
        "(use with --fail-on new).",
    )
    @click.option(
        "--waivers",
        "waivers_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Waiver file (TOML with [[waivers]]); default: the options file's waivers.",
    )
    @click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Options file (govstd.toml or a pyproject.toml with [tool.govstd]); default: "
        "the one in the current directory, if any.",
    )
    @click.option("--no-config", is_flag=True, help="Do not read an options file.")
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        reports: tuple[str, ...],
        baseline: Path | None,
        waivers_file: Path | None,
        config_file: Path | None,
        no_config: bool,
        **kwargs: Any,
    ) -> Any:
        from govstd.config import Config, discover_config, load_config

        config: Config | None = None
        if config_file is not None:
            if not config_file.is_file():
                raise UsageError(f"options file {config_file} does not exist")
            config = load_config(config_file)
        elif not no_config:
            config = discover_config(Path.cwd())

        ctx = click.get_current_context()
        defaults = config.default_map() if config is not None else {}

        def from_file(name: str) -> bool:
            return name in defaults and ctx.get_parameter_source(name) in (
                ParameterSource.DEFAULT,
                None,
            )

        for name in list(defaults):
            if name in ("reports", "baseline") or name not in kwargs or not from_file(name):
                continue
            if name == "standard" and kwargs.get("schema") is not None:
                continue
            kwargs[name] = defaults[name]
        if baseline is None and "baseline" in defaults:
            baseline = Path(defaults["baseline"])
        specs = list(reports) or list(defaults.get("reports", []))
        reporting = Reporting(reports=[_parse_report(s) for s in specs], baseline=baseline)
        if waivers_file is not None:
            if not waivers_file.is_file():
                raise UsageError(f"waiver file {waivers_file} does not exist")
            reporting.waivers = load_config(waivers_file).waivers
            reporting.waivers_origin = str(waivers_file)
        elif config is not None:
            reporting.waivers = config.waivers
            reporting.waivers_origin = str(config.path or "")
        if kwargs.get("fail_on") == "new" and reporting.baseline is None:
            click.echo("govstd: --fail-on new without --baseline: every error is new", err=True)
        return func(*args, reporting=reporting, **kwargs)

    return wrapper  # type: ignore[return-value]
