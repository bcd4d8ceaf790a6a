"""The JSON Lines reader: one JSON document per line, streamed in batches.

How a source is read:

- **Streaming.** The bytes are read in 1 MiB blocks and split into lines, never the whole
  file; a batch holds ``ReadOptions.batch_size`` records (readable or not).
- **Parsing.** A UTF-8 line is parsed by orjson (about 4x the standard library) unless it
  holds a run of 19 or more digits (orjson turns integers beyond 64 bits into floats) or
  could nest deeper than the standard library can parse; any line orjson refuses, or that
  is not given to it, is parsed by the standard library, which alone produces blank-line,
  byte-order-mark, encoding and syntax results. So the records and findings are exactly
  those of ``json`` line by line (``tests/test_jsonschema_fast_jsonl.py`` checks this
  against the former line-by-line reader). Other encodings use the standard library.
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
import sys
from collections.abc import Iterator, Sequence
from itertools import repeat
from operator import add
from typing import IO, TYPE_CHECKING, Any, Literal

from govstd.exceptions import UsageError
from govstd.findings import Location
from govstd.formats.base import DocumentBatch, ReadOptions, Source
from govstd.formats.json import SyntaxProblem, codec_for, parse_document, source_finding

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.findings import Finding

__all__ = ["JsonLinesReader"]

#: bytes read at a time
_BLOCK = 1024 * 1024
_BLANK = b" \t\r\n"
_UNSET: Any = object()
_BLANK_LINE: Any = object()
_UNREADABLE: Any = object()
# Every byte but an ASCII digit becomes a space: a run of 19 zeros is a run of 19 digits.
_DIGITS = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
_LONG_RUN = b"0" * 19


def _has_long_number(data: bytes) -> bool:
    """Whether ``data`` holds a run of 19 or more ASCII digits.

    orjson turns an integer beyond the 64-bit range into a float (where the standard library
    keeps it exact) and such a literal has at least 19 digits; so has any number whose
    rounding could depend on the parser. Lines with such a run are parsed by the standard
    library. One ``translate`` and one ``find`` per block, in C.
    """
    return data.translate(_DIGITS).find(_LONG_RUN) >= 0


class _Offsets:
    """The offsets just past the first ``taken`` lines of ``pieces`` (which start at
    ``position``): each line with its line break, but for a last line that has none. Asked
    for growing ``taken`` (the batches cut from one block), so each line is summed once."""

    __slots__ = ("_base", "_done", "_end", "_open", "_pieces")

    def __init__(self, position: int, pieces: list[bytes], ends_with_newline: bool) -> None:
        self._pieces = pieces
        self._base = self._end = position
        self._done = 0
        self._open = not ends_with_newline

    def after(self, taken: int) -> int:
        if taken < self._done:  # asked backwards: sum from the start again
            self._end, self._done = self._base, 0
        done = self._done
        self._end += sum(map(len, self._pieces[done:taken])) + taken - done
        self._done = taken
        if taken == len(self._pieces) and self._open:
            return self._end - 1
        return self._end


def _nests_less(data: bytes, depth: int) -> bool:
    """Whether ``data`` has fewer than ``depth`` opening brackets (so nests less deep)."""
    return data.count(b"[") + data.count(b"{") < depth


def _parse_all(loads: Any, pieces: list[bytes], limit: int, depth: int) -> list[Any] | None:
    """Every line parsed by ``loads``, the loop in C; ``None`` when a line is too long, could
    nest ``depth`` deep, or is refused (then each line takes the line-by-line path)."""
    if not pieces:
        return None
    longest = max(map(len, pieces))
    if longest > limit:
        return None
    if longest >= 2 * depth:
        opened = map(
            add, map(bytes.count, pieces, repeat(b"[")), map(bytes.count, pieces, repeat(b"{"))
        )
        if max(opened) >= depth:
            return None
    try:
        return list(map(loads, pieces))
    except Exception:  # some line is not plain JSON for orjson: look line by line
        return None


def _orjson_loads() -> Any:
    """``orjson.loads``, or ``None`` when orjson is not installed."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency; the fallback is json
        return None
    return orjson.loads


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
        codec = _codec(options)
        try:
            stream = source.open()
        except OSError as exc:
            raise UsageError(f"cannot open {source.name}: {exc.strerror or exc}") from None
        try:
            yield from _JsonLinesRead(source, options, catalogue, codec).batches(stream)
        finally:
            if source.path is not None:
                stream.close()

    def stretch(
        self,
        source: Source,
        options: ReadOptions,
        catalogue: Catalogue,
        *,
        first_line: int,
        first_ordinal: int,
        vouch_empty: bool = True,
    ) -> _JsonLinesRead:
        """A read of one stretch of whole lines of ``source``, which starts after
        ``first_line`` lines holding ``first_ordinal`` records: ``.batches(stream)`` yields
        the batches :meth:`read` yields for those lines, cut where :meth:`read` cuts them
        (every ``batch_size`` records of the source), so the first and last batch may be
        parts of one; positions count from the stretch's start. Afterwards its ``line``,
        ``ordinal`` and ``position`` say how far it got. Used by :mod:`govstd.parallel` to
        read a source in parallel. With ``vouch_empty=False`` the batches do not look for
        ``null`` and ``""`` in their bytes (two scans of every block) and say every record may
        hold an empty value (``DocumentBatch.maybe_empty``), for a caller that never asks."""
        codec = _codec(options)
        return _JsonLinesRead(
            source,
            options,
            catalogue,
            codec,
            first_line=first_line,
            first_ordinal=first_ordinal,
            vouch_empty=vouch_empty,
        )


