"""The one place that builds lxml parsers: hardened against hostile XML.

Every XML document govstd reads (data, XSD, Schematron) goes through a parser made here.
Defences, in order:

1. **Prolog scan before libxml2 sees anything** (:func:`scan_prolog`). The bytes before the
   root element are read by govstd itself. A ``<!DOCTYPE`` that declares entities is refused:
   an external entity (``SYSTEM``/``PUBLIC``, e.g. ``file:///etc/passwd`` or ``http://…``)
   gives ``xml.external-entity``, any other entity declaration (billion laughs, quadratic
   blowup, parameter entities) gives ``xml.forbidden-dtd``. The document is then not parsed
   at all. A DOCTYPE that declares no entity is tolerated but never loaded or applied
   (``xml.dtd-ignored``), unless :attr:`XmlLimits.allow_doctype` is false.
2. **libxml2 options** (:func:`parser_options`): no DTD loading, no DTD validation, no
   attribute defaults from a DTD, no entity substitution, no network, no ``xml:id`` table;
   a resolver that refuses every external resource. Even if a DTD slipped past step 1,
   nothing would be fetched or expanded.
3. **Explicit limits** (:class:`XmlLimits`): element depth and the length of one text node or
   attribute value. Up to libxml2's own caps (depth 256, 10,000,000 bytes) they cost nothing:
   libxml2 enforces them while parsing. Tighter limits are checked per record with one
   XPath evaluated in C (:func:`limit_violation`); looser ones switch libxml2 to
   ``huge_tree`` and are checked the same way.

XInclude is never processed (govstd never calls ``xinclude()``); readers report
``xi:include`` elements as ``xml.xinclude``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml import etree

__all__ = [
    "LIBXML2_MAX_DEPTH",
    "LIBXML2_MAX_TEXT",
    "XINCLUDE_NS",
    "PrologVerdict",
    "XmlLimits",
    "limit_violation",
    "make_iterparse",
    "make_parser",
    "make_pull_parser",
    "parse_bytes",
    "parse_file",
    "parser_options",
    "scan_prolog",
    "syntax_code",
]

#: libxml2's built-in caps without XML_PARSE_HUGE
LIBXML2_MAX_DEPTH = 256
LIBXML2_MAX_TEXT = 10_000_000
XINCLUDE_NS = "http://www.w3.org/2001/XInclude"


@dataclass(frozen=True, slots=True)
class XmlLimits:
    """Parsing limits. Every XML reader and schema loader takes one of these."""

    #: deepest element nesting allowed (the document element is depth 1)
    max_depth: int = LIBXML2_MAX_DEPTH
    #: longest text node or attribute value, in characters
    max_text_length: int = LIBXML2_MAX_TEXT
    #: longest prolog (everything before the root element), in bytes
    max_prolog_bytes: int = 1024 * 1024
    #: tolerate a DOCTYPE that declares no entities (it is never loaded either way)
    allow_doctype: bool = True

    @property
    def huge(self) -> bool:
        """Whether libxml2 must lift its own caps so that ours apply."""
        return self.max_depth > LIBXML2_MAX_DEPTH or self.max_text_length > LIBXML2_MAX_TEXT

    @property
    def checked_by_govstd(self) -> bool:
        """Whether the limits differ from libxml2's caps, so govstd checks them itself."""
        return self.max_depth != LIBXML2_MAX_DEPTH or self.max_text_length != LIBXML2_MAX_TEXT


DEFAULT_LIMITS = XmlLimits()


