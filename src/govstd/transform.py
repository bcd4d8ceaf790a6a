"""The transform pipeline: vendor feed → adapter → validation plans → writer + rejects.

``govstd transform`` (and :meth:`govstd.Session.transform`) reads a vendor feed through an
adapter (:mod:`govstd.adapters`), checks every canonical record with the standard's compiled
plans, and writes each record that passed or was fixed to the output — canonical records in
the standard's field order (JSON Lines, JSON, CSV …), or, with ``to_adapter``, another
vendor's layout. Every other record goes to the *rejects* file, verbatim as read (the
vendor's cells), with its source line and every finding, as JSON Lines.

Accounting: every record read is written or rejected, ``records == written + rejected``,
where ``written == passed + fixed``. A record is *fixed* when an adapter changed at least one
of its values (a ``fix.*`` info finding) and nothing is wrong with it; *rejected* when it has
an error finding (from the adapter, the standard, or the target layout) or could not be read.

Output is atomic: each file is written to a temporary file beside it and renamed into place
only when the whole feed is done; after an error or Ctrl-C no half-written file is left.
Memory stays bounded: records move in batches.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import compress
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from govstd.adapters.model import relocate_findings
from govstd.adapters.model import without_shadowed as adapter_without_shadowed
from govstd.atomicfile import atomic_output
from govstd.exceptions import SetupError, UsageError
from govstd.findings import Finding, Location, Severity
from govstd.formats.base import DEFAULT_BATCH_SIZE, ReadOptions, Source
from govstd.formats.writers import write_records
from govstd.report import Report, SourceStats

if TYPE_CHECKING:
    from govstd.adapters.model import Adapter
    from govstd.catalogue import Catalogue
    from govstd.session import Session
    from govstd.standard import Standard
    from govstd.versions.migrate import MigrationChain

__all__ = [
    "MigratingReader",
    "TransformOptions",
    "TransformResult",
    "adapter_chain",
    "atomic_output",
    "run_transform",
    "without_shadowed",
]

FIX_PREFIX = "fix."


@dataclass(frozen=True, slots=True)
class TransformOptions:
    """What to transform into, and how."""

    adapter: str
    standard: str | None = None
    output_format: str | None = None
    to_adapter: str | None = None
    encoding: str | None = None
    as_of: date | None = None
    batch_size: int | None = None
    max_findings: int | None = None
    format_check: bool = True
    allow_retired: bool = False


@dataclass
class TransformResult:
    """What a transform did: the report (findings and accounting) and what went where."""

    report: Report
    output: Path
    output_format: str
    #: the rejects file, or None when nothing was rejected and none was asked for
    rejects: Path | None
    written: int = 0
    #: fix code → findings of that kind in the written records
    fixes: Counter[str] = field(default_factory=Counter)
    #: error code → rejected records that have at least one finding of that code
    reasons: Counter[str] = field(default_factory=Counter)
    #: the migration chain applied after the adapter (``--standard`` outside its range)
    migration: MigrationChain | None = None

    @property
    def records(self) -> int:
        return self.report.stats.records

    @property
    def rejected(self) -> int:
        return self.report.stats.rejected

    @property
    def balanced(self) -> bool:
        stats = self.report.stats
        return stats.records == self.written + stats.rejected and stats.balanced

    def summary(self) -> dict[str, Any]:
        stats = self.report.stats
        return {
            "records": stats.records,
            "written": self.written,
            "clean": stats.passed,
            "fixed": stats.fixed,
            "rejected": stats.rejected,
            "fixes": dict(self.fixes.most_common()),
            "reasons": dict(self.reasons.most_common()),
            "output": str(self.output),
            "output_format": self.output_format,
            "rejects": str(self.rejects) if self.rejects is not None else None,
            "migration": None if self.migration is None else self.migration.to_dict(),
        }

    def to_dict(self, **kwargs: Any) -> dict[str, Any]:
        """The JSON report, with the transform's own accounting under ``transform``."""
        out = self.report.to_dict(**kwargs)
        out["transform"] = self.summary()
        return out

    def to_json(self, *, catalogue: Catalogue | None = None, lang: str = "en") -> str:
        """``json.dumps(self.to_dict(catalogue=…, lang=…), ensure_ascii=False, indent=2)``,
        the same text, with the findings rendered by the JSON reporter (orjson where it
        provably writes the same bytes: see :mod:`govstd.reporters.json`)."""
        import io
        import json

        from govstd.reporters.json import JsonReporter

        out = io.StringIO()
        JsonReporter().write(self.report, out, catalogue=catalogue, lang=lang)  # type: ignore[arg-type]
        text = out.getvalue()
        if not text.endswith("\n}\n"):  # pragma: no cover - the reporter's own layout
            return json.dumps(
                self.to_dict(catalogue=catalogue, lang=lang), ensure_ascii=False, indent=2
            )
        summary = json.dumps(self.summary(), ensure_ascii=False, indent=2)
        return f'{text[:-3]},\n  "transform": {summary.replace(chr(10), chr(10) + "  ")}\n}}'


