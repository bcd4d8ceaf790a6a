"""Which version of a standard a document says it follows (``--standard ID@detect``).

Many feeds declare their version: a ``version`` field, a ``$schema`` URI, an XML namespace or
a ``version`` attribute on the document element. A standard says where to look in the
``[detect]`` table of its manifest (read from the newest version that has one, since newer
versions know the identifiers of older ones)::

    [detect]
    pointer = "/version"                      # JSON Pointer into the record (a CSV column: "/version")
    map = { "1" = "^1.0", "2019" = "2.0.0" }  # declared value -> version spec (default: as is)
    schema_uri = { "https://example.org/schemas/1.1/person.json" = "1.1.0" }  # the record's $schema
    namespace = { "urn:example:person:2" = "^2.0" }  # the XML document element's namespace

For XML records (lxml elements), ``pointer = "/@version"`` reads an attribute of the
document element. The built-in implementation of the ``govstd_detect_version`` hook applies
these rules; a plugin can implement the hook for standards that need code (it is
``firstresult``: the first implementation returning a value wins, and plugins run before
govstd's own).

For ``ID@detect`` the first batch of each source is read once, the version is detected from
its first readable record, and the batch is then validated with the rest of the source — the
file is not read twice. A declared version that matches no usable version, or no declaration
at all, falls back to ``ID@latest`` with a ``standard.version-undetected`` warning.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import TYPE_CHECKING, Any

from govstd.exceptions import GovstdError, UsageError
from govstd.findings import MISSING
from govstd.plugins import first_result
from govstd.refs import StandardRef, VersionSpec

if TYPE_CHECKING:
    from govstd.findings import Finding
    from govstd.formats.base import ReadOptions, Source
    from govstd.report import Report
    from govstd.session import Session
    from govstd.standard import Standard
    from govstd.validation import Target, ValidationOptions

__all__ = [
    "DETECT",
    "DetectRule",
    "Detection",
    "VersionChooser",
    "check_detect_request",
    "declared_version",
    "detect_id",
    "detect_source",
    "first_record",
]

#: the version spec that asks for detection: ``ID@detect``
DETECT = "detect"


def detect_id(ref: str) -> str | None:
    """The standard id of an ``ID@detect`` reference; None for any other reference."""
    ident, sep, spec = ref.strip().partition("@")
    return ident.strip() if sep and spec.strip() == DETECT else None


@dataclass(frozen=True, slots=True)
class DetectRule:
    """A manifest's ``[detect]`` table: where a record declares its version."""

    pointer: str | None = None
    map: Mapping[str, str] = field(default_factory=dict)
    schema_uri: Mapping[str, str] = field(default_factory=dict)
    namespace: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, standards: Sequence[Standard]) -> DetectRule | None:
        """The rule of the newest version that declares one (``standards`` oldest first)."""
        for standard in reversed(standards):
            table = standard.detect
            if table:
                return cls(
                    pointer=table.get("pointer"),
                    map=dict(table.get("map", {})),
                    schema_uri=dict(table.get("schema_uri", {})),
                    namespace=dict(table.get("namespace", {})),
                )
        return None


def declared_version(rule: DetectRule, record: Any) -> str | None:
    """The version spec ``record`` declares under ``rule``; None when it declares none.

    ``$schema`` and the XML namespace are looked up in their tables (an unlisted URI declares
    nothing: many feeds carry a generic ``$schema``); the value at ``pointer`` is looked up in
    ``map`` and otherwise returned as text, for the caller to judge.
    """
    if _is_element(record):
        root = record.getroottree().getroot()
        namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
        if namespace in rule.namespace:
            return rule.namespace[namespace]
        if rule.pointer and rule.pointer.startswith("/@"):
            return _spec(rule, root.get(rule.pointer[2:]))
        return None
    if isinstance(record, Mapping):
        uri = record.get("$schema")
        if isinstance(uri, str) and uri in rule.schema_uri:
            return rule.schema_uri[uri]
    if rule.pointer is not None:
        return _spec(rule, _resolve_pointer(record, rule.pointer))
    return None


