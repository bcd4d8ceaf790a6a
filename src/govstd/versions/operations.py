"""The declarative migration operations: one record in, the same record changed in place.

Each operation is built once from a manifest step (its parameters checked then) and applied
to every record. An operation never guesses: a value it cannot carry over exactly is left
out of the result and reported as a :class:`Problem` (``migrate.unmappable``,
``migrate.inexact``, ``migrate.conflict``), and a value it must drop is reported too
(``migrate.dropped``). Nothing is rounded or lost silently.

=========================  =====================================  ===========================
op                         parameters                             effect
=========================  =====================================  ===========================
``rename``                 ``from``, ``to``                       move a value to a new name
``constant``               ``field``, ``value``                   set a fixed value
``upgrade-15-digit-id``    ``field``                              GB 11643 15 → 18 characters
``phone-to-e164``          ``field``, ``country_code``,           mobile and landline numbers
                           ``trunk_prefix`` (``"0"``)             to E.164
``multiply``               ``from``, ``to``, ``factor``,          decimal multiplication; with
                           ``exact`` (false)                      ``exact`` a result that is not
                                                                  whole is a problem
``map-codes``              ``field``, ``map``                     replace codes; a code not in
                                                                  ``map`` is a problem
``drop``                   ``field``                              remove a field (reported)
=========================  =====================================  ===========================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from govstd.checks.identifiers import ric_check_character

__all__ = ["OPERATIONS", "Operation", "Problem", "build_operation"]


@dataclass(frozen=True, slots=True)
class Problem:
    """A value an operation could not carry over exactly (becomes a finding)."""

    code: str
    field: str
    value: Any
    params: Mapping[str, Any] = field(default_factory=dict)


class Operation(Protocol):
    """One step of a migration, ready to apply."""

    name: str

    def apply(self, record: dict[str, Any]) -> list[Problem]:
        """Change ``record`` in place; return what could not be migrated exactly."""
        ...


class StepError(ValueError):
    """A step's parameters are wrong (the manifest is broken)."""


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise StepError(f"parameter {name!r} must be a non-empty string")
    return value


@dataclass(frozen=True, slots=True)
class Rename:
    source: str
    target: str
    name: str = "rename"

    def apply(self, record: dict[str, Any]) -> list[Problem]:
        if self.source not in record:
            return []
        value = record.pop(self.source)
        return _put(record, self.target, value, op=self.name, other=self.source)


@dataclass(frozen=True, slots=True)
class Constant:
    field: str
    value: Any
    name: str = "constant"

    def apply(self, record: dict[str, Any]) -> list[Problem]:
        return _put(record, self.field, self.value, op=self.name, other=self.field)


_RIC15 = re.compile(r"[0-9]{15}\Z")
_RIC18 = re.compile(r"[0-9]{17}[0-9X]\Z")


@dataclass(frozen=True, slots=True)
class UpgradeRic15:
    field: str
    name: str = "upgrade-15-digit-id"

    def apply(self, record: dict[str, Any]) -> list[Problem]:
        value = record.get(self.field)
        if self.field not in record or (isinstance(value, str) and _RIC18.match(value)):
            return []
        if isinstance(value, str) and _RIC15.match(value):
            body = value[:6] + "19" + value[6:]
            record[self.field] = body + ric_check_character(body)
            return []
        del record[self.field]
        return [
            Problem(
                "migrate.unmappable",
                self.field,
                value,
                {"op": self.name, "expected": "15 digits, or 17 digits and a check character"},
            )
        ]


@dataclass(frozen=True, slots=True)
class PhoneToE164:
    field: str
    country_code: str
    trunk_prefix: str = "0"
    name: str = "phone-to-e164"

    def apply(self, record: dict[str, Any]) -> list[Problem]:
        if self.field not in record:
            return []
        value = record[self.field]
        if isinstance(value, str):
            if re.fullmatch(r"\+[1-9][0-9]{6,14}", value):
                return []
            if re.fullmatch(r"1[3-9][0-9]{9}", value):
                record[self.field] = f"+{self.country_code}{value}"
                return []
            prefix = re.escape(self.trunk_prefix)
            landline = re.fullmatch(prefix + r"([0-9]{2,3})-([0-9]{7,8})", value)
            if landline:
                record[self.field] = f"+{self.country_code}{landline[1]}{landline[2]}"
                return []
        del record[self.field]
        return [
            Problem(
                "migrate.unmappable",
                self.field,
                value,
                {
                    "op": self.name,
                    "expected": "a mobile number 1[3-9]NNNNNNNNN or a landline 0AA(A)-NNNNNNN(N)",
                },
            )
        ]


