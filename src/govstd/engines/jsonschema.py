"""The JSON Schema engine: compiles a JSON Schema once, then checks documents batch by batch.

Compilation (:meth:`JsonSchemaEngine.compile`) picks the dialect from ``$schema`` (drafts 4,
6, 7, 2019-09 and 2020-12), checks the schema against its meta-schema, registers the schema
and its resources in an offline registry, resolves every reachable ``$ref`` (see
:mod:`govstd.engines.jsonschema_refs`), builds one python-jsonschema validator and compiles a
fast validity predicate (see :mod:`govstd.engines.jsonschema_fast`).

Checking (:class:`JsonSchemaChecker`) asks the predicate first (over the whole batch, the
loop in C); only records it rejects go through python-jsonschema's ``iter_errors``, on a
validator that descends only into the properties the predicate rejects (same errors, see
:func:`govstd.engines.jsonschema_fast.pruning_validator`). Each top-level error becomes one
:class:`~govstd.findings.Finding` (``additionalProperties``/``unevaluatedProperties`` become
one finding per unexpected property):

* ``code`` from :data:`KEYWORD_CODES` (``record.structure`` for any other keyword);
* ``keyword`` is the JSON Schema keyword that failed (``"false"`` for a ``false`` schema);
* ``location.pointer`` is the RFC 6901 pointer of the failing value inside the record, and
  ``location.field`` the last property name on that path. For ``required`` the pointer is
  that of the object lacking the property and ``field`` is the missing property's name (its
  ``value`` is then MISSING); for an unexpected property the pointer is the property's own;
* ``value`` is the failing value and ``expected`` the keyword's value, both shortened when
  huge; ``message`` is python-jsonschema's message (also shortened);
* for ``oneOf``/``anyOf`` the hint and the ``closest`` parameter name the best sub-error
  (``jsonschema.exceptions.best_match``), while pointer and keyword stay the top-level ones.

python-jsonschema is loaded on first compile, so ``detect`` and importing this module stay
cheap; its ``iri`` format checkers' grammar (~1-2 s to build) only when an ``iri`` format is
checked (:func:`defer_rfc3987_syntax`).
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Mapping, Sequence
from itertools import compress
from operator import not_
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from govstd.engines.base import CompileContext, SchemaDocument, refers_outside
from govstd.exceptions import ReferenceResolutionError, SchemaError, UsageError
from govstd.findings import MISSING, Finding, Location

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

    from govstd.catalogue import Catalogue
    from govstd.engines.jsonschema_fast import Predicate
    from govstd.engines.jsonschema_screen import Screen
    from govstd.formats.base import DocumentBatch, TableBatch

__all__ = [
    "KEYWORD_CODES",
    "JsonSchemaChecker",
    "JsonSchemaEngine",
    "JsonSchemaPlan",
    "brief",
    "json_pointer",
]

#: finding code of each failing keyword; any other keyword gives ``record.structure``
KEYWORD_CODES: Mapping[str, str] = {
    "required": "field.required",
    "type": "field.type",
    "format": "field.format",
    "pattern": "field.pattern",
    "enum": "field.enum",
    "const": "field.const",
    "minLength": "field.length",
    "maxLength": "field.length",
    "minimum": "field.range",
    "maximum": "field.range",
    "exclusiveMinimum": "field.range",
    "exclusiveMaximum": "field.range",
    "multipleOf": "field.multiple-of",
    "additionalProperties": "field.unknown",
    "unevaluatedProperties": "field.unknown",
    "oneOf": "record.combination",
    "anyOf": "record.combination",
    "allOf": "record.combination",
    "not": "record.combination",
    "if": "record.combination",
    "then": "record.combination",
    "else": "record.combination",
    "false": "record.combination",
}

# Keywords that mark a JSON Schema (a dict with none of them is some other JSON document).
_SCHEMA_KEYWORDS = frozenset(
    {
        "$schema", "$id", "id", "$ref", "$defs", "definitions", "type", "properties",
        "patternProperties", "additionalProperties", "required", "items", "prefixItems",
        "allOf", "anyOf", "oneOf", "not", "if", "enum", "const", "format", "pattern",
        "minimum", "maximum", "minLength", "maxLength", "$anchor", "$dynamicAnchor",
    }
)  # fmt: skip

_TEXT_LIMIT = 200
_NODE_LIMIT = 40
_MESSAGE_LIMIT = 600
_SHORT = reprlib.Repr()
_SHORT.maxstring = 80
_SHORT.maxother = 80
_SHORT.maxlist = _SHORT.maxdict = 6
_SHORT.maxlevel = 3


class JsonSchemaEngine:
    """Recognises JSON Schemas and compiles them into :class:`JsonSchemaPlan` objects."""

    name = "jsonschema"

    def detect(self, content: Any, path: Path | None) -> bool:
        """A boolean, or an object that looks like a JSON Schema and not a Table Schema."""
        if isinstance(content, bool):
            return True
        if not isinstance(content, dict):
            return False
        fields = content.get("fields")
        if isinstance(fields, list) and all(
            isinstance(each, dict) and "name" in each for each in fields
        ):
            return False
        return not content or not _SCHEMA_KEYWORDS.isdisjoint(content)

    def compile(self, schema: SchemaDocument, context: CompileContext) -> JsonSchemaPlan:
        """Check, resolve and compile ``schema``; all schema work happens here, once.

        Raises :class:`~govstd.exceptions.SchemaError` for an invalid schema or an unknown
        dialect and :class:`~govstd.exceptions.ReferenceResolutionError` for a ``$ref`` that
        cannot be resolved from ``schema.resources`` (nothing is ever downloaded).
        """
        defer_rfc3987_syntax()
        from govstd.engines import jsonschema_fast, jsonschema_refs, jsonschema_screen

        label = str(schema.path) if schema.path is not None else "<schema>"
        content = schema.content
        if not isinstance(content, dict | bool):
            raise SchemaError(
                f"{label}: a JSON Schema is an object or a boolean, not {type(content).__name__}"
            )
        dialect = _pick_dialect(schema, label)
        space = jsonschema_refs.build_space(schema, dialect, label)
        jsonschema_refs.check_space(space)
        format_checker = dialect.validator.FORMAT_CHECKER if context.format_check else None
        root = space.root  # patterns rewritten to their ECMA-262 meaning
        if (
            isinstance(content, dict)
            and space.root_uri
            and not _has_own_id(content, dialect)
            and _uses_base(content)
        ):
            # Give the root its file URI as base, so relative references resolve beside it.
            # (A schema whose references are all fragments of itself, with no ids, does not
            # depend on its base: it goes without the indirection, which every invalid record
            # paid for when python-jsonschema explained it.)
            root = {"$ref": space.root_uri}
        fast = jsonschema_fast.compile_fast_path(space, format_checker)
        validator_class = dialect.validator
        if fast is not None and fast.by_node:
            validator_class = jsonschema_fast.pruning_validator(validator_class, fast.by_node)
        validator = validator_class(root, registry=space.registry, format_checker=format_checker)
        predicate = None if fast is None else fast.predicate
        screen = jsonschema_screen.compile_screen(space, format_checker) if _screening() else None
        nonempty = _nonempty_fields(space.root, dialect, fast.by_node if fast else {})
        plan = JsonSchemaPlan(
            validator=validator,
            predicate=predicate,
            screen=screen,
            nonempty_fields=nonempty,
            catalogue=context.catalogue,
            dialect=dialect.name,
            label=label,
            patterns=space.patterns,
        )
        if screen is not None:  # (the same subset, over an adapter's frame of texts)
            from govstd.engines.jsonschema_frame import compile_frame_screen

            plan.frame_screen = compile_frame_screen(space, format_checker)
        return plan


def _nonempty_fields(root: Any, dialect: Any, by_node: Mapping[int, Any]) -> frozenset[str]:
    """The top-level properties that a valid record holds neither ``None`` nor ``""`` in,
    when it has them: those whose subschema (its compiled predicate, which gives
    python-jsonschema's verdict) rejects both."""
    if not isinstance(root, dict) or (dialect.ref_overrides_siblings and "$ref" in root):
        return frozenset()
    properties = root.get("properties")
    if not isinstance(properties, dict):
        return frozenset()
    out = set()
    for name, child in properties.items():
        check = by_node.get(id(child)) if isinstance(child, dict) else None
        if check is None:
            continue
        try:
            if check(None) is False and check("") is False:
                out.add(name)
        except Exception:  # the predicate gave up: no promise
            continue
    return frozenset(out)


def _screening() -> bool:
    """Whether plans get a jsonschema-rs screen (``GOVSTD_JSONSCHEMA_SCREEN=0`` turns it off,
    for comparisons; the findings are the same either way)."""
    import os

    return os.environ.get("GOVSTD_JSONSCHEMA_SCREEN", "1") != "0"


def defer_rfc3987_syntax() -> None:
    """Defer building the ``rfc3987_syntax`` grammar until an ``iri`` format is checked.

    Importing python-jsonschema imports its format checkers, and the ``iri`` and
    ``iri-reference`` checkers import ``rfc3987_syntax``, which builds an Earley parser at
    import: about 2 s, on every run, for formats few schemas use. Before python-jsonschema is
    first imported, this puts a stand-in module in ``sys.modules`` whose ``is_valid_syntax``
    (the one name python-jsonschema takes from it) imports the real module on its first call
    and delegates to it; any other attribute does the same. Verdicts are unchanged, only
    the cost moves to the first ``iri`` check. Does nothing when either module is already
    imported or ``rfc3987_syntax`` is not installed.
    """
    import importlib
    import importlib.util
    import sys
    import types

    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    try:
        if importlib.util.find_spec("rfc3987_syntax") is None:
            return
    except (ImportError, ValueError):
        return
    stand_in = types.ModuleType("rfc3987_syntax", "stand-in: imports rfc3987_syntax on first use")
    loaded: list[Any] = []

    def real() -> Any:
        if not loaded:
            if sys.modules.get("rfc3987_syntax") is stand_in:
                del sys.modules["rfc3987_syntax"]
            loaded.append(importlib.import_module("rfc3987_syntax"))
        return loaded[0]

    def is_valid_syntax(term: str, value: str) -> Any:
        return real().is_valid_syntax(term, value)

    def attribute(name: str) -> Any:
        if name.startswith("__"):  # the import system probing (__path__, __spec__ …)
            raise AttributeError(name)
        return getattr(real(), name)

    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    stand_in.__getattr__ = attribute  # type: ignore[attr-defined]
    sys.modules["rfc3987_syntax"] = stand_in


def _uses_base(content: Any) -> bool:
    """Whether resolving ``content``'s references may depend on its base URI: a reference
    outside the document, any dynamic or recursive reference, or an embedded ``$id``/``id``
    (which set bases of their own). Also true for a property named ``id`` or ``$id``: a false
    alarm costs only the indirection."""
    return refers_outside(content, also=_BASE_KEYWORDS)


_BASE_KEYWORDS = frozenset({"$dynamicRef", "$recursiveRef", "$dynamicAnchor", "$id", "id"})


def _has_own_id(content: dict[str, Any], dialect: Any) -> bool:
    return dialect.specification.create_resource(content).id() is not None


def _pick_dialect(schema: SchemaDocument, label: str) -> Any:
    """The dialect of ``$schema``, following custom meta-schemas among the resources."""
    from govstd.engines import jsonschema_refs

    content = schema.content
    declared = content.get("$schema") if isinstance(content, dict) else None
    if declared is None:
        if schema.default_dialect is None:
            return jsonschema_refs.LATEST
        dialect = jsonschema_refs.dialect_named(schema.default_dialect)
        if dialect is None:
            raise SchemaError(f"{label}: unknown default dialect {schema.default_dialect!r}")
        return dialect
    seen: list[str] = []
    uri = declared
    while isinstance(uri, str) and uri not in seen and len(seen) < 8:
        dialect = jsonschema_refs.dialect_named(uri)
        if dialect is not None:
            return dialect
        seen.append(uri)
        uri = _meta_schema_of(uri, schema.resources)
    raise SchemaError(
        f"{label}: unknown JSON Schema dialect {declared!r} in $schema "
        "(govstd knows draft-04, draft-06, draft-07, 2019-09 and 2020-12, and custom "
        "meta-schemas given among the resources)"
    )


def _meta_schema_of(uri: str, resources: Mapping[str, Any]) -> Any:
    """The ``$schema`` of the resource registered (or identified) as ``uri``, if any."""
    wanted = uri.rstrip("#")
    for key, contents in resources.items():
        if not isinstance(contents, dict):
            continue
        own = contents.get("$id", contents.get("id"))
        if wanted in (key.rstrip("#"), own.rstrip("#") if isinstance(own, str) else None):
            return contents.get("$schema")
    return None


class JsonSchemaPlan:
    """A compiled JSON Schema: one validator and one predicate, shared by every source."""

    accepts: Sequence[Literal["table", "documents"]] = ("documents",)
    #: a checker keeps no state across batches: batches may be checked in any process, in
    #: any order (see :func:`govstd.engines.base.is_stateless`)
    stateless = True
    #: the rows of a batch's frame of texts not certainly valid, for flat schemas (see
    #: :mod:`govstd.engines.jsonschema_frame`); the other rows are not checked one by one
    frame_screen: Any = None

    def __init__(
        self,
        *,
        validator: Validator,
        predicate: Predicate | None,
        catalogue: Catalogue,
        screen: Screen | None = None,
        nonempty_fields: frozenset[str] = frozenset(),
        dialect: str,
        label: str,
        patterns: Mapping[str, str] | None = None,
    ) -> None:
        self.validator = validator
        self.predicate = predicate
        #: jsonschema-rs's yes/no (see :mod:`govstd.engines.jsonschema_screen`), if safe
        self.screen = screen
        #: top-level properties a valid record never holds ``None`` or ``""`` in (so a
        #: valid record that has one fills it; see :mod:`govstd.parallel`)
        self.nonempty_fields = nonempty_fields
        self.catalogue = catalogue
        self.dialect = dialect
        self.label = label
        #: rewritten pattern -> pattern as the schema writes it (for messages)
        self.patterns: Mapping[str, str] = patterns or {}

    def open(self, source: str) -> JsonSchemaChecker:
        return JsonSchemaChecker(self, source)

    def is_valid(self, record: Any) -> bool:
        """Whether ``record`` is valid (fast path first, python-jsonschema otherwise)."""
        if self.screen is not None:
            try:
                if self.screen(record):
                    return True
            except Exception:  # not accepted: the predicate or python-jsonschema decides
                pass
        if self.predicate is not None:
            try:
                return self.predicate(record)
            except Exception:  # the fast path gave up; python-jsonschema decides
                pass
        return next(self._errors(record), None) is None

    def _errors(self, record: Any) -> Iterable[ValidationError]:
        import referencing.exceptions

        try:
            yield from self.validator.iter_errors(record)
        except referencing.exceptions.Unresolvable as error:
            ref = getattr(error, "ref", None) or getattr(
                getattr(error, "_wrapped", None), "ref", "?"
            )
            raise ReferenceResolutionError(
                f"{self.label}: cannot resolve $ref {ref!r} while validating "
                "(govstd never downloads; add the schema to the standard's resources)",
                url=str(ref),
            ) from None

    def findings(
        self, record: Any, *, source: str, ordinal: int, line: int | None
    ) -> list[Finding]:
        """Every finding about one record, in a deterministic order."""
        try:
            errors = list(self._errors(record))
        except RecursionError:
            return [
                self.catalogue.finding(
                    "record.structure",
                    source=source,
                    record=ordinal,
                    location=Location(line=line, pointer=""),
                    message="the record is nested too deeply to be checked",
                    detail="the record is nested too deeply to be checked",
                    pointer="/",
                )
            ]
        keyed: list[tuple[Any, Finding]] = []
        for error in errors:
            keyed.extend(_findings_of(error, self, source, ordinal, line))
        keyed.sort(key=lambda pair: pair[0])
        return [finding for _, finding in keyed]


class JsonSchemaChecker:
    """Checks the document batches of one source against a :class:`JsonSchemaPlan`."""

    def __init__(self, plan: JsonSchemaPlan, source: str) -> None:
        self.plan = plan
        self.source = source

    def check_table(self, batch: TableBatch) -> Iterable[Finding]:
        raise UsageError(
            "a JSON Schema checks documents; read this source with a document reader (json, jsonl)"
        )

    def check_documents(self, batch: DocumentBatch) -> Iterable[Finding]:
        plan = self.plan
        records, ordinals, lines = batch.records, batch.ordinals, batch.lines
        if len(ordinals) != len(records) or len(lines) != len(records):
            raise ValueError("a document batch needs one ordinal and one line per record")
        out: list[Finding] = []
        frame = getattr(batch, "frame", None)
        frame_screen = plan.frame_screen
        if frame_screen is not None and frame is not None and frame.height == len(records):
            # an adapter's records as a frame: only the rows the frame screen is unsure of
            unsure = frame_screen(frame)
            kept = self.rejected([records[i] for i in unsure]) if unsure else ()
            rejected: Iterable[int] = [unsure[i] for i in kept]
        else:
            rejected = self.rejected(records)
        for index in rejected:
            record = records[index]
            out.extend(
                plan.findings(
                    record, source=self.source, ordinal=ordinals[index], line=lines[index]
                )
            )
        return out

    def rejected(self, records: Sequence[Any]) -> Iterable[int]:
        """Indexes of the records the fast path does not accept (all, without one).

        The screen (jsonschema-rs) goes first, over the whole batch; the records it does not
        accept are asked the Python predicate, which rejects only the invalid ones.
        """
        screen = self.plan.screen
        if screen is not None:
            try:
                doubtful = list(compress(range(len(records)), map(not_, map(screen, records))))
            except Exception:  # some record cannot be screened: screen them one by one
                doubtful = [i for i, record in enumerate(records) if not _accepts(screen, record)]
            if not doubtful:
                return doubtful
            kept = self._rejected([records[i] for i in doubtful])
            return [doubtful[i] for i in kept]
        return self._rejected(records)

    def _rejected(self, records: Sequence[Any]) -> Iterable[int]:
        predicate = self.plan.predicate
        if predicate is None:
            return range(len(records))
        try:
            # the loop runs in C; the predicate is the only Python called per record
            return list(compress(range(len(records)), map(not_, map(predicate, records))))
        except Exception:  # the fast path gave up on some record: ask record by record
            pass
        indexes = []
        for index, record in enumerate(records):
            try:
                if predicate(record):
                    continue
            except Exception:  # python-jsonschema decides
                pass
            indexes.append(index)
        return indexes

    def finish(self) -> Iterable[Finding]:
        return ()


def _accepts(screen: Screen, record: Any) -> bool:
    try:
        return screen(record) is True
    except Exception:  # the screen cannot tell: not accepted
        return False


# -- one error -> findings -----------------------------------------------------------------


def _order(parts: Iterable[Any]) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in parts)


