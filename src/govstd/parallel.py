"""Parallel batches: a big JSON Lines source parsed and checked by worker processes.

The validate pipeline reads a source batch by batch and checks each batch with every plan's
checker (:func:`govstd.validation._validate_source`). When every plan is *stateless* (see
:func:`govstd.engines.base.is_stateless`: the JSON Schema plan is; Table Schema plans with
primary keys or ``unique`` rules are not), the batches are independent, and
:func:`pooled_batches` has worker processes read, parse and check them; the main process
consumes the results **in order**, so findings, counts, field statistics and progress are
exactly those of one process (``tests/test_parallel_jsonl.py`` compares whole reports).

How a source is cut:

* The main process cuts the file after the first line break at or past every 4 MiB (a short
  read at each cut: it does not read the file through): *stretches* of whole lines.
* A worker reads its stretch with the JSON Lines reader itself
  (:meth:`govstd.formats.jsonl.JsonLinesReader.stretch`), from the file, at its own pace,
  numbering lines and records from the stretch's start and cutting a batch every
  ``batch_size`` records of the stretch (without the scans for ``null`` and ``""`` by which
  the reader vouches for ``DocumentBatch.maybe_empty``: the main process never sees those
  batches). Each batch is checked there (the pipeline's own check function) and comes back
  small: its findings, the records those findings are about, and, for the field statistics,
  the order in which its fields first appear and how many other records fill each (counted as
  :class:`govstd.fieldstats.FieldObserver` counts), with the stretch's count of lines.
* The main process takes the results in order and shifts their record and line numbers by
  the lines of the stretches before (:func:`_shift`). That holds while every line is a record
  and the reader itself found nothing (its findings' messages name lines): a worker reports
  whether its stretch was so; from the first that was not, the main process stops the
  workers and reads the rest of the source itself, from that stretch's start, exactly as one
  process would. Batches are cut at other places than one process would cut them; what a
  report holds does not depend on where (findings are in record order either way).

Workers are forked (Linux), only when no other thread runs (a polars thread pool, say, would
not survive a fork): otherwise, or for standard input, small sources (under
:data:`MIN_POOLED_BYTES`), adapters, ``--standard ID@detect`` or a stateful plan, the source is
read in one process as before. What exists at the fork is frozen (:func:`gc.freeze`) while
the workers start, so their garbage collections never walk, and so copy, the pages they share
with the main process. A worker that dies raises :class:`ParallelError` at once (the
main process waits on its results and its exit together, so it never hangs); an error raised
while checking (a ``$ref`` that cannot be resolved …) is raised in the main process as is.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import threading
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from itertools import chain, compress, islice, repeat
from operator import ne
from typing import IO, TYPE_CHECKING, Any

from govstd.engines.base import is_stateless
from govstd.exceptions import GovstdError
from govstd.formats.base import DocumentBatch, ReadOptions, Source

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import BaseContext
    from multiprocessing.process import BaseProcess

    from govstd.catalogue import Catalogue
    from govstd.engines.base import Plan
    from govstd.findings import Finding

__all__ = ["MIN_POOLED_BYTES", "ParallelError", "pooled_batches", "usable_cores"]

#: sources smaller than this are read in one process (starting workers costs ~50 ms)
MIN_POOLED_BYTES = 8 * 1024 * 1024
#: the main process cuts the source about this often
_STRETCH = 4 * 1024 * 1024
#: stretches queued ahead per worker
_AHEAD = 2
#: bytes read at a time to find where a stretch ends
_PROBE = 64 * 1024

CheckBatch = Callable[[Sequence[Any], Any], list["Finding"]]


class ParallelError(GovstdError):
    """A worker process stopped without finishing its work."""


def usable_cores() -> int:
    """How many cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def pooled_batches(
    reader: Any,
    source: Source,
    options: ReadOptions,
    catalogue: Catalogue,
    plans: Sequence[Plan],
    checkers: Sequence[Any],
    check: CheckBatch,
    *,
    workers: int | None,
    observer: Any = None,
) -> Iterator[tuple[DocumentBatch, list[Finding]]] | None:
    """The checked batches of ``source``, read and checked by worker processes, or ``None``
    when the source is read in one process (see the module's docstring for when).

    Yields ``(batch, findings)`` in source order, as ``check(checkers, batch)`` would give
    them for the reader's own batches. A batch holds the records its findings are about; the
    others are ``None`` (their field statistics have been given to ``observer`` already, just
    before the batch is yielded, see :func:`_observe_rest`).
    """
    count = usable_cores() if workers is None else workers
    if count <= 1 or source.path is None or not hasattr(reader, "stretch"):
        return None
    size = source.size()
    if size is None or size < MIN_POOLED_BYTES:
        return None
    if not plans or not all(is_stateless(plan) for plan in plans):
        return None
    if observer is not None and not isinstance(getattr(observer, "filled", None), Counter):
        return None
    context = _fork_context()
    if context is None:
        return None
    try:
        reader.stretch(source, options, catalogue, first_line=0, first_ordinal=0)
    except GovstdError:
        return None  # an encoding it cannot read: the one-process read says so
    nonempty = frozenset().union(*(_nonempty(plan) for plan in plans))
    job = _Job(reader, source, options, catalogue, plans, check, nonempty)
    count = min(count, -(-size // _STRETCH))  # no more workers than stretches
    return _run(job, context, count, checkers, observer)


def _nonempty(plan: Plan) -> frozenset[str]:
    fields = getattr(plan, "nonempty_fields", None)
    return fields if isinstance(fields, frozenset) else frozenset()


def _fork_context() -> BaseContext | None:
    """A fork context when forking is safe here (Linux, no other thread), else ``None``."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return None
    if "polars" in sys.modules:  # its thread pool may run, unseen by ``threading``
        return None
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _Job:
    """What a worker needs (inherited through the fork, never pickled)."""

    reader: Any
    source: Source
    options: ReadOptions
    catalogue: Catalogue
    plans: Sequence[Plan]
    check: CheckBatch
    #: fields no valid record holds ``None`` or ``""`` in (some plan's ``nonempty_fields``)
    nonempty: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Stretch:
    """Whole lines ``start`` to ``end`` (``None``: the end of the file) of the source."""

    start: int
    end: int | None


@dataclass(slots=True)
class _Checked:
    """One checked batch, as it travels back from a worker."""

    first: int  # records before the batch
    count: int  # readable and unreadable records in the batch
    unreadable: list[int]
    findings: list[Finding]
    shipped: dict[int, Any]  # index in the batch's records -> record (the ones findings are about)
    keys: list[str]  # fields in order of first appearance
    filled: dict[str, int]  # filled fields among the records not shipped
    position: int | None
    encoding: str | None


@dataclass(slots=True)
class _Done:
    """A worker's result for one stretch, numbered from the stretch's start."""

    #: every line was a record and the reader found nothing of its own (the findings whose
    #: messages name a line): the results hold once shifted by the records before
    clean: bool
    lines: int = 0  # lines in the stretch (records too, when clean)
    batches: list[_Checked] = field(default_factory=list)


# -- the main process ------------------------------------------------------------------------


def _run(
    job: _Job,
    context: BaseContext,
    count: int,
    checkers: Sequence[Any],
    observer: Any,
) -> Iterator[tuple[DocumentBatch, list[Finding]]]:
    assert job.source.path is not None
    workers: list[tuple[BaseProcess, Connection]] = []
    try:
        # what exists now, the workers only read: out of the collector's sight, their garbage
        # collections do not touch (and so copy) the pages they share with this process
        # (when someone froze objects already, what this adds stays frozen until they thaw)
        freezing = gc.get_freeze_count() == 0
        gc.freeze()
        try:
            for _ in range(count):
                mine, theirs = context.Pipe()
                process = context.Process(target=_serve, args=(job, theirs), daemon=True)
                process.start()
                theirs.close()
                workers.append((process, mine))
        except OSError:  # no process can be started (memory, limits): read it here
            _stop(workers)
            yield from _read_rest(job, checkers, 0, 0)
            return
        finally:
            if freezing:
                gc.unfreeze()
        stretches = _stretches(job.source.path)
        waiting: deque[tuple[int, _Stretch]] = deque()
        for sent, stretch in enumerate(islice(stretches, count * _AHEAD)):
            _send(workers[sent % count], stretch, job.source)
            waiting.append((sent % count, stretch))
        before = 0  # lines (and records: every stretch so far was clean) before the next
        while waiting:
            number, done_stretch = waiting.popleft()
            done = _receive(workers[number], job.source)
            stretch = next(stretches, None)
            if stretch is not None:
                _send(workers[number], stretch, job.source)
                waiting.append((number, stretch))
            if not done.clean:  # a blank line or a reader's finding: the rest is read here
                _stop(workers)
                yield from _read_rest(job, checkers, done_stretch.start, before)
                return
            for part in done.batches:
                _shift(part, before)
                if observer is not None:
                    _observe_rest(observer, job.source, part)
                yield _batch_of(part), part.findings
            before += done.lines
    finally:
        _stop(workers)


def _shift(checked: _Checked, records: int) -> None:
    """Number a batch checked from its stretch's start as in the whole source, in place:
    ``records`` records (and lines) come before the stretch."""
    if not records:
        return
    checked.first += records
    checked.unreadable = [ordinal + records for ordinal in checked.unreadable]
    for finding in checked.findings:
        if finding.record is not None:
            finding.record += records
        line = finding.location.line
        if line is not None:
            finding.location = replace(finding.location, line=line + records)


def _died(process: BaseProcess, source: Source) -> ParallelError:
    process.join(timeout=2)
    return ParallelError(
        f"a worker process checking {source.name} stopped unexpectedly "
        f"(exit code {process.exitcode}); try again with --workers 1"
    )


def _send(worker: tuple[BaseProcess, Connection], stretch: _Stretch, source: Source) -> None:
    try:
        worker[1].send(stretch)
    except OSError:  # the worker is gone
        raise _died(worker[0], source) from None


def _receive(worker: tuple[BaseProcess, Connection], source: Source) -> _Done:
    """The next result of ``worker``; raises when it failed or died."""
    from multiprocessing.connection import wait

    process, connection = worker
    wait([connection, process.sentinel])
    try:
        status, payload = connection.recv()
    except (EOFError, OSError):
        raise _died(process, source) from None
    if status == "error":
        raise payload
    done: _Done = payload
    return done


def _stop(workers: list[tuple[BaseProcess, Connection]]) -> None:
    for _process, connection in workers:
        with suppress(OSError, ValueError):
            connection.send(None)
    for process, connection in workers:
        process.join(timeout=2)
        if process.is_alive():
            process.terminate()
            process.join(timeout=2)
        connection.close()
    workers.clear()


def _stretches(path: Any) -> Iterator[_Stretch]:
    """Cut the file after the first line break at or past every ~4 MiB: a short read at each
    cut, the file is not read through here (each worker counts the lines of its own)."""
    with open(path, "rb", buffering=0) as handle:
        start = 0
        while True:
            cut = _break_after(handle, start + _STRETCH)
            if cut is None:
                if handle.seek(0, os.SEEK_END) > start:
                    yield _Stretch(start, None)
                return
            yield _Stretch(start, cut)
            start = cut


def _break_after(handle: IO[bytes], offset: int) -> int | None:
    """The offset just past the first line break at or after ``offset``, or ``None`` when the
    file has none there."""
    handle.seek(offset)
    while True:
        data = handle.read(_PROBE)
        if not data:
            return None
        found = data.find(b"\n")
        if found >= 0:
            return offset + found + 1
        offset += len(data)


def _batch_of(checked: _Checked) -> DocumentBatch:
    """The batch the pipeline sees: the shipped records in place, ``None`` elsewhere."""
    first, count = checked.first, checked.count
    if checked.unreadable:
        skipped = set(checked.unreadable)
        ordinals = [o for o in range(first + 1, first + count + 1) if o not in skipped]
    else:
        ordinals = list(range(first + 1, first + count + 1))
    records: list[Any] = [None] * len(ordinals)
    for index, record in checked.shipped.items():
        records[index] = record
    # every line is a record here, so a record's line is its ordinal
    return DocumentBatch(
        records,
        ordinals,
        list(ordinals),
        [],
        list(checked.unreadable),
        checked.position,
        checked.encoding,
    )


def _observe_rest(observer: Any, source: Source, checked: _Checked) -> None:
    """Give ``observer`` what it would have counted in the records that are not shipped.

    The batch's fields go first, in order of first appearance (as one record whose values
    are all ``None``: it fills nothing); then the filled counts of the records left out.
    The shipped records are counted by the observer itself when it sees the batch.
    """
    if checked.keys:
        order = DocumentBatch([dict.fromkeys(checked.keys)], [0], [None])
        observer.observe(source.name, order, [])
    if checked.filled:
        observer.filled.update(checked.filled)


def _read_rest(
    job: _Job, checkers: Sequence[Any], start: int, first_line: int
) -> Iterator[tuple[DocumentBatch, list[Finding]]]:
    """The source from ``start`` (a batch boundary after ``first_line`` lines, each a record)
    to its end, read and checked in this process."""
    assert job.source.path is not None
    read = job.reader.stretch(
        job.source, job.options, job.catalogue, first_line=first_line, first_ordinal=first_line
    )
    with open(job.source.path, "rb") as handle:
        handle.seek(start)
        for batch in read.batches(handle):
            if batch.position is not None:
                batch.position += start
            yield batch, job.check(checkers, batch)


# -- a worker process ------------------------------------------------------------------------


def _serve(job: _Job, connection: Connection) -> None:
    """Check stretch after stretch until told to stop (``None``)."""
    checkers = [plan.open(job.source.name) for plan in job.plans]
    assert job.source.path is not None
    with open(job.source.path, "rb") as handle:
        while True:
            try:
                stretch = connection.recv()
            except (EOFError, OSError):
                return
            if stretch is None:
                return
            try:
                result: tuple[str, Any] = ("ok", _check_stretch(job, checkers, handle, stretch))
            except Exception as exc:  # raised in the main process, as one process would
                result = ("error", _portable(exc))
            try:
                connection.send(result)
            except (OSError, ValueError):
                return


def _portable(exc: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return GovstdError(f"{type(exc).__name__}: {exc}")
    return exc


def _check_stretch(job: _Job, checkers: list[Any], handle: IO[bytes], stretch: _Stretch) -> _Done:
    start = stretch.start
    end = os.fstat(handle.fileno()).st_size if stretch.end is None else stretch.end
    # numbered from the stretch's start (the main process shifts the numbers); the main
    # process never sees these batches' ``maybe_empty`` (see :func:`_batch_of`)
    read = job.reader.stretch(
        job.source, job.options, job.catalogue, first_line=0, first_ordinal=0, vouch_empty=False
    )
    handle.seek(start)
    done = _Done(clean=True)
    for batch in read.batches(_Bounded(handle, end - start)):
        if batch.findings:  # the reader's own (their messages name lines): not shiftable
            done.clean = False
        findings = job.check(checkers, batch)
        done.batches.append(_compact(batch, findings, start, job.nonempty))
    done.lines = read.line
    done.clean = done.clean and read.line == read.ordinal
    return done


class _Bounded:
    """The next ``remaining`` bytes of a binary file, as a readable stream."""

    def __init__(self, handle: IO[bytes], remaining: int) -> None:
        self.handle = handle
        self.remaining = remaining

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        wanted = self.remaining if size < 0 else min(size, self.remaining)
        data = self.handle.read(wanted)
        self.remaining -= len(data)
        return data


def _compact(
    batch: DocumentBatch, findings: list[Finding], start: int, nonempty: frozenset[str]
) -> _Checked:
    """A checked batch, small: findings, the records they are about, field counts.

    The counts are :class:`~govstd.fieldstats.FieldObserver`'s over the records not shipped:
    per field, the dict records whose value is neither ``None`` nor ``""``. A record not
    shipped has no finding, so it is valid; in a field of ``nonempty`` (a plan promises that
    no valid record holds ``None`` or ``""`` there) having a value is filling it, and records
    are merely grouped by their fields (a tuple each, in C). Other fields are counted value by
    value (also in C).
    """
    records, ordinals, unreadable = batch.records, batch.ordinals, list(batch.unreadable)
    first = min(chain(ordinals[:1], unreadable[:1]), default=1) - 1
    shipped: dict[int, Any] = {}
    for finding in findings:
        ordinal = finding.record
        if ordinal is None or ordinal <= first:
            continue
        at = ordinal - first - 1 - bisect_left(unreadable, ordinal)
        if 0 <= at < len(ordinals) and ordinals[at] == ordinal:
            shipped[at] = records[at]
    documents = list(compress(records, map(isinstance, records, repeat(dict))))
    keys, filled = _holding(documents, nonempty)
    for key in keys:
        if key not in nonempty:
            values = list(map(dict.get, documents, repeat(key)))
            filled[key] = len(values) - values.count(None) - values.count("")
    for record in shipped.values():  # the main process counts these itself
        if isinstance(record, dict):
            for name, value in record.items():
                if name in nonempty or (value is not None and value != ""):
                    filled[name] -= 1
    count = len(ordinals) + len(set(unreadable).difference(ordinals))
    return _Checked(
        first=first,
        count=count,
        unreadable=unreadable,
        findings=findings,
        shipped=shipped,
        keys=keys,
        filled={name: n for name, n in filled.items() if n},
        position=None if batch.position is None else batch.position + start,
        encoding=batch.encoding,
    )


def _holding(
    documents: list[dict[str, Any]], nonempty: frozenset[str]
) -> tuple[list[str], Counter[str]]:
    """The fields of ``documents`` in order of first appearance, and for each field of
    ``nonempty`` how many documents hold it.

    Documents are grouped by their tuple of fields (in C). When the longest documents hold
    every field there is (the usual case: most records fill every field), those are only
    counted, by their length, and the others grouped, which spares a tuple per document.
    """
    filled: Counter[str] = Counter()
    if not documents:
        return [], filled
    lengths = list(map(len, documents))
    most = max(lengths)
    every: set[str] = set().union(*documents)
    if len(every) == most:
        # the first document of ``most`` fields is the first to complete the order
        first = lengths.index(most)
        keys = list(dict.fromkeys(chain.from_iterable(documents[: first + 1])))
        full = lengths.count(most)
        for key in keys:
            if key in nonempty:
                filled[key] = full
        shapes = Counter(map(tuple, compress(documents, map(ne, lengths, repeat(most)))))
    else:
        shapes = Counter(map(tuple, documents))
        keys = list(dict.fromkeys(chain.from_iterable(shapes)))
    for shape, times in shapes.items():
        for key in shape:
            if key in nonempty:
                filled[key] += times
    return keys, filled
