"""Pins: the SHA-256 digests that tie a certificate to exactly what was certified.

Three kinds of input are pinned, each as a mapping of a relative path to its digest:

- the **standard version**: every file of its folder (manifest, schemas, code lists, examples,
  ``conformance.toml``), so a changed artefact is named on verification;
- the **adapter**: its distribution name and version, its mapping file and every file of the
  plugin's package (``__pycache__`` and compiled files left out);
- the **sample files**: each with its digest and size.

:func:`compare` names every file that is missing, changed or new; verification and the
certification run use the same functions, so what is pinned is what is checked.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstd.exceptions import SetupError, UsageError
from govstd.plugins import collect

if TYPE_CHECKING:
    from govstd.adapters.model import Adapter
    from govstd.session import Session
    from govstd.standard import Standard

__all__ = [
    "AdapterPin",
    "FileChange",
    "adapter_pin",
    "compare",
    "file_digest",
    "folder_digests",
    "sample_pin",
    "standard_digests",
]

_SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
_SKIPPED_SUFFIXES = {".pyc", ".pyo"}


def file_digest(path: Path) -> str:
    """``sha256:<hex>`` of a file's bytes."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 16), b""):
                digest.update(chunk)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return "sha256:" + digest.hexdigest()


def folder_digests(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (caches left out), by POSIX path relative to it."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(folder)
        if _SKIPPED_PARTS.intersection(relative.parts) or path.suffix in _SKIPPED_SUFFIXES:
            continue
        out[relative.as_posix()] = file_digest(path)
    return out


def standard_digests(standard: Standard) -> dict[str, str]:
    """The digests of every file in the standard version's folder."""
    return folder_digests(standard.folder)


@dataclass(frozen=True)
class AdapterPin:
    """Where an adapter comes from and the digests of the files that make it."""

    name: str
    plugin: str
    distribution: str | None
    version: str | None
    files: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "plugin": self.plugin,
            "distribution": self.distribution,
            "version": self.version,
            "files": dict(self.files),
        }


def _plugin_folder(plugin: object) -> Path | None:
    """The package folder (or module file's folder) a plugin object comes from."""
    module_name = getattr(plugin, "__name__", None)
    if not isinstance(module_name, str) or module_name not in sys.modules:
        module_name = type(plugin).__module__
    try:
        module = sys.modules.get(module_name) or importlib.import_module(module_name)
    except ImportError:
        return None
    package = (getattr(module, "__package__", None) or "").partition(".")[0]
    top = sys.modules.get(package) if package else None
    origin = getattr(top or module, "__file__", None)
    if not origin:
        return None
    folder = Path(origin).parent
    # a top-level module straight in site-packages: pin only the file itself
    return folder if top is not None and top.__file__.endswith("__init__.py") else None


def adapter_pin(session: Session, adapter: Adapter) -> AdapterPin:
    """Pin ``adapter``: its plugin's distribution and the digests of its files."""
    plugin_name = next(
        (
            name
            for name, item in collect(session.plugin_manager, "govstd_adapters")
            if item is adapter or getattr(item, "name", None) == adapter.name
        ),
        None,
    )
    if plugin_name is None:
        raise SetupError(f"adapter {adapter.name!r} is not registered by any plugin")
    pm = session.plugin_manager
    distribution, version = pm.distributions.get(plugin_name, (None, None))
    files: dict[str, str] = {}
    plugin = pm.get_plugin(plugin_name)
    folder = _plugin_folder(plugin) if plugin is not None else None
    if folder is not None and folder.name not in ("site-packages", "dist-packages"):
        files.update({f"{folder.name}/{k}": v for k, v in folder_digests(folder).items()})
    if adapter.path is not None:
        path = Path(str(adapter.path))
        key = (
            f"{folder.name}/{path.relative_to(folder).as_posix()}"
            if folder is not None and path.is_relative_to(folder)
            else f"mapping/{path.name}"
        )
        files.setdefault(key, file_digest(path))
    return AdapterPin(adapter.name, plugin_name, distribution, version, dict(sorted(files.items())))


def sample_pin(path: Path, *, relative_to: Path | None = None) -> dict[str, Any]:
    """A sample file's entry: its path (relative to ``relative_to`` when given), digest, size."""
    shown = path
    if relative_to is not None:
        import os

        shown = Path(os.path.relpath(path.resolve(), relative_to.resolve()))
    return {
        "path": shown.as_posix(),
        "sha256": file_digest(path),
        "bytes": path.stat().st_size,
    }


@dataclass(frozen=True, slots=True)
class FileChange:
    """One pinned file that is not as it was: ``missing``, ``changed`` or ``added``."""

    what: str
    path: str
    change: str

    def __str__(self) -> str:
        return f"{self.what} file {self.path} is {self.change}"


def compare(what: str, pinned: Mapping[str, str], now: Mapping[str, str]) -> list[FileChange]:
    """Every difference between two digest maps, named."""
    out = [FileChange(what, p, "missing") for p in sorted(set(pinned) - set(now))]
    out += [
        FileChange(what, p, "changed")
        for p in sorted(set(pinned) & set(now))
        if pinned[p] != now[p]
    ]
    out += [FileChange(what, p, "added") for p in sorted(set(now) - set(pinned))]
    return out
