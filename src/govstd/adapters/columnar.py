"""Vendor CSV in other encodings, read by polars: decode big blocks, then parse them columnar.

The CSV reader hands clean UTF-8 to its columnar reader (:mod:`govstd.formats.csvfast`); vendor
exports are mostly GBK/GB18030. For an adapter's CSV feed in such an encoding this reader cuts
the file into blocks of whole lines (a few MB), decodes each block strictly with Python's C
codec, re-encodes it as UTF-8 and, when the block is *proved* simple, lets polars parse it into
a :class:`~govstd.formats.csvfast.ColumnarBatch` (one String column per header column, ``c0``
…, null for an empty cell), which the adapter reads column by column
(:meth:`govstd.adapters.model._Adapting.columnar`).

A block is simple when the Python CSV reader would split it the same way, line by line:

* it decodes without error (no byte the Python reader would replace and report);
* no quote character and no NUL anywhere; ``\\r`` only as part of ``\\r\\n``;
* exactly ``width - 1`` delimiters per line: the block holds ``(width - 1) × lines`` of them
  and polars refuses a line with more than ``width`` cells (so none has fewer, and no line is
  blank).

The header must be a plain first line too. In the encodings taken here (GB18030, GBK,
GB2312; UTF-8 is read columnar by the CSV reader itself) the bytes of LF, CR, ``"``, NUL and an ASCII delimiter other than a digit never occur
inside a multi-byte character, so cutting at ``\\n`` never splits one. On the first block that
is not simple, the Python reader goes on from the start of that block, with the line and record
numbers carried on (the same records, findings and ordinals as reading the whole feed with it).
``GOVSTD_COLUMNAR=0`` turns this reader off; ``GOVSTD_COLUMNAR=force`` uses it even for small
feeds (for tests).
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from govstd.formats.base import ReadOptions, Source, TableBatch

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.formats.csv import CsvDialect

__all__ = ["columnar_batches"]

#: encodings whose multi-byte characters never hold the bytes of LF, CR, ``"``, NUL or an
#: ASCII delimiter that is not a digit (UTF-8 is the CSV reader's own columnar reader's)
_ENCODINGS = frozenset({"gb18030", "gbk", "gb2312"})
_BLOCK_BYTES = 1 << 20
#: feeds smaller than this are read by the Python reader (polars would not pay for itself)
_MIN_FEED_BYTES = 64 * 1024


def columnar_batches(
    reader: Any, source: Source, options: ReadOptions, catalogue: Catalogue
) -> Iterator[TableBatch] | None:
    """The batches of ``source`` read columnar, falling back to the Python CSV reader where
    needed; or None when the feed is not one this reader takes (then read it as before).

    ``reader`` is the adapter's vendor reader: only the built-in CSV reader is replaced.
    ``options`` are the vendor read options (the adapter's encoding and dialect).
    """
    from govstd.formats.csv import CsvReader

    wanted = os.environ.get("GOVSTD_COLUMNAR", "auto").lower()
    if wanted in ("0", "off", "no", "false") or type(reader) is not CsvReader:
        return None
    path = source.path
    if path is None or not options.encoding:
        return None
    try:
        size = path.stat().st_size
    except OSError:
        return None
    if size < _MIN_FEED_BYTES and wanted != "force":
        return None
    from govstd.formats.encoding import normalize_encoding

    try:
        encoding = normalize_encoding(options.encoding)
    except LookupError:
        return None
    if encoding not in _ENCODINGS or options.max_line_bytes < 2 * _BLOCK_BYTES:
        return None
    from importlib.util import find_spec

    if find_spec("polars") is None:
        return None
    dialect = _simple_dialect(source, options, encoding)
    if dialect is None:
        return None
    return _ahead(_Read(reader, source, options, catalogue, encoding, dialect).batches())


#: the end of an iterator read ahead
_END: Any = object()


def _ahead(batches: Iterator[TableBatch]) -> Iterator[TableBatch]:
    """The batches of ``batches``, in order, each read by one background thread while the
    one before is adapted and checked (polars parses without the GIL). One batch is read
    ahead at most; the reading stops, and ``batches`` is closed, when the consumer stops."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1, thread_name_prefix="govstd-read")
    try:
        future = pool.submit(next, batches, _END)
        while True:
            batch = future.result()
            if batch is _END:
                return
            future = pool.submit(next, batches, _END)
            yield batch
    finally:
        pool.shutdown(wait=True)
        close = getattr(batches, "close", None)
        if close is not None:
            close()


def _simple_dialect(source: Source, options: ReadOptions, encoding: str) -> CsvDialect | None:
    """The dialect the CSV reader would read ``source`` with (the declared keys, the
    delimiter sniffed from the same sample when not declared), when it is the default one
    but for an ASCII delimiter that is not a digit, a quote or a line break; else None."""
    from govstd.formats.csv import CsvDialect, resolve_dialect
    from govstd.formats.encoding import SAMPLE_BYTES

    try:
        with source.open() as stream:
            sample = stream.read(SAMPLE_BYTES)
        dialect = resolve_dialect(
            options.dialect, sample.decode(encoding, errors="replace"), suffix=source.suffix
        )
    except Exception:  # unreadable, or a dialect the CSV reader refuses: it says so itself
        return None
    delimiter = dialect.delimiter
    if not delimiter.isascii() or delimiter.isdigit() or delimiter in '"\r\n\x00':
        return None
    if dialect != CsvDialect(delimiter=delimiter, header=True):
        return None
    return dialect


class _Read:
    """One columnar read of one feed."""

    def __init__(
        self,
        reader: Any,
        source: Source,
        options: ReadOptions,
        catalogue: Catalogue,
        encoding: str,
        dialect: CsvDialect,
    ) -> None:
        self.reader = reader
        self.source = source
        self.options = options
        self.catalogue = catalogue
        self.encoding = encoding
        self.dialect = dialect
        self.delimiter = dialect.delimiter
        self.batch_rows = max(1, options.batch_size)

    def _header(self, data: bytes) -> tuple[list[str], int] | None:
        """The header row and the bytes it took, if it is a plain first line with a name."""
        from govstd.formats.csvfast import plain_header

        found = plain_header(data, self.encoding, self.delimiter)
        if found is None or not any(found[0]):
            return None
        return found

    def _frame(self, block: bytes, width: int) -> Any | None:
        """The block as a frame of texts, or None if it is not provably simple."""
        from govstd.formats.csvfast import simple_frame

        try:
            data = block.decode(self.encoding).encode("utf-8")
        except UnicodeError:
            return None
        # (quotes, NUL, CR and LF are the same single bytes in the block and in its UTF-8)
        return simple_frame(data, width, self.delimiter)

    def batches(self) -> Iterator[TableBatch]:
        """Batches of exactly ``batch_size`` records but the last, as the CSV reader cuts
        them (the order of a report's findings follows the batches): rows of a block that
        do not fill a batch wait for the next block, and on a block that is not simple the
        CSV reader goes on from the first of them."""
        import numpy as np
        import polars as pl

        from govstd.formats.csvfast import ColumnarBatch

        try:
            stream = self.source.open()
        except OSError:  # the CSV reader reports it
            yield from self._python()
            return
        try:
            data = stream.read(_BLOCK_BYTES)
            while b"\n" not in data and len(data) <= self.options.max_line_bytes:
                more = stream.read(_BLOCK_BYTES)  # the whole header line
                if not more:
                    break
                data += more
            if data.startswith(codecs.BOM_UTF8):
                yield from self._python()  # a BOM the codec keeps: as the CSV reader reads it
                return
            found = self._header(data)
            if found is None:
                yield from self._python()
                return
            header, used = found
            width = len(header)
            rows = self.batch_rows
            consumed = used  # bytes of the feed before ``pending_raw``
            parts, size = [data[consumed:]], len(data) - consumed
            eof = False
            line, ordinal = 1, 0  # the last line and record before ``pending``
            pending: Any = None  # rows parsed but not yet in a batch, and their bytes
            pending_raw = b""
            while True:
                while size < _BLOCK_BYTES and not eof:
                    more = stream.read(_BLOCK_BYTES)
                    if not more:
                        eof = True
                        break
                    parts.append(more)
                    size += len(more)
                buffer = b"".join(parts)
                if not buffer:
                    break
                cut = buffer.rfind(b"\n") + 1
                if eof and cut < len(buffer):
                    cut = len(buffer)
                frame = self._frame(buffer[:cut], width) if cut else None
                if frame is None:
                    if ordinal == 0:  # nothing yielded yet: the CSV reader reads it all
                        yield from self._python()
                    else:
                        leftover = pending_raw + buffer
                        yield from self._resume(stream, header, line, ordinal, consumed, leftover)
                    return
                parts, size = [buffer[cut:]], len(buffer) - cut
                raw = pending_raw + buffer[:cut]
                if pending is not None:
                    frame = pl.concat([pending, frame], rechunk=False)
                full = frame.height // rows * rows
                for start in range(0, full, rows):
                    yield self._batch(
                        ColumnarBatch, header, frame.slice(start, rows), line, ordinal
                    )
                    line += rows
                    ordinal += rows
                if full == frame.height:  # (the last row of the feed may have no LF)
                    pending, pending_raw = None, b""
                    consumed += len(raw)
                else:
                    pending = frame.slice(full)
                    if full:
                        breaks = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == 10)
                        kept = int(breaks[full - 1]) + 1
                        consumed += kept
                        raw = raw[kept:]
                    pending_raw = raw
            if pending is not None:
                yield self._batch(ColumnarBatch, header, pending, line, ordinal)
            elif ordinal == 0:  # nothing after the header: as the CSV reader says it
                yield from self._python()
        finally:
            stream.close()

    def _batch(
        self, kind: Any, header: list[str], frame: Any, line: int, ordinal: int
    ) -> TableBatch:
        count = frame.height
        batch: TableBatch = kind(
            header,
            frame,
            list(range(ordinal + 1, ordinal + 1 + count)),
            list(range(line + 1, line + 1 + count)),
            header_line=1,
        )
        batch.encoding = self.encoding
        return batch

    def _python(self) -> Iterator[TableBatch]:
        """The whole feed, read by the CSV reader."""
        return self.reader.read(self.source, self.options, self.catalogue)

    def _resume(
        self,
        stream: Any,
        header: list[str],
        line: int,
        ordinal: int,
        consumed: int,
        leftover: bytes,
    ) -> Iterator[TableBatch]:
        """The rest of the feed (``leftover``, then ``stream``) read by the CSV reader, with
        the line and record numbers carried on."""
        from govstd.formats.csv import Resume, _CsvRead

        state = Resume(
            header=header,
            header_line=1,
            dialect=self.dialect,
            encoding=self.encoding,
            line=line,
            ordinal=ordinal,
            position=consumed,
        )
        return _CsvRead(stream, self.source, self.options, self.catalogue).resume(state, leftover)
