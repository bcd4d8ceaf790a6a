"""XML: a streaming reader (records from a repeated element) and a writer for adapters.

How a source is read (:class:`XmlReader`, reader kind ``"xml"``):

- **Safe parsing.** Every parser comes from :mod:`govstd.xmlsafety`: the prolog is judged by
  govstd before libxml2 sees it (entity declarations are refused, nothing is expanded or
  fetched), and depth/text limits are explicit (:class:`~govstd.xmlsafety.XmlLimits`).
- **Records.** With a record element (``--record-element NAME``, or the standard's
  ``[x.xml] record_element``) the document is streamed: every outermost element of that
  name is one record, handed over as an lxml element in an :class:`XmlBatch` (with its
  ordinal, line and absolute XPath such as ``/iati-activities/iati-activity[3]``). After a
  batch was checked its records are cleared and removed, so memory stays flat however big
  the file is. One placeholder (the first record of each parent, emptied) stays in the
  tree, and the rest of the tree (the *envelope*: root, attributes, what sits around the
  records) is handed over with the last batch (``XmlBatch.envelope``) for the schema checks
  that concern it. NAME is a local name (any namespace) or ``{namespace}local``.
- **Whole documents.** Without a record element the document is one record: the tree is
  built whole (about 11× the file in memory; use a record element for big files).
- **Batches** hold at most ``ReadOptions.batch_size`` records and about 256 KiB of XML
  (records are validated while their tree is still in the CPU cache).
- **Encoding** from the prolog (UTF-8, UTF-16, GB18030, GBK …), or ``ReadOptions.encoding``.
- **Bad data never raises.** Malformed XML gives ``xml.syntax`` (line, column) and ends the
  read: records before it were read and checked; the one being read and every later record
  (counted by a byte scan for its start tag) are ``unreadable``, so nothing is silently
  lost. A refused document (``xml.forbidden-dtd``, ``xml.external-entity``) is not parsed
  and all its records are unreadable. ``xi:include`` is never processed (``xml.xinclude``).

:class:`XmlWriter` writes records (mappings) as repeated elements under a root, streaming,
in UTF-8, GB18030 or GBK; :func:`element_fields` turns a record element into a mapping (child
elements as fields) for adapters.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Literal

from govstd.exceptions import UsageError
from govstd.findings import Location
from govstd.formats.base import DocumentBatch, ReadOptions, Source
from govstd.xmlsafety import (
    DEFAULT_LIMITS,
    XINCLUDE_NS,
    XmlLimits,
    limit_violation,
    make_iterparse,
    make_pull_parser,
    scan_prolog,
    syntax_code,
)

if TYPE_CHECKING:
    from lxml import etree

    from govstd.catalogue import Catalogue
    from govstd.findings import Finding

__all__ = ["XmlBatch", "XmlReader", "XmlWriter", "element_fields", "record_tag_filter"]

_CHUNK = 256 * 1024
_BATCH_BYTES = 256 * 1024  # small: validating a record while its tree is cache-hot is ~1.5x faster
_XINCLUDE = f"{{{XINCLUDE_NS}}}include"
_POSITION_SUFFIX = re.compile(r",? line \d+, column \d+\s*$")


@dataclass(slots=True)
class XmlBatch(DocumentBatch):
    """A :class:`DocumentBatch` whose records are lxml elements."""

    #: absolute XPath of each record (``/iati-activities/iati-activity[3]``)
    paths: list[str] = field(default_factory=list)
    #: the record element's tag filter (``{*}name``), or None when each record is a document
    record_tag: str | None = None
    #: on the last batch of a streamed document: the document element with the records
    #: removed (a placeholder, emptied, is left for the first record under each parent)
    envelope: Any = None
    #: the document's encoding, from its prolog
    encoding: str | None = None
    #: the source's name
    source: str = ""


def record_tag_filter(name: str) -> str:
    """The lxml tag filter for a record element name (local name matches any namespace)."""
    name = name.strip()
    if not name:
        raise UsageError("the record element name is empty")
    if name.startswith("{"):
        return name
    if ":" in name:  # a prefix cannot be known before parsing: match the local name
        name = name.split(":", 1)[1]
    return "{*}" + name


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _step(element: etree._Element) -> str:
    """The XPath step naming ``element`` as libxml2 writes it."""
    local = _local(element.tag)
    if element.prefix:
        return f"{element.prefix}:{local}"
    if "}" in element.tag:
        return f"*[local-name()='{local}']"
    return local


class XmlReader:
    """Reads ``.xml`` files: records from a repeated element, or whole documents."""

    name = "xml"
    extensions: Sequence[str] = (".xml",)
    kind: Literal["xml"] = "xml"

    def __init__(self, record_element: str | None = None, limits: XmlLimits | None = None) -> None:
        self.record_element = record_element
        self.limits = limits or DEFAULT_LIMITS

    def configured(
        self, *, record_element: str | None = None, limits: XmlLimits | None = None
    ) -> XmlReader:
        """A reader like this one with another record element and/or limits."""
        return XmlReader(record_element or self.record_element, limits or self.limits)

    def read(
        self, source: Source, options: ReadOptions, catalogue: Catalogue
    ) -> Iterator[XmlBatch]:
        try:
            stream = source.open()
        except OSError as exc:
            raise UsageError(f"cannot open {source.name}: {exc.strerror or exc}") from None
        try:
            yield from _XmlRead(self, source, options, catalogue).batches(stream)
        finally:
            if source.path is not None:
                stream.close()


class _Walk:
    """Where the records of a streamed document sit, and which ones to free."""

    def __init__(self) -> None:
        self.parent: Any = None
        self.parent_path = ""
        self.depth = 0
        self.index = 0
        self.placeholders: set[Any] = set()
        self.done: list[Any] = []  # records handed out, to free once checked

    def locate(self, element: Any) -> tuple[str, int]:
        """The absolute XPath and the depth (root = 1) of a record element."""
        up = element.getparent()
        if up is not self.parent or not self.placeholders:
            self.parent = up
            self.parent_path = element.getroottree().getpath(up) if up is not None else ""
            self.depth = sum(1 for _ in element.iterancestors()) + 1
            self.index = 0
            self.placeholders.add(element)
        self.index += 1
        return f"{self.parent_path}/{_step(element)}[{self.index}]", self.depth

    def release(self) -> None:
        """Free the records of a checked batch (keeping one emptied placeholder per parent)."""
        for element in self.done:
            element.clear(keep_tail=False)
            if element in self.placeholders:
                continue
            up = element.getparent()
            if up is not None:
                up.remove(element)
        self.done.clear()


class _Feed:
    """A file-like object for ``iterparse``: the prolog already read, then the stream.

    It keeps the read's position and the last chunk handed out (for counting the records
    after a syntax error)."""

    def __init__(self, read: _XmlRead, head: bytes, stream: IO[bytes]) -> None:
        self.owner = read
        self.head = head
        self.stream = stream

    def read(self, size: int = -1) -> bytes:
        owner = self.owner
        if self.head:
            data, self.head = self.head, b""
        else:
            data = self.stream.read(size if size and size > 0 else _CHUNK)
            owner.position += len(data)
        owner.tail = data
        owner.chunk_starts = 0
        return data


class _XmlRead:
    """The state of one read of one source."""

    def __init__(
        self, reader: XmlReader, source: Source, options: ReadOptions, catalogue: Catalogue
    ) -> None:
        self.source = source
        self.catalogue = catalogue
        self.limits = reader.limits
        self.encoding = options.encoding
        self.batch_size = max(1, options.batch_size)
        self.tag = record_tag_filter(reader.record_element) if reader.record_element else None
        self.position = 0
        self.ordinal = 0
        self.nesting = 0
        self.tail = b""  # the last chunk fed, for the start-tag count after an error
        self.chunk_starts = 0  # record start tags the parser reported from that chunk
        self.batch = self.new_batch()
        self.bytes_at_batch = 0

    # -- findings ----------------------------------------------------------------------------

    def finding(self, code: str, **kwargs: Any) -> Finding:
        finding = self.catalogue.finding(code, source=self.source.name, **kwargs)
        finding.params.setdefault("source", self.source.name)
        return finding

    def new_batch(self) -> XmlBatch:
        return XmlBatch([], [], [], record_tag=self.tag, source=self.source.name)

    # -- reading -----------------------------------------------------------------------------

    def read_chunk(self, stream: IO[bytes], batch: XmlBatch) -> bytes | None:
        try:
            chunk = stream.read(_CHUNK)
        except OSError as exc:
            detail = exc.strerror or str(exc)
            batch.findings.append(self.finding("source.unreadable", detail=detail))
            return None
        self.position += len(chunk)
        return chunk

    def batches(self, stream: IO[bytes]) -> Iterator[XmlBatch]:
        batch = self.new_batch()
        # 1. the prolog, judged before libxml2 sees a byte of it
        head = b""
        while True:
            chunk = self.read_chunk(stream, batch)
            if chunk is None:
                yield batch
                return
            head += chunk
            verdict = scan_prolog(head, self.limits, final=not chunk)
            if verdict.complete or not chunk:
                break
        if not head.strip():
            batch.findings.append(
                self.finding("source.empty", message=f"{self.source.name} holds no records")
            )
            yield batch
            return
        if verdict.code is not None:
            finding = self.finding(
                verdict.code,
                location=Location(line=verdict.line),
                detail=verdict.detail,
                line=verdict.line,
            )
            batch.findings.append(finding)
            if verdict.code != "xml.dtd-ignored":
                self.give_up(batch, stream, head, in_progress=False)
                batch.position = self.position
                yield batch
                return
        # 2. the body, streamed
        self.declared = _declared_encoding(head, self.encoding)
        batch.encoding = self.declared
        if self.tag is None:
            yield from self.whole_document(stream, head, batch)
        else:
            yield from self.records(stream, head, batch)

    def feed_all(self, parser: Any, stream: IO[bytes], head: bytes) -> Iterator[bytes | None]:
        """Feed ``head`` then the rest of ``stream``; yield after each chunk (None at the end)."""
        chunk: bytes | None = head
        while chunk:
            self.tail = chunk
            self.chunk_starts = 0
            parser.feed(chunk)
            yield chunk
            chunk = stream.read(_CHUNK)
            self.position += len(chunk)
        yield None

    def whole_document(self, stream: IO[bytes], head: bytes, batch: XmlBatch) -> Iterator[XmlBatch]:
        from lxml import etree

        parser = make_pull_parser(
            self.limits, events=("end",), tag=_XINCLUDE, encoding=self.encoding
        )
        includes: list[etree._Element] = []
        try:
            for _chunk in self.feed_all(parser, stream, head):
                includes.extend(el for _event, el in parser.read_events())
            root = parser.close()
        except etree.XMLSyntaxError as exc:
            batch.findings.append(self.syntax(exc, record=1))
            batch.unreadable.append(1)
            batch.position = self.position
            yield batch
            return
        except OSError as exc:
            batch.findings.append(
                self.finding("source.unreadable", detail=exc.strerror or str(exc))
            )
            batch.unreadable.append(1)
            yield batch
            return
        self.ordinal = 1
        tree = root.getroottree()
        batch.encoding = tree.docinfo.encoding
        for element in includes:
            batch.findings.append(self.xinclude(element, 1, tree.getpath(element)))
        if self.limits.checked_by_govstd:
            self.check_limits(batch, root, 1, 1, tree.getpath(root))
        if 1 not in batch.unreadable:
            batch.records.append(root)
            batch.ordinals.append(1)
            batch.lines.append(root.sourceline)
            batch.paths.append(tree.getpath(root))
        batch.position = self.position
        yield batch

    def records(self, stream: IO[bytes], head: bytes, batch: XmlBatch) -> Iterator[XmlBatch]:
        from lxml import etree

        assert self.tag is not None
        events = make_iterparse(
            _Feed(self, head, stream),
            self.limits,
            events=("start", "end"),
            tag=[self.tag, _XINCLUDE],
            encoding=self.encoding,
        )
        state = _Walk()
        self.batch = batch
        self.bytes_at_batch = 0
        try:
            yield from self.drain(events, state)
            root = events.root
        except etree.XMLSyntaxError as exc:
            batch = self.batch
            in_progress = self.nesting > 0
            batch.findings.append(
                self.syntax(exc, record=self.ordinal + 1 if in_progress else None)
            )
            self.give_up(batch, stream, self.tail, in_progress=in_progress)
            batch.position = self.position
            yield batch
            state.release()
            return
        except OSError as exc:
            self.batch.findings.append(
                self.finding("source.unreadable", detail=exc.strerror or str(exc))
            )
            yield self.batch
            return
        batch = self.batch
        if self.ordinal == 0:
            batch.findings.append(
                self.finding(
                    "source.empty",
                    message=f"{self.source.name} holds no <{_local(self.tag)}> record",
                )
            )
        batch.envelope = root
        batch.position = self.position
        yield batch
        state.release()

    def drain(self, events: Iterable[Any], state: _Walk) -> Iterator[XmlBatch]:
        """Turn parse events into records; yield each batch that is full."""
        check_limits = self.limits.checked_by_govstd
        for event, element in events:
            batch = self.batch
            if element.tag == _XINCLUDE:
                if event == "end":
                    ordinal = self.ordinal + 1 if self.nesting else None
                    path = element.getroottree().getpath(element)
                    batch.findings.append(self.xinclude(element, ordinal, path))
                continue
            if event == "start":
                self.nesting += 1
                self.chunk_starts += 1
                continue
            self.nesting -= 1
            if self.nesting:
                continue  # a record element nested in a record is part of it
            self.ordinal += 1
            path, depth = state.locate(element)
            batch.encoding = self.declared
            state.done.append(element)
            if not (check_limits and self.check_limits(batch, element, self.ordinal, depth, path)):
                batch.records.append(element)
                batch.ordinals.append(self.ordinal)
                batch.lines.append(element.sourceline)
                batch.paths.append(path)
            count = len(batch.records) + len(batch.unreadable)
            if count >= self.batch_size or (
                count > 1 and self.position - self.bytes_at_batch >= _BATCH_BYTES
            ):
                batch.position = self.position
                yield batch
                self.bytes_at_batch = self.position
                state.release()
                self.batch = self.new_batch()

    # -- problems ----------------------------------------------------------------------------

    def check_limits(
        self, batch: XmlBatch, element: Any, ordinal: int, depth: int, path: str
    ) -> bool:
        problem = limit_violation(element, self.limits, depth)
        if problem is None:
            return False
        code, detail = problem
        batch.findings.append(
            self.finding(
                code,
                record=ordinal,
                location=Location(line=element.sourceline, xpath=path),
                detail=detail,
                line=element.sourceline,
            )
        )
        batch.unreadable.append(ordinal)
        return True

    def xinclude(self, element: Any, ordinal: int | None, path: str) -> Finding:
        href = element.get("href", "")
        return self.finding(
            "xml.xinclude",
            record=ordinal,
            location=Location(line=element.sourceline, xpath=path),
            detail=f"xi:include of {href!r} was not processed",
            href=href,
            line=element.sourceline,
        )

    def syntax(self, exc: Any, record: int | None) -> Finding:
        entry = exc.error_log.last_error if getattr(exc, "error_log", None) else None
        message = entry.message if entry is not None else _POSITION_SUFFIX.sub("", str(exc))
        line, column = exc.position if exc.position else (None, None)
        if entry is not None and entry.line:
            line, column = entry.line, entry.column or column
        where = f" at line {line}, column {column}" if line else ""
        detail = f"{message.strip()}{where}"
        return self.finding(
            syntax_code(message),
            record=record,
            location=Location(line=line or None, column=column or None),
            detail=detail,
            line=line,
        )

    def give_up(
        self, batch: XmlBatch, stream: IO[bytes], tail: bytes, *, in_progress: bool
    ) -> None:
        """Mark the record being read and every later one unreadable.

        Later records are counted by their start tags (``<NAME`` or ``<p:NAME``): those in the
        last chunk fed to the parser that it did not reach, and all in the rest of the stream.
        """
        if self.tag is None:
            batch.unreadable.append(1)
            return
        local = _local(self.tag)
        unseen = max(0, _count_starts(local, tail, io.BytesIO()) - self.chunk_starts)
        later = unseen + _count_starts(local, b"", stream)
        last = self.ordinal + int(in_progress) + later
        batch.unreadable.extend(range(self.ordinal + 1, last + 1))
        self.ordinal = last


_DECLARATION = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _declared_encoding(head: bytes, override: str | None) -> str:
    """The encoding a document is read in: the override, the BOM, the prolog, else UTF-8."""
    if override:
        return override
    if head.startswith(b"\xef\xbb\xbf"):
        return "UTF-8"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16"
    match = _DECLARATION.match(head.lstrip()[:200])
    return match.group(1).decode("ascii").upper() if match else "UTF-8"


def _count_starts(local: str, head: bytes, stream: IO[bytes]) -> int:
    """Count start tags ``<local`` / ``<p:local`` in ``head`` and the rest of ``stream``."""
    pattern = re.compile(rb"<(?:[\w.-]+:)?" + re.escape(local.encode("utf-8")) + rb"[\s/>]")
    count = 0
    carry = head
    while True:
        try:
            chunk = stream.read(_CHUNK)
        except OSError:
            chunk = b""
        data = carry + chunk
        keep = 0 if not chunk else min(len(data), len(local) + 64)
        scan = data[: len(data) - keep] if keep else data
        count += len(pattern.findall(scan))
        carry = data[len(data) - keep :] if keep else b""
        if not chunk:
            return count


# -- adapters: element ⇄ fields --------------------------------------------------------------


def element_fields(element: etree._Element) -> dict[str, Any]:
    """A record element as a mapping: child elements become fields.

    Attributes are ``@name``; a leaf child gives its text (``None`` when empty); a child with
    children or attributes gives a nested mapping (its own text under ``#text``); a repeated
    child gives a list. Names are local names (namespaces dropped).
    """
    out: dict[str, Any] = {f"@{_local(k)}": v for k, v in element.attrib.items()}
    children: dict[str, list[Any]] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        value = element_fields(child) if len(child) or child.attrib else child.text
        children.setdefault(_local(child.tag), []).append(value)
    for name, values in children.items():
        out[name] = values[0] if len(values) == 1 else values
    text = (element.text or "").strip()
    if text and (len(element) or element.attrib):
        out["#text"] = element.text
    return out


def _build(tag: str, value: Any) -> etree._Element:
    from lxml import etree

    element = etree.Element(tag)
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key.startswith("@"):
                if item is not None:
                    element.set(key[1:], _text(item))
            elif key == "#text":
                element.text = _text(item)
            else:
                _append(element, key, item)
    elif value is not None:
        element.text = _text(value)
    return element


def _append(parent: etree._Element, key: str, value: Any) -> None:
    if isinstance(value, list | tuple):
        for item in value:
            _append(parent, key, item)
    elif value is not None:
        parent.append(_build(key, value))


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


class XmlWriter:
    """Writes records as ``<root><record>…</record>…</root>``, streaming.

    ``encoding`` is any encoding libxml2 knows (``utf-8``, ``gb18030``, ``gbk`` …); it is
    declared in the prolog. Each record is a mapping: keys become child elements (lists
    repeat them, mappings nest, ``None`` is left out), ``@name`` keys attributes, ``#text``
    the element's own text. Use as a context manager::

        with XmlWriter(out, root="QYLIST", record="QY", encoding="gb18030") as writer:
            for record in records:
                writer.write(record)
    """

    def __init__(
        self,
        stream: IO[bytes],
        *,
        root: str,
        record: str,
        encoding: str = "utf-8",
        root_attributes: Mapping[str, str] | None = None,
    ) -> None:
        self.stream = stream
        self.root = root
        self.record = record
        self.encoding = encoding
        self.root_attributes = dict(root_attributes or {})
        self.count = 0
        self._file: Any = None
        self._root_cm: Any = None

    def __enter__(self) -> XmlWriter:
        from lxml import etree

        self._file = etree.xmlfile(self.stream, encoding=self.encoding.upper())
        writer = self._file.__enter__()
        writer.write_declaration()
        self._root_cm = writer.element(self.root, self.root_attributes)
        self._root_cm.__enter__()
        self._writer = writer
        return self

    def write(self, record: Mapping[str, Any]) -> None:
        self._writer.write("\n")
        self._writer.write(_build(self.record, record))
        self.count += 1

    def __exit__(self, *exc: Any) -> None:
        if self._root_cm is not None:
            if self.count:
                self._writer.write("\n")
            self._root_cm.__exit__(*exc)
        if self._file is not None:
            self._file.__exit__(*exc)
