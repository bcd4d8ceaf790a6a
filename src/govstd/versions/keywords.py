"""The constraining keywords of one JSON Schema node, in one form whatever the draft.

Draft-04 writes an exclusive minimum as ``{"minimum": 5, "exclusiveMinimum": true}``, 2020-12
as ``{"exclusiveMinimum": 5}``; drafts up to 2019-09 write positional items as an ``items``
array and the rest as ``additionalItems``, 2020-12 as ``prefixItems`` and ``items``;
``dependencies`` became ``dependentRequired``/``dependentSchemas``. :func:`canonical` folds
these into one view so two versions written in different drafts (360Giving 1.0.0 is draft-04,
1.4.3 is 2020-12) compare keyword by keyword. It also gives the set relations the differ
orders changes by.
"""

from __future__ import annotations

import json
import math
from typing import Any

from govstd.engines.jsonschema_refs import Dialect

__all__ = [
    "LOWER",
    "UPPER",
    "canonical",
    "divides",
    "expand_types",
    "key",
    "set_relation",
    "show_bound",
    "upper_key",
]

LOWER = ("minLength", "minItems", "minProperties")
UPPER = ("maxLength", "maxItems", "maxProperties")

_COPIED = (*LOWER, *UPPER, "multipleOf", "pattern", "format", "uniqueItems")


def canonical(node: Any, dialect: Dialect) -> dict[str, Any]:
    """The view of ``node``: ``type`` (frozenset), ``enum`` (const as a one-value enum),
    ``lower``/``upper`` (``(value, exclusive)``), lengths, ``pattern``, ``format``,
    ``properties``, ``required``, ``closed`` or ``additional``, ``patternProperties``,
    ``prefix``/``items``, ``allOf``/``anyOf``/``oneOf``/``not``/``if``…, ``dependencies``, and
    the annotations ``deprecated``, ``codelist``, ``openCodelist`` (OCDS). ``{"never": True}``
    for a schema that accepts nothing."""
    if node is True or node == {}:
        return {}
    if node is False:
        return {"never": True}
    if not isinstance(node, dict):
        return {}
    known = dialect.keywords
    out: dict[str, Any] = {}
    if "type" in node:
        types = node["type"]
        out["type"] = frozenset([types] if isinstance(types, str) else types)
    if "enum" in node and "enum" in known:
        out["enum"] = list(node["enum"])
    if "const" in node and "const" in known:
        out["enum"] = [node["const"]]
        out["const"] = True
    for keyword in _COPIED:
        if keyword in node:
            out[keyword] = node[keyword]
    out.update(_numeric_bounds(node))
    for keyword in ("deprecated", "codelist", "openCodelist"):
        if keyword in node:
            out[keyword] = node[keyword]
    _objects(node, out)
    _arrays(node, known, out)
    for keyword in ("allOf", "anyOf", "oneOf"):
        if isinstance(node.get(keyword), list) and not _alternatives(node, keyword, out):
            out[keyword] = node[keyword]
    for keyword in ("not", "if", "then", "else"):
        if keyword in node and keyword in known:
            out[keyword] = node[keyword]
    return out


def _objects(node: dict[str, Any], out: dict[str, Any]) -> None:
    if isinstance(node.get("properties"), dict):
        out["properties"] = node["properties"]
    if isinstance(node.get("required"), list):
        out["required"] = tuple(node["required"])
    if isinstance(node.get("patternProperties"), dict):
        out["patternProperties"] = node["patternProperties"]
    extra = node.get("additionalProperties", node.get("unevaluatedProperties"))
    if extra is False or (isinstance(extra, dict) and extra.get("not") == {}):
        out["closed"] = True
    elif isinstance(extra, dict) and extra:
        out["additional"] = extra
    dependencies: dict[str, Any] = {}
    for keyword in ("dependencies", "dependentRequired", "dependentSchemas"):
        if isinstance(node.get(keyword), dict):
            dependencies.update(node[keyword])
    if dependencies:
        out["dependencies"] = key(dependencies)
    if "propertyNames" in node:
        out["propertyNames"] = key(node["propertyNames"])


def _alternatives(node: dict[str, Any], keyword: str, out: dict[str, Any]) -> bool:
    """Fold ``oneOf``/``anyOf`` branches that only list ``required`` fields: what every
    branch requires joins ``required``, the rest becomes ``alternatives`` (one set per branch).
    360Giving 1.4 requires either ``recipientOrganization`` or ``recipientIndividual`` so."""
    branches = node[keyword]
    if keyword == "allOf" or "alternatives" in out or not branches:
        return False
    if not all(isinstance(b, dict) and set(b) == {"required"} for b in branches):
        return False
    sets = [frozenset(b["required"]) for b in branches]
    common = frozenset.intersection(*sets)
    out["required"] = tuple(dict.fromkeys((*out.get("required", ()), *sorted(common))))
    out["alternatives"] = tuple(s - common for s in sets)
    return True


def _arrays(node: dict[str, Any], known: Any, out: dict[str, Any]) -> None:
    items = node.get("items")
    if "prefixItems" in known:
        if isinstance(node.get("prefixItems"), list):
            out["prefix"] = node["prefixItems"]
        if items is not None:
            out["items"] = items
    elif isinstance(items, list):
        out["prefix"] = items
        if "additionalItems" in node:
            out["items"] = node["additionalItems"]
    elif items is not None:
        out["items"] = items


def _numeric_bounds(node: dict[str, Any]) -> dict[str, Any]:
    """``lower``/``upper`` as ``(value, exclusive)``; draft-04's boolean exclusives folded in."""
    out: dict[str, Any] = {}
    lowers, uppers = [], []
    minimum, maximum = node.get("minimum"), node.get("maximum")
    ex_min, ex_max = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if _number(minimum):
        lowers.append((minimum, ex_min is True))
    if _number(ex_min):
        lowers.append((ex_min, True))
    if _number(maximum):
        uppers.append((maximum, ex_max is True))
    if _number(ex_max):
        uppers.append((ex_max, True))
    if lowers:
        out["lower"] = max(lowers)
    if uppers:
        out["upper"] = min(uppers, key=upper_key)
    return out


def upper_key(bound: tuple[float, bool]) -> tuple[float, int]:
    """Order upper bounds by tightness: ``(5, exclusive)`` is tighter than ``(5, inclusive)``."""
    value, exclusive = bound
    return (value, 0 if exclusive else 1)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def show_bound(bound: tuple[float, bool] | None) -> str:
    if bound is None:
        return "(none)"
    value, exclusive = bound
    return f"{value} (exclusive)" if exclusive else f"{value}"


def divides(small: float, big: float) -> bool:
    """Whether ``big`` is a whole multiple of ``small``."""
    if small == 0:
        return False
    quotient = big / small
    return math.isclose(quotient, round(quotient))


def expand_types(types: frozenset[str] | None) -> set[str] | None:
    """The set of types accepted; ``number`` includes ``integer``; None is any type."""
    if types is None:
        return None
    out = set(types)
    if "number" in out:
        out.add("integer")
    return out


def set_relation(old: set[Any] | None, new: set[Any] | None) -> str:
    """``None`` is "anything". NEW inside OLD → tightened; OLD inside NEW → loosened."""
    if old == new:
        return "same"
    if new is None:
        return "loosened"
    if old is None:
        return "tightened"
    if new <= old:
        return "tightened"
    if old <= new:
        return "loosened"
    return "changed"


def key(value: Any) -> str:
    """A stable text for comparing JSON values (enum members, subschemas)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
