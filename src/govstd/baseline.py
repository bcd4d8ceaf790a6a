"""Baselines: compare a report with a previous JSON report, finding by finding.

This is how a vendor adopts a standard in a system that already has findings: keep the
report of today as the baseline, and fail CI only on regressions (``--fail-on new``).

Findings are matched by a **fingerprint**: a hash of the finding's code, source, record
ordinal, place in the record (JSON Pointer, else field, else XPath) and offending value. The
message, line, severity and language do not take part, so a report in another language or a
reworded message still matches. Equal fingerprints are matched one to one, so two identical
findings in the baseline and three now make one new finding.

The findings left unmatched are then matched a second time, one to one and in order, by the
same fingerprint *without* the record ordinal: records inserted or removed above a finding
move it to another ordinal, and it is still the same finding of the same record (same code,
place and offending value), so it stays ``open`` instead of showing up as new (with its old
self listed as fixed).

Each finding of the current report is marked ``new`` or ``open``; findings of the baseline
that are gone are *fixed* and listed in ``report.baseline["fixed_findings"]``.

If the baseline report was truncated (``--max-findings``), the findings it dropped cannot be
matched and show up as new.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict, deque
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from govstd.exceptions import SetupError
from govstd.findings import MISSING, Finding

if TYPE_CHECKING:
    from govstd.report import Report

__all__ = ["compare", "fingerprint", "load_baseline"]


def fingerprint(finding: Finding, *, record: bool = True) -> str:
    """A stable hash of code, source, record, place (pointer/field/xpath) and value
    (``record=False``: the same without the record ordinal)."""
    location = finding.location
    place = location.pointer or location.field or location.xpath or ""
    value = None if finding.value is MISSING else finding.value
    key = [
        finding.code,
        finding.source.replace("\\", "/"),
        finding.record if record else None,
        place,
        json.dumps(value, ensure_ascii=False, sort_keys=True, default=str),
    ]
    digest = hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()[:32]


def load_baseline(path: Path) -> Report:
    """Read a JSON report written by ``govstd validate -f json`` (or ``--report json:FILE``)."""
    from govstd.report import Report

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SetupError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SetupError(f"baseline {path} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("report_version") != 1 or "findings" not in data:
        raise SetupError(f"baseline {path} is not a govstd JSON report (report_version 1)")
    try:
        return Report.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise SetupError(f"baseline {path} is not a valid govstd report: {exc}") from None


def compare(report: Report, previous: Report, *, origin: str = "") -> Report:
    """Mark each finding of ``report`` ``new`` or ``open`` against ``previous``, in place, and
    set ``report.baseline`` to the counts and the fixed findings. Returns ``report``."""
    pool: dict[str, list[Finding]] = defaultdict(list)
    for old in previous.all_findings():
        pool[fingerprint(old)].append(old)
    unmatched = 0
    for finding in report.all_findings():
        matches = pool.get(fingerprint(finding))
        if matches:
            matches.pop()
            finding.baseline = "open"
        else:
            finding.baseline = "new"
            unmatched += 1
    left = _remaining(pool.values())
    if unmatched and left:  # moved records: the same findings at other ordinals, in order
        moved: dict[str, deque[Finding]] = defaultdict(deque)
        for old in left:
            moved[fingerprint(old, record=False)].append(old)
        for finding in report.all_findings():
            if finding.baseline != "new":
                continue
            candidates = moved.get(fingerprint(finding, record=False))
            if candidates:
                candidates.popleft()
                finding.baseline = "open"
                unmatched -= 1
        left = _remaining(moved.values())
    new = unmatched
    still_open = len(report.all_findings()) - new
    fixed = left
    report.baseline = {
        "file": origin,
        "new": new,
        "open": still_open,
        "fixed": len(fixed),
        "fixed_findings": [previous.finding_to_dict(f) for f in fixed],
    }
    if previous.truncated:
        report.baseline["truncated"] = True
    return report


def _remaining(groups: Iterable[list[Finding]]) -> list[Finding]:
    out = [f for group in groups for f in group]
    out.sort(key=Finding.sort_key)
    return out
