"""What readers produce: sources, batches, and the Reader protocol.

Records move through govstd in *batches*, never as a whole file: a reader yields a batch
of some thousands of records at a time. Flat data comes as a :class:`TableBatch` (rows of
cell texts under one header), nested data as a :class:`DocumentBatch` (parsed documents).
A reader never raises on bad data: a malformed line or an undecodable row becomes a
finding in the batch's ``findings``. A record that could not be parsed at all is *not* in
``rows``/``records``; its ordinal goes into ``unreadable`` instead, and the pipeline counts
it as rejected, so nothing is silently lost. Ordinals are contiguous across a source.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.findings import Finding

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DocumentBatch",
    "ReadOptions",
    "Reader",
    "Source",
    "TableBatch",
]

DEFAULT_BATCH_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Source:
    """One input: a file path, or standard input when ``path`` is None."""

    name: str
    path: Path | None = None
    stream: IO[bytes] | None = None

    @classmethod
    def from_arg(cls, arg: str | Path, stdin: IO[bytes] | None = None) -> Source:
        if str(arg) == "-":
            return cls(name="<stdin>", path=None, stream=stdin or sys.stdin.buffer)
        path = Path(arg)
        return cls(name=str(arg), path=path)

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower() if self.path is not None else ""

    def open(self) -> IO[bytes]:
        """Open the source for binary reading (the caller closes it)."""
        if self.path is None:
            assert self.stream is not None
            return self.stream
        return self.path.open("rb")

    def size(self) -> int | None:
        if self.path is None:
            return None
        try:
            return self.path.stat().st_size
        except OSError:
            return None


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read a source; ``None`` means "detect"."""

    encoding: str | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    #: CSV only: the Table Schema dialect the schema declares, if any.
    dialect: dict[str, Any] | None = None
    #: longest line/record in bytes that is parsed; longer ones become findings
    max_line_bytes: int = 64 * 1024 * 1024


@dataclass(slots=True)
class TableBatch:
    """Rows of a table, as the cell texts that were read.

    ``header`` is the header row (the same list object in every batch of a source);
    ``rows[i]`` is the record with ordinal ``ordinals[i]`` (1-based data row number) that
    starts on physical line ``lines[i]``.
    """

    header: Sequence[str]
    rows: list[list[str]]
    ordinals: list[int]
    lines: list[int]
    findings: list[Finding] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)
    #: how many bytes of the source were consumed so far (for progress), if known
    position: int | None = None
    #: line of the header row (1 unless blank lines precede it)
    header_line: int = 1
    #: the character encoding the source was decoded with, when the reader knows it
    encoding: str | None = None


@dataclass(slots=True)
class DocumentBatch:
    """Parsed documents (JSON values, XML elements …), one per record."""

    records: list[Any]
    ordinals: list[int]
    lines: list[int | None]
    findings: list[Finding] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)
    position: int | None = None
    #: the character encoding the source was decoded with, when the reader knows it
    encoding: str | None = None
    #: ``False`` when the reader knows that no record holds a ``null`` or ``""`` value anywhere
    #: (the JSON Lines reader: none of the batch's bytes reads ``null`` or ``""``)
    maybe_empty: bool = True


Batch = TableBatch | DocumentBatch


@runtime_checkable
class Reader(Protocol):
    """Turns a :class:`Source` into batches. Registered through ``govstd_readers``."""

    #: the value of ``--input-format`` that selects this reader
    name: str
    #: file extensions (lower case, with the dot) this reader claims
    extensions: Sequence[str]
    #: ``"table"`` or ``"documents"``
    kind: Literal["table", "documents"]

    def read(
        self, source: Source, options: ReadOptions, catalogue: Catalogue
    ) -> Iterator[TableBatch] | Iterator[DocumentBatch]:
        """Yield batches. Never raises on bad data; raises ``UsageError`` when the source
        cannot be opened at all."""
        ...
