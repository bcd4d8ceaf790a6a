"""JSON Schema dialects and offline ``$ref`` resolution for the JSON Schema engine.

Three things live here, all done once at compile time:

* :class:`Dialect` and :func:`dialect_named` / :func:`declared_dialect`: which JSON Schema
  draft a schema is written in (``$schema`` spelt with or without ``#``, over http or https).
* :func:`build_space`: a :class:`referencing.Registry` holding the schema and every resource
  of the :class:`~govstd.engines.base.SchemaDocument`, under its retrieval URI *and* its own
  ``$id``/``id``. Its ``retrieve`` function never touches the network: a URI that is not among
  the resources is refused with :class:`~govstd.exceptions.ReferenceResolutionError`.
* :func:`check_space`: walks every subschema that validation can reach, resolves each ``$ref``
  and ``$dynamicRef`` it meets and checks every schema document it reaches against its
  meta-schema, so a broken setup fails before any data is read.
* :func:`ecma_regex`: JSON Schema patterns are ECMA-262 regular expressions, where ``$`` is
  the end of the text, ``\\d``/``\\w`` are ASCII-only and ``\\s`` includes U+FEFF.
  Python's ``$`` also matches before a final line break and its ``\\d`` matches full-width
  and other Unicode digits, so "张三\\n" or "１２３" would slip through. :func:`build_space`
  registers copies of the schemas whose ``pattern`` values and ``patternProperties`` names are
  rewritten to Python regexes with the ECMA-262 meaning of these (python-jsonschema and the
  fast path then agree, and both follow the specification); :attr:`SchemaSpace.patterns` maps
  each rewritten pattern back to the original for messages.

"Reachable" means reachable by evaluation: applicator keywords of the dialect (``properties``,
``items``, ``allOf`` …) and the targets of references. Definitions that nothing references are
not walked, exactly as a validator never evaluates them; in drafts 4 to 7 the siblings of
``$ref`` are ignored, as those drafts say.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

import jsonschema
import jsonschema.exceptions
import jsonschema.protocols
import jsonschema.validators
import referencing
import referencing.exceptions
import referencing.jsonschema
from jsonschema_specifications import REGISTRY as _SPECIFICATIONS

from govstd.engines.base import SchemaDocument
from govstd.engines.jsonschema import json_pointer
from govstd.exceptions import ReferenceResolutionError, SchemaError

if TYPE_CHECKING:
    from referencing._core import Resolver

__all__ = [
    "DIALECTS",
    "LATEST",
    "Dialect",
    "SchemaSpace",
    "base_of",
    "build_space",
    "check_schema",
    "check_space",
    "declared_dialect",
    "dialect_at",
    "dialect_named",
    "ecma_regex",
    "enter",
    "unresolvable_error",
]


@dataclass(frozen=True, slots=True)
class Dialect:
    """One JSON Schema draft: its validator class, its referencing rules and its quirks."""

    name: str
    uri: str
    validator: type[jsonschema.protocols.Validator]
    specification: referencing.Specification[Any]
    #: drafts 4 to 7: keywords beside ``$ref`` are ignored
    ref_overrides_siblings: bool

    @property
    def keywords(self) -> Mapping[str, Any]:
        """The keywords this draft evaluates (anything else is an annotation)."""
        return self.validator.VALIDATORS


DIALECTS: tuple[Dialect, ...] = (
    Dialect(
        "draft-04",
        "http://json-schema.org/draft-04/schema#",
        jsonschema.Draft4Validator,
        referencing.jsonschema.DRAFT4,
        True,
    ),
    Dialect(
        "draft-06",
        "http://json-schema.org/draft-06/schema#",
        jsonschema.Draft6Validator,
        referencing.jsonschema.DRAFT6,
        True,
    ),
    Dialect(
        "draft-07",
        "http://json-schema.org/draft-07/schema#",
        jsonschema.Draft7Validator,
        referencing.jsonschema.DRAFT7,
        True,
    ),
    Dialect(
        "2019-09",
        "https://json-schema.org/draft/2019-09/schema",
        jsonschema.Draft201909Validator,
        referencing.jsonschema.DRAFT201909,
        False,
    ),
    Dialect(
        "2020-12",
        "https://json-schema.org/draft/2020-12/schema",
        jsonschema.Draft202012Validator,
        referencing.jsonschema.DRAFT202012,
        False,
    ),
)

LATEST = DIALECTS[-1]

# "json-schema.org/draft-07/schema", "draft-07", "draft7", "7" … -> dialect
_ALIASES: dict[str, Dialect] = {}
for _dialect in DIALECTS:
    _number = _dialect.name.removeprefix("draft-").lstrip("0")
    for _alias in (
        _dialect.uri,
        _dialect.name,
        _dialect.name.replace("-", ""),
        f"draft{_number}",
        f"draft-{_number}",
        f"draft{_dialect.name}",
        _number,
    ):
        _ALIASES[_alias.lower()] = _dialect


def _normal(text: str) -> str:
    text = text.strip().lower()
    if "://" in text:
        text = text.split("://", 1)[1]
    return text.rstrip("#").rstrip("/")


_ALIASES = {_normal(alias): dialect for alias, dialect in _ALIASES.items()}


def dialect_named(text: str) -> Dialect | None:
    """The dialect a ``$schema`` URI or a short name (``draft-04``, ``2020-12``) stands for."""
    return _ALIASES.get(_normal(text))


def declared_dialect(content: Any) -> Dialect | None:
    """The dialect ``content`` declares with a known ``$schema``, if it declares one."""
    if isinstance(content, dict):
        declared = content.get("$schema")
        if isinstance(declared, str):
            return dialect_named(declared)
    return None


@dataclass(frozen=True, slots=True)
class SchemaSpace:
    """A compiled schema's world: the registry and where the root sits in it.

    ``root`` and the registered documents are the ECMA-262 rewrites (see :func:`ecma_regex`);
    ``originals`` maps ``id()`` of a rewritten document to the document as written, and
    ``patterns`` each rewritten pattern to the pattern as written.
    """

    label: str
    dialect: Dialect
    root: Any
    root_uri: str
    registry: referencing.Registry[Any]
    patterns: Mapping[str, str]
    originals: Mapping[int, Any]

    def resolver(self) -> Resolver[Any]:
        """A resolver whose base is the root schema's URI."""
        return self.registry.resolver(base_uri=self.root_uri)