# -- atomic files ---------------------------------------------------------------------------


# -- the pipeline -----------------------------------------------------------------------------


def _pick_adapter(session: Session, name: str, role: str) -> Adapter:
    adapters = session.adapters
    if name not in adapters:
        known = ", ".join(sorted(adapters)) or "none installed"
        raise UsageError(f"unknown {role} {name!r} (available: {known})")
    return adapters[name]


def resolve_adapter_standard(
    session: Session, adapter: Adapter, standard: str | None, *, allow_retired: bool = False
) -> Standard:
    """The standard version to adapt to: ``standard`` if given, else the newest version the
    adapter supports. A version outside the adapter's range is reached through the declared
    migrations (see :func:`adapter_chain`); without them it is a :class:`SetupError`."""
    if standard is None:
        return session.resolve(adapter.range, allow_retired=allow_retired)
    wanted = session.resolve(standard, allow_retired=allow_retired)
    adapter_chain(session, adapter, wanted, allow_retired=allow_retired)
    return wanted


def adapter_chain(
    session: Session, adapter: Adapter, standard: Standard, *, allow_retired: bool = False
) -> MigrationChain | None:
    """The migration chain from the adapter's own version to ``standard``; None when
    ``standard`` is in the adapter's range.

    The adapter reads into the newest version it supports; the records then move along the
    chain :func:`govstd.versions.migrate.plan_chain` plans. With no declared way between the
    two versions, a :class:`SetupError` names both.
    """
    if adapter.supports(standard):
        return None
    if standard.id != adapter.standard:
        raise SetupError(
            f"adapter {adapter.name} maps to {adapter.range}, not {standard.ref}: records can "
            f"only be migrated between versions of one standard"
        )
    from govstd.versions.migrate import plan_chain

    own = session.resolve(adapter.range, allow_retired=allow_retired)

    def plan() -> MigrationChain:
        try:
            return plan_chain(session.registry, own, standard, environ=session.environ)
        except UsageError as exc:
            raise SetupError(
                f"adapter {adapter.name} maps to {adapter.range} (newest: {own.ref}); no "
                f"migration from {own.ref} to {standard.ref} is declared ({exc})"
            ) from None

    return session.compiled(("adapter-chain", adapter.name, own.ref, standard.ref), plan)


def adapter_reader(session: Session, adapter: Adapter, standard: Standard) -> Any:
    """The documents reader that reads ``adapter``'s vendor feeds as ``standard`` records.

    For a version outside the adapter's range the reader adapts to the adapter's own version
    and migrates every record along the declared chain (a :class:`MigratingReader`)."""
    readers = session.readers
    if adapter.format not in readers:
        raise SetupError(
            f"adapter {adapter.name} reads {adapter.format} files, but no {adapter.format} "
            f"reader is installed (have: {', '.join(sorted(readers))})"
        )
    vendor = readers[adapter.format]
    record = adapter.layout.get("record")
    if record and hasattr(vendor, "configured"):  # XML: the repeated record element
        vendor = vendor.configured(record_element=str(record))
    chain = adapter_chain(session, adapter, standard)
    if chain is None:
        return adapter.reader(vendor, standard)
    return MigratingReader(adapter.reader(vendor, chain.source), chain)


# -- migrating adapted records ------------------------------------------------------------------


