"""The HTML reporter: one self-contained page a procurement officer can read.

No scripts, no fonts, no images, no links out: one file with inline CSS and a
Content-Security-Policy that forbids loading anything, so it opens the same offline, attached
to an e-mail or archived with a tender. In English or Chinese (``lang``).

Order of the page: the verdict and summary first; then the findings grouped by code, each a
collapsible ``<details>`` with its count, the catalogue's plain-language explanation and fix,
the standard's title and description of the fields concerned, and the first examples (at most
``examples_per_code``) with the source row each one comes from; then per-field statistics
(filled, valid, fixed, rejected); waivers and baseline comparison when used; finally the
standard and govstd versions. The page size is bounded by the number of codes and fields,
not by the number of findings.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from govstd.fieldstats import finding_field
from govstd.findings import MISSING, Finding, Severity
from govstd.report import FieldStats

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.report import Report

__all__ = ["HtmlReporter"]

_TEXT = {
    "en": {
        "title": "Data validation report",
        "target": "Checked against",
        "conforms": "Conforms",
        "conforms_waived": "Conforms, with waived findings",
        "fails": "Does not conform",
        "summary": "{records} records in {sources} source(s): {passed} passed, {fixed} fixed, {rejected} rejected. {errors} errors, {warnings} warnings, {infos} notes.",
        "records": "Records",
        "passed": "Passed",
        "fixed": "Fixed",
        "rejected": "Rejected",
        "errors": "Errors",
        "warnings": "Warnings",
        "infos": "Notes",
        "waived": "Waived",
        "sources": "Sources",
        "source": "Source",
        "format": "Format",
        "encoding": "Encoding",
        "findings": "Findings by type",
        "nothing": "No findings: every record conforms.",
        "explain": "What it means",
        "fix": "How to fix",
        "fields_concerned": "Fields concerned",
        "examples": "First examples",
        "where": "Where",
        "record": "Record",
        "field": "Field",
        "value": "Value",
        "message": "Message",
        "row": "Source row",
        "more": "… and {n} more not shown here (the JSON report lists every kept finding).",
        "truncated": "Only the first {kept} of {total} findings were kept (--max-findings); the counts are exact.",
        "field_stats": "Fields",
        "filled": "Filled",
        "valid": "Valid",
        "field_findings": "Findings",
        "waivers": "Waivers",
        "owner": "Owner",
        "reason": "Reason",
        "expires": "Expires",
        "status": "Status",
        "matched": "Matched",
        "code": "Code",
        "baseline": "Compared with the baseline",
        "new": "New",
        "open": "Still open",
        "fixed_since": "Fixed",
        "versions": "Standard {standard} ({status}); govstd {govstd}.",
        "schema_versions": "Schema {target}; govstd {govstd}.",
        "error": "error",
        "warning": "warning",
        "info": "note",
        "waived_by": "waived by {id} ({owner}, until {expires})",
    },
    "zh": {
        "title": "数据校验报告",
        "target": "校验依据",
        "conforms": "符合标准",
        "conforms_waived": "符合标准（含已豁免的问题）",
        "fails": "不符合标准",
        "summary": "{sources} 个数据源共 {records} 条记录：通过 {passed} 条，修正 {fixed} 条，拒绝 {rejected} 条。错误 {errors} 个，警告 {warnings} 个，提示 {infos} 个。",
        "records": "记录数",
        "passed": "通过",
        "fixed": "修正",
        "rejected": "拒绝",
        "errors": "错误",
        "warnings": "警告",
        "infos": "提示",
        "waived": "已豁免",
        "sources": "数据源",
        "source": "数据源",
        "format": "格式",
        "encoding": "编码",
        "findings": "问题分类",
        "nothing": "未发现问题：全部记录符合标准。",
        "explain": "含义",
        "fix": "修正方法",
        "fields_concerned": "涉及字段",
        "examples": "示例",
        "where": "位置",
        "record": "记录",
        "field": "字段",
        "value": "值",
        "message": "说明",
        "row": "原始记录",
        "more": "…… 另有 {n} 处未在此列出（JSON 报告列出全部保留的问题）。",
        "truncated": "共 {total} 个问题，仅保留前 {kept} 个（--max-findings）；计数是准确的。",
        "field_stats": "字段统计",
        "filled": "已填",
        "valid": "有效",
        "field_findings": "问题数",
        "waivers": "豁免",
        "owner": "负责人",
        "reason": "理由",
        "expires": "到期日",
        "status": "状态",
        "matched": "匹配数",
        "code": "代码",
        "baseline": "与基线比较",
        "new": "新增",
        "open": "仍存在",
        "fixed_since": "已修正",
        "versions": "标准 {standard}（{status}）；govstd {govstd}。",
        "schema_versions": "模式 {target}；govstd {govstd}。",
        "error": "错误",
        "warning": "警告",
        "info": "提示",
        "waived_by": "已由 {id} 豁免（{owner}，至 {expires}）",
    },
}

_CSS = """
:root{--ok:#0a7d32;--bad:#b42318;--warn:#9a6700;--muted:#5b6470;--line:#d9dde3;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2328;background:#fff}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h4{margin:12px 0 4px;font-size:14px}
.muted{color:var(--muted)}
.verdict{border-radius:8px;padding:16px 20px;margin:16px 0;color:#fff}
.verdict.ok{background:var(--ok)}.verdict.fail{background:var(--bad)}.verdict.waived{background:var(--warn)}
.verdict strong{font-size:22px;display:block}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:110px;background:var(--bg)}
.card b{display:block;font-size:20px}
table{border-collapse:collapse;width:100%;margin:6px 0;font-size:14px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg)}
td.n{text-align:right;font-variant-numeric:tabular-nums}
details{border:1px solid var(--line);border-radius:6px;margin:8px 0;background:#fff}
details>summary{cursor:pointer;padding:8px 12px;background:var(--bg);border-radius:6px}
details[open]>summary{border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}
details>div{padding:4px 14px 12px}
.sev{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:10px;color:#fff;margin-right:6px}
.sev.error{background:var(--bad)}.sev.warning{background:var(--warn)}.sev.info{background:var(--muted)}
.count{float:right;font-weight:600}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;background:var(--bg);padding:0 3px;border-radius:3px}
.row td{background:#fbfbfc}
.scroll{overflow-x:auto;max-width:100%}
.examples td{word-break:break-word}
.row table{margin:0}
.row .hit{background:#ffe9e6;font-weight:600}
.tag{font-size:12px;border-radius:4px;padding:0 5px;border:1px solid var(--line);margin-left:4px}
.bar{background:var(--bg);height:8px;border-radius:4px;overflow:hidden;min-width:80px}
.bar span{display:block;height:8px;background:var(--ok)}
footer{margin-top:32px;color:var(--muted);font-size:13px;border-top:1px solid var(--line);padding-top:8px}
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _show(value: Any) -> str:
    if value is MISSING:
        return ""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class HtmlReporter:
    """A self-contained HTML page; see the module docstring."""

    name = "html"
    media_type = "text/html"

    def __init__(self, examples_per_code: int = 10, rows_per_code: int = 3) -> None:
        self.examples_per_code = examples_per_code
        self.rows_per_code = rows_per_code

    def render(self, report: Report, *, catalogue: Catalogue, lang: str = "en") -> str:
        t = _TEXT.get(lang, _TEXT["en"])
        parts: list[str] = [
            "<!DOCTYPE html>",
            f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="govstd {_e(report.govstd_version)}">',
            f"<title>{_e(t['title'])}: {_e(report.target)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body><main>",
        ]
        parts += self._header(report, t, lang)
        parts += self._findings(report, catalogue, t, lang)
        parts += self._fields(report, t, lang)
        parts += self._waivers(report, t)
        parts += self._baseline(report, t)
        parts.append(f"<footer>{self._versions(report, t)}</footer>")
        parts.append("</main></body></html>")
        return "\n".join(parts) + "\n"

    # -- sections ----------------------------------------------------------------------------

    def _header(self, report: Report, t: dict[str, str], lang: str) -> list[str]:
        stats = report.stats
        waived = report.waived_stats()
        if report.valid:
            verdict, css = t["conforms"], "ok"
        elif report.unwaived_worst() != Severity.ERROR:
            verdict, css = t["conforms_waived"], "waived"
        else:
            verdict, css = t["fails"], "fail"
        target = report.target
        if report.standard:
            title = report.standard.get("title", {})
            name = title.get(lang) or title.get("en", "")
            target = f"{report.target} — {name}" if name else report.target
        summary = t["summary"].format(sources=len(report.sources), **stats.to_dict())
        out = [
            f"<h1>{_e(t['title'])}</h1>",
            f'<p class="muted">{_e(t["target"])}: <strong>{_e(target)}</strong></p>',
            f'<section class="verdict {css}" id="verdict"><strong>{_e(verdict)}</strong>'
            f"{_e(summary)}</section>",
            '<div class="cards">',
        ]
        waived_total = waived.errors + waived.warnings + waived.infos
        cards = [
            ("records", stats.records),
            ("passed", stats.passed),
            ("fixed", stats.fixed),
            ("rejected", stats.rejected),
            ("errors", stats.errors),
            ("warnings", stats.warnings),
            ("infos", stats.infos),
        ]
        if waived_total:
            cards.append(("waived", waived_total))
        out += [f'<div class="card">{_e(t[k])}<b>{v}</b></div>' for k, v in cards]
        out.append("</div>")
        if report.truncated:
            total = sum(report.counts.values())
            kept = len(report.findings) + len(report.notes)
            out.append(f'<p class="muted">{_e(t["truncated"].format(kept=kept, total=total))}</p>')
        out.append(f"<h2>{_e(t['sources'])}</h2><table><thead><tr>")
        heads = (
            "source",
            "format",
            "encoding",
            "records",
            "passed",
            "fixed",
            "rejected",
            "errors",
            "warnings",
        )
        out.append("".join(f"<th>{_e(t[h])}</th>" for h in heads) + "</tr></thead><tbody>")
        for source in report.sources:
            s = source.stats
            out.append(
                f"<tr><td><code>{_e(source.source)}</code></td><td>{_e(source.format or '')}</td>"
                f"<td>{_e(source.encoding or '')}</td>"
                + "".join(
                    f'<td class="n">{v}</td>'
                    for v in (s.records, s.passed, s.fixed, s.rejected, s.errors, s.warnings)
                )
                + "</tr>"
            )
        out.append("</tbody></table>")
        return out

    def _findings(
        self, report: Report, catalogue: Catalogue, t: dict[str, str], lang: str
    ) -> list[str]:
        out = [f'<h2 id="findings">{_e(t["findings"])}</h2>']
        if not report.counts:
            out.append(f"<p>{_e(t['nothing'])}</p>")
            return out
        groups = report.by_code()
        fields = {f.name: f for f in report.fields}

        def order(item: tuple[str, int]) -> tuple[int, int, str]:
            code, total = item
            shown = groups.get(code)
            entry = catalogue.get(code)
            severity = shown[0].severity if shown else (entry.severity if entry else 0)
            return (-int(severity), -total, code)

        for n, (code, total) in enumerate(sorted(report.counts.items(), key=order)):
            shown = groups.get(code, [])
            entry = catalogue.get(code)
            severity = shown[0].severity if shown else (entry.severity if entry else Severity.ERROR)
            title = entry.text("title", lang) if entry else code
            waived = sum(1 for f in shown if f.waived is not None)
            tag = f'<span class="tag">{_e(t["waived"])} {waived}</span>' if waived else ""
            out.append(
                f'<details class="group" id="code-{_e(code)}"{" open" if n == 0 else ""}>'
                f'<summary><span class="sev {severity.label}">{_e(t[severity.label])}</span>'
                f"<code>{_e(code)}</code> {_e(title)}{tag}"
                f'<span class="count">{total}</span></summary><div>'
            )
            if entry is not None:
                out.append(
                    f"<h4>{_e(t['explain'])}</h4><p>{_e(entry.text('description', lang))}</p>"
                )
            hint = (
                catalogue.hint(shown[0], lang)
                if shown
                else (entry.text("hint", lang) if entry else "")
            )
            if hint:
                out.append(f"<h4>{_e(t['fix'])}</h4><p>{_e(hint)}</p>")
            out += self._fields_concerned(shown, fields, t, lang)
            out += self._examples(report, shown, total, catalogue, t, lang)
            out.append("</div></details>")
        return out

    @staticmethod
    def _fields_concerned(
        shown: list[Finding], fields: dict[str, FieldStats], t: dict[str, str], lang: str
    ) -> list[str]:
        names: dict[str, None] = {}
        for finding in shown:
            name = finding_field(finding)
            if name is not None:
                names.setdefault(name, None)
        documented = [fields[n] for n in names if n in fields and fields[n].title][:6]
        if not documented:
            return []
        out = [f"<h4>{_e(t['fields_concerned'])}</h4><dl>"]
        for field in documented:
            out.append(
                f"<dt><strong>{_e(field.text('title', lang))}</strong> <code>{_e(field.name)}</code></dt>"
                f"<dd>{_e(field.text('description', lang))}</dd>"
            )
        out.append("</dl>")
        return out

    def _examples(
        self,
        report: Report,
        shown: list[Finding],
        total: int,
        catalogue: Catalogue,
        t: dict[str, str],
        lang: str,
    ) -> list[str]:
        if not shown:
            return [f'<p class="muted">{_e(t["more"].format(n=total))}</p>']
        out = [
            f'<h4>{_e(t["examples"])}</h4><table class="examples"><thead><tr>'
            + "".join(
                f"<th>{_e(t[h])}</th>" for h in ("where", "record", "field", "value", "message")
            )
            + "</tr></thead><tbody>"
        ]
        rows_left = self.rows_per_code
        for finding in shown[: self.examples_per_code]:
            where = finding.source or report.target
            if finding.location.line is not None:
                where += f":{finding.location.line}"
                if finding.location.column is not None:
                    where += f":{finding.location.column}"
            place = (
                finding.location.pointer or finding.location.field or finding.location.xpath or ""
            )
            message = catalogue.message(finding, lang)
            if finding.waived is not None:
                message += " — " + t["waived_by"].format(
                    **{k: finding.waived.get(k, "") for k in ("id", "owner", "expires")}
                )
            if finding.baseline is not None:
                message += f" [{t['new'] if finding.baseline == 'new' else t['open']}]"
            out.append(
                f"<tr><td><code>{_e(where)}</code></td>"
                f'<td class="n">{"" if finding.record is None else finding.record}</td>'
                f"<td><code>{_e(place)}</code></td><td><code>{_e(_show(finding.value))}</code></td>"
                f"<td>{_e(message)}</td></tr>"
            )
            row = report.samples.get(finding.source, {}).get(finding.record or 0)
            if row is not None and rows_left > 0:
                rows_left -= 1
                out.append(self._row(row, finding_field(finding), t))
        out.append("</tbody></table>")
        hidden = total - min(len(shown), self.examples_per_code)
        if hidden > 0:
            out.append(f'<p class="muted">{_e(t["more"].format(n=hidden))}</p>')
        return out

    @staticmethod
    def _row(values: dict[str, Any], hit: str | None, t: dict[str, str]) -> str:
        heads = "".join(f"<th>{_e(k)}</th>" for k in values)
        hit_cell = '<td class="hit">'
        cells = "".join(
            f"{hit_cell if k == hit else '<td>'}{_e(_show(v))}</td>" for k, v in values.items()
        )
        return (
            f'<tr class="row"><td class="muted">{_e(t["row"])}</td><td colspan="4"><div class="scroll">'
            f"<table><thead><tr>{heads}</tr></thead><tbody><tr>{cells}</tr></tbody></table>"
            "</div></td></tr>"
        )

    @staticmethod
    def _fields(report: Report, t: dict[str, str], lang: str) -> list[str]:
        if not report.fields:
            return []
        records = report.stats.records
        out = [
            f'<h2 id="fields">{_e(t["field_stats"])}</h2><table><thead><tr>'
            + "".join(
                f"<th>{_e(t[h])}</th>"
                for h in ("field", "filled", "valid", "fixed", "rejected", "field_findings")
            )
            + "<th></th></tr></thead><tbody>"
        ]
        for field in report.fields:
            title = field.text("title", lang)
            share = 100 * field.valid / records if records else 0
            out.append(
                f"<tr><td><code>{_e(field.name)}</code>"
                + (f" {_e(title)}" if title else "")
                + "</td>"
                + "".join(
                    f'<td class="n">{v}</td>'
                    for v in (
                        field.filled,
                        field.valid,
                        field.fixed,
                        field.rejected,
                        field.findings,
                    )
                )
                + f'<td><div class="bar" title="{share:.0f}%"><span style="width:{share:.1f}%"></span></div></td></tr>'
            )
        out.append("</tbody></table>")
        return out

    @staticmethod
    def _waivers(report: Report, t: dict[str, str]) -> list[str]:
        if not report.waivers:
            return []
        out = [
            f'<h2 id="waivers">{_e(t["waivers"])}</h2><table><thead><tr>'
            + "".join(
                f"<th>{_e(t[h])}</th>"
                for h in ("code", "where", "owner", "reason", "expires", "status", "matched")
            )
            + "</tr></thead><tbody>"
        ]
        for waiver in report.waivers:
            where = ", ".join(
                f"{k}={waiver[k]}" for k in ("source", "records", "field", "value") if k in waiver
            )
            out.append(
                f"<tr><td><code>{_e(waiver.get('code', ''))}</code></td><td>{_e(where)}</td>"
                f"<td>{_e(waiver.get('owner', ''))}</td><td>{_e(waiver.get('reason', ''))}</td>"
                f"<td>{_e(waiver.get('expires', ''))}</td><td>{_e(waiver.get('status', ''))}</td>"
                f'<td class="n">{_e(waiver.get("matched", 0))}</td></tr>'
            )
        out.append("</tbody></table>")
        return out

    @staticmethod
    def _baseline(report: Report, t: dict[str, str]) -> list[str]:
        if report.baseline is None:
            return []
        b = report.baseline
        return [
            f'<h2 id="baseline">{_e(t["baseline"])}</h2>',
            f'<p class="muted"><code>{_e(b.get("file", ""))}</code></p><div class="cards">',
            f'<div class="card">{_e(t["new"])}<b>{_e(b.get("new", 0))}</b></div>',
            f'<div class="card">{_e(t["open"])}<b>{_e(b.get("open", 0))}</b></div>',
            f'<div class="card">{_e(t["fixed_since"])}<b>{_e(b.get("fixed", 0))}</b></div></div>',
        ]

    @staticmethod
    def _versions(report: Report, t: dict[str, str]) -> str:
        if report.standard:
            ref = f"{report.standard.get('id', '')}@{report.standard.get('version', '')}"
            return _e(
                t["versions"].format(
                    standard=ref,
                    status=report.standard.get("status", ""),
                    govstd=report.govstd_version,
                )
            )
        return _e(t["schema_versions"].format(target=report.target, govstd=report.govstd_version))