def _refuse(uri: str) -> referencing.Resource[Any]:
    raise ReferenceResolutionError(
        f"{uri} is not among the standard's schema resources, and govstd never downloads",
        url=uri,
    )


def _resource(contents: Any, default: Dialect) -> referencing.Resource[Any]:
    dialect = declared_dialect(contents) or default
    return dialect.specification.create_resource(contents)


def build_space(document: SchemaDocument, dialect: Dialect, label: str) -> SchemaSpace:
    """Register the schema and its resources in an offline registry.

    Each resource is registered under its key (the URI it is retrieved under) and, by
    crawling, under its own ``$id``/``id`` (resolved against that key). The root is
    registered under its own id, else under its file URI, else under ``""``.
    """
    patterns: dict[str, str] = {}
    originals: dict[int, Any] = {}

    def rewrite(contents: Any) -> Any:
        rewritten = _ecma_schema(contents, patterns)
        if rewritten is not contents:
            originals[id(rewritten)] = contents
        return rewritten

    pairs: list[tuple[str, referencing.Resource[Any]]] = []
    for uri, contents in document.resources.items():
        if isinstance(contents, dict | bool):
            pairs.append((uri, _resource(rewrite(contents), dialect)))
    content = rewrite(document.content)
    root = dialect.specification.create_resource(content)
    file_uri = document.path.resolve().as_uri() if document.path is not None else ""
    root_uri = root.id() or file_uri
    pairs.append((root_uri, root))
    if file_uri and file_uri != root_uri:
        pairs.append((file_uri, root))
    registry: referencing.Registry[Any] = referencing.Registry(retrieve=_refuse)  # type: ignore[call-arg]
    registry = _SPECIFICATIONS.combine(registry.with_resources(pairs)).crawl()
    return SchemaSpace(label, dialect, content, root_uri.rstrip("#"), registry, patterns, originals)


# -- ECMA-262 patterns -------------------------------------------------------------------------

#: ECMA-262 escape -> (Python outside a character class, inside one or None to keep it)
_ESCAPES = {
    "d": ("[0-9]", "0-9"),
    "D": ("[^0-9]", None),
    "w": ("[A-Za-z0-9_]", "A-Za-z0-9_"),
    "W": ("[^A-Za-z0-9_]", None),
    # ECMA-262 white space includes U+FEFF (a stray byte-order mark), Python's does not
    "s": ("[\\s\\ufeff]", "\\s\\ufeff"),
    "S": ("[^\\s\\ufeff]", None),
}