def _codec(options: ReadOptions) -> str:
    codec = codec_for(options) or "utf-8"
    if codec == "utf-8-sig":
        codec = "utf-8"
    if not _ascii_compatible(codec):
        raise UsageError(
            f"JSON Lines cannot be read as {codec}: a line break must be the byte \\n; "
            "convert the file to UTF-8"
        )
    return codec


class _JsonLinesRead:
    """The state of one read of one source."""

    def __init__(
        self,
        source: Source,
        options: ReadOptions,
        catalogue: Catalogue,
        codec: str,
        *,
        first_line: int = 0,
        first_ordinal: int = 0,
        vouch_empty: bool = True,
    ) -> None:
        self.source = source
        self.catalogue = catalogue
        self.codec = codec
        self.limit = max(1, options.max_line_bytes)
        self.batch_size = max(1, options.batch_size)
        #: bytes of the stream consumed, once :meth:`batches` is done
        self.position = 0
        #: the stream starts after this many lines and records of the source (a stream that
        #: is one stretch of whole lines of a source, as :mod:`govstd.parallel` reads it)
        self.first_line = first_line
        self.first_ordinal = first_ordinal
        #: the last line and record number read, once :meth:`batches` is done
        self.line = first_line
        self.ordinal = first_ordinal
        #: whether batches look for ``null`` and ``""`` to vouch for ``maybe_empty=False``
        self.vouch_empty = vouch_empty

    def finding(self, code: str, **kwargs: Any) -> Finding:
        return source_finding(self.catalogue, code, self.source, **kwargs)

    def batches(self, stream: IO[bytes]) -> Iterator[DocumentBatch]:
        """Read ``stream`` in blocks, split them into lines and parse each line.

        Same results as reading line by line: each line is parsed by orjson when the source
        is UTF-8 (see :func:`_orjson_loads`) and, when orjson refuses it, by the standard
        library exactly as before (blank lines, byte-order mark, encoding and syntax
        findings come from that path only).
        """
        records: list[Any] = []
        ordinals: list[int] = []
        lines: list[int | None] = []
        batch = DocumentBatch(records, ordinals, lines)
        unreadable = batch.unreadable
        line, ordinal = self.first_line, self.first_ordinal
        # records and unreadable records in the current batch; a batch ends every
        # ``batch_size`` records of the source, also when the read starts inside one
        count = ordinal % self.batch_size
        limit, batch_size = self.limit, self.batch_size
        fast = _orjson_loads() if self.codec == "utf-8" else None
        # The standard library refuses values nested deeper than the recursion limit allows;
        # orjson does not. A line nests at most half its length deep, and at most as deep as
        # it has brackets: orjson parses only lines that cannot nest ``depth`` deep.
        depth = sys.getrecursionlimit() // 2
        shallow = 2 * depth
        vouch_empty = self.vouch_empty
        position = 0  # bytes consumed through the last line handled
        pending: list[bytes] = []  # the start of a line that spans blocks
        pending_size = 0
        skipping: list[Any] | None = None  # [length, blank, line, bom] of an over-long line
        read = stream.read
        at_end = False
        while not at_end:
            try:
                block = read(_BLOCK)
            except OSError as exc:
                detail = exc.strerror or str(exc)
                batch.findings.append(self.finding("source.unreadable", detail=detail))
                break
            if not block:
                at_end = True
                if skipping is not None:
                    if not skipping[1]:
                        ordinal += 1
                        count += 1
                        batch.findings.append(self.too_long(ordinal, skipping[2], skipping[0]))
                        unreadable.append(ordinal)
                    skipping = None
                if not pending:
                    break
                block, pending, pending_size = b"".join(pending), [], 0
                pieces, joined = [block], b""
                ends_with_newline = False
            else:
                cut = block.rfind(b"\n")
                if skipping is not None:
                    # inside an over-long line: count it until its line break
                    head = block if cut < 0 else block[: block.find(b"\n")]
                    skipping[0] += len(head)
                    skipping[1] = skipping[1] and not head.strip(_BLANK)
                    if cut < 0:
                        position += len(block)
                        continue
                    first = block.find(b"\n")
                    position += first + 1
                    if not skipping[1]:
                        ordinal += 1
                        count += 1
                        batch.findings.append(self.too_long(ordinal, skipping[2], skipping[0]))
                        unreadable.append(ordinal)
                    skipping = None
                    block = block[first + 1 :]
                    cut = block.rfind(b"\n")
                    if count >= batch_size:
                        batch.position = position
                        yield batch
                        records, ordinals, lines = [], [], []
                        batch = DocumentBatch(records, ordinals, lines)
                        unreadable, count = batch.unreadable, 0
                if cut < 0:
                    pending.append(block)
                    pending_size += len(block)
                    if pending_size > limit:
                        # a line longer than the limit: never held whole
                        head = b"".join(pending)
                        pending, pending_size = [], 0
                        line += 1
                        position += len(head)
                        bom = (
                            line == 1 and head.startswith(codecs.BOM_UTF8) and self.codec == "utf-8"
                        )
                        if bom:
                            head = head[3:]
                        skipping = [len(head), not head.strip(_BLANK), line, bom]
                    continue
                # split the block as read (no copy of it): the last piece is the start of a
                # line the next block ends, the first ends the line the last block started
                pieces = block.split(b"\n")
                rest = pieces.pop()
                joined = b""
                if pending:
                    pending.append(pieces[0])
                    joined = pieces[0] = b"".join(pending)
                    pending, pending_size = [], 0
                if rest:
                    pending.append(rest)
                    pending_size = len(rest)
                ends_with_newline = True
            offsets = _Offsets(position, pieces, ends_with_newline)
            # Every line is whole in ``block`` but the first, which is whole in ``joined`` (when
            # it started in an earlier block): a pattern within one line is in one of them.
            # No null and no "" in the bytes: no record holds an empty value.
            hole = (
                (b"null" in block or b'""' in block or b"null" in joined or b'""' in joined)
                if vouch_empty
                else True
            )
            batch.maybe_empty = (batch.maybe_empty or hole) if records else hole
            # with a long digit run somewhere in the block, look for it line by line
            checked = (
                None
                if fast is not None and (_has_long_number(block) or _has_long_number(joined))
                else fast
            )
            values = _parse_all(checked, pieces, limit, depth) if checked is not None else None
            if values is not None:
                # every line of the block is one JSON value orjson parsed (no blank line, no
                # byte-order mark, nothing too long or deep): no Python runs per line
                total, start = len(values), 0
                while start < total:
                    taken = values[start : start + batch_size - count]
                    size = len(taken)
                    records.extend(taken)
                    ordinals.extend(range(ordinal + 1, ordinal + size + 1))
                    lines.extend(range(line + 1, line + size + 1))
                    ordinal, line, count, start = (
                        ordinal + size,
                        line + size,
                        count + size,
                        start + size,
                    )
                    if count >= batch_size:
                        batch.position = offsets.after(start)
                        yield batch
                        records, ordinals, lines = [], [], []
                        batch = DocumentBatch(records, ordinals, lines, maybe_empty=hole)
                        unreadable, count = batch.unreadable, 0
                position = offsets.after(len(pieces))
                continue
            last = len(pieces) - 1
            for index, raw in enumerate(pieces):
                line += 1
                value: Any = _UNSET
                size = len(raw)
                if size <= limit:
                    if fast is not None and (size < shallow or _nests_less(raw, depth)):
                        if checked is not None:
                            try:
                                value = checked(raw)
                            except Exception:  # orjson refused: the standard library decides
                                value = _UNSET
                        elif not _has_long_number(raw):
                            try:
                                value = fast(raw)
                            except Exception:
                                value = _UNSET
                    if value is _UNSET:
                        had_newline = ends_with_newline or index < last
                        value = self.parse_line(raw, line, had_newline, ordinal + 1, batch)
                        if value is _BLANK_LINE:
                            continue
                else:
                    bom = line == 1 and raw.startswith(codecs.BOM_UTF8) and self.codec == "utf-8"
                    body = raw[3:] if bom else raw
                    if not body.strip(_BLANK):
                        continue
                    value = _UNREADABLE
                    batch.findings.append(self.too_long(ordinal + 1, line, len(body)))
                ordinal += 1
                count += 1
                if value is _UNREADABLE:
                    unreadable.append(ordinal)
                else:
                    records.append(value)
                    ordinals.append(ordinal)
                    lines.append(line)
                if count >= batch_size:
                    batch.position = offsets.after(index + 1)
                    yield batch
                    records, ordinals, lines = [], [], []
                    batch = DocumentBatch(records, ordinals, lines, maybe_empty=hole)
                    unreadable, count = batch.unreadable, 0
            position = offsets.after(len(pieces))
        self.position, self.line, self.ordinal = position, line, ordinal
        if ordinal == 0:
            batch.findings.append(
                self.finding("source.empty", message=f"{self.source.name} holds no records")
            )
        if records or batch.unreadable or batch.findings:
            batch.position = position
            yield batch

    def parse_line(
        self, raw: bytes, line: int, had_newline: bool, ordinal: int, batch: DocumentBatch
    ) -> Any:
        """The value of one line the standard library parses, ``_BLANK_LINE`` or
        ``_UNREADABLE`` (with its findings added to ``batch``)."""
        if line == 1 and raw.startswith(codecs.BOM_UTF8) and self.codec == "utf-8":
            raw = raw[3:]
        if not raw.strip(_BLANK):
            return _BLANK_LINE
        if had_newline and raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            text = raw.decode(self.codec)
        except UnicodeDecodeError as exc:
            text = raw.decode(self.codec, errors="replace")
            batch.findings.append(self.undecodable(raw, exc, ordinal, line))
        try:
            return parse_document(text)
        except SyntaxProblem as exc:
            batch.findings.append(self.syntax(exc, ordinal, line))
            return _UNREADABLE

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
