"""Engines compile a schema once into a plan; a plan checks batches.

An :class:`Engine` is registered through ``govstd_engines``. ``compile`` turns a schema
document into a :class:`Plan` (all schema parsing, reference resolution and validator
construction happens here, once); the plan then opens one :class:`Checker` per source,
which checks batch after batch and keeps per-source state (primary-key indexes, …).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.findings import Finding
    from govstd.formats.base import DocumentBatch, TableBatch

__all__ = ["Checker", "CompileContext", "Engine", "Plan", "SchemaDocument", "is_stateless"]


@dataclass(frozen=True, slots=True)
class SchemaDocument:
    """A schema to compile: its parsed content and where it came from.

    ``resources`` are further schema documents that ``$ref`` may point at (every schema file
    beside the main one, or in the standard's folder), keyed by the URI they are retrieved
    under (a ``file://`` URI for local files); an engine also registers each under its own
    ``$id``/``id``. Nothing outside ``resources`` is ever fetched.
    """

    content: Any
    path: Path | None = None
    resources: Mapping[str, Any] = field(default_factory=dict)
    #: the JSON Schema dialect to assume when ``$schema`` is absent
    default_dialect: str | None = None


@dataclass(frozen=True, slots=True)
class CompileContext:
    """Everything a plan may need besides the schema."""

    catalogue: Catalogue
    format_check: bool = True
    as_of: date | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Checker(Protocol):
    """Checks the batches of one source, in order."""

    def check_table(self, batch: TableBatch) -> Iterable[Finding]: ...

    def check_documents(self, batch: DocumentBatch) -> Iterable[Finding]: ...

    def finish(self) -> Iterable[Finding]:
        """Findings only known at the end of the source (usually none)."""
        ...


@runtime_checkable
class Plan(Protocol):
    """A compiled schema. Immutable and reusable across sources.

    A plan may also declare ``stateless = True``: its checkers keep no state from batch to
    batch and find nothing in ``finish``, so the batches of a source may be checked in other
    processes (see :mod:`govstd.parallel`). Without it (the default), a source's batches are
    checked in order by one checker, as primary keys and ``unique`` rules need.
    """

    #: the input kinds this plan can check
    accepts: Sequence[Literal["table", "documents"]]

    def open(self, source: str) -> Checker: ...


@runtime_checkable
class Engine(Protocol):
    """Recognises and compiles one kind of schema."""

    #: short name: ``jsonschema``, ``tableschema`` …
    name: str

    def detect(self, content: Any, path: Path | None) -> bool:
        """Whether ``content`` (parsed from ``path``) is a schema of this engine's kind."""
        ...

    def compile(self, schema: SchemaDocument, context: CompileContext) -> Plan:
        """Compile once; raise :class:`~govstd.exceptions.SchemaError` if it is invalid."""
        ...


def is_stateless(plan: Any) -> bool:
    """Whether ``plan`` declares ``stateless = True`` (see :class:`Plan`)."""
    return getattr(plan, "stateless", False) is True


def schema_objects(content: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a schema document, the document itself included."""
    stack = [content]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def refers_outside(content: Any, *, also: frozenset[str] = frozenset()) -> bool:
    """Whether a ``$ref``/``$dynamicRef`` anywhere in ``content`` names something other than
    a place in the same document (its value does not start with ``#``), or an object anywhere
    holds one of the keywords ``also``. Only reads the document (no JSON Schema library)."""
    for node in schema_objects(content):
        for keyword in ("$ref", "$dynamicRef"):
            value = node.get(keyword)
            if isinstance(value, str) and not value.startswith("#"):
                return True
        if also and not also.isdisjoint(node):
            return True
    return False
