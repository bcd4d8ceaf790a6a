"""The govstd exception tree, documented in one place.

Exceptions are for a broken *setup*, never for bad data (bad data yields findings).

```
GovstdError                 exit code 4 unless a subclass says otherwise
├── UsageError              2: bad option, missing input file
└── SetupError              3: the configuration cannot work
    ├── UnknownStandardError   no standard matches a reference
    ├── RetiredStandardError   the resolved version is retired (use allow_retired)
    ├── ManifestError          a standard's manifest is invalid
    ├── SchemaError            a schema artefact is unreadable or invalid
    ├── ReferenceResolutionError  a ``$ref`` cannot be resolved offline
    └── PluginError            a plugin failed to load or crashed
```
"""

from __future__ import annotations

__all__ = [
    "GovstdError",
    "ManifestError",
    "PluginError",
    "ReferenceResolutionError",
    "RetiredStandardError",
    "SchemaError",
    "SetupError",
    "UnknownStandardError",
    "UsageError",
]


class GovstdError(Exception):
    """Base class of every error govstd raises on purpose."""

    exit_code = 4


class UsageError(GovstdError):
    """The caller asked for something impossible (bad option, missing input file)."""

    exit_code = 2


class SetupError(GovstdError):
    """The setup cannot work: unknown standard, broken schema, manifest or plugin."""

    exit_code = 3


class UnknownStandardError(SetupError):
    """No registered standard matches the reference."""


class RetiredStandardError(SetupError):
    """The reference resolves to a retired version and retired versions were not allowed."""


class ManifestError(SetupError):
    """A standard manifest is missing, unreadable or does not match the manifest schema."""


class SchemaError(SetupError):
    """A schema artefact is unreadable or is not a valid schema."""


class ReferenceResolutionError(SchemaError):
    """A ``$ref`` points at a resource that is not available locally (govstd never downloads)."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class PluginError(SetupError):
    """A plugin failed to load, registered something invalid, or crashed in a hook."""

    def __init__(self, message: str, *, plugin: str = "") -> None:
        super().__init__(message)
        self.plugin = plugin
