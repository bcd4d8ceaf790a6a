"""Uniqueness in a Table Schema check: ``unique`` fields, ``primaryKey`` and ``uniqueKeys``.

Each key is tracked in a :class:`~govstd.keyindex.KeyIndex` (64-bit key hashes → the first
record with that key; 12 bytes per distinct key, never a Python set of values). Per batch,
every key field gives a :class:`KeyColumn`: one hash per row, which rows are missing and
which are not of the field's type (those are skipped: they already have ``field.type``).

How a cell is hashed is fixed for a whole source by its first batch, so that the reference
batches (rows of texts) and the columnar ones (polars frames) of one source agree: text-valued
fields (``string``, ``any``) are hashed by polars when the source started columnar, by Python's
``hash`` otherwise; typed fields (``integer``, ``date`` …) always by Python's ``hash`` of the
value (so ``1`` and ``01`` are one integer key, as in the reference engine).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from govstd.engines.tablefields import INVALID, ColumnOutcome, FieldCheck, _hashable
from govstd.findings import Location
from govstd.keyindex import KeyIndex, mix

if TYPE_CHECKING:
    from govstd.catalogue import Catalogue
    from govstd.findings import Finding
    from govstd.formats.base import TableBatch

__all__ = ["KeyColumn", "KeyTracker"]

#: the hash of a missing key part (compared as it is in a partly empty primary key)
_MISSING = np.uint64(0x6A09E667F3BCC908)


@dataclass(slots=True)
class KeyColumn:
    """Key material of one field over one batch."""

    hashes: np.ndarray
    missing: np.ndarray
    invalid: np.ndarray
    #: the value of row ``r`` as shown in a finding (``str`` of the typed value)
    shown: Callable[[int], str]
    #: the cell text of row ``r``
    cell: Callable[[int], str | None]


def _python_hashes(values: Sequence[Any]) -> np.ndarray:
    return np.fromiter((hash(v) for v in values), dtype=np.int64, count=len(values)).view(np.uint64)


class KeyTracker:
    """The key indexes of one source and the findings they give."""

    def __init__(
        self,
        fields: Sequence[FieldCheck],
        primary: Sequence[str],
        unique_keys: Sequence[Sequence[str]],
        catalogue: Catalogue,
        source: str,
    ) -> None:
        self.fields = fields
        self.primary = tuple(primary)
        self.unique_keys = [tuple(k) for k in unique_keys]
        self.catalogue = catalogue
        self.source = source
        self.unique = {f.name: KeyIndex() for f in fields if f.unique}
        self.primary_index = KeyIndex()
        self.unique_indexes = [KeyIndex() for _ in self.unique_keys]
        #: None until the first batch: then whether texts are hashed by polars
        self.polars: bool | None = None
        names = {f.name for f in fields if f.unique}
        names.update(self.primary)
        for key in self.unique_keys:
            names.update(key)
        self.keyed = names

    @property
    def active(self) -> bool:
        return bool(self.keyed)

    # -- key material ------------------------------------------------------------------------

    def _text_hashes(self, texts: Sequence[str | None]) -> np.ndarray:
        if self.polars:
            import polars as pl

            # a copy: the caller writes into it (polars' own buffer is read-only)
            return pl.Series(texts, dtype=pl.String).hash(seed=0).to_numpy().copy()
        return _python_hashes(texts)

    def from_outcome(
        self, fc: FieldCheck, outcome: ColumnOutcome, cells: Sequence[str | None]
    ) -> KeyColumn:
        """Key material from the reference path's outcome (``keys``: value, None, INVALID)."""
        if self.polars is None:
            self.polars = False
        keys = outcome.keys
        assert keys is not None
        count = len(keys)
        missing = np.fromiter((k is None for k in keys), dtype=bool, count=count)
        invalid = np.fromiter((k is INVALID for k in keys), dtype=bool, count=count)
        plain = [None if (k is None or k is INVALID) else k for k in keys]
        hashes = self._text_hashes(plain) if fc.ctype.identity else _python_hashes(plain)
        hashes[missing] = _MISSING
        return KeyColumn(hashes, missing, invalid, lambda r: str(keys[r]), lambda r: cells[r])

    def from_frame(
        self,
        fc: FieldCheck,
        column: Any,
        missing: np.ndarray,
        invalid_rows: Sequence[int],
        *,
        hashes: np.ndarray | None = None,
    ) -> KeyColumn:
        """Key material from a polars column of texts (columnar path); ``hashes``: the
        column's ``hash(seed=0)`` if the caller computed it already."""
        if self.polars is None:
            self.polars = True
        count = len(column)
        invalid = np.zeros(count, dtype=bool)
        invalid[list(invalid_rows)] = True
        if fc.ctype.identity and self.polars:
            if hashes is None:
                hashes = column.hash(seed=0).to_numpy()
            if missing.any():  # written into below (polars' own buffer is read-only)
                hashes = hashes.copy()
            shown: Callable[[int], str] = lambda r: column[r]  # noqa: E731
        else:
            texts = column.to_list()
            values: list[Any] = [None] * count
            for r, text in enumerate(texts):
                if not missing[r] and not invalid[r]:
                    values[r] = fc.parse(text)
            if fc.ctype.name in ("object", "array", "geojson", "list"):
                values = list(map(_hashable, values))
            hashes = self._text_hashes(values) if fc.ctype.identity else _python_hashes(values)
            shown = lambda r: str(values[r])  # noqa: E731
        if missing.any():
            hashes[missing] = _MISSING
        return KeyColumn(hashes, missing, invalid, shown, lambda r: column[r])

    # -- findings ------------------------------------------------------------------------------

    def check(
        self,
        batch: TableBatch,
        material: Mapping[str, KeyColumn],
        columns: Mapping[str, int],
        blank: set[int],
    ) -> list[Finding]:
        """Findings for the keys of one batch (``material``: by field name, every key field
        the header has; ``columns``: 0-based column of each)."""
        out: list[Finding] = []
        finding = self.catalogue.finding
        known = getattr(batch, "first_ordinal", None)
        first = known() if known is not None else None
        if first is not None:  # consecutive: no conversion of the list
            ordinals = np.arange(first, first + len(batch.ordinals), dtype=np.int64)
        else:
            ordinals = np.asarray(batch.ordinals, dtype=np.int64)
        lines = batch.lines
        count = len(ordinals)
        blank_rows: np.ndarray | None = None
        if blank:
            blank_rows = np.zeros(count, dtype=bool)
            blank_rows[list(blank)] = True
        for name, index in self.unique.items():
            key = material.get(name)
            if key is None:
                continue
            eligible = _eligible(_union([blank_rows, key.missing, key.invalid]))
            dupes, first = _add(index, key.hashes, ordinals, eligible)
            column = columns[name]
            for position, owner in zip(dupes.tolist(), first.tolist(), strict=True):
                r = position if eligible is None else int(eligible[position])
                out.append(
                    finding(
                        "field.unique",
                        source=self.source,
                        record=int(ordinals[r]),
                        location=Location(line=lines[r], column=column + 1, field=name),
                        keyword="constraints.unique",
                        value=key.cell(r),
                        expected=True,
                        first_record=owner,
                    )
                )
        if self.primary:
            out.extend(
                self._composite(
                    batch,
                    ordinals,
                    material,
                    blank_rows,
                    self.primary,
                    self.primary_index,
                    primary=True,
                )
            )
        for names, index in zip(self.unique_keys, self.unique_indexes, strict=True):
            out.extend(
                self._composite(batch, ordinals, material, blank_rows, names, index, primary=False)
            )
        return out

    def _composite(
        self,
        batch: TableBatch,
        ordinals: np.ndarray,
        material: Mapping[str, KeyColumn],
        blank_rows: np.ndarray | None,
        names: tuple[str, ...],
        index: KeyIndex,
        *,
        primary: bool,
    ) -> list[Finding]:
        parts = [material.get(n) for n in names]
        if any(p is None for p in parts):
            return []  # a key column is missing from the header (header.missing says so)
        keys: list[KeyColumn] = parts  # type: ignore[assignment]
        finding = self.catalogue.finding
        lines = batch.lines
        # rows that cannot have a key finding: blank, or a part not of its type
        unusable = _union([blank_rows, *(k.invalid for k in keys)])
        out: list[Finding] = []
        expected = list(names)
        shown_field = ", ".join(names)
        if primary:
            all_missing = keys[0].missing
            for k in keys[1:]:
                all_missing = all_missing & k.missing
            if all_missing.any():
                usable_missing = all_missing if unusable is None else all_missing & ~unusable
                for r in np.flatnonzero(usable_missing).tolist():
                    out.append(
                        finding(
                            "record.missing-key",
                            source=self.source,
                            record=int(ordinals[r]),
                            location=Location(line=lines[r], field=shown_field),
                            keyword="primaryKey",
                            expected=expected,
                        )
                    )
            eligible = _eligible(_union([unusable, all_missing]))
        else:
            eligible = _eligible(_union([unusable, *(k.missing for k in keys)]))
        hashes = keys[0].hashes if len(keys) == 1 else mix([k.hashes for k in keys])
        dupes, first = _add(index, hashes, ordinals, eligible)
        code = "record.duplicate-key" if primary else "record.duplicate-unique-key"
        keyword = "primaryKey" if primary else "uniqueKeys"
        for position, owner in zip(dupes.tolist(), first.tolist(), strict=True):
            r = position if eligible is None else int(eligible[position])
            value = ["" if k.missing[r] else k.shown(r) for k in keys]
            out.append(
                finding(
                    code,
                    source=self.source,
                    record=int(ordinals[r]),
                    location=Location(line=lines[r], field=shown_field),
                    keyword=keyword,
                    value=value,
                    expected=expected,
                    first_record=owner,
                )
            )
        return out


def _union(masks: Sequence[np.ndarray | None]) -> np.ndarray | None:
    """The rows set in any of the masks (None: none of them; a mask may be None: empty)."""
    out: np.ndarray | None = None
    for mask in masks:
        if mask is None or not mask.any():
            continue
        out = mask.copy() if out is None else np.logical_or(out, mask, out=out)
    return out


def _eligible(excluded: np.ndarray | None) -> np.ndarray | None:
    """The rows not excluded (None: every row, the common case: no index arrays to build)."""
    return None if excluded is None else np.flatnonzero(~excluded)


def _add(
    index: KeyIndex, hashes: np.ndarray, ordinals: np.ndarray, eligible: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """``index.add`` of the eligible rows (positions into ``eligible``, or rows if None)."""
    if eligible is None:
        return index.add(hashes, ordinals)
    return index.add(hashes[eligible], ordinals[eligible])
