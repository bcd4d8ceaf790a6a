"""Changes between two versions of a standard, and what they mean for whom.

A :class:`Change` is one difference (a field added, a pattern tightened, a code added to a
code list, a rule removed …), classified for the two sides of an exchange:

* **producers** — do exports valid under the old version stay valid under the new one?
  A change that can make an old, valid export invalid is *breaking* for producers.
* **consumers** — can a system built for the old version read data valid under the new one?
  A change that lets the new version accept data the old one rejects is *breaking* for
  consumers.

A :class:`Diff` collects the changes and gives the overall :class:`Verdict` in the terms
schema registries use: ``backward`` (every change keeps old exports valid: the producers'
side), ``forward`` (every change keeps new data readable by old systems: the consumers'
side), ``full`` (both) or ``none``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KINDS", "Change", "Diff", "Impact", "Side", "Verdict"]


class Impact(enum.Enum):
    """What one change does to one side of the exchange."""

    COMPATIBLE = "compatible"
    BREAKING = "breaking"

    @property
    def breaking(self) -> bool:
        return self is Impact.BREAKING


class Verdict(enum.Enum):
    """Overall compatibility of NEW with OLD, as schema registries name it."""

    FULL = "full"
    BACKWARD = "backward"
    FORWARD = "forward"
    NONE = "none"


class Side(enum.Enum):
    """Whose breakage counts (``--side``)."""

    PRODUCERS = "producers"
    CONSUMERS = "consumers"
    ANY = "any"


#: Every change kind with its bilingual title. Message details come from the change itself.
KINDS: Mapping[str, Mapping[str, str]] = {
    "field.added": {"en": "field added", "zh": "新增字段"},
    "field.removed": {"en": "field removed", "zh": "删除字段"},
    "field.renamed": {"en": "field renamed", "zh": "字段更名"},
    "field.replaced": {"en": "field replaced by a converted one", "zh": "字段被换算后的新字段取代"},
    "required.added": {"en": "field made required", "zh": "字段改为必填"},
    "required.removed": {"en": "field made optional", "zh": "字段改为可选"},
    "required.changed": {"en": "alternative required fields changed", "zh": "必填字段组合变更"},
    "type.changed": {"en": "type changed", "zh": "类型变更"},
    "enum.changed": {"en": "allowed values changed", "zh": "允许值变更"},
    "const.changed": {"en": "fixed value changed", "zh": "固定值变更"},
    "pattern.changed": {"en": "pattern changed", "zh": "模式变更"},
    "format.changed": {"en": "format changed", "zh": "格式变更"},
    "bound.changed": {"en": "bound changed", "zh": "取值或长度界限变更"},
    "closed.changed": {"en": "closed/open record changed", "zh": "记录封闭性变更"},
    "items.changed": {"en": "array items changed", "zh": "数组元素变更"},
    "combinator.changed": {"en": "allOf/anyOf/oneOf/not changed", "zh": "组合约束变更"},
    "schema.changed": {"en": "schema changed", "zh": "模式定义变更"},
    "deprecated.changed": {"en": "deprecation changed", "zh": "弃用标记变更"},
    "primary-key.changed": {"en": "primary key changed", "zh": "主键变更"},
    "codelist.codes-added": {"en": "codes added to a code list", "zh": "代码表新增代码"},
    "codelist.codes-removed": {"en": "codes removed from a code list", "zh": "代码表删除代码"},
    "codelist.codes-retired": {"en": "codes retired in a code list", "zh": "代码表停用代码"},
    "codelist.changed": {"en": "code list binding changed", "zh": "代码表绑定变更"},
    "rule.added": {"en": "rule added", "zh": "新增规则"},
    "rule.removed": {"en": "rule removed", "zh": "删除规则"},
    "rule.changed": {"en": "rule changed", "zh": "规则变更"},
}


@dataclass(frozen=True)
class Change:
    """One difference between OLD and NEW.

    ``path`` is where it applies in a record, as a JSON Pointer over the instance (``/phone``,
    ``/tender/items/*/id``; ``""`` for the record itself) or, for rules, ``rule:<id>``.
    ``direction`` says, for constraints, ``tightened``/``loosened``/``changed``/``added``/
    ``removed``. ``locations`` lists further paths where the same schema change applies
    (a shared definition reached from several places).
    """

    kind: str
    path: str
    producers: Impact
    consumers: Impact
    detail: str
    direction: str = "changed"
    artefact: str = "json_schema"
    old: Any = None
    new: Any = None
    locations: tuple[str, ...] = ()
    detail_zh: str = ""

    @property
    def title(self) -> Mapping[str, str]:
        return KINDS.get(self.kind, {"en": self.kind, "zh": self.kind})

    def breaks(self, side: Side) -> bool:
        if side is Side.PRODUCERS:
            return self.producers.breaking
        if side is Side.CONSUMERS:
            return self.consumers.breaking
        return self.producers.breaking or self.consumers.breaking

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "path": self.path,
            "artefact": self.artefact,
            "direction": self.direction,
            "producers": self.producers.value,
            "consumers": self.consumers.value,
            "detail": self.detail,
        }
        if self.detail_zh:
            out["detail_zh"] = self.detail_zh
        if self.old is not None:
            out["old"] = self.old
        if self.new is not None:
            out["new"] = self.new
        if self.locations:
            out["locations"] = list(self.locations)
        return out


def _impacts(changes: Iterable[Change]) -> tuple[bool, bool]:
    producers_ok = consumers_ok = True
    for change in changes:
        producers_ok = producers_ok and not change.producers.breaking
        consumers_ok = consumers_ok and not change.consumers.breaking
    return producers_ok, consumers_ok


@dataclass
class Diff:
    """Every change from ``old`` to ``new`` (labels such as ``id@version`` or file names)."""

    old: str
    new: str
    changes: list[Change] = field(default_factory=list)
    #: notes on what could not be compared (a schema kind without a differ …)
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        producers_ok, consumers_ok = _impacts(self.changes)
        if producers_ok and consumers_ok:
            return Verdict.FULL
        if producers_ok:
            return Verdict.BACKWARD
        if consumers_ok:
            return Verdict.FORWARD
        return Verdict.NONE

    def breaking(self, side: Side = Side.PRODUCERS) -> list[Change]:
        return [c for c in self.changes if c.breaks(side)]

    def is_breaking(self, side: Side = Side.PRODUCERS) -> bool:
        return any(c.breaks(side) for c in self.changes)

    def find(self, kind: str | None = None, path: str | None = None) -> list[Change]:
        """Changes of ``kind`` (any when None) at ``path`` (any when None)."""
        return [
            c
            for c in self.changes
            if (kind is None or c.kind == kind) and (path is None or c.path == path)
        ]

    def to_dict(self) -> dict[str, Any]:
        producers_ok, consumers_ok = _impacts(self.changes)
        return {
            "old": self.old,
            "new": self.new,
            "verdict": self.verdict.value,
            "producers": "compatible" if producers_ok else "breaking",
            "consumers": "compatible" if consumers_ok else "breaking",
            "counts": {
                "changes": len(self.changes),
                "breaking_producers": len(self.breaking(Side.PRODUCERS)),
                "breaking_consumers": len(self.breaking(Side.CONSUMERS)),
            },
            "changes": [c.to_dict() for c in self.changes],
            "notes": list(self.notes),
        }