def ecma_regex(pattern: str) -> str:
    """A Python regex that matches like the ECMA-262 ``pattern`` for ``$`` (the end of the
    text), ``\\d``/``\\D`` and ``\\w``/``\\W`` (ASCII digits and word characters) and
    ``\\s``/``\\S`` (white space including U+FEFF).

    Everything else is left as written: the two dialects agree on what standards use, and a
    pattern Python cannot read stays unreadable (the meta-schema check reports it).
    """
    if "$" not in pattern and "\\" not in pattern:
        return pattern
    out: list[str] = []
    in_class = False
    index, size = 0, len(pattern)
    while index < size:
        char = pattern[index]
        if char == "\\" and index + 1 < size:
            escaped = pattern[index + 1]
            outside, inside = _ESCAPES.get(escaped, (None, None))
            replacement = inside if in_class else outside
            out.append(replacement if replacement is not None else char + escaped)
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            # as Python reads it: a "^" and then a "]" right after "[" belong to the class
            in_class = True
            opening = "[^" if pattern.startswith("^", index + 1) else "["
            if pattern.startswith("]", index + len(opening)):
                opening += "]"
            out.append(opening)
            index += len(opening)
            continue
        elif char == "$":
            char = "\\Z"
        out.append(char)
        index += 1
    return "".join(out)


_MAPS_OF_SCHEMAS = (
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependencies",
)
_LISTS_OF_SCHEMAS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_SCHEMAS = (
    "additionalItems",
    "additionalProperties",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "items",
    "contentSchema",
)


def _ecma_schema(node: Any, patterns: dict[str, str]) -> Any:
    """``node`` with its patterns rewritten by :func:`ecma_regex` (``node`` itself if none
    changes). Only schema positions are visited: ``enum``, ``const``, ``default``, examples
    and unknown keywords are data and stay as written."""
    if not isinstance(node, dict):
        return node
    changed: dict[str, Any] = {}
    for key, value in node.items():
        new = value
        if key == "pattern" and isinstance(value, str):
            new = _ecma_pattern(value, patterns)
        elif key in _MAPS_OF_SCHEMAS and isinstance(value, dict):
            names = key == "patternProperties"
            members = {
                (_ecma_pattern(name, patterns) if names else name): _ecma_schema(sub, patterns)
                for name, sub in value.items()
            }
            if list(members) != list(value) or any(
                members[n] is not v for n, v in zip(members, value.values(), strict=True)
            ):
                new = members
        elif key in _LISTS_OF_SCHEMAS and isinstance(value, list):
            items = [_ecma_schema(sub, patterns) for sub in value]
            if any(a is not b for a, b in zip(items, value, strict=True)):
                new = items
        elif key in _SCHEMAS:
            new = _ecma_schema(value, patterns)
        if new is not value:
            changed[key] = new
    if not changed:
        return node
    return {key: changed.get(key, value) for key, value in node.items()}


def _ecma_pattern(pattern: str, patterns: dict[str, str]) -> str:
    rewritten = ecma_regex(pattern)
    if rewritten != pattern:
        patterns[rewritten] = pattern
    return rewritten


# -- walking ---------------------------------------------------------------------------------

_SINGLE = ("additionalItems", "additionalProperties", "contains", "not", "propertyNames")
_SINGLE_2019 = ("unevaluatedItems", "unevaluatedProperties")
_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAPS = ("properties", "patternProperties", "dependentSchemas", "dependencies")


def _children(node: dict[str, Any], dialect: Dialect) -> Iterator[tuple[str, Any]]:
    """(pointer suffix, subschema) for each subschema the dialect evaluates."""
    known = dialect.keywords
    for keyword in (*_SINGLE, *_SINGLE_2019):
        if keyword in known and keyword in node:
            yield json_pointer([keyword]), node[keyword]
    if "if" in known:
        for keyword in ("if", "then", "else"):
            if keyword in node:
                yield json_pointer([keyword]), node[keyword]
    if "items" in known and "items" in node:
        items = node["items"]
        if isinstance(items, list):
            for index, each in enumerate(items):
                yield json_pointer(["items", index]), each
        else:
            yield "/items", items
    for keyword in _LISTS:
        if keyword in known and isinstance(node.get(keyword), list):
            for index, each in enumerate(node[keyword]):
                yield json_pointer([keyword, index]), each
    for keyword in _MAPS:
        if keyword in known and isinstance(node.get(keyword), dict):
            for name, each in node[keyword].items():
                yield json_pointer([keyword, name]), each


def _references(node: dict[str, Any], dialect: Dialect) -> list[tuple[str, str]]:
    out = []
    for keyword in ("$ref", "$dynamicRef"):
        ref = node.get(keyword)
        if keyword in dialect.keywords and isinstance(ref, str):
            out.append((keyword, ref))
    return out


def _absolute(base: str, ref: str) -> str:
    return base + ref if ref.startswith("#") else urljoin(base, ref)


def dialect_at(node: Any, current: Dialect) -> Dialect:
    """The dialect a subschema is evaluated in, exactly as python-jsonschema decides it.

    A subschema that declares a ``$schema`` python-jsonschema knows switches dialect; any other
    subschema stays in the dialect of its parent.
    """
    if not isinstance(node, dict) or "$schema" not in node:
        return current
    cls = jsonschema.validators.validator_for(node, default=current.validator)
    for dialect in DIALECTS:
        if dialect.validator is cls:
            return dialect
    return current


