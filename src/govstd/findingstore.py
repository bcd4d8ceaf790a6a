"""A sequence of findings that keeps the first ones in memory and spills the rest to disk.

A run over a big file can keep hundreds of thousands of findings for its report
(``--max-findings``). :class:`FindingStore` holds them in order, in chunks: the first
``memory_limit`` findings stay in memory as :class:`~govstd.findings.Finding` objects; every
later chunk is pickled (as compact tuples) into one anonymous temporary file and read back, in
order, when the report is rendered. So the memory a report costs stops growing with the file.

The store behaves like a read-only sequence (``len``, indexing, slicing, iteration, ``==``
with a list) for every consumer of :attr:`Report.findings <govstd.report.Report.findings>`.
Findings read back from disk are fresh objects; changing one (a waiver or a baseline marks
findings in place) is kept when it is made while iterating over the store or through
``store[i]``: the store holds the chunk it last read and writes it back, if it changed, before
it reads another. A finding taken out of the store and changed later may lose the change.

The temporary file is created on the first spill, is anonymous where the system allows it
(else removed at once), and is closed by :meth:`FindingStore.close`, by leaving a ``with``
block, or when the store is garbage-collected.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import weakref
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, NamedTuple, overload

from govstd.findings import MISSING, Finding, Location, Severity

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_MEMORY_LIMIT",
    "FindingStore",
    "FindingsView",
    "iter_findings",
]

#: findings kept in memory before the store starts spilling (about 1 KB each)
DEFAULT_MEMORY_LIMIT = 5_000
#: findings per chunk: the unit written to and read back from the temporary file
CHUNK_SIZE = 1_024

_SEVERITIES = {severity.value: severity for severity in Severity}


class _Spilled(NamedTuple):
    """Where a chunk lies in the temporary file."""

    offset: int
    length: int
    count: int


def _optional(value: Any) -> tuple[Any, ...]:
    return () if value is MISSING else (value,)


def _row(finding: Finding) -> tuple[Any, ...]:
    where = finding.location
    return (
        finding.code,
        finding.severity.value,
        finding.message,
        finding.source,
        finding.record,
        where.line,
        where.column,
        where.pointer,
        where.field,
        where.xpath,
        finding.keyword,
        _optional(finding.value),
        _optional(finding.expected),
        finding.hint,
        finding.params,
        finding.waived,
        finding.baseline,
    )


def _finding(row: tuple[Any, ...]) -> Finding:
    value, expected = row[11], row[12]
    return Finding(
        row[0],
        _SEVERITIES[row[1]],
        row[2],
        row[3],
        row[4],
        Location(row[5], row[6], row[7], row[8], row[9]),
        row[10],
        value[0] if value else MISSING,
        expected[0] if expected else MISSING,
        row[13],
        row[14],
        row[15],
        row[16],
    )


def _encode(chunk: Sequence[Finding]) -> bytes | None:
    """The chunk as bytes, or None when a value cannot be pickled (the chunk stays in memory)."""
    try:
        return pickle.dumps([_row(f) for f in chunk], protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
        return None


def _decode(data: bytes) -> list[Finding]:
    return [_finding(row) for row in pickle.loads(data)]


def _close(handle: IO[bytes]) -> None:
    handle.close()


class FindingStore(Sequence[Finding]):
    """Findings in the order they were added; past ``memory_limit``, chunks go to disk.

    ``memory_limit`` is how many findings stay in memory (whole chunks, plus the chunk being
    filled; default :data:`DEFAULT_MEMORY_LIMIT`); ``0`` spills every full chunk of
    ``chunk_size`` findings (default :data:`CHUNK_SIZE`). ``directory`` is where the temporary
    file is created (default: the system's temporary directory).
    """

    def __init__(
        self,
        findings: Iterable[Finding] = (),
        *,
        memory_limit: int | None = None,
        chunk_size: int | None = None,
        directory: str | os.PathLike[str] | None = None,
    ) -> None:
        chunk_size = CHUNK_SIZE if chunk_size is None else chunk_size
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self.memory_limit = max(0, DEFAULT_MEMORY_LIMIT if memory_limit is None else memory_limit)
        self.chunk_size = chunk_size
        self._directory = directory
        self._chunks: list[list[Finding] | _Spilled] = []
        self._starts: list[int] = []  # index of each sealed chunk's first finding
        self._open: list[Finding] = []  # the chunk being filled (always in memory)
        self._sealed = 0  # findings in sealed chunks
        self._in_memory = 0  # findings in sealed chunks kept in memory
        self._file: IO[bytes] | None = None
        self._end = 0  # bytes written to the file
        self._finalizer: weakref.finalize | None = None
        self._closed = False
        #: the spilled chunk last read: (chunk index, its findings, the bytes they came from)
        self._cache: tuple[int, list[Finding], bytes] | None = None
        self.extend(findings)

    # -- adding ------------------------------------------------------------------------------

    def append(self, finding: Finding) -> None:
        """Add one finding at the end."""
        self._open.append(finding)
        if len(self._open) >= self.chunk_size:
            self._seal()

    def extend(self, findings: Iterable[Finding]) -> None:
        """Add findings at the end, in order."""
        for finding in findings:
            self.append(finding)

    def _seal(self) -> None:
        chunk, self._open = self._open, []
        self._starts.append(self._sealed)
        self._sealed += len(chunk)
        if self._in_memory + len(chunk) <= self.memory_limit:
            self._in_memory += len(chunk)
            self._chunks.append(chunk)
            return
        data = _encode(chunk)
        if data is not None:
            try:
                self._chunks.append(self._write(data, len(chunk)))
                return
            except OSError:  # no temporary file (disk full, no folder): keep it in memory
                pass
        self._in_memory += len(chunk)
        self._chunks.append(chunk)

    def _write(self, data: bytes, count: int) -> _Spilled:
        handle = self._handle()
        offset = self._end
        handle.seek(offset)
        view = memoryview(data)
        while view:
            written = handle.write(view) or 0
            view = view[written:]
            self._end += written
        return _Spilled(offset, len(data), count)

    def _handle(self) -> IO[bytes]:
        if self._closed:
            raise ValueError("the finding store is closed")
        if self._file is None:
            self._file = tempfile.TemporaryFile(  # noqa: SIM115 (closed by close/finalizer)
                prefix="govstd-findings-", dir=self._directory, buffering=0
            )
            self._finalizer = weakref.finalize(self, _close, self._file)
        return self._file

    # -- reading -----------------------------------------------------------------------------

    def _read(self, where: _Spilled) -> bytes:
        handle = self._handle()
        handle.seek(where.offset)
        parts: list[bytes] = []
        remaining = where.length
        while remaining:
            part = handle.read(remaining)
            if not part:
                raise OSError("the finding store's temporary file is shorter than expected")
            parts.append(part)
            remaining -= len(part)
        return b"".join(parts)

    def _chunk(self, index: int, *, keep: bool) -> list[Finding]:
        """The findings of sealed chunk ``index``; ``keep``: hold them as the cached chunk so
        that changes to them are written back."""
        chunk = self._chunks[index]
        if isinstance(chunk, list):
            return chunk
        if self._cache is not None and self._cache[0] == index:
            return self._cache[1]
        data = self._read(chunk)
        findings = _decode(data)
        if keep:
            self._write_back()
            self._cache = (index, findings, data)
        return findings

    def _write_back(self) -> None:
        """Store the cached chunk again if its findings were changed."""
        if self._cache is None:
            return
        index, findings, data = self._cache
        self._cache = None
        again = _encode(findings)
        if again == data:
            return
        if again is not None:
            try:
                self._chunks[index] = self._write(again, len(findings))
                return
            except OSError:
                pass
        self._chunks[index] = findings  # unpicklable after the change, or no disk: in memory
        self._in_memory += len(findings)

    def _iterate(self, *, keep: bool) -> Iterator[Finding]:
        for index in range(len(self._chunks)):
            yield from self._chunk(index, keep=keep)
        yield from self._open

    def __iter__(self) -> Iterator[Finding]:
        return self._iterate(keep=True)

    def readonly(self) -> Iterator[Finding]:
        """Iterate without holding chunks for write-back (faster; changes may be lost)."""
        return self._iterate(keep=False)

    def __len__(self) -> int:
        return self._sealed + len(self._open)

    def __bool__(self) -> bool:
        return len(self) > 0

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("finding index out of range")
        if index >= self._sealed:
            return self._open[index - self._sealed]
        chunk = bisect_right(self._starts, index) - 1
        return self._chunk(chunk, keep=True)[index - self._starts[chunk]]

    def __eq__(self, other: object) -> bool:
        return _equal(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<FindingStore: {len(self)} findings, {self.spilled} on disk>"

    def __reduce__(self) -> tuple[Any, ...]:
        # copies and pickles hold their findings in memory (a file handle cannot travel)
        return (list, (list(self.readonly()),))

    # -- state and lifetime ------------------------------------------------------------------

    @property
    def spilled(self) -> int:
        """How many findings are held on disk (not in memory) right now."""
        return self._sealed - self._in_memory

    def close(self) -> None:
        """Close and drop the temporary file. The findings on disk are gone afterwards; those
        in memory stay readable."""
        self._cache = None
        self._closed = True
        if self._finalizer is not None:
            self._finalizer()
        self._file = None

    def __enter__(self) -> FindingStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FindingsView(Sequence[Finding]):
    """Several finding sequences read as one (e.g. a report's notes, then its findings)."""

    def __init__(self, *parts: Sequence[Finding]) -> None:
        self._parts = parts

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)

    def __iter__(self) -> Iterator[Finding]:
        for part in self._parts:
            yield from part

    def readonly(self) -> Iterator[Finding]:
        """Iterate without write-back (see :meth:`FindingStore.readonly`)."""
        for part in self._parts:
            yield from iter_findings(part)

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        for part in self._parts:
            if 0 <= index < len(part):
                return part[index]
            index -= len(part)
        raise IndexError("finding index out of range")

    def __eq__(self, other: object) -> bool:
        return _equal(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<FindingsView: {len(self)} findings>"


def iter_findings(findings: Iterable[Finding]) -> Iterator[Finding]:
    """Iterate over any sequence of findings for reading only (no write-back of spilled
    chunks): the fast way for reporters."""
    readonly = getattr(findings, "readonly", None)
    return readonly() if readonly is not None else iter(findings)


def _equal(mine: FindingStore | FindingsView, other: object) -> Any:
    """``mine == other`` for the two read-only sequences: the same findings in the same order
    as another store, view, list or tuple."""
    if not isinstance(other, FindingStore | FindingsView | list | tuple):
        return NotImplemented
    if len(mine) != len(other):
        return False
    theirs = iter_findings(other)
    return all(finding == next(theirs) for finding in mine.readonly())
