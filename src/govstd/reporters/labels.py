"""The words the CI and HTML reporters share: where a finding is, and short bilingual labels.

Kept in one place so that JUnit, GitHub annotations, SARIF and HTML describe a place the same
way ("record 3, id_number") in English and Chinese.
"""

from __future__ import annotations

import re

from govstd.findings import Finding

__all__ = ["XML_UNSAFE", "label", "place", "position", "xml_safe"]

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "record": "record",
        "field": "field",
        "line": "line",
        "waived": "waived",
        "new": "new",
        "open": "still open",
        "more": "… and {n} more",
        "findings": "{n} finding(s)",
        "conforms": "conforms to {target}",
    },
    "zh": {
        "record": "记录",
        "field": "字段",
        "line": "行",
        "waived": "已豁免",
        "new": "新增",
        "open": "仍存在",
        "more": "…… 另有 {n} 处",
        "findings": "{n} 个问题",
        "conforms": "符合 {target}",
    },
}

#: characters XML 1.0 cannot hold, even escaped
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def label(key: str, lang: str, **params: object) -> str:
    table = _LABELS.get(lang, _LABELS["en"])
    return table.get(key, _LABELS["en"][key]).format(**params)


def position(finding: Finding) -> str:
    """``file:line:column`` as far as known (empty for findings about the target)."""
    text = finding.source or ""
    if text and finding.location.line is not None:
        text += f":{finding.location.line}"
        if finding.location.column is not None:
            text += f":{finding.location.column}"
    return text


def place(finding: Finding, lang: str = "en") -> str:
    """Where in the data: ``record 3, /id_number`` (no file, no line)."""
    parts = []
    if finding.record is not None:
        parts.append(f"{label('record', lang)} {finding.record}")
    location = finding.location
    if location.pointer:
        parts.append(location.pointer)
    elif location.field:
        parts.append(f"{label('field', lang)} {location.field}")
    elif location.xpath:
        parts.append(location.xpath)
    return ", ".join(parts)


def xml_safe(text: str) -> str:
    """Replace characters XML 1.0 cannot carry by a visible ``\\xNN`` / ``\\uNNNN`` escape."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return XML_UNSAFE.sub(escape, text)
