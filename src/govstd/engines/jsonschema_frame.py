"""A vectorised yes/no screen for JSON Schema over a polars frame of texts.

An adapter reads a vendor feed columnar and hands its records over as a polars frame too
(:attr:`govstd.adapters.model.AdaptedBatch.frame`: one String column per field, null where
a record leaves the field out). For a *flat* record schema, the question "does the reference
find no error in this record?" is then a few polars expressions over whole columns instead of
one jsonschema-rs call per record.

The contract is the one of :mod:`govstd.engines.jsonschema_screen`:

    **the screen accepts a record only if the reference finds no error in it.**

and it is built on the same translation (the schema as jsonschema-rs is given it: patterns in
the Rust regex dialect with the Python meaning, formats the reference does not check left
out, python-jsonschema's ``date`` as a guard pattern plus a real-date test). polars' regex is
the Rust ``regex`` crate, so a translated pattern means the same there. A screen is compiled
only for this subset, and :func:`compile_frame_screen` returns ``None`` for anything else:

* the root: ``type: object`` (or absent), ``properties``, ``required``,
  ``additionalProperties`` (a boolean or a property schema of this subset), annotations;
* a property: ``type`` (``string`` among its types; the frame holds texts only),
  ``minLength``/``maxLength`` (code points, as ``str.len_chars``), ``pattern``,
  ``enum``/``const`` (texts compared as texts; other members never equal a text), the
  ``date`` guard, ``allOf`` of the same, ``true``/``false``. A format the reference checks
  with its own Python function makes every present cell of that property unsure.

A record the screen does not accept is simply checked as before (jsonschema-rs, then the
compiled predicate, then python-jsonschema for the findings), so the findings are always the
reference's. ``tests/test_transform_frame_screen.py`` checks the contract on generated frames.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from govstd.engines.jsonschema_refs import SchemaSpace

__all__ = ["FrameScreen", "compile_frame_screen"]

#: the positions (ascending) of the rows of a frame of texts the screen does not accept
FrameScreen = Callable[[Any], list[int]]

_ROOT_KEYS = frozenset({"$schema", "$id", "type", "properties", "required", "additionalProperties"})
_PROPERTY_KEYS = frozenset(
    {"type", "minLength", "maxLength", "pattern", "enum", "const", "allOf", "format"}
)


class _Refused(Exception):
    """The schema is outside the subset the frame screen takes."""


def compile_frame_screen(space: SchemaSpace, format_checker: Any) -> FrameScreen | None:
    """The frame screen of a compiled schema, or ``None`` when the schema is not flat (see
    the module's docstring) or jsonschema-rs's translation refuses it."""
    from govstd.engines import jsonschema_screen

    if jsonschema_screen._RUST_CLASSES.get(space.dialect.name) is None:
        return None
    checkers = None if format_checker is None else format_checker.checkers
    translator = jsonschema_screen._Translator(space.dialect, checkers)
    try:
        schema = translator.schema(space.root, root=True)
        compiled = _Compiled(schema, translator.formats, jsonschema_screen._accept, checkers)
    except (_Refused, jsonschema_screen._Refused, RecursionError):
        return None
    return compiled.screen


#: one condition on a present text: ``("min", n)``, ``("max", n)``, ``("pattern", rust)``,
#: ``("in", texts)``, ``("date",)`` (a day that exists) or ``("never",)``
_Part = tuple[Any, ...]


class _Compiled:
    """The translated root schema as plain data (no polars yet: compiling a schema must not
    import it, see :func:`govstd.parallel._fork_context`); the polars expressions are built
    on the first frame of each set of columns."""

    def __init__(self, schema: Any, formats: Mapping[str, Any], accept: Any, checkers: Any) -> None:
        if not isinstance(schema, dict) or not set(schema) <= _ROOT_KEYS:
            raise _Refused("a root outside the subset")
        kind = schema.get("type", "object")
        if kind != "object" and kind != ["object"]:
            raise _Refused("a root that is not an object")
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        if not isinstance(properties, dict) or not isinstance(required, list):
            raise _Refused("properties or required")
        self.formats = formats
        self.accept = accept
        #: whether the reference checks formats at all
        self.checked = checkers is not None
        #: field -> the conditions a present text must meet to certainly pass its subschema
        #: (``None``: it always passes)
        self.parts = {name: self.property(child) for name, child in properties.items()}
        self.required = [str(name) for name in required]
        self.other = self.property(schema.get("additionalProperties", True))
        #: the whole test of a frame, by its column names (``False``: nothing to test;
        #: ``None``: polars refused it, no row is accepted)
        self._checks: dict[tuple[str, ...], Any] = {}

    # -- a property ----------------------------------------------------------------------

    def property(self, node: Any) -> list[_Part] | None:
        """The conditions on one property's present texts (``None``: always passes)."""
        if node is True:
            return None
        if node is False:
            return [("never",)]
        if not isinstance(node, dict) or not set(node) <= _PROPERTY_KEYS:
            raise _Refused("a property outside the subset")
        parts: list[_Part] = []
        kind = node.get("type")
        if kind is not None:
            kinds = kind if isinstance(kind, list) else [kind]
            if "string" not in kinds:
                return [("never",)]
        if node.get("minLength") is not None:
            parts.append(("min", node["minLength"]))
        if node.get("maxLength") is not None:
            parts.append(("max", node["maxLength"]))
        if node.get("pattern") is not None:
            parts.append(("pattern", node["pattern"]))
        for key in ("enum", "const"):
            if key in node:
                members = node[key] if key == "enum" else [node[key]]
                parts.append(("in", [m for m in members if isinstance(m, str)]))
        if node.get("format") is not None:
            parts.extend(self.format(node["format"]))
        for child in node.get("allOf", []):
            parts.extend(self.property(child) or [])
        return parts or None

    def format(self, name: Any) -> list[_Part]:
        if not self.checked:
            return []  # formats are not checked
        if name == "date" and name not in self.formats:
            # python-jsonschema's own ``date``: the translation puts the guard pattern (ASCII
            # digits, YYYY-MM-DD, year 0001 and later) beside it; here: a day that exists
            return [("date",)]
        if self.formats.get(name) is self.accept:
            return []  # the reference does not check it
        return [("never",)]  # the reference's own function: unsure

    # -- the screen ----------------------------------------------------------------------

    def screen(self, frame: Any) -> list[int]:
        """The positions of the rows of ``frame`` (texts, null: absent) not accepted."""
        import numpy as np
        import polars as pl

        everyone = list(range(frame.height))
        if any(dtype != pl.String for dtype in frame.dtypes):
            return everyone
        names = tuple(frame.columns)
        if not set(self.required) <= set(names):
            return everyone
        if names in self._checks:
            check = self._checks[names]
        else:
            check = self._check(frame, names)
            if len(self._checks) < 64:  # (the same few column sets, batch after batch)
                self._checks[names] = check
        if check is None:
            return everyone
        if check is False:
            return []  # nothing to test: every row is accepted
        try:
            passed = frame.select(check).to_series()
        except Exception:  # polars gave up on some value: no row is accepted
            return everyone
        return np.flatnonzero(~passed.fill_null(False).to_numpy()).tolist()

    def _check(self, frame: Any, names: tuple[str, ...]) -> Any:
        """The polars expression true for the rows accepted (see :attr:`_checks`)."""
        import polars as pl

        checks = [pl.col(name).is_not_null() for name in self.required]
        for name in names:
            parts = self.parts.get(name, self.other)
            if parts is None:
                continue
            column = pl.col(name)
            test = _expression(parts, column)
            checks.append(column.is_null() | test.fill_null(False))
        if not checks:
            return False
        check = pl.all_horizontal(checks).alias("ok")
        try:
            frame.head(0).select(check)  # a pattern polars refuses …
        except Exception:
            return None
        return check


def _expression(parts: list[_Part], column: Any) -> Any:
    """The polars expression of ``parts`` (all must hold) over the texts of ``column``."""
    import polars as pl

    out: Any = None
    for part in parts:
        kind = part[0]
        if kind == "min":
            test = column.str.len_chars() >= part[1]
        elif kind == "max":
            test = column.str.len_chars() <= part[1]
        elif kind == "pattern":
            test = column.str.contains(part[1])
        elif kind == "in":
            test = column.is_in(list(part[1]))
        elif kind == "date":
            test = column.str.to_date("%Y-%m-%d", strict=False).is_not_null()
        else:
            test = pl.lit(False)
        out = test if out is None else out & test
    return out
