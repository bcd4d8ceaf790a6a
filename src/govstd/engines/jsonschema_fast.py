"""Compiled validity predicates: the JSON Schema engine's fast path.

python-jsonschema builds validator and resolver objects for every subschema it descends into,
for every record. Most records of a healthy feed are valid, so the engine first asks a
*predicate* compiled here, once per plan: a tree of closures that answers only "valid or
not", with every schema decision (types, regexes, ``$ref`` targets, format functions) taken
at compile time. Only records the predicate rejects go through python-jsonschema's
``iter_errors``, which produces the findings; the findings are therefore exactly
python-jsonschema's.

The predicate must give python-jsonschema's verdict for every instance. Keywords whose
semantics are fiddly (``multipleOf``, ``uniqueItems`` over non-strings, ``enum``/``const``
over non-strings, ``dependentRequired``) call python-jsonschema's own keyword functions
through ``Validator.VALIDATORS``. Schemas that use keywords compiled here do not cover
(``$dynamicRef``, ``$recursiveRef``, ``unevaluatedProperties``, ``unevaluatedItems``, or
anything unknown) get no predicate: :func:`compile_predicate` returns ``None`` and the engine
uses python-jsonschema alone. The differential tests run the JSON-Schema-Test-Suite and
generated schemas through both.

Two refinements make the common feed cheap:

* **Generated record functions.** A schema object of sole type ``object`` with only
  ``required``/``properties``/``additionalProperties``/``min``/``maxProperties`` (the shape of
  a flat record) becomes one generated Python function (:meth:`_Compiler.object_function`):
  required and closed property sets are set operations on ``x.keys()``, and each property is
  one straight-line test, written inline when its schema is a plain scalar leaf (type,
  length, pattern, enum, const, limits, and python-jsonschema's own ``date``/``email`` checks
  inlined by identity), else a call of its compiled predicate. The generated source is the
  function's ``__doc__``.
* **Pruned errors.** :func:`pruning_validator` gives the plan a python-jsonschema validator
  whose ``properties`` and ``items`` keywords skip the members whose subschema's predicate
  accepts them: a subschema that accepts its value yields no errors, so the errors are the
  same, in the same order, at a fraction of the cost (python-jsonschema's cost is descending
  into every property). ``tests/test_jsonschema_fast.py`` checks both against an ordinary
  python-jsonschema validator.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jsonschema.protocols
import referencing
import referencing.exceptions

from govstd.engines.jsonschema_refs import Dialect, SchemaSpace, base_of, dialect_at, enter

if TYPE_CHECKING:
    from referencing._core import Resolver

__all__ = ["FastPath", "Predicate", "compile_fast_path", "compile_predicate", "pruning_validator"]

Predicate = Callable[[Any], bool]

# Keywords compiled here, besides the ones delegated to python-jsonschema below.
_COMPILED = frozenset(
    {
        "$ref", "type", "enum", "const", "format", "allOf", "anyOf", "oneOf", "not", "if",
        "required", "properties", "patternProperties", "additionalProperties",
        "dependencies", "dependentSchemas", "propertyNames", "minProperties",
        "maxProperties", "items", "prefixItems", "additionalItems", "contains", "minItems",
        "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum",
    }
)  # fmt: skip
_DELEGATED = frozenset({"multipleOf", "dependentRequired"})
# A schema object with sole type "object" and only these keywords becomes one generated function.
_GENERATED_OBJECT = frozenset(
    {"type", "required", "properties", "additionalProperties", "minProperties", "maxProperties"}
)
# Keywords a leaf (a schema of one scalar type) may have to become an inline expression.
_LEAF = frozenset(
    {"type", "enum", "const", "format", "minLength", "maxLength", "pattern", "minimum",
     "maximum", "exclusiveMinimum", "exclusiveMaximum"}
)  # fmt: skip


class _Unsupported(Exception):
    """The schema uses something the fast path does not compile."""


def _true(instance: Any) -> bool:
    return True


def _false(instance: Any) -> bool:
    return False


def _is_number(instance: Any) -> bool:
    return isinstance(instance, numbers.Number) and not isinstance(instance, bool)


def _type_test(name: str, dialect: Dialect) -> tuple[Predicate, tuple[type, ...]]:
    """A JSON type's test, and the exact Python types that certainly pass it."""
    if name == "object":
        return (lambda x: isinstance(x, dict)), (dict,)
    if name == "array":
        return (lambda x: isinstance(x, list)), (list,)
    if name == "string":
        return (lambda x: isinstance(x, str)), (str,)
    if name == "boolean":
        return (lambda x: isinstance(x, bool)), (bool,)
    if name == "null":
        return (lambda x: x is None), (type(None),)
    if name == "number":
        return _is_number, (int, float)
    if name == "integer":
        if dialect.name == "draft-04":
            return (lambda x: isinstance(x, int) and not isinstance(x, bool)), (int,)
        return (
            lambda x: (
                (isinstance(x, int) and not isinstance(x, bool))
                or (isinstance(x, float) and x.is_integer())
            )
        ), (int,)
    raise _Unsupported(f"type {name!r}")


