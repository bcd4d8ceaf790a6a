"""The catalogue of finding types: one entry per stable finding code.

Every code govstd can emit is documented exactly once, here or by the plugin that emits
it. An entry gives a title, a description, a message template, a fix hint and an example,
in English and Chinese. ``govstd explain CODE`` and ``docs/findings.md`` are generated from
this catalogue; a test checks that every code an engine emits has an entry.

Built-in entries live in TOML files beside this module (``catalogue_data/*.toml``); plugins add
theirs through the ``govstd_finding_types`` hook.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from govstd.exceptions import SetupError
from govstd.findings import MISSING, Finding, Location, Severity

__all__ = ["LANGUAGES", "Catalogue", "FindingType", "builtin_finding_types"]

LANGUAGES = ("en", "zh")


class _Lenient(dict[str, Any]):
    """Format mapping that leaves unknown placeholders visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_FORMATTER = string.Formatter()


def _render(template: str, params: Mapping[str, Any]) -> str:
    values = _Lenient({k: _show(v) for k, v in params.items()})
    try:
        return _FORMATTER.vformat(template, (), values)
    except (ValueError, IndexError, AttributeError):
        return template


class _Template:
    """A message template parsed once: renders as :func:`_render` does, without re-parsing.

    Templates whose fields are all plain names (``{value}``, no conversion, format spec,
    attribute or index) are rendered from their parts; any other template (and a text that is
    no valid template) goes through :func:`_render` itself.
    """

    __slots__ = ("parts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.parts: list[tuple[str, str | None]] | None = []
        try:
            parsed = list(_FORMATTER.parse(text))
        except ValueError:
            self.parts = None
            return
        for literal, name, spec, conversion in parsed:
            if name is not None and (not name.isidentifier() or spec or conversion is not None):
                self.parts = None
                return
            self.parts.append((literal, name))

    def render(self, params: Mapping[str, Any]) -> str:
        parts = self.parts
        if parts is None:
            return _render(self.text, params)
        out: list[str] = []
        for literal, name in parts:
            out.append(literal)
            if name is not None:
                text = _show(params[name]) if name in params else "{" + name + "}"
                out.append(text if type(text) is str else format(text, ""))
        return "".join(out)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list | tuple):
        return ", ".join(_show(v) for v in value)
    return str(value)


@dataclass(frozen=True, slots=True)
class FindingType:
    """The documentation of one finding code, in every supported language."""

    code: str
    severity: Severity
    title: Mapping[str, str]
    description: Mapping[str, str]
    message: Mapping[str, str]
    hint: Mapping[str, str] = field(default_factory=dict)
    example: str = ""
    keywords: tuple[str, ...] = ()

    def text(self, what: str, lang: str) -> str:
        table: Mapping[str, str] = getattr(self, what)
        return table.get(lang) or table.get("en", "")

    @classmethod
    def from_mapping(cls, code: str, data: Mapping[str, Any]) -> FindingType:
        def lang_table(key: str) -> dict[str, str]:
            value = data.get(key, {})
            if isinstance(value, str):
                return {"en": value}
            return {k: str(v) for k, v in value.items()}

        try:
            severity = Severity.parse(str(data.get("severity", "error")))
        except ValueError as exc:
            raise SetupError(f"finding type {code}: {exc}") from None
        entry = cls(
            code=code,
            severity=severity,
            title=lang_table("title"),
            description=lang_table("description"),
            message=lang_table("message"),
            hint=lang_table("hint"),
            example=str(data.get("example", "")),
            keywords=tuple(data.get("keywords", ())),
        )
        if "en" not in entry.title or "en" not in entry.message:
            raise SetupError(f"finding type {code}: needs at least an English title and message")
        return entry


def builtin_finding_types() -> list[FindingType]:
    """Load the finding types shipped with govstd (``catalogue_data/*.toml``)."""
    out: list[FindingType] = []
    folder = resources.files("govstd") / "catalogue_data"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".toml"):
            continue
        data = tomllib.loads(item.read_text(encoding="utf-8"))
        for code, entry in data.items():
            out.append(FindingType.from_mapping(code, entry))
    return out


