"""GB/T 2260 administrative division codes: the default list and the dated importer.

Two lists can stand behind the code list id ``gbt2260``:

* **ever in use** (always available): every county-level-and-above code found in the data
  python-stdnum ships for its ``cn.ric`` module (``stdnum/cn/loc.dat``, read through its public
  ``stdnum.numdb`` API; the codes alone, which the identifier rules need, are read straight
  from the file when it has its usual layout, see :func:`stdnum_codes`). Its names carry year brackets (``[-2010]崇文区``: withdrawn in 2010;
  ``[1986-]房山区``: in use from 1986), from which year-level periods are derived with the
  same convention as the dated importer below (in use from 1 January of the first year, out of
  use from 31 December of the year of withdrawal). Codes without brackets count as always in
  use. Seventeen codes of the published yearly lists that python-stdnum lacks (e.g. 330113
  临平区, 2021) are added from ``codelists_data/gbt2260-addendum.csv``. Version
  ``stdnum-<version>``.
* **dated** (after ``govstd codelists import gbt2260 DIR``): built from a directory laid out
  like the `areacodes` project (yearly ``data/<year>.txt`` lists of ``CODE NAME`` lines, the
  codes in use on 31 December of that year, and ``diff/<a>-<b>.diff`` change files in its
  ``area-diff`` format). It is stored as JSON under the user data directory
  (``codelists/gbt2260.json``) and becomes the default ``gbt2260`` list. Version: the last year.

Dates in the dated list. The yearly lists only say what was in use on each 31 December, so a
code is taken to be in use from 1 January of the first year whose list holds it (``valid_from``;
open for the first year of the data) up to, not including, 31 December of the first year whose
list no longer holds it (``valid_to``: the first date on which it is known to be out of use). A
code is therefore never reported retired during the year in which it was withdrawn: the data
cannot tell when in that year it happened, and a false error is worse than a late one. A code
withdrawn and later reused has several periods.

Successors of a withdrawn code come from the deletion lines (``-CODE NAME>selectors``) of the
change file for the year it disappeared: the selectors name the records of the next list whose
areas took over its area. Records with children carry no selectors, so withdrawn prefecture and
province codes have no recorded successors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from govstd.codelists import Code, CodeList, CodeLists, Period
from govstd.exceptions import SetupError, UsageError

__all__ = [
    "CODELIST_ID",
    "ImportResult",
    "division_codes_ever",
    "import_gbt2260",
    "imported_path",
    "imported_versions",
    "read_gbt2260_dir",
    "register",
    "stdnum_codelist",
    "stdnum_codes",
]

CODELIST_ID = "gbt2260"
_TITLE = {
    "en": "GB/T 2260 administrative division codes",
    "zh": "GB/T 2260 中华人民共和国行政区划代码",
}
_ROOT = "000000"
_DATA_LINE = re.compile(r"^(\d{6}) (\S.*)$")
_CHANGE_LINE = re.compile(r"^([-+=])(\d{6}) ([^<>]+?)(?:([<>])(.*))?$")
_DIFF_NAME = re.compile(r"^(\d{4})-(\d{4})\.diff$")


# -- the default list, from python-stdnum ---------------------------------------------------


def _stdnum_version() -> str:
    from importlib import metadata

    return metadata.version("python-stdnum")


def stdnum_codelist() -> CodeList:
    """Every GB/T 2260 code python-stdnum's ``cn/loc`` database knows ("ever in use")."""
    entries: dict[str, Code] = {}
    for code, props in _stdnum_counties():
        parts = [p for p in props.get("county", "").split(",") if p.strip()]
        names = [n for n in (_strip_years(part) for part in parts) if n]
        labels = {"zh": names[-1]} if names else {}
        attributes = {"former_names": "、".join(names[:-1])} if len(names) > 1 else {}
        entries[code] = Code(code, labels, periods=_periods(parts), attributes=attributes)
    for code in _addendum():
        entries.setdefault(code.code, code)
    version = f"stdnum-{_stdnum_version()}"
    return CodeList(
        CODELIST_ID,
        version,
        sorted(entries.values(), key=lambda e: e.code),
        title={
            "en": f"{_TITLE['en']} (from python-stdnum, year-level dates)",
            "zh": f"{_TITLE['zh']}（取自 python-stdnum，按年份标注起止）",
        },
        provenance=f"python-stdnum {_stdnum_version()}, stdnum/cn/loc.dat (county codes compiled "
        "by python-stdnum from Wikipedia's lists of GB/T 2260 codes), read with stdnum.numdb. "
        "Periods are year-level, derived from the [from-to] year brackets of the names; import "
        "the yearly lists (govstd codelists import gbt2260 DIR) for successors and exact years.",
    )