def _spec(rule: DetectRule, value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    if not text:
        return None
    return rule.map.get(text, text)


def _is_element(record: Any) -> bool:
    return hasattr(record, "getroottree") and isinstance(getattr(record, "tag", None), str)


def _resolve_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901; None when the pointer does not lead anywhere."""
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        return None
    node = document
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping):
            if token not in node:
                return None
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


# -- one source -------------------------------------------------------------------------------


@dataclass
class Detection:
    """The version chosen for one source, the batches to validate, and what to report."""

    standard: Standard
    batches: Iterator[Any]
    findings: list[Finding] = field(default_factory=list)


def first_record(batch: Any) -> Any:
    """The first readable record of a batch (a table row as ``{column: text}``), or None."""
    records = getattr(batch, "records", None)
    if records is not None:
        return records[0] if records else None
    rows = getattr(batch, "rows", None)
    if rows:
        return dict(zip(batch.header, rows[0], strict=False))
    return None


def detect_source(
    session: Session,
    fallback: Standard,
    source: Source,
    batches: Iterator[Any],
    *,
    allow_retired: bool = False,
) -> Detection:
    """Peek at the first batch of ``batches``, detect the version of ``fallback.id`` its
    first record declares, and resolve it (else ``fallback``, the latest version).

    The returned :class:`Detection` holds the batches again, the peeked one first, so the
    source is read once.
    """
    ident = fallback.id
    first = next(batches, None)
    again = batches if first is None else chain([first], batches)
    record = None if first is None else first_record(first)
    catalogue = session.catalogue
    if record is None:
        return Detection(fallback, again, [_undetected(session, source, fallback, None)])
    declared = first_result(
        session.plugin_manager,
        "govstd_detect_version",
        standard_id=ident,
        record=record,
        source=source.name,
        standards=session.registry.versions(ident),
    )
    if declared is None:
        return Detection(fallback, again, [_undetected(session, source, fallback, None)])
    declared = str(declared)
    try:
        wanted = StandardRef(ident, VersionSpec.parse(declared))
        chosen = session.registry.resolve(wanted, allow_retired=allow_retired)
    except (ValueError, GovstdError):  # not a version spec; no (usable) version matches
        return Detection(fallback, again, [_undetected(session, source, fallback, declared)])
    found = catalogue.finding(
        "standard.version-detected",
        source=source.name,
        value=declared,
        standard=chosen.ref,
    )
    return Detection(chosen, again, [found])


def _undetected(
    session: Session, source: Source, fallback: Standard, declared: str | None
) -> Finding:
    return session.catalogue.finding(
        "standard.version-undetected",
        source=source.name,
        value=MISSING if declared is None else declared,
        declared="—" if declared is None else declared,
        id=fallback.id,
        standard=fallback.ref,
    )


def check_detect_request(*, adapter: str | None, schematron: object | None) -> None:
    """``ID@detect`` reads each source's version from the source itself: refuse what picks a
    version some other way."""
    if adapter is not None:
        raise UsageError("--adapter picks the standard version: give ID or ID@VERSION, not @detect")
    if schematron is not None:
        raise UsageError("--schematron cannot be combined with --standard ID@detect")


class VersionChooser:
    """Picks the target of each source for ``ID@detect`` inside the validate pipeline.

    ``fallback`` is the compiled latest version: its reading settings (CSV dialect, XML record
    element) read the first batch. When the detected version reads differently, a file is
    read again from the start with its settings (standard input cannot be, and keeps them).
    """

    def __init__(self, session: Session, fallback: Target, options: ValidationOptions) -> None:
        assert fallback.standard is not None
        self.session = session
        self.fallback = fallback
        self.options = options
        self.ident = fallback.standard.id
        #: the target chosen for each source, in order
        self.chosen: list[Target] = []

    def __call__(
        self, source: Source, reader: Any, read_options: ReadOptions, batches: Iterator[Any]
    ) -> tuple[Target, Iterator[Any], list[Finding]]:
        from govstd.validation import compile_standard

        assert self.fallback.standard is not None
        found = detect_source(
            self.session,
            self.fallback.standard,
            source,
            batches,
            allow_retired=self.options.allow_retired,
        )
        options = self.options  # compiled once per session, under run_validation's key
        key = ("standard", found.standard.ref, options.format_check, options.as_of)
        target: Target = self.session.compiled(
            key, lambda: compile_standard(self.session, found.standard, options)
        )
        again = found.batches
        if source.path is not None and self._reads(target) != self._reads(self.fallback):
            batches.close()  # type: ignore[attr-defined]  # a reader's generator
            if reader.kind == "xml" and hasattr(reader, "configured"):
                reader = reader.configured(
                    record_element=self._reads(target)[1], limits=options.xml_limits
                )
            again = reader.read(
                source, replace(read_options, dialect=target.dialect), self.session.catalogue
            )
        self.chosen.append(target)
        notes = [replace(note, source=source.name) for note in target.notes]
        return target, again, [*found.findings, *notes]

    def _reads(self, target: Target) -> tuple[Any, Any]:
        return target.dialect, self.options.record_element or target.record_element

    def finish(self, report: Report) -> None:
        """Name the target ``ID@detect``, each source's version, and the standard when all
        sources share one version."""
        from govstd.validation import _standard_summary

        report.target = f"{self.ident}@{DETECT}"
        for stats, target in zip(report.sources, self.chosen, strict=True):
            stats.standard = target.name
        versions = {id(t.standard): t.standard for t in self.chosen}
        only = next(iter(versions.values())) if len(versions) == 1 else None
        report.standard = _standard_summary(only)
