"""The columnar CSV reader: clean UTF-8 CSV parsed by polars, block by block, into
:class:`ColumnarBatch` es (a :class:`~govstd.formats.base.TableBatch` with a polars frame).

:class:`~govstd.formats.csv.CsvReader` hands a source over to it when the source is UTF-8 (with
or without a BOM), bigger than the detection sample and read with the default dialect but for
the delimiter (``"`` quotes, no escape character, no comment character, a header row). The
bytes are then cut into blocks of whole lines (a few MB) and every block is first *proved*
simple, with a few C-level scans, so that polars splits it exactly as the Python reader would:

* no quote character and no NUL byte anywhere in it; ``\\r`` only as part of ``\\r\\n``;
* exactly ``width - 1`` delimiters per line: the block holds ``(width - 1) × lines`` of them
  and polars refuses a line with more than ``width`` cells (so none has fewer, and no line
  is blank);
* valid UTF-8 (polars refuses anything else).

Every cell is kept as text (an empty cell is a null in the frame). On the first block that
fails a test, the Python reader takes over from the start of that block, with the line and
record numbers carried on, so malformed rows, bad bytes and quoted cells still become the
same findings on the same records. ``GOVSTD_COLUMNAR=0`` turns this reader off;
``GOVSTD_COLUMNAR=force`` uses it even for small sources (for tests).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from govstd.formats.base import DEFAULT_BATCH_SIZE, TableBatch

if TYPE_CHECKING:
    from govstd.findings import Finding
    from govstd.formats.csv import CsvDialect, _CsvRead

__all__ = ["ColumnarBatch", "ColumnarRead", "column_names"]

#: rows per batch when the caller kept the default batch size (bigger batches amortise the
#: fixed cost of a vectorised pass; memory stays a few MB)
COLUMNAR_BATCH_ROWS = 65_536
_MIN_BLOCK = 1 << 20
_MAX_BLOCK = 16 << 20


def column_names(width: int) -> list[str]:
    """The frame's column names: positional, since header labels may repeat or be blank."""
    return [f"c{i}" for i in range(width)]


class ColumnarBatch(TableBatch):
    """A :class:`TableBatch` whose cells are held by a polars frame (``frame``: one String
    column per header column, ``c0`` … in header order, null for an empty cell).

    ``rows`` is built from the frame on first use (with ``""`` for empty cells), so plans
    that work row by row still see exactly what the Python reader would have given them;
    vectorised plans read ``frame`` and never pay for it.
    """

    __slots__ = ("_rows", "frame")

    def __init__(
        self,
        header: Sequence[str],
        frame: Any,
        ordinals: list[int],
        lines: list[int],
        *,
        findings: list[Finding] | None = None,
        position: int | None = None,
        header_line: int = 1,
    ) -> None:
        self.frame = frame
        self._rows: list[list[str]] | None = None
        TableBatch.__init__(
            self, header, None, ordinals, lines, findings or [], [], position, header_line
        )

    @property  # type: ignore[override]
    def rows(self) -> Any:
        if self._rows is None:
            self._rows = LazyRows(self.frame)
        return self._rows

    @rows.setter
    def rows(self, value: Any) -> None:
        self._rows = value


class LazyRows(Sequence[list[str]]):
    """The rows of a frame as lists of cell texts, built on first use: one row at a time for
    ``rows[i]``, all at once (and kept) when iterated."""

    __slots__ = ("_all", "_frame")

    def __init__(self, frame: Any) -> None:
        self._frame = frame
        self._all: list[list[str]] | None = None

    def __len__(self) -> int:
        return int(self._frame.height)

    def _rows(self) -> list[list[str]]:
        if self._all is None:
            self._all = list(map(list, self._frame.fill_null("").rows()))
        return self._all

    def __getitem__(self, index: Any) -> Any:
        if self._all is not None or isinstance(index, slice):
            return self._rows()[index]
        return ["" if c is None else c for c in self._frame.row(index)]

    def __iter__(self) -> Iterator[list[str]]:
        return iter(self._rows())

    def __eq__(self, other: object) -> bool:
        return list(self) == other

    __hash__ = None  # type: ignore[assignment]


