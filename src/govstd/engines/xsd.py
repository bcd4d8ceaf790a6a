"""The XSD engine: XML Schema 1.0 with lxml (libxml2), per document or per record.

Compilation (:meth:`XsdEngine.compile`) loads the schema and every ``xs:include``,
``xs:import`` and ``xs:redefine`` it reaches from **local files only** (a ``schemaLocation``
on the network is a :class:`~govstd.exceptions.SchemaError`), through the hardened parsers of
:mod:`govstd.xmlsafety`, and builds one ``lxml.etree.XMLSchema``.

Checking (:class:`XsdChecker`) takes the :class:`~govstd.formats.xml.XmlBatch` of the XML
reader:

* **whole documents** (no record element): the document is validated as a whole, and its
  root must be one of the schema's *top* elements (global elements no other declaration
  references, e.g. ``iati-activities``) — libxml2 itself accepts any global element as root;
* **records** (``--record-element NAME``): each record element is validated on its own
  against the schema's declaration of that element. A locally declared element is promoted
  to a global one in a derived copy of the schema (a *record schema*). At the end of the
  document the *envelope* (root, its attributes, whatever sits around the records) is
  validated against a second derived copy (an *envelope schema*) in which the record's
  declaration accepts anything, so the envelope is checked exactly once and records are not
  checked twice. What streaming cannot check — identity constraints (``xs:unique``,
  ``xs:key``, ``xs:keyref``) declared outside the record, and the number of records where
  ``maxOccurs`` is bounded — is said in an ``xml.streaming-unchecked`` note, never silently.

Each libxml2 error becomes a finding: ``code`` by error class (:data:`ERROR_CODES`),
``location`` with line, the element (``field``: ``budget`` or ``budget/@type``) and the
absolute XPath (``/iati-activities/iati-activity[3]/budget[1]``), ``message`` libxml2's text.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from govstd.engines.base import CompileContext, SchemaDocument
from govstd.exceptions import SchemaError
from govstd.findings import Location, Severity
from govstd.xmlsafety import HostileDocument, XmlLimits, parse_bytes, parser_options

if TYPE_CHECKING:
    from lxml import etree

    from govstd.catalogue import Catalogue
    from govstd.findings import Finding
    from govstd.formats.base import DocumentBatch, TableBatch

__all__ = ["ERROR_CODES", "XS_NS", "XsdChecker", "XsdEngine", "XsdPlan", "read_xml_schema"]

XS_NS = "http://www.w3.org/2001/XMLSchema"
_XS = f"{{{XS_NS}}}"
_IDENTITY = (f"{_XS}unique", f"{_XS}key", f"{_XS}keyref")
_REFERENCES = (f"{_XS}include", f"{_XS}import", f"{_XS}redefine", f"{_XS}override")

#: finding code by libxml2 error type (``lxml.etree.ErrorTypes`` name); else ``xml.schema``
ERROR_CODES: Mapping[str, str] = {
    "SCHEMAV_ELEMENT_CONTENT": "xml.schema.content",
    "SCHEMAV_CVC_COMPLEX_TYPE_2_1": "xml.schema.content",
    "SCHEMAV_CVC_COMPLEX_TYPE_2_2": "xml.schema.content",
    "SCHEMAV_CVC_COMPLEX_TYPE_2_3": "xml.schema.content",
    "SCHEMAV_CVC_COMPLEX_TYPE_2_4": "xml.schema.content",
    "SCHEMAV_CVC_ELT_1": "xml.schema.content",
    "SCHEMAV_CVC_ELT_2": "xml.schema.content",
    "SCHEMAV_CVC_ELT_3_1": "xml.schema.content",
    "SCHEMAV_CVC_ELT_3_2_1": "xml.schema.content",
    "SCHEMAV_CVC_ELT_3_2_2": "xml.schema.content",
    "SCHEMAV_NOROOT": "xml.schema.content",
    "SCHEMAV_UNDECLAREDELEM": "xml.schema.content",
    "SCHEMAV_WRONGELEM": "xml.schema.content",
    "SCHEMAV_NOTEMPTY": "xml.schema.content",
    "SCHEMAV_EXTRACONTENT": "xml.schema.content",
    "SCHEMAV_ISABSTRACT": "xml.schema.content",
    "SCHEMAV_NOTNILLABLE": "xml.schema.content",
    "SCHEMAV_CVC_COMPLEX_TYPE_3_1": "xml.schema.attribute",
    "SCHEMAV_CVC_COMPLEX_TYPE_3_2_1": "xml.schema.attribute",
    "SCHEMAV_CVC_COMPLEX_TYPE_3_2_2": "xml.schema.attribute",
    "SCHEMAV_CVC_COMPLEX_TYPE_4": "xml.schema.attribute",
    "SCHEMAV_CVC_COMPLEX_TYPE_5_1": "xml.schema.attribute",
    "SCHEMAV_CVC_COMPLEX_TYPE_5_2": "xml.schema.attribute",
    "SCHEMAV_CVC_AU": "xml.schema.attribute",
    "SCHEMAV_CVC_ATTRIBUTE_1": "xml.schema.attribute",
    "SCHEMAV_CVC_ATTRIBUTE_2": "xml.schema.attribute",
    "SCHEMAV_CVC_WILDCARD": "xml.schema.attribute",
    "SCHEMAV_ATTRUNKNOWN": "xml.schema.attribute",
    "SCHEMAV_ATTRINVALID": "xml.schema.attribute",
    "SCHEMAV_NOTTOPLEVEL": "xml.schema.attribute",
    "SCHEMAV_MISSING": "xml.schema.attribute",
    "SCHEMAV_CVC_DATATYPE_VALID_1_2_1": "xml.schema.type",
    "SCHEMAV_CVC_DATATYPE_VALID_1_2_2": "xml.schema.type",
    "SCHEMAV_CVC_DATATYPE_VALID_1_2_3": "xml.schema.type",
    "SCHEMAV_CVC_TYPE_1": "xml.schema.type",
    "SCHEMAV_CVC_TYPE_2": "xml.schema.type",
    "SCHEMAV_CVC_TYPE_3_1_1": "xml.schema.type",
    "SCHEMAV_CVC_TYPE_3_1_2": "xml.schema.type",
    "SCHEMAV_CVC_ATTRIBUTE_3": "xml.schema.type",
    "SCHEMAV_CVC_ATTRIBUTE_4": "xml.schema.type",
    "SCHEMAV_CVC_SIMPLE_TYPE": "xml.schema.type",
    "SCHEMAV_CVC_ELT_4_1": "xml.schema.type",
    "SCHEMAV_CVC_ELT_4_2": "xml.schema.type",
    "SCHEMAV_CVC_ELT_4_3": "xml.schema.type",
    "SCHEMAV_CVC_ELT_5_1_1": "xml.schema.type",
    "SCHEMAV_CVC_ELT_5_1_2": "xml.schema.type",
    "SCHEMAV_CVC_ELT_5_2_1": "xml.schema.type",
    "SCHEMAV_CVC_ELT_5_2_2_1": "xml.schema.type",
    "SCHEMAV_CVC_ELT_5_2_2_2_1": "xml.schema.type",
    "SCHEMAV_CVC_ELT_5_2_2_2_2": "xml.schema.type",
    "SCHEMAV_CVC_ELT_6": "xml.schema.type",
    "SCHEMAV_CVC_ELT_7": "xml.schema.type",
    "SCHEMAV_VALUE": "xml.schema.type",
    "SCHEMAV_FACET": "xml.schema.type",
    "SCHEMAV_INVALIDATTR": "xml.schema.type",
    "SCHEMAV_INVALIDELEM": "xml.schema.type",
    "SCHEMAV_CVC_ENUMERATION_VALID": "xml.schema.enumeration",
    "SCHEMAV_CVC_PATTERN_VALID": "xml.schema.pattern",
    "SCHEMAV_CVC_LENGTH_VALID": "xml.schema.length",
    "SCHEMAV_CVC_MINLENGTH_VALID": "xml.schema.length",
    "SCHEMAV_CVC_MAXLENGTH_VALID": "xml.schema.length",
    "SCHEMAV_CVC_MININCLUSIVE_VALID": "xml.schema.range",
    "SCHEMAV_CVC_MAXINCLUSIVE_VALID": "xml.schema.range",
    "SCHEMAV_CVC_MINEXCLUSIVE_VALID": "xml.schema.range",
    "SCHEMAV_CVC_MAXEXCLUSIVE_VALID": "xml.schema.range",
    "SCHEMAV_CVC_TOTALDIGITS_VALID": "xml.schema.range",
    "SCHEMAV_CVC_FRACTIONDIGITS_VALID": "xml.schema.range",
    "SCHEMAV_CVC_IDC": "xml.schema.identity",
    "SCHEMAV_CVC_FACET_VALID": "xml.schema.type",
}

_SUBJECT = re.compile(r"^Element '([^']+)'(?:, attribute '([^']+)')?:")
_MESSAGE_LIMIT = 600


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _qname_local(value: str) -> str:
    return value.rsplit(":", 1)[-1]


def read_xml_schema(path: Path, limits: XmlLimits | None = None) -> etree._ElementTree:
    """Parse a local XSD or Schematron file safely (raises :class:`SchemaError`)."""
    from lxml import etree

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SchemaError(f"cannot read schema {path}: {exc.strerror or exc}") from None
    try:
        return parse_bytes(data, limits or XmlLimits(), base_url=str(path.resolve()))
    except HostileDocument as exc:
        raise SchemaError(f"schema {path} was refused: {exc.verdict.detail}") from None
    except etree.XMLSyntaxError as exc:
        raise SchemaError(f"schema {path} is not well-formed XML: {exc}") from None


def _location_path(location: str, base: Path) -> Path | None:
    """The local file a ``schemaLocation`` names, or None if it is not a local file."""
    parsed = urlparse(location)
    if parsed.scheme in ("", "file") or (len(parsed.scheme) == 1 and location[1:3] == ":\\"):
        raw = unquote(parsed.path) if parsed.scheme == "file" else location
        candidate = Path(raw)
        return candidate if candidate.is_absolute() else (base.parent / candidate)
    return None


class _SchemaSet:
    """The documents of one schema: the main file and every local file it includes or imports."""

    def __init__(self, main: Path, tree: etree._ElementTree) -> None:
        self.main = str(main.resolve())
        self.docs: dict[str, etree._ElementTree] = {}
        self._load(main.resolve(), tree)

    def _load(self, path: Path, tree: etree._ElementTree) -> None:
        key = str(path)
        if key in self.docs:
            return
        self.docs[key] = tree
        for ref in tree.getroot().iter(*_REFERENCES):
            location = ref.get("schemaLocation")
            if not location:
                continue
            target = _location_path(location, path)
            if target is None:
                raise SchemaError(
                    f"{path}: {_local(ref.tag)} of {location!r} is not a local file; govstd "
                    "never fetches schemas from the network: save a copy beside the schema and "
                    "point schemaLocation at it"
                )
            target = target.resolve()
            if not target.is_file():
                raise SchemaError(f"{path}: {_local(ref.tag)} {location!r}: no file {target}")
            if str(target) not in self.docs:
                self._load(target, read_xml_schema(target))

    def copy(self) -> dict[str, etree._ElementTree]:
        return {key: copy.deepcopy(tree) for key, tree in self.docs.items()}

    def compile(self, docs: Mapping[str, etree._ElementTree] | None = None) -> etree.XMLSchema:
        """Compile (a variant of) the schema; includes are served from ``docs`` only."""
        from lxml import etree

        docs = self.docs if docs is None else docs
        served = {key: etree.tostring(tree) for key, tree in docs.items()}

        class _Served(etree.Resolver):
            def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
                key = _url_key(url)
                data = served.get(key) if key else None
                if data is None:
                    return self.resolve_string(b"<refused/>", context)
                return self.resolve_string(data, context, base_url=key)

        parser = etree.XMLParser(**parser_options())
        parser.resolvers.add(_Served())
        main = etree.fromstring(served[self.main], parser, base_url=self.main)
        try:
            return etree.XMLSchema(etree.ElementTree(main))
        except etree.XMLSchemaParseError as exc:
            raise SchemaError(f"{self.main} is not a valid XML Schema: {exc}") from None

    # -- what the schema declares ------------------------------------------------------------

    def roots(self) -> set[str]:
        """Local names of the global elements no other declaration references (the roots)."""
        globals_: set[str] = set()
        referenced: set[str] = set()
        for tree in self.docs.values():
            root = tree.getroot()
            for decl in root.findall(f"{_XS}element"):
                if decl.get("name"):
                    globals_.add(decl.get("name"))
            for decl in root.iter(f"{_XS}element"):
                if decl.get("ref"):
                    referenced.add(_qname_local(decl.get("ref")))
                if decl.get("substitutionGroup"):
                    referenced.add(decl.get("name") or "")
        return (globals_ - referenced) or globals_

    def globals(self) -> set[str]:
        return {
            decl.get("name")
            for tree in self.docs.values()
            for decl in tree.getroot().findall(f"{_XS}element")
            if decl.get("name")
        }


def _url_key(url: str | None) -> str | None:
    if not url:
        return None
    if url.startswith("file:"):
        url = unquote(urlparse(url).path)
    try:
        return str(Path(url).resolve())
    except (OSError, ValueError):
        return None


def _declarations(docs: Mapping[str, etree._ElementTree], local: str) -> list[etree._Element]:
    return [
        decl
        for tree in docs.values()
        for decl in tree.getroot().iter(f"{_XS}element")
        if decl.get("name") == local
    ]


def _is_global(decl: etree._Element) -> bool:
    parent = decl.getparent()
    return parent is not None and parent.tag == f"{_XS}schema"


def _inside(node: etree._Element, ancestors: Sequence[etree._Element]) -> bool:
    return any(node is a or a in node.iterancestors() for a in ancestors)


class XsdEngine:
    """Recognises XML Schema documents and compiles them into :class:`XsdPlan` objects."""

    name = "xsd"

    def detect(self, content: Any, path: Path | None) -> bool:
        root = _root_of(content)
        return root is not None and root.tag == f"{_XS}schema"

    def compile(self, schema: SchemaDocument, context: CompileContext) -> XsdPlan:
        if schema.path is None:
            raise SchemaError(
                "an XML Schema must come from a file (its includes resolve beside it)"
            )
        root = _root_of(schema.content)
        if root is None:
            raise SchemaError(f"{schema.path}: not an XML document")
        schemas = _SchemaSet(schema.path, root.getroottree())
        expected_root = context.extra.get("xml_root")
        return XsdPlan(
            schemas=schemas,
            catalogue=context.catalogue,
            label=str(schema.path),
            roots=schemas.roots(),
            expected_root=_local(expected_root) if expected_root else None,
        )


def _root_of(content: Any) -> Any:
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml is a dependency
        return None
    if isinstance(content, etree._ElementTree):
        return content.getroot()
    if isinstance(content, etree._Element):
        return content
    return None


class XsdPlan:
    """A compiled XML Schema, with per-record variants derived on first use."""

    accepts: Sequence[str] = ("xml",)

    def __init__(
        self,
        *,
        schemas: _SchemaSet,
        catalogue: Catalogue,
        label: str,
        roots: set[str],
        expected_root: str | None = None,
    ) -> None:
        self.schemas = schemas
        self.catalogue = catalogue
        self.label = label
        #: the top elements: global elements no declaration references
        self.roots = roots
        #: the root the standard names (``[x.xml] root``): anything else is an error
        self.expected_root = expected_root
        self.globals = schemas.globals()
        self.schema = schemas.compile()
        self._records: dict[str, tuple[Any, Any, list[str]]] = {}

    def open(self, source: str) -> XsdChecker:
        return XsdChecker(self, source)

    def for_records(self, tag: str) -> tuple[etree.XMLSchema, etree.XMLSchema, list[str]]:
        """The record schema, the envelope schema and what streaming leaves unchecked."""
        if tag not in self._records:
            self._records[tag] = self._derive(tag)
        return self._records[tag]

    def _derive(self, tag: str) -> tuple[Any, Any, list[str]]:
        from lxml import etree

        local = _local(tag)
        # the record schema: the element's declaration made global if it is local
        if local in self.schemas.globals():
            record_schema = self.schema
        else:
            docs = self.schemas.copy()
            local_decls = [d for d in _declarations(docs, local) if not _is_global(d)]
            if not local_decls:
                raise SchemaError(
                    f"{self.label} declares no element <{local}> (the record element)"
                )
            variants = {etree.tostring(_promoted(d)) for d in local_decls}
            if len(variants) > 1:
                raise SchemaError(
                    f"{self.label} declares <{local}> {len(variants)} different ways; validate "
                    "whole documents (no record element) or name another record element"
                )
            decl = local_decls[0]
            schema_root = decl.getroottree().getroot()
            if schema_root.get("targetNamespace") and not _qualified(decl, schema_root):
                raise SchemaError(
                    f"{self.label}: <{local}> is a local, unqualified element of a namespaced "
                    "schema; it cannot be validated on its own: validate whole documents"
                )
            schema_root.append(_promoted(decl))
            record_schema = self.schemas.compile(docs)
        # the envelope schema: records accept anything; constraints across records dropped
        docs = self.schemas.copy()
        decls = _declarations(docs, local)
        unchecked: list[str] = []
        for tree in docs.values():
            for constraint in list(tree.getroot().iter(*_IDENTITY)):
                if _inside(constraint, decls):
                    continue
                unchecked.append(
                    f"xs:{_local(constraint.tag)} {constraint.get('name', '')}".strip()
                )
                constraint.getparent().remove(constraint)
        for decl in decls:
            _relax(decl)
            if decl.get("maxOccurs") not in (None, "unbounded") and not _is_global(decl):
                unchecked.append(f"maxOccurs={decl.get('maxOccurs')} of <{local}>")
        envelope_schema = self.schemas.compile(docs)
        return record_schema, envelope_schema, sorted(set(unchecked))


def _qualified(decl: etree._Element, schema_root: etree._Element) -> bool:
    form = decl.get("form") or schema_root.get("elementFormDefault", "unqualified")
    return form == "qualified"


def _promoted(decl: etree._Element) -> etree._Element:
    glob = copy.deepcopy(decl)
    for attribute in ("minOccurs", "maxOccurs", "form"):
        glob.attrib.pop(attribute, None)
    glob.tail = None
    return glob


def _relax(decl: etree._Element) -> None:
    from lxml import etree

    for attribute in ("type", "fixed", "default", "nillable", "abstract", "block", "final"):
        decl.attrib.pop(attribute, None)
    for child in list(decl):
        if child.tag != f"{_XS}annotation":
            decl.remove(child)
    complex_type = etree.SubElement(decl, f"{_XS}complexType", mixed="true")
    sequence = etree.SubElement(complex_type, f"{_XS}sequence")
    etree.SubElement(
        sequence,
        f"{_XS}any",
        processContents="skip",
        minOccurs="0",
        maxOccurs="unbounded",
        namespace="##any",
    )
    etree.SubElement(complex_type, f"{_XS}anyAttribute", processContents="skip", namespace="##any")


class XsdChecker:
    """Validates the XML batches of one source."""

    def __init__(self, plan: XsdPlan, source: str) -> None:
        self.plan = plan
        self.source = source
        self.root_checked = False

    def check_table(self, batch: TableBatch) -> Iterable[Finding]:
        return ()

    def finish(self) -> Iterable[Finding]:
        return ()

    def check_documents(self, batch: DocumentBatch) -> Iterable[Finding]:
        records = batch.records
        tag = getattr(batch, "record_tag", None)
        paths = getattr(batch, "paths", None) or [None] * len(records)
        findings: list[Finding] = []
        if tag is None:
            for element, ordinal, path in zip(records, batch.ordinals, paths, strict=True):
                findings.extend(self._root(element, ordinal, whole=True))
                tree = element.getroottree()
                if not self.plan.schema.validate(tree):
                    findings.extend(self._errors(self.plan.schema, ordinal, None, path))
            return findings
        record_schema, envelope_schema, unchecked = self.plan.for_records(tag)
        envelope = getattr(batch, "envelope", None)
        if not self.root_checked and (records or envelope is not None):
            self.root_checked = True
            root = envelope if envelope is not None else records[0].getroottree().getroot()
            findings.extend(self._root(root, None, whole=False))
            if unchecked:
                findings.append(
                    self.plan.catalogue.finding(
                        "xml.streaming-unchecked",
                        source=self.source,
                        detail="; ".join(unchecked),
                        record_element=_local(tag),
                    )
                )
        validate = record_schema.validate
        for element, ordinal, path in zip(records, batch.ordinals, paths, strict=True):
            if not validate(element):
                findings.extend(self._errors(record_schema, ordinal, path, None))
        if envelope is not None and not envelope_schema.validate(envelope.getroottree()):
            findings.extend(self._errors(envelope_schema, None, None, None))
        return findings

    def _root(self, root: etree._Element, ordinal: int | None, *, whole: bool) -> list[Finding]:
        """Check the document element.

        libxml2 accepts any global element as the root. The standard's own root
        (``[x.xml] root``) is enforced as an error; without one, a root that is not a global
        element is an error when streaming (libxml2 reports it itself for whole documents),
        and a global element that is not one of the schema's top elements (e.g. a lone
        ``<narrative>``) is a warning, so the verdict stays the XML Schema one.
        """
        local = _local(root.tag)
        severity = None
        plan = self.plan
        if plan.expected_root is not None:
            if local == plan.expected_root:
                return []
            expected = f"<{plan.expected_root}>"
        else:
            if local in plan.roots:
                return []
            if local not in plan.globals:
                if whole:
                    return []
            else:
                severity = Severity.WARNING
            expected = ", ".join(f"<{name}>" for name in sorted(plan.roots))
        return [
            self.plan.catalogue.finding(
                "xml.root",
                source=self.source,
                record=ordinal,
                severity=severity,
                location=Location(line=root.sourceline, xpath=f"/{local}", field=local),
                value=local,
                expected=expected,
            )
        ]

    def _errors(
        self, schema: etree.XMLSchema, ordinal: int | None, record_path: str | None, _: Any
    ) -> list[Finding]:
        out: list[Finding] = []
        catalogue = self.plan.catalogue
        for entry in schema.error_log:
            path = entry.path or None
            if record_path and path:
                # libxml2 saw the record as a document: /iati-activity/budget[1]
                slash = path.find("/", 1)
                path = record_path + (path[slash:] if slash > 0 else "")
            match = _SUBJECT.match(entry.message or "")
            field = None
            if match:
                field = match.group(1) + (f"/@{match.group(2)}" if match.group(2) else "")
            message = (entry.message or "").strip()
            if len(message) > _MESSAGE_LIMIT:
                message = message[: _MESSAGE_LIMIT - 1] + "…"
            out.append(
                catalogue.finding(
                    ERROR_CODES.get(entry.type_name, "xml.schema"),
                    source=self.source,
                    record=ordinal,
                    location=Location(
                        line=entry.line or None,
                        column=entry.column or None,
                        xpath=path,
                        field=field,
                    ),
                    keyword=entry.type_name,
                    message=message,
                    detail=message,
                )
            )
        return out