def parser_options(limits: XmlLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Keyword arguments for ``XMLParser``/``XMLPullParser``: the hardened settings."""
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "attribute_defaults": False,
        "huge_tree": limits.huge,
        "collect_ids": False,
        "remove_comments": False,
        "recover": False,
    }


def _deny_resolver_class() -> type:
    from lxml import etree

    class DenyResolver(etree.Resolver):
        """Refuses every external resource (DTD, entity, include) a parser asks for."""

        def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
            return self.resolve_string("", context)

    return DenyResolver


def make_parser(limits: XmlLimits = DEFAULT_LIMITS, **extra: Any) -> etree.XMLParser:
    """A hardened parser for whole documents."""
    from lxml import etree

    parser = etree.XMLParser(**{**parser_options(limits), **extra})
    parser.resolvers.add(_deny_resolver_class()())
    return parser


def make_pull_parser(
    limits: XmlLimits = DEFAULT_LIMITS,
    *,
    events: tuple[str, ...] = ("end",),
    tag: Any = None,
    encoding: str | None = None,
) -> etree.XMLPullParser:
    """A hardened incremental parser (``feed`` bytes, ``read_events``)."""
    from lxml import etree

    options = parser_options(limits)
    if encoding:
        options["encoding"] = encoding
    parser = etree.XMLPullParser(events=events, tag=tag, **options)
    parser.resolvers.add(_deny_resolver_class()())
    return parser


def make_iterparse(
    source: Any,
    limits: XmlLimits = DEFAULT_LIMITS,
    *,
    events: tuple[str, ...] = ("end",),
    tag: Any = None,
    encoding: str | None = None,
) -> etree.iterparse:
    """A hardened ``iterparse`` over ``source`` (a path or an object with ``read``)."""
    from lxml import etree

    options = parser_options(limits)
    if encoding:
        options["encoding"] = encoding
    context = etree.iterparse(source, events=events, tag=tag, **options)
    context.resolvers.add(_deny_resolver_class()())
    return context


# -- the prolog ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrologVerdict:
    """What :func:`scan_prolog` found before the root element."""

    #: ``None`` (fine), ``xml.external-entity``, ``xml.forbidden-dtd`` or ``xml.dtd-ignored``
    code: str | None = None
    detail: str = ""
    #: 1-based line of the DOCTYPE, if any
    line: int | None = None
    #: whether the whole prolog was seen (False: keep feeding bytes)
    complete: bool = True


_ENTITY = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s>]+)\s+(SYSTEM|PUBLIC)?", re.I)
_SYSTEM_URL = re.compile(
    rb"(?:SYSTEM|PUBLIC\s+(?:\"[^\"]*\"|'[^']*'))\s*(\"[^\"]*\"|'[^']*')", re.I
)
_ROOT_START = re.compile(rb"<[^?!]")


def _ascii_view(head: bytes) -> bytes:
    """The prolog as ASCII-compatible bytes (UTF-16/32 are transcoded)."""
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="replace").encode("utf-8", "replace")
    if head.startswith(b"<\x00?\x00"):
        return head.decode("utf-16-le", errors="replace").encode("utf-8", "replace")
    if head.startswith(b"\x00<\x00?"):
        return head.decode("utf-16-be", errors="replace").encode("utf-8", "replace")
    return head


def _skip_markup(text: bytes, pos: int) -> int | None:
    """The end of a comment, PI or DOCTYPE starting at ``pos`` (None: not in ``text`` yet)."""
    if text.startswith(b"<!--", pos):
        end = text.find(b"-->", pos + 4)
        return None if end < 0 else end + 3
    if text.startswith(b"<?", pos):
        end = text.find(b"?>", pos + 2)
        return None if end < 0 else end + 2
    return pos + 1


def _doctype_end(text: bytes, pos: int) -> int | None:
    """Where a DOCTYPE starting at ``pos`` ends, honouring quotes and the internal subset."""
    depth = 0
    quote = 0
    i = pos + 9
    n = len(text)
    while i < n:
        c = text[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):
            quote = c
        elif text.startswith(b"<!--", i):
            end = text.find(b"-->", i + 4)
            if end < 0:
                return None
            i = end + 3
            continue
        elif c == 0x5B:  # [
            depth += 1
        elif c == 0x5D:  # ]
            depth -= 1
        elif c == 0x3E and depth <= 0:  # >
            return i + 1
        i += 1
    return None


def scan_prolog(
    head: bytes, limits: XmlLimits = DEFAULT_LIMITS, *, final: bool = False
) -> PrologVerdict:
    """Judge the prolog in ``head`` (the first bytes of a document).

    Returns ``complete=False`` when ``head`` ends before the root element starts and is
    shorter than ``limits.max_prolog_bytes`` (unless ``final``): feed more bytes.
    """
    text = _ascii_view(head)
    pos = 0
    n = len(text)
    while pos < n:
        lt = text.find(b"<", pos)
        if lt < 0:
            break
        if text.startswith(b"<!DOCTYPE", lt) or text.startswith(b"<!doctype", lt):
            end = _doctype_end(text, lt)
            line = text.count(b"\n", 0, lt) + 1
            if end is None:
                if not final and n < limits.max_prolog_bytes:
                    return PrologVerdict(complete=False)
                return PrologVerdict(
                    "xml.forbidden-dtd",
                    f"a DOCTYPE longer than {limits.max_prolog_bytes} bytes (or never closed)",
                    line,
                )
            return _judge_doctype(text[lt:end], line, limits)
        if text.startswith(b"<!--", lt) or text.startswith(b"<?", lt):
            end = _skip_markup(text, lt)
            if end is None:
                break
            pos = end
            continue
        return PrologVerdict()  # the root element starts here: no DOCTYPE
    if not final and n < limits.max_prolog_bytes:
        return PrologVerdict(complete=False)
    return PrologVerdict()


def _judge_doctype(doctype: bytes, line: int, limits: XmlLimits) -> PrologVerdict:
    entities = list(_ENTITY.finditer(doctype))
    external = [m for m in entities if m.group(3)]
    if external:
        name = external[0].group(2).decode("utf-8", "replace")
        url = _SYSTEM_URL.search(doctype, external[0].start())
        target = url.group(1).decode("utf-8", "replace").strip("\"'") if url else "?"
        kind = "parameter entity" if external[0].group(1) else "entity"
        return PrologVerdict(
            "xml.external-entity",
            f"the DOCTYPE declares the external {kind} {name!r} pointing at {target!r}",
            line,
        )
    if entities:
        names = ", ".join(m.group(2).decode("utf-8", "replace") for m in entities[:5])
        more = f" and {len(entities) - 5} more" if len(entities) > 5 else ""
        return PrologVerdict(
            "xml.forbidden-dtd",
            f"the DOCTYPE declares {len(entities)} entities ({names}{more})",
            line,
        )
    if b"%" in doctype:
        return PrologVerdict("xml.forbidden-dtd", "the DOCTYPE uses parameter entities", line)
    if not limits.allow_doctype:
        return PrologVerdict("xml.forbidden-dtd", "the document has a DOCTYPE", line)
    return PrologVerdict("xml.dtd-ignored", "the DOCTYPE is not loaded nor applied", line)


# -- parsing whole documents (schemas, small files) ------------------------------------------


class HostileDocument(ValueError):
    """A document refused by :func:`scan_prolog` (carries the verdict)."""

    def __init__(self, verdict: PrologVerdict) -> None:
        super().__init__(verdict.detail)
        self.verdict = verdict


def parse_bytes(
    data: bytes,
    limits: XmlLimits = DEFAULT_LIMITS,
    *,
    base_url: str | None = None,
    parser: Any = None,
) -> etree._ElementTree:
    """Parse a whole document safely; raises :class:`HostileDocument` or ``XMLSyntaxError``."""
    from lxml import etree

    verdict = scan_prolog(data[: limits.max_prolog_bytes], limits, final=True)
    if verdict.code in ("xml.external-entity", "xml.forbidden-dtd"):
        raise HostileDocument(verdict)
    parser = parser or make_parser(limits)
    return etree.ElementTree(etree.fromstring(data, parser, base_url=base_url))


def parse_file(
    path: Path, limits: XmlLimits = DEFAULT_LIMITS, *, parser: Any = None
) -> etree._ElementTree:
    """Parse a local file safely (its URL is kept, so relative includes resolve)."""
    return parse_bytes(path.read_bytes(), limits, base_url=path.resolve().as_uri(), parser=parser)


# -- limits checked by govstd ----------------------------------------------------------------


def limit_violation(
    element: etree._Element, limits: XmlLimits, depth: int
) -> tuple[str, str] | None:
    """Check ``element`` (at nesting ``depth``, 1 for the root) against ``limits``.

    Returns ``(code, detail)`` for the first violation, else None. Runs two XPath
    expressions in C; only called when :attr:`XmlLimits.checked_by_govstd`.
    """
    if depth > limits.max_depth or element.xpath(
        f"boolean(descendant::*[count(ancestor::*) >= {int(limits.max_depth)}])"
    ):
        return ("xml.too-deep", f"elements nested deeper than {limits.max_depth} levels")
    n = limits.max_text_length
    probe = (
        f"boolean(descendant-or-self::text()[string-length(.) > {n}] "
        f"| descendant-or-self::*/@*[string-length(.) > {n}])"
    )
    if element.xpath(probe):
        return ("xml.too-long", f"a text node or attribute value longer than {n} characters")
    return None


def syntax_code(message: str) -> str:
    """The finding code for a libxml2 parse error message."""
    lowered = message.lower()
    if "excessive depth" in lowered:
        return "xml.too-deep"
    if "resource limit" in lowered or "huge text" in lowered or "buffer size limit" in lowered:
        return "xml.too-long"
    return "xml.syntax"
