"""Diff of two code lists: codes added, removed and retired.

A field bound to a *closed* code list rejects every other code. So, for the field:

* a code **added** lets new data carry a code an old system rejects: breaking for consumers;
* a code **removed** makes old exports that use it invalid: breaking for producers;
* a code **retired** (given an end date it did not have) is reported as not in use after
  that date: breaking for producers, whose old exports may still use it.

For an *open* list an unknown code is only a warning, so neither side breaks; the change is
still listed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from govstd.codelists import Code, CodeList, load_codelist
from govstd.exceptions import SetupError
from govstd.versions.changes import Change, Impact

__all__ = ["diff_codelists", "read_codelist_file"]

C, B = Impact.COMPATIBLE, Impact.BREAKING


def diff_codelists(
    old: CodeList, new: CodeList, *, path: str = "", artefact: str = "codelists"
) -> list[Change]:
    """Changes from ``old`` to ``new``, for a field at ``path`` bound to the list."""
    if old is new or (old.ref == new.ref and old.provenance == new.provenance):
        return []
    before, after = {c.code for c in old}, {c.code for c in new}
    added = sorted(after - before)
    removed = sorted(before - after)
    retired = sorted(
        code
        for code in before & after
        if _end(new.get(code)) is not None and _end(old.get(code)) is None
    )
    label = f"{old.ref} → {new.ref}"
    out: list[Change] = []
    if added:
        out.append(
            Change(
                kind="codelist.codes-added",
                path=path,
                producers=C,
                consumers=B if old.closed else C,
                detail=f"{label}: adds {', '.join(added)}",
                detail_zh=f"{label}：新增代码 {', '.join(added)}",
                direction="loosened",
                artefact=artefact,
                old=old.ref,
                new=added,
            )
        )
    if removed:
        out.append(
            Change(
                kind="codelist.codes-removed",
                path=path,
                producers=B if new.closed else C,
                consumers=C,
                detail=f"{label}: removes {', '.join(removed)}",
                detail_zh=f"{label}：删除代码 {', '.join(removed)}",
                direction="tightened",
                artefact=artefact,
                old=removed,
                new=new.ref,
            )
        )
    if retired:
        out.append(
            Change(
                kind="codelist.codes-retired",
                path=path,
                producers=B if new.closed else C,
                consumers=C,
                detail=f"{label}: retires {', '.join(retired)}",
                detail_zh=f"{label}：停用代码 {', '.join(retired)}",
                direction="tightened",
                artefact=artefact,
                old=old.ref,
                new=retired,
            )
        )
    if old.closed != new.closed:
        out.append(
            Change(
                kind="codelist.changed",
                path=path,
                producers=B if new.closed else C,
                consumers=C if new.closed else B,
                detail=f"{label}: {'closed' if new.closed else 'open'} list now",
                direction="tightened" if new.closed else "loosened",
                artefact=artefact,
            )
        )
    return out


def _end(code: Code | None) -> object:
    return None if code is None else code.valid_to


def read_codelist_file(path: Path, *, id: str | None = None, version: str = "") -> CodeList:
    """A code list file as govstd writes it (``code`` column, or JSON), or a third-party CSV
    whose code column is spelt ``Code`` (OCDS, 360Giving)."""
    ident = id or path.stem
    if path.suffix.lower() == ".json":
        return load_codelist(path, id=ident, version=version or "file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SetupError(f"cannot read code list {path}: {exc.strerror or exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    column = next((c for c in reader.fieldnames or () if c.strip().lower() == "code"), None)
    if column is None:
        raise SetupError(f"code list {path}: no 'code' column in the header")
    codes: dict[str, Code] = {}
    for row in reader:
        code = (row.get(column) or "").strip()
        if code and code not in codes:
            codes[code] = Code(code=code)
    return CodeList(ident, version or str(path), codes.values(), provenance=str(path))