def _decimal(value: Any) -> Decimal | None:
    """The exact decimal a JSON number or CSV text spells; None if it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", value):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None


@dataclass(frozen=True, slots=True)
class Multiply:
    source: str
    target: str
    factor: Decimal
    exact: bool = False
    name: str = "multiply"

    def apply(self, record: dict[str, Any]) -> list[Problem]:
        if self.source not in record:
            return []
        value = record.pop(self.source)
        number = _decimal(value)
        if number is None:
            return [
                Problem(
                    "migrate.unmappable",
                    self.source,
                    value,
                    {"op": self.name, "expected": "a number"},
                )
            ]
        result = number * self.factor
        if result == result.to_integral_value():
            converted: Any = int(result)
        else:
            converted = float(result)
            if self.exact or Decimal(repr(converted)) != result:
                inexact = {
                    "op": self.name,
                    "factor": str(self.factor),
                    "result": _plain(result),
                    "target": self.target,
                }
                return [Problem("migrate.inexact", self.source, value, inexact)]
        return _put(record, self.target, converted, op=self.name, other=self.source)


def _put(record: dict[str, Any], target: str, value: Any, *, op: str, other: str) -> list[Problem]:
    """Set ``record[target]`` unless it already holds a different value (``migrate.conflict``)."""
    if target in record and record[target] != value:
        return [
            Problem(
                "migrate.conflict",
                target,
                record[target],
                {"op": op, "other": other, "incoming": value},
            )
        ]
    record[target] = value
    return []


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True, slots=True)
class MapCodes:
    field: str
    mapping: Mapping[str, Any]
    name: str = "map-codes"

    def apply(self, record: dict[str, Any]) -> list[Problem]:
        if self.field not in record:
            return []
        value = record[self.field]
        key = value if isinstance(value, str) else None
        if key is not None and key in self.mapping:
            record[self.field] = self.mapping[key]
            return []
        del record[self.field]
        return [
            Problem(
                "migrate.unmappable",
                self.field,
                value,
                {"op": self.name, "expected": ", ".join(sorted(self.mapping))},
            )
        ]


@dataclass(frozen=True, slots=True)
class Drop:
    field: str
    name: str = "drop"

    def apply(self, record: dict[str, Any]) -> list[Problem]:
        if self.field not in record:
            return []
        value = record.pop(self.field)
        return [Problem("migrate.dropped", self.field, value, {"op": self.name})]


def _factor(params: Mapping[str, Any]) -> Decimal:
    raw = params.get("factor")
    number = _decimal(raw) if not isinstance(raw, str) else _decimal(raw.strip())
    if number is None or number == 0:
        raise StepError("parameter 'factor' must be a non-zero number")
    return number


def _mapping(params: Mapping[str, Any]) -> Mapping[str, Any]:
    value = params.get("map")
    if not isinstance(value, dict) or not value:
        raise StepError("parameter 'map' must be a table of code = new code")
    return {str(k): v for k, v in value.items()}


def _country(params: Mapping[str, Any]) -> str:
    code = str(params.get("country_code", ""))
    if not re.fullmatch(r"[1-9][0-9]{0,2}", code):
        raise StepError("parameter 'country_code' must be 1 to 3 digits, e.g. \"86\"")
    return code


#: op name → (allowed parameters, builder)
OPERATIONS: Mapping[str, tuple[frozenset[str], Callable[[Mapping[str, Any]], Operation]]] = {
    "rename": (frozenset({"from", "to"}), lambda p: Rename(_text(p, "from"), _text(p, "to"))),
    "constant": (
        frozenset({"field", "value"}),
        lambda p: Constant(_text(p, "field"), p["value"]) if "value" in p else _missing("value"),
    ),
    "upgrade-15-digit-id": (frozenset({"field"}), lambda p: UpgradeRic15(_text(p, "field"))),
    "phone-to-e164": (
        frozenset({"field", "country_code", "trunk_prefix"}),
        lambda p: PhoneToE164(_text(p, "field"), _country(p), str(p.get("trunk_prefix", "0"))),
    ),
    "multiply": (
        frozenset({"from", "to", "factor", "exact"}),
        lambda p: Multiply(
            _text(p, "from"),
            str(p.get("to") or _text(p, "from")),
            _factor(p),
            bool(p.get("exact", False)),
        ),
    ),
    "map-codes": (
        frozenset({"field", "map"}),
        lambda p: MapCodes(_text(p, "field"), _mapping(p)),
    ),
    "drop": (frozenset({"field"}), lambda p: Drop(_text(p, "field"))),
}


def _missing(name: str) -> Operation:
    raise StepError(f"parameter {name!r} is required")


def build_operation(step: Mapping[str, Any]) -> Operation:
    """The operation a manifest step describes; :class:`StepError` if it is malformed."""
    op = step.get("op")
    if op not in OPERATIONS:
        raise StepError(f"unknown op {op!r} (known: {', '.join(sorted(OPERATIONS))})")
    allowed, build = OPERATIONS[op]
    params = {k: v for k, v in step.items() if k not in ("op", "description")}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise StepError(f"op {op!r} takes no parameter {', '.join(map(repr, unknown))}")
    return build(params)