def _all(checks: list[Predicate]) -> Predicate | None:
    """One predicate that holds when every check holds (``None`` when there is none)."""
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda x: first(x) and second(x)
    frozen = tuple(checks)

    def every(x: Any) -> bool:
        for check in frozen:  # noqa: SIM110 (a plain loop beats all() on this hot path)
            if not check(x):
                return False
        return True

    return every


class _Compiler:
    def __init__(self, space: SchemaSpace, format_checker: jsonschema.FormatChecker | None) -> None:
        self.space = space
        self.format_checker = format_checker
        self.done: dict[tuple[int, str, str], Predicate] = {}
        self.pending: dict[tuple[int, str, str], list[Predicate]] = {}
        self.keyword_validators: dict[str, jsonschema.protocols.Validator] = {}

    # -- plumbing ---------------------------------------------------------------------------

    def schema(
        self,
        node: Any,
        resolver: Resolver[Any],
        dialect: Dialect,
        by_ref: bool = False,
    ) -> Predicate:
        if node is True:
            return _true
        if node is False:
            return _false
        if not isinstance(node, dict):
            raise _Unsupported("a schema that is neither an object nor a boolean")
        dialect = dialect_at(node, dialect)
        if not by_ref:
            resolver = enter(node, resolver, dialect)
        key = (id(node), base_of(resolver), dialect.name)
        if key in self.done:
            return self.done[key]
        if key in self.pending:  # a recursive schema: late binding
            cell = self.pending[key]
            return lambda x: cell[0](x)
        cell = [_false]
        self.pending[key] = cell
        predicate = self.keywords(node, resolver, dialect)
        cell[0] = predicate
        del self.pending[key]
        self.done[key] = predicate
        return predicate

    def delegate(self, dialect: Dialect, keyword: str, value: Any, node: Any) -> Predicate:
        """python-jsonschema's own function for a keyword that does not descend."""
        validator = self.keyword_validators.get(dialect.name)
        if validator is None:
            validator = dialect.validator(
                {}, format_checker=self.format_checker, registry=self.space.registry
            )
            self.keyword_validators[dialect.name] = validator
        function = dialect.keywords[keyword]
        return lambda x: next(iter(function(validator, value, x, node) or ()), None) is None

    # -- one schema object -----------------------------------------------------------------

    def keywords(
        self,
        node: dict[str, Any],
        resolver: Resolver[Any],
        dialect: Dialect,
    ) -> Predicate:
        known = dialect.keywords
        if dialect.ref_overrides_siblings and "$ref" in node:
            present = ["$ref"]
        else:
            present = [keyword for keyword in node if keyword in known]
        for keyword in present:
            if keyword not in _COMPILED and keyword not in _DELEGATED:
                raise _Unsupported(keyword)

        def sub(child: Any) -> Predicate:
            return self.schema(child, resolver, dialect)

        generic: list[Predicate] = []
        objects: list[Predicate] = []
        arrays: list[Predicate] = []
        strings: list[Predicate] = []
        numbers_: list[Predicate] = []
        has = set(present)

        if "$ref" in has:
            generic.append(self.reference(node["$ref"], resolver, dialect))
        if "type" in has:
            generic.append(self.types(node["type"], dialect))
        if "enum" in has:
            generic.append(self.enum(node, dialect))
        if "const" in has:
            generic.append(self.const(node, dialect))
        if "format" in has and self.format_checker is not None:
            fmt = node["format"]
            if fmt in self.format_checker.checkers:
                generic.append(_format_test(*self.format_checker.checkers[fmt]))
        self.combinators(node, has, sub, generic)

        objects.extend(self.object_checks(node, has, sub, dialect))
        arrays.extend(self.array_checks(node, has, sub, dialect))
        strings.extend(self.string_checks(node, has))
        numbers_.extend(self.number_checks(node, has, dialect))
        for keyword in sorted(has & _DELEGATED):
            check = self.delegate(dialect, keyword, node[keyword], node)
            (numbers_ if keyword == "multipleOf" else objects).append(check)

        sole = _sole_type(node, has)
        if sole == "object" and has <= _GENERATED_OBJECT:
            generated = self.object_function(node, has, sub, dialect)
            if generated is not None:
                return generated
        if sole is not None:
            # One JSON type: only its own checks can ever apply, so test the type and run
            # them in one step.
            type_test = generic.pop(1 if "$ref" in has else 0)
            specific = _all(
                {"object": objects, "array": arrays, "string": strings}.get(sole, numbers_)
                if sole not in ("boolean", "null")
                else []
            )
            return _all([_fused(sole, type_test, specific), *generic]) or _true
        return _assemble(_all(generic), _all(objects), _all(arrays), _all(strings), _all(numbers_))

    # -- generated code -------------------------------------------------------------------

    def object_function(
        self,
        node: dict[str, Any],
        has: set[str],
        sub: Callable[[Any], Predicate],
        dialect: Dialect,
    ) -> Predicate | None:
        """One generated function for a schema object of sole type ``object``.

        Required names, closed property sets and property counts become set operations on
        ``x.keys()``; each declared property is one straight-line test: an inline expression
        when its schema is a plain scalar leaf (see :meth:`leaf_expression`), else a call of
        its compiled predicate.
        """
        space: dict[str, Any] = {"_M": _MISSING}
        lines = ["def check(x):", "    if not isinstance(x, dict):", "        return False"]

        def const(value: Any) -> str:
            name = f"_c{len(space)}"
            space[name] = value
            return name

        required: frozenset[str] = frozenset()
        if "required" in has and node["required"]:
            required = frozenset(node["required"])
            lines += [f"    if not x.keys() >= {const(required)}:", "        return False"]
        declared = node.get("properties", {}) if "properties" in has else {}
        if not isinstance(declared, dict):
            return None
        names = frozenset(declared)
        if "additionalProperties" in has:
            extra = sub(node["additionalProperties"])
            if extra is _false:
                lines += [f"    if not x.keys() <= {const(names)}:", "        return False"]
            elif extra is not _true:
                lines += [
                    f"    for key in x.keys() - {const(names)}:",
                    f"        if not {const(extra)}(x[key]):",
                    "            return False",
                ]
        if "minProperties" in has:
            lines += [f"    if len(x) < {const(node['minProperties'])}:", "        return False"]
        if "maxProperties" in has:
            lines += [f"    if len(x) > {const(node['maxProperties'])}:", "        return False"]
        for name, child in declared.items():
            check = sub(child)  # compiled either way: python-jsonschema's errors are pruned by it
            if check is _true:
                continue
            guards: list[tuple[str, str]] = []
            expression = self.leaf_expression(child, dialect, const, guards)
            if expression is None:
                expression, guards = f"{const(check)}(v)", []
            key = const(name)
            if name in required:
                lines += [
                    f"    v = x[{key}]",
                    f"    if not ({expression}):",
                    "        return False",
                ]
                indent = "    "
            else:
                lines += [
                    f"    v = x.get({key}, _M)",
                    "    if v is not _M:",
                    f"        if not ({expression}):",
                    "            return False",
                ]
                indent = "        "
            for call, exception in guards:
                lines += [
                    f"{indent}try:",
                    f"{indent}    {call}",
                    f"{indent}except {exception}:",
                    f"{indent}    return False",
                ]
        lines.append("    return True")
        source = "\n".join(lines) + "\n"
        namespace = dict(space)
        exec(compile(source, "<govstd.jsonschema_fast>", "exec"), namespace)
        function: Predicate = namespace["check"]
        function.__doc__ = source  # what was generated, for debugging
        return function

    def leaf_expression(
        self,
        node: Any,
        dialect: Dialect,
        const: Callable[[Any], str],
        guards: list[tuple[str, str]] | None = None,
    ) -> str | None:
        """A Python expression over ``v`` equal to the predicate of a plain scalar schema.

        Only for a schema object of one scalar type whose keywords are all in ``_LEAF`` (and
        not draft 4, whose numeric keywords differ); ``None`` otherwise. With ``guards``, a
        format may add ``(call, exception)`` pairs: ``call`` (over ``v``) must then not raise
        ``exception`` once the expression holds.
        """
        if not isinstance(node, dict) or dialect.name == "draft-04":
            return None
        if dialect_at(node, dialect) is not dialect:
            return None
        known = dialect.keywords
        has = {keyword for keyword in node if keyword in known}
        if not has <= _LEAF:
            return None
        sole = _sole_type(node, has)
        tests = {
            "string": "isinstance(v, str)",
            "boolean": "isinstance(v, bool)",
            "null": "v is None",
            "number": f"(type(v) is float or type(v) is int or {const(_is_number)}(v))",
            "integer": f"(type(v) is int or {const(_type_test('integer', dialect)[0])}(v))",
        }
        if sole not in tests:
            return None
        parts = [tests[sole]]
        if "enum" in has:
            values = node["enum"]
            if sole == "string" and isinstance(values, list):
                parts.append(f"v in {const(frozenset(e for e in values if type(e) is str))}")
            else:
                parts.append(f"{const(self.enum(node, dialect))}(v)")
        if "const" in has:
            if sole == "string" and type(node["const"]) is str:
                parts.append(f"v == {const(node['const'])}")
            else:
                parts.append(f"{const(self.const(node, dialect))}(v)")
        if "format" in has and self.format_checker is not None:
            fmt = node["format"]
            if fmt in self.format_checker.checkers:
                function, raises = self.format_checker.checkers[fmt]
                inline = (
                    _inline_format(function, raises, sole, const) if guards is not None else None
                )
                if inline is None:
                    parts.append(f"{const(_format_test(function, raises))}(v)")
                else:
                    parts.append(inline[0])
                    guards.extend(inline[1])
        if sole == "string":
            if "minLength" in has:
                parts.append(f"len(v) >= {const(node['minLength'])}")
            if "maxLength" in has:
                parts.append(f"len(v) <= {const(node['maxLength'])}")
            if "pattern" in has:
                parts.append(f"{const(re.compile(node['pattern']).search)}(v) is not None")
        elif sole in ("number", "integer"):
            # written as python-jsonschema writes them, so NaN and friends agree too
            for keyword, failing in (
                ("minimum", "<"),
                ("maximum", ">"),
                ("exclusiveMinimum", "<="),
                ("exclusiveMaximum", ">="),
            ):
                if keyword in has:
                    parts.append(f"not v {failing} {const(node[keyword])}")
        return "(" + " and ".join(parts) + ")"

    def reference(self, ref: Any, resolver: Resolver[Any], dialect: Dialect) -> Predicate:
        if not isinstance(ref, str):
            raise _Unsupported("$ref that is not a string")
        try:
            resolved = resolver.lookup(ref)
        except referencing.exceptions.Unresolvable:
            raise _Unsupported(f"unresolvable $ref {ref!r}") from None
        return self.schema(resolved.contents, resolved.resolver, dialect, by_ref=True)

    def types(self, value: Any, dialect: Dialect) -> Predicate:
        names = [value] if isinstance(value, str) else list(value)
        tests = []
        exact: set[type] = set()
        for name in names:
            test, certain = _type_test(name, dialect)
            tests.append(test)
            exact.update(certain)
        exact_types = frozenset(exact)
        test_tuple = tuple(tests)

        def is_type(x: Any) -> bool:
            if type(x) in exact_types:
                return True
            for test in test_tuple:  # noqa: SIM110 (hot path)
                if test(x):
                    return True
            return False

        return is_type

    def enum(self, node: dict[str, Any], dialect: Dialect) -> Predicate:
        values = node["enum"]
        slow = self.delegate(dialect, "enum", values, node)
        if not isinstance(values, list):
            return slow
        texts = frozenset(each for each in values if type(each) is str)
        return lambda x: (x in texts) if type(x) is str else slow(x)

    def const(self, node: dict[str, Any], dialect: Dialect) -> Predicate:
        value = node["const"]
        slow = self.delegate(dialect, "const", value, node)
        if type(value) is not str:
            return slow
        return lambda x: (x == value) if type(x) is str else slow(x)

    def combinators(
        self,
        node: dict[str, Any],
        has: set[str],
        sub: Callable[[Any], Predicate],
        generic: list[Predicate],
    ) -> None:
        if "allOf" in has:
            checks = [sub(each) for each in node["allOf"]]
            combined = _all(checks)
            if combined is not None:
                generic.append(combined)
        if "anyOf" in has:
            options = tuple(sub(each) for each in node["anyOf"])
            generic.append(lambda x: any(option(x) for option in options))
        if "oneOf" in has:
            choices = tuple(sub(each) for each in node["oneOf"])

            def exactly_one(x: Any) -> bool:
                found = False
                for choice in choices:
                    if choice(x):
                        if found:
                            return False
                        found = True
                return found

            generic.append(exactly_one)
        if "not" in has:
            negated = sub(node["not"])
            generic.append(lambda x: not negated(x))
        if "if" in has:
            condition = sub(node["if"])
            then = sub(node["then"]) if "then" in node else _true
            otherwise = sub(node["else"]) if "else" in node else _true
            generic.append(lambda x: then(x) if condition(x) else otherwise(x))

    # -- keywords by instance type ------------------------------------------------------------

    def object_checks(
        self,
        node: dict[str, Any],
        has: set[str],
        sub: Callable[[Any], Predicate],
        dialect: Dialect,
    ) -> list[Predicate]:
        checks: list[Predicate] = []
        if "required" in has and node["required"]:
            required = frozenset(node["required"])
            checks.append(lambda x: x.keys() >= required)
        if "minProperties" in has:
            least = node["minProperties"]
            checks.append(lambda x: len(x) >= least)
        if "maxProperties" in has:
            most = node["maxProperties"]
            checks.append(lambda x: len(x) <= most)
        if has & {"properties", "patternProperties", "additionalProperties"}:
            checks.append(self.members(node, has, sub))
        if "dependencies" in has or "dependentSchemas" in has:
            rules: list[tuple[str, tuple[str, ...] | None, Predicate]] = []
            for keyword in ("dependencies", "dependentSchemas"):
                for name, rule in node.get(keyword, {}).items() if keyword in has else ():
                    if keyword == "dependencies" and isinstance(rule, list):
                        rules.append((name, tuple(rule), _true))
                    else:
                        rules.append((name, None, sub(rule)))

            def dependencies(x: Any) -> bool:
                for name, needed, check in rules:
                    if name in x:
                        if needed is not None:
                            for each in needed:
                                if each not in x:
                                    return False
                        elif not check(x):
                            return False
                return True

            checks.append(dependencies)
        if "propertyNames" in has:
            names = sub(node["propertyNames"])
            checks.append(lambda x: all(names(key) for key in x))
        return checks

    def members(
        self, node: dict[str, Any], has: set[str], sub: Callable[[Any], Predicate]
    ) -> Predicate:
        declared = node.get("properties", {}) if "properties" in has else {}
        properties = {}
        for name, child in declared.items():
            check = sub(child)
            if check is not _true:
                properties[name] = check
        patterns = node.get("patternProperties", {}) if "patternProperties" in has else {}
        by_pattern = tuple((re.compile(p), sub(child)) for p, child in patterns.items())
        by_pattern = tuple(pair for pair in by_pattern if pair[1] is not _true)
        extra: Predicate | None = None
        if "additionalProperties" in has:
            extra = sub(node["additionalProperties"])
            if extra is _true:
                extra = None
        if not by_pattern and not patterns:
            # Every member is checked by one lookup: declared ones by their own schema,
            # the others by additionalProperties (or not at all).
            table = {name: sub(child) for name, child in declared.items()}
            default = extra if extra is not None else _true
            if default is _true and all(check is _true for check in table.values()):
                return _true

            def lookup(x: dict[str, Any]) -> bool:
                get = table.get
                for key, value in x.items():  # noqa: SIM110 (hot path)
                    if not get(key, default)(value):
                        return False
                return True

            return lookup
        joined = re.compile("|".join(patterns)) if patterns else None
        names = frozenset(declared)

        def members(x: dict[str, Any]) -> bool:
            get = properties.get
            for key, value in x.items():
                check = get(key)
                if check is not None and not check(value):
                    return False
                for regex, by_regex in by_pattern:
                    if regex.search(key) and not by_regex(value):
                        return False
                if (
                    extra is not None
                    and key not in names
                    and not (joined is not None and joined.search(key))
                    and not extra(value)
                ):
                    return False
            return True

        return members

    def array_checks(
        self,
        node: dict[str, Any],
        has: set[str],
        sub: Callable[[Any], Predicate],
        dialect: Dialect,
    ) -> list[Predicate]:
        checks: list[Predicate] = []
        if "minItems" in has:
            least = node["minItems"]
            checks.append(lambda x: len(x) >= least)
        if "maxItems" in has:
            most = node["maxItems"]
            checks.append(lambda x: len(x) <= most)
        if "uniqueItems" in has and node["uniqueItems"]:
            slow = self.delegate(dialect, "uniqueItems", node["uniqueItems"], node)

            def unique(x: list[Any]) -> bool:
                if all(type(each) is str for each in x):
                    return len(set(x)) == len(x)
                return slow(x)

            checks.append(unique)
        checks.extend(self.item_checks(node, has, sub, dialect))
        if "contains" in has:
            wanted = sub(node["contains"])
            if dialect.name in ("draft-06", "draft-07"):
                checks.append(lambda x: any(wanted(each) for each in x))
            else:
                least = node.get("minContains", 1)
                most = node.get("maxContains")

                def contains(x: list[Any]) -> bool:
                    matches = sum(1 for each in x if wanted(each))
                    if most is not None and matches > most:
                        return False
                    return matches >= least

                checks.append(contains)
        return checks

    def item_checks(
        self,
        node: dict[str, Any],
        has: set[str],
        sub: Callable[[Any], Predicate],
        dialect: Dialect,
    ) -> list[Predicate]:
        checks: list[Predicate] = []
        items = node.get("items") if "items" in has else None
        if dialect.name == "2020-12":
            prefix = (
                tuple(sub(each) for each in node["prefixItems"]) if "prefixItems" in has else ()
            )
            rest = sub(items) if "items" in has else None
        elif isinstance(items, list):
            prefix = tuple(sub(each) for each in items)
            rest = None
            if "additionalItems" in has:
                rest = sub(node["additionalItems"])
        elif "items" in has and (dialect.name != "draft-04" or isinstance(items, dict)):
            prefix, rest = (), sub(items)
        else:
            prefix, rest = (), None
        if rest is _true:
            rest = None
        if prefix:
            count = len(prefix)
            checks.append(
                lambda x: all(check(each) for check, each in zip(prefix, x, strict=False))
            )
            if rest is not None:
                tail = rest
                checks.append(lambda x: all(tail(each) for each in x[count:]))
        elif rest is not None:
            every = rest
            checks.append(lambda x: all(every(each) for each in x))
        return checks

    def string_checks(self, node: dict[str, Any], has: set[str]) -> list[Predicate]:
        checks: list[Predicate] = []
        if "minLength" in has or "maxLength" in has:
            least = node["minLength"] if "minLength" in has else 0
            most = node["maxLength"] if "maxLength" in has else math.inf
            checks.append(lambda x: least <= len(x) <= most)
        if "pattern" in has:
            search = re.compile(node["pattern"]).search
            checks.append(lambda x: search(x) is not None)
        return checks

    def number_checks(
        self, node: dict[str, Any], has: set[str], dialect: Dialect
    ) -> list[Predicate]:
        checks: list[Predicate] = []
        legacy = dialect.name == "draft-04"
        low = node["minimum"] if "minimum" in has else None
        high = node["maximum"] if "maximum" in has else None
        low_open = legacy and low is not None and node.get("exclusiveMinimum", False)
        high_open = legacy and high is not None and node.get("exclusiveMaximum", False)
        if low is not None and high is not None and not low_open and not high_open:
            least, most = low, high
            checks.append(lambda x: least <= x <= most)
        else:
            if low is not None:
                floor = low
                checks.append((lambda x: x > floor) if low_open else (lambda x: x >= floor))
            if high is not None:
                ceiling = high
                checks.append((lambda x: x < ceiling) if high_open else (lambda x: x <= ceiling))
        if not legacy:
            if "exclusiveMinimum" in has:
                above = node["exclusiveMinimum"]
                checks.append(lambda x: x > above)
            if "exclusiveMaximum" in has:
                below = node["exclusiveMaximum"]
                checks.append(lambda x: x < below)
        return checks


