"""The text reporter: findings grouped by code, with counts and first examples.

Written for people who are not developers: a verdict first, then each kind of problem with
its plain-language title, how often it occurs, the first few places, and how to fix it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govstd.findings import Finding

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.report import Report

__all__ = ["TextReporter"]

_LABELS = {
    "en": {
        "target": "checked against",
        "records": "{records} records: {passed} passed, {fixed} fixed, {rejected} rejected",
        "valid": "VALID",
        "invalid": "INVALID",
        "summary": "{verdict}: {errors} errors, {warnings} warnings, {infos} notes in {sources} source(s), {records} records",
        "more": "… and {n} more",
        "hint": "fix",
        "record": "record",
        "field": "field",
        "truncated": "Output truncated: {kept} of {total} findings shown (raise --max-findings to see more); counts above are exact.",
        "nothing": "No findings.",
        "file": "file",
        "waived": "waived by {id} ({owner}, until {expires})",
        "new": "new",
    },
    "zh": {
        "target": "依据",
        "records": "共 {records} 条记录：通过 {passed}，修正 {fixed}，拒绝 {rejected}",
        "valid": "通过",
        "invalid": "不通过",
        "summary": "{verdict}：{sources} 个数据源，{records} 条记录，错误 {errors} 个，警告 {warnings} 个，提示 {infos} 个",
        "more": "…… 另有 {n} 处",
        "hint": "修正建议",
        "record": "记录",
        "field": "字段",
        "truncated": "输出已截断：共 {total} 个问题，仅显示 {kept} 个（可调大 --max-findings）；以上计数是准确的。",
        "nothing": "未发现问题。",
        "file": "文件",
        "waived": "已豁免：{id}（{owner}，有效期至 {expires}）",
        "new": "新增",
    },
}


class TextReporter:
    """Plain text for terminals and CI logs."""

    name = "text"
    media_type = "text/plain"

    def __init__(self, examples_per_code: int = 3) -> None:
        self.examples_per_code = examples_per_code

    def render(self, report: Report, *, catalogue: Catalogue, lang: str = "en") -> str:
        labels = _LABELS.get(lang, _LABELS["en"])
        lines: list[str] = []
        target = report.target
        if report.standard:
            title = report.standard.get("title", {})
            target += f" ({title.get(lang) or title.get('en', '')}, {report.standard['status']})"
        lines.append(f"govstd {report.govstd_version}: {labels['target']} {target}")
        for source in report.sources:
            details = ", ".join(x for x in (source.format, source.encoding, source.standard) if x)
            lines.append(
                f"  {source.source}"
                + (f" ({details})" if details else "")
                + ": "
                + labels["records"].format(**source.stats.to_dict())
            )
        lines.append("")

        groups = report.code_heads(max(1, self.examples_per_code))
        for code, total in sorted(report.counts.items(), key=lambda kv: _group_order(kv, groups)):
            entry = catalogue.get(code)
            shown, kept = groups.get(code, ([], 0))
            severity = shown[0].severity.label if shown else (entry.severity.label if entry else "")
            title = entry.text("title", lang) if entry else code
            lines.append(f"{severity.upper()} {code} — {title} ({total})")
            for finding in shown[: self.examples_per_code]:
                lines.append(
                    "  "
                    + self._where(finding, labels)
                    + catalogue.message(finding, lang)
                    + self._marks(finding, labels)
                )
            hidden = total - min(kept, self.examples_per_code)
            if hidden > 0:
                lines.append("  " + labels["more"].format(n=hidden))
            hint = catalogue.hint(shown[0], lang) if shown else None
            if hint:
                lines.append(f"  {labels['hint']}: {hint}")
            lines.append("")
        if not report.counts:
            lines.append(labels["nothing"])
            lines.append("")

        stats = report.stats
        if report.truncated:
            lines.append(
                labels["truncated"].format(
                    kept=len(report.findings) + len(report.notes), total=sum(report.counts.values())
                )
            )
        lines.append(
            labels["summary"].format(
                verdict=labels["valid"] if report.valid else labels["invalid"],
                sources=len(report.sources),
                **stats.to_dict(),
            )
        )
        return "\n".join(lines) + "\n"

    @staticmethod
    def _marks(finding: Finding, labels: dict[str, str]) -> str:
        """`` [new]`` against a baseline, `` [waived by …]`` for an accepted finding."""
        marks = []
        if finding.baseline == "new":
            marks.append(labels["new"])
        if finding.waived:
            waiver = {"id": "?", "owner": "?", "expires": "?", **finding.waived}
            marks.append(labels["waived"].format(**waiver))
        return "".join(f" [{mark}]" for mark in marks)

    @staticmethod
    def _where(finding: Finding, labels: dict[str, str]) -> str:
        parts = []
        place = finding.source or ""
        if finding.location.line is not None:
            place += f":{finding.location.line}"
            if finding.location.column is not None:
                place += f":{finding.location.column}"
        if place:
            parts.append(place)
        if finding.record is not None:
            parts.append(f"{labels['record']} {finding.record}")
        if finding.location.pointer:
            parts.append(finding.location.pointer)
        elif finding.location.field:
            parts.append(f"{labels['field']} {finding.location.field}")
        elif finding.location.xpath:
            parts.append(finding.location.xpath)
        text = ", ".join(parts)
        return f"{text}: " if text else ""


def _group_order(
    item: tuple[str, int], groups: dict[str, tuple[list[Finding], int]]
) -> tuple[int, int, str]:
    code, total = item
    shown = groups.get(code, ([], 0))[0]
    severity = -shown[0].severity if shown else 0
    return (severity, -total, code)
