"""Code lists: versioned tables of codes with labels, validity periods and successors.

A :class:`CodeList` is data with provenance: every code has Chinese and English labels, and
where it applies the periods in which it was in use (``valid_from`` inclusive, ``valid_to``
exclusive) and the codes that succeeded it. A list is *closed* (only its codes are allowed)
or *open* (other codes are tolerated, so an unknown code is only a warning).

A :class:`CodeLists` library holds lists by id and version. References are ``id`` (the
default version: the one marked default, else the highest) or ``id@version``, where the
version may be given in part: ``cn.legal-entity.status@1`` names ``1.0.0``. The default
library (:meth:`CodeLists.default`) holds the lists shipped in ``codelists_data/``, ISO 3166-1
alpha-3 from pycountry, and GB/T 2260 (see :mod:`govstd.gbt2260`).

Files: a JSON code list is one object ``{"id", "version", "title", "closed", "provenance",
"codes": [{"code", "labels": {"zh", "en"}, "valid_from", "valid_to", "periods",
"successors", "attributes"}]}``. A CSV code list has a header with ``code`` and any of ``zh``,
``en``, ``valid_from``, ``valid_to``, ``successors`` (separated by ``;``); other columns become
attributes; its metadata comes from the caller (``codelists_data/index.toml`` for shipped ones).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from govstd.exceptions import SetupError

__all__ = [
    "Code",
    "CodeList",
    "CodeLists",
    "Period",
    "load_codelist",
    "parse_codelist",
    "shipped_codelists",
    "user_data_dir",
]

#: ``(valid_from, valid_to)``: from inclusive, to exclusive; ``None`` is open-ended
Period = tuple[date | None, date | None]

_LABEL_COLUMNS = ("zh", "en")
_KNOWN_COLUMNS = ("code", "zh", "en", "valid_from", "valid_to", "successors")


def user_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where govstd keeps data a user imports (dated code lists …).

    ``GOVSTD_DATA_DIR`` if set, else ``$XDG_DATA_HOME/govstd``, else
    ``~/.local/share/govstd``.
    """
    env = os.environ if environ is None else environ
    configured = env.get("GOVSTD_DATA_DIR", "").strip()
    if configured:
        return Path(configured).expanduser()
    xdg = env.get("XDG_DATA_HOME", "").strip()
    if xdg:
        return Path(xdg).expanduser() / "govstd"
    return Path.home() / ".local" / "share" / "govstd"


@dataclass(frozen=True, slots=True)
class Code:
    """One code of a list. ``periods`` empty means: in use for as long as the list applies."""

    code: str
    labels: Mapping[str, str] = field(default_factory=dict)
    periods: tuple[Period, ...] = ()
    successors: tuple[str, ...] = ()
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def valid_from(self) -> date | None:
        return self.periods[0][0] if self.periods else None

    @property
    def valid_to(self) -> date | None:
        return self.periods[-1][1] if self.periods else None

    def in_use(self, on: date) -> bool:
        if not self.periods:
            return True
        for start, end in self.periods:
            if (start is None or start <= on) and (end is None or on < end):
                return True
        return False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "labels": dict(self.labels)}
        if len(self.periods) == 1:
            start, end = self.periods[0]
            if start is not None:
                out["valid_from"] = start.isoformat()
            if end is not None:
                out["valid_to"] = end.isoformat()
        elif self.periods:
            out["periods"] = [
                [s.isoformat() if s else None, e.isoformat() if e else None]
                for s, e in self.periods
            ]
        if self.successors:
            out["successors"] = list(self.successors)
        if self.attributes:
            out["attributes"] = dict(self.attributes)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Code:
        periods: list[Period] = []
        if data.get("periods"):
            for start, end in data["periods"]:
                periods.append((_date_or_none(start), _date_or_none(end)))
        elif data.get("valid_from") or data.get("valid_to"):
            periods.append(
                (_date_or_none(data.get("valid_from")), _date_or_none(data.get("valid_to")))
            )
        return cls(
            code=str(data["code"]),
            labels={str(k): str(v) for k, v in (data.get("labels") or {}).items()},
            periods=tuple(periods),
            successors=tuple(str(s) for s in data.get("successors") or ()),
            attributes={str(k): str(v) for k, v in (data.get("attributes") or {}).items()},
        )


