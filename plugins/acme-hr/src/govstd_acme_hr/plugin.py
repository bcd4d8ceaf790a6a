"""The plugin: registers the acme-hr adapter, which is all declaration (``acme-hr.toml``)."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.resources import files
from typing import TYPE_CHECKING

from govstd import hookimpl

if TYPE_CHECKING:
    from govstd.adapters import Adapter


@hookimpl
def govstd_adapters() -> Iterable[Adapter]:
    # imported here: loading the plugin (every govstd command does) stays cheap
    from govstd.adapters import load_adapter

    return [load_adapter(files("govstd_acme_hr") / "acme-hr.toml")]
