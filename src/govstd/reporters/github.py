"""The GitHub Actions reporter: workflow commands that become annotations on the run and the PR.

One line per kept finding::

    ::error file=exports/people.csv,line=3,col=8,title=field.pattern::record 2, field phone: …

``error`` for errors, ``warning`` for warnings, ``notice`` for notes and for waived findings
(their text says who waived them and until when). Values are escaped as the Actions runner
expects: ``%`` → ``%25``, ``\\r`` → ``%0D``, ``\\n`` → ``%0A`` everywhere, and in properties
also ``:`` → ``%3A`` and ``,`` → ``%2C``. At most ``per_code`` annotations are written per
code (GitHub shows only the first few per step anyway); a final ``notice`` gives the totals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govstd.findings import Finding, Severity
from govstd.reporters.labels import label, place

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.report import Report

__all__ = ["GithubReporter", "escape_data", "escape_property"]

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (``file``, ``title`` …)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter:
    """GitHub Actions workflow commands; see the module docstring."""

    name = "github"
    media_type = "text/plain"

    def __init__(self, per_code: int = 50) -> None:
        self.per_code = per_code

    def render(self, report: Report, *, catalogue: Catalogue, lang: str = "en") -> str:
        lines = []
        shown: dict[str, int] = {}
        for finding in report.all_findings():
            shown[finding.code] = shown.get(finding.code, 0) + 1
            if shown[finding.code] <= self.per_code:
                lines.append(self.command(finding, catalogue, lang))
        for code, total in sorted(report.counts.items()):
            hidden = total - min(shown.get(code, 0), self.per_code)
            if hidden > 0:
                lines.append(
                    f"::notice title={escape_property(code)}::"
                    + escape_data(label("more", lang, n=hidden))
                )
        stats = report.stats
        verdict = "valid" if report.valid else "invalid"
        summary = (
            f"govstd {report.target}: {verdict}; {stats.records} records, {stats.passed} passed, "
            f"{stats.rejected} rejected; {stats.errors} errors, {stats.warnings} warnings"
        )
        waived = report.waived_stats()
        if waived.errors + waived.warnings + waived.infos:
            summary += f"; {waived.errors + waived.warnings + waived.infos} waived"
        if report.baseline is not None:
            summary += (
                f"; baseline: {report.baseline['new']} new, {report.baseline['open']} open, "
                f"{report.baseline['fixed']} fixed"
            )
        lines.append(f"::notice title=govstd::{escape_data(summary)}")
        return "\n".join(lines) + "\n"

    @staticmethod
    def command(finding: Finding, catalogue: Catalogue, lang: str) -> str:
        command = "notice" if finding.waived is not None else _COMMANDS[finding.severity]
        props = []
        if finding.source:
            props.append(f"file={escape_property(finding.source)}")
            if finding.location.line is not None:
                props.append(f"line={finding.location.line}")
                if finding.location.column is not None:
                    props.append(f"col={finding.location.column}")
        props.append(f"title={escape_property(finding.code)}")
        where = place(finding, lang)
        message = catalogue.message(finding, lang)
        if where:
            message = f"{where}: {message}"
        if finding.waived is not None:
            waiver = finding.waived
            message += (
                f" [{label('waived', lang)}: {waiver.get('reason', '')}; "
                f"{waiver.get('owner', '')}; {waiver.get('expires', '')}]"
            )
        if finding.baseline is not None:
            message += f" [{label(finding.baseline, lang)}]"
        return f"::{command} {','.join(props)}::{escape_data(message)}"