def enter(node: dict[str, Any], resolver: Resolver[Any], dialect: Dialect) -> Resolver[Any]:
    """The resolver inside ``node``, reached through an applicator keyword."""
    resource = dialect.specification.create_resource(node)
    if resource.id() is None:
        return resolver
    return resolver.in_subresource(resource)


def base_of(resolver: Resolver[Any]) -> str:
    """The base URI a resolver resolves against.

    referencing has no public accessor for it; the attribute has been stable since its
    first releases, and a missing one only makes compile-time caches coarser.
    """
    return str(getattr(resolver, "_base_uri", ""))


def unresolvable_error(
    error: BaseException, ref: str, resolver: Resolver[Any], where: str
) -> ReferenceResolutionError:
    """Turn a referencing failure into our setup error, naming the URL."""
    url = _absolute(base_of(resolver), ref)
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ReferenceResolutionError):
            url = cause.url
            break
        cause = cause.__cause__
    if isinstance(error, referencing.exceptions.PointerToNowhere):
        reason = f"{urldefrag(url)[0]} exists, but has nothing at {error.ref!r}"
    elif isinstance(error, referencing.exceptions.NoSuchAnchor):
        reason = f"{urldefrag(url)[0]} exists, but has no anchor {error.anchor!r}"
    else:
        reason = f"{url} is not among the standard's schema resources (govstd never downloads)"
    return ReferenceResolutionError(f"{where}: cannot resolve $ref {ref!r}: {reason}", url=url)


def check_space(space: SchemaSpace) -> None:
    """Resolve every reachable reference and meta-validate every schema document reached.

    Raises :class:`~govstd.exceptions.ReferenceResolutionError` naming the URL of the first
    reference that cannot be resolved offline, and :class:`~govstd.exceptions.SchemaError`
    naming the document and the pointer of the first invalid schema.
    """
    check_schema(space.originals.get(id(space.root), space.root), space.dialect, space.label)
    checked = {id(space.root)}
    seen: set[tuple[int, str, str]] = set()
    # (subschema, resolver, dialect, reached by a reference?, document label, pointer)
    stack: list[tuple[Any, Resolver[Any], Dialect, bool, str, str]] = [
        (space.root, space.resolver(), space.dialect, True, space.label, "")
    ]
    while stack:
        node, resolver, dialect, by_ref, doc, pointer = stack.pop()
        dialect = dialect_at(node, dialect)
        if not isinstance(node, dict):
            continue
        if not by_ref:
            resolver = enter(node, resolver, dialect)
        key = (id(node), base_of(resolver), dialect.name)
        if key in seen:
            continue
        seen.add(key)
        where = f"{doc} at {pointer or '/'}"
        for keyword, ref in _references(node, dialect):
            try:
                resolved = resolver.lookup(ref)
            except referencing.exceptions.Unresolvable as error:
                raise unresolvable_error(error, ref, resolver, f"{where}/{keyword}") from None
            uri, fragment = urldefrag(_absolute(base_of(resolver), ref))
            document = _document(space.registry, uri)
            if document is not None and id(document) not in checked:
                checked.add(id(document))
                written = space.originals.get(id(document), document)
                check_schema(written, dialect_at(document, dialect), uri)
            stack.append((resolved.contents, resolved.resolver, dialect, True, uri, fragment))
        if dialect.ref_overrides_siblings and "$ref" in node:
            continue
        for suffix, child in _children(node, dialect):
            stack.append((child, resolver, dialect, False, doc, pointer + suffix))


def _document(registry: referencing.Registry[Any], uri: str) -> Any:
    try:
        contents = registry.contents(uri)
    except referencing.exceptions.NoSuchResource:
        return None
    if any(contents is _SPECIFICATIONS.contents(each) for each in _META_URIS):
        return None  # the drafts' own meta-schemas are valid
    return contents


_META_URIS = tuple(dialect.uri for dialect in DIALECTS)


def check_schema(contents: Any, dialect: Dialect, label: str) -> None:
    """Raise :class:`SchemaError` unless ``contents`` is valid against the dialect's meta-schema.

    The most relevant error is reported (``jsonschema.exceptions.best_match``), with the
    pointer of the offending place in the schema document.
    """
    cls = dialect.validator
    meta = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    error = jsonschema.exceptions.best_match(meta.iter_errors(contents))
    if error is not None:
        pointer = json_pointer(error.absolute_path) or "/"
        raise SchemaError(
            f"{label}: not a valid JSON Schema ({dialect.name}) at {pointer}: {error.message}"
        )
