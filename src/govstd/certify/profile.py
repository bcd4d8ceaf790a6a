"""The conformance profile of a standard version: what a conforming system must do.

Each :class:`Requirement` has an id, a bilingual title, a level (``mandatory`` or
``recommended``) and the test that checks it (``test`` plus its ``params``). Most of the profile
is **derived** from the standard version itself:

===============================  ==========================================================
``samples.accounted``            every sample record is passed, fixed or rejected (mandatory)
``samples.conform``              no unwaived error in the sample exports (mandatory)
``roundtrip.lossless``           canonical → vendor → canonical comes back equal (mandatory)
``field.<name>.produced``        the adapter produces the field (mandatory when required)
``codelist.<field>.both-ways``   every code of the bound list is read and written back
                                 (mandatory when the field is required)
``rule.<id>.exercised``          a sample record carries every field the rule checks
                                 (mandatory when all those fields are required)
===============================  ==========================================================

A hand-written ``conformance.toml`` in the version folder extends it::

    [requirements."rule.birth-date-range.exercised"]   # change a derived requirement's level
    level = "recommended"

    [[requirements.extra]]                              # add one
    id = "samples.clean"
    level = "recommended"
    test = "no-finding"                                 # or "min-records"
    params = { code = "fix.*" }
    title = { en = "Exports need no cleansing", zh = "导出数据无需清洗" }

Hand-written tests: ``no-finding`` (no unwaived finding whose code matches ``params.code``
in the samples) and ``min-records`` (the samples hold at least ``params.count`` records).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from govstd.exceptions import SetupError

if TYPE_CHECKING:
    from govstd.standard import Standard

__all__ = [
    "CONFORMANCE_FILE",
    "HAND_WRITTEN_TESTS",
    "Level",
    "Profile",
    "Requirement",
    "build_profile",
]

CONFORMANCE_FILE = "conformance.toml"

Level = Literal["mandatory", "recommended"]
LEVELS: tuple[str, ...] = ("mandatory", "recommended")

#: the tests a conformance.toml may name for its own requirements
HAND_WRITTEN_TESTS = frozenset({"no-finding", "min-records"})


@dataclass(frozen=True)
class Requirement:
    """One thing a conforming system must (mandatory) or should (recommended) do."""

    id: str
    title: Mapping[str, str]
    level: Level
    test: str
    params: Mapping[str, Any] = field(default_factory=dict)
    #: ``derived`` from the standard, or ``conformance.toml``
    origin: str = "derived"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": dict(self.title),
            "level": self.level,
            "test": self.test,
            "params": dict(self.params),
            "origin": self.origin,
        }


@dataclass(frozen=True)
class Profile:
    """The requirements for one standard version, in a stable order."""

    standard: str
    requirements: tuple[Requirement, ...]

    def __iter__(self) -> Any:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    def get(self, ident: str) -> Requirement | None:
        return next((r for r in self.requirements if r.id == ident), None)


def _title(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


def _derived(standard: Standard) -> list[Requirement]:
    schema = standard.load_json_artefact("json_schema")
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    required = set(schema.get("required", ())) if isinstance(schema, dict) else set()

    def level(names: Any) -> Level:
        return "mandatory" if all(n in required for n in names) else "recommended"

    out = [
        Requirement(
            "samples.accounted",
            _title(
                "Every record of the sample exports is accounted for (passed, fixed or rejected)",
                "样例导出的每条记录都有去向（通过、修正或拒绝）",
            ),
            "mandatory",
            "samples-accounted",
        ),
        Requirement(
            "samples.conform",
            _title(
                "The sample exports, read through the adapter, have no unwaived error",
                "经适配器读取的样例导出数据没有未豁免的错误",
            ),
            "mandatory",
            "samples-conform",
        ),
        Requirement(
            "roundtrip.lossless",
            _title(
                "Generated standard records come back equal from canonical → vendor → canonical",
                "按标准生成的记录经“标准 → 厂商 → 标准”往返后完全一致",
            ),
            "mandatory",
            "roundtrip",
        ),
    ]
    for name in properties:
        out.append(
            Requirement(
                f"field.{name}.produced",
                _title(
                    f"The adapter produces the field {name}",
                    f"适配器能产生字段 {name}",
                ),
                level([name]),
                "field-produced",
                {"field": name},
            )
        )
    for rule in standard.rules:
        if rule.check == "codelist" and rule.fields:
            name = rule.fields[0]
            codelist = str(rule.params.get("codelist", ""))
            out.append(
                Requirement(
                    f"codelist.{name}.both-ways",
                    _title(
                        f"Every code of {codelist} is mapped both ways for {name}",
                        f"字段 {name} 的代码表 {codelist} 每个代码均可双向映射",
                    ),
                    level([name]),
                    "codelist-both-ways",
                    {"field": name, "codelist": codelist, "in_use": rule.params.get("in_use")},
                )
            )
    for rule in standard.rules:
        out.append(
            Requirement(
                f"rule.{rule.id}.exercised",
                _title(
                    f"The rule {rule.id} ({rule.check}) is exercised by at least one sample record",
                    f"规则 {rule.id}（{rule.check}）至少被一条样例记录检验",
                ),
                level(rule.fields),
                "rule-exercised",
                {"rule": rule.id, "fields": list(rule.fields)},
            )
        )
    return out


def _hand_written(standard: Standard, derived: list[Requirement]) -> list[Requirement]:
    path = standard.folder / CONFORMANCE_FILE
    if not path.is_file():
        return derived
    where = f"{standard.ref}: {CONFORMANCE_FILE}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SetupError(f"{where}: {exc}") from None
    section = data.get("requirements", {})
    if not isinstance(section, Mapping) or set(data) - {"requirements"}:
        raise SetupError(f"{where}: only a [requirements] table is allowed")
    by_id = {r.id: r for r in derived}
    out = list(derived)
    for ident, change in section.items():
        if ident == "extra":
            continue
        if ident not in by_id or not isinstance(change, Mapping) or set(change) != {"level"}:
            raise SetupError(
                f"{where}: [requirements.{ident!r}] must name a derived requirement and "
                "set only its level"
            )
        if change["level"] not in LEVELS:
            raise SetupError(f"{where}: {ident}: level must be mandatory or recommended")
        index = out.index(by_id[ident])
        old = out[index]
        out[index] = Requirement(
            old.id, old.title, change["level"], old.test, old.params, CONFORMANCE_FILE
        )
    for n, entry in enumerate(section.get("extra", ()), start=1):
        if not isinstance(entry, Mapping):
            raise SetupError(f"{where}: requirement {n} must be a table")
        ident, test = entry.get("id"), entry.get("test")
        title = entry.get("title")
        if not isinstance(ident, str) or ident in by_id or any(r.id == ident for r in out):
            raise SetupError(f"{where}: requirement {n} needs a new, unique id")
        if test not in HAND_WRITTEN_TESTS:
            raise SetupError(
                f"{where}: {ident}: test must be one of {', '.join(sorted(HAND_WRITTEN_TESTS))}"
            )
        if entry.get("level") not in LEVELS:
            raise SetupError(f"{where}: {ident}: level must be mandatory or recommended")
        if not isinstance(title, Mapping) or not {"en", "zh"} <= set(title):
            raise SetupError(f"{where}: {ident}: title needs en and zh")
        params = entry.get("params", {})
        if not isinstance(params, Mapping):
            raise SetupError(f"{where}: {ident}: params must be a table")
        out.append(
            Requirement(ident, dict(title), entry["level"], test, dict(params), CONFORMANCE_FILE)
        )
    return out


def build_profile(standard: Standard) -> Profile:
    """The conformance profile of ``standard``: derived, then ``conformance.toml`` applied."""
    return Profile(standard.ref, tuple(_hand_written(standard, _derived(standard))))
