"""Table Schema field types: how a cell's text becomes a value, compiled once per field.

Each Table Schema (v1) type and format compiles to a :class:`CellType`:

- ``parse(text)`` is the reference path: the value of one cell, or :class:`ValueError`. It is
  simple and obviously right, and is what the fast paths are tested against.
- ``column(cells)`` is the fast path over a whole column of a batch: it returns the values
  and the indices of the cells that are not of the type. It first tries one C-level pass
  (``map`` of a compiled regex's ``fullmatch``, of ``int``/``float``/``date.fromisoformat``,
  or a set lookup) and only falls back to ``parse`` cell by cell when that pass finds a
  problem.

Lexical rules follow the Table Schema v1 specification, with these choices:

- ``integer``/``number``: ASCII digits only; surrounding whitespace is accepted (as
  frictionless does); ``number`` takes ``NaN``, ``INF``, ``-INF`` and exponents; ``bareNumber:
  false`` allows leading/trailing non-digit text such as ``¥`` or ``%``.
- ``date``/``time``/``datetime`` ``default``: strictly ``YYYY-MM-DD``, ``hh:mm:ss`` and
  ``YYYY-MM-DDThh:mm:ss`` (optional fraction and ``Z``/``±hh:mm`` zone); ``any`` tries a fixed
  list of common layouts; other formats are ``strptime`` patterns.
- ``year`` is ``YYYY``, ``yearmonth`` ``YYYY-MM``, ``duration`` the XML Schema duration.
- ``geojson`` is checked *basically*: a JSON object with a valid GeoJSON ``type`` and the
  member that type requires (no coordinate-level validation).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["TYPES", "CellType", "build_type"]

#: every Table Schema v1 type
TYPES = (
    "string",
    "number",
    "integer",
    "boolean",
    "object",
    "array",
    "list",
    "date",
    "time",
    "datetime",
    "year",
    "yearmonth",
    "duration",
    "geopoint",
    "geojson",
    "any",
)

_INVALID = (ValueError, TypeError, LookupError, ArithmeticError, InvalidOperation, OverflowError)

_DIGITS = "[0-9]"
_INT_CORE = r"[+-]?[0-9]+"
_DATE_DEFAULT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ZONE = r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
_TIME_DEFAULT = re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?" + _ZONE)
_DATETIME_DEFAULT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?" + _ZONE
)
_NOT_DATE_CHARS = str.maketrans(dict.fromkeys("0123456789-"))
_YEAR = re.compile(r"[0-9]{4}")
_YEARMONTH = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])")
_DURATION = re.compile(
    r"(?P<sign>-?)P(?=[0-9T])(?:(?P<Y>[0-9]+)Y)?(?:(?P<M>[0-9]+)M)?(?:(?P<D>[0-9]+)D)?"
    r"(?:T(?=[0-9])(?:(?P<h>[0-9]+)H)?(?:(?P<m>[0-9]+)M)?(?:(?P<s>[0-9]+(?:\.[0-9]+)?)S)?)?"
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_GEOJSON_MEMBER = {
    "Point": "coordinates",
    "MultiPoint": "coordinates",
    "LineString": "coordinates",
    "MultiLineString": "coordinates",
    "Polygon": "coordinates",
    "MultiPolygon": "coordinates",
    "GeometryCollection": "geometries",
    "Feature": "geometry",
    "FeatureCollection": "features",
}
#: layouts tried, in order, by the ``any`` format of date and datetime
_ANY_DATE = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%d/%m/%Y", "%d.%m.%Y", "%Y年%m月%d日")
_ANY_DATE += ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y")
_ANY_TIME = ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f", "%I:%M %p", "%I:%M:%S %p")


@dataclass(frozen=True, slots=True)
class CellType:
    """A compiled type+format: how cells of one field become values."""

    name: str
    format: str
    #: what the standard expects, as shown in findings ("integer", "date (%d/%m/%Y)")
    expected: str
    #: the reference parser: the value of one cell, or ValueError
    parse: Callable[[str], Any]
    #: an optional C-level converter for a whole column, tried before ``parse``: it must
    #: return exactly what ``parse`` returns, or raise on a cell ``parse`` rejects
    bulk: Callable[[str], Any] | None = None
    #: a cheap test of a whole column that must hold before ``bulk`` is trusted
    guard: Callable[[Sequence[str]], bool] | None = None
    #: a regex every valid cell fully matches; on a column that matches throughout, the
    #: values are ``bulk`` of the cells (the cells themselves without ``bulk``)
    lexical: re.Pattern[str] | None = None
    #: whether every cell is valid and its own value (string, any)
    identity: bool = False
    #: whether values are ordered (minimum/maximum apply)
    ordered: bool = False
    #: how a value is made comparable with a bound (naive datetimes become UTC)
    comparable: Callable[[Any], Any] | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def column(self, cells: Sequence[str]) -> tuple[list[Any], list[int]]:
        """The values of ``cells`` and the indices of the cells not of this type.

        The value of an invalid cell is ``None`` in the returned list.
        """
        if self.identity:
            return list(cells), []
        bulk = self.bulk
        if self.lexical is not None:
            if None not in list(map(self.lexical.fullmatch, cells)):
                if bulk is None:
                    return list(cells), []
                try:
                    return list(map(bulk, cells)), []
                except _INVALID:
                    pass
        elif bulk is not None and (self.guard is None or self.guard(cells)):
            try:
                return list(map(bulk, cells)), []
            except _INVALID:
                pass
        values: list[Any] = []
        bad: list[int] = []
        parse = self.parse
        for index, cell in enumerate(cells):
            try:
                values.append(parse(cell))
            except _INVALID:
                values.append(None)
                bad.append(index)
        return values, bad


def _fullmatch(pattern: re.Pattern[str], convert: Callable[[str], Any]) -> Callable[[str], Any]:
    match = pattern.fullmatch

    def parse(text: str) -> Any:
        if match(text) is None:
            raise ValueError(text)
        return convert(text)

    return parse


def _identity(text: str) -> str:
    return text


def _joined_ascii_without(forbidden: str) -> Callable[[Sequence[str]], bool]:
    def guard(cells: Sequence[str]) -> bool:
        joined = "".join(cells)
        return joined.isascii() and not any(ch in joined for ch in forbidden)

    return guard


# -- string ---------------------------------------------------------------------------------


def _string(fmt: str) -> CellType:
    patterns = {"email": _EMAIL, "uri": _URI, "uuid": _UUID, "binary": _BASE64}
    if fmt == "default":
        return CellType("string", fmt, "string", _identity, identity=True)
    pattern = patterns[fmt]
    if fmt == "binary":

        def parse(text: str) -> str:
            if pattern.fullmatch(text) is None:
                raise ValueError(text)
            try:
                base64.b64decode(text, validate=True)
            except binascii.Error:
                raise ValueError(text) from None
            return text

        return CellType("string", fmt, "string (binary, base64)", parse)
    checked = _fullmatch(pattern, _identity)
    return CellType("string", fmt, f"string ({fmt})", checked, lexical=pattern)


# -- numbers --------------------------------------------------------------------------------


def _number_regex(decimal_char: str, group_char: str, bare: bool) -> re.Pattern[str]:
    dec = re.escape(decimal_char)
    digits = f"[0-9](?:{re.escape(group_char)}?[0-9])*" if group_char else "[0-9]+"
    core = rf"[+-]?(?:{digits}(?:{dec}[0-9]*)?|{dec}[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN"
    if bare:
        return re.compile(rf"\s*(?P<n>{core})\s*")
    return re.compile(rf"[^0-9\-]*?(?P<n>{core})[^0-9]*")


def _number(options: dict[str, Any]) -> CellType:
    decimal_char = options.get("decimalChar", ".")
    group_char = options.get("groupChar", "")
    bare = options.get("bareNumber", True)
    pattern = _number_regex(decimal_char, group_char, bare)
    match = pattern.fullmatch
    table = str.maketrans({decimal_char: ".", **({group_char: None} if group_char else {})})

    def canonical(text: str) -> str:
        found = match(text)
        if found is None:
            raise ValueError(text)
        return found.group("n").translate(table)

    def parse(text: str) -> Decimal:
        return Decimal(canonical(text))

    plain = bare and decimal_char == "." and not group_char
    return CellType(
        "number",
        "default",
        "number",
        parse,
        # float/Decimal accept "inf", "nan", "1_0", non-ASCII digits: keep them off the
        # fast path (INF and NaN take the reference path, which accepts them exactly).
        bulk=Decimal if plain else None,
        guard=_joined_ascii_without("_iInNxXsS") if plain else None,
        ordered=True,
    )


def _integer(options: dict[str, Any]) -> CellType:
    bare = options.get("bareNumber", True)
    if bare:
        pattern = re.compile(rf"\s*{_INT_CORE}\s*")
        parse = _fullmatch(pattern, int)
        return CellType(
            "integer",
            "default",
            "integer",
            parse,
            bulk=int,
            guard=_joined_ascii_without("_"),
            ordered=True,
        )
    loose = re.compile(rf"[^0-9\-]*?(?P<n>{_INT_CORE})[^0-9]*")

    def parse_loose(text: str) -> int:
        found = loose.fullmatch(text)
        if found is None:
            raise ValueError(text)
        return int(found.group("n"))

    return CellType("integer", "default", "integer", parse_loose, ordered=True)


def _boolean(options: dict[str, Any]) -> CellType:
    mapping = {str(v): True for v in options.get("trueValues", ["true", "True", "TRUE", "1"])}
    mapping.update(
        {str(v): False for v in options.get("falseValues", ["false", "False", "FALSE", "0"])}
    )

    def checked(text: str) -> bool:
        try:
            return mapping[text]
        except KeyError:
            raise ValueError(text) from None

    return CellType(
        "boolean", "default", "boolean", checked, bulk=mapping.__getitem__, extras={"map": mapping}
    )


# -- JSON-valued types ------------------------------------------------------------------------


def _json_of(kind: type, label: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = json.loads(text)
        if not isinstance(value, kind):
            raise ValueError(f"not a JSON {label}")
        return value

    return parse


def _geojson(fmt: str) -> CellType:
    def parse(text: str) -> dict[str, Any]:
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError("not a JSON object")
        kind = value.get("type")
        if fmt == "topojson":
            if kind != "Topology" or not isinstance(value.get("objects"), dict):
                raise ValueError("not a TopoJSON topology")
            return value
        member = _GEOJSON_MEMBER.get(kind) if isinstance(kind, str) else None
        if member is None or member not in value:
            raise ValueError("not a GeoJSON object")
        content = value[member]
        if member in ("coordinates", "geometries", "features") and not isinstance(content, list):
            raise ValueError(f"GeoJSON {member} must be an array")
        if member == "geometry" and content is not None and not isinstance(content, dict):
            raise ValueError("GeoJSON geometry must be an object or null")
        return value

    return CellType("geojson", fmt, f"geojson ({fmt})", parse)


def _geopoint(fmt: str) -> CellType:
    number = r"\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*"
    pair = re.compile(number + "," + number)

    def check(lon: Any, lat: Any) -> tuple[Decimal, Decimal]:
        if isinstance(lon, bool) or isinstance(lat, bool):
            raise ValueError("not numbers")
        point = (Decimal(str(lon)), Decimal(str(lat)))
        if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
            raise ValueError("out of range")
        return point

    def parse(text: str) -> tuple[Decimal, Decimal]:
        if fmt == "default":
            found = pair.fullmatch(text)
            if found is None:
                raise ValueError(text)
            return check(found.group(1), found.group(2))
        value = json.loads(text)
        if fmt == "array":
            if not isinstance(value, list) or len(value) != 2:
                raise ValueError("not [lon, lat]")
            return check(*value)
        if not isinstance(value, dict) or set(value) != {"lon", "lat"}:
            raise ValueError('not {"lon": …, "lat": …}')
        return check(value["lon"], value["lat"])

    return CellType("geopoint", fmt, f"geopoint ({fmt})", parse)


# -- dates and times ----------------------------------------------------------------------------

_STRPTIME_REGEX = {
    "Y": "[0-9]{4}",
    "m": "1[0-2]|0[1-9]|[1-9]",
    "d": "3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9]",
    "H": "2[0-3]|[01][0-9]|[0-9]",
    "M": "[0-5][0-9]|[0-9]",
    "S": "6[01]|[0-5][0-9]|[0-9]",
    "y": "[0-9]{2}",
    "f": "[0-9]{1,6}",
}


def _strptime_regex(fmt: str) -> re.Pattern[str] | None:
    """A regex for a strptime pattern made only of the common directives, else None."""
    out: list[str] = []
    index = 0
    while index < len(fmt):
        char = fmt[index]
        if char == "%":
            if index + 1 >= len(fmt):
                return None
            directive = fmt[index + 1]
            if directive == "%":
                out.append("%")
            elif directive in _STRPTIME_REGEX:
                out.append(f"(?P<{directive}>{_STRPTIME_REGEX[directive]})")
            else:
                return None
            index += 2
            continue
        out.append(r"\s+" if char.isspace() else re.escape(char))
        index += 1
    try:
        return re.compile("".join(out), re.IGNORECASE)
    except re.error:  # a directive used twice
        return None


def _strptime_parser(fmt: str, kind: str) -> Callable[[str], Any]:
    """Parse with a strptime pattern; a regex front for the common directives."""
    regex = _strptime_regex(fmt)

    def via_strptime(text: str) -> Any:
        value = datetime.strptime(text, fmt)
        return value.date() if kind == "date" else value.timetz() if kind == "time" else value

    if regex is None:
        return via_strptime

    def parse(text: str) -> Any:
        found = regex.fullmatch(text)
        if found is None:
            raise ValueError(text)
        parts = found.groupdict()
        if "y" in parts:
            year = int(parts["y"])
            year += 2000 if year < 69 else 1900
        else:
            year = int(parts.get("Y") or 1900)
        day = date(year, int(parts.get("m") or 1), int(parts.get("d") or 1))
        if kind == "date":
            return day
        micro = int((parts.get("f") or "0").ljust(6, "0"))
        clock = time(
            int(parts.get("H") or 0), int(parts.get("M") or 0), int(parts.get("S") or 0), micro
        )
        return clock if kind == "time" else datetime.combine(day, clock)

    return parse


def _as_utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    if isinstance(value, time) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _any_parser(kind: str) -> Callable[[str], Any]:
    layouts = _ANY_TIME if kind == "time" else _ANY_DATE
    iso = {"date": date.fromisoformat, "time": time.fromisoformat}.get(kind, datetime.fromisoformat)

    def parse(text: str) -> Any:
        text = text.strip()
        try:
            value = iso(text)
        except ValueError:
            pass
        else:
            return value.date() if kind == "date" and isinstance(value, datetime) else value
        for layout in layouts:
            try:
                value = datetime.strptime(text, layout)
            except ValueError:
                continue
            return value.date() if kind == "date" else value.timetz() if kind == "time" else value
        if kind == "datetime":
            for layout in _ANY_DATE:
                for clock in ("%H:%M:%S", "%H:%M"):
                    try:
                        return datetime.strptime(text, f"{layout} {clock}")
                    except ValueError:
                        continue
        raise ValueError(text)

    return parse


def _temporal(kind: str, fmt: str) -> CellType:
    comparable = _as_utc if kind in ("time", "datetime") else None
    if fmt == "default":
        if kind == "date":
            parse = _fullmatch(_DATE_DEFAULT, date.fromisoformat)

            def guard(cells: Sequence[str]) -> bool:
                # date.fromisoformat also takes 20200102, 2020-W01-1 and more: only trust it
                # on a column of "DDDD-DD-DD" cells (checked with slices of the joined text).
                if set(map(len, cells)) != {10}:
                    return False
                joined = "".join(cells)
                dashes = "-" * len(cells)
                return (
                    joined[4::10] == dashes
                    and joined[7::10] == dashes
                    and not joined.translate(_NOT_DATE_CHARS)
                )

            return CellType(
                kind, fmt, "date", parse, bulk=date.fromisoformat, guard=guard, ordered=True
            )
        if kind == "time":
            parse = _fullmatch(_TIME_DEFAULT, time.fromisoformat)
            return CellType(
                kind,
                fmt,
                "time",
                parse,
                bulk=time.fromisoformat,
                lexical=_TIME_DEFAULT,
                ordered=True,
                comparable=comparable,
            )
        parse = _fullmatch(_DATETIME_DEFAULT, datetime.fromisoformat)
        return CellType(
            kind,
            fmt,
            "datetime",
            parse,
            bulk=datetime.fromisoformat,
            lexical=_DATETIME_DEFAULT,
            ordered=True,
            comparable=comparable,
        )
    if fmt == "any":
        return CellType(
            kind, fmt, f"{kind} (any)", _any_parser(kind), ordered=True, comparable=comparable
        )
    return CellType(
        kind,
        fmt,
        f"{kind} ({fmt})",
        _strptime_parser(fmt, kind),
        ordered=True,
        comparable=comparable,
    )


def _duration(text: str) -> tuple[Any, ...]:
    found = _DURATION.fullmatch(text)
    if found is None or text.endswith("T"):
        raise ValueError(text)
    parts = found.groupdict()
    sign = -1 if parts.pop("sign") else 1
    return tuple(sign * Decimal(parts[k] or 0) for k in ("Y", "M", "D", "h", "m", "s"))


def _list(options: dict[str, Any]) -> CellType:
    delimiter = options.get("delimiter", ",")
    item_type = options.get("itemType", "string")
    item = build_type(item_type, "default", {})

    def parse(text: str) -> list[Any]:
        return [item.parse(part) for part in text.split(delimiter)]

    return CellType("list", "default", f"list of {item_type}", parse)


# -- the table of builders ------------------------------------------------------------------------

#: formats each type accepts besides "default"; None: any strptime pattern is a format
FORMATS: dict[str, tuple[str, ...] | None] = {
    "string": ("email", "uri", "binary", "uuid"),
    "date": None,
    "time": None,
    "datetime": None,
    "geopoint": ("array", "object"),
    "geojson": ("topojson",),
}


def build_type(kind: str, fmt: str, options: dict[str, Any]) -> CellType:
    """Compile a type, format and the type's own options (``trueValues``, ``decimalChar`` …)."""
    if kind == "string":
        return _string(fmt)
    if kind == "number":
        return _number(options)
    if kind == "integer":
        return _integer(options)
    if kind == "boolean":
        return _boolean(options)
    if kind == "object":
        return CellType(kind, "default", "object", _json_of(dict, "object"))
    if kind == "array":
        return CellType(kind, "default", "array", _json_of(list, "array"))
    if kind == "list":
        return _list(options)
    if kind in ("date", "time", "datetime"):
        return _temporal(kind, fmt)
    if kind == "year":
        parse = _fullmatch(_YEAR, int)
        return CellType(kind, fmt, "year", parse, bulk=int, lexical=_YEAR, ordered=True)
    if kind == "yearmonth":
        # "YYYY-MM" strings sort like the months they name.
        parse = _fullmatch(_YEARMONTH, _identity)
        return CellType(kind, fmt, "yearmonth", parse, lexical=_YEARMONTH, ordered=True)
    if kind == "duration":
        return CellType(kind, fmt, "duration", _duration)
    if kind == "geopoint":
        return _geopoint(fmt)
    if kind == "geojson":
        return _geojson(fmt)
    if kind == "any":
        return CellType(kind, fmt, "any", _identity, identity=True)
    raise ValueError(f"unknown type {kind!r}")


def is_nan(value: Any) -> bool:
    """Whether a number value is NaN (which fails every range constraint)."""
    return isinstance(value, Decimal | float) and math.isnan(value)


#: comparison for each range keyword: value OP bound must hold
RANGE_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "minimum": operator.ge,
    "maximum": operator.le,
    "exclusiveMinimum": operator.gt,
    "exclusiveMaximum": operator.lt,
}
