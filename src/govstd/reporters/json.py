"""The JSON reporter: the public, versioned report format (``report.schema.json``).

:meth:`JsonReporter.write` streams the report to a text stream a few findings at a time, so
a report with hundreds of thousands of findings (kept on disk by a
:class:`~govstd.findingstore.FindingStore`) never exists as one string or one list of
dictionaries. The bytes are exactly those of
``json.dumps(report.to_dict(...), ensure_ascii=False, indent=2) + "\\n"``, which
:meth:`JsonReporter.render` returns.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.report import Report

__all__ = ["JsonReporter"]

#: findings encoded before the text goes to the stream
_FLUSH_EVERY = 512


class JsonReporter:
    """Renders :meth:`Report.to_dict` as indented JSON (UTF-8, non-ASCII kept)."""

    name = "json"
    media_type = "application/json"

    def render(self, report: Report, *, catalogue: Catalogue, lang: str = "en") -> str:
        """The whole report as one string (see :meth:`write` for big reports)."""
        out = io.StringIO()
        self.write(report, out, catalogue=catalogue, lang=lang)
        return out.getvalue()

    def write(
        self, report: Report, stream: TextIO, *, catalogue: Catalogue, lang: str = "en"
    ) -> None:
        """Write the report to ``stream``, one finding at a time."""
        encode = json.JSONEncoder(ensure_ascii=False, indent=2).encode
        frame = report.to_dict_without_findings(lang=lang)
        separator = "{\n  "
        for key, value in frame.items():
            stream.write(f"{separator}{encode(key)}: ")
            separator = ",\n  "
            if key != "findings":
                stream.write(encode(value).replace("\n", "\n  "))
                continue
            opened = False  # "[" written
            pending: list[str] = []
            for data in report.iter_finding_dicts(catalogue=catalogue, lang=lang):
                pending.append(encode(data).replace("\n", "\n    "))
                if len(pending) >= _FLUSH_EVERY:
                    stream.write((",\n    " if opened else "[\n    ") + ",\n    ".join(pending))
                    opened, pending = True, []
            if pending:
                stream.write((",\n    " if opened else "[\n    ") + ",\n    ".join(pending))
                opened = True
            stream.write("\n  ]" if opened else "[]")
        stream.write("\n}\n")
