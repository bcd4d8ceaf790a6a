"""govstd: make government data standards executable.

The public API is small and imported lazily, so ``import govstd`` stays cheap: heavy engines
load only when a validation needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Finding",
    "GovstdError",
    "Location",
    "Report",
    "Session",
    "Severity",
    "__version__",
    "hookimpl",
    "validate",
]

_LAZY = {
    "Finding": "govstd.findings",
    "Location": "govstd.findings",
    "Severity": "govstd.findings",
    "Report": "govstd.report",
    "Session": "govstd.session",
    "validate": "govstd.session",
    "GovstdError": "govstd.exceptions",
    "hookimpl": "govstd.hookspecs",
}

if TYPE_CHECKING:
    from govstd.exceptions import GovstdError
    from govstd.findings import Finding, Location, Severity
    from govstd.hookspecs import hookimpl
    from govstd.report import Report
    from govstd.session import Session, validate


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'govstd' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
