"""Record writers: JSON Lines, JSON, CSV and XML, streamed one record at a time.

A :class:`Writer` is registered through ``govstd_writers``; its ``open`` starts writing to a
binary stream and returns a :class:`RecordSink`: ``write(record)`` for each record (a mapping
of field to value, written in the order of ``fields``), then ``close()``, which writes any
trailer (the ``]`` of a JSON array) and flushes, but leaves the stream open for the caller
(the transform pipeline writes to a temporary file it then renames into place).

- **jsonl**: one JSON object per line, UTF-8, ``\\n``; absent fields are left out. Characters
  other tools split lines at (U+2028, U+0085 …) are written as ``\\u`` escapes.
- **json**: one JSON array of objects, one object per line; UTF-8.
- **csv**: a header row of ``fields``, then one row per record. ``WriteOptions`` choose the
  encoding (``gb18030`` writes GBK bytes for every GBK character), the line terminator
  (``\\r\\n`` for spreadsheets) and the delimiter. An absent value is an empty cell; numbers
  are written as Python writes them (``1000.5``); booleans as ``true``/``false``; lists and
  objects as JSON.
- **xml**: a root element holding one element per record, one child element per field, by
  :class:`govstd.formats.xml.XmlWriter` (the encoding is declared in the prolog).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Protocol, runtime_checkable

__all__ = [
    "CsvWriter",
    "JsonLinesWriter",
    "JsonWriter",
    "RecordSink",
    "WriteOptions",
    "Writer",
    "XmlWriter",
    "builtin_writers",
]


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """How to write: text encoding, line terminator, and format-specific settings."""

    encoding: str = "utf-8"
    line_terminator: str = "\n"
    #: CSV: the cell delimiter
    delimiter: str = ","
    #: CSV: write the header row
    header: bool = True
    #: anything else a format needs (XML: ``root`` and ``record`` element names …)
    extra: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class RecordSink(Protocol):
    """An open output: records go in one at a time."""

    def write(self, record: Mapping[str, Any]) -> None: ...

    def close(self) -> None:
        """Write any trailer and flush; the underlying stream stays open."""
        ...


@runtime_checkable
class Writer(Protocol):
    """Writes records in one format. Registered through ``govstd_writers``."""

    #: the value of ``--output-format`` that selects this writer
    name: str
    #: file extensions (lower case, with the dot) this writer is the default for
    extensions: Sequence[str]

    def open(
        self, stream: IO[bytes], fields: Sequence[str], options: WriteOptions
    ) -> RecordSink: ...


def _text(stream: IO[bytes], options: WriteOptions) -> io.TextIOWrapper:
    codecs.lookup(options.encoding)  # LookupError for an unknown encoding, before writing
    return io.TextIOWrapper(
        stream, encoding=options.encoding, newline="", write_through=False, errors="strict"
    )


#: characters some line splitters (Python's ``str.splitlines``, JavaScript) treat as line
#: breaks; written as ``\uXXXX`` escapes so that one record stays one line everywhere
_LINE_BREAKS = re.compile("[\x1c-\x1e\x85\u2028\u2029]")


def _escape_break(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _dumps(value: Any) -> str:
    text: str = _ENCODE(value)
    if not text.isascii():
        text = _LINE_BREAKS.sub(_escape_break, text)
    return text


class _JsonLinesSink:
    def __init__(self, stream: IO[bytes], options: WriteOptions) -> None:
        self.out = _text(stream, options)
        self.end = options.line_terminator
        self.dumps = _dumps

    def write(self, record: Mapping[str, Any]) -> None:
        self.out.write(self.dumps(record) + self.end)

    def close(self) -> None:
        self.out.flush()
        self.out.detach()


class JsonLinesWriter:
    """JSON Lines: one object per line."""

    name = "jsonl"
    extensions: Sequence[str] = (".jsonl", ".ndjson", ".jsonlines")

    def open(self, stream: IO[bytes], fields: Sequence[str], options: WriteOptions) -> RecordSink:
        return _JsonLinesSink(stream, options)


class _JsonSink(_JsonLinesSink):
    def __init__(self, stream: IO[bytes], options: WriteOptions) -> None:
        super().__init__(stream, options)
        self.first = True

    def write(self, record: Mapping[str, Any]) -> None:
        self.out.write(("[" if self.first else ",") + self.end + self.dumps(record))
        self.first = False

    def close(self) -> None:
        self.out.write(("[" if self.first else self.end) + "]" + self.end)
        super().close()


class JsonWriter:
    """A JSON array of objects."""

    name = "json"
    extensions: Sequence[str] = (".json",)

    def open(self, stream: IO[bytes], fields: Sequence[str], options: WriteOptions) -> RecordSink:
        return _JsonSink(stream, options)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


class _CsvSink:
    def __init__(self, stream: IO[bytes], fields: Sequence[str], options: WriteOptions) -> None:
        self.out = _text(stream, options)
        self.fields = tuple(fields)
        self.writer = csv.writer(
            self.out, delimiter=options.delimiter, lineterminator=options.line_terminator
        )
        if options.header:
            self.writer.writerow(self.fields)

    def write(self, record: Mapping[str, Any]) -> None:
        get = record.get
        self.writer.writerow([_cell(get(name)) for name in self.fields])

    def close(self) -> None:
        self.out.flush()
        self.out.detach()


class CsvWriter:
    """Delimited text with a header row."""

    name = "csv"
    extensions: Sequence[str] = (".csv", ".tsv", ".txt")

    def open(self, stream: IO[bytes], fields: Sequence[str], options: WriteOptions) -> RecordSink:
        return _CsvSink(stream, fields, options)


class _XmlSink:
    def __init__(self, stream: IO[bytes], fields: Sequence[str], options: WriteOptions) -> None:
        from govstd.formats.xml import XmlWriter as _XmlDocumentWriter

        extra = options.extra
        self.fields = tuple(fields)
        self.writer = _XmlDocumentWriter(
            stream,
            root=str(extra.get("root", "records")),
            record=str(extra.get("record", "record")),
            encoding=options.encoding,
        )
        self.writer.__enter__()

    def write(self, record: Mapping[str, Any]) -> None:
        get = record.get
        self.writer.write({name: get(name) for name in self.fields if get(name) is not None})

    def close(self) -> None:
        self.writer.__exit__(None, None, None)


class XmlWriter:
    """XML: ``<root><record><field>value</field>…</record>…</root>`` (element names from
    ``WriteOptions.extra``: ``root``, default ``records``, and ``record``, default
    ``record``), through :class:`govstd.formats.xml.XmlWriter`."""

    name = "xml"
    extensions: Sequence[str] = (".xml",)

    def open(self, stream: IO[bytes], fields: Sequence[str], options: WriteOptions) -> RecordSink:
        return _XmlSink(stream, fields, options)


def builtin_writers() -> list[Writer]:
    return [JsonLinesWriter(), JsonWriter(), CsvWriter(), XmlWriter()]
