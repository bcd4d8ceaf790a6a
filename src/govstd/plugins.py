"""Build one pluggy plugin manager per session: built-ins, entry points, block lists.

Plugins are distributions that declare an entry point in the ``govstd`` group. Auto-loading
can be switched off with ``GOVSTD_DISABLE_PLUGIN_AUTOLOAD=1``; single plugins with
``-p no:NAME`` (``disabled`` here). A plugin that fails to import, implements a hook that does
not exist, or crashes inside a hook is reported as a :class:`~govstd.exceptions.PluginError`
naming the plugin.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from typing import Any

import pluggy

from govstd import hookspecs
from govstd.exceptions import GovstdError, PluginError

__all__ = [
    "BUILTIN_PLUGINS",
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "PluginManager",
    "build_plugin_manager",
    "collect",
    "first_result",
]

ENTRY_POINT_GROUP = "govstd"

#: govstd's own features, registered through the same hooks as any plugin
BUILTIN_PLUGINS: tuple[str, ...] = ("govstd.builtins", "govstd.rules_plugin")

PluginInfo = dict[str, Any]


class PluginManager(pluggy.PluginManager):
    """A pluggy manager that also remembers which distribution each plugin came from."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.distributions: dict[str, tuple[str, str]] = {}


def autoload_disabled(environ: Mapping[str, str]) -> bool:
    return environ.get("GOVSTD_DISABLE_PLUGIN_AUTOLOAD", "").strip().lower() in (
        "1",
        "true",
        "yes",
    )


def build_plugin_manager(
    *,
    plugins: Iterable[object] = (),
    autoload: bool = True,
    disabled: Iterable[str] = (),
) -> PluginManager:
    """A fresh plugin manager with govstd's hooks, its built-ins and the given plugins."""
    blocked = set(disabled)
    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        if name in blocked:
            continue
        pm.register(importlib.import_module(name), name=name)
    if autoload:
        for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if entry_point.name in blocked or pm.has_plugin(entry_point.name):
                continue
            try:
                plugin = entry_point.load()
            except Exception as exc:
                raise PluginError(
                    f"plugin {entry_point.name!r} ({entry_point.value}) failed to load: "
                    f"{type(exc).__name__}: {exc}",
                    plugin=entry_point.name,
                ) from exc
            _register(pm, plugin, entry_point.name, entry_point.dist)
    for plugin in plugins:
        name = getattr(plugin, "__name__", None) or type(plugin).__name__
        if name in blocked:
            continue
        _register(pm, plugin, name, None)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {exc.plugin!r}: {exc}", plugin=str(exc.plugin)) from exc
    return pm


def _register(pm: PluginManager, plugin: object, name: str, dist: Any) -> None:
    try:
        pm.register(plugin, name=name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        raise PluginError(f"plugin {name!r} cannot be registered: {exc}", plugin=name) from exc
    if dist is not None:
        pm.distributions[name] = (dist.metadata["Name"], dist.version)


def collect(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call a registration hook on every plugin, one by one, returning (plugin, item) pairs.

    Calling each implementation separately lets a crash name the plugin that crashed.
    """
    out: list[tuple[str, Any]] = []
    hook = getattr(pm.hook, hook_name)
    for impl in reversed(hook.get_hookimpls()):  # registration order
        try:
            result = impl.function(**{k: kwargs[k] for k in impl.argnames if k in kwargs})
            items = list(result) if result is not None else []
        except GovstdError:
            raise
        except Exception as exc:
            raise PluginError(
                f"plugin {impl.plugin_name!r} crashed in {hook_name}: {type(exc).__name__}: {exc}",
                plugin=impl.plugin_name,
            ) from exc
        out.extend((impl.plugin_name, item) for item in items)
    return out


def first_result(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> Any:
    """Call a ``firstresult`` hook the way pluggy does (plugins registered last first), but
    one implementation at a time, so that a crash names the plugin that crashed."""
    hook = getattr(pm.hook, hook_name)
    for impl in reversed(hook.get_hookimpls()):
        try:
            result = impl.function(**{k: kwargs[k] for k in impl.argnames if k in kwargs})
        except GovstdError:
            raise
        except Exception as exc:
            raise PluginError(
                f"plugin {impl.plugin_name!r} crashed in {hook_name}: {type(exc).__name__}: {exc}",
                plugin=impl.plugin_name,
            ) from exc
        if result is not None:
            return result
    return None


def describe(pm: PluginManager, what: Callable[[str], list[str]]) -> list[PluginInfo]:
    """Name, version, hooks and registrations of every plugin (for ``govstd plugins list``)."""
    from govstd import __version__

    info: list[PluginInfo] = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        dist = pm.distributions.get(name)
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        info.append(
            {
                "name": name,
                "distribution": dist[0]
                if dist
                else ("govstd" if name in BUILTIN_PLUGINS else None),
                "version": dist[1] if dist else (__version__ if name in BUILTIN_PLUGINS else None),
                "builtin": name in BUILTIN_PLUGINS,
                "hooks": hooks,
                "registers": what(name),
            }
        )
    return info