class MigratingReader:
    """An adapter's reader whose records are migrated to another version of the standard.

    Each :class:`~govstd.adapters.model.AdaptedBatch` keeps its vendor cells (``raw``); its
    canonical records are replaced by their migrated copies, and every value the chain could
    not migrate exactly becomes an error finding on that record (``migrate.inexact``,
    ``migrate.unmappable`` …), so the record is rejected, never rounded or dropped. A value the
    adapter itself could not map is already an error; the chain's complaint about the same
    field is not repeated.
    """

    kind = "documents"
    extensions: tuple[str, ...] = ()

    def __init__(self, inner: Any, chain: MigrationChain) -> None:
        from govstd.versions.migrations import field_mapping

        self.inner = inner
        self.adapter = inner.adapter
        self.name = inner.name
        self.chain = chain
        #: canonical field of the adapter's version → its name after the chain
        names = {column.field: column.field for column in inner.columns}
        for hop in chain.hops:
            renames, replaced = field_mapping(hop.migration)
            moved = {**renames, **replaced}
            names = {first: moved.get(now, now) for first, now in names.items()}
        self.labels = {column.field: column.label for column in inner.columns}
        self.labels.update({names[c.field]: c.label for c in inner.columns})

    def read_options(self, source: Source, options: ReadOptions) -> ReadOptions:
        return self.inner.read_options(source, options)

    def read(self, source: Source, options: ReadOptions, catalogue: Any) -> Iterator[Any]:
        for batch in self.inner.read(source, options, catalogue):
            self._migrate(batch, catalogue)
            yield batch

    def _migrate(self, batch: Any, catalogue: Any) -> None:
        unmapped = {
            (f.record, f.params.get("field_name"))
            for f in batch.findings
            if f.is_error and f.record is not None and f.code.startswith("adapter.")
        }
        apply = self.chain.apply
        records = batch.records
        if hasattr(batch, "frame"):
            batch.frame = None  # the records change: the adapter's frame no longer holds them
        for index, (record, ordinal, line) in enumerate(
            zip(records, batch.ordinals, batch.lines, strict=True)
        ):
            if not isinstance(record, Mapping):
                continue
            migrated, problems = apply(record)
            records[index] = migrated
            for problem in problems:
                if (ordinal, problem.field) in unmapped:
                    # the adapter's error stands; keep its value for the record's rejects
                    if problem.field in record and problem.field not in migrated:
                        migrated[problem.field] = record[problem.field]
                    continue
                params = {k: v for k, v in problem.params.items() if k not in ("value", "field")}
                batch.findings.append(
                    catalogue.finding(
                        problem.code,
                        record=ordinal,
                        location=Location(
                            line=line, field=problem.field, pointer="/" + problem.field
                        ),
                        value=problem.value,
                        keyword=str(problem.params.get("op", "")) or None,
                        field_name=problem.field,
                        standard=self.chain.target.ref,
                        **params,
                    )
                )

    def relocate(self, findings: Sequence[Finding], batch: Any) -> None:
        """Point findings at the vendor's own column, renamed fields included."""
        relocate_findings(findings, self.labels, batch.vendor_header)


def without_shadowed(findings: list[Finding]) -> list[Finding]:
    """:func:`govstd.adapters.model.without_shadowed`, and the same for migrations: the
    standard's complaint about a field the chain could not migrate (a ``migrate.*`` error;
    the value was left out) says the same thing again, and only the migration's is kept."""
    findings = adapter_without_shadowed(findings)
    shadowed = {
        (f.record, f.location.field)
        for f in findings
        if f.code.startswith("migrate.") and f.is_error and f.record is not None
    }
    if not shadowed:
        return findings
    out = []
    for finding in findings:
        if finding.record is not None and not finding.code.startswith(_OWN_PREFIXES):
            pointer = finding.location.pointer
            name = pointer[1:] if pointer and pointer.count("/") == 1 else None
            if (finding.record, name) in shadowed or (
                finding.record,
                finding.params.get("property") or finding.params.get("field"),
            ) in shadowed:
                continue
        out.append(finding)
    return out


_OWN_PREFIXES = ("adapter.", "fix.", "migrate.")


def _without_rows(frame: Any, rows: list[int]) -> Any:
    """A polars frame without the rows at the (ascending) positions ``rows``."""
    if not rows:
        return frame
    import numpy as np
    import polars as pl

    keep = np.ones(frame.height, dtype=bool)
    keep[rows] = False
    return frame.filter(pl.Series(keep))


