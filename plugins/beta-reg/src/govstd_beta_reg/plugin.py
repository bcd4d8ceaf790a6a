"""The plugin: registers the beta-reg adapter, which is all declaration (``beta-reg.toml``)."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.resources import files

from govstd import hookimpl
from govstd.adapters import Adapter, load_adapter


@hookimpl
def govstd_adapters() -> Iterable[Adapter]:
    return [load_adapter(files("govstd_beta_reg") / "beta-reg.toml")]
