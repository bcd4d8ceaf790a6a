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
same findings on the same records.

Blocks are read, proved, parsed and cut into batches ahead, in a background thread (file
reads, numpy scans and polars release the GIL), while the engines check the current batch;
engines may also have their own vectorised work on each batch's frame done there
(:meth:`ColumnarBatch.prepared`) in a second thread, so that parsing a block and screening
the batch before it overlap. At most four batches are in flight (two per thread), and the
batches, their order and everything in them are the same as a read without the threads.

``GOVSTD_COLUMNAR=0`` turns this reader off; ``GOVSTD_COLUMNAR=force`` uses it even for
small sources (for tests).
"""

from __future__ import annotations

import codecs
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from govstd.formats.base import DEFAULT_BATCH_SIZE, TableBatch

if TYPE_CHECKING:
    from govstd.findings import Finding
    from govstd.formats.csv import CsvDialect, _CsvRead

__all__ = ["AheadWork", "ColumnarBatch", "ColumnarRead", "column_names", "simple_frame"]

#: rows per batch when the caller kept the default batch size (bigger batches amortise the
#: fixed cost of a vectorised pass; memory stays a few MB)
COLUMNAR_BATCH_ROWS = 65_536
_MIN_BLOCK = 1 << 20
_MAX_BLOCK = 16 << 20


def column_names(width: int) -> list[str]:
    """The frame's column names: positional, since header labels may repeat or be blank."""
    return [f"c{i}" for i in range(width)]


def plain_header(data: bytes, encoding: str, delimiter: str) -> tuple[list[str], int] | None:
    """The header row at the start of ``data`` and the bytes it took, if it is a plain line:
    a line break ends it, no quote, NUL or stray CR in it, ``encoding`` decodes it, and it has
    at least two cells. ``None`` otherwise (the Python reader then reads the source)."""
    end = data.find(b"\n")
    if end < 0:
        return None
    line = data[:end].removesuffix(b"\r")
    if not line.strip() or b'"' in line or b"\x00" in line or b"\r" in line:
        return None
    try:
        text = line.decode(encoding)
    except UnicodeDecodeError:
        return None
    header = text.split(delimiter)
    if len(header) < 2:
        return None
    return header, end + 1


def simple_frame(block: bytes, width: int, delimiter: str) -> Any | None:
    """UTF-8 ``block`` (whole lines) as a frame of ``width`` text columns (``c0`` …), or
    ``None`` unless it is provably simple (see the module notes): no quote or NUL, ``\r``
    only in ``\r\n``, ``width - 1`` delimiters per line, and polars reads one row per line.
    Shared by this reader and the adapters' columnar reader (:mod:`govstd.adapters.columnar`,
    which hands over its blocks transcoded to UTF-8)."""
    if b'"' in block or b"\x00" in block:
        return None
    import numpy as np
    import polars as pl

    # the block's bytes as a polars series (no copy): polars compares into a bit mask and
    # counts it, about 2.5× faster than numpy's byte-per-element mask and count
    data = pl.Series("", np.frombuffer(block, dtype=np.uint8))
    lines = int((data == 10).sum())
    lines += 0 if block.endswith(b"\n") else 1
    if b"\r" in block and block.count(b"\r") != block.count(b"\r\n"):
        return None
    delimiters = int((data == ord(delimiter)).sum())
    del data
    if delimiters != (width - 1) * lines:
        return None
    try:
        frame = pl.read_csv(
            block,
            has_header=False,
            schema=dict.fromkeys(column_names(width), pl.String),
            separator=delimiter,
            quote_char=None,
        )
    except Exception:  # polars refuses it (more cells than the header, bad UTF-8 …)
        return None
    return frame if frame.height == lines else None


