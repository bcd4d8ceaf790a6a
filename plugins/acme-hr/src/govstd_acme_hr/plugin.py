"""The plugin: registers the acme-hr adapter, which is all declaration (``acme-hr.toml``)."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.resources import files

from govstd import hookimpl
from govstd.adapters import Adapter, load_adapter


@hookimpl
def govstd_adapters() -> Iterable[Adapter]:
    return [load_adapter(files("govstd_acme_hr") / "acme-hr.toml")]