def _format_test(function: Callable[[Any], Any], raises: Any) -> Predicate:
    """``FormatChecker.conforms`` for one format, without its per-call lookups."""

    def conforms(x: Any) -> bool:
        try:
            return bool(function(x))
        except raises:
            return False

    return conforms


def _inline_format(
    function: Callable[[Any], Any], raises: Any, sole: str | None, const: Callable[[Any], str]
) -> tuple[str, list[tuple[str, str]]] | None:
    """python-jsonschema's own ``date`` and ``email`` checks, written out inline.

    Only for exactly those functions of ``jsonschema._format`` (compared by identity), on a
    value already known to be a string; ``None`` for anything else.
    """
    from jsonschema import _format

    if sole != "string":
        return None
    if function is getattr(_format, "is_email", None):
        return '"@" in v', []  # is_email: '"@" in instance'
    regex = getattr(_format, "_RE_DATE", None)
    if function is getattr(_format, "is_date", None) and regex is not None and raises is ValueError:
        # is_date: bool(_RE_DATE.fullmatch(instance) and date.fromisoformat(instance)), a
        # ValueError meaning "not a date"; a date object is always true
        from datetime import date

        return f"{const(regex.fullmatch)}(v) is not None", [
            (f"{const(date.fromisoformat)}(v)", const(ValueError))
        ]
    return None


