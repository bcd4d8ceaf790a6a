"""Findings: what govstd reports about data, as plain data.

A :class:`Finding` is one mismatch (or note) about one place in one source. Findings are
values, never exceptions: engines and readers *yield* them, the pipeline counts them, and
reporters render them. Each finding carries a stable ``code`` documented once in the
:class:`~govstd.catalogue.Catalogue`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MISSING", "Finding", "Location", "Severity"]


class _Missing:
    """Marker for "no value given" (``None`` is a legitimate JSON value)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


class Severity(enum.IntEnum):
    """How serious a finding is. Ordered: ``INFO < WARNING < ERROR``."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points. Only the keys that apply are set.

    ``pointer`` is an RFC 6901 JSON Pointer into the record, ``field`` the field (column)
    name, ``line``/``column`` are 1-based positions in the source file, ``xpath`` an
    XPath-like path for XML.
    """

    line: int | None = None
    column: int | None = None
    pointer: str | None = None
    field: str | None = None
    xpath: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("line", "column", "pointer", "field", "xpath"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Location:
        return cls(
            **{k: data[k] for k in ("line", "column", "pointer", "field", "xpath") if k in data}
        )


NOWHERE = Location()


@dataclass(slots=True)
class Finding:
    """One thing govstd found about the data.

    ``message`` is the English text; ``params`` hold the values the catalogue's message
    templates use, so the same finding renders in other languages.
    """

    code: str
    severity: Severity
    message: str
    source: str = ""
    record: int | None = None
    location: Location = NOWHERE
    keyword: str | None = None
    value: Any = MISSING
    expected: Any = MISSING
    hint: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    #: set when a waiver accepts this finding (see :mod:`govstd.waivers`): the waiver's
    #: ``id``, ``owner``, ``reason`` and ``expires``; waived findings stay in the report
    waived: dict[str, Any] | None = None
    #: with a baseline report (see :mod:`govstd.baseline`): ``"new"`` or ``"open"``
    baseline: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[Any, ...]:
        """Deterministic order: source, record (file-level first), line, pointer, code."""
        return (
            self.source,
            -1 if self.record is None else self.record,
            self.location.line or 0,
            self.location.pointer or self.location.field or "",
            self.code,
        )
