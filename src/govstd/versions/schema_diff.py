"""Structural diff of two JSON Schemas (drafts 4 to 2020-12), with ``$ref``s resolved offline.

Both schemas are walked side by side over the *instance*: ``properties`` lead to ``/name``,
``items`` to ``/*``, ``additionalProperties`` to ``/{additional}``. At each place the keywords
that constrain a value are put in one canonical form whatever the draft (draft-04's boolean
``exclusiveMinimum``, array ``items`` and ``dependencies`` included) and compared:

==================  ==================================================================
type                sets of types, ``integer`` inside ``number``
enum / const        sets of values
bounds              ``minimum``/``exclusiveMinimum`` … ``maxProperties``, ``multipleOf``
pattern             tightened when NEW's top-level alternatives are a subset of OLD's
                    (``^(A|B)$`` → ``^A$``), loosened for a superset, else changed
format              added (tightened), removed (loosened), changed
properties          added, removed, declared renames/replacements, required, closedness
arrays, allOf …     recursively; a change under ``not`` has its directions swapped
==================  ==================================================================

Each constraint change becomes a :class:`~govstd.versions.changes.Change` classified for
producers (a tightening breaks them) and consumers (a loosening breaks them); a change the
walker cannot order either way is breaking for both. A property that an open record did not
declare is taken to carry no meaning, so declaring one there breaks nobody; in a closed
record (``additionalProperties: false``) a new property breaks consumers and a removed one
producers.

References are resolved with :mod:`govstd.engines.jsonschema_refs` (never over the network);
a shared definition reached from several places gives one change with every place listed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import referencing.exceptions

from govstd.engines.base import SchemaDocument
from govstd.engines.jsonschema_refs import (
    LATEST,
    Dialect,
    SchemaSpace,
    base_of,
    build_space,
    declared_dialect,
    dialect_at,
    dialect_named,
    enter,
    unresolvable_error,
)
from govstd.versions.changes import Change, Impact
from govstd.versions.keywords import (
    LOWER,
    UPPER,
    canonical,
    divides,
    expand_types,
    key,
    set_relation,
    show_bound,
    upper_key,
)
from govstd.versions.patterns import pattern_relation

if TYPE_CHECKING:
    from referencing._core import Resolver

__all__ = ["diff_json_schemas"]

C, B = Impact.COMPATIBLE, Impact.BREAKING

#: direction → (producers, consumers)
_IMPACT = {"tightened": (B, C), "loosened": (C, B), "changed": (B, B), "same": (C, C)}
_SWAP = {"tightened": "loosened", "loosened": "tightened"}

Stack = frozenset[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class _Side:
    """One side of the walk at one place: the subschema, how to resolve from it, where it is."""

    node: Any
    resolver: Resolver[Any]
    dialect: Dialect
    location: str

    def child(self, node: Any, suffix: str) -> _Side:
        return _Side(node, self.resolver, self.dialect, self.location + suffix)


@dataclass(frozen=True, slots=True)
class _At:
    """Where the walk is: both sides, the instance path, and whether under a ``not``."""

    old: _Side
    new: _Side
    path: str
    flipped: bool
    stack: Stack


@dataclass
class _Walk:
    renames: Mapping[str, str]
    replaced: Mapping[str, str]
    artefact: str
    #: ECMA-262 rewrites of patterns → the patterns as written (see ``jsonschema_refs``)
    patterns: Mapping[str, str] = field(default_factory=dict)
    found: dict[tuple[Any, ...], Change] = field(default_factory=dict)

    def add(
        self,
        at: _At,
        kind: str,
        direction: str,
        detail: str,
        *,
        path: str | None = None,
        impacts: tuple[Impact, Impact] | None = None,
        old: Any = None,
        new: Any = None,
        zh: str = "",
    ) -> None:
        """Record a change (once per pair of schema locations; further paths are listed)."""
        where = at.path if path is None else path
        producers, consumers = impacts or _IMPACT[direction]
        if at.flipped:
            producers, consumers = consumers, producers
            direction = _SWAP.get(direction, direction)
        ident = (kind, at.old.location, at.new.location, detail, at.flipped)
        seen = self.found.get(ident)
        if seen is not None:
            if where != seen.path and where not in seen.locations:
                self.found[ident] = replace(seen, locations=(*seen.locations, where))
            return
        self.found[ident] = Change(
            kind=kind,
            path=where,
            producers=producers,
            consumers=consumers,
            detail=detail,
            direction=direction,
            artefact=self.artefact,
            old=old,
            new=new,
            detail_zh=zh,
        )

    def resolve(self, side: _Side, by_ref: bool) -> _Side:
        """Follow ``$ref`` chains; merge 2019-09+ siblings of ``$ref`` over the target."""
        node, resolver, location = side.node, side.resolver, side.location
        dialect = dialect_at(node, side.dialect)
        if not isinstance(node, dict):
            return _Side(node, resolver, dialect, location)
        if not by_ref:
            resolver = enter(node, resolver, dialect)
        hops = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and hops < 64:
            hops += 1
            ref = node["$ref"]
            try:
                resolved = resolver.lookup(ref)
            except referencing.exceptions.Unresolvable as error:
                raise unresolvable_error(error, ref, resolver, location) from None
            target = resolved.contents
            where = _absolute(base_of(resolver), ref)
            if dialect.ref_overrides_siblings or len(node) == 1:
                location = where
                node = target
            else:
                merged = dict(target) if isinstance(target, dict) else {}
                merged.update({k: v for k, v in node.items() if k != "$ref"})
                node = merged
            resolver, dialect = resolved.resolver, dialect_at(target, dialect)
        return _Side(node, resolver, dialect, location)

    def compare(
        self, old: _Side, new: _Side, path: str, *, by_ref: bool, flipped: bool, stack: Stack
    ) -> None:
        old, new = self.resolve(old, by_ref), self.resolve(new, by_ref)
        pair = (id(old.node), id(new.node))
        if pair in stack or old.node is new.node:
            return  # recursion already being compared further up, or the very same schema
        at = _At(old, new, path, flipped, stack | {pair})
        a, b = canonical(old.node, old.dialect), canonical(new.node, new.dialect)
        if a.get("never") != b.get("never"):
            never = bool(b.get("never"))
            self.add(
                at,
                "schema.changed",
                "tightened" if never else "loosened",
                "accepts nothing" if never else "accepts values again",
            )
            return
        self._types(at, a, b)
        self._values(at, a, b)
        self._bounds(at, a, b)
        self._strings(at, a, b)
        self._annotations(at, a, b)
        self._objects(at, a, b)
        self._arrays(at, a, b)
        self._combinators(at, a, b)

    def child(
        self,
        at: _At,
        old: Any,
        new: Any,
        suffix: str,
        path: str,
        new_suffix: str | None = None,
        flip: bool = False,
    ) -> None:
        self.compare(
            at.old.child(old, suffix),
            at.new.child(new, new_suffix or suffix),
            path,
            by_ref=False,
            flipped=at.flipped != flip,
            stack=at.stack,
        )

    # -- values ------------------------------------------------------------------------

    def _types(self, at: _At, a: dict[str, Any], b: dict[str, Any]) -> None:
        before, after = a.get("type"), b.get("type")
        direction = set_relation(expand_types(before), expand_types(after))
        if before == after or direction == "same":
            return
        shown = f"{_types(before)} → {_types(after)}"
        self.add(
            at,
            "type.changed",
            direction,
            f"type {shown}",
            zh=f"类型 {shown}",
            old=None if before is None else sorted(before),
            new=None if after is None else sorted(after),
        )

    def _values(self, at: _At, a: dict[str, Any], b: dict[str, Any]) -> None:
        before, after = a.get("enum"), b.get("enum")
        if before == after:
            return
        old_keys = None if before is None else {key(v) for v in before}
        new_keys = None if after is None else {key(v) for v in after}
        direction = set_relation(old_keys, new_keys)
        if direction == "same":
            return
        if before is None:
            detail = f"now limited to {', '.join(sorted(new_keys or ()))}"
        elif after is None:
            detail = "no longer limited to a list of values"
        else:
            added = sorted((new_keys or set()) - (old_keys or set()))
            removed = sorted((old_keys or set()) - (new_keys or set()))
            detail = "; ".join(
                part
                for part in (
                    added and f"adds {', '.join(added)}",
                    removed and f"removes {', '.join(removed)}",
                )
                if part
            )
        kind = "const.changed" if a.get("const") or b.get("const") else "enum.changed"
        self.add(at, kind, direction, detail, old=before, new=after)

    def _bounds(self, at: _At, a: dict[str, Any], b: dict[str, Any]) -> None:
        for name, keyword in (("lower", "minimum"), ("upper", "maximum")):
            before, after = a.get(name), b.get(name)
            if before == after:
                continue
            if before is None or after is None:
                direction = "tightened" if before is None else "loosened"
            elif name == "lower":
                direction = "tightened" if after > before else "loosened"
            else:
                direction = "tightened" if upper_key(after) < upper_key(before) else "loosened"
            self.add(
                at,
                "bound.changed",
                direction,
                f"{keyword} {show_bound(before)} → {show_bound(after)}",
                old=before and before[0],
                new=after and after[0],
            )
        for keyword in (*LOWER, *UPPER):
            before, after = a.get(keyword), b.get(keyword)
            if before == after:
                continue
            if before is None or after is None:
                direction = "tightened" if before is None else "loosened"
            elif keyword in LOWER:
                direction = "tightened" if after > before else "loosened"
            else:
                direction = "tightened" if after < before else "loosened"
            self.add(
                at,
                "bound.changed",
                direction,
                f"{keyword} {before} → {after}",
                old=before,
                new=after,
            )
        before, after = a.get("multipleOf"), b.get("multipleOf")
        if before != after:
            if before is None:
                direction = "tightened"
            elif after is None or divides(after, before):
                direction = "loosened"
            else:
                direction = "tightened" if divides(before, after) else "changed"
            self.add(
                at,
                "bound.changed",
                direction,
                f"multipleOf {before} → {after}",
                old=before,
                new=after,
            )

    def _strings(self, at: _At, a: dict[str, Any], b: dict[str, Any]) -> None:
        before, after = a.get("pattern"), b.get("pattern")
        before, after = self.patterns.get(before, before), self.patterns.get(after, after)
        direction = pattern_relation(before, after)
        if direction != "same":
            self.add(
                at,
                "pattern.changed",
                direction,
                f"pattern {before or '(none)'} → {after or '(none)'}",
                zh=f"模式 {before or '（无）'} → {after or '（无）'}",
                old=before,
                new=after,
            )
        before, after = a.get("format"), b.get("format")
        if before != after:
            direction = (
                "tightened" if before is None else "loosened" if after is None else "changed"
            )
            self.add(
                at,
                "format.changed",
                direction,
                f"format {before or '(none)'} → {after or '(none)'}",
                old=before,
                new=after,
            )

    def _annotations(self, at: _At, a: dict[str, Any], b: dict[str, Any]) -> None:
        if bool(a.get("deprecated")) != bool(b.get("deprecated")):
            now = bool(b.get("deprecated"))
            self.add(
                at,
                "deprecated.changed",
                "changed",
                "now deprecated" if now else "no longer deprecated",
                impacts=(C, C),
            )
        for keyword in ("codelist", "openCodelist"):
            if a.get(keyword) != b.get(keyword):
                self.add(
                    at,
                    "codelist.changed",
                    "changed",
                    f"{keyword} {a.get(keyword)} → {b.get(keyword)} (annotation)",
                    impacts=(C, C),
                    old=a.get(keyword),
                    new=b.get(keyword),
                )

    # -- objects -----------------------------------------------------------------------

    def _objects(self, at: _At, a: dict[str, Any], b: dict[str, Any]) -> None:
        old_props: dict[str, Any] = a.get("properties", {})
        new_props: dict[str, Any] = b.get("properties", {})
        old_req, new_req = set(a.get("required", ())), set(b.get("required", ()))
        old_closed, new_closed = a.get("closed", False), b.get("closed", False)
        old_pp: dict[str, Any] = a.get("patternProperties", {})
        new_pp: dict[str, Any] = b.get("patternProperties", {})
        renames = self.renames if at.path == "" else {}
        replaced = self.replaced if at.path == "" else {}
        paired = {n: renames.get(n) or replaced.get(n) for n in old_props}
        paired = {n: t for n, t in paired.items() if t in new_props and n not in new_props}

        for name, sub in old_props.items():
            where, suffix = f"{at.path}/{_escape(name)}", "/properties/" + _escape(name)
            if name in new_props:
                self.child(at, sub, new_props[name], suffix, where)
                continue
            if name in paired:
                target = paired[name]
                impacts = (
                    B if new_closed or target in new_req else C,
                    B if old_closed or name in old_req else C,
                )
                if name in renames:
                    self.add(
                        at,
                        "field.renamed",
                        "changed",
                        f"{name} → {target}",
                        path=where,
                        impacts=impacts,
                        old=name,
                        new=target,
                        zh=f"{name} 更名为 {target}",
                    )
                    moved = f"{at.path}/{_escape(target)}"
                    if (name in old_req) != (target in new_req):
                        self._required(at, target in new_req, moved, target)
                    self.child(
                        at,
                        sub,
                        new_props[target],
                        suffix,
                        moved,
                        new_suffix="/properties/" + _escape(target),
                    )
                else:
                    self.add(
                        at,
                        "field.replaced",
                        "changed",
                        f"{name} → {target} (converted by the declared migration)",
                        path=where,
                        impacts=impacts,
                        old=name,
                        new=target,
                        zh=f"{name} 换算为 {target}（见声明的迁移）",
                    )
                continue
            state = "required" if name in old_req else "optional"
            impacts = (
                B if new_closed and not _matches_any(name, new_pp) else C,
                B if name in old_req else C,
            )
            self.add(
                at,
                "field.removed",
                "removed",
                f"{name} ({state}) removed",
                path=where,
                impacts=impacts,
                old=name,
                zh=f"删除字段 {name}（原为{'必填' if name in old_req else '可选'}）",
            )
        for name in new_props:
            if name in old_props or name in paired.values():
                continue
            state = "required" if name in new_req else "optional"
            impacts = (
                B if name in new_req else C,
                B if old_closed and not _matches_any(name, old_pp) else C,
            )
            self.add(
                at,
                "field.added",
                "added",
                f"{name} ({state}) added",
                path=f"{at.path}/{_escape(name)}",
                impacts=impacts,
                new=name,
                zh=f"新增{'必填' if name in new_req else '可选'}字段 {name}",
            )
        for name in sorted(old_req ^ new_req):
            both = name in old_props and name in new_props
            neither = not ({name} & (set(old_props) | set(new_props) | set(paired.values())))
            if both or neither:
                self._required(at, name in new_req, f"{at.path}/{_escape(name)}", name)
        self._alternatives(at, a, b, old_req, new_req)
        if old_closed != new_closed:
            self.add(
                at,
                "closed.changed",
                "tightened" if new_closed else "loosened",
                "record closed: undeclared fields now rejected"
                if new_closed
                else "record opened: undeclared fields now accepted",
            )
        if a.get("additional") is not None and b.get("additional") is not None:
            self.child(
                at,
                a["additional"],
                b["additional"],
                "/additionalProperties",
                f"{at.path}/{{additional}}",
            )
        for pattern, sub in old_pp.items():
            if pattern in new_pp:
                self.child(
                    at,
                    sub,
                    new_pp[pattern],
                    "/patternProperties/" + _escape(pattern),
                    f"{at.path}/{{{self.patterns.get(pattern, pattern)}}}",
                )
        for pattern in sorted(set(old_pp) ^ set(new_pp)):
            added = pattern in new_pp
            shown = self.patterns.get(pattern, pattern)
            self.add(
                at,
                "schema.changed",
                "added" if added else "removed",
                f"properties matching {shown} {'now' if added else 'no longer'} declared",
                path=f"{at.path}/{{{shown}}}",
                impacts=(C, C),
            )
        for keyword in ("dependencies", "propertyNames"):
            if a.get(keyword) != b.get(keyword):
                self.add(at, "schema.changed", "changed", f"{keyword} changed")

    def _alternatives(
        self, at: _At, a: dict[str, Any], b: dict[str, Any], old_req: set[str], new_req: set[str]
    ) -> None:
        """``oneOf``/``anyOf`` of required-field sets: data valid under one side satisfies one
        of its sets; it is valid under the other side when it covers one of *its* sets."""
        none: tuple[frozenset[str], ...] = (frozenset(),)
        before, after = a.get("alternatives", none), b.get("alternatives", none)
        if set(before) == set(after):
            return
        full_old = [old_req | x for x in before]
        full_new = [new_req | y for y in after]
        producers_ok = all(any(x >= y for y in full_new) for x in full_old)
        consumers_ok = all(any(y >= x for x in full_old) for y in full_new)
        direction = {(True, False): "loosened", (False, True): "tightened"}.get(
            (producers_ok, consumers_ok), "changed"
        )

        def show(sets: tuple[frozenset[str], ...]) -> str:
            return " or ".join("{" + ", ".join(sorted(s)) + "}" for s in sets) or "{}"

        self.add(
            at,
            "required.changed",
            direction,
            f"required alternatives {show(before)} → {show(after)}",
            impacts=(C if producers_ok else B, C if consumers_ok else B),
        )

    def _required(self, at: _At, now: bool, where: str, name: str) -> None:
        if now:
            self.add(
                at,
                "required.added",
                "tightened",
                f"{name} is now required",
                path=where,
                zh=f"{name} 改为必填",
            )
        else:
            self.add(
                at,
                "required.removed",
                "loosened",
                f"{name} is now optional",
                path=where,
                zh=f"{name} 改为可选",
            )

    # -- arrays and combinators --------------------------------------------------------

    def _arrays(self, at: _At, a: dict[str, Any], b: dict[str, Any]) -> None:
        old_prefix, new_prefix = a.get("prefix", []), b.get("prefix", [])
        for index in range(min(len(old_prefix), len(new_prefix))):
            self.child(
                at,
                old_prefix[index],
                new_prefix[index],
                f"/prefixItems/{index}",
                f"{at.path}/{index}",
            )
        if len(old_prefix) != len(new_prefix):
            self.add(
                at,
                "items.changed",
                "changed",
                f"{len(old_prefix)} → {len(new_prefix)} positional item schemas",
            )
        if a.get("items") is not None or b.get("items") is not None:
            self.child(at, a.get("items", True), b.get("items", True), "/items", f"{at.path}/*")
        if a.get("uniqueItems", False) != b.get("uniqueItems", False):
            self.add(
                at,
                "items.changed",
                "tightened" if b.get("uniqueItems") else "loosened",
                "uniqueItems changed",
            )

    def _combinators(self, at: _At, a: dict[str, Any], b: dict[str, Any]) -> None:
        for keyword, more in (("allOf", "tightened"), ("anyOf", "loosened"), ("oneOf", "changed")):
            before, after = a.get(keyword, []), b.get(keyword, [])
            for index in range(min(len(before), len(after))):
                self.child(at, before[index], after[index], f"/{keyword}/{index}", at.path)
            if len(before) == len(after):
                continue
            if keyword != "allOf" and not (before and after):
                direction = "changed"
            else:
                direction = more if len(after) > len(before) else _SWAP.get(more, "changed")
            self.add(
                at,
                "combinator.changed",
                direction,
                f"{keyword}: {len(before)} → {len(after)} subschemas",
            )
        before, after = a.get("not"), b.get("not")
        if before is not None and after is not None:
            self.child(at, before, after, "/not", at.path, flip=True)
        elif before is not None or after is not None:
            self.add(
                at,
                "combinator.changed",
                "changed",
                f"not {'added' if after is not None else 'removed'}",
            )
        if any(key(a.get(k)) != key(b.get(k)) for k in ("if", "then", "else")):
            self.add(at, "combinator.changed", "changed", "if/then/else changed")


def _types(types: frozenset[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types))


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _matches_any(name: str, patterns: Mapping[str, Any]) -> bool:
    for pattern in patterns:
        try:
            if re.search(pattern, name):
                return True
        except re.error:
            continue
    return False


def _absolute(base: str, ref: str) -> str:
    return base + ref if ref.startswith("#") else urljoin(base, ref)


def _space(document: SchemaDocument, label: str) -> SchemaSpace:
    named = dialect_named(document.default_dialect) if document.default_dialect else None
    dialect = declared_dialect(document.content) or named or LATEST
    return build_space(document, dialect, label)


def _root(space: SchemaSpace) -> _Side:
    return _Side(space.root, space.resolver(), space.dialect, space.root_uri + "#")


def diff_json_schemas(
    old: SchemaDocument,
    new: SchemaDocument,
    *,
    renames: Mapping[str, str] | None = None,
    replaced: Mapping[str, str] | None = None,
    artefact: str = "json_schema",
) -> list[Change]:
    """Every change from the JSON Schema ``old`` to ``new``, ordered by path.

    ``renames`` maps top-level field names of OLD to their new names (a declared rename:
    reported once as ``field.renamed``, and the two fields' schemas compared);
    ``replaced`` maps a field to the field a declared conversion fills from it
    (``field.replaced``). Raises :class:`~govstd.exceptions.ReferenceResolutionError` when a
    ``$ref`` cannot be resolved from the documents' resources.
    """
    before, after = _space(old, "OLD"), _space(new, "NEW")
    walk = _Walk(
        renames=dict(renames or {}),
        replaced=dict(replaced or {}),
        artefact=artefact,
        patterns={**before.patterns, **after.patterns},
    )
    walk.compare(_root(before), _root(after), "", by_ref=True, flipped=False, stack=frozenset())
    return sorted(walk.found.values(), key=lambda c: (c.path, c.kind, c.detail))
