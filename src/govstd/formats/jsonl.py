"""The JSON Lines reader: one JSON document per line, streamed in batches.

How a source is read:

- **Streaming.** The bytes are read line by line, never the whole file; a batch holds
  ``ReadOptions.batch_size`` records (readable or not).
- **Records.** Every non-blank line is a record. Its ordinal counts the non-blank lines so
  far; its line is the physical line number. Blank lines (nothing but spaces, tabs and line
  ends) are skipped and not counted. Lines may end in LF or CRLF.
- **Long lines.** A line longer than ``ReadOptions.max_line_bytes`` gives
  ``source.line-too-long`` without being parsed: it is read in bounded chunks and counted,
  never held whole. Its record is unreadable (unless the whole line turned out blank).
- **Encoding.** ``ReadOptions.encoding`` if given (any encoding in which a line break is the
  byte ``\\n``: UTF-8, GB18030/GBK, Big5, Latin-1 …), else UTF-8; a UTF-8 byte-order mark on
  line 1 is skipped. A line with bytes that are not valid in that encoding gives one
  ``source.encoding`` finding (line and column of the first bad byte); the line is decoded
  with U+FFFD replacement characters and *still parsed and checked*, as the catalogue says of
  ``source.encoding``.
- **Bad data never raises.** A malformed line gives ``json.syntax`` (record, line, column) and
  its ordinal goes into ``DocumentBatch.unreadable``; the following lines are still read. An
  empty source gives ``source.empty``; an I/O error gives ``source.unreadable`` and ends the
  read. A source that cannot be opened raises :class:`~govstd.exceptions.UsageError`.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any, Literal

from govstd.exceptions import UsageError
from govstd.findings import Location
from govstd.formats.base import DocumentBatch, ReadOptions, Source
from govstd.formats.json import SyntaxProblem, codec_for, parse_document, source_finding

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.findings import Finding

__all__ = ["JsonLinesReader"]

#: chunk size for skipping over a line that is too long
_CHUNK = 1024 * 1024
_BLANK = b" \t\r\n"


def _ascii_compatible(codec: str) -> bool:
    probe = '\n{"a": [1, -2.5e3, true, null]}\r\t '
    try:
        return probe.encode(codec) == probe.encode("ascii")
    except UnicodeError:
        return False


class JsonLinesReader:
    """Reads ``.jsonl``/``.ndjson``/``.jsonlines`` files: one record per non-blank line."""

    name = "jsonl"
    extensions: Sequence[str] = (".jsonl", ".ndjson", ".jsonlines")
    kind: Literal["documents"] = "documents"

    def read(
        self, source: Source, options: ReadOptions, catalogue: Catalogue
    ) -> Iterator[DocumentBatch]:
        codec = codec_for(options) or "utf-8"
        if codec == "utf-8-sig":
            codec = "utf-8"
        if not _ascii_compatible(codec):
            raise UsageError(
                f"JSON Lines cannot be read as {codec}: a line break must be the byte \\n; "
                "convert the file to UTF-8"
            )
        try:
            stream = source.open()
        except OSError as exc:
            raise UsageError(f"cannot open {source.name}: {exc.strerror or exc}") from None
        try:
            yield from _JsonLinesRead(source, options, catalogue, codec).batches(stream)
        finally:
            if source.path is not None:
                stream.close()


class _JsonLinesRead:
    """The state of one read of one source."""

    def __init__(
        self, source: Source, options: ReadOptions, catalogue: Catalogue, codec: str
    ) -> None:
        self.source = source
        self.catalogue = catalogue
        self.codec = codec
        self.limit = max(1, options.max_line_bytes)
        self.batch_size = max(1, options.batch_size)
        self.position = 0

    def finding(self, code: str, **kwargs: Any) -> Finding:
        return source_finding(self.catalogue, code, self.source, **kwargs)

    def batches(self, stream: IO[bytes]) -> Iterator[DocumentBatch]:
        records: list[Any] = []
        ordinals: list[int] = []
        lines: list[int | None] = []
        batch = DocumentBatch(records, ordinals, lines)
        line = ordinal = 0
        limit, codec = self.limit, self.codec
        readline = stream.readline
        while True:
            try:
                raw = readline(limit + 1)
            except OSError as exc:
                detail = exc.strerror or str(exc)
                batch.findings.append(self.finding("source.unreadable", detail=detail))
                break
            if not raw:
                break
            line += 1
            self.position += len(raw)
            over = len(raw) > limit and not raw.endswith(b"\n")
            if line == 1 and raw.startswith(codecs.BOM_UTF8) and codec == "utf-8":
                raw = raw[3:]
            if over:
                length, blank = self.skip_rest(stream, raw)
                if blank:
                    continue
                ordinal += 1
                batch.findings.append(self.too_long(ordinal, line, length))
                batch.unreadable.append(ordinal)
            else:
                if not raw.strip(_BLANK):
                    continue
                ordinal += 1
                if raw.endswith(b"\n"):
                    raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
                try:
                    text = raw.decode(codec)
                except UnicodeDecodeError as exc:
                    text = raw.decode(codec, errors="replace")
                    batch.findings.append(self.undecodable(raw, exc, ordinal, line))
                try:
                    value = parse_document(text)
                except SyntaxProblem as exc:
                    batch.findings.append(self.syntax(exc, ordinal, line))
                    batch.unreadable.append(ordinal)
                else:
                    records.append(value)
                    ordinals.append(ordinal)
                    lines.append(line)
            if len(records) + len(batch.unreadable) >= self.batch_size:
                batch.position = self.position
                yield batch
                records, ordinals, lines = [], [], []
                batch = DocumentBatch(records, ordinals, lines)
        if ordinal == 0:
            batch.findings.append(
                self.finding("source.empty", message=f"{self.source.name} holds no records")
            )
        if records or batch.unreadable or batch.findings:
            batch.position = self.position
            yield batch

    def skip_rest(self, stream: IO[bytes], head: bytes) -> tuple[int, bool]:
        """Read past the rest of an over-long line; its length in bytes and whether it is blank."""
        length = len(head)
        blank = not head.strip(_BLANK)
        while True:
            try:
                chunk = stream.readline(_CHUNK)
            except OSError:
                break
            if not chunk:
                break
            self.position += len(chunk)
            blank = blank and not chunk.strip(_BLANK)
            if chunk.endswith(b"\n"):
                length += len(chunk) - 1
                break
            length += len(chunk)
        return length, blank

    def too_long(self, ordinal: int, line: int, length: int) -> Finding:
        return self.finding(
            "source.line-too-long",
            record=ordinal,
            location=Location(line=line),
            line=line,
            length=length,
            limit=self.limit,
        )

    def undecodable(self, raw: bytes, exc: UnicodeDecodeError, ordinal: int, line: int) -> Finding:
        column = len(raw[: exc.start].decode(self.codec, errors="replace")) + 1
        message = f"bytes not valid {self.codec} at line {line}, column {column}"
        return self.finding(
            "source.encoding",
            record=ordinal,
            location=Location(line=line, column=column),
            message=message,
            encoding=self.codec,
            line=line,
            detail=message,
        )

    def syntax(self, exc: SyntaxProblem, ordinal: int, line: int) -> Finding:
        where = f"line {line}" + (f", column {exc.column}" if exc.column is not None else "")
        return self.finding(
            "json.syntax",
            record=ordinal,
            location=Location(line=line, column=exc.column),
            detail=f"{exc.detail} at {where}",
        )
