"""The validate pipeline: source → reader → compiled plans → findings → report.

A *target* (a standard version, or a schema file) is compiled once into plans, one per input
kind (``table`` for CSV, ``documents`` for JSON/JSONL/XML). Each source is read in batches;
every batch goes through every plan's checker; findings are counted exactly and kept up to
``max_findings``; every record ends up passed or rejected.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from govstd.engines.base import CompileContext, Plan, SchemaDocument, refers_outside
from govstd.exceptions import SchemaError, UsageError
from govstd.fieldstats import FieldObserver, field_docs
from govstd.findings import Finding
from govstd.findingstore import FindingStore
from govstd.formats.base import DEFAULT_BATCH_SIZE, DocumentBatch, ReadOptions, Source
from govstd.plugins import collect
from govstd.report import Report, SourceStats

if TYPE_CHECKING:
    from govstd.session import Session
    from govstd.standard import Standard

__all__ = [
    "Target",
    "ValidationOptions",
    "compile_schema_file",
    "compile_standard",
    "run_validation",
]


@dataclass(frozen=True, slots=True)
class ValidationOptions:
    input_format: str | None = None
    encoding: str | None = None
    max_findings: int | None = None
    format_check: bool = True
    allow_retired: bool = False
    as_of: date | None = None
    batch_size: int | None = None
    #: read every source through this vendor adapter (see :mod:`govstd.adapters`)
    adapter: str | None = None
    #: XML: the element that is one record (streamed); default: the standard's, else none
    record_element: str | None = None
    #: XML: parsing limits (a :class:`govstd.xmlsafety.XmlLimits`); default: libxml2's caps
    xml_limits: Any = None
    #: processes that parse and check big sources when every plan is stateless (see
    #: :mod:`govstd.parallel`); ``None``: one per usable core; ``1``: this process only
    workers: int | None = None


@dataclass
class Target:
    """What the data is checked against, compiled: plans by input kind."""

    name: str
    plans: dict[str, list[Plan]] = field(default_factory=dict)
    standard: Standard | None = None
    dialect: dict[str, Any] | None = None
    notes: list[Finding] = field(default_factory=list)
    #: XML: the record element the standard declares (``[x.xml] record_element``)
    record_element: str | None = None

    def plans_for(self, kind: str) -> list[Plan]:
        return self.plans.get(kind, [])


# -- compiling targets -----------------------------------------------------------------------


def _engine_for(
    session: Session, content: Any, path: Path | None, wanted: str | None = None
) -> Any:
    engines = session.engines
    if wanted is not None:
        if wanted not in engines:
            raise SchemaError(f"no engine {wanted!r} is installed (have: {', '.join(engines)})")
        return engines[wanted]
    for engine in engines.values():
        if engine.detect(content, path):
            return engine
    raise SchemaError(f"{path or 'schema'}: not a schema any installed engine recognises")


def _add_plan(target: Target, plan: Plan) -> None:
    for kind in plan.accepts:
        target.plans.setdefault(kind, []).append(plan)


def compile_schema_file(session: Session, path: Path, options: ValidationOptions) -> Target:
    """Compile a schema file given with ``--schema``; sibling JSON files resolve ``$ref``s."""
    if not path.is_file():
        raise UsageError(f"schema file {path} does not exist")
    if _is_xml_schema(path):
        target = Target(name=str(path))
        context = CompileContext(
            catalogue=session.catalogue, format_check=options.format_check, as_of=options.as_of
        )
        _add_plan(target, _compile_xml_file(session, path, context))
        return target
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SchemaError(f"cannot read schema {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SchemaError(f"schema {path} is not UTF-8 text") from None
    try:
        content = json.loads(text)
    except ValueError as exc:
        raise SchemaError(f"schema {path} is not valid JSON: {exc}") from None
    resources = _sibling_resources(path, content)
    document = SchemaDocument(content=content, path=path, resources=resources)
    engine = _engine_for(session, content, path)
    target = Target(name=str(path))
    context = CompileContext(
        catalogue=session.catalogue, format_check=options.format_check, as_of=options.as_of
    )
    _add_plan(target, engine.compile(document, context))
    if isinstance(content, dict) and isinstance(content.get("dialect"), dict):
        target.dialect = content["dialect"]
    return target


def _is_xml_schema(path: Path) -> bool:
    """An XSD or Schematron file: by extension, else by a first byte ``<``."""
    if path.suffix.lower() in (".xsd", ".sch", ".xml", ".rng"):
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return head.startswith(b"<")


def _compile_xml_file(session: Session, path: Path, context: CompileContext) -> Plan:
    """Compile an XSD or Schematron file (parsed safely; includes resolve locally)."""
    from govstd.engines.xsd import read_xml_schema

    content = read_xml_schema(path)
    engine = _engine_for(session, content, path)
    return engine.compile(SchemaDocument(content=content, path=path), context)


#: a file beside the schema this big is taken for data, not for a schema a ``$ref`` may name
MAX_SIBLING_BYTES = 64 * 1024 * 1024


def _sibling_resources(path: Path, content: Any) -> dict[str, Any]:
    """Every ``*.json`` beside the schema file (up to :data:`MAX_SIBLING_BYTES`), parsed,
    under its file URI, when the schema refers outside itself at all; else none.

    A feed often sits beside its schema: a schema with only local references (``#…``) never
    reads it, and one with outside references never parses a data-sized file."""
    if not refers_outside(content):
        return {}
    out: dict[str, Any] = {}
    for sibling in sorted(path.resolve().parent.glob("*.json")):
        try:
            if sibling.stat().st_size > MAX_SIBLING_BYTES:
                continue
            out[sibling.as_uri()] = json.loads(sibling.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            continue  # not JSON: it cannot be a $ref target anyway
    return out


def compile_standard(session: Session, standard: Standard, options: ValidationOptions) -> Target:
    """Compile a standard version: its schema artefacts and its rules."""
    target = Target(name=standard.ref, standard=standard)
    context = CompileContext(
        catalogue=session.catalogue,
        format_check=options.format_check,
        as_of=options.as_of,
        extra={"standard": standard, "session": session},
    )
    for role, engine_name in (("json_schema", "jsonschema"), ("table_schema", "tableschema")):
        path = standard.artefact_path(role)
        if path is None:
            continue
        content = standard.load_json_artefact(role)
        document = SchemaDocument(
            content=content,
            path=path,
            resources=standard.json_resources,
            default_dialect=None,
        )
        engine = _engine_for(session, content, path, wanted=engine_name)
        _add_plan(target, engine.compile(document, context))
        if role == "table_schema" and isinstance(content.get("dialect"), dict):
            target.dialect = content["dialect"]
    xml_settings = standard.manifest.get("x", {}).get("xml", {})
    if isinstance(xml_settings, dict):
        target.record_element = xml_settings.get("record_element")
        if xml_settings.get("root"):
            context = CompileContext(
                catalogue=context.catalogue,
                format_check=context.format_check,
                as_of=context.as_of,
                extra={**context.extra, "xml_root": xml_settings["root"]},
            )
    for role in ("xsd", "schematron"):
        path = standard.artefact_path(role)
        if path is not None:
            _add_plan(target, _compile_xml_file(session, path, context))
    # rules, code lists …: plans that plugins (built-in ones included) add for the standard
    for _plugin, plan in collect(
        session.plugin_manager, "govstd_compile_standard", standard=standard, context=context
    ):
        _add_plan(target, plan)
    if not target.plans:
        raise SchemaError(f"{standard.ref} declares no artefact that an engine can check")
    if standard.status == "deprecated":
        latest = session.registry.latest(standard.id)
        target.notes.append(
            session.catalogue.finding(
                "standard.deprecated",
                standard=standard.ref,
                current=latest.ref if latest else "none",
            )
        )
    return target


# -- running ---------------------------------------------------------------------------------


class _Collector:
    """Counts every finding exactly; keeps at most ``limit`` of them, in a
    :class:`~govstd.findingstore.FindingStore` (the later ones on disk).

    A finding can still change after it was added while its batch is being finished (an
    adapter points it at the vendor's column), so the findings of a batch wait in ``pending``
    until the batch is accounted for: the source's record count has moved on, or a new source
    began, or :meth:`result` is called.
    """

    def __init__(self, limit: int | None, store: FindingStore | None = None) -> None:
        self.limit = limit
        self.kept = FindingStore() if store is None else store
        self.pending: list[Finding] = []
        self.counts: Counter[str] = Counter()
        self.truncated = False
        self._taken = 0  # findings kept: stored and pending
        self._mark: tuple[Any, int] | None = None  # (stats, its record count) at the last add

    def add(self, finding: Finding, stats: Any) -> None:
        self.counts[finding.code] += 1
        stats.count(finding.severity)
        mark = self._mark
        if mark is None or mark[0] is not stats or mark[1] != stats.records:
            self._settle()  # the batches before this one are accounted for
            self._mark = (stats, stats.records)
        if self.limit is None or self._taken < self.limit:
            self.pending.append(finding)
            self._taken += 1
        else:
            self.truncated = True

    def _settle(self) -> None:
        if self.pending:
            self.kept.extend(self.pending)
            self.pending = []

    def result(self) -> FindingStore:
        """Every kept finding, in order (call once every source is done)."""
        self._settle()
        self._mark = None
        return self.kept


def choose_reader(session: Session, source: Source, wanted: str | None) -> Any:
    """The reader ``--input-format`` names, else the one claiming the source's extension."""
    readers = session.readers
    if wanted:
        if wanted not in readers:
            raise UsageError(
                f"unknown input format {wanted!r} (choose from {', '.join(sorted(readers))})"
            )
        return readers[wanted]
    suffix = source.suffix
    for name in readers:
        if suffix and suffix in readers.describe(name, "extensions", ()):
            return readers[name]
    if source.path is None:
        raise UsageError("reading standard input needs --input-format (csv, json, jsonl …)")
    raise UsageError(
        f"cannot tell the format of {source.name} from its extension; pass --input-format "
        f"({', '.join(sorted(readers))})"
    )


def _check_batch(checkers: Sequence[Any], batch: Any) -> list[Finding]:
    findings = list(batch.findings)
    is_documents = isinstance(batch, DocumentBatch)
    for checker in checkers:
        produced = checker.check_documents(batch) if is_documents else checker.check_table(batch)
        findings.extend(produced)
    findings.sort(key=Finding.sort_key)
    return findings


def _validate_source(
    session: Session,
    source: Source,
    target: Target,
    options: ValidationOptions,
    collector: _Collector,
    progress: Callable[[int, int | None], None] | None,
    observer: FieldObserver | None = None,
    choose: Callable[..., tuple[Target, Any, list[Finding]]] | None = None,
) -> SourceStats:
    if options.adapter is not None and target.standard is not None:
        from govstd.transform import adapter_reader, resolve_adapter_standard

        adapter = session.adapters[options.adapter]
        standard = resolve_adapter_standard(session, adapter, target.standard.ref)
        reader = adapter_reader(session, adapter, standard)
    else:
        reader = choose_reader(session, source, options.input_format)
    if reader.kind == "xml" and hasattr(reader, "configured"):
        reader = reader.configured(
            record_element=options.record_element or target.record_element,
            limits=options.xml_limits,
        )
    plans = target.plans_for(reader.kind)
    if not plans:
        kinds = ", ".join(sorted(target.plans)) or "none"
        raise UsageError(
            f"{target.name} cannot check {reader.name} input ({source.name}); it checks: {kinds}"
        )
    if source.path is not None and not source.path.is_file():
        raise UsageError(f"input file {source.name} does not exist or is not a file")
    read_options = ReadOptions(
        encoding=options.encoding,
        batch_size=options.batch_size or DEFAULT_BATCH_SIZE,
        dialect=target.dialect,
    )
    stats = SourceStats(source=source.name, format=reader.name)
    batches = reader.read(source, read_options, session.catalogue)
    if choose is not None:  # --standard ID@detect: the first record says which version applies
        target, batches, leading = choose(source, reader, read_options, batches)
        plans = target.plans_for(reader.kind)
        if not plans:
            raise UsageError(f"{target.name} cannot check {reader.name} input ({source.name})")
        for finding in leading:
            collector.add(finding, stats.stats)
            stats.counts[finding.code] += 1
    checkers = [plan.open(source.name) for plan in plans]
    total = source.size()
    seen_any = False
    header_broken = False  # a header error rejects every record of the source
    checked = None
    if choose is None and options.adapter is None and options.workers != 1:
        from govstd.parallel import pooled_batches

        checked = pooled_batches(
            reader, source, read_options, session.catalogue, plans, checkers, _check_batch,
            workers=options.workers, observer=observer,
        )  # fmt: skip
    if checked is None:
        checked = ((batch, _check_batch(checkers, batch)) for batch in batches)
    for batch, findings in checked:
        if options.adapter is not None:
            from govstd.transform import without_shadowed

            findings = without_shadowed(findings)
        rejected = set(batch.unreadable)
        fixed: set[int] = set()  # records an adapter changed (a fix.* info finding)
        for finding in findings:
            if not finding.source:
                finding.source = source.name
            if finding.is_error and finding.record is not None:
                rejected.add(finding.record)
            elif finding.is_error and finding.code.startswith("header."):
                # a missing or undefined column: no record of the source conforms
                header_broken = True
            elif finding.code.startswith("fix.") and finding.record is not None:
                fixed.add(finding.record)
            collector.add(finding, stats.stats)
            stats.counts[finding.code] += 1
        if header_broken:
            rejected.update(batch.ordinals)
        if observer is not None:
            observer.observe(source.name, batch, findings)
        if hasattr(reader, "relocate"):  # an adapter: findings in the vendor's own columns
            reader.relocate(findings, batch)
        records = len(batch.ordinals)
        if batch.unreadable:  # (unreadable records have no place among the ordinals)
            records += len(set(batch.unreadable).difference(batch.ordinals))
        seen_any = seen_any or records > 0
        stats.stats.records += records
        stats.stats.rejected += len(rejected)
        stats.stats.fixed += len(fixed - rejected)
        stats.stats.passed += records - len(rejected) - len(fixed - rejected)
        encoding = getattr(batch, "encoding", None)
        if encoding and not stats.encoding:
            stats.encoding = encoding
        if progress is not None and batch.position is not None:
            progress(batch.position, total)
    tail = sorted((f for checker in checkers for f in checker.finish()), key=Finding.sort_key)
    for finding in tail:
        finding.source = finding.source or source.name
        collector.add(finding, stats.stats)
        stats.counts[finding.code] += 1
    if observer is not None:
        observer.observe_tail(tail)
    return stats


def run_validation(
    session: Session,
    sources: Sequence[str],
    *,
    standard: str | None,
    schema: Path | None,
    options: ValidationOptions,
    stdin: IO[bytes] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    schematron: Path | None = None,
) -> Report:
    from govstd import __version__

    key: tuple[Any, ...]
    from govstd.versions.detect import VersionChooser, check_detect_request, detect_id

    detecting = None if standard is None else detect_id(standard)  # --standard ID@detect
    if detecting is not None:
        check_detect_request(adapter=options.adapter, schematron=schematron)
        standard = detecting  # the latest version: the fallback, and how sources are peeked
    if standard is not None:
        resolved = session.resolve(standard, allow_retired=options.allow_retired)
        key = ("standard", resolved.ref, options.format_check, options.as_of)
        target = session.compiled(key, lambda: compile_standard(session, resolved, options))
    elif schema is not None:
        key = ("schema", str(schema.resolve()), options.format_check, options.as_of)
        target = session.compiled(key, lambda: compile_schema_file(session, schema, options))
    else:
        assert schematron is not None
        key = ("no-schema", options.format_check, options.as_of)
        target = Target(name=str(schematron))
    chooser = None if detecting is None else VersionChooser(session, target, options)
    if schematron is not None:
        base = target
        key = (*key, "schematron", str(schematron.resolve()))
        target = session.compiled(key, lambda: _with_schematron(session, base, schematron, options))

    parsed = [Source.from_arg(s, stdin=stdin) for s in sources]
    if sum(1 for s in parsed if s.path is None) > 1:
        raise UsageError("standard input ('-') can be given only once")
    missing = [s.name for s in parsed if s.path is not None and not s.path.is_file()]
    if missing:
        raise UsageError(f"input file not found: {', '.join(missing)}")

    collector = _Collector(options.max_findings)
    report = Report(
        target=target.name,
        govstd_version=__version__,
        standard=_standard_summary(target.standard),
        notes=[] if chooser is not None else list(target.notes),
    )
    for note in report.notes:
        report.counts[note.code] += 1
    observer = FieldObserver(field_docs(target.standard, schema))
    for source in parsed:
        report.sources.append(
            _validate_source(
                session, source, target, options, collector, progress, observer, chooser
            )
        )
    if chooser is not None:
        chooser.finish(report)
    report.fields = observer.result()
    report.samples = observer.samples
    report.findings = collector.result()
    report.truncated = collector.truncated
    report.counts.update(collector.counts)
    return report


def _with_schematron(
    session: Session, base: Target, path: Path, options: ValidationOptions
) -> Target:
    """``base`` plus the rules of a ``--schematron`` file (a new target; ``base`` is cached)."""
    if not path.is_file():
        raise UsageError(f"schematron file {path} does not exist")
    target = Target(
        name=f"{base.name} + {path}" if base.plans else str(path),
        plans={kind: list(plans) for kind, plans in base.plans.items()},
        standard=base.standard,
        dialect=base.dialect,
        notes=list(base.notes),
        record_element=base.record_element,
    )
    context = CompileContext(
        catalogue=session.catalogue, format_check=options.format_check, as_of=options.as_of
    )
    _add_plan(target, _compile_xml_file(session, path, context))
    return target


def _standard_summary(standard: Standard | None) -> dict[str, Any] | None:
    if standard is None:
        return None
    return {
        "id": standard.id,
        "version": str(standard.version),
        "status": standard.status,
        "title": dict(standard.title),
    }