def _sole_type(node: dict[str, Any], has: set[str]) -> str | None:
    """The JSON type a schema object allows, when it allows exactly one."""
    if "type" not in has:
        return None
    value = node["type"]
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, str) else None


def _fused(name: str, type_test: Predicate, specific: Predicate | None) -> Predicate:
    """``type_test(x) and specific(x)``, with the common type tests inlined."""
    if specific is None:
        return type_test
    check = specific
    if name == "object":
        return lambda x: isinstance(x, dict) and check(x)
    if name == "string":
        return lambda x: isinstance(x, str) and check(x)
    if name == "array":
        return lambda x: isinstance(x, list) and check(x)
    return lambda x: type_test(x) and check(x)


def _assemble(
    generic: Predicate | None,
    objects: Predicate | None,
    arrays: Predicate | None,
    strings: Predicate | None,
    numbers_: Predicate | None,
) -> Predicate:
    """Join the keyword checks of one schema object into its predicate."""
    if objects is None and arrays is None and strings is None and numbers_ is None:
        return generic or _true

    def by_type(x: Any) -> bool:
        if isinstance(x, dict):
            return objects is None or objects(x)
        if isinstance(x, str):
            return strings is None or strings(x)
        if isinstance(x, list):
            return arrays is None or arrays(x)
        if numbers_ is not None and _is_number(x):
            return numbers_(x)
        return True

    if generic is None:
        return by_type
    first = generic
    return lambda x: first(x) and by_type(x)