def _writer_for(
    session: Session, options: TransformOptions, output: Path, target: Adapter | None
) -> tuple[str, Any]:
    writers = session.writers
    if target is not None:
        if options.output_format and options.output_format != target.format:
            raise UsageError(
                f"--to-adapter {target.name} writes {target.format}; "
                f"it cannot be combined with --output-format {options.output_format}"
            )
        name = target.format
    elif options.output_format:
        name = options.output_format
    else:
        suffix = output.suffix.lower()
        name = next((w.name for w in writers.values() if suffix in w.extensions), "jsonl")
    if name not in writers:
        raise UsageError(
            f"no writer for output format {name!r} (available: {', '.join(sorted(writers))})"
        )
    return name, writers[name]


def run_transform(
    session: Session,
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    options: TransformOptions,
    *,
    rejects: str | os.PathLike[str] | None = None,
    stdin: IO[bytes] | None = None,
) -> TransformResult:
    """Transform one vendor feed; see the module documentation."""
    from govstd import __version__
    from govstd.adapters.model import standard_fields
    from govstd.formats.writers import WriteOptions
    from govstd.validation import ValidationOptions, compile_standard

    adapter = _pick_adapter(session, options.adapter, "adapter")
    standard = resolve_adapter_standard(
        session, adapter, options.standard, allow_retired=options.allow_retired
    )
    target = (
        _pick_adapter(session, options.to_adapter, "target adapter") if options.to_adapter else None
    )
    if target is not None and not target.supports(standard):
        raise SetupError(
            f"adapter {target.name} maps to {target.range}, not {standard.ref}: migration "
            f"from {standard.ref} to {target.range} is not available yet"
        )
    out_path = Path(output)
    rejects_path = (
        Path(rejects)
        if rejects is not None
        else out_path.with_name(out_path.name + ".rejects.jsonl")
    )
    if rejects_path.resolve() == out_path.resolve():
        raise UsageError("the rejects file must differ from the output")
    if out_path.is_dir():
        raise UsageError(f"output {out_path} is a folder")
    writer_name, writer = _writer_for(session, options, out_path, target)
    parsed = Source.from_arg(os.fspath(source), stdin=stdin)
    if parsed.path is not None and not parsed.path.is_file():
        raise UsageError(f"input file {parsed.name} does not exist or is not a file")

    validation_options = ValidationOptions(format_check=options.format_check, as_of=options.as_of)
    key = ("standard", standard.ref, options.format_check, options.as_of)
    compiled = session.compiled(
        key, lambda: compile_standard(session, standard, validation_options)
    )
    plans = compiled.plans_for("documents")
    reader = adapter_reader(session, adapter, standard)

    fields = standard_fields(standard)
    if target is not None:
        layout = target.layout
        write_options = WriteOptions(
            encoding=target.encoding or "utf-8",
            line_terminator=str(layout.get("line_terminator", "\n")),
            delimiter=str(layout.get("delimiter", ",")),
            extra=dict(layout),
        )
        fields = target.labels()
    else:
        write_options = WriteOptions()

    report = Report(
        target=compiled.name,
        govstd_version=__version__,
        standard={
            "id": standard.id,
            "version": str(standard.version),
            "status": standard.status,
            "title": dict(standard.title),
        },
        notes=list(compiled.notes),
    )
    for note in compiled.notes:
        report.counts[note.code] += 1
    result = TransformResult(
        report=report,
        output=out_path,
        output_format=writer_name,
        rejects=rejects_path,
        migration=getattr(reader, "chain", None),
    )
    stats = SourceStats(source=parsed.name, format=adapter.name)
    report.sources.append(stats)
    read_options = ReadOptions(
        encoding=options.encoding, batch_size=options.batch_size or DEFAULT_BATCH_SIZE
    )
    run = _Run(session, report, result, stats, options.max_findings)

    rejects_file = _RejectsFile(rejects_path, required=rejects is not None)
    with atomic_output(out_path) as out_stream, rejects_file as reject_sink:
        sink = _Output(writer.open(out_stream, fields, write_options))
        try:
            checkers = [plan.open(parsed.name) for plan in plans]
            for batch in reader.read(parsed, read_options, session.catalogue):
                run.batch(batch, checkers, sink, target, reject_sink)
            tail = sorted((f for c in checkers for f in c.finish()), key=Finding.sort_key)
            for finding in tail:
                run.add(finding)
        except BaseException:
            sink.abandon()
            raise
        sink.close()
    if rejects is None and not rejects_file.count:
        result.rejects = None
    report.findings = run.kept
    report.truncated = run.truncated
    return result


