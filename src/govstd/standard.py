"""The Standard model: one version of one data standard, loaded from its manifest.

A standard version lives in a folder ``<root>/<id>/<version>/`` holding ``manifest.toml``
(validated against ``govstd/schemas/manifest.schema.json``), its untouched schema artefacts,
code lists, and examples. See ``docs/standards.md`` for the manifest reference.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from govstd.exceptions import ManifestError, SchemaError
from govstd.refs import Version

__all__ = ["MANIFEST_NAME", "Example", "RuleSpec", "Standard", "Status", "load_standard"]

MANIFEST_NAME = "manifest.toml"

Status = Literal["draft", "active", "deprecated", "retired"]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule the standard applies to each record: a named check with parameters."""

    id: str
    check: str
    fields: tuple[str, ...] = ()
    severity: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Example:
    """A shipped example file: valid, or invalid with its expected findings."""

    path: Path
    valid: bool
    expected: Path | None = None


@dataclass(frozen=True)
class Standard:
    """One version of one standard. Immutable; artefacts load on first use."""

    id: str
    version: Version
    status: Status
    released: date
    title: Mapping[str, str]
    description: Mapping[str, str]
    folder: Path
    artefacts: Mapping[str, Path]
    rules: tuple[RuleSpec, ...] = ()
    codelists: tuple[Mapping[str, Any], ...] = ()
    examples: tuple[Example, ...] = ()
    manifest: Mapping[str, Any] = field(default_factory=dict, repr=False)
    #: where a record declares its version (the manifest's ``[detect]``; see
    #: :mod:`govstd.versions.detect`); empty when the standard's records do not say
    detect: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        """The exact reference, ``id@version``."""
        return f"{self.id}@{self.version}"

    @property
    def usable(self) -> bool:
        """Whether ``latest`` may pick this version (not a draft, not retired)."""
        return self.status in ("active", "deprecated")

    def artefact_path(self, role: str) -> Path | None:
        return self.artefacts.get(role)

    def load_json_artefact(self, role: str) -> Any:
        path = self.artefacts.get(role)
        if path is None:
            raise SchemaError(f"{self.ref} has no {role} artefact")
        return _read_json(path)

    @cached_property
    def json_resources(self) -> dict[str, Any]:
        """Every JSON file in the version folder, keyed by its file URI (for ``$ref``)."""
        out: dict[str, Any] = {}
        for path in sorted(self.folder.rglob("*.json")):
            if "examples" in path.relative_to(self.folder).parts:
                continue
            try:
                out[path.resolve().as_uri()] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": str(self.version),
            "ref": self.ref,
            "status": self.status,
            "released": self.released.isoformat(),
            "title": dict(self.title),
            "description": dict(self.description),
            "folder": str(self.folder),
            "artefacts": {role: str(path) for role, path in self.artefacts.items()},
            "rules": [rule.id for rule in self.rules],
            "codelists": [entry["id"] for entry in self.codelists],
            "examples": [str(e.path) for e in self.examples],
        }


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SchemaError(f"{path} is not valid JSON: {exc}") from None


