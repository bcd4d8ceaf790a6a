"""A compiled yes/no screen for JSON Schema: jsonschema-rs, on the schemas it can take safely.

The JSON Schema engine's findings come from python-jsonschema (the reference). Most records
of a healthy feed are valid, so the engine first asks a *screen*: a validator compiled by
`jsonschema-rs <https://github.com/Stranger6667/jsonschema>`_ (Rust, about 3x the compiled
Python predicate of :mod:`govstd.engines.jsonschema_fast`). Only the records the screen does
not accept go on to the predicate and to python-jsonschema, so the findings are still exactly
the reference's. The one thing that matters is therefore:

    **the screen accepts a record only if the reference finds no error in it.**

A screen that rejects a valid record merely costs time. :func:`compile_screen` builds a screen
only for schemas where this holds by construction, and returns ``None`` for anything else (the
engine then uses the Python predicate alone):

* **Keywords.** Only ones whose evaluation is *monotone* in their subschemas (``allOf``,
  ``anyOf``, ``properties``, ``items`` …; not ``not``, ``oneOf``, ``if``, which turn a stricter
  subschema into a laxer one), and whose leaves the two engines decide alike or the Rust one
  more strictly: ``type``, ``required``, ``additionalProperties``, ``min``/``maxProperties``,
  ``enum``/``const`` without numbers (number equality across int, float and huge integers is
  where engines differ), ``min``/``maxLength`` (both count code points), numeric limits below
  2**53 in magnitude (compared exactly either way), ``pattern`` (below), ``format`` (below),
  array lengths and items. Drafts 6 to 2020-12 (draft 4's ``integer`` differs). Keywords
  unknown to both engines are annotations and ignored by both.
* **References.** Only ``$ref``\\ s to a JSON Pointer inside the root document (``#/…``); no
  embedded ``$id``, anchors or dynamic references. The Rust validator is built with
  ``offline=True``: it can never fetch anything, and a schema with any other reference gets no
  screen (the reference engine resolves it from the local registry as before).
* **Patterns.** The engine's patterns are Python regexes with the ECMA-262 meaning
  (:func:`govstd.engines.jsonschema_refs.ecma_regex`). :func:`rust_pattern` translates a
  conservative subset (literals, ``.``, classes of literals and ranges, groups, alternation,
  greedy or lazy quantifiers, ``^`` and ``\\Z``, ``\\uXXXX``, and ``\\s``/``\\S``, which are
  spelt out as Python's white space since Rust's differs, e.g. U+001C) into the Rust dialect
  with the same meaning, every class member written as ``\\x{…}``; it refuses anything else
  (``\\b``, ``\\D`` in a class, look-arounds, back-references, nested classes …).
  jsonschema-rs's ``.`` also refuses ``\\r`` and U+2028/9: stricter, so still safe.
* **Formats.** Every format the reference checks is handed to jsonschema-rs as the reference's
  own Python function, except ``date`` when it is python-jsonschema's ``is_date``: the Rust
  ``date`` check is used, joined with a pattern that also demands ASCII digits and a year
  from 0001 (Rust accepts year 0000, Python's ``date.fromisoformat`` does not). Formats the
  reference does not check are accepted.

Any exception the screen raises on a record (a value Rust cannot represent …) means "not
accepted". ``tests/test_jsonschema_screen.py`` checks the contract on generated schemas and
records full of edge cases (Unicode digits, trailing newlines, leap days, huge integers …).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from govstd.engines.jsonschema_refs import Dialect, SchemaSpace

__all__ = ["Screen", "compile_screen", "rust_pattern"]

#: accepts a record (``True``) or does not know (``False``); may raise (= not accepted)
Screen = Callable[[Any], bool]

_SAFE_LIMIT = 2**53
#: ASCII digits, and a year from 0001 (joined with Rust's own ``date`` check)
_DATE_GUARD = "^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-[0-9]{2}-[0-9]{2}$"
#: keywords never evaluated: passed through unchanged
_ANNOTATIONS = frozenset(
    {"$schema", "$comment", "title", "description", "default", "examples", "deprecated",
     "readOnly", "writeOnly", "$defs", "definitions"}
)  # fmt: skip
_LEAVES = frozenset(
    {"type", "required", "minProperties", "maxProperties", "minItems", "maxItems",
     "minLength", "maxLength", "pattern", "format", "enum", "const", "minimum", "maximum",
     "exclusiveMinimum", "exclusiveMaximum"}
)  # fmt: skip
_SUBSCHEMA = frozenset({"additionalProperties", "additionalItems"})
_SUBSCHEMA_MAPS = frozenset({"properties"})
_SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "prefixItems"})
#: every keyword of drafts 3 to 2020-12 (one unknown to both engines is an annotation)
_ALL_KEYWORDS = frozenset(
    {"$id", "id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef",
     "$recursiveAnchor", "$vocabulary", "not", "oneOf", "if", "then", "else",
     "dependencies", "dependentSchemas", "dependentRequired", "contains", "minContains",
     "maxContains", "uniqueItems", "multipleOf", "unevaluatedItems", "unevaluatedProperties",
     "patternProperties", "propertyNames", "items", "contentEncoding", "contentMediaType",
     "contentSchema", "extends", "disallow", "divisibleBy"}
) | _LEAVES | _SUBSCHEMA | _SUBSCHEMA_MAPS | _SUBSCHEMA_LISTS | _ANNOTATIONS  # fmt: skip
_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
_RUST_CLASSES = {
    "draft-06": "Draft6Validator",
    "draft-07": "Draft7Validator",
    "2019-09": "Draft201909Validator",
    "2020-12": "Draft202012Validator",
}
#: escapes with one meaning in both regex dialects (a literal character or a control)
_PLAIN_ESCAPES = frozenset(".^$*+?()[]{}|\\/-ntr")
_CONTROLS = {"n": "\n", "t": "\t", "r": "\r"}
#: what Python's ``\\s`` matches in text (``str.isspace``; none lies beyond U+FFFF)
_WHITESPACE = tuple(c for c in map(chr, range(0x10000)) if c.isspace())


class _Refused(Exception):
    """The schema uses something the screen does not take."""


def rust_pattern(pattern: str) -> str:
    """The Rust-regex spelling of a Python ``pattern`` from a conservative subset, with the
    same meaning; raises ``ValueError`` for anything outside the subset."""
    out: list[str] = []
    index, size = 0, len(pattern)
    quantified = False  # the previous token was a quantifier
    while index < size:
        char = pattern[index]
        if char == "\\":
            if index + 1 >= size:
                raise ValueError("a trailing backslash")
            escaped = pattern[index + 1]
            if escaped == "Z":
                out.append("$")
            elif escaped in "sSu":  # one character of a class: spelt as a class
                width = 6 if escaped == "u" else 2
                _end, text = _rust_class(f"[{pattern[index : index + width]}]", 0)
                out.append(text)
                index += width
                quantified = False
                continue
            elif escaped in _PLAIN_ESCAPES:
                out.append(char + escaped)
            else:
                raise ValueError(f"the escape \\{escaped}")
            index += 2
            quantified = False
            continue
        if char == "[":
            end, text = _rust_class(pattern, index)
            out.append(text)
            index = end
            quantified = False
            continue
        if char in "*+?":
            if quantified and char != "?":
                raise ValueError("a quantifier after a quantifier")
            if quantified:  # a lazy quantifier: "*?" …
                quantified = False
                out.append(char)
                index += 1
                continue
            quantified = True
            out.append(char)
            index += 1
            continue
        if char == "{":
            close = pattern.find("}", index)
            body = pattern[index + 1 : close] if close > 0 else ""
            low, _comma, high = body.partition(",")
            if not low.isascii() or not low.isdigit() or (high and not high.isdigit()):
                raise ValueError("a brace that is not a counted repetition")
            if quantified:
                raise ValueError("a quantifier after a quantifier")
            out.append(pattern[index : close + 1])
            index = close + 1
            quantified = True
            continue
        if char == "(":
            if pattern.startswith("(?", index):
                if not pattern.startswith("(?:", index):
                    raise ValueError("a group other than (…) or (?:…)")
                out.append("(?:")
                index += 3
            else:
                out.append("(")
                index += 1
            quantified = False
            continue
        if char == "$":
            raise ValueError("a Python $")
        if char in "]}":
            raise ValueError(f"a lone {char}")
        out.append(char)  # a literal, ".", "^", "|" or ")"
        index += 1
        quantified = False
    return "".join(out)


def _rust_class(pattern: str, start: int) -> tuple[int, str]:
    """A character class from ``start`` (its ``[``): where it ends and its Rust spelling.

    Members are literals, ranges, ``\\s``/``\\S`` (Python's white space, which is not
    Rust's: spelt out, see :data:`_WHITESPACE`) and ``\\uXXXX``; every character is written
    as ``\\x{…}``, so no Rust class syntax (nesting, ``&&``, ``--``) can arise.
    """
    index = start + 1
    negated = pattern.startswith("^", index)
    if negated:
        index += 1
    if pattern.startswith("]", index):
        raise ValueError("a ] first in a class")
    chars: list[str] = []
    ranges: list[tuple[str, str]] = []
    spaces = not_spaces = False
    while index < len(pattern):
        if pattern[index] == "]":
            break
        index, kind, value = _class_atom(pattern, index)
        if kind == "space":
            spaces = True
        elif kind == "not-space":
            not_spaces = True
        elif pattern.startswith("-", index) and not pattern.startswith("-]", index):
            index, kind, high = _class_atom(pattern, index + 1)
            if kind != "char" or high < value:
                raise ValueError("a bad range")
            ranges.append((value, high))
        else:
            chars.append(value)
    else:
        raise ValueError("an unterminated class")
    if not_spaces:  # [X\S] is "not a space outside X"; [^X\S] is "a space outside X"
        rest = [
            c
            for c in _WHITESPACE
            if not spaces and c not in chars and not any(lo <= c <= hi for lo, hi in ranges)
        ]
        if not rest:
            if negated:
                raise ValueError("a class that matches nothing")
            return index + 1, "[\\x{0}-\\x{10FFFF}]"
        return index + 1, ("[" if negated else "[^") + "".join(map(_hex, rest)) + "]"
    members = [*map(_hex, chars), *(f"{_hex(lo)}-{_hex(hi)}" for lo, hi in ranges)]
    if spaces:
        members.extend(map(_hex, _WHITESPACE))
    return index + 1, ("[^" if negated else "[") + "".join(members) + "]"


def _class_atom(pattern: str, index: int) -> tuple[int, str, str]:
    """One member of a class at ``index``: (where it ends, ``char``/``space``/``not-space``,
    the character)."""
    char = pattern[index]
    if char == "[":
        raise ValueError("a [ inside a class")
    if char != "\\":
        return index + 1, "char", char
    escaped = pattern[index + 1 : index + 2]
    if escaped == "s":
        return index + 2, "space", ""
    if escaped == "S":
        return index + 2, "not-space", ""
    if escaped == "u":
        digits = pattern[index + 2 : index + 6]
        if len(digits) != 4 or not all(d in "0123456789abcdefABCDEF" for d in digits):
            raise ValueError("a bad \\u escape")
        return index + 6, "char", chr(int(digits, 16))
    if escaped in _CONTROLS:
        return index + 2, "char", _CONTROLS[escaped]
    if escaped and escaped in _PLAIN_ESCAPES:
        return index + 2, "char", escaped
    raise ValueError(f"the escape \\{escaped} in a class")


def _hex(char: str) -> str:
    return f"\\x{{{ord(char):X}}}"


class _Translator:
    def __init__(self, dialect: Dialect, checkers: Mapping[str, Any] | None) -> None:
        self.dialect = dialect
        self.checkers = checkers
        #: format name -> Python function for jsonschema-rs (``None``: formats are off)
        self.formats: dict[str, Callable[[str], bool]] = {}

    def schema(self, node: Any, root: bool = False) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            raise _Refused("a schema that is neither an object nor a boolean")
        if "$ref" in node and self.dialect.name in ("draft-06", "draft-07"):
            return {"$ref": self.reference(node["$ref"])}  # siblings are ignored
        out: dict[str, Any] = {}
        extra: list[Any] = []
        for key, value in node.items():
            if key in _ANNOTATIONS:
                if key in ("$defs", "definitions"):
                    if not isinstance(value, dict):
                        raise _Refused(key)
                    out[key] = {name: self.schema(child) for name, child in value.items()}
                elif key == "$schema":
                    if not root:
                        raise _Refused("$schema below the root")
                    out[key] = value
                continue
            if key == "$id" and root:
                out[key] = value
            elif key == "$ref":
                out[key] = self.reference(value)
            elif key in _LEAVES:
                out[key] = self.leaf(key, value, extra)
            elif key in _SUBSCHEMA:
                out[key] = self.schema(value)
            elif key in _SUBSCHEMA_MAPS:
                if not isinstance(value, dict):
                    raise _Refused(key)
                out[key] = {name: self.schema(child) for name, child in value.items()}
            elif key in _SUBSCHEMA_LISTS:
                if not isinstance(value, list):
                    raise _Refused(key)
                out[key] = [self.schema(child) for child in value]
            elif key == "items":
                if isinstance(value, list):
                    if self.dialect.name == "2020-12":
                        raise _Refused("items as a list in 2020-12")
                    out[key] = [self.schema(child) for child in value]
                else:
                    out[key] = self.schema(value)
            elif key in _ALL_KEYWORDS or key in self.dialect.keywords:
                raise _Refused(key)
            # anything else is unknown to both engines: an annotation, left out
        if "format" in out and out["format"] is None:
            del out["format"]
        if extra:
            out["allOf"] = [*out.get("allOf", []), *extra]
        return out

    def reference(self, ref: Any) -> str:
        if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")):
            raise _Refused("a reference outside the root document")
        return ref

    def leaf(self, key: str, value: Any, extra: list[Any]) -> Any:
        if key == "type":
            names = value if isinstance(value, list) else [value]
            if not all(isinstance(name, str) and name in _TYPES for name in names):
                raise _Refused("type")
            return value
        if key in ("enum", "const"):
            if not _numberless(value if key == "enum" else [value]) or (
                key == "enum" and not isinstance(value, list)
            ):
                raise _Refused(key)
            return value
        if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if not _is_limit(value):
                raise _Refused(key)
            return value
        if key == "pattern":
            if not isinstance(value, str):
                raise _Refused(key)
            try:
                return rust_pattern(value)
            except ValueError:
                raise _Refused(key) from None
        if key == "format":
            return self.format(value, extra)
        if key == "required":
            if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
                raise _Refused(key)
            return value
        # lengths and counts
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _Refused(key)
        return value

    def format(self, name: Any, extra: list[Any]) -> Any:
        if not isinstance(name, str):
            raise _Refused("format")
        if self.checkers is None:
            return name  # formats are not checked: by neither engine
        checker = self.checkers.get(name)
        if checker is None:
            self.formats[name] = _accept  # the reference does not check it
            return name
        function, raises = checker
        from jsonschema import _format

        if name == "date" and function is getattr(_format, "is_date", None):
            extra.append({"format": "date", "pattern": _DATE_GUARD})
            return None
        self.formats[name] = _reference_format(function, raises)
        return name


def _accept(value: str) -> bool:
    return True


def _reference_format(function: Callable[[Any], Any], raises: Any) -> Callable[[str], bool]:
    def conforms(value: str) -> bool:
        try:
            return bool(function(value))
        except raises:
            return False

    return conforms


def _numberless(values: list[Any]) -> bool:
    for value in values:
        if isinstance(value, dict):
            if not _numberless(list(value.values())):
                return False
        elif isinstance(value, list):
            if not _numberless(value):
                return False
        elif not (value is None or isinstance(value, str | bool)):
            return False
    return True


def _is_limit(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and -_SAFE_LIMIT < value < _SAFE_LIMIT
    )


def compile_screen(space: SchemaSpace, format_checker: Any) -> Screen | None:
    """The screen of a compiled schema, or ``None`` when it is not provably safe (see the
    module's docstring) or jsonschema-rs is not installed or refuses the schema."""
    class_name = _RUST_CLASSES.get(space.dialect.name)
    if class_name is None:
        return None
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a dependency; without it, no screen
        return None
    checkers = None if format_checker is None else format_checker.checkers
    translator = _Translator(space.dialect, checkers)
    try:
        schema = translator.schema(space.root, root=True)
    except (_Refused, RecursionError):
        return None
    validator_class = getattr(jsonschema_rs, class_name)
    try:
        validator = validator_class(
            schema,
            validate_formats=checkers is not None,
            formats=translator.formats or None,
            ignore_unknown_formats=True,
            offline=True,
        )
    except Exception:  # jsonschema-rs refuses the schema (a pattern it cannot read …)
        return None
    is_valid: Screen = validator.is_valid
    return is_valid
