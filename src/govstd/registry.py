"""The registry of versioned standards, resolved offline by ``id@version``.

Standards come from folders ("roots"), each holding ``<id>/<version>/manifest.toml``. The
roots of a session are, in order: the standards shipped with govstd, those of plugins, the
folders in ``GOVSTD_STANDARDS_PATH`` and those given with ``--standards-dir``. The same
``id@version`` found twice is a setup error (one source of truth per version).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from govstd.exceptions import ManifestError, RetiredStandardError, UnknownStandardError
from govstd.refs import StandardRef, Version
from govstd.standard import MANIFEST_NAME, Standard, _manifest_validator, load_standard

__all__ = ["Registry", "builtin_standards_root"]


def builtin_standards_root() -> Path | None:
    """The standards shipped with govstd (package data, or the checkout's ``standards/``)."""
    packaged = resources.files("govstd") / "_standards"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "standards"
    return checkout if checkout.is_dir() else None


class Registry:
    """All standards visible to one session. Manifests load when first needed."""

    def __init__(self, roots: Iterable[Path]) -> None:
        self.roots: tuple[Path, ...] = tuple(dict.fromkeys(Path(r) for r in roots))
        self._by_id: dict[str, dict[Version, Standard]] | None = None

    def _load(self) -> dict[str, dict[Version, Standard]]:
        if self._by_id is not None:
            return self._by_id
        validator: Any = None
        by_id: dict[str, dict[Version, Standard]] = {}
        for root in self.roots:
            if not root.is_dir():
                raise ManifestError(f"standards folder {root} does not exist")
            for manifest in sorted(root.glob(f"*/*/{MANIFEST_NAME}")):
                validator = validator or _manifest_validator()
                standard = load_standard(manifest.parent, validator=validator)
                versions = by_id.setdefault(standard.id, {})
                if standard.version in versions:
                    other = versions[standard.version]
                    raise ManifestError(
                        f"{standard.ref} is defined twice: in {other.folder} and in "
                        f"{standard.folder}"
                    )
                versions[standard.version] = standard
        self._by_id = by_id
        return by_id

    def __iter__(self) -> Any:
        return iter(self.all())

    def all(self) -> list[Standard]:
        """Every standard version, sorted by id then version."""
        return [
            std for ident in sorted(self._load()) for _, std in sorted(self._load()[ident].items())
        ]

    def ids(self) -> list[str]:
        return sorted(self._load())

    def versions(self, ident: str) -> list[Standard]:
        """The versions of ``ident``, oldest first."""
        return [std for _, std in sorted(self._load().get(ident, {}).items())]

    def latest(self, ident: str) -> Standard | None:
        """The highest version that ``latest`` would pick (not draft, not retired)."""
        usable = [s for s in self.versions(ident) if s.usable and not s.version.is_prerelease]
        return usable[-1] if usable else None

    def resolve(self, ref: str | StandardRef, *, allow_retired: bool = False) -> Standard:
        """The standard version a reference names.

        Raises :class:`UnknownStandardError` when nothing matches and
        :class:`RetiredStandardError` when only retired versions match and
        ``allow_retired`` is false.
        """
        parsed = ref if isinstance(ref, StandardRef) else self._parse(ref)
        versions = self.versions(parsed.id)
        if not versions:
            known = ", ".join(self.ids()) or "none"
            raise UnknownStandardError(
                f"unknown standard {parsed.id!r} (known standards: {known}); add a folder "
                "with --standards-dir or GOVSTD_STANDARDS_PATH"
            )
        spec = parsed.spec
        matching = [s for s in versions if spec.allows(s.version)]
        if not spec.exact:
            matching = [s for s in matching if s.status != "draft"]
        usable = [s for s in matching if s.status != "retired"]
        if usable:
            return usable[-1]
        if matching:
            chosen = matching[-1]
            if allow_retired:
                return chosen
            raise RetiredStandardError(
                f"{chosen.ref} is retired; pass --allow-retired (allow_retired=True) to use it "
                f"anyway{self._current_hint(parsed.id)}"
            )
        available = ", ".join(f"{s.version} ({s.status})" for s in versions)
        raise UnknownStandardError(
            f"no version of {parsed.id} matches {spec}; available: {available}"
        )

    def _current_hint(self, ident: str) -> str:
        latest = self.latest(ident)
        return f"; the current version is {latest.ref}" if latest else ""

    @staticmethod
    def _parse(text: str) -> StandardRef:
        try:
            return StandardRef.parse(text)
        except ValueError as exc:
            raise UnknownStandardError(str(exc)) from None


def roots_from_env(value: str | None) -> Sequence[Path]:
    """Folders listed in ``GOVSTD_STANDARDS_PATH`` (separated like ``PATH``)."""
    import os

    if not value:
        return ()
    return tuple(Path(p) for p in value.split(os.pathsep) if p.strip())