class _ManifestCheck:
    """Checks manifests against ``schemas/manifest.schema.json``.

    jsonschema-rs answers yes or no (compiled in a millisecond, where python-jsonschema's
    import alone costs ~0.1 s of every run); python-jsonschema, the reference, is asked only
    about a manifest jsonschema-rs does not accept: it gives the messages and has the last
    word. For this schema jsonschema-rs is the stricter of the two (Rust's ``$`` is the end of
    the text; ``date`` is checked by :func:`_is_date`, at least as strict as
    python-jsonschema's), so a manifest it accepts is one python-jsonschema accepts
    (``tests/test_manifest_check.py``).
    """

    def __init__(self) -> None:
        self.schema = json.loads(
            (resources.files("govstd") / "schemas" / "manifest.schema.json").read_text("utf-8")
        )
        self._fast: Any = None
        self._reference: Any = None
        try:
            import jsonschema_rs

            self._fast = jsonschema_rs.Draft202012Validator(
                self.schema, formats={"date": _is_date}, validate_formats=True, offline=True
            )
        except Exception:  # not installed, or it refuses the schema: the reference alone
            self._fast = None

    def accepts(self, data: Any) -> bool:
        """Whether jsonschema-rs accepts ``data`` (``False`` also when it cannot tell)."""
        if self._fast is None:
            return False
        try:
            return bool(self._fast.is_valid(data))
        except Exception:
            return False

    def iter_errors(self, data: Any) -> list[Any]:
        """python-jsonschema's errors for ``data`` (none when jsonschema-rs accepts it)."""
        if self.accepts(data):
            return []
        if self._reference is None:
            self._reference = _reference_validator(self.schema)
        return list(self._reference.iter_errors(data))


def _is_date(value: str) -> bool:
    """An RFC 3339 full-date in ASCII digits that Python's calendar knows (year 1 onwards)."""
    if len(value) != 10 or not value.isascii() or _DATE_SHAPE.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _reference_validator(schema: Any) -> Any:
    from govstd.engines.jsonschema import defer_rfc3987_syntax

    defer_rfc3987_syntax()  # before python-jsonschema's first import: saves ~2 s per run
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(schema, format_checker=FormatChecker())


def _manifest_validator() -> Any:
    """The manifest check (one per registry load)."""
    return _ManifestCheck()


def _plain(value: Any) -> Any:
    """TOML dates become ISO strings so the manifest can be checked as JSON."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_standard(folder: Path, *, validator: Any = None) -> Standard:
    """Load and check the manifest in ``folder``; raise :class:`ManifestError` if invalid."""
    manifest_path = folder / MANIFEST_NAME
    try:
        raw = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"cannot read {manifest_path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{manifest_path} is not valid TOML: {exc}") from None
    data = _plain(raw)
    validator = validator or _manifest_validator()
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        details = "; ".join(
            f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}" for e in errors
        )
        raise ManifestError(f"{manifest_path} is not a valid manifest: {details}")

    if folder.name != data["version"] or folder.parent.name != data["id"]:
        raise ManifestError(
            f"{manifest_path}: declares {data['id']}@{data['version']} but lives in "
            f"{folder.parent.name}/{folder.name}/ (expected {data['id']}/{data['version']}/)"
        )

    artefacts: dict[str, Path] = {}
    for role, rel in data["artefacts"].items():
        path = folder / rel
        if not path.is_file():
            raise ManifestError(f"{manifest_path}: artefact {role} = {rel!r} does not exist")
        artefacts[role] = path

    examples = []
    for entry in data.get("examples", []):
        path = folder / entry["path"]
        if not path.is_file():
            raise ManifestError(f"{manifest_path}: example {entry['path']!r} does not exist")
        expected = folder / entry["expected"] if "expected" in entry else None
        if expected is not None and not expected.is_file():
            raise ManifestError(f"{manifest_path}: expected findings {entry['expected']!r} missing")
        examples.append(Example(path, entry.get("valid", expected is None), expected))

    rules = tuple(
        RuleSpec(
            id=r["id"],
            check=r["check"],
            fields=tuple(r.get("fields", ())),
            severity=r.get("severity"),
            params=r.get("params", {}),
        )
        for r in data.get("rules", [])
    )
    description = data.get("description", {"en": "", "zh": ""})
    return Standard(
        id=data["id"],
        version=Version.parse(data["version"]),
        status=data["status"],
        released=date.fromisoformat(data["released"]),
        title=data["title"],
        description=description,
        folder=folder,
        artefacts=artefacts,
        rules=rules,
        codelists=tuple(data.get("codelists", [])),
        examples=tuple(examples),
        manifest=data,
        detect=data.get("detect", {}),
    )