def stdnum_codes() -> frozenset[str]:
    """The codes of :func:`stdnum_codelist`, without building the list (for
    :func:`division_codes_ever`).

    python-stdnum's ``cn/loc.dat`` is read directly when it has the plain layout of two-digit
    province lines each followed by lines of four more digits indented by two spaces (what
    ``stdnum.numdb`` makes of it is then exactly those six-digit codes; a test compares the
    two): this skips importing python-stdnum, which imports ``ssl`` and ``pydoc``. Any other
    layout is read through ``stdnum.numdb``.
    """
    codes = _plain_loc_codes()
    if codes is None:
        codes = {code for code, _ in _stdnum_counties()}
    codes.update(code.code for code in _addendum())
    return frozenset(codes)


_LOC_LINE = re.compile(r"(?:([0-9]{2})|  ([0-9]{4}))(?:[ \t]|\Z)")


def _plain_loc_codes() -> set[str] | None:
    """The six-digit codes of python-stdnum's ``cn/loc.dat`` if it has the plain layout, else
    None."""
    from importlib.util import find_spec

    try:
        spec = find_spec("stdnum")  # a top-level package: found, not imported
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = next(iter(spec.submodule_search_locations))
    try:
        text = (Path(folder) / "cn" / "loc.dat").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return _plain_loc(text)


def _plain_loc(text: str) -> set[str] | None:
    """The six-digit codes of a ``loc.dat`` text of the plain layout, else None."""
    codes: set[str] = set()
    province: str | None = None
    match = _LOC_LINE.match
    for line in text.splitlines():
        if not line.strip() or line[0] == "#":
            continue
        found = match(line)
        if found is None:
            return None
        top, county = found.groups()
        if top is not None:
            province = top
        elif province is None:
            return None
        else:
            codes.add(province + county)
    return codes


def _stdnum_counties(database: Any = None) -> Iterator[tuple[str, dict[str, str]]]:
    """Every county-level code of python-stdnum's ``cn/loc`` database (or of ``database``, a
    ``stdnum.numdb.NumDB``), with its properties."""
    if database is None:
        from stdnum import numdb

        database = numdb.get("cn/loc")
    for length, low, high, _props, children in database.prefixes:
        if length != 2 or low != high:
            continue
        for child_length, child_low, child_high, child_props, _ in children:
            if child_length != 4:
                continue
            for number in range(int(child_low), int(child_high) + 1):
                yield f"{low}{number:04d}", child_props


_YEARS = re.compile(r"^\[(\d{4})?-(\d{4})?\]")


def _periods(parts: list[str]) -> tuple[Period, ...]:
    """Year-level periods from python-stdnum's bracketed names (empty: always in use)."""
    spans: list[tuple[date | None, date | None]] = []
    for part in parts:
        match = _YEARS.match(part.strip())
        if match is None:
            return ()  # a name without dates: in use for as long as the list applies
        start, end = match.group(1), match.group(2)
        spans.append(
            (
                date(int(start), 1, 1) if start else None,
                date(int(end), 12, 31) if end else None,
            )
        )
    spans.sort(key=lambda span: (span[0] is not None, span[0] or date.min))
    merged: list[tuple[date | None, date | None]] = []
    for start, end in spans:
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None or start is None or start <= last_end:
                later = None if last_end is None or end is None else max(last_end, end)
                merged[-1] = (last_start, later)
                continue
        merged.append((start, end))
    if merged == [(None, None)]:
        return ()
    return tuple(merged)


def _addendum() -> list[Code]:
    """Codes of the published yearly lists that python-stdnum's data lacks.

    ``codelists_data/gbt2260-addendum.csv``: code, name, first and last year in which the
    Ministry of Civil Affairs' year-end list holds the code (empty last year: still in use).
    """
    import csv
    import io
    from importlib import resources

    text = (resources.files("govstd") / "codelists_data" / "gbt2260-addendum.csv").read_text(
        "utf-8"
    )
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        last = row["last_year"]
        period = (
            date(int(row["first_year"]), 1, 1),
            date(int(last) + 1, 12, 31) if last else None,
        )
        out.append(Code(row["code"], {"zh": row["name"]}, periods=(period,)))
    return out


def _strip_years(name: str) -> str:
    """``[1986-]房山区`` → ``房山区``."""
    name = name.strip()
    if name.startswith("["):
        name = name.partition("]")[2]
    return name.strip()


# -- the dated importer ---------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import produced: the list, where it was stored, and what could not be used."""

    codelist: CodeList
    path: Path | None = None
    years: tuple[int, int] = (0, 0)
    problems: list[str] = field(default_factory=list)

    @property
    def retired(self) -> int:
        return sum(1 for c in self.codelist if c.valid_to is not None)

    @property
    def with_successors(self) -> int:
        return sum(1 for c in self.codelist if c.successors)

    def to_dict(self) -> dict[str, object]:
        return {
            "codelist": self.codelist.ref,
            "path": str(self.path) if self.path else None,
            "years": list(self.years),
            "codes": len(self.codelist),
            "retired": self.retired,
            "with_successors": self.with_successors,
            "problems": list(self.problems),
        }


