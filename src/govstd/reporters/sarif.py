"""The SARIF 2.1.0 reporter: code-scanning views (GitHub, GitLab, VS Code SARIF viewer).

One run, with:

* ``tool.driver.rules``: one reporting descriptor per finding code that occurs, with the
  catalogue's title (``shortDescription``), description (``fullDescription``), fix hint
  (``help``), default level, and ``helpUri`` pointing at the code's section of the findings
  catalogue (``docs/findings.md#<code without dots>``, the anchor the catalogue page uses);
* ``results``: one per kept finding, with ``ruleId``/``ruleIndex``, ``level``, the message,
  a physical location (artifact URI, ``startLine``/``startColumn`` when known) and logical
  locations: the record (``kind: object``) and the field or JSON Pointer inside it
  (``kind: member``); ``partialFingerprints`` carry the baseline fingerprint, waived
  findings carry an accepted ``suppression`` with the waiver's reason, and a baseline
  comparison sets ``baselineState`` (``new``/``unchanged``);
* ``artifacts``: one per source; ``invocations`` with the exit decision; ``properties``
  with the exact counts and record accounting.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from govstd.baseline import fingerprint
from govstd.findings import Finding, Severity

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.report import Report

__all__ = ["DOCS_URL", "SARIF_SCHEMA", "SarifReporter", "finding_anchor"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: where the findings catalogue (docs/findings.md) is published; override per reporter
DOCS_URL = "https://govstd.invalid/docs/findings.md"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def finding_anchor(code: str) -> str:
    """The anchor of a code's section in docs/findings.md (as ``catalogue_markdown`` links it)."""
    return code.replace(".", "")


def artifact_uri(source: str) -> tuple[str, bool]:
    """A URI reference for a source path, and whether it is relative to the checkout."""
    if PureWindowsPath(source).drive:
        return PureWindowsPath(source).as_uri(), False
    path = PurePosixPath(source.replace("\\", "/"))
    if path.is_absolute():
        return path.as_uri(), False
    return quote(str(path), safe="/"), True