class _Missing:
    """A property that is absent (``None`` is a JSON value)."""


_MISSING = _Missing()


@dataclass(frozen=True, slots=True)
class FastPath:
    """What the compiler made of a schema: the validity predicate of the whole record, and
    the predicate of every subschema that is evaluated in exactly one way (keyed by the
    ``id`` of the schema object, which the schema space keeps alive)."""

    predicate: Predicate
    by_node: dict[int, Predicate]


def compile_fast_path(
    space: SchemaSpace, format_checker: jsonschema.FormatChecker | None
) -> FastPath | None:
    """The schema's :class:`FastPath`, or ``None`` if it uses what the fast path lacks."""
    compiler = _Compiler(space, format_checker)
    try:
        predicate = compiler.schema(space.root, space.resolver(), space.dialect, by_ref=True)
    except (_Unsupported, re.error, TypeError, AttributeError, KeyError):
        return None
    by_node: dict[int, Predicate] = {}
    ambiguous: set[int] = set()
    for (node_id, _base, _dialect), check in compiler.done.items():
        if node_id in by_node and by_node[node_id] is not check:
            ambiguous.add(node_id)
        by_node[node_id] = check
    for node_id in ambiguous:
        del by_node[node_id]
    return FastPath(predicate, by_node)


def compile_predicate(
    space: SchemaSpace, format_checker: jsonschema.FormatChecker | None
) -> Predicate | None:
    """The schema's validity predicate, or ``None`` if it uses what the fast path lacks."""
    fast = compile_fast_path(space, format_checker)
    return None if fast is None else fast.predicate