class _Table:
    """One yearly list: code → name, with the parent relation of the area-diff spec."""

    def __init__(self, year: int, names: dict[str, str]) -> None:
        self.year = year
        self.names = names
        self.by_name: dict[str, list[str]] = {}
        for code, name in names.items():
            self.by_name.setdefault(name, []).append(code)

    def parent(self, code: str) -> str:
        if code[2:] == "0000":
            return _ROOT
        province = code[:2] + "0000"
        if code[4:] != "00":
            prefecture = code[:4] + "00"
            if prefecture in self.names:
                return prefecture
        return province if province in self.names else _ROOT

    def name(self, code: str) -> str:
        return "中华人民共和国" if code == _ROOT else self.names.get(code, "")

    def select(self, selector: str, code: str, name: str, source: _Table) -> str | None:
        """The code of the record of this table that ``selector`` picks for record ``code``
        (named ``name`` in ``source``), or None if it picks none or several."""
        if selector == ".":
            return code if code in self.names else None
        if selector == "..":
            parent = source.parent(code)
            return parent if parent in self.names else None
        return self._by_name(
            name if selector == "_" else selector, source.name(source.parent(code))
        )

    def _by_name(self, value: str, parent_name: str) -> str | None:
        found = self.by_name.get(value, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            value = parent_name + value
        marked = {c for i in range(1, len(value)) for c in self.by_name.get(value[:i], [])}
        if len(marked) != 1:
            return None
        (anchor,) = marked
        rest = value[len(self.names[anchor]) :]
        matches = [c for c in self.by_name.get(rest, []) if self.parent(c) == anchor]
        return matches[0] if len(matches) == 1 else None


def _read_table(path: Path, year: int) -> _Table:
    names: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SetupError(f"cannot read {path}: {exc}") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _DATA_LINE.match(line.strip())
        if match is None:
            raise SetupError(f"{path}:{number}: expected 'CODE NAME', got {line!r}")
        names[match.group(1)] = match.group(2).strip()
    return _Table(year, names)


def _successors(
    diff: Path, source: _Table, target: _Table, problems: list[str]
) -> dict[str, list[str]]:
    """Successor codes (in ``target``) of the records deleted from ``source``."""
    out: dict[str, list[str]] = {}
    try:
        text = diff.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SetupError(f"cannot read {diff}: {exc}") from None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _CHANGE_LINE.match(line)
        if match is None:
            problems.append(f"{diff.name}:{number}: not a change line: {line!r}")
            continue
        kind, code, name, arrow, selectors = match.groups()
        if kind != "-" or not arrow:
            continue
        found = out.setdefault(code, [])
        for selector in selectors.split(","):
            selector = selector.strip()
            if selector.endswith("?"):
                continue  # disabled by the maintainers
            selector = selector.removesuffix("!")
            picked = target.select(selector, code, name.strip(), source)
            if picked is None:
                problems.append(
                    f"{diff.name}:{number}: selector {selector!r} of {code} {name.strip()} "
                    f"picks no single record of {target.year}"
                )
            elif picked not in found:
                found.append(picked)
    return out


def read_gbt2260_dir(directory: Path) -> ImportResult:
    """Build the dated GB/T 2260 list from an areacodes-style directory (not stored)."""
    data = directory / "data"
    if not data.is_dir():
        raise UsageError(f"{directory} has no data/ folder of yearly lists (data/<year>.txt)")
    tables: list[_Table] = []
    for path in sorted(data.glob("*.txt")):
        if path.stem.isdigit() and len(path.stem) == 4:
            tables.append(_read_table(path, int(path.stem)))
    if not tables:
        raise UsageError(f"{data} holds no yearly lists (<year>.txt)")
    tables.sort(key=lambda t: t.year)
    problems: list[str] = []

    diffs: dict[tuple[int, int], Path] = {}
    for path in sorted((directory / "diff").glob("*.diff")):
        match = _DIFF_NAME.match(path.name)
        if match:
            diffs[(int(match.group(1)), int(match.group(2)))] = path

    # periods: runs of consecutive lists holding the code
    runs: dict[str, list[list[int]]] = {}
    latest_name: dict[str, str] = {}
    names_seen: dict[str, list[str]] = {}
    for index, table in enumerate(tables):
        for code, name in table.names.items():
            code_runs = runs.setdefault(code, [])
            if code_runs and code_runs[-1][1] == index - 1:
                code_runs[-1][1] = index
            else:
                code_runs.append([index, index])
            latest_name[code] = name
            seen = names_seen.setdefault(code, [])
            if name not in seen:
                seen.append(name)

    successors: dict[str, list[str]] = {}
    for index in range(len(tables) - 1):
        source, target = tables[index], tables[index + 1]
        diff = diffs.get((source.year, target.year))
        if diff is None:
            gone = set(source.names) - set(target.names)
            if gone:
                problems.append(
                    f"no diff/{source.year}-{target.year}.diff: {len(gone)} withdrawn codes "
                    "get no successors"
                )
            continue
        for code, found in _successors(diff, source, target, problems).items():
            if code not in target.names:  # withdrawn, not renamed
                successors[code] = found

    last = len(tables) - 1
    entries = []
    for code in sorted(runs):
        periods: list[Period] = []
        for first, end in runs[code]:
            start = None if first == 0 else date(tables[first - 1].year + 1, 1, 1)
            stop = None if end == last else date(tables[end + 1].year, 12, 31)
            periods.append((start, stop))
        former = [name for name in names_seen[code] if name != latest_name[code]]
        entries.append(
            Code(
                code,
                {"zh": latest_name[code]},
                periods=tuple(periods) if periods != [(None, None)] else (),
                successors=tuple(successors.get(code, ()) if periods[-1][1] else ()),
                attributes={"former_names": "、".join(former)} if former else {},
            )
        )
    first_year, last_year = tables[0].year, tables[-1].year
    codelist = CodeList(
        CODELIST_ID,
        str(last_year),
        entries,
        title={
            "en": f"{_TITLE['en']}, {first_year}-{last_year}",
            "zh": f"{_TITLE['zh']}（{first_year}—{last_year} 年，含启用与停用日期）",
        },
        provenance=f"imported from {directory.resolve()}: yearly lists {first_year}-{last_year} "
        f"(codes in use on 31 December) and {len(diffs)} change files (area-diff format). A code "
        "is in use from 1 January of the first year whose list holds it until 31 December "
        "(exclusive) of the first year whose list no longer holds it.",
    )
    return ImportResult(codelist, years=(first_year, last_year), problems=problems)


def imported_path(data_dir: Path, version: str) -> Path:
    """Where an imported dated list of ``version`` (its last year) is stored."""
    return data_dir / "codelists" / f"{CODELIST_ID}@{version}.json"


def imported_versions(data_dir: Path) -> dict[str, Path]:
    """The imported dated lists in ``data_dir``, by version."""
    folder = data_dir / "codelists"
    if not folder.is_dir():
        return {}
    prefix = f"{CODELIST_ID}@"
    return {
        path.stem[len(prefix) :]: path
        for path in sorted(folder.glob(f"{prefix}*.json"))
        if path.stem[len(prefix) :]
    }


def import_gbt2260(directory: Path, data_dir: Path) -> ImportResult:
    """Read ``directory`` (see :func:`read_gbt2260_dir`) and store the dated list in
    ``data_dir``, where it becomes the default ``gbt2260`` list.

    Each import is stored by its version (the last year of the data); importing the same
    version again replaces it, and the highest imported version is the default.
    """
    result = read_gbt2260_dir(Path(directory))
    target = imported_path(Path(data_dir), result.codelist.version)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(
            json.dumps(result.codelist.to_dict(), ensure_ascii=False, indent=0), encoding="utf-8"
        )
        tmp.replace(target)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    result.path = target
    return result


def _load_imported(path: Path) -> CodeList:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SetupError(
            f"cannot read the imported GB/T 2260 list {path}: {exc}; import it again with "
            "'govstd codelists import gbt2260 DIR' or delete the file"
        ) from None
    try:
        return CodeList.from_dict(data)
    except SetupError as exc:
        raise SetupError(f"{path}: {exc}") from None


def register(library: CodeLists, data_dir: Path) -> None:
    """Add the GB/T 2260 lists to ``library``: stdnum's, and imported ones (the highest
    imported version is the default)."""
    library.add_loader(
        CODELIST_ID, f"stdnum-{_stdnum_version()}", stdnum_codelist, codes=stdnum_codes
    )
    imported = imported_versions(data_dir)
    for version in sorted(imported, key=_year_key):
        path = imported[version]
        library.add_loader(
            CODELIST_ID, version, lambda path=path: _load_imported(path), default=True
        )


def _year_key(version: str) -> tuple[int, str]:
    return (int(version), "") if version.isdigit() else (-1, version)


def division_codes_ever(library: CodeLists) -> frozenset[str]:
    """Every GB/T 2260 code any available source lists (for codes that stay valid for life,
    like the first six digits of a resident identity number)."""
    codes: set[str] = set()
    for version in library.versions(CODELIST_ID):
        codes.update(library.codes(CODELIST_ID, version))
    return frozenset(codes)
