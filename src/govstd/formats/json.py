"""The JSON reader: one JSON document per record, or a stream of concatenated documents.

How a source is read:

- **Records.** A file holding one JSON document is one record (ordinal 1, on the line it
  starts). A file holding several documents one after another (``{…}\\n{…}``, as some
  publishers split a big package) gives one record per document, each with the line it
  starts on. Whitespace between documents is skipped.
- **Size.** JSON cannot be parsed piecewise, so the source is read whole, up to
  ``ReadOptions.max_line_bytes``; a bigger source gives ``source.line-too-long`` and record 1
  is unreadable. Feeds of many records belong in JSON Lines.
- **Encoding.** JSON is UTF-8 (RFC 8259). ``ReadOptions.encoding`` wins if given; otherwise a
  byte-order mark (UTF-8, UTF-16 or UTF-32) is honoured, and anything else is read as UTF-8.
  Bytes that are not valid in that encoding give one ``source.encoding`` finding, naming the
  encoding the bytes look like (:func:`govstd.formats.encoding.detect_encoding`) and the line
  and column of the first bad byte; the text is decoded with U+FFFD replacement characters
  and still checked, as the catalogue says of ``source.encoding``.
- **Bad data never raises.** Malformed JSON gives ``json.syntax`` with line and column; the
  record it starts is unreadable and reading stops there (a stream cannot be resynchronised
  after a syntax error). ``NaN``/``Infinity``, which Python's json module would accept, are
  malformed JSON too. An empty (or whitespace-only) source gives ``source.empty``. An I/O
  error while reading gives ``source.unreadable``; a source that cannot be opened at all
  raises :class:`~govstd.exceptions.UsageError`, as for every reader.

The helpers :func:`parse_text`, :func:`parse_document` and :func:`codec_for` are shared with the JSON Lines reader.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any, Literal

from govstd.exceptions import UsageError
from govstd.findings import Location
from govstd.formats.base import DocumentBatch, ReadOptions, Source
from govstd.formats.encoding import detect_encoding, normalize_encoding

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.findings import Finding

__all__ = [
    "JsonReader",
    "SyntaxProblem",
    "codec_for",
    "parse_document",
    "parse_text",
    "source_finding",
]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


class SyntaxProblem(Exception):
    """Why a text is not JSON: a message and, when known, where (1-based line and column)."""

    def __init__(self, detail: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.line = line
        self.column = column


def parse_text(text: str, start: int = 0) -> tuple[Any, int]:
    """Parse the JSON value starting at ``start``; return it and the index after it.

    Raises :class:`SyntaxProblem` for malformed JSON (including ``NaN``/``Infinity``, integers
    too long for Python and nesting too deep to parse). Lines and columns count from the start
    of ``text``.
    """
    try:
        return _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise SyntaxProblem(exc.msg, exc.lineno, exc.colno) from None
    except RecursionError:
        raise SyntaxProblem("values nested too deeply to parse") from None
    except ValueError as exc:  # NaN, Infinity, or an integer over Python's digit limit
        raise SyntaxProblem(str(exc)) from None


def parse_document(text: str) -> Any:
    """Parse ``text`` as exactly one JSON value (whitespace around it allowed).

    Raises :class:`SyntaxProblem` as :func:`parse_text` does, and for text after the value.
    """
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise SyntaxProblem(exc.msg, exc.lineno, exc.colno) from None
    except RecursionError:
        raise SyntaxProblem("values nested too deeply to parse") from None
    except ValueError as exc:
        raise SyntaxProblem(str(exc)) from None


def codec_for(options: ReadOptions) -> str | None:
    """The Python codec ``options.encoding`` names (``None`` when not given).

    Raises :class:`~govstd.exceptions.UsageError` for an encoding Python does not know.
    """
    if not options.encoding:
        return None
    try:
        return normalize_encoding(options.encoding)
    except LookupError:
        raise UsageError(f"unknown encoding {options.encoding!r}") from None


def source_finding(catalogue: Catalogue, code: str, source: Source, **kwargs: Any) -> Finding:
    """A finding about ``source``, with the source's name among the message parameters."""
    finding = catalogue.finding(code, source=source.name, **kwargs)
    finding.params.setdefault("source", source.name)
    return finding


def _open(source: Source) -> IO[bytes]:
    try:
        return source.open()
    except OSError as exc:
        raise UsageError(f"cannot open {source.name}: {exc.strerror or exc}") from None


