"""Waivers: known findings a team accepts for a while, each with an owner, a reason and an expiry.

Waivers live in the options file (``govstd.toml``, or ``[tool.govstd]`` in ``pyproject.toml``,
see :mod:`govstd.config`)::

    [[waivers]]
    code = "cn.ric.division"          # a finding code; shell-style wildcards allowed (cn.ric.*)
    source = "exports/*.csv"          # optional: glob on the source (a pattern without / also
                                      # matches the file name alone)
    records = "120-180, 455"          # optional: record ordinals, ranges, or "*"
    field = "id_number"               # optional: glob on the field or JSON Pointer
    value = "110105196001010420"      # optional: the exact offending value
    owner = "li.wei@vendor.example"
    reason = "numbers issued before the 1999 re-districting; confirmed with the bureau"
    expires = 2026-06-30

A waived finding is **never hidden**: it stays in every report, marked ``waived`` (with the
waiver's id, owner, reason and expiry), and no longer fails the run. An expired waiver waives
nothing: its findings fail again, and the report carries a ``waiver.expired`` warning. A waiver
that matched no finding is reported as ``waiver.unused``.

Only the findings kept in the report can be matched: with ``--max-findings`` the dropped ones
stay unwaived (the run fails rather than passing on findings nobody saw).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from govstd.exceptions import SetupError

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.findings import Finding
    from govstd.report import Report

__all__ = ["RecordSet", "Waiver", "apply_waivers", "parse_waivers"]

_KEYS = {
    "id",
    "code",
    "source",
    "records",
    "record",
    "field",
    "value",
    "owner",
    "reason",
    "expires",
}
_RANGE = re.compile(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?\Z")


@dataclass(frozen=True, slots=True)
class RecordSet:
    """Record ordinals: ``"*"``, ``"12"``, ``"3-40"``, ``"1, 5, 9-12"`` (inclusive ranges)."""

    text: str
    ranges: tuple[tuple[int, int], ...] = ()

    @classmethod
    def parse(cls, value: Any) -> RecordSet:
        if isinstance(value, bool):
            raise ValueError(f"records must be numbers or ranges, not {value!r}")
        if isinstance(value, int):
            value = str(value)
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"records must be numbers or ranges, not {value!r}")
        text = value.strip()
        if text == "*":
            return cls("*")
        ranges = []
        for part in text.split(","):
            match = _RANGE.match(part)
            if match is None:
                raise ValueError(f"{part.strip()!r} is not a record number or a range like 3-40")
            low = int(match.group(1))
            high = int(match.group(2) or low)
            if low < 1 or high < low:
                raise ValueError(f"{part.strip()!r} is not a range of records (1-based, low-high)")
            ranges.append((low, high))
        return cls(text, tuple(ranges))

    def __contains__(self, record: object) -> bool:
        if self.text == "*":
            return True
        if not isinstance(record, int):
            return False
        return any(low <= record <= high for low, high in self.ranges)


@dataclass(frozen=True, slots=True)
class Waiver:
    """One accepted finding pattern. Every condition given must match; absent ones match all."""

    id: str
    code: str
    owner: str
    reason: str
    expires: date
    source: str | None = None
    records: RecordSet | None = None
    field: str | None = None
    value: str | None = None

    def expired(self, today: date) -> bool:
        """True after the expiry date (a waiver is still valid on the day it expires)."""
        return today > self.expires

    def matches(self, finding: Finding) -> bool:
        if not fnmatch.fnmatchcase(finding.code, self.code):
            return False
        if self.source is not None and not _source_matches(self.source, finding.source):
            return False
        if self.records is not None and finding.record not in self.records:
            return False
        if self.field is not None:
            places = [p for p in (finding.location.field, finding.location.pointer) if p]
            if not any(fnmatch.fnmatchcase(p, self.field) for p in places):
                return False
        return self.value is None or (
            finding.value is not None and str(finding.value) == self.value
        )

    def marker(self) -> dict[str, Any]:
        """What a waived finding carries (``Finding.waived``)."""
        return {
            "id": self.id,
            "owner": self.owner,
            "reason": self.reason,
            "expires": self.expires.isoformat(),
        }

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "code": self.code}
        for key in ("source", "field", "value"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.records is not None:
            out["records"] = self.records.text
        out.update(owner=self.owner, reason=self.reason, expires=self.expires.isoformat())
        return out


def _source_matches(pattern: str, source: str) -> bool:
    source = source.replace("\\", "/")
    if fnmatch.fnmatchcase(source, pattern):
        return True
    if "/" not in pattern:
        return fnmatch.fnmatchcase(source.rsplit("/", 1)[-1], pattern)
    return fnmatch.fnmatchcase(source.removeprefix("./"), pattern.removeprefix("./"))


def parse_waivers(entries: Any, *, origin: str = "waivers") -> list[Waiver]:
    """Check and parse the ``waivers`` array of an options file. Raises :class:`SetupError`
    naming ``origin`` and the entry for anything missing or malformed."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise SetupError(f"{origin}: 'waivers' must be an array of tables ([[waivers]])")
    out: list[Waiver] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, start=1):
        where = f"{origin}: waiver {n}"
        if not isinstance(entry, Mapping):
            raise SetupError(f"{where}: must be a table with code, owner, reason and expires")
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise SetupError(f"{where}: unknown key(s) {', '.join(unknown)}")
        missing = [k for k in ("code", "owner", "reason", "expires") if not entry.get(k)]
        if missing:
            raise SetupError(
                f"{where}: needs {', '.join(missing)} (every waiver names a code, an owner, "
                "a reason and an expiry date)"
            )
        expires = entry["expires"]
        if isinstance(expires, str):
            try:
                expires = date.fromisoformat(expires)
            except ValueError:
                raise SetupError(f"{where}: expires must be a date (YYYY-MM-DD)") from None
        if not isinstance(expires, date):
            raise SetupError(f"{where}: expires must be a date (YYYY-MM-DD)")
        records = entry.get("records", entry.get("record"))
        try:
            record_set = RecordSet.parse(records) if records is not None else None
        except ValueError as exc:
            raise SetupError(f"{where}: {exc}") from None
        ident = str(entry.get("id") or f"W{n}")
        if ident in seen:
            raise SetupError(f"{where}: id {ident!r} is used twice")
        seen.add(ident)
        out.append(
            Waiver(
                id=ident,
                code=str(entry["code"]),
                owner=str(entry["owner"]),
                reason=str(entry["reason"]),
                expires=expires,
                source=_opt_str(entry.get("source")),
                records=record_set,
                field=_opt_str(entry.get("field")),
                value=_opt_str(entry.get("value")),
            )
        )
    return out


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def apply_waivers(
    report: Report,
    waivers: Sequence[Waiver],
    *,
    today: date,
    catalogue: Catalogue,
    origin: str = "",
) -> Report:
    """Mark the findings of ``report`` that an unexpired waiver accepts, in place.

    Each finding is waived by the first matching unexpired waiver. Adds ``report.waivers``
    (every waiver with its status and the number of findings it matched) and a
    ``waiver.expired`` / ``waiver.unused`` note for each waiver that needs attention.
    Returns ``report``.
    """
    matched = dict.fromkeys((w.id for w in waivers), 0)
    findings: Iterable[Finding] = report.all_findings()
    for finding in findings:
        for waiver in waivers:
            if waiver.matches(finding):
                matched[waiver.id] += 1
                if not waiver.expired(today):
                    finding.waived = waiver.marker()
                    break
    summary = []
    for waiver in waivers:
        count = matched[waiver.id]
        status = "expired" if waiver.expired(today) else "active" if count else "unused"
        summary.append({**waiver.to_dict(), "status": status, "matched": count})
        if status == "active":
            continue
        note = catalogue.finding(
            "waiver.expired" if status == "expired" else "waiver.unused",
            file=origin,
            waiver=waiver.id,
            pattern=waiver.code,
            owner=waiver.owner,
            expires=waiver.expires.isoformat(),
            matched=count,
        )
        report.notes.append(note)
        report.counts[note.code] += 1
    report.waivers = summary
    return report