class ColumnarBatch(TableBatch):
    """A :class:`TableBatch` whose cells are held by a polars frame (``frame``: one String
    column per header column, ``c0`` … in header order, null for an empty cell; the reader
    never leaves a ``""`` in it and says so with ``empty_is_null``).

    ``rows`` is built from the frame on first use (with ``""`` for empty cells), so plans
    that work row by row still see exactly what the Python reader would have given them;
    vectorised plans read ``frame`` and never pay for it; they may get their vectorised work
    done ahead, in the reading thread (:meth:`prepared`).
    """

    __slots__ = ("_consecutive", "_prepared", "_rows", "ahead", "empty_is_null", "frame")

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
        empty_is_null: bool = False,
        ahead: AheadWork | None = None,
        prepared: dict[object, Any] | None = None,
    ) -> None:
        self.frame = frame
        #: the read's work done ahead, and its results for this batch
        self.ahead = ahead
        self._prepared = prepared
        #: True if the frame holds no ``""``: every empty cell is a null (as the reader makes
        #: it), so filled cells can be counted from the columns' null counts
        self.empty_is_null = empty_is_null
        self._rows: list[list[str]] | None = None
        TableBatch.__init__(
            self, header, None, ordinals, lines, findings or [], [], position, header_line
        )
        self._consecutive: list[int] | None = None

    @classmethod
    def numbered(
        cls, header: Sequence[str], frame: Any, ordinal: int, line: int, **options: Any
    ) -> ColumnarBatch:
        """A batch of consecutive records ``ordinal + 1 …`` on consecutive lines ``line + 1 …``
        (one per frame row); :meth:`first_ordinal` then knows it without a scan."""
        count = frame.height
        ordinals = list(range(ordinal + 1, ordinal + 1 + count))
        batch = cls(header, frame, ordinals, list(range(line + 1, line + 1 + count)), **options)
        batch._consecutive = ordinals
        return batch

    def first_ordinal(self) -> int | None:
        """The first ordinal if the batch's ordinals are known to be consecutive (built by
        :meth:`numbered`, the list not replaced since), else None."""
        ordinals = self.ordinals
        if ordinals and ordinals is self._consecutive:
            first = ordinals[0]
            if ordinals[-1] - first == len(ordinals) - 1:
                return first
        return None

    def prepared(self, key: object, work: Callable[[Any], Any]) -> Any:
        """``work(frame)``, taken from the reading thread when it did it already.

        ``work`` must only read the frame (and immutable state of its own): the read does it
        (under ``key``) on the frame of every batch it makes from now on, in its own thread,
        while the engines check this one. An exception it raises there is dropped, and
        ``work`` is called again here, where the exception is raised.
        """
        if self.ahead is not None:
            self.ahead.want(key, work)
        done = self._prepared.get(key, _NOT_DONE) if self._prepared else _NOT_DONE
        return work(self.frame) if done is _NOT_DONE else done

    def select_ahead(self, key: object, exprs: Sequence[Any], then: Sequence[Any] = ()) -> Any:
        """``frame.select(exprs).with_columns(then)``, done ahead as :meth:`prepared` does
        (``key``: the same for the same expressions)."""
        return self.prepared(key, _Select(tuple(exprs), tuple(then)))

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


_NOT_DONE = object()


@dataclass(frozen=True, slots=True)
class _Select:
    """A select and the columns computed from its result, as work on a frame."""

    exprs: tuple[Any, ...]
    then: tuple[Any, ...]

    def __call__(self, frame: Any) -> Any:
        out = frame.select(self.exprs)
        return out.with_columns(self.then) if self.then else out


class AheadWork:
    """The work engines want done on every batch frame of one read (see
    :meth:`ColumnarBatch.prepared`); the reading thread does it on each batch it makes.

    ``want`` (engine thread) replaces the mapping, ``prepare`` (reading thread) reads a
    snapshot of it: no lock needed.
    """

    __slots__ = ("_wanted",)

    def __init__(self) -> None:
        self._wanted: dict[object, Callable[[Any], Any]] = {}

    def want(self, key: object, work: Callable[[Any], Any]) -> None:
        if key not in self._wanted:
            self._wanted = {**self._wanted, key: work}

    def prepare(self, frame: Any) -> dict[object, Any]:
        out: dict[object, Any] = {}
        for key, work in self._wanted.items():
            try:
                out[key] = work(frame)
            except Exception:  # the engine does it itself and meets the error there
                continue
        return out