class ColumnarRead:
    """One columnar read of one source; falls back to the Python reader (``parent``)."""

    def __init__(self, parent: _CsvRead, dialect: CsvDialect, sample: bytes) -> None:
        import numpy as np
        import polars as pl

        self.pl = pl
        self.np = np
        self.parent = parent
        self.dialect = dialect
        self.sample = sample
        self.delimiter = dialect.delimiter.encode("ascii")
        size = parent.options.batch_size
        self.batch_rows = COLUMNAR_BATCH_ROWS if size == DEFAULT_BATCH_SIZE else max(1, size)

    # -- the header ----------------------------------------------------------------------

    def _header(self, data: bytes) -> tuple[list[str], int] | None:
        """The header row and the bytes it took, if it is a plain first line."""
        end = data.find(b"\n")
        if end < 0:
            return None
        line = data[:end].removesuffix(b"\r")
        if not line.strip() or b'"' in line or b"\x00" in line or b"\r" in line:
            return None
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            return None
        header = text.split(self.dialect.delimiter)
        if len(header) < 2:
            return None
        return header, end + 1

    # -- blocks --------------------------------------------------------------------------

    def _frame(self, block: bytes, width: int) -> Any | None:
        """The block as a frame of texts, or None if it is not provably simple."""
        if b'"' in block or b"\x00" in block:
            return None
        np = self.np
        data = np.frombuffer(block, dtype=np.uint8)
        lines = int(np.count_nonzero(data == 10)) + (0 if block.endswith(b"\n") else 1)
        if b"\r" in block and block.count(b"\r") != block.count(b"\r\n"):
            return None
        if int(np.count_nonzero(data == self.delimiter[0])) != (width - 1) * lines:
            return None
        pl = self.pl
        try:
            frame = pl.read_csv(
                block,
                has_header=False,
                schema=dict.fromkeys(column_names(width), pl.String),
                separator=self.dialect.delimiter,
                quote_char=None,
            )
        except Exception:  # polars refuses it (more cells than the header, bad UTF-8 …)
            return None
        return frame if frame.height == lines else None

    def batches(self) -> Iterator[TableBatch]:
        parent = self.parent
        data = self.sample
        skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        found = self._header(data[skip:])
        if found is None:
            yield from self._python_from_start()
            return
        header, used = found
        width = len(header)
        consumed = skip + used  # bytes of the source before ``buffer``
        sample_lines = max(1, data.count(b"\n"))
        block_bytes = min(_MAX_BLOCK, max(_MIN_BLOCK, len(data) // sample_lines * self.batch_rows))
        parts = [data[consumed:]]
        size = len(parts[0])
        parent.position = len(data)
        eof = False
        line, ordinal = 1, 0
        first = True
        while True:
            while size < block_bytes and not eof:
                more = parent._read(block_bytes)
                if not more:
                    eof = True
                    break
                parts.append(more)
                size += len(more)
                parent.position += len(more)
            buffer = b"".join(parts)
            if not buffer:
                break
            cut = buffer.rfind(b"\n") + 1
            if eof and cut < len(buffer):
                cut = len(buffer)
            frame = self._frame(buffer[:cut], width) if cut else None
            if frame is None:
                yield from self._python_resume(header, line, ordinal, consumed, buffer)
                return
            parts, size = [buffer[cut:]], len(buffer) - cut
            consumed += cut
            for start in range(0, frame.height, self.batch_rows):
                piece = frame.slice(start, self.batch_rows)
                count = piece.height
                batch = ColumnarBatch(
                    header,
                    piece,
                    list(range(ordinal + 1, ordinal + 1 + count)),
                    list(range(line + 1, line + 1 + count)),
                    findings=parent.findings if first else None,
                    position=consumed,
                    header_line=1,
                )
                batch.encoding = parent.encoding
                if first:
                    parent.findings, first = [], False
                line += count
                ordinal += count
                yield batch
        if first or parent.findings:  # nothing after the header: as the Python reader says
            yield from self._python_resume(header, line, ordinal, consumed, b"")

    # -- handing over to the Python reader ------------------------------------------------

    def _python_from_start(self) -> Iterator[TableBatch]:
        import csv

        parent = self.parent
        csv.field_size_limit(parent.limit)
        parent.position = 0
        parent.reader = csv.reader(
            parent.lines(self.sample, False), **self.dialect.reader_options()
        )
        yield from parent._rows(parent.reader, self.dialect)

    def _python_resume(
        self, header: list[str], line: int, ordinal: int, consumed: int, leftover: bytes
    ) -> Iterator[TableBatch]:
        from govstd.formats.csv import Resume

        state = Resume(
            header=header,
            header_line=1,
            dialect=self.dialect,
            encoding="utf-8",
            line=line,
            ordinal=ordinal,
            position=consumed,
        )
        yield from self.parent.resume(state, leftover)
