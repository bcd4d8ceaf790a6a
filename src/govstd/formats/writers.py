"""Record writers: JSON Lines, JSON, CSV and XML, streamed one record at a time.

A :class:`Writer` is registered through ``govstd_writers``; its ``open`` starts writing to a
binary stream and returns a :class:`RecordSink`: ``write(record)`` for each record (a mapping
of field to value, written in the order of ``fields``), then ``close()``, which writes any
trailer (the ``]`` of a JSON array) and flushes, but leaves the stream open for the caller
(the transform pipeline writes to a temporary file it then renames into place). A sink may
also have ``write_many(records)``: the same bytes as ``write`` for each record in turn, in
one block (the built-in sinks do; :func:`write_records` uses it when it is there).

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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
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
    "write_records",
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


def _encoder() -> Callable[[Any], str]:
    """``json.JSONEncoder(ensure_ascii=False).encode`` without building the C encoder anew
    for every value (the same text; ``_dumps`` where the C encoder is missing). One per
    sink: its table of containers being encoded (circular references) is its own."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has the C encoder
        return _ENCODE
    reference = json.JSONEncoder(ensure_ascii=False)
    markers: dict[int, Any] = {}
    iterencode = make(
        markers,
        reference.default,
        json.encoder.encode_basestring,
        None,
        reference.key_separator,
        reference.item_separator,
        reference.sort_keys,
        reference.skipkeys,
        reference.allow_nan,
    )
    join = "".join

    def encode(value: Any) -> str:
        if isinstance(value, str):  # what JSONEncoder.encode does for a bare string
            return _ENCODE(value)
        try:
            return join(iterencode(value, 0))
        except BaseException:
            markers.clear()  # a failed value leaves its containers behind
            raise

    return encode


#: value types whose orjson text is json's (ints: as long as orjson takes them at all)
_PLAIN = frozenset({str, int, bool, type(None)})
#: UTF-8 of the characters ``_LINE_BREAKS`` escapes that JSON text does not escape itself
#: (U+0085, U+2028, U+2029; U+001C-U+001E are escaped by JSON)
_RAW_BREAKS = re.compile(b"\xc2\x85|\xe2\x80[\xa8\xa9]")


def _flat_block(dumps: Callable[[Any], bytes], records: list[Any], end: bytes) -> bytes | None:
    """The UTF-8 bytes ``_dumps(record) + end`` for every record, by orjson; or None when
    that is not certainly the same text, and the caller encodes record by record.

    orjson writes compact JSON (``{"a":"x","b":1}``) where ``json`` writes ``{"a": "x",
    "b": 1}``. For flat records (dicts of strings, ints, booleans and nulls) whose text has
    no escape at all (no backslash) and no ``,`` or ``:`` inside a string (the counts of
    both equal the number of separators), every ``,`` and ``:`` is a separator, and adding
    the spaces gives ``json``'s text byte for byte, and ``},{`` only joins two records.
    Otherwise (a float, a nested value, an escape, a ``,`` or ``:`` in a text, U+2028 …)
    the block is left to the reference encoder.
    """
    if not set(map(type, records)) <= {dict}:
        return None
    if not set(map(type, chain.from_iterable(map(dict.values, records)))) <= _PLAIN:
        return None
    try:
        data = dumps(records)
    except TypeError:  # a key that is not text, an int beyond 64 bits, a lone surrogate
        return None
    if b"\\" in data:
        return None
    if (b"\xe2\x80" in data or b"\xc2\x85" in data) and _RAW_BREAKS.search(data):
        return None
    items = sum(map(len, records))
    separators = items - sum(map(bool, records)) + len(records) - 1
    if data.count(b":") != items or data.count(b",") != separators:
        return None
    block = data[1:-1].replace(b"},{", b"}\n{").replace(b",", b", ").replace(b":", b": ")
    if end != b"\n":
        block = block.replace(b"}\n{", b"}" + end + b"{")
    return block + end


#: a character JSON text escapes (a quote, a backslash, a C0 control) or ``_LINE_BREAKS``
#: escapes, as a class of the polars (Rust) regex syntax
_ESCAPED_POLARS = '["\\\\\\x00-\\x1f\\x{85}\\x{2028}\\x{2029}]'


