"""Diff of two versions' rules (the manifest's ``[[rules]]``) and the code lists they bind.

Rules are paired by ``id``; the fields of OLD's rules are first mapped through the declared
renames, so a rule that follows its renamed field is unchanged. For each pair the check, the
fields, the effective severity and the parameters are compared. Parameters whose meaning is
known are ordered (``cn.ric`` ``allow_15`` true → false tightens; ``date-range`` ``min`` later
tightens; ``max-decimals`` ``places`` fewer tightens; ``cn.uscc`` ``authorities`` fewer
tightens); a ``codelist`` rule compares the lists it binds (:mod:`.codelist_diff`); any other
parameter change is breaking for both sides.

A rule only fires on a record that has its fields, so a rule added about fields that OLD did
not define, or removed together with its fields, breaks nobody by itself (the field change
says what breaks). Warnings never reject a record, so adding or removing a warning-level rule
is compatible.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from govstd.exceptions import SetupError
from govstd.versions.changes import Change, Impact
from govstd.versions.codelist_diff import diff_codelists

if TYPE_CHECKING:
    from govstd.codelists import CodeLists
    from govstd.standard import RuleSpec, Standard

__all__ = ["diff_rules"]

C, B = Impact.COMPATIBLE, Impact.BREAKING
_IMPACT = {"tightened": (B, C), "loosened": (C, B), "changed": (B, B)}
_SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def _severity(rule: RuleSpec) -> str:
    return rule.severity or "error"


def _order(old: Any, new: Any, tighter_when: Callable[[Any, Any], bool]) -> str:
    if old is None:
        return "tightened"
    if new is None:
        return "loosened"
    try:
        if tighter_when(old, new):
            return "tightened"
        if tighter_when(new, old):
            return "loosened"
    except TypeError:
        pass
    return "changed"


def _dates(old: Any, new: Any, later_tightens: bool) -> str:
    if "as-of" in (old, new) and old != new:
        return "changed"
    return _order(old, new, (lambda a, b: b > a) if later_tightens else (lambda a, b: b < a))


#: (check, parameter) → how a change of that parameter is ordered
_PARAMS: Mapping[tuple[str, str], Callable[[Any, Any], str]] = {
    ("cn.ric", "allow_15"): lambda a, b: _order(
        True if a is None else a, False if b is None else b, lambda x, y: bool(x) and not y
    ),
    ("date-range", "min"): lambda a, b: _dates(a, b, later_tightens=True),
    ("date-range", "max"): lambda a, b: _dates(a, b, later_tightens=False),
    ("max-decimals", "places"): lambda a, b: _order(a, b, lambda x, y: y < x),
    ("cn.uscc", "authorities"): lambda a, b: _order(
        a or "123456789ANY", b or "123456789ANY", lambda x, y: set(y) < set(x)
    ),
    ("codelist", "closed"): lambda a, b: _order(a, b, lambda x, y: bool(y) and not x),
}


def diff_rules(
    old: Standard,
    new: Standard,
    *,
    renames: Mapping[str, str],
    new_fields: Collection[str],
    gone_fields: Collection[str],
    codelists: Callable[[Standard], CodeLists],
) -> list[Change]:
    """Changes between the rules of ``old`` and ``new``.

    ``new_fields`` are fields only NEW defines; ``gone_fields`` are OLD's fields that NEW
    drops (neither renamed nor kept); ``codelists(standard)`` gives the code lists a
    standard's rules resolve against.
    """
    from govstd.rules_plugin import standard_rules

    before = {rule.id: rule for rule in standard_rules(old)}
    after = {rule.id: rule for rule in standard_rules(new)}
    out: list[Change] = []
    for ident, rule in before.items():
        path = f"rule:{ident}"
        if ident not in after:
            mapped = {renames.get(f, f) for f in rule.fields}
            if rule.fields and set(rule.fields) <= set(gone_fields):
                impacts = (C, C)
                why = " together with its fields"
            else:
                impacts = (C, B if _severity(rule) == "error" else C)
                why = ""
            out.append(
                _change(
                    "rule.removed",
                    path,
                    impacts,
                    f"{ident} ({rule.check} on {', '.join(sorted(mapped))}) removed{why}",
                    "removed",
                    old=ident,
                )
            )
            continue
        out.extend(_compare(rule, after[ident], renames, old, new, codelists))
    for ident, rule in after.items():
        if ident in before:
            continue
        path = f"rule:{ident}"
        if rule.fields and set(rule.fields) <= set(new_fields):
            impacts = (C, C)
            why = " (about fields OLD does not define)"
        else:
            impacts = (B if _severity(rule) == "error" else C, C)
            why = ""
        out.append(
            _change(
                "rule.added",
                path,
                impacts,
                f"{ident} ({rule.check} on {', '.join(rule.fields)}) added{why}",
                "added",
                new=ident,
            )
        )
    return out


def _compare(
    old_rule: RuleSpec,
    new_rule: RuleSpec,
    renames: Mapping[str, str],
    old: Standard,
    new: Standard,
    codelists: Callable[[Standard], CodeLists],
) -> list[Change]:
    ident = new_rule.id
    path = f"rule:{ident}"
    out: list[Change] = []
    if old_rule.check != new_rule.check:
        return [
            _change(
                "rule.changed",
                path,
                _IMPACT["changed"],
                f"{ident}: check {old_rule.check} → {new_rule.check}",
                "changed",
                old=old_rule.check,
                new=new_rule.check,
            )
        ]
    mapped = tuple(renames.get(f, f) for f in old_rule.fields)
    if mapped != new_rule.fields:
        out.append(
            _change(
                "rule.changed",
                path,
                _IMPACT["changed"],
                f"{ident}: fields {list(mapped)} → {list(new_rule.fields)}",
                "changed",
                old=list(old_rule.fields),
                new=list(new_rule.fields),
            )
        )
    a, b = _severity(old_rule), _severity(new_rule)
    if a != b:
        direction = "tightened" if _SEVERITY_RANK[b] > _SEVERITY_RANK[a] else "loosened"
        impacts = (C, C) if "error" not in (a, b) else _IMPACT[direction]
        out.append(
            _change(
                "rule.changed",
                path,
                impacts,
                f"{ident}: severity {a} → {b}",
                direction,
                old=a,
                new=b,
            )
        )
    check = new_rule.check
    names = sorted(set(old_rule.params) | set(new_rule.params))
    for name in names:
        x, y = old_rule.params.get(name), new_rule.params.get(name)
        if check == "codelist" and name == "codelist":
            out.extend(_codelists(x, y, new_rule, old, new, codelists))
            continue
        if x == y:
            continue
        order = _PARAMS.get((check, name))
        direction = order(x, y) if order else "changed"
        out.append(
            _change(
                "rule.changed",
                path,
                _IMPACT[direction],
                f"{ident}: {name} {x!r} → {y!r}",
                direction,
                old=x,
                new=y,
            )
        )
    return out


def _codelists(
    old_ref: Any,
    new_ref: Any,
    rule: RuleSpec,
    old: Standard,
    new: Standard,
    codelists: Callable[[Standard], CodeLists],
) -> list[Change]:
    ships_own = bool(old.codelists) or bool(new.codelists)
    if old_ref == new_ref and not ships_own:
        return []
    try:
        before = codelists(old).get(str(old_ref))
        after = codelists(new).get(str(new_ref))
    except SetupError as exc:
        return [
            _change(
                "codelist.changed",
                f"rule:{rule.id}",
                _IMPACT["changed"],
                f"{rule.id}: cannot compare code lists {old_ref} → {new_ref}: {exc}",
                "changed",
                old=old_ref,
                new=new_ref,
            )
        ]
    if before.ref == after.ref and before.provenance == after.provenance:
        return []
    closed = rule.params.get("closed")
    if isinstance(closed, bool):
        from govstd.codelists import CodeList

        before = CodeList(
            before.id, before.version, before, closed=closed, provenance=before.provenance
        )
        after = CodeList(after.id, after.version, after, closed=closed, provenance=after.provenance)
    out = []
    for field in rule.fields or ("",):
        out.extend(diff_codelists(before, after, path=f"/{field}" if field else ""))
    return out


def _change(
    kind: str,
    path: str,
    impacts: tuple[Impact, Impact],
    detail: str,
    direction: str,
    *,
    old: Any = None,
    new: Any = None,
) -> Change:
    return Change(
        kind=kind,
        path=path,
        producers=impacts[0],
        consumers=impacts[1],
        detail=detail,
        direction=direction,
        artefact="rules",
        old=old,
        new=new,
    )
