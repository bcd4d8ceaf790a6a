"""The JSON reporter: the public, versioned report format (``report.schema.json``).

:meth:`JsonReporter.write` streams the report to a text stream a few findings at a time, so
a report with hundreds of thousands of findings (kept on disk by a
:class:`~govstd.findingstore.FindingStore`) never exists as one string or one list of
dictionaries. The bytes are exactly those of
``json.dumps(report.to_dict(...), ensure_ascii=False, indent=2) + "\\n"``, which
:meth:`JsonReporter.render` returns.

The standard library's indented encoder is pure Python (its C encoder only does compact
output), so each chunk of findings is rendered by ``orjson`` when that provably gives the same
bytes: the chunk's compact encodings by the standard library's C encoder and by ``orjson``
are compared, and only if they are equal (same string escapes, same numbers, only ``str``
keys) is ``orjson``'s indented text used — indentation depends on the structure alone, and
both put it the same way. Otherwise (floats ``orjson`` writes differently, ``NaN``, lone
surrogates, non-``str`` keys, integers past 64 bits…) the chunk is rendered by ``json``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

import orjson

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.report import Report

__all__ = ["JsonReporter", "render_findings"]

#: findings encoded before the text goes to the stream
_FLUSH_EVERY = 512
#: the indentation of a finding in the report (inside ``"findings": [``)
_ITEM = "\n    "
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_INDENTED = json.JSONEncoder(ensure_ascii=False, indent=2).encode


def _by_json(items: Sequence[Any]) -> str:
    return _ITEM + ("," + _ITEM).join(_INDENTED(item).replace("\n", _ITEM) for item in items)


def render_findings(items: Sequence[Any]) -> str:
    """``items`` (finding dictionaries) as they appear in the report's ``findings`` array:
    each on a new line indented by four spaces, separated by commas, without the brackets.

    Equal to ``",".join("\\n    " + json.dumps(item, ensure_ascii=False, indent=2)
    .replace("\\n", "\\n    ") for item in items)``, whatever the items hold.
    """
    if not items:
        return ""
    try:
        compact = orjson.dumps(items)
        reference = _COMPACT(items)
    except (TypeError, ValueError, OverflowError, RecursionError):  # orjson.JSONEncodeError
        return _by_json(items)
    if compact != reference.encode("utf-8", "surrogatepass"):
        return _by_json(items)
    text = orjson.dumps(items, option=orjson.OPT_INDENT_2).decode("utf-8")
    # "[\n  {...},\n  {...}\n]": the items are indented by two spaces, two more make four
    return text[1:-2].replace("\n", "\n  ")


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
        """Write the report to ``stream``, a chunk of findings at a time."""
        encode = _INDENTED
        frame = report.to_dict_without_findings(lang=lang)
        separator = "{\n  "
        for key, value in frame.items():
            stream.write(f"{separator}{encode(key)}: ")
            separator = ",\n  "
            if key != "findings":
                stream.write(encode(value).replace("\n", "\n  "))
                continue
            opened = False  # "[" written
            pending: list[dict[str, Any]] = []
            for data in report.iter_finding_dicts(catalogue=catalogue, lang=lang):
                pending.append(data)
                if len(pending) >= _FLUSH_EVERY:
                    stream.write(("," if opened else "[") + render_findings(pending))
                    opened, pending = True, []
            if pending:
                stream.write(("," if opened else "[") + render_findings(pending))
                opened = True
            stream.write("\n  ]" if opened else "[]")
        stream.write("\n}\n")
