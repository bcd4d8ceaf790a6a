"""The Schematron engine: ISO Schematron business rules, XSLT 1.0 query binding, via lxml.

Compilation (:meth:`SchematronEngine.compile`) checks the query binding first. lxml runs
ISO Schematron through the XSLT 1.0 skeleton, so only ``queryBinding`` ``xslt``/``xslt1``/
``exslt`` (or none, which means ``xslt``) is accepted. Rules written for XPath 2 or later
(``xslt2``, ``xslt3``, ``xpath2`` …, e.g. the EN 16931 e-invoicing rules) are refused with a
:class:`~govstd.exceptions.SchemaError`: evaluating them with XPath 1 could pass documents the
rules reject, and govstd never validates wrongly. The schema is then checked against the
Schematron grammar and compiled once into an XSLT stylesheet that may not write files or use
the network.

Checking (:class:`SchematronChecker`) runs the stylesheet and turns each SVRL
``failed-assert`` into ``schematron.assert`` and each ``successful-report`` into
``schematron.report``; the severity comes from the rule's ``role`` (or ``flag``): ``fatal``/
``error`` → error, ``warning``/``warn`` → warning, ``info``/``information`` → info. The
location is resolved to a line and an absolute XPath.

With a record element each record is checked in a copy of its ancestors (the root with its
attributes, …, the parent), so rules that look up (``/iati-activities/@version``) still work;
rules that compare records with each other see one record at a time — validate whole
documents for those. Findings about the envelope are reported once, without a record.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstd.engines.base import CompileContext, SchemaDocument
from govstd.exceptions import SchemaError
from govstd.findings import Location, Severity

if TYPE_CHECKING:
    from lxml import etree

    from govstd.catalogue import Catalogue
    from govstd.findings import Finding
    from govstd.formats.base import DocumentBatch, TableBatch

__all__ = ["SCH_NS", "SchematronChecker", "SchematronEngine", "SchematronPlan"]

SCH_NS = "http://purl.oclc.org/dsdl/schematron"
OLD_SCH_NS = "http://www.ascc.net/xml/schematron"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
_SVRL = f"{{{SVRL_NS}}}"
#: query bindings the XSLT 1.0 skeleton evaluates correctly
SUPPORTED_BINDINGS = frozenset({"", "xslt", "xslt1", "exslt", "xpath"})
_SEVERITIES = {
    "fatal": Severity.ERROR,
    "error": Severity.ERROR,
    "err": Severity.ERROR,
    "warning": Severity.WARNING,
    "warn": Severity.WARNING,
    "info": Severity.INFO,
    "information": Severity.INFO,
    "informational": Severity.INFO,
}
_SPACES = re.compile(r"\s+")


def _root_of(content: Any) -> Any:
    from lxml import etree

    if isinstance(content, etree._ElementTree):
        return content.getroot()
    if isinstance(content, etree._Element):
        return content
    return None


class SchematronEngine:
    """Recognises ISO Schematron schemas and compiles them into :class:`SchematronPlan`."""

    name = "schematron"

    def detect(self, content: Any, path: Path | None) -> bool:
        if isinstance(content, dict | list | str | int | float | bool) or content is None:
            return False
        root = _root_of(content)
        return root is not None and root.tag in (f"{{{SCH_NS}}}schema", f"{{{OLD_SCH_NS}}}schema")

    def compile(self, schema: SchemaDocument, context: CompileContext) -> SchematronPlan:
        from lxml import etree, isoschematron

        label = str(schema.path) if schema.path is not None else "<schematron>"
        root = _root_of(schema.content)
        if root is None:
            raise SchemaError(f"{label}: not an XML document")
        if root.tag == f"{{{OLD_SCH_NS}}}schema":
            raise SchemaError(
                f"{label} is Schematron 1.5 (namespace {OLD_SCH_NS}); govstd runs ISO Schematron "
                f"({SCH_NS}): convert the schema"
            )
        binding = (root.get("queryBinding") or "").strip().lower()
        if binding not in SUPPORTED_BINDINGS:
            raise SchemaError(
                f"{label} uses queryBinding {binding!r}: its rules need an XPath 2+ processor, "
                "and govstd's Schematron engine (lxml, XSLT 1.0) would evaluate them wrongly. "
                "Run these rules with an XSLT 2/3 Schematron processor (e.g. SchXslt on Saxon), "
                "or give a version of the rules with queryBinding 'xslt'."
            )
        phase = context.extra.get("schematron_phase")
        try:
            compiled = isoschematron.Schematron(root.getroottree(), store_xslt=True, phase=phase)
        except (etree.SchematronParseError, etree.XSLTParseError, etree.XSLTApplyError) as exc:
            raise SchemaError(f"{label} is not a valid ISO Schematron schema: {exc}") from None
        access = etree.XSLTAccessControl(
            read_file=True,
            write_file=False,
            create_dir=False,
            read_network=False,
            write_network=False,
        )
        try:
            transform = etree.XSLT(compiled.validator_xslt, access_control=access)
        except etree.XSLTParseError as exc:
            raise SchemaError(f"{label}: its rules do not compile: {exc}") from None
        return SchematronPlan(transform=transform, catalogue=context.catalogue, label=label)


class SchematronPlan:
    """A compiled Schematron schema (an XSLT stylesheet producing SVRL)."""

    accepts: Sequence[str] = ("xml",)

    def __init__(self, *, transform: etree.XSLT, catalogue: Catalogue, label: str) -> None:
        self.transform = transform
        self.catalogue = catalogue
        self.label = label

    def open(self, source: str) -> SchematronChecker:
        return SchematronChecker(self, source)


class SchematronChecker:
    """Runs the rules over the XML batches of one source."""

    def __init__(self, plan: SchematronPlan, source: str) -> None:
        self.plan = plan
        self.source = source
        self._parent: Any = None
        self._chain: tuple[Any, Any] | None = None
        self._envelope_seen: set[tuple[Any, ...]] = set()

    def check_table(self, batch: TableBatch) -> Iterable[Finding]:
        return ()

    def finish(self) -> Iterable[Finding]:
        return ()

    def check_documents(self, batch: DocumentBatch) -> Iterable[Finding]:
        tag = getattr(batch, "record_tag", None)
        paths = getattr(batch, "paths", None) or [None] * len(batch.records)
        findings: list[Finding] = []
        for element, ordinal, path in zip(batch.records, batch.ordinals, paths, strict=True):
            if tag is None:
                tree = element.getroottree()
                findings.extend(self._run(tree, ordinal, None, None))
                continue
            top, holder = self._wrapper(element)
            record = copy.deepcopy(element)
            holder.append(record)
            try:
                findings.extend(self._run(top.getroottree(), ordinal, record, path))
            finally:
                holder.remove(record)
        return findings

    def _wrapper(self, element: etree._Element) -> tuple[Any, Any]:
        """Shallow copies of the record's ancestors (cached per parent)."""
        from lxml import etree

        parent = element.getparent()
        if parent is self._parent and self._chain is not None:
            return self._chain
        top = holder = None
        for ancestor in reversed(list(element.iterancestors())):
            shallow = etree.Element(ancestor.tag, dict(ancestor.attrib), nsmap=ancestor.nsmap)
            shallow.sourceline = ancestor.sourceline
            if holder is None:
                top = shallow
            else:
                holder.append(shallow)
            holder = shallow
        if top is None:  # the record is the document element
            top = holder = etree.Element("govstd-wrapper")
        self._parent, self._chain = parent, (top, holder)
        return top, holder

    def _run(
        self, tree: etree._ElementTree, ordinal: int | None, record: Any, record_path: str | None
    ) -> list[Finding]:
        report = self.plan.transform(tree)
        out: list[Finding] = []
        record_prefix = tree.getpath(record) if record is not None else None
        for result in report.getroot().iter(f"{_SVRL}failed-assert", f"{_SVRL}successful-report"):
            code = (
                "schematron.assert" if result.tag.endswith("failed-assert") else "schematron.report"
            )
            node = _resolve(tree, result.get("location") or "")
            line = node.sourceline if node is not None else None
            path = tree.getpath(node) if node is not None else result.get("location")
            where_record = ordinal
            if record_prefix is not None and path is not None:
                if path == record_prefix or path.startswith(record_prefix + "/"):
                    path = f"{record_path}{path[len(record_prefix) :]}"
                else:  # about the envelope: once per source, without a record
                    where_record = None
            text = _SPACES.sub(" ", "".join(result.itertext())).strip()
            rule = result.get("id") or ""
            role = (result.get("role") or result.get("flag") or "").strip().lower()
            severity = _SEVERITIES.get(role)
            if where_record is None and ordinal is not None:
                key = (code, rule, path, text)
                if key in self._envelope_seen:
                    continue
                self._envelope_seen.add(key)
            out.append(
                self.plan.catalogue.finding(
                    code,
                    source=self.source,
                    record=where_record,
                    location=Location(line=line, xpath=path),
                    severity=severity,
                    keyword=result.get("test"),
                    message=f"{rule}: {text}" if rule else text,
                    rule=rule or "-",
                    role=role or "-",
                    test=result.get("test") or "",
                    detail=text,
                )
            )
        return out


def _resolve(tree: etree._ElementTree, location: str) -> Any:
    """The element an SVRL location names (for an attribute or text: its element)."""
    from lxml import etree

    if not location:
        return None
    try:
        found = tree.xpath(location)
    except (etree.XPathError, etree.XPathEvalError):
        return None
    if not isinstance(found, list) or not found:
        return None
    node = found[0]
    if isinstance(node, etree._Element):
        return node
    getparent = getattr(node, "getparent", None)
    return getparent() if getparent is not None else None