def _date_or_none(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class CodeList:
    """A versioned list of codes. Immutable once built; per-date code sets are cached."""

    def __init__(
        self,
        id: str,
        version: str,
        codes: Iterable[Code],
        *,
        title: Mapping[str, str] | None = None,
        closed: bool = True,
        provenance: str = "",
    ) -> None:
        self.id = id
        self.version = version
        self.title: Mapping[str, str] = dict(title or {"en": id})
        self.closed = closed
        self.provenance = provenance
        self._codes: dict[str, Code] = {}
        for entry in codes:
            if entry.code in self._codes:
                raise SetupError(f"code list {id}@{version}: code {entry.code!r} is listed twice")
            self._codes[entry.code] = entry
        self._ever = frozenset(self._codes)
        self.dated = any(entry.periods for entry in self._codes.values())
        self._by_date: dict[date, frozenset[str]] = {}

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def __contains__(self, code: object) -> bool:
        return code in self._ever

    def __iter__(self) -> Iterator[Code]:
        return iter(self._codes.values())

    def __len__(self) -> int:
        return len(self._codes)

    def __repr__(self) -> str:
        return f"CodeList({self.ref!r}, {len(self)} codes)"

    def get(self, code: str) -> Code | None:
        return self._codes.get(code)

    def codes(self, as_of: date | None = None) -> frozenset[str]:
        """The codes in use on ``as_of``; every code ever listed when ``as_of`` is None."""
        if as_of is None or not self.dated:
            return self._ever
        cached = self._by_date.get(as_of)
        if cached is None:
            cached = frozenset(c for c, entry in self._codes.items() if entry.in_use(as_of))
            self._by_date[as_of] = cached
        return cached

    def is_in_use(self, code: str, as_of: date | None = None) -> bool:
        """Whether ``code`` is in use on ``as_of`` (ever listed, when ``as_of`` is None)."""
        entry = self._codes.get(code)
        if entry is None:
            return False
        return as_of is None or entry.in_use(as_of)

    def label(self, code: str, lang: str = "en") -> str | None:
        """The label of ``code`` in ``lang``, falling back to any other label."""
        entry = self._codes.get(code)
        if entry is None:
            return None
        return entry.labels.get(lang) or next(iter(entry.labels.values()), None)

    def successors(self, code: str) -> tuple[str, ...]:
        """The codes recorded as directly succeeding ``code`` (empty if none)."""
        entry = self._codes.get(code)
        return entry.successors if entry is not None else ()

    def current_successors(self, code: str, as_of: date) -> tuple[str, ...]:
        """Successors of ``code`` in use on ``as_of``, following chains of later changes."""
        out: list[str] = []
        seen = {code}
        pending = list(self.successors(code))
        while pending:
            nxt = pending.pop(0)
            if nxt in seen:
                continue
            seen.add(nxt)
            if self.is_in_use(nxt, as_of):
                out.append(nxt)
            else:
                pending.extend(self.successors(nxt))
        return tuple(out)

    def summary(self) -> dict[str, Any]:
        """Metadata without the codes."""
        return {
            "id": self.id,
            "version": self.version,
            "ref": self.ref,
            "title": dict(self.title),
            "closed": self.closed,
            "dated": self.dated,
            "codes": len(self),
            "provenance": self.provenance,
        }

    def to_dict(self) -> dict[str, Any]:
        out = self.summary()
        del out["ref"], out["dated"]
        out["codes"] = [entry.to_dict() for entry in self._codes.values()]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CodeList:
        try:
            return cls(
                str(data["id"]),
                str(data["version"]),
                (Code.from_dict(entry) for entry in data["codes"]),
                title=data.get("title"),
                closed=bool(data.get("closed", True)),
                provenance=str(data.get("provenance", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SetupError(
                f"not a valid code list document: {type(exc).__name__}: {exc}"
            ) from None


# -- files ------------------------------------------------------------------------------------


def parse_codelist(
    text: str,
    *,
    format: str,
    id: str | None = None,
    version: str = "1.0.0",
    title: Mapping[str, str] | None = None,
    closed: bool = True,
    provenance: str = "",
) -> CodeList:
    """Parse a code list from JSON or CSV text (see the module docs for the layouts)."""
    if format == "json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise SetupError(f"code list is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise SetupError("a JSON code list must be an object with 'id', 'version', 'codes'")
        if id is not None:
            data = {**data, "id": id}
        return CodeList.from_dict(data)
    if format != "csv":
        raise SetupError(f"unknown code list format {format!r} (use csv or json)")
    if id is None:
        raise SetupError("a CSV code list needs an id")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "code" not in reader.fieldnames:
        raise SetupError(f"code list {id}: the CSV header must have a 'code' column")
    entries = []
    for row in reader:
        start, end = row.get("valid_from") or None, row.get("valid_to") or None
        entries.append(
            Code(
                code=row["code"],
                labels={k: row[k] for k in _LABEL_COLUMNS if row.get(k)},
                periods=((_date_or_none(start), _date_or_none(end)),) if start or end else (),
                successors=tuple(s for s in (row.get("successors") or "").split(";") if s),
                attributes={k: v for k, v in row.items() if k not in _KNOWN_COLUMNS and k and v},
            )
        )
    return CodeList(id, version, entries, title=title, closed=closed, provenance=provenance)


def load_codelist(path: Path, **meta: Any) -> CodeList:
    """Load a code list file (``.json`` or ``.csv``); ``meta`` as for :func:`parse_codelist`."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise SetupError(f"code list {path}: use a .csv or .json file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SetupError(f"cannot read code list {path}: {exc.strerror or exc}") from None
    try:
        return parse_codelist(text, format=suffix[1:], **meta)
    except SetupError as exc:
        raise SetupError(f"{path}: {exc}") from None


def shipped_codelists() -> list[CodeList]:
    """The code lists shipped in ``codelists_data/`` (described by its ``index.toml``)."""
    folder = resources.files("govstd") / "codelists_data"
    index = tomllib.loads((folder / "index.toml").read_text(encoding="utf-8"))
    out = []
    for entry in index["codelist"]:
        text = (folder / entry["file"]).read_text(encoding="utf-8")
        out.append(
            parse_codelist(
                text,
                format=entry["file"].rsplit(".", 1)[1],
                id=entry["id"],
                version=entry["version"],
                title=entry["title"],
                closed=entry.get("closed", True),
                provenance=entry["provenance"].strip(),
            )
        )
    return out


def iso3166_alpha3() -> CodeList:
    """ISO 3166-1 alpha-3 country codes from pycountry, with Chinese names where it has them."""
    import gettext

    import pycountry

    try:
        zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"]).gettext
    except OSError:  # pragma: no cover - translations missing from the installation

        def zh(text: str) -> str:
            return ""

    entries = []
    for country in pycountry.countries:
        labels = {"en": country.name}
        translated = zh(country.name)
        if translated and translated != country.name:
            labels["zh"] = translated
        entries.append(Code(country.alpha_3, labels, attributes={"alpha_2": country.alpha_2}))
    return CodeList(
        "iso3166-1-alpha3",
        _pycountry_version(),
        sorted(entries, key=lambda e: e.code),
        title={"en": "ISO 3166-1 alpha-3 country codes", "zh": "ISO 3166-1 三字母国家代码"},
        provenance=f"pycountry {_pycountry_version()} (Debian iso-codes data); Chinese names from its zh_CN "
        "translations",
    )


def _pycountry_version() -> str:
    from importlib import metadata

    return metadata.version("pycountry")


# -- the library of code lists ----------------------------------------------------------------


def _version_key(version: str) -> tuple[tuple[int, Any], ...]:
    return tuple(
        (0, int(p)) if p.isdigit() else (1, p) for p in version.replace("-", ".").split(".")
    )


class CodeLists:
    """Code lists by id and version. Lists given as loaders are loaded on first use."""

    def __init__(self) -> None:
        self._loaders: dict[str, dict[str, Callable[[], CodeList]]] = {}
        self._loaded: dict[tuple[str, str], CodeList] = {}
        self._default: dict[str, str] = {}
        #: cheaper ways to list a list's codes without loading it (see :meth:`codes`)
        self._code_loaders: dict[tuple[str, str], Callable[[], Iterable[str]]] = {}
        self._codes: dict[tuple[str, str], frozenset[str]] = {}

    def add(self, codelist: CodeList, *, default: bool = False) -> None:
        """Add a list (replacing one with the same id and version)."""
        self._loaded[(codelist.id, codelist.version)] = codelist
        self.add_loader(codelist.id, codelist.version, lambda: codelist, default=default)

    def add_loader(
        self,
        id: str,
        version: str,
        loader: Callable[[], CodeList],
        *,
        default: bool = False,
        codes: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        """Register a list loaded only when first asked for.

        ``codes``, when given, returns every code the list ever held (what
        ``loader().codes()`` returns) more cheaply than loading the list: :meth:`codes` uses it
        while the list is not loaded.
        """
        self._loaders.setdefault(id, {})[version] = loader
        self._codes.pop((id, version), None)
        if codes is None:
            self._code_loaders.pop((id, version), None)
        else:
            self._code_loaders[(id, version)] = codes
        if default:
            self._default[id] = version

    def ids(self) -> list[str]:
        return sorted(self._loaders)

    def versions(self, id: str) -> list[str]:
        return sorted(self._loaders.get(id, {}), key=_version_key)

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and self._pick(ref) is not None

    def _pick(self, ref: str) -> tuple[str, str] | None:
        ident, _, wanted = ref.partition("@")
        versions = self.versions(ident)
        if not versions:
            return None
        if not wanted:
            return ident, self._default.get(ident, versions[-1])
        parts = wanted.split(".")
        matching = [v for v in versions if v == wanted or v.split(".")[: len(parts)] == parts]
        return (ident, matching[-1]) if matching else None

    def get(self, ref: str) -> CodeList:
        """The list ``ref`` names; raise :class:`SetupError` if there is none."""
        picked = self._pick(ref)
        if picked is None:
            ident = ref.partition("@")[0]
            if ident in self._loaders:
                raise SetupError(
                    f"code list {ident} has no version matching {ref!r} "
                    f"(available: {', '.join(self.versions(ident))})"
                )
            raise SetupError(f"unknown code list {ref!r} (known: {', '.join(self.ids())})")
        loaded = self._loaded.get(picked)
        if loaded is None:
            loaded = self._loaders[picked[0]][picked[1]]()
            self._loaded[picked] = loaded
        return loaded

    def codes(self, id: str, version: str) -> frozenset[str]:
        """Every code version ``version`` of the list ``id`` ever held (as
        ``get(f"{id}@{version}").codes()``), without loading a list registered with a cheaper
        way to tell (see :meth:`add_loader`); raise :class:`SetupError` if there is no such
        version."""
        key = (id, version)
        loaded = self._loaded.get(key)
        if loaded is not None:
            return loaded.codes()
        cached = self._codes.get(key)
        if cached is not None:
            return cached
        source = self._code_loaders.get(key)
        if source is None:
            if version not in self._loaders.get(id, {}):
                raise SetupError(f"unknown code list {id}@{version}")
            loaded = self._loaders[id][version]()
            self._loaded[key] = loaded
            return loaded.codes()
        cached = self._codes[key] = frozenset(source())
        return cached

    def all_versions(self, id: str) -> list[CodeList]:
        return [self.get(f"{id}@{v}") for v in self.versions(id)]

    def all(self) -> list[CodeList]:
        """Every version of every list, by id then version."""
        return [cl for ident in self.ids() for cl in self.all_versions(ident)]

    def copy(self) -> CodeLists:
        other = CodeLists()
        other._loaders = {k: dict(v) for k, v in self._loaders.items()}
        other._loaded = dict(self._loaded)
        other._default = dict(self._default)
        other._code_loaders = dict(self._code_loaders)
        other._codes = dict(self._codes)
        return other

    @classmethod
    def default(cls, environ: Mapping[str, str] | None = None) -> CodeLists:
        """The shipped lists, ISO 3166-1 alpha-3, and GB/T 2260.

        ``gbt2260`` is the dated list imported into the user data directory when there is one
        (``govstd codelists import gbt2260 DIR``), else the "ever in use" list built from
        python-stdnum's data; both are available by version.
        """
        from govstd import gbt2260

        library = cls()
        for codelist in shipped_codelists():
            library.add(codelist)
        library.add_loader("iso3166-1-alpha3", _pycountry_version(), iso3166_alpha3)
        gbt2260.register(library, user_data_dir(environ))
        return library
