"""The JSON reporter: the public, versioned report format (``report.schema.json``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.report import Report

__all__ = ["JsonReporter"]


class JsonReporter:
    """Renders :meth:`Report.to_dict` as indented JSON (UTF-8, non-ASCII kept)."""

    name = "json"
    media_type = "application/json"

    def render(self, report: Report, *, catalogue: Catalogue, lang: str = "en") -> str:
        data = report.to_dict(catalogue=catalogue, lang=lang)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