def json_pointer(parts: Iterable[Any]) -> str:
    """RFC 6901 pointer of a path (``~`` becomes ``~0`` and ``/`` becomes ``~1``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _fits(value: Any, budget: list[int]) -> bool:
    budget[0] -= 1
    if budget[0] < 0:
        return False
    if isinstance(value, str):
        return len(value) <= _TEXT_LIMIT
    if isinstance(value, dict):
        return all(_fits(k, budget) and _fits(v, budget) for k, v in value.items())
    if isinstance(value, list):
        return all(_fits(each, budget) for each in value)
    return True


def brief(value: Any) -> Any:
    """``value`` itself when small; long text cut at 200 characters, big containers summarised."""
    if isinstance(value, str):
        return value if len(value) <= _TEXT_LIMIT else value[:_TEXT_LIMIT] + "…"
    if isinstance(value, dict | list):
        if _fits(value, [_NODE_LIMIT]):
            return value
        if isinstance(value, dict):
            return f"<object with {len(value)} properties>"
        return f"<array of {len(value)} items>"
    return value


def _message(error: ValidationError, patterns: Mapping[str, str]) -> str:
    text = error.message
    if patterns and error.validator == "pattern":
        written = patterns.get(error.validator_value)
        if written is not None:
            text = text.replace(repr(error.validator_value), repr(written))
    if len(text) <= _MESSAGE_LIMIT:
        return text
    shown = repr(error.instance)
    if text.startswith(shown):
        text = _SHORT.repr(error.instance) + text[len(shown) :]
    if len(text) > _MESSAGE_LIMIT:
        text = text[: _MESSAGE_LIMIT // 2] + " … " + text[-_MESSAGE_LIMIT // 4 :]
    return text


def _range_detail(keyword: str, limit: Any, schema: Any) -> tuple[str, str]:
    exclusive = isinstance(schema, dict) and schema.get(f"exclusive{keyword.title()}") is True
    if keyword == "minimum":
        if exclusive:
            return f"less than or equal to the minimum of {limit}", f"greater than {limit}"
        return f"less than the minimum of {limit}", f"at least {limit}"
    if keyword == "maximum":
        if exclusive:
            return f"greater than or equal to the maximum of {limit}", f"less than {limit}"
        return f"greater than the maximum of {limit}", f"at most {limit}"
    if keyword == "exclusiveMinimum":
        return f"less than or equal to the exclusive minimum of {limit}", f"greater than {limit}"
    return f"greater than or equal to the exclusive maximum of {limit}", f"less than {limit}"


def _literal(text: str) -> Any:
    import ast

    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def _unexpected(error: ValidationError) -> list[Any]:
    """The properties an ``additionalProperties``/``unevaluatedProperties`` error is about."""
    instance, schema = error.instance, error.schema
    if not isinstance(instance, dict):
        return []
    if error.validator == "additionalProperties" and isinstance(schema, dict):
        import re

        declared = schema.get("properties", {})
        patterns = "|".join(schema.get("patternProperties", {}))
        return sorted(
            (
                k
                for k in instance
                if k not in declared and not (patterns and re.search(patterns, k))
            ),
            key=str,
        )
    # "Unevaluated properties are not allowed ('a', 'b' were unexpected)"
    inner = error.message.partition("(")[2].rpartition(")")[0]
    for tail in (" was unexpected", " were unexpected", " is unevaluated and invalid",
                 " are unevaluated and invalid"):  # fmt: skip
        if inner.endswith(tail):
            names = _literal("(" + inner[: -len(tail)] + ",)")
            if isinstance(names, tuple):
                return sorted((n for n in names if n in instance), key=str)
    return []


def _findings_of(
    error: ValidationError, plan: JsonSchemaPlan, source: str, ordinal: int, line: int | None
) -> list[tuple[Any, Finding]]:
    catalogue, patterns = plan.catalogue, plan.patterns
    keyword = "false" if error.validator is None else str(error.validator)
    code = KEYWORD_CODES.get(keyword, "record.structure")
    path = list(error.absolute_path)
    order = (_order(path), _order(error.absolute_schema_path), error.message)
    pointer = json_pointer(path)
    last = path[-1] if path and isinstance(path[-1], str) else None
    expected = brief(error.validator_value) if error.validator is not None else False
    if keyword == "pattern":
        expected = patterns.get(error.validator_value, expected)
    message = _message(error, patterns)
    params: dict[str, Any] = {"detail": message, "pointer": pointer or "/"}

    if code == "field.unknown":
        out = []
        for name in _unexpected(error):
            where = [*path, name]
            if keyword == "additionalProperties":
                text = f"Additional properties are not allowed ({name!r} was unexpected)"
            else:
                text = f"Unevaluated properties are not allowed ({name!r} was unexpected)"
            finding = catalogue.finding(
                code,
                source=source,
                record=ordinal,
                location=Location(line=line, pointer=json_pointer(where), field=str(name)),
                keyword=keyword,
                value=brief(error.instance[name]),
                expected=expected,
                message=text,
                detail=text,
                pointer=json_pointer(where),
            )
            out.append(((_order(where), order[1], text), finding))
        if out:
            return out

    value: Any = brief(error.instance)
    field = last
    if keyword == "required":
        missing = _literal(error.message.removesuffix(" is a required property"))
        field = missing if isinstance(missing, str) else last
        value = MISSING
    elif code == "field.length":
        limit = error.validator_value
        shorter = keyword == "minLength"
        params["detail"] = (
            f"shorter than the minimum length of {limit}"
            if shorter
            else f"longer than the maximum length of {limit}"
        )
    elif code == "field.range":
        params["detail"], params["detail_expected"] = _range_detail(
            keyword, error.validator_value, error.schema
        )
    params["field"] = field if field is not None else (pointer or "/")

    finding = catalogue.finding(
        code,
        source=source,
        record=ordinal,
        location=Location(line=line, pointer=pointer, field=field),
        keyword=keyword,
        value=value,
        expected=expected,
        message=message,
        **params,
    )
    if keyword in ("oneOf", "anyOf") and error.context:
        from jsonschema.exceptions import best_match

        best = best_match(error.context)
        if best is not None:
            closest = f"{_message(best, patterns)} (at {json_pointer(best.absolute_path) or '/'})"
            finding.params["closest"] = closest
            finding.params["detail"] = closest
            finding.hint = f"{finding.hint or ''} Closest alternative: {closest}.".strip()
    return [(order, finding)]
