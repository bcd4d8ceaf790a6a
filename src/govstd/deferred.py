"""Registrations whose code is imported only when they are used.

A registration hook (``govstd_readers``, ``govstd_engines``, ``govstd_reporters`` …) returns
objects; to build them, their modules must be imported. govstd's own hooks register eleven
readers, engines and reporters, and a run uses two or three of them: importing the others
(lxml glue, the HTML and SARIF reporters, the XSD and Schematron engines) cost a command
~30 ms of its start-up for nothing.

A hook may therefore return a :class:`Deferred` instead of the object: the registration's
name, where its factory lives (``"package.module:Factory"``, called with no arguments) and
the few attributes that are read to *choose* among registrations (a reader's
``extensions`` and ``kind``, say). :class:`Registrations` (what
:attr:`govstd.session.Session.readers` and the others are) keeps them in registration order
and builds each one on first use: ``table[name]`` and iteration over ``values()`` or
``items()`` return the real object (so ``type(reader)``, ``isinstance`` and identity behave
as with an eager registration), while :meth:`Registrations.describe` answers a chooser's
question from the declared attributes without importing anything. A factory that fails to
import or to build, or builds an object of another name, is a :class:`PluginError` naming
the plugin, raised where the registration is first used.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from govstd.exceptions import PluginError

__all__ = ["Deferred", "Registrations"]


@dataclass(frozen=True, slots=True)
class Deferred:
    """A registration built on first use (see the module notes)."""

    #: the registration's name, as the built object's ``name``
    name: str
    #: ``"package.module:Factory"``: ``Factory()`` builds the object
    factory: str
    #: attributes readable without building it (they must equal the built object's)
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def build(self, plugin: str, what: str) -> Any:
        """Import the factory's module and call it; errors name ``plugin``."""
        module_name, _, attribute = self.factory.partition(":")
        try:
            factory = getattr(importlib.import_module(module_name), attribute)
            built = factory()
        except Exception as exc:
            raise PluginError(
                f"plugin {plugin!r}: {what} {self.name!r} ({self.factory}) cannot be built: "
                f"{type(exc).__name__}: {exc}",
                plugin=plugin,
            ) from exc
        if getattr(built, "name", None) != self.name:
            raise PluginError(
                f"plugin {plugin!r}: {self.factory} built a {what} named "
                f"{getattr(built, 'name', None)!r}, registered as {self.name!r}",
                plugin=plugin,
            )
        return built


class Registrations(Mapping[str, Any]):
    """Name → registered object, in registration order, each built on first use."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._items: dict[str, Any] = {}
        self._plugins: dict[str, str] = {}

    def add(self, plugin: str, name: str, item: Any) -> None:
        """Register ``item`` (an object or a :class:`Deferred`) as ``name`` for ``plugin``."""
        self._items[name] = item
        self._plugins[name] = plugin

    def __getitem__(self, name: str) -> Any:
        item = self._items[name]
        if isinstance(item, Deferred):
            item = item.build(self._plugins[name], self.what)
            self._items[name] = item
        return item

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def plugin(self, name: str) -> str:
        """The plugin that registered ``name``."""
        return self._plugins[name]

    def describe(self, name: str, attribute: str, default: Any = None) -> Any:
        """``attribute`` of the registration ``name``, from what a :class:`Deferred`
        declares when it is not built yet (else the object's own attribute)."""
        item = self._items[name]
        if isinstance(item, Deferred) and attribute in item.attributes:
            return item.attributes[attribute]
        return getattr(self[name], attribute, default)
