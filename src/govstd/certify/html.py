"""The certificate as one readable, self-contained HTML page (English or Chinese).

Like the HTML report (:mod:`govstd.reporters.html`): no scripts, fonts, images or links out,
inline CSS and a Content-Security-Policy that forbids loading anything, so it can be archived
with a tender. Order: verdict and level; requirements by level, each with its verdict and,
when failed, the catalogue's message and how to fix it; the round trip (seed, examples, the
minimal counterexample); sample accounting; waivers; then the pins (standard files, adapter
distribution and files, samples, govstd version) and the signature.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

from govstd.findings import Finding, Severity

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.certify.certificate import Certificate

__all__ = ["render_certificate"]

_TEXT = {
    "en": {
        "title": "Conformance certificate",
        "conforms": "Conforms",
        "fails": "Does not conform",
        "level": "Conformance level: {level}",
        "levels": {
            "full": "full (every requirement met)",
            "core": "core (every mandatory requirement met)",
            "none": "none (a mandatory requirement is not met)",
        },
        "what": "{adapter} ({distribution} {version}) against {standard}, certified on {as_of}.",
        "requirements": "Requirements",
        "mandatory": "Mandatory",
        "recommended": "Recommended",
        "requirement": "Requirement",
        "verdict": "Verdict",
        "pass": "pass",
        "waived": "pass (waived)",
        "fail": "fail",
        "why": "Why",
        "fix": "How to fix",
        "summary": "{passed} passed, {failed} failed",
        "roundtrip": "Round trip canonical → vendor → canonical",
        "roundtrip_text": "Seed {seed}, {examples} examples ({tried} tried, {records} records compared). Fields the layout does not carry: {unmapped}.",
        "counterexample": "Minimal counterexample",
        "samples": "Sample exports",
        "accounting": "{records} records: {passed} passed, {fixed} fixed, {rejected} rejected; {errors} errors, {warnings} warnings, {infos} notes.",
        "waivers": "Waivers",
        "owner": "Owner",
        "reason": "Reason",
        "expires": "Expires",
        "status": "Status",
        "matched": "Matched",
        "code": "Code",
        "pins": "What this certificate pins (SHA-256)",
        "file": "File",
        "digest": "Digest",
        "standard_files": "Standard {ref} ({status})",
        "adapter_files": "Adapter {name}: distribution {distribution} {version}",
        "bytes": "Bytes",
        "signature": "Signed with Ed25519 key {key_id}.",
        "unsigned": "This certificate is not signed.",
        "footer": "govstd {govstd}; issued {issued}. Re-check with: govstd verify-certificate certificate.json --recheck",
        "none": "none",
    },
    "zh": {
        "title": "一致性认证证书",
        "conforms": "符合标准",
        "fails": "不符合标准",
        "level": "一致性等级：{level}",
        "levels": {
            "full": "完全符合（满足全部要求）",
            "core": "核心符合（满足全部强制性要求）",
            "none": "不符合（存在未满足的强制性要求）",
        },
        "what": "{adapter}（{distribution} {version}）对照 {standard}，认证日期 {as_of}。",
        "requirements": "要求",
        "mandatory": "强制性",
        "recommended": "推荐性",
        "requirement": "要求",
        "verdict": "结论",
        "pass": "通过",
        "waived": "通过（已豁免）",
        "fail": "未通过",
        "why": "原因",
        "fix": "修正方法",
        "summary": "通过 {passed} 项，未通过 {failed} 项",
        "roundtrip": "往返转换：标准 → 厂商 → 标准",
        "roundtrip_text": "种子 {seed}，用例 {examples} 个（实际运行 {tried} 个，比较记录 {records} 条）。厂商格式不含的字段：{unmapped}。",
        "counterexample": "最小反例",
        "samples": "样例导出",
        "accounting": "共 {records} 条记录：通过 {passed} 条，修正 {fixed} 条，拒绝 {rejected} 条；错误 {errors} 个，警告 {warnings} 个，提示 {infos} 个。",
        "waivers": "豁免",
        "owner": "负责人",
        "reason": "理由",
        "expires": "到期日",
        "status": "状态",
        "matched": "匹配数",
        "code": "代码",
        "pins": "本证书固定的内容（SHA-256）",
        "file": "文件",
        "digest": "摘要",
        "standard_files": "标准 {ref}（{status}）",
        "adapter_files": "适配器 {name}：发行包 {distribution} {version}",
        "bytes": "字节",
        "signature": "已使用 Ed25519 密钥 {key_id} 签名。",
        "unsigned": "本证书未签名。",
        "footer": "govstd {govstd}；签发时间 {issued}。复核命令：govstd verify-certificate certificate.json --recheck",
        "none": "无",
    },
}

_CSS = """
:root{--ok:#0a7d32;--bad:#b42318;--warn:#9a6700;--muted:#5b6470;--line:#d9dde3;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2328}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid var(--line)}
.verdict{border-radius:8px;padding:16px 20px;margin:16px 0;color:#fff}
.verdict.ok{background:var(--ok)}.verdict.fail{background:var(--bad)}
.verdict strong{font-size:22px;display:block}
table{border-collapse:collapse;width:100%;margin:6px 0;font-size:14px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;word-break:break-word}
th{background:var(--bg)}
.v{font-weight:600;white-space:nowrap}.v.pass,.v.waived{color:var(--ok)}.v.fail{color:var(--bad)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;background:var(--bg)}
pre{padding:8px;overflow-x:auto;white-space:pre-wrap}
.muted{color:var(--muted)}
footer{margin-top:32px;color:var(--muted);font-size:13px;border-top:1px solid var(--line);padding-top:8px}
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _explain(result: dict[str, Any], catalogue: Catalogue, lang: str) -> tuple[str, str]:
    """The failed requirement's message and hint in ``lang`` (from the catalogue)."""
    code = result.get("code")
    message = str(result.get("message", ""))
    if not code or code not in catalogue:
        return message, ""
    finding = Finding(
        code=code,
        severity=Severity.ERROR,
        message=message,
        params=dict(result.get("params", {})),
    )
    return catalogue.message(finding, lang), catalogue.hint(finding, lang) or ""


def render_certificate(certificate: Certificate, *, catalogue: Catalogue, lang: str = "en") -> str:
    """The certificate as an HTML page in ``lang`` (``en`` or ``zh``)."""
    t = _TEXT.get(lang, _TEXT["en"])
    data = certificate.data
    std, adapter, run = data["standard"], data["adapter"], data["run"]
    ok = certificate.conforms
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="govstd {_e(data["govstd"]["version"])}">',
        f"<title>{_e(t['title'])}: {_e(adapter['name'])} / {_e(std['ref'])}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body><main>",
        f"<h1>{_e(t['title'])}</h1>",
        '<p class="muted">'
        + _e(
            t["what"].format(
                adapter=adapter["name"],
                distribution=adapter["distribution"] or "-",
                version=adapter["version"] or "-",
                standard=std["ref"],
                as_of=run["as_of"],
            )
        )
        + "</p>",
        f'<div id="verdict" class="verdict {"ok" if ok else "fail"}">'
        f"<strong>{_e(t['conforms'] if ok else t['fails'])}</strong>"
        f"{_e(t['level'].format(level=t['levels'][certificate.level]))}</div>",
        f"<h2>{_e(t['requirements'])}</h2>",
    ]
    for level in ("mandatory", "recommended"):
        rows = [r for r in certificate.requirements if r["level"] == level]
        if not rows:
            continue
        counts = data["summary"][level]
        parts.append(
            f'<h3>{_e(t[level])} <span class="muted">({_e(t["summary"].format(**counts))})'
            "</span></h3>"
        )
        parts.append(
            f"<table><tr><th>{_e(t['requirement'])}</th><th>{_e(t['verdict'])}</th>"
            f"<th>{_e(t['why'])}</th><th>{_e(t['fix'])}</th></tr>"
        )
        for result in rows:
            title = result["title"].get(lang) or result["title"]["en"]
            verdict = result["verdict"]
            why, fix = _explain(result, catalogue, lang) if verdict == "fail" else ("", "")
            parts.append(
                f'<tr id="req-{_e(result["id"])}"><td>{_e(title)}<br><code>{_e(result["id"])}'
                f'</code></td><td class="v {_e(verdict)}">{_e(t[verdict])}</td>'
                f"<td>{_e(why)}</td><td>{_e(fix)}</td></tr>"
            )
        parts.append("</table>")
    parts += _roundtrip(data["roundtrip"], t)
    acc = data["accounting"]
    parts.append(f"<h2>{_e(t['samples'])}</h2><p>{_e(t['accounting'].format(**acc))}</p>")
    parts += _table(
        [t["file"], t["digest"], t["bytes"]],
        [(s["path"], s["sha256"], s["bytes"]) for s in data["samples"]],
    )
    if data["waivers"]:
        parts.append(f"<h2>{_e(t['waivers'])}</h2>")
        parts += _table(
            [t["code"], t["owner"], t["reason"], t["expires"], t["status"], t["matched"]],
            [
                (w["code"], w["owner"], w["reason"], w["expires"], w["status"], w["matched"])
                for w in data["waivers"]
            ],
        )
    parts.append(f"<h2>{_e(t['pins'])}</h2>")
    parts.append(f"<h3>{_e(t['standard_files'].format(**std))}</h3>")
    parts += _table([t["file"], t["digest"]], sorted(std["files"].items()))
    parts.append(
        "<h3>"
        + _e(
            t["adapter_files"].format(
                name=adapter["name"],
                distribution=adapter["distribution"] or "-",
                version=adapter["version"] or "-",
            )
        )
        + "</h3>"
    )
    parts += _table([t["file"], t["digest"]], sorted(adapter["files"].items()))
    signature = certificate.signature
    parts.append(
        "<p>" + _e(t["signature"].format(**signature) if signature else t["unsigned"]) + "</p>"
    )
    parts.append(
        "<footer>"
        + _e(t["footer"].format(govstd=data["govstd"]["version"], issued=data["issued_at"]))
        + "</footer>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _roundtrip(trip: dict[str, Any], t: dict[str, Any]) -> list[str]:
    out = [
        f"<h2>{_e(t['roundtrip'])}</h2>",
        "<p>"
        + _e(
            t["roundtrip_text"].format(
                seed=trip["seed"],
                examples=trip["examples"],
                tried=trip["tried"],
                records=trip["records"],
                unmapped=", ".join(trip["unmapped"]) or t["none"],
            )
        )
        + "</p>",
    ]
    if trip["failure"]:
        text = json.dumps(trip["failure"], ensure_ascii=False, indent=2)
        out.append(f"<h3>{_e(t['counterexample'])}</h3><pre>{_e(text)}</pre>")
    return out


def _table(header: list[str], rows: Any) -> list[str]:
    out = ["<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>")
    out.append("</table>")
    return out
