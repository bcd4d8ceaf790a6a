"""The JUnit XML reporter: what CI systems (GitLab, Jenkins, Azure, GitHub test reporters) render.

Layout — **one test case per source × finding code**:

* one ``<testsuite>`` per source (named after it), plus one named after the target for
  findings about the target itself (a deprecated standard, waiver notes);
* in each, one ``<testcase>`` per finding code found there (``name`` = the code and its title,
  ``classname`` = ``govstd.`` + the source). It holds a ``<failure>`` when the code has
  unwaived findings at or above ``fail_on`` severity (``message`` = the exact count and the
  title; the body lists the first findings with their places); a ``<skipped>`` when every
  finding of the code was waived; otherwise (warnings below the threshold) it passes, with
  the findings in ``<system-out>``;
* a source without findings gets one passing test case, "conforms to <target>".

So ``failures`` counts the (source, code) pairs that fail, not individual findings; the exact
number of findings is in each failure's ``message`` and in the suite's properties.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from govstd.findings import Finding, Severity
from govstd.reporters.labels import label, place, position, xml_safe

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.report import Report

__all__ = ["JUnitReporter"]


class JUnitReporter:
    """JUnit XML (the de-facto schema Jenkins and Ant use); see the module docstring."""

    name = "junit"
    media_type = "application/xml"

    def __init__(self, fail_on: str = "error", examples_per_case: int = 20) -> None:
        self.fail_on = fail_on
        self.examples_per_case = examples_per_case

    def render(self, report: Report, *, catalogue: Catalogue, lang: str = "en") -> str:
        root = ET.Element("testsuites", name=_s(f"govstd {report.target}"))
        grouped: dict[str, dict[str, list[Finding]]] = {}
        for finding in report.all_findings():
            grouped.setdefault(finding.source, {}).setdefault(finding.code, []).append(finding)

        totals = {"tests": 0, "failures": 0, "skipped": 0}
        for source in report.sources:
            counts = dict(source.counts) or {
                code: len(items) for code, items in grouped.get(source.source, {}).items()
            }
            suite = self._suite(root, source.source, report)
            for key, value in source.stats.to_dict().items():
                ET.SubElement(_props(suite), "property", name=key, value=str(value))
            self._cases(
                suite,
                source.source,
                counts,
                grouped.get(source.source, {}),
                report,
                catalogue,
                lang,
            )
            _add_totals(totals, suite)
        listed = {source.source for source in report.sources}
        for name, by_code in grouped.items():
            if name and name not in listed:  # findings of a source the report does not list
                suite = self._suite(root, name, report)
                counts = {code: len(items) for code, items in by_code.items()}
                self._cases(suite, name, counts, by_code, report, catalogue, lang)
                _add_totals(totals, suite)
        notes = grouped.get("", {})
        if notes:
            suite = self._suite(root, report.target, report)
            counts = {code: len(items) for code, items in notes.items()}
            self._cases(suite, report.target, counts, notes, report, catalogue, lang)
            _add_totals(totals, suite)
        for key, value in totals.items():
            root.set(key, str(value))
        root.set("errors", "0")
        root.set("time", "0")
        ET.indent(root)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode")
            + "\n"
        )

    @staticmethod
    def _suite(root: ET.Element, name: str, report: Report) -> ET.Element:
        suite = ET.SubElement(root, "testsuite", name=_s(name or "<stdin>"))
        props = _props(suite)
        ET.SubElement(props, "property", name="target", value=_s(report.target))
        ET.SubElement(props, "property", name="govstd_version", value=_s(report.govstd_version))
        return suite

    def _cases(
        self,
        suite: ET.Element,
        source: str,
        counts: dict[str, int],
        findings: dict[str, list[Finding]],
        report: Report,
        catalogue: Catalogue,
        lang: str,
    ) -> None:
        classname = _s("govstd." + (source or report.target))
        threshold = None if self.fail_on in ("never", "new") else Severity.parse(self.fail_on)
        tests = failures = skipped = 0
        for code in sorted(counts):
            kept = findings.get(code, [])
            entry = catalogue.get(code)
            title = entry.text("title", lang) if entry else code
            case = ET.SubElement(
                suite, "testcase", name=_s(f"{code}: {title}"), classname=classname, time="0"
            )
            tests += 1
            total = counts[code]
            open_ = [f for f in kept if f.waived is None]
            waived = len(kept) - len(open_)
            failing = [f for f in open_ if self._fails(f, threshold)]
            # findings dropped by --max-findings are unseen, hence unwaived: they fail too
            dropped = total - len(kept)
            severity = kept[0].severity if kept else (entry.severity if entry else Severity.ERROR)
            unseen_fail = dropped > 0 and threshold is not None and severity >= threshold
            if failing or unseen_fail:
                failures += 1
                message = f"{label('findings', lang, n=total)}: {title}"
                if waived:
                    message += f" ({waived} {label('waived', lang)})"
                failure = ET.SubElement(case, "failure", message=_s(message), type=code)
                failure.text = _s(self._lines(failing or open_, total - waived, catalogue, lang))
            elif kept and not open_ and dropped == 0:
                skipped += 1
                first = kept[0].waived or {}
                ET.SubElement(
                    case,
                    "skipped",
                    message=_s(
                        f"{label('waived', lang)}: {first.get('reason', '')} "
                        f"({first.get('owner', '')}, {first.get('expires', '')})"
                    ),
                )
            else:
                out = ET.SubElement(case, "system-out")
                out.text = _s(self._lines(open_ or kept, total, catalogue, lang))
        if not counts:
            ET.SubElement(
                suite,
                "testcase",
                name=_s(label("conforms", lang, target=report.target)),
                classname=classname,
                time="0",
            )
            tests += 1
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        suite.set("time", "0")

    def _fails(self, finding: Finding, threshold: Severity | None) -> bool:
        if self.fail_on == "new":
            return finding.is_error and finding.baseline != "open"
        return threshold is not None and finding.severity >= threshold

    def _lines(self, findings: list[Finding], total: int, catalogue: Catalogue, lang: str) -> str:
        lines = []
        for finding in findings[: self.examples_per_case]:
            where = ", ".join(x for x in (position(finding), place(finding, lang)) if x)
            text = catalogue.message(finding, lang)
            lines.append(f"{where}: {text}" if where else text)
        hidden = total - min(len(findings), self.examples_per_case)
        if hidden > 0:
            lines.append(label("more", lang, n=hidden))
        hint = catalogue.hint(findings[0], lang) if findings else None
        if hint:
            lines.append(hint)
        return "\n".join(lines)


def _props(suite: ET.Element) -> ET.Element:
    props = suite.find("properties")
    if props is None:
        props = ET.SubElement(suite, "properties")
    return props


def _add_totals(totals: dict[str, int], suite: ET.Element) -> None:
    for key in totals:
        totals[key] += int(suite.get(key, "0"))


def _s(text: str) -> str:
    return xml_safe(str(text))