class JsonReader:
    """Reads ``.json`` files: one record per JSON document."""

    name = "json"
    extensions: Sequence[str] = (".json",)
    kind: Literal["documents"] = "documents"

    def read(
        self, source: Source, options: ReadOptions, catalogue: Catalogue
    ) -> Iterator[DocumentBatch]:
        codec = codec_for(options)
        stream = _open(source)
        try:
            yield from _JsonRead(source, options, catalogue, codec).batches(stream)
        finally:
            if source.path is not None:
                stream.close()


class _JsonRead:
    """The state of one read of one source."""

    def __init__(
        self, source: Source, options: ReadOptions, catalogue: Catalogue, codec: str | None
    ) -> None:
        self.source = source
        self.options = options
        self.catalogue = catalogue
        self.codec = codec
        self.limit = max(1, options.max_line_bytes)
        self.batch_size = max(1, options.batch_size)

    def finding(self, code: str, **kwargs: Any) -> Finding:
        return source_finding(self.catalogue, code, self.source, **kwargs)

    def batches(self, stream: IO[bytes]) -> Iterator[DocumentBatch]:
        try:
            data = stream.read(self.limit + 1) or b""
        except OSError as exc:
            detail = exc.strerror or str(exc)
            yield DocumentBatch(
                [], [], [], findings=[self.finding("source.unreadable", detail=detail)]
            )
            return
        if len(data) > self.limit:
            yield self.too_big(len(data))
            return
        text, problem, bad_at = self.decode(data)
        batch = DocumentBatch([], [], [], position=len(data))
        if problem is not None:
            batch.findings.append(problem)
        index, line, ordinal = 0, 1, 0
        while True:
            after = _WHITESPACE.match(text, index).end()  # type: ignore[union-attr]
            line += text.count("\n", index, after)
            index = after
            if index >= len(text):
                break
            ordinal += 1
            try:
                value, end = parse_text(text, index)
            except SyntaxProblem as exc:
                batch.findings.append(self.syntax(exc, ordinal, line))
                batch.unreadable.append(ordinal)
                break
            if problem is not None and index <= bad_at < end:
                problem.record = ordinal
            batch.records.append(value)
            batch.ordinals.append(ordinal)
            batch.lines.append(line)
            line += text.count("\n", index, end)
            index = end
            if len(batch.records) >= self.batch_size:
                yield batch
                batch = DocumentBatch([], [], [], position=len(data))
        if ordinal == 0:
            batch.findings.append(
                self.finding("source.empty", message=f"{self.source.name} holds no records")
            )
        if batch.records or batch.unreadable or batch.findings:
            yield batch

    def too_big(self, size: int) -> DocumentBatch:
        shown = self.source.size() or f"more than {self.limit}"
        message = (
            f"{self.source.name} is {shown} bytes, over the limit of {self.limit} for one "
            "JSON document (use JSON Lines for big feeds)"
        )
        finding = self.finding(
            "source.line-too-long",
            record=1,
            location=Location(line=1),
            message=message,
            line=1,
            length=shown,
            limit=self.limit,
        )
        return DocumentBatch([], [], [], findings=[finding], unreadable=[1], position=size)

    def decode(self, data: bytes) -> tuple[str, Finding | None, int]:
        """The text, the ``source.encoding`` finding if any, and the index of the first bad
        character in the text (-1 when there is none)."""
        codec = self.codec
        if codec is None:
            codec = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            text = data.decode(codec, errors="replace")
            bad_at = len(data[: exc.start].decode(codec, errors="replace"))
            if text.startswith("\ufeff"):
                text, bad_at = text[1:], bad_at - 1
            return text, self.encoding_problem(data, codec, exc), bad_at
        return text.removeprefix("\ufeff"), None, -1

    def encoding_problem(self, data: bytes, codec: str, exc: UnicodeDecodeError) -> Finding:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode(codec, errors="replace")) + 1
        message = f"bytes not valid {codec} at line {line}, column {column}"
        guess = None
        if self.codec is None:
            guess = detect_encoding(data[: 64 * 1024], final=True).encoding
            if guess != codec:
                message += f"; the file looks like {guess} (read it with --encoding {guess})"
            else:
                guess = None
        return self.finding(
            "source.encoding",
            location=Location(line=line, column=column),
            message=message,
            encoding=codec,
            line=line,
            detected=guess,
            detail=message,
        )

    def syntax(self, exc: SyntaxProblem, ordinal: int, start_line: int) -> Finding:
        line = exc.line if exc.line is not None else start_line
        where = f"line {line}" + (f", column {exc.column}" if exc.column is not None else "")
        return self.finding(
            "json.syntax",
            record=ordinal,
            location=Location(line=line, column=exc.column),
            detail=f"{exc.detail} at {where}",
        )