class SarifReporter:
    """SARIF 2.1.0 JSON; see the module docstring."""

    name = "sarif"
    media_type = "application/sarif+json"

    def __init__(self, docs_url: str = DOCS_URL, fail_on: str = "error") -> None:
        self.docs_url = docs_url
        self.fail_on = fail_on

    def render(self, report: Report, *, catalogue: Catalogue, lang: str = "en") -> str:
        findings = report.all_findings()
        codes = sorted(set(report.counts) | {f.code for f in findings})
        rule_index = {code: i for i, code in enumerate(codes)}
        sources = [s.source for s in report.sources]
        sources += sorted({f.source for f in findings if f.source and f.source not in sources})
        artifact_index = {source: i for i, source in enumerate(sources)}
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "govstd",
                    "version": report.govstd_version or "0",
                    "semanticVersion": report.govstd_version or "0.0.0",
                    "informationUri": self.docs_url,
                    "rules": [self._rule(code, catalogue, lang) for code in codes],
                }
            },
            "artifacts": [self._artifact(source) for source in sources],
            "results": [
                self._result(f, rule_index, artifact_index, catalogue, lang) for f in findings
            ],
            "invocations": [
                {
                    "executionSuccessful": True,
                    "exitCode": report.exit_code(self.fail_on),
                }
            ],
            "language": "zh-CN" if lang == "zh" else "en-US",
            "columnKind": "unicodeCodePoints",
            "properties": {
                "target": report.target,
                "valid": report.valid,
                "truncated": report.truncated,
                "stats": report.stats.to_dict(),
                "counts": dict(sorted(report.counts.items())),
            },
        }
        if report.standard:
            run["properties"]["standard"] = report.standard
        if any(uri_relative for uri_relative in (artifact_uri(s)[1] for s in sources)):
            run["originalUriBaseIds"] = {
                "SRCROOT": {"description": {"text": "the directory govstd validate ran in"}}
            }
        document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

    def _rule(self, code: str, catalogue: Catalogue, lang: str) -> dict[str, Any]:
        entry = catalogue.get(code)
        rule: dict[str, Any] = {
            "id": code,
            "helpUri": f"{self.docs_url}#{finding_anchor(code)}",
        }
        if entry is None:
            rule["shortDescription"] = {"text": code}
            return rule
        rule["name"] = "".join(part.capitalize() for part in code.replace("-", ".").split("."))
        rule["shortDescription"] = {"text": entry.text("title", lang)}
        description = entry.text("description", lang)
        if description:
            rule["fullDescription"] = {"text": description}
        help_text = entry.text("hint", lang) or description or entry.text("title", lang)
        markdown = f"**{entry.text('title', lang)}**\n\n{description}"
        if entry.hint:
            markdown += f"\n\n{entry.text('hint', lang)}"
        if entry.example:
            markdown += f"\n\nExample: {entry.example}"
        rule["help"] = {"text": help_text, "markdown": markdown}
        rule["defaultConfiguration"] = {"level": _LEVELS[entry.severity]}
        rule["properties"] = {"tags": ["govstd", code.split(".", 1)[0]]}
        return rule

    @staticmethod
    def _artifact(source: str) -> dict[str, Any]:
        uri, relative = artifact_uri(source)
        location: dict[str, Any] = {"uri": uri}
        if relative:
            location["uriBaseId"] = "SRCROOT"
        return {"location": location}

    @staticmethod
    def _result(
        finding: Finding,
        rule_index: dict[str, int],
        artifact_index: dict[str, int],
        catalogue: Catalogue,
        lang: str,
    ) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": rule_index[finding.code],
            "level": _LEVELS[finding.severity],
            "message": {"text": catalogue.message(finding, lang) or finding.code},
            "partialFingerprints": {"govstdFinding/v1": fingerprint(finding)},
        }
        location: dict[str, Any] = {}
        if finding.source:
            uri, relative = artifact_uri(finding.source)
            artifact: dict[str, Any] = {"uri": uri, "index": artifact_index[finding.source]}
            if relative:
                artifact["uriBaseId"] = "SRCROOT"
            physical: dict[str, Any] = {"artifactLocation": artifact}
            if finding.location.line is not None:
                region: dict[str, Any] = {"startLine": finding.location.line}
                if finding.location.column is not None:
                    region["startColumn"] = finding.location.column
                physical["region"] = region
            location["physicalLocation"] = physical
        logical = _logical_locations(finding)
        if logical:
            location["logicalLocations"] = logical
        if location:
            result["locations"] = [location]
        if finding.waived is not None:
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": (
                        f"{finding.waived.get('reason', '')} "
                        f"(owner {finding.waived.get('owner', '')}, "
                        f"expires {finding.waived.get('expires', '')})"
                    ),
                    "properties": {"waiver": finding.waived.get("id", "")},
                }
            ]
        if finding.baseline is not None:
            result["baselineState"] = "new" if finding.baseline == "new" else "unchanged"
        properties: dict[str, Any] = {}
        if finding.keyword is not None:
            properties["keyword"] = finding.keyword
        if finding.record is not None:
            properties["record"] = finding.record
        if properties:
            result["properties"] = properties
        return result


def _logical_locations(finding: Finding) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    record_name = None
    if finding.record is not None:
        record_name = f"record[{finding.record}]"
        out.append(
            {
                "name": record_name,
                "fullyQualifiedName": f"{finding.source}#{record_name}"
                if finding.source
                else record_name,
                "kind": "object",
            }
        )
    location = finding.location
    member = location.pointer or location.field or location.xpath
    if member:
        qualified = member if location.pointer or location.xpath else f"/{member}"
        if record_name is not None:
            qualified = f"{record_name}{qualified}"
        entry: dict[str, Any] = {
            "name": location.field or member,
            "fullyQualifiedName": qualified,
            "kind": "member",
        }
        out.append(entry)
    return out
