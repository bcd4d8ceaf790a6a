"""After validation: apply waivers and compare with a baseline, in one call.

``govstd validate`` is parse → :meth:`Session.validate` → :func:`review` → render. Waivers
mark accepted findings (:mod:`govstd.waivers`); a baseline marks each finding new or still
open and lists the fixed ones (:mod:`govstd.baseline`). The exit decision stays with
:meth:`Report.exit_code` (``fail_on="new"`` fails only on new, unwaived errors).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from govstd.baseline import compare, load_baseline
from govstd.waivers import Waiver, apply_waivers

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.report import Report

__all__ = ["review"]


def review(
    report: Report,
    *,
    catalogue: Catalogue,
    waivers: Sequence[Waiver] = (),
    waivers_origin: str = "",
    baseline: Path | None = None,
    today: date | None = None,
) -> Report:
    """Apply ``waivers`` (expiry judged on ``today``, default: the real today) and compare
    with the ``baseline`` JSON report, in place. Returns ``report``."""
    if waivers:
        apply_waivers(
            report,
            waivers,
            today=today or date.today(),
            catalogue=catalogue,
            origin=waivers_origin,
        )
    if baseline is not None:
        compare(report, load_baseline(baseline), origin=str(baseline))
    return report