class Catalogue:
    """All finding types known to a session, by code."""

    def __init__(self, types: Iterable[FindingType] = ()) -> None:
        self._types: dict[str, FindingType] = {}
        #: parsed message and hint templates, by template text
        self._templates: dict[str, _Template] = {}
        for entry in types:
            self.add(entry)

    def add(self, entry: FindingType) -> None:
        if entry.code in self._types and self._types[entry.code] != entry:
            raise SetupError(f"finding code {entry.code!r} is defined twice")
        self._types[entry.code] = entry

    def __contains__(self, code: object) -> bool:
        return code in self._types

    def __iter__(self) -> Iterator[FindingType]:
        return iter(sorted(self._types.values(), key=lambda t: t.code))

    def __len__(self) -> int:
        return len(self._types)

    def _render(self, template: str, params: Mapping[str, Any]) -> str:
        """``template`` rendered with ``params`` (as :func:`_render`), parsed once."""
        parsed = self._templates.get(template)
        if parsed is None:
            parsed = self._templates[template] = _Template(template)
        return parsed.render(params)

    def get(self, code: str) -> FindingType | None:
        return self._types.get(code)

    def __getitem__(self, code: str) -> FindingType:
        try:
            return self._types[code]
        except KeyError:
            raise KeyError(f"unknown finding code {code!r}") from None

    def finding(
        self,
        code: str,
        *,
        source: str = "",
        record: int | None = None,
        location: Location | None = None,
        severity: Severity | None = None,
        keyword: str | None = None,
        value: Any = MISSING,
        expected: Any = MISSING,
        message: str | None = None,
        **params: Any,
    ) -> Finding:
        """Build a finding of type ``code``, rendering its English message and hint."""
        entry = self[code]
        if value is not MISSING:
            params.setdefault("value", value)
        if expected is not MISSING:
            params.setdefault("expected", expected)
        if location is not None and location.field is not None:
            params.setdefault("field", location.field)
        if source:
            params.setdefault("source", source)
        hint_template = entry.hint.get("en")
        return Finding(
            code=code,
            severity=severity or entry.severity,
            message=message if message is not None else self._render(entry.message["en"], params),
            source=source,
            record=record,
            location=location or Location(),
            keyword=keyword,
            value=value,
            expected=expected,
            hint=self._render(hint_template, params) if hint_template else None,
            params=params,
        )

    def message(self, finding: Finding, lang: str) -> str:
        """The finding's message in ``lang`` (falls back to the English message)."""
        if lang == "en":
            return finding.message
        entry = self._types.get(finding.code)
        template = entry.message.get(lang) if entry else None
        if not template:
            return finding.message
        params = dict(finding.params)
        params.setdefault("detail", finding.message)
        return self._render(template, params)

    def hint(self, finding: Finding, lang: str) -> str | None:
        if lang == "en":
            return finding.hint
        entry = self._types.get(finding.code)
        template = entry.hint.get(lang) if entry else None
        return self._render(template, finding.params) if template else finding.hint


def catalogue_markdown(catalogue: Catalogue) -> str:
    """The findings catalogue as a Markdown page (``docs/findings.md`` is generated by this)."""
    lines = [
        "# Findings catalogue",
        "",
        "<!-- generated from the catalogue by `govstd explain --markdown`; do not edit -->",
        "",
        "Every finding govstd reports has one of these stable codes. "
        "`govstd explain CODE [--lang zh]` prints the same text in a terminal.",
        "",
        "| code | severity | title | 标题 |",
        "|---|---|---|---|",
    ]
    entries = list(catalogue)
    for entry in entries:
        lines.append(
            f"| [`{entry.code}`](#{entry.code.replace('.', '')}) | {entry.severity.label} "
            f"| {entry.text('title', 'en')} | {entry.text('title', 'zh')} |"
        )
    for entry in entries:
        lines += [
            "",
            f"## {entry.code}",
            "",
            f"**{entry.text('title', 'en')}** / **{entry.text('title', 'zh')}** "
            f"(default severity: {entry.severity.label})",
            "",
            entry.text("description", "en"),
            "",
            entry.text("description", "zh"),
            "",
        ]
        if entry.example:
            lines.append(f"- Example: {entry.example}")
        if entry.hint:
            lines.append(f"- How to fix: {entry.text('hint', 'en')}")
            lines.append(f"- 修正方法：{entry.text('hint', 'zh')}")
        if entry.keywords:
            lines.append(f"- Keywords: {', '.join(f'`{k}`' for k in entry.keywords)}")
    return "\n".join(lines) + "\n"
