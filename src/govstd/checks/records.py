"""Generic record and dataset checks: ``unique``, ``date-range`` and ``max-decimals``.

``unique`` keeps per-source state: for every key seen, a 64-bit digest of the key mapped to
the ordinal of the first record that had it (a fresh map for every source). Keeping digests
instead of the values keeps memory lower (~100 bytes per distinct key instead of the values
themselves plus the map) at a price: two different keys with the same digest would be reported
as a false duplicate. With a 64-bit digest the chance of any such collision among ``n`` keys
is about ``n² / 2^65`` (≈ 3·10⁻⁶ for ten million keys). The digest is Python's ``hash()`` of
the key, which for text is SipHash keyed per process, so a crafted feed cannot aim for a
collision; on a platform where ``hash()`` is narrower than 64 bits a BLAKE2b digest is used.
A record with any key field absent is not compared (as in SQL, "no value" is never equal).

The plan applies ``unique`` a batch at a time (``_batch_unique``): the same digests go into a
:class:`~govstd.keyindex.KeyIndex` (sorted numpy runs, 12 bytes per distinct key instead of
the ~100 of a ``dict`` entry), so memory stays small at ten million records. The record check
(``_build_unique``) is the reference the batch form is tested against.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from hashlib import blake2b
from itertools import compress
from typing import Any

from govstd.findings import Finding
from govstd.rules import BatchCheck, BatchOpener, Check, Opener, RecordCheck, RuleContext

__all__ = ["CHECKS", "decimal_places"]


# -- unique ---------------------------------------------------------------------------------

_TEXT_OR_NONE = frozenset({str, type(None)})


def _canonical(value: Any) -> str:
    """Text that only equal JSON values share (so ``"1"`` and ``1`` differ)."""
    if type(value) is str:
        return value
    return "\x00" + json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _digest_function() -> Callable[[Any], int]:
    if sys.hash_info.width >= 64:
        return hash
    return lambda key: int.from_bytes(  # pragma: no cover - 32-bit platforms
        blake2b(repr(key).encode("utf-8", "surrogatepass"), digest_size=8).digest(),
        "little",
        signed=True,
    )


def _build_unique(context: RuleContext) -> Opener:
    fields = context.fields
    finding = context.finding
    digest = _digest_function()
    first_field = fields[0]

    if len(fields) == 1:

        def open_single() -> RecordCheck:
            seen: dict[int, int] = {}

            def check(
                record: Mapping[str, Any], ordinal: int, line: int | None
            ) -> list[Finding] | None:
                value = record.get(first_field)
                if value is None or value == "":
                    return None
                key = digest(value if type(value) is str else _canonical(value))
                first = seen.setdefault(key, ordinal)
                if first == ordinal:
                    return None
                return [
                    finding(
                        "field.unique",
                        record=ordinal,
                        line=line,
                        field=first_field,
                        value=value,
                        first_record=first,
                    )
                ]

            return check

        return open_single

    def open_composite() -> RecordCheck:
        seen: dict[int, int] = {}

        def check(
            record: Mapping[str, Any], ordinal: int, line: int | None
        ) -> list[Finding] | None:
            values = []
            for name in fields:
                value = record.get(name)
                if value is None or value == "":
                    return None
                values.append(_canonical(value))
            first = seen.setdefault(digest(tuple(values)), ordinal)
            if first == ordinal:
                return None
            return [
                finding(
                    "field.unique",
                    record=ordinal,
                    line=line,
                    field=first_field,
                    value=[record.get(name) for name in fields],
                    first_record=first,
                    fields=list(fields),
                )
            ]

        return check

    return open_composite


def _batch_unique(context: RuleContext) -> BatchOpener:
    """``unique`` a batch at a time on a :class:`~govstd.keyindex.KeyIndex` (12 bytes per
    distinct key instead of a ``dict`` entry): the same digests, the same first records, the
    same findings as the record check above (which stays the reference)."""
    fields = context.fields
    finding = context.finding
    digest = _digest_function()
    first_field = fields[0]
    single = len(fields) == 1

    def open_batch() -> BatchCheck:
        import numpy as np

        from govstd.keyindex import KeyIndex

        index = KeyIndex()

        def check(
            values: Callable[[str], list[Any]], ordinals: Sequence[int], lines: Sequence[Any]
        ) -> list[tuple[int, Finding]]:
            columns = [values(name) for name in fields]
            keyed: list[int] = []
            digests: Any = []
            if single and set(map(type, columns[0])) <= _TEXT_OR_NONE:
                # only texts and absent values (the common case): the same keys and digests,
                # every loop in C (None and "" are the false ones: no key)
                column = columns[0]
                keyed = list(compress(range(len(column)), column))
                keys = list(compress(column, column))
                digests = np.fromiter(map(digest, keys), dtype=np.int64, count=len(keys))
            elif single:
                for position, value in enumerate(columns[0]):
                    if value is None or value == "":
                        continue
                    keyed.append(position)
                    digests.append(digest(value if type(value) is str else _canonical(value)))
            else:
                for position, parts in enumerate(zip(*columns, strict=True)):
                    if any(value is None or value == "" for value in parts):
                        continue
                    keyed.append(position)
                    digests.append(digest(tuple(_canonical(value) for value in parts)))
            if not keyed:
                return []
            hashes = np.asarray(digests, dtype=np.int64).view(np.uint64)
            if len(keyed) == len(ordinals):
                keyed_ordinals: Any = ordinals
            else:
                keyed_ordinals = np.asarray(ordinals, dtype=np.int64)[keyed]
            dupes, firsts = index.add(hashes, keyed_ordinals)
            out: list[tuple[int, Finding]] = []
            for at, first in zip(dupes.tolist(), firsts.tolist(), strict=True):
                position = keyed[at]
                ordinal = ordinals[position]
                if single:
                    made = finding(
                        "field.unique",
                        record=ordinal,
                        line=lines[position],
                        field=first_field,
                        value=columns[0][position],
                        first_record=first,
                    )
                else:
                    made = finding(
                        "field.unique",
                        record=ordinal,
                        line=lines[position],
                        field=first_field,
                        value=[column[position] for column in columns],
                        first_record=first,
                        fields=list(fields),
                    )
                out.append((ordinal, made))
            return out

        return check

    return open_batch


# -- date-range -----------------------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def _bound(context: RuleContext, name: str) -> str | None:
    """A bound as ``YYYY-MM-DD`` text (compared as text: same order as the dates)."""
    value = context.param(name, None, (str, date))
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if value in ("as-of", "today"):
        return context.as_of.isoformat()
    try:
        if _ISO_DATE.match(value):
            return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise context.error(f"{name} must be YYYY-MM-DD or 'as-of' (the reference date), not {value!r}")


def _build_date_range(context: RuleContext) -> Opener:
    low = _bound(context, "min")
    high = _bound(context, "max")
    if low is None and high is None:
        raise context.error("give min, max or both")
    is_as_of = {key: context.rule.params.get(key) in ("as-of", "today") for key in ("min", "max")}
    if low is not None and high is not None and low > high and not any(is_as_of.values()):
        # a reference date outside fixed bounds is no broken rule: every date is out of range
        raise context.error(f"min {low} is after max {high}")
    floor = low or "0000-00-00"
    ceiling = high or "9999-99-99"
    fields = context.fields
    finding = context.finding
    iso_date = _ISO_DATE.match
    expected = f"{low or '…'} – {high or '…'}"

    def describe(value: str) -> tuple[str, str]:
        if value < floor:
            return f"before {low}", f"on or after {low}"
        suffix = " (the reference date)" if is_as_of["max"] else ""
        return f"after {high}{suffix}", f"on or before {high}{suffix}"

    def check(record: Mapping[str, Any], ordinal: int, line: int | None) -> list[Finding] | None:
        out = None
        for name in fields:
            value = record.get(name)
            if type(value) is not str or floor <= value <= ceiling or not iso_date(value):
                continue
            try:
                date.fromisoformat(value)
            except ValueError:
                continue  # not a real date: the schema's format check reports it
            detail, detail_expected = describe(value)
            out = out or []
            out.append(
                finding(
                    "field.range",
                    record=ordinal,
                    line=line,
                    field=name,
                    value=value,
                    expected=expected,
                    detail=detail,
                    detail_expected=detail_expected,
                )
            )
        return out

    return lambda: check


def _screen_date_range(context: RuleContext) -> Any:
    """Cells that are empty, not ``YYYY-MM-DD``, or between the bounds (compared as text:
    UTF-8 byte order is code point order) certainly pass."""
    low = _bound(context, "min")
    high = _bound(context, "max")
    floor = low or "0000-00-00"
    ceiling = high or "9999-99-99"
    fields = context.fields

    def screen(column: Any, height: int) -> Any:
        import numpy as np

        passed = np.ones(height, dtype=bool)
        for name in fields:
            series = column(name)
            if series is None:
                continue
            fine = (
                series.is_null()
                | ((series >= floor) & (series <= ceiling))
                | ~series.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
            )
            passed &= fine.fill_null(True).to_numpy()
        return passed

    return screen


# -- max-decimals ---------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.([0-9]*))?|\.([0-9]+))([eE][+-]?[0-9]+)?\Z")


def decimal_places(value: Any) -> int | None:
    """Significant decimal places of a number, or None if ``value`` is not a number.

    Text is read as written (``"1.50"`` has 1 place: trailing zeros do not count; an exponent
    is applied: ``"1.5e-7"`` has 8). A JSON float is measured by its shortest round-trip text,
    ``repr(value)``, which is what the source text meant whenever the source had no more
    significant digits than a float holds. Integers have 0; NaN, infinities and booleans are
    not numbers here.
    """
    kind = type(value)
    if kind is str:
        text = value.strip()
    elif kind is float:
        if not math.isfinite(value):
            return None
        text = repr(value)
    elif kind is int:
        return 0
    elif kind is Decimal:
        return _exact_places(value) if value.is_finite() else None
    else:
        return None
    match = _NUMBER.match(text)
    if match is None:
        return None
    fraction = match.group(1) or match.group(2) or ""
    if match.group(3) is None:
        return len(fraction.rstrip("0"))
    return _exact_places(Decimal(text))


def _exact_places(value: Decimal) -> int:
    """Decimal places of ``value`` without trailing zeros, exactly (``normalize()`` would round
    to the context's precision)."""
    _, digits, exponent = value.as_tuple()
    significant = len(digits) - len(bytes(digits).rstrip(b"\x00"))
    if not any(digits):
        return 0
    return max(0, -(int(exponent) + significant))


def _build_max_decimals(context: RuleContext) -> Opener:
    places = context.param("places", kind=int)
    if places < 0:
        raise context.error(f"places must be 0 or more, not {places}")
    fields = context.fields
    finding = context.finding

    def check(record: Mapping[str, Any], ordinal: int, line: int | None) -> list[Finding] | None:
        out = None
        for name in fields:
            value = record.get(name)
            if value is None or value == "" or type(value) is int:
                continue
            found = decimal_places(value)
            if found is None or found <= places:
                continue
            out = out or []
            out.append(
                finding(
                    "field.decimals",
                    record=ordinal,
                    line=line,
                    field=name,
                    value=value,
                    expected=places,
                    places=found,
                )
            )
        return out

    return lambda: check


CHECKS = (
    Check(
        "unique",
        _build_unique,
        "The field (or the combination of fields) holds a different value in every record of "
        "a source; a duplicate is reported on the later record, naming the first one.",
        fields=(1, None),
        codes=("field.unique",),
        batch=_batch_unique,
    ),
    Check(
        "date-range",
        _build_date_range,
        "A YYYY-MM-DD date lies between min and max (inclusive); 'as-of' means the reference date.",
        fields=(1, None),
        params={
            "min": "earliest allowed date, YYYY-MM-DD or 'as-of'",
            "max": "latest allowed date, YYYY-MM-DD or 'as-of'",
        },
        codes=("field.range",),
        screen=_screen_date_range,
    ),
    Check(
        "max-decimals",
        _build_max_decimals,
        "A number (JSON number or decimal text) has at most `places` significant decimals.",
        fields=(1, None),
        params={"places": "the most decimal places allowed (integer ≥ 0)"},
        codes=("field.decimals",),
    ),
)