def pruning_validator(
    validator: type[jsonschema.protocols.Validator], by_node: dict[int, Predicate]
) -> type[jsonschema.protocols.Validator]:
    """``validator`` whose ``properties`` and ``items`` skip the members the fast path
    accepts.

    python-jsonschema's cost on an invalid record is descending into every property; the
    errors of a subschema that accepts its value are none, so descending only into the
    properties whose predicate rejects (or raises) yields exactly the same errors, in the
    same order, with the same paths. Subschemas without a predicate are always descended.
    """
    import jsonschema.validators

    keywords = validator.VALIDATORS
    original_properties = keywords.get("properties")
    original_items = keywords.get("items")
    get = by_node.get
    prefix_items = "prefixItems" in keywords  # 2020-12: items applies after prefixItems

    def passes(check: Predicate | None, value: Any) -> bool:
        if check is None:
            return False
        try:
            return check(value) is True
        except Exception:  # the fast path gave up: descend
            return False

    def properties(v: Any, schema: Any, instance: Any, parent: Any) -> Any:
        if isinstance(instance, dict) and isinstance(schema, dict):
            schema = {
                name: child
                for name, child in schema.items()
                if name in instance and not passes(get(id(child)), instance[name])
            }
        return original_properties(v, schema, instance, parent)  # type: ignore[misc]

    def items(v: Any, schema: Any, instance: Any, parent: Any) -> Any:
        check = get(id(schema)) if isinstance(schema, dict) else None
        if check is not None and isinstance(instance, list):
            start = len(parent.get("prefixItems", ())) if prefix_items else 0
            if all(passes(check, each) for each in instance[start:]):
                return ()
        return original_items(v, schema, instance, parent)  # type: ignore[misc]

    changed: dict[str, Any] = {}
    if original_properties is not None:
        changed["properties"] = properties
    if original_items is not None:
        changed["items"] = items
    pruning = jsonschema.validators.extend(validator, changed)

    # python-jsonschema picks the class of every subschema it descends into by its
    # ``$schema`` (``validator_for``): a subschema declaring this dialect would get the
    # dialect's own class back, and stop pruning. Keep this class for this dialect; another
    # dialect's subschema still gets that dialect's class.
    import attrs

    fields = [(field.name, field.alias) for field in attrs.fields(pruning) if field.init]
    validator_for = jsonschema.validators.validator_for

    def evolve(self: Any, **changes: Any) -> Any:
        schema = changes.setdefault("schema", self.schema)
        chosen = validator_for(schema, default=pruning)
        if chosen is validator:
            chosen = pruning
        for name, alias in fields:
            if alias not in changes:
                changes[alias] = getattr(self, name)
        return chosen(**changes)

    pruning.evolve = evolve  # type: ignore[method-assign]
    return pruning
