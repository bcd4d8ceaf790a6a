"""The CSV reader: delimited text, streamed in batches of rows.

How a source is read:

- **Streaming.** The bytes are read in chunks of 1 MiB and decoded incrementally; only the
  current chunk, the current batch of rows and one partial line are ever in memory.
- **Encoding.** ``ReadOptions.encoding`` if given, else detected from the first 64 KB
  (:mod:`govstd.formats.encoding`). Bytes that are not valid in that encoding are decoded with
  ``surrogateescape``; a row holding such bytes gets one ``source.encoding`` finding, its cells
  are repaired with U+FFFD, and it is still checked. Chunks are searched for bad bytes as a
  whole, so clean files pay nothing per row.
- **Dialect.** The keys of a CSV Dialect (Table Schema) in ``ReadOptions.dialect`` win:
  ``delimiter``, ``quoteChar``, ``doubleQuote``, ``escapeChar``, ``skipInitialSpace``,
  ``header`` and ``commentChar`` (``lineTerminator``, ``caseSensitiveHeader`` and
  ``nullSequence`` are accepted and ignored). Without a delimiter, it is sniffed among ``,``
  ``;`` tab and ``|`` from the sample. Lines may end in CRLF, LF or CR.
- **Header.** The first non-blank row is the header (``TableBatch.header_line`` tells which
  line). With ``header: false`` there is none: ``TableBatch.header`` is empty and
  ``header_line`` is 0, and an engine matches columns by position.
- **Rows.** Every later row is a record, numbered from 1 (its *ordinal*), with the physical
  line it starts on. Blank rows are kept as records with no cells (``[]``): an engine reports
  them (``row.blank``), as frictionless does. Rows starting with ``commentChar`` are skipped
  and are not records.
- **Bad data never raises.** Malformed CSV (a NUL byte, an unclosed quote at the end of the
  file, text after a closing quote) gives ``csv.syntax``; a field or a physical line longer
  than ``ReadOptions.max_line_bytes`` gives ``source.line-too-long``. Such a record still
  takes an ordinal and is listed in ``TableBatch.unreadable``, so nothing is lost from the
  count. An empty source, or one with only a header, gives ``source.empty``.

Lengths are checked in decoded characters (a character is at least one byte). The csv
module's field-size limit is process-wide; a read sets it to ``max_line_bytes``.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import IO, TYPE_CHECKING, Any, Literal

from govstd.exceptions import SetupError, UsageError
from govstd.findings import Location
from govstd.formats.base import ReadOptions, Source, TableBatch
from govstd.formats.encoding import SAMPLE_BYTES, detect_encoding, normalize_encoding

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.findings import Finding

__all__ = ["CsvDialect", "CsvReader", "resolve_dialect", "sniff_delimiter"]

CHUNK_BYTES = 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 200
#: a lone surrogate from ``surrogateescape`` (an undecodable byte), or a NUL
_BAD_CHAR = re.compile("[\udc80-\udcff\x00]")
_SURROGATE = re.compile("[\udc80-\udcff]")
_IGNORED_DIALECT_KEYS = frozenset(
    {"lineTerminator", "caseSensitiveHeader", "nullSequence", "csvddfVersion", "$schema"}
)


@dataclass(frozen=True, slots=True)
class Resume:
    """Where the columnar reader stopped: the Python reader goes on from here."""

    header: list[str]
    header_line: int
    dialect: CsvDialect
    encoding: str
    #: physical lines and records consumed so far
    line: int
    ordinal: int
    position: int


@dataclass(frozen=True, slots=True)
class CsvDialect:
    """How cells are delimited and quoted (the CSV Dialect keys govstd applies)."""

    delimiter: str = ","
    quote_char: str | None = '"'
    double_quote: bool = True
    escape_char: str | None = None
    skip_initial_space: bool = False
    header: bool = True
    comment_char: str | None = None

    def reader_options(self) -> dict[str, Any]:
        """Keyword arguments for :func:`csv.reader`."""
        options: dict[str, Any] = {
            "delimiter": self.delimiter,
            "doublequote": self.double_quote,
            "escapechar": self.escape_char,
            "skipinitialspace": self.skip_initial_space,
            "strict": True,
        }
        if self.quote_char:
            options["quotechar"] = self.quote_char
        else:
            options["quoting"] = csv.QUOTE_NONE
        return options


def sniff_delimiter(text: str, prefer: str = ",") -> str:
    """Guess the delimiter of ``text`` (the start of a file) among ``, ; tab |``.

    The delimiter that splits the most lines into the same number (> 1) of cells wins; on a
    tie, the wider split; then ``prefer``; then the order above.
    """
    lines = io.StringIO(text, newline="").readlines()[:_SNIFF_LINES]
    if len(lines) > 1 and not lines[-1].endswith(("\n", "\r")):
        lines.pop()  # the sample may end in the middle of a line
    order = [prefer, *(d for d in DELIMITERS if d != prefer)]
    best: tuple[float, int, int] = (0.0, 1, 0)
    chosen = prefer
    for rank, delimiter in enumerate(order):
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not widths:
            continue
        width = max(set(widths), key=lambda w: (widths.count(w), w))
        if width < 2:
            continue
        score = (widths.count(width) / len(widths), width, -rank)
        if score > best:
            best, chosen = score, delimiter
    return chosen


def _one_char(key: str, value: Any, *, allow_none: bool = False) -> str | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or len(value) != 1:
        raise SetupError(f"CSV dialect: {key} must be a single character, not {value!r}")
    return value


def _flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SetupError(f"CSV dialect: {key} must be true or false, not {value!r}")
    return value


def resolve_dialect(
    declared: Mapping[str, Any] | None, sample: str, *, suffix: str = ""
) -> CsvDialect:
    """The dialect to read with: the declared keys, a sniffed delimiter for the rest.

    Raises :class:`~govstd.exceptions.SetupError` for a declared key that cannot work.
    """
    declared = dict(declared or {})
    unknown = (
        set(declared)
        - _IGNORED_DIALECT_KEYS
        - {
            "delimiter",
            "quoteChar",
            "doubleQuote",
            "escapeChar",
            "skipInitialSpace",
            "header",
            "commentChar",
        }
    )
    if unknown:
        raise SetupError(f"CSV dialect: unknown key(s) {', '.join(sorted(unknown))}")
    if "delimiter" in declared:
        delimiter = _one_char("delimiter", declared["delimiter"])
        assert delimiter is not None
    else:
        delimiter = sniff_delimiter(sample, prefer="\t" if suffix == ".tsv" else ",")
    quote_char = '"'
    if "quoteChar" in declared:
        quote = declared["quoteChar"]
        quote_char = None if quote in (None, "") else _one_char("quoteChar", quote)
    dialect = CsvDialect(
        delimiter=delimiter,
        quote_char=quote_char,
        double_quote=_flag("doubleQuote", declared.get("doubleQuote", True)),
        escape_char=_one_char("escapeChar", declared.get("escapeChar"), allow_none=True),
        skip_initial_space=_flag("skipInitialSpace", declared.get("skipInitialSpace", False)),
        header=_flag("header", declared.get("header", True)),
        comment_char=_one_char("commentChar", declared.get("commentChar"), allow_none=True),
    )
    if dialect.delimiter in ("\r", "\n") or dialect.delimiter == dialect.quote_char:
        raise SetupError(f"CSV dialect: delimiter {dialect.delimiter!r} cannot work")
    return dialect


#: sources smaller than this are read by the Python reader: importing polars and numpy
#: (~0.1 s) costs more than the columnar reader saves (measured break-even ~3.5 MB)
MIN_COLUMNAR_BYTES = 4 * 1024 * 1024


class CsvReader:
    """Reads CSV/TSV files into :class:`~govstd.formats.base.TableBatch` es."""

    name = "csv"
    extensions: Sequence[str] = (".csv", ".tsv", ".txt")
    kind: Literal["table"] = "table"

    def read(
        self, source: Source, options: ReadOptions, catalogue: Catalogue
    ) -> Iterator[TableBatch]:
        try:
            stream = source.open()
        except OSError as exc:
            raise UsageError(f"cannot open {source.name}: {exc.strerror or exc}") from None
        try:
            yield from _CsvRead(stream, source, options, catalogue).batches()
        finally:
            if source.path is not None:
                stream.close()


class _CsvRead:
    """The state of one read of one source."""

    def __init__(
        self, stream: IO[bytes], source: Source, options: ReadOptions, catalogue: Catalogue
    ) -> None:
        self.stream = stream
        self.source = source
        self.options = options
        self.catalogue = catalogue
        self.limit = max(1, options.max_line_bytes)
        self.batch_size = max(1, options.batch_size)
        self.position = 0
        #: a chunk with an undecodable byte or a NUL was decoded since the last batch
        self.batch_dirty = False
        self.chunk_dirty = False
        #: physical lines that were too long: line number -> length in bytes
        self.overflow: dict[int, int] = {}
        self.findings: list[Finding] = []
        self.encoding = "utf-8"
        self.reader: Any = None
        #: set when continuing a source the columnar reader started (see ``resume``)
        self.resumed: Resume | None = None
        #: physical lines consumed before this reader's first line
        self.base = 0

    def resume(self, state: Resume, leftover: bytes) -> Iterator[TableBatch]:
        """Go on reading a source the columnar reader gave up on, from a record boundary
        (``leftover``: the bytes it had read past that boundary)."""
        self.resumed = state
        self.base = state.line
        self.encoding = state.encoding
        self.position = state.position
        raw = leftover or self._read(CHUNK_BYTES)
        csv.field_size_limit(self.limit)
        self.reader = csv.reader(self.lines(raw, not raw), **state.dialect.reader_options())
        return self._rows(self.reader, state.dialect)

    def _line_num(self) -> int:
        return self.base + self.reader.line_num

    # -- bytes to lines -------------------------------------------------------------------

    def _read(self, size: int) -> bytes:
        try:
            data = self.stream.read(size)
        except OSError as exc:
            self.findings.append(self.unreadable(exc))
            return b""
        return data or b""

    def unreadable(self, exc: OSError) -> Finding:
        """The finding for a read of the source that failed (the source then ends there)."""
        return self._finding(
            "source.unreadable",
            detail=str(exc),
            message=f"cannot read {self.source.name}: {exc}",
        )

    def _sample(self) -> tuple[bytes, bool]:
        parts: list[bytes] = []
        size = 0
        while size < SAMPLE_BYTES:
            data = self._read(SAMPLE_BYTES - size)
            if not data:
                return b"".join(parts), True
            parts.append(data)
            size += len(data)
        return b"".join(parts), False

    def _byte_length(self, text: str) -> int:
        codec = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        try:
            return len(text.encode(codec, errors="surrogateescape"))
        except (UnicodeError, LookupError):
            return len(text)

    def _text_chunks(self, sample: bytes, eof: bool) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="surrogateescape")
        raw = sample
        while True:
            if raw:
                self.position += len(raw)
                yield decoder.decode(raw, False)
            if eof or not raw:
                break
            raw = self._read(CHUNK_BYTES)
        tail = decoder.decode(b"", True)
        if tail:
            yield tail

    def lines(self, sample: bytes, eof: bool) -> Iterator[str]:
        """Physical lines, with their terminators (split at C speed, block by block)."""
        return chain.from_iterable(map(_split_lines, self.blocks(sample, eof)))

    def blocks(self, sample: bytes, eof: bool) -> Iterator[str]:
        """Decoded text in blocks of whole lines (this generator runs once per chunk)."""
        pending = ""
        skipping = False  # inside a line that is too long
        skipped = 0
        for text in self._text_chunks(sample, eof):
            if skipping:
                end = _first_break(text)
                if end < 0:
                    skipped += self._byte_length(text)
                    continue
                skipped += self._byte_length(text[:end])
                self._overflowed(skipped)
                yield "\n"  # stands for the discarded line, so line numbers stay right
                text = text[end + 1 :] if not text.startswith("\r\n", end) else text[end + 2 :]
                skipping = False
            if pending:
                text = pending + text
            if not text.isascii() or "\x00" in text:
                self.chunk_dirty = _BAD_CHAR.search(text) is not None
                self.batch_dirty = self.batch_dirty or self.chunk_dirty
            else:
                self.chunk_dirty = False
            # Hold back the last, incomplete line (and a final CR: an LF may follow).
            cut = max(text.rfind("\n", 0, len(text) - 1), text.rfind("\r", 0, len(text) - 1))
            if text.endswith("\n"):
                cut = len(text) - 1
            pending = text[cut + 1 :]
            if cut >= 0:
                yield text[: cut + 1]
            if len(pending) > self.limit:
                skipping, skipped = True, self._byte_length(pending)
                pending = ""
        if skipping:
            self._overflowed(skipped)
            yield "\n"
        elif pending:
            yield pending

    def _overflowed(self, length: int) -> None:
        # This runs inside the csv reader's request for its next line, so the discarded
        # line is the one after the reader's current line count.
        self.overflow[self._line_num() + 1] = length

    # -- lines to batches -----------------------------------------------------------------

    def batches(self) -> Iterator[TableBatch]:
        sample, eof = self._sample()
        if self.options.encoding:
            try:
                self.encoding = normalize_encoding(self.options.encoding)
            except LookupError:
                raise UsageError(f"unknown encoding {self.options.encoding!r}") from None
        else:
            self.encoding = detect_encoding(sample, final=eof).encoding
        sample_text = sample.decode(self.encoding, errors="replace")
        dialect = resolve_dialect(self.options.dialect, sample_text, suffix=self.source.suffix)
        if self._columnar_ok(dialect, sample, eof):
            from govstd.formats.csvfast import ColumnarRead

            yield from ColumnarRead(self, dialect, sample).batches()
            return
        csv.field_size_limit(self.limit)
        self.reader = csv.reader(self.lines(sample, eof), **dialect.reader_options())
        yield from self._rows(self.reader, dialect)

    def _columnar_ok(self, dialect: CsvDialect, sample: bytes, eof: bool) -> bool:
        """Whether the columnar (polars) reader may take this source: clean UTF-8 and a
        simple dialect; it checks every block itself and hands back to this reader on the
        first one it cannot read exactly as this reader would."""
        wanted = os.environ.get("GOVSTD_COLUMNAR", "auto").lower()
        if wanted in ("0", "off", "no", "false"):
            return False
        if wanted != "force":  # small sources: importing polars would not pay for itself
            size = self.source.size()
            if eof or (size is not None and size < MIN_COLUMNAR_BYTES):
                return False
        if self.encoding not in ("utf-8", "utf-8-sig") or self.limit < 4 * CHUNK_BYTES:
            return False
        simple = CsvDialect(delimiter=dialect.delimiter, header=True)
        if dialect != simple or dialect.delimiter in '"\r\n' or not dialect.delimiter.isascii():
            return False
        from importlib.util import find_spec

        return find_spec("polars") is not None

    def _finding(self, code: str, **kwargs: Any) -> Finding:
        return self.catalogue.finding(code, source=self.source.name, **kwargs)

    def _empty(self, detail: str) -> Finding:
        name = self.source.name
        return self._finding("source.empty", message=f"{name} holds no records ({detail})")

    def _bad_record(self, exc: csv.Error, start: int, end: int, ordinal: int | None) -> Finding:
        """The finding for a record that could not be split into cells."""
        for line, length in self.overflow.items():
            if start <= line <= end:
                del self.overflow[line]
                return self._line_too_long(line, length, ordinal)
        text = str(exc)
        if "field larger than field limit" in text:
            return self._line_too_long(start, None, ordinal)
        detail = "a quoted cell is never closed" if "unexpected end of data" in text else text
        return self._finding(
            "csv.syntax",
            record=ordinal,
            location=Location(line=start),
            detail=f"{detail} (line {start})",
        )

    def _line_too_long(self, line: int, length: int | None, ordinal: int | None) -> Finding:
        shown = length if length is not None else f"more than {self.limit}"
        message = (
            f"line {line} is {length} bytes, over the limit of {self.limit}"
            if length is not None
            else f"a cell starting on line {line} is longer than the limit of {self.limit}"
        )
        return self._finding(
            "source.line-too-long",
            record=ordinal,
            location=Location(line=line),
            message=message,
            line=line,
            length=shown,
            limit=self.limit,
        )

    def _rows(self, reader: Any, dialect: CsvDialect) -> Iterator[TableBatch]:
        header: list[str] = []
        header_line = 0
        end = self.base  # last physical line consumed
        comment = dialect.comment_char
        if self.resumed is not None:
            header, header_line = list(self.resumed.header), self.resumed.header_line
        # 1. the header: the first non-blank, non-comment row
        while dialect.header and self.resumed is None:
            try:
                row = next(reader)
            except StopIteration:
                self.findings.append(self._empty("no header row"))
                yield self._batch(header, [], [], [], [], header_line)
                return
            except csv.Error as exc:
                self.findings.append(self._bad_record(exc, end + 1, self._line_num(), None))
                end = self._line_num()
                continue
            start, end = end + 1, self._line_num()
            if not row or (comment and row[0].startswith(comment)):
                continue
            header, header_line = self._clean_header(row, start), start
            break

        # 2. the records, a batch at a time; the loop body is the per-row cost of reading
        rows: list[list[str]] = []
        ordinals: list[int] = []
        lines: list[int] = []
        unreadable: list[int] = []
        ends: list[int] = []  # the line each row of ``rows[synced:]`` ends on
        ordinal = self.resumed.ordinal if self.resumed is not None else 0
        size = self.batch_size
        synced = 0
        batches = 0
        done = False
        while not done:
            try:
                append_row, append_end, base = rows.append, ends.append, self.base
                for row in islice(reader, size - len(rows)):
                    append_row(row)
                    append_end(base + reader.line_num)
                done = len(rows) < size
                error: csv.Error | None = None
            except csv.Error as exc:
                error = exc
            # Number the rows read since the last sync; a row starts after the previous end.
            if len(rows) > synced:
                if comment:
                    keep = [
                        i for i in range(synced, len(rows)) if not _is_comment(rows[i], comment)
                    ]
                    starts = [end + 1, *(e + 1 for e in ends[:-1])]
                    if len(keep) < len(rows) - synced:
                        new_rows = [rows[i] for i in keep]
                        starts = [starts[i - synced] for i in keep]
                        del rows[synced:]
                        rows.extend(new_rows)
                else:
                    starts = [end + 1, *(e + 1 for e in ends[:-1])]
                lines.extend(starts)
                ordinals.extend(range(ordinal + 1, ordinal + 1 + len(rows) - synced))
                ordinal += len(rows) - synced
                end = ends[-1] if ends else end
                ends.clear()
                synced = len(rows)
            if error is not None:
                ordinal += 1
                unreadable.append(ordinal)
                self.findings.append(self._bad_record(error, end + 1, self._line_num(), ordinal))
                end = self._line_num()
                continue
            if len(rows) >= size or done:
                if done and ordinal == 0:
                    detail = "only a header row" if dialect.header else "no row"
                    self.findings.append(self._empty(detail))
                # The last batch may be empty: only yield it if it is the only one, or
                # carries something.
                if rows or unreadable or self.findings or self.overflow or not batches:
                    batches += 1
                    yield self._batch(header, rows, ordinals, lines, unreadable, header_line)
                rows, ordinals, lines, unreadable = [], [], [], []
                synced = 0

    def _clean_header(self, row: list[str], line: int) -> list[str]:
        if not any(map(_BAD_CHAR.search, row)):
            return row
        return self._repair(row, None, line) or [c.replace("\x00", "") for c in row]

    def _repair(self, row: list[str], ordinal: int | None, line: int) -> list[str] | None:
        """Findings for bad characters in ``row``; the repaired row, or None if unreadable."""
        if any("\x00" in cell for cell in row):
            self.findings.append(
                self._finding(
                    "csv.syntax",
                    record=ordinal,
                    location=Location(line=line),
                    detail=f"NUL byte in the row at line {line}",
                )
            )
            return None
        self.findings.append(
            self._finding(
                "source.encoding",
                record=ordinal,
                location=Location(line=line),
                encoding=self.encoding,
                line=line,
            )
        )
        return [_SURROGATE.sub("\ufffd", cell) for cell in row]

    def _batch(
        self,
        header: list[str],
        rows: list[list[str]],
        ordinals: list[int],
        lines: list[int],
        unreadable: list[int],
        header_line: int,
    ) -> TableBatch:
        if self.overflow and lines:
            # An overlong line that became a blank placeholder row: unreadable, not blank.
            rows, ordinals, lines = self._drop_overflow(rows, ordinals, lines, unreadable)
        if self.batch_dirty:
            rows, ordinals, lines = self._scan(rows, ordinals, lines, unreadable)
            self.batch_dirty = self.chunk_dirty
        findings, self.findings = self.findings, []
        if len(findings) > 1:
            findings.sort(
                key=lambda f: (-1 if f.record is None else f.record, f.location.line or 0)
            )
        return TableBatch(
            header=header,
            rows=rows,
            ordinals=ordinals,
            lines=lines,
            findings=findings,
            unreadable=sorted(unreadable),
            position=self.position,
            header_line=header_line,
            encoding=self.encoding,
        )

    def _drop_overflow(
        self, rows: list[list[str]], ordinals: list[int], lines: list[int], unreadable: list[int]
    ) -> tuple[list[list[str]], list[int], list[int]]:
        keep = []
        for index, line in enumerate(lines):
            length = self.overflow.pop(line, None)
            if length is None:
                keep.append(index)
                continue
            unreadable.append(ordinals[index])
            self.findings.append(self._line_too_long(line, length, ordinals[index]))
        if len(keep) == len(rows):
            return rows, ordinals, lines
        return [rows[i] for i in keep], [ordinals[i] for i in keep], [lines[i] for i in keep]

    def _scan(
        self, rows: list[list[str]], ordinals: list[int], lines: list[int], unreadable: list[int]
    ) -> tuple[list[list[str]], list[int], list[int]]:
        out_rows: list[list[str]] = []
        out_ordinals: list[int] = []
        out_lines: list[int] = []
        search = _BAD_CHAR.search
        for row, ordinal, line in zip(rows, ordinals, lines, strict=True):
            if any(map(search, row)):
                repaired = self._repair(row, ordinal, line)
                if repaired is None:
                    unreadable.append(ordinal)
                    continue
                row = repaired
            out_rows.append(row)
            out_ordinals.append(ordinal)
            out_lines.append(line)
        return out_rows, out_ordinals, out_lines


def _is_comment(row: list[str], comment: str) -> bool:
    return bool(row) and row[0].startswith(comment)


def _split_lines(text: str) -> io.StringIO:
    """An iterator over the lines of ``text``, split at CR, LF and CRLF only."""
    return io.StringIO(text, newline="")


def _first_break(text: str) -> int:
    """Index of the first CR or LF in ``text``, or -1."""
    found = [i for i in (text.find("\n"), text.find("\r")) if i >= 0]
    return min(found) if found else -1