def _frame_block(frame: Any, end: str) -> bytes | None:
    """The UTF-8 bytes ``_dumps(record) + end`` for every row of a polars frame of texts
    (the record: the row without its nulls, in column order), built by polars; or None when
    that is not certainly the same text (a column that is not text, a value with a
    character JSON escapes), and the caller writes the records.

    With nothing to escape, ``json`` writes a text value as ``"value"``; each field is
    ``key: "value"`` (the key as ``_dumps`` writes it), joined by ``, `` and skipped when
    null, in ``{…}``.
    """
    import polars as pl

    names = frame.columns
    if not names or any(dtype != pl.String for dtype in frame.dtypes):
        return None
    if not frame.height:
        return b""
    escaped = frame.select(
        pl.any_horizontal(
            [pl.col(name).str.contains(_ESCAPED_POLARS).fill_null(False) for name in names]
        )
    ).to_series()
    if escaped.any():
        return None
    fields = [
        pl.concat_str([pl.lit(_dumps(name) + ': "'), pl.col(name), pl.lit('"')]) for name in names
    ]
    line = pl.concat_str(
        [pl.lit("{"), pl.concat_str(fields, separator=", ", ignore_nulls=True), pl.lit("}")]
    )
    # one column of lines, written by polars as they are (nothing in them to quote)
    buffer = io.BytesIO()
    frame.select(line).write_csv(
        buffer, include_header=False, quote_style="never", line_terminator=end
    )
    return buffer.getvalue()


def _orjson_dumps() -> Callable[[Any], bytes] | None:
    try:
        import orjson
    except ImportError:  # pragma: no cover - a dependency
        return None
    dumps: Callable[[Any], bytes] = orjson.dumps
    return dumps


class _JsonLinesSink:
    def __init__(self, stream: IO[bytes], options: WriteOptions) -> None:
        self.out = _text(stream, options)
        self.end = options.line_terminator
        self.dumps = _dumps
        self.encode = _encoder()
        # the terminator can join a block whose breaks are escaped at once (JSON text never
        # holds a raw line break; the terminator must not be one of the escaped characters)
        self.joinable = not _LINE_BREAKS.search(self.end)
        # UTF-8 output: blocks of flat records by orjson, as bytes (see _flat_block)
        utf8 = codecs.lookup(options.encoding).name == "utf-8"
        self.orjson = _orjson_dumps() if utf8 and self.joinable else None
        self.end_bytes = self.end.encode("utf-8")
        self.bulk = utf8 and self.joinable

    def write(self, record: Mapping[str, Any]) -> None:
        self.out.write(self.dumps(record) + self.end)

    def write_many(self, records: Iterable[Mapping[str, Any]]) -> None:
        """``write`` for each record, in one block."""
        if self.orjson is not None:
            records = records if isinstance(records, list) else list(records)
            if not records:
                return
            data = _flat_block(self.orjson, records, self.end_bytes)
            if data is not None:
                self.out.flush()  # what was written as text goes first
                self.out.buffer.write(data)
                return
        encode = self.encode
        if self.joinable:
            end = self.end
            block = end.join(map(encode, records))
            if not block:
                return
            if not block.isascii():
                block = _LINE_BREAKS.sub(_escape_break, block)
            self.out.write(block + end)
        else:
            self.out.write("".join([self.dumps(record) + self.end for record in records]))

    def write_frame(self, frame: Any) -> bool:
        """``write_many`` for the records held by a polars frame of texts (a record: a row
        without its nulls, fields in column order), the lines built by polars; False, with
        nothing written, when the lines could differ from ``write_many``'s (a value to
        escape, a column that is not text, an output that is not UTF-8): then write the
        records."""
        if not self.bulk:
            return False
        data = _frame_block(frame, self.end)
        if data is None:
            return False
        if data:
            self.out.flush()  # what was written as text goes first
            self.out.buffer.write(data)
        return True

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

    def write_many(self, records: Iterable[Mapping[str, Any]]) -> None:
        """``write`` for each record, in one block."""
        parts = [self.dumps(record) for record in records]
        if not parts:
            return
        end = self.end
        lead = ("[" if self.first else ",") + end
        self.out.write(lead + ("," + end).join(parts))
        self.first = False

    def write_frame(self, frame: Any) -> bool:
        """Not for a JSON array: write the records."""
        return False

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

        # write_many: rows written to a buffer by a writer of the same dialect, then at once
        self.buffer = io.StringIO()
        self.buffered = csv.writer(
            self.buffer, delimiter=options.delimiter, lineterminator=options.line_terminator
        )

    def write(self, record: Mapping[str, Any]) -> None:
        get = record.get
        self.writer.writerow([_cell(get(name)) for name in self.fields])

    def write_many(self, records: Iterable[Mapping[str, Any]]) -> None:
        """``write`` for each record, in one block."""
        fields = self.fields
        self.buffered.writerows(
            [
                [value if value.__class__ is str else _cell(value) for value in map(get, fields)]
                for get in (record.get for record in records)
            ]
        )
        block = self.buffer.getvalue()
        if block:
            self.buffer.seek(0)
            self.buffer.truncate()
            self.out.write(block)

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


def write_records(sink: RecordSink, records: Sequence[Mapping[str, Any]]) -> None:
    """Write ``records`` to ``sink``: with its ``write_many`` when it has one (one block),
    else with ``write`` for each record."""
    many = getattr(sink, "write_many", None)
    if many is not None:
        many(records)
    else:
        write = sink.write
        for record in records:
            write(record)


def builtin_writers() -> list[Writer]:
    return [JsonLinesWriter(), JsonWriter(), CsvWriter(), XmlWriter()]
