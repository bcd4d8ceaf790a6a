"""Standard references (``id@spec``) and semantic versions.

A reference names a standard and, optionally, which versions are acceptable:

============  =========================================================
``id``        the latest usable version (same as ``id@latest``)
``id@1``      the highest ``1.x.y``
``id@1.1``    the highest ``1.1.y``
``id@1.1.0``  exactly ``1.1.0`` (drafts allowed when named exactly)
``id@^1.1``   ``>=1.1.0, <2.0.0`` (``^0.3`` means ``>=0.3.0, <0.4.0``)
``id@~1.1``   ``>=1.1.0, <1.2.0``
``id@>=1.0,<2``  comparators joined by commas
============  =========================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

__all__ = ["StandardRef", "Version", "VersionSpec"]

_VERSION = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
_PARTIAL = re.compile(r"^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@total_ordering
@dataclass(frozen=True, slots=True)
class Version:
    """A semantic version (SemVer 2.0.0), ordered by precedence."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[int | str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _VERSION.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a semantic version (MAJOR.MINOR.PATCH)")
        pre: tuple[int | str, ...] = ()
        if match.group(4):
            pre = tuple(int(p) if p.isdigit() else p for p in match.group(4).split("."))
        return cls(int(match.group(1)), int(match.group(2)), int(match.group(3)), pre)

    @property
    def is_prerelease(self) -> bool:
        return bool(self.prerelease)

    def _key(self) -> tuple[object, ...]:
        # A release sorts after its prereleases; numeric identifiers sort before alphanumeric.
        pre = tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in self.prerelease)
        return (self.major, self.minor, self.patch, not self.prerelease, pre)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(str(p) for p in self.prerelease)
        return text


@dataclass(frozen=True, slots=True)
class _Comparator:
    op: str
    version: Version

    def allows(self, v: Version) -> bool:
        base = Version(v.major, v.minor, v.patch)
        target = self.version
        if self.op == "==":
            return v == target
        if self.op == ">=":
            return base >= target
        if self.op == ">":
            return base > target
        if self.op == "<":
            return base < target
        if self.op == "<=":
            return base <= target
        raise AssertionError(self.op)


@dataclass(frozen=True, slots=True)
class VersionSpec:
    """Which versions a reference accepts. ``latest`` accepts any."""

    text: str
    comparators: tuple[_Comparator, ...]
    #: True when the spec names one exact version (drafts may then be used)
    exact: bool = False

    @classmethod
    def parse(cls, text: str | None) -> VersionSpec:
        raw = (text or "latest").strip()
        if raw in ("", "latest", "*"):
            return cls("latest", ())
        if _VERSION.match(raw):
            return cls(raw, (_Comparator("==", Version.parse(raw)),), exact=True)
        if raw[0] in "^~":
            low, high = cls._bounds(raw[1:], caret=raw[0] == "^")
            return cls(raw, (_Comparator(">=", low), _Comparator("<", high)))
        if _PARTIAL.match(raw):
            low, high = cls._bounds(raw, caret=None)
            return cls(raw, (_Comparator(">=", low), _Comparator("<", high)))
        comparators = []
        for part in raw.split(","):
            part = part.strip()
            match = re.match(r"^(>=|<=|==|>|<|=)?\s*(.+)$", part)
            if not match:
                raise ValueError(f"cannot read version spec {raw!r}")
            op = match.group(1) or "=="
            op = "==" if op == "=" else op
            version = cls._complete(match.group(2))
            comparators.append(_Comparator(op, version))
        return cls(raw, tuple(comparators))

    @staticmethod
    def _complete(text: str) -> Version:
        if _VERSION.match(text):
            return Version.parse(text)
        match = _PARTIAL.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a version")
        return Version(int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0))

    @staticmethod
    def _bounds(text: str, *, caret: bool | None) -> tuple[Version, Version]:
        match = _PARTIAL.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a version")
        major, minor, patch = match.group(1), match.group(2), match.group(3)
        low = Version(int(major), int(minor or 0), int(patch or 0))
        if caret is None:  # partial: 1 -> <2.0.0, 1.1 -> <1.2.0, 1.1.0 handled as exact
            high = (
                Version(low.major + 1, 0, 0)
                if minor is None
                else Version(low.major, low.minor + 1, 0)
            )
        elif caret:
            if low.major > 0 or minor is None:
                high = Version(low.major + 1, 0, 0)
            elif low.minor > 0 or patch is None:
                high = Version(0, low.minor + 1, 0)
            else:
                high = Version(0, 0, low.patch + 1)
        else:
            high = (
                Version(low.major + 1, 0, 0)
                if minor is None
                else Version(low.major, low.minor + 1, 0)
            )
        return low, high

    def allows(self, version: Version) -> bool:
        if self.exact:
            return self.comparators[0].allows(version)
        if version.is_prerelease:
            return False
        return all(c.allows(version) for c in self.comparators)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class StandardRef:
    """A parsed ``id@spec`` reference."""

    id: str
    spec: VersionSpec

    @classmethod
    def parse(cls, text: str) -> StandardRef:
        ident, _, spec = text.strip().partition("@")
        ident = ident.strip()
        if not _ID.match(ident):
            raise ValueError(
                f"{text!r} is not a standard reference (expected ID or ID@VERSION, "
                "e.g. cn.natural-person@1.1)"
            )
        return cls(ident, VersionSpec.parse(spec))

    def __str__(self) -> str:
        return self.id if self.spec.text == "latest" else f"{self.id}@{self.spec.text}"
