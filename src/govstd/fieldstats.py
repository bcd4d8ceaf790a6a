"""Per-field statistics and example rows: what the pipeline sees of the data besides findings.

The pipeline hands every batch and its findings to a :class:`FieldObserver`, which counts, per
field, how many records fill it, how many are rejected because of it and how many hold a valid
value (see :class:`~govstd.report.FieldStats`), and keeps the records that the first findings
of each code point at, so that a report can show them next to the finding ("the source row").

The counting is column-wise where it can be: a columnar batch (one with a polars ``frame``)
is counted in the frame with one ``select`` and its rows are never built (only the sample rows
kept are read, one by one); other tables are transposed once (``zip``, in C) and empty cells
are counted per column with ``list.count``; documents are walked once per record. Field
titles and descriptions come from the standard's record schema (``title``/``x-title-zh``,
``description``/``x-description-zh``) or Table Schema.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from itertools import zip_longest
from operator import index as _as_int
from operator import is_not
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstd.findings import Finding
from govstd.formats.base import DocumentBatch, TableBatch
from govstd.report import FieldStats

if TYPE_CHECKING:
    from govstd.standard import Standard

__all__ = ["FieldDoc", "FieldObserver", "field_docs", "finding_field"]

#: a field's documentation: (title by language, description by language)
FieldDoc = tuple[dict[str, str], dict[str, str]]

#: sample values longer than this are shortened (reports stay small)
_MAX_SAMPLE_CHARS = 200


def finding_field(finding: Finding) -> str | None:
    """The top-level field a finding is about: its ``field``, else the first JSON Pointer step."""
    location = finding.location
    if location.field:
        return location.field
    pointer = location.pointer
    if pointer and pointer.startswith("/"):
        first = pointer[1:].split("/", 1)[0]
        return first.replace("~1", "/").replace("~0", "~") or None
    return None


def _docs_from_properties(properties: Mapping[str, Any]) -> dict[str, FieldDoc]:
    out: dict[str, FieldDoc] = {}
    for name, spec in properties.items():
        if not isinstance(spec, Mapping):
            continue
        out[str(name)] = _doc(spec)
    return out


def _doc(spec: Mapping[str, Any]) -> FieldDoc:
    title = {
        lang: str(spec[key])
        for lang, key in (("en", "title"), ("zh", "x-title-zh"))
        if isinstance(spec.get(key), str)
    }
    description = {
        lang: str(spec[key])
        for lang, key in (("en", "description"), ("zh", "x-description-zh"))
        if isinstance(spec.get(key), str)
    }
    return title, description


def _docs_from_schema(content: Any) -> dict[str, FieldDoc]:
    if not isinstance(content, Mapping):
        return {}
    if isinstance(content.get("properties"), Mapping):
        return _docs_from_properties(content["properties"])
    if isinstance(content.get("fields"), list):
        return {
            str(spec["name"]): _doc(spec)
            for spec in content["fields"]
            if isinstance(spec, Mapping) and isinstance(spec.get("name"), str)
        }
    return {}


def field_docs(standard: Standard | None = None, schema: Path | None = None) -> dict[str, FieldDoc]:
    """Titles and descriptions of the fields a standard (or a schema file) defines, in order."""
    try:
        if standard is not None:
            for role in ("json_schema", "table_schema"):
                if standard.artefact_path(role) is not None:
                    docs = _docs_from_schema(standard.load_json_artefact(role))
                    if docs:
                        return docs
            return {}
        if schema is not None:
            return _docs_from_schema(json.loads(schema.read_text(encoding="utf-8-sig")))
    except (OSError, ValueError):
        return {}  # the engines report unreadable schemas; statistics just go without titles
    return {}


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _MAX_SAMPLE_CHARS:
        return value[:_MAX_SAMPLE_CHARS] + "…"
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return value if len(text) <= _MAX_SAMPLE_CHARS else text[:_MAX_SAMPLE_CHARS] + "…"
    return value


class _Consecutive(Mapping[int, int]):
    """The positions of consecutive ordinals (``first`` … ``first + count - 1``) without a
    dict of them (a batch holds tens of thousands of records)."""

    __slots__ = ("count", "first")

    def __init__(self, first: int, count: int) -> None:
        self.first = first
        self.count = count

    def __getitem__(self, ordinal: int) -> int:
        if ordinal in self:
            return _as_int(ordinal) - self.first
        raise KeyError(ordinal)

    def __contains__(self, ordinal: object) -> bool:
        try:
            return 0 <= _as_int(ordinal) - self.first < self.count  # type: ignore[arg-type]
        except TypeError:  # not an integer: no ordinal (as a dict lookup would say)
            return False

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.first, self.first + self.count))

    def __len__(self) -> int:
        return self.count


def _positions(ordinals: Sequence[int]) -> Mapping[int, int]:
    """Ordinal → position in the batch."""
    if ordinals:
        first = ordinals[0]
        if ordinals[-1] - first == len(ordinals) - 1 and (
            ordinals if type(ordinals) is list else list(ordinals)
        ) == list(range(first, first + len(ordinals))):
            return _Consecutive(first, len(ordinals))
    return {ordinal: i for i, ordinal in enumerate(ordinals)}


class FieldObserver:
    """Counts per-field statistics over batches and keeps example rows per finding code."""

    def __init__(self, docs: Mapping[str, FieldDoc] | None = None, samples_per_code: int = 5):
        self.docs = dict(docs or {})
        self.samples_per_code = samples_per_code
        self._order: dict[str, None] = dict.fromkeys(self.docs)
        self.filled: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self.invalid_filled: Counter[str] = Counter()
        self.findings: Counter[str] = Counter()
        self.samples: dict[str, dict[int, dict[str, Any]]] = {}
        self._sampled: Counter[str] = Counter()

    # -- per batch ---------------------------------------------------------------------------

    def observe(
        self, source: str, batch: TableBatch | DocumentBatch, findings: Iterable[Finding]
    ) -> None:
        if isinstance(batch, TableBatch):
            self._count_table(batch)
        else:
            self._count_documents(batch)
        errors: dict[str, set[int]] = {}
        wanted: list[tuple[str, int]] = []
        for finding in findings:
            name = finding_field(finding)
            if name is not None:
                self._order.setdefault(name, None)
                self.findings[name] += 1
                if finding.is_error and finding.record is not None:
                    errors.setdefault(name, set()).add(finding.record)
            if finding.record is not None and self._sampled[finding.code] < self.samples_per_code:
                self._sampled[finding.code] += 1
                wanted.append((finding.source or source, finding.record))
        if not errors and not wanted:
            return
        known = getattr(batch, "first_ordinal", None)
        first = known() if known is not None else None
        index = (
            _positions(batch.ordinals)
            if first is None
            else _Consecutive(first, len(batch.ordinals))
        )
        frame = getattr(batch, "frame", None) if isinstance(batch, TableBatch) else None
        for name, ordinals in errors.items():
            self.rejected[name] += len(ordinals)
            if frame is not None:
                self.invalid_filled[name] += self._filled_in_frame(
                    batch, frame, [index[o] for o in ordinals if o in index], name
                )
                continue
            self.invalid_filled[name] += sum(
                1 for o in ordinals if o in index and self._filled_at(batch, index[o], name)
            )
        for where, ordinal in wanted:
            if ordinal in index:
                self.samples.setdefault(where, {})[ordinal] = self._row(batch, index[ordinal])

    def observe_tail(self, findings: Iterable[Finding]) -> None:
        """Findings that belong to no batch (a checker's ``finish``)."""
        for finding in findings:
            name = finding_field(finding)
            if name is None:
                continue
            self._order.setdefault(name, None)
            self.findings[name] += 1
            if finding.is_error and finding.record is not None:
                self.rejected[name] += 1
                self.invalid_filled[name] += 1

    def _count_table(self, batch: TableBatch) -> None:
        header = list(batch.header)
        for name in header:
            self._order.setdefault(name, None)
        frame = getattr(batch, "frame", None)
        if frame is not None:  # a columnar batch: count in the frame, never build the rows
            self._count_frame(header, frame, getattr(batch, "empty_is_null", False))
            return
        if not batch.rows:
            return
        columns = zip_longest(*batch.rows, fillvalue="")
        for name, column in zip(header, columns, strict=False):
            if name:
                self.filled[name] += len(column) - column.count("")

    def _count_frame(self, header: list[str], frame: Any, empty_is_null: bool = False) -> None:
        """Filled cells per column of a polars frame (one String column per header column, in
        header order; an empty cell is null or ``""``), as :meth:`_count_table` counts rows.
        ``empty_is_null``: the frame holds no ``""`` (the null counts say it all)."""
        if frame.height == 0:
            return
        import polars as pl

        names = frame.columns
        wanted = [(name, names[n]) for n, name in enumerate(header) if name and n < len(names)]
        if not wanted:
            return
        if empty_is_null:
            height = frame.height
            for name, col in wanted:
                self.filled[name] += height - frame.get_column(col).null_count()
            return
        counts = frame.select(
            [
                (pl.col(col).str.len_bytes() > 0).sum().alias(f"f{i}")
                for i, (_, col) in enumerate(wanted)
            ]
        ).row(0)
        for (name, _), count in zip(wanted, counts, strict=True):
            self.filled[name] += int(count or 0)

    def _count_documents(self, batch: DocumentBatch) -> None:
        """Filled fields of the batch's object records (not ``None``, not ``""``).

        Records are grouped by their tuple of keys (a feed has few distinct ones) and the keys
        counted once per group; then the records holding a ``None`` or ``""`` value give those
        back, unless the reader vouches that no record holds one (``batch.maybe_empty``).
        """
        documents = batch.records
        try:  # all objects (the usual case): no Python runs per record
            shapes: Counter[tuple[str, ...]] = Counter(map(tuple, map(dict.keys, documents)))
        except TypeError:  # some record is not an object: count the objects only
            documents = list(filter(partial(is_not, None), documents))  # in C: placeholders
            try:
                shapes = Counter(map(tuple, map(dict.keys, documents)))
            except TypeError:
                documents = [d for d in documents if isinstance(d, dict)]
                shapes = Counter(map(tuple, map(dict.keys, documents)))
        order = self._order
        filled = self.filled
        for names, count in shapes.items():  # first-seen order, as records list them
            for name in names:
                if name not in order:
                    order[name] = None
                filled[name] += count
        if not batch.maybe_empty:
            return
        for document in documents:
            values = document.values()
            if None in values or "" in values:
                for name, value in document.items():
                    if value is None or value == "":
                        filled[name] -= 1

    @staticmethod
    def _filled_in_frame(batch: TableBatch, frame: Any, rows: list[int], name: str) -> int:
        """How many of ``rows`` fill the column ``name`` (as :meth:`_filled_at`, in the frame)."""
        if not rows:
            return 0
        try:
            column = list(batch.header).index(name)
        except ValueError:
            return 0
        if column >= frame.width:
            return 0
        cells = frame.get_column(frame.columns[column]).gather(rows)
        return int((cells.str.len_bytes() > 0).sum() or 0)

    @staticmethod
    def _filled_at(batch: TableBatch | DocumentBatch, i: int, name: str) -> bool:
        if isinstance(batch, TableBatch):
            try:
                column = list(batch.header).index(name)
            except ValueError:
                return False
            row = batch.rows[i]
            return column < len(row) and row[column] != ""
        document = batch.records[i]
        return isinstance(document, dict) and document.get(name) not in (None, "")

    @staticmethod
    def _row(batch: TableBatch | DocumentBatch, i: int) -> dict[str, Any]:
        if isinstance(batch, TableBatch):
            row = batch.rows[i]
            return {
                name or f"#{n + 1}": _shorten(row[n] if n < len(row) else "")
                for n, name in enumerate(batch.header)
            }
        document = batch.records[i]
        if isinstance(document, dict):
            return {str(k): _shorten(v) for k, v in document.items()}
        return {"": _shorten(document)}

    # -- result ------------------------------------------------------------------------------

    def result(self) -> list[FieldStats]:
        out = []
        for name in self._order:
            title, description = self.docs.get(name, ({}, {}))
            filled = self.filled[name]
            out.append(
                FieldStats(
                    name=name,
                    filled=filled,
                    valid=filled - self.invalid_filled[name],
                    fixed=0,
                    rejected=self.rejected[name],
                    findings=self.findings[name],
                    title=dict(title),
                    description=dict(description),
                )
            )
        return out