class ColumnarRead:
    """One columnar read of one source; falls back to the Python reader (``parent``)."""

    def __init__(self, parent: _CsvRead, dialect: CsvDialect, sample: bytes) -> None:
        self.parent = parent
        self.dialect = dialect
        self.sample = sample
        size = parent.options.batch_size
        self.batch_rows = COLUMNAR_BATCH_ROWS if size == DEFAULT_BATCH_SIZE else max(1, size)
        self.ahead = AheadWork()

    # -- the header ----------------------------------------------------------------------

    def _header(self, data: bytes) -> tuple[list[str], int] | None:
        """The header row and the bytes it took, if it is a plain first line."""
        return plain_header(data, "utf-8", self.dialect.delimiter)

    # -- blocks --------------------------------------------------------------------------

    def _frame(self, block: bytes, width: int) -> Any | None:
        """The block as a frame of texts, or None if it is not provably simple."""
        return simple_frame(block, width, self.dialect.delimiter)

    def _blocks(
        self, width: int, consumed: int, pending: bytes, block_bytes: int
    ) -> Iterator[tuple[Any, ...]]:
        """The rest of the source as batch frames, read, parsed and prepared ahead (this runs
        in the reading thread, see :class:`_Ahead`): ``("frame", frame, bytes of the source
        up to the end of its block, work done)``, ``("unreadable", OSError)`` where a read
        failed (the source ends there), and last, on a block that is not provably simple,
        ``("fallback", bytes read past the last frame)``.
        """
        stream = self.parent.stream
        parts = [pending]
        size = len(pending)
        eof = False
        rows = self.batch_rows
        while True:
            while size < block_bytes and not eof:
                try:
                    more = stream.read(block_bytes)
                except OSError as exc:
                    yield ("unreadable", exc)
                    more = b""
                if not more:
                    eof = True
                    break
                parts.append(more)
                size += len(more)
            if not size:
                return
            block, rest = _whole_lines(parts, eof)
            parts, size = [rest], len(rest)
            cut = len(block)
            frame = self._frame(block, width) if cut else None
            if frame is None:
                yield ("fallback", block + rest)
                return
            del block
            consumed += cut
            for start in range(0, frame.height, rows):
                yield ("frame", frame.slice(start, rows), consumed)

    def _prepared(self, blocks: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """The items of ``blocks`` (see :meth:`_blocks`, run in a thread of its own), each
        frame with the engines' work on it done (``("frame", frame, bytes, work done)``).
        This runs in a second thread, so that parsing the next block and screening this one
        overlap; the parsing thread starts with it and is stopped when it is closed."""
        items = _Ahead(blocks)
        try:
            for item in items:
                if item[0] == "frame":
                    item = (*item, self.ahead.prepare(item[1]))
                yield item
        finally:
            items.close()

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
        consumed = skip + used  # bytes of the source before the next block
        sample_lines = max(1, data.count(b"\n"))
        block_bytes = min(_MAX_BLOCK, max(_MIN_BLOCK, len(data) // sample_lines * self.batch_rows))
        line, ordinal = 1, 0
        first = True
        ahead = _Ahead(self._prepared(self._blocks(width, consumed, data[consumed:], block_bytes)))
        try:
            for item in ahead:
                if item[0] == "unreadable":
                    parent.findings.append(parent.unreadable(item[1]))
                    continue
                if item[0] == "fallback":
                    ahead.close()  # the reading thread is done with the stream
                    yield from self._python_resume(header, line, ordinal, consumed, item[1])
                    return
                piece, consumed, prepared = item[1], item[2], item[3]
                batch = ColumnarBatch.numbered(
                    header,
                    piece,
                    ordinal,
                    line,
                    findings=parent.findings if first else None,
                    position=consumed,
                    header_line=1,
                    empty_is_null=True,
                    ahead=self.ahead,
                    prepared=prepared,
                )
                batch.encoding = parent.encoding
                if first:
                    parent.findings, first = [], False
                line += piece.height
                ordinal += piece.height
                yield batch
        finally:
            ahead.close()
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


def _whole_lines(parts: list[bytes], eof: bool) -> tuple[bytes, bytes]:
    """``b"".join(parts)`` cut after its last newline (all of it at the end of the source):
    the block of whole lines and the rest. Copies the block once (no joined buffer that is
    sliced again) when the last part holds the last newline, as it does but for huge lines."""
    last = parts[-1]
    end = last.rfind(b"\n") + 1
    if eof or (last and end == len(last)):
        return b"".join(parts), b""
    if end:
        return b"".join([*parts[:-1], memoryview(last)[:end]]), last[end:]
    buffer = b"".join(parts)
    cut = buffer.rfind(b"\n") + 1
    return buffer[:cut], buffer[cut:]


class _Ahead(Iterator[Any]):
    """Runs an iterator in a background thread, one item ahead of its consumer.

    The columnar reader reads and parses the next block (file reads, numpy scans and polars'
    CSV parser all release the GIL) while the engines check the current one, so both cores
    work. The thread starts on an item only once the consumer has let go of the one before
    the item it holds, so at most two items (the one in use, the next one) exist at a time:
    memory stays bounded by two blocks. An exception in the thread is raised in the consumer.
    :meth:`close` stops the thread (it finishes the item in hand) and waits for it, so that
    no read of the source happens after it returns.
    """

    def __init__(self, items: Iterator[Any]) -> None:
        self._queue: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
        #: items the thread may still make: the one in use and the next one
        self._slots = threading.Semaphore(2)
        self._held = False
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(
            target=self._run, args=(items,), name="govstd-csv-ahead", daemon=True
        )
        self._thread.start()

    def _run(self, items: Iterator[Any]) -> None:
        try:
            while self._acquire():
                try:
                    item = next(items)
                except StopIteration:
                    self._queue.put((False, None))
                    return
                self._queue.put((True, item))
        except BaseException as exc:  # handed to the consumer, raised there
            self._queue.put((False, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def _acquire(self) -> bool:
        while not self._stop.is_set():
            if self._slots.acquire(timeout=0.05):
                return True
        return False

    def __next__(self) -> Any:
        if self._done:
            raise StopIteration
        if self._held:  # the consumer is done with its item: the thread may make another
            self._held = False
            self._slots.release()
        ok, item = self._queue.get()
        if ok:
            self._held = True
            return item
        self._done = True
        if item is None:
            raise StopIteration
        raise item

    def close(self) -> None:
        """Stop the thread and wait for it."""
        self._done = True
        self._stop.set()
        self._thread.join()