class _Output:
    """The output sink, whose polars frames (see ``write_frame`` of the JSON Lines writer)
    are written by one background thread while the next batch is read and checked: polars
    builds and writes the lines without the GIL. Writes stay in batch order: each waits for
    the one before, and a frame the sink refuses is written as records, in its place."""

    def __init__(self, sink: Any) -> None:
        self.sink = sink
        self._write_frame = getattr(sink, "write_frame", None)
        self._pool: Any = None
        #: the frame being written, and the records to write instead if it is refused
        self._pending: tuple[Any, Any] | None = None

    def write(self, record: Mapping[str, Any]) -> None:
        """Write one record (after the frame being written)."""
        self.drain()
        self.sink.write(record)

    def write_many(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Write records (after the frame being written)."""
        self.drain()
        write_records(self.sink, records)

    def write_batch(self, frame: Any, rejected: list[int], records: Callable[[], Any]) -> None:
        """Write a batch's records: those of ``frame`` (or None) but the rows at the
        (ascending) positions ``rejected``; ``records()`` gives the same records."""
        self.drain()
        write_frame = self._write_frame
        if frame is None or write_frame is None:
            write_records(self.sink, records())
            return
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(1, thread_name_prefix="govstd-output")
        job = self._pool.submit(lambda: write_frame(_without_rows(frame, rejected)))
        self._pending = (job, records)

    def drain(self) -> None:
        """Wait for the frame being written (its records written instead if refused)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            future, records = pending
            if not future.result():
                write_records(self.sink, records())

    def abandon(self) -> None:
        """After an error: wait for the write in flight (the output is discarded), end the
        thread."""
        self._pending = None
        self._stop()

    def close(self) -> None:
        """Finish the last write, end the thread and close the sink."""
        try:
            self.drain()
        finally:
            self._stop()
        self.sink.close()

    def _stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


class _RejectsFile:
    """The rejects file, JSON Lines, written atomically.

    An explicitly named file is always written (empty when nothing was rejected); the default
    one (beside the output) only when there is something to put in it.
    """

    def __init__(self, path: Path, *, required: bool) -> None:
        self.path = path
        self.required = required
        self.count = 0
        self._context: Any = None
        self._sink: Any = None

    def _open(self) -> None:
        from govstd.formats.writers import JsonLinesWriter, WriteOptions

        self._context = atomic_output(self.path)
        stream = self._context.__enter__()
        self._sink = JsonLinesWriter().open(stream, (), WriteOptions())

    def __enter__(self) -> _RejectsFile:
        if self.required:
            self._open()
        return self

    def write(self, entry: Mapping[str, Any]) -> None:
        if self._sink is None:
            self._open()
        self.count += 1
        self._sink.write(entry)

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        if self._context is None:
            return
        if kind is None:
            self._sink.close()
        self._context.__exit__(kind, value, traceback)


class _Run:
    """Per-run state: findings kept and counted, records written or rejected."""

    def __init__(
        self,
        session: Session,
        report: Report,
        result: TransformResult,
        stats: SourceStats,
        limit: int | None,
    ) -> None:
        self.catalogue = session.catalogue
        self.report = report
        self.result = result
        self.stats = stats
        self.source = stats.source
        self.limit = limit
        self.kept: list[Finding] = []
        self.truncated = False

    def add(self, finding: Finding) -> None:
        if not finding.source:
            finding.source = self.source
        self.report.counts[finding.code] += 1
        self.stats.stats.count(finding.severity)
        counts = getattr(self.stats, "counts", None)
        if counts is not None:
            counts[finding.code] += 1
        if self.limit is None or len(self.kept) < self.limit:
            self.kept.append(finding)
        else:
            self.truncated = True

    def batch(
        self,
        batch: Any,
        checkers: list[Any],
        sink: Any,
        target: Adapter | None,
        rejects: _RejectsFile,
    ) -> None:
        findings = list(batch.findings)
        for checker in checkers:
            findings.extend(checker.check_documents(batch))
        findings = without_shadowed(findings)
        findings.sort(key=Finding.sort_key)
        by_record: dict[int | None, list[Finding]] = {}
        rejected = set(batch.unreadable)
        fixed: set[int] = set()
        for finding in findings:
            self.add(finding)
            ordinal = finding.record
            if ordinal is None:
                continue
            by_record.setdefault(ordinal, []).append(finding)
            if finding.severity is Severity.ERROR:
                rejected.add(ordinal)
            elif finding.severity is Severity.INFO and finding.code.startswith(FIX_PREFIX):
                fixed.add(ordinal)
        stats = self.stats.stats
        result = self.result
        raw = batch.raw if hasattr(batch, "raw") else None
        records = batch.records
        ordinals = batch.ordinals
        lines = batch.lines
        if not len(records) == len(ordinals) == len(lines):
            raise ValueError("a batch has different numbers of records, ordinals and lines")
        stats.records += len(records)
        if target is not None:
            # the target layout: its cells are written, and what it cannot carry is rejected
            records = list(records)
            for index, (record, ordinal, line) in enumerate(
                zip(records, ordinals, lines, strict=True)
            ):
                if ordinal in rejected:
                    continue
                records[index], problems = self._to_vendor(target, record, ordinal, line)
                if problems:
                    by_record.setdefault(ordinal, []).extend(problems)
                    rejected.add(ordinal)
        # the records as a polars frame (see AdaptedBatch.frame), when the sink can write it
        frame = getattr(batch, "frame", None) if target is None else None
        if frame is not None and frame.height != len(records):
            frame = None
        bad: list[int] = []
        if rejected:
            bad = list(compress(range(len(ordinals)), map(rejected.__contains__, ordinals)))
            if bad:
                stats.rejected += len(bad)
                for index in bad:
                    ordinal = ordinals[index]
                    own = by_record.get(ordinal, [])
                    source = raw(index) if raw else records[index]
                    self._reject(rejects, ordinal, lines[index], source, own)
        written = len(records) - len(bad)  # ``bad``: every position of a rejected ordinal

        def kept() -> Any:
            if not bad:
                return records
            return [r for r, o in zip(records, ordinals, strict=True) if o not in rejected]

        sink.write_batch(frame, bad, kept)
        result.written += written
        fixes = result.fixes
        fixed.difference_update(rejected)
        mended = list(filter(fixed.__contains__, ordinals)) if fixed else []
        for ordinal in mended:
            for finding in by_record[ordinal]:
                if finding.code.startswith(FIX_PREFIX):
                    fixes[finding.code] += 1
        stats.fixed += len(mended)
        stats.passed += written - len(mended)
        for ordinal in sorted(set(batch.unreadable).difference(ordinals)):
            stats.records += 1
            stats.rejected += 1
            own = by_record.get(ordinal, [])
            line = next((f.location.line for f in own if f.location.line), None)
            self._reject(rejects, ordinal, line, None, own)

    def _to_vendor(
        self, target: Adapter, record: Mapping[str, Any], ordinal: int, line: int | None
    ) -> tuple[dict[str, str], list[Finding]]:
        cells, problems = target.to_vendor(record)
        found = []
        for code, name, value, params in problems:
            finding = self.catalogue.finding(
                code,
                source=self.source,
                record=ordinal,
                location=Location(line=line, field=name, pointer="/" + name),
                value=value,
                field_name=name,
                adapter=target.name,
                **params,
            )
            self.add(finding)
            found.append(finding)
        return cells, found

    def _reject(
        self,
        rejects: _RejectsFile,
        ordinal: int,
        line: int | None,
        raw: Any,
        findings: list[Finding],
    ) -> None:
        self.result.reasons.update(
            {f.code for f in findings if f.severity is Severity.ERROR} or {"unknown"}
        )
        rejects.write(
            {
                "source": self.source,
                "record": ordinal,
                "line": line,
                "raw": raw,
                "findings": [self.report.finding_to_dict(f) for f in findings],
            }
        )
