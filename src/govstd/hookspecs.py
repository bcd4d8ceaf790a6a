"""Every govstd hook, typed and documented. This module *is* the plugin reference.

A plugin is a module or object with functions decorated by :data:`govstd.hookimpl` and named
after the hooks below. Plugins are found through the ``govstd`` entry-point group; govstd's
own readers, engines and reporters register through the very same hooks (see
``govstd.plugins.BUILTIN_PLUGINS``).

Hooks are grouped by lifecycle phase:

1. *Registration* (called once per :class:`~govstd.session.Session`, results collected from
   every plugin): ``govstd_standards_paths``, ``govstd_finding_types``, ``govstd_readers``,
   ``govstd_writers``, ``govstd_engines``, ``govstd_checks``, ``govstd_reporters``,
   ``govstd_adapters``.
2. *Compilation*: ``govstd_compile_standard`` (extra plans for a standard version).
3. *CLI*: ``govstd_cli_commands``.
4. *Reading*: ``govstd_detect_version`` (the version a record declares; ``firstresult``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from govstd.adapters.model import Adapter
    from govstd.catalogue import FindingType
    from govstd.engines.base import CompileContext, Engine, Plan
    from govstd.formats.base import Reader
    from govstd.formats.writers import Writer
    from govstd.rules import Check
    from govstd.standard import Standard

PROJECT = "govstd"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["PROJECT", "hookimpl", "hookspec"]


# -- 1. registration ------------------------------------------------------------------------


@hookspec
def govstd_standards_paths() -> Iterable[Path]:
    """Return folders that hold standards (``<id>/<version>/manifest.toml`` beneath each).

    A vendor or a standards body ships its standards as a plugin by returning the folder
    inside its distribution. Standards from every plugin join the registry; the same
    ``id@version`` registered twice is a setup error.
    """


@hookspec
def govstd_finding_types() -> Iterable[FindingType]:
    """Return the :class:`~govstd.catalogue.FindingType` entries of the codes this plugin emits.

    Every finding code must be documented exactly once; ``govstd explain CODE`` and the
    findings catalogue in the docs are generated from these entries.
    """


@hookspec
def govstd_readers() -> Iterable[Reader]:
    """Return :class:`~govstd.formats.base.Reader` objects that turn sources into batches.

    A reader has a ``name`` (``csv``, ``jsonl`` …) used by ``--input-format``, the file
    ``extensions`` it claims, and a ``kind``: ``"table"`` readers yield
    :class:`~govstd.formats.base.TableBatch`, ``"documents"`` readers yield
    :class:`~govstd.formats.base.DocumentBatch`. Names must be unique.
    """


@hookspec
def govstd_writers() -> Iterable[Writer]:
    """Return :class:`~govstd.formats.writers.Writer` objects that write records out.

    A writer has a ``name`` (``jsonl``, ``csv`` …) used by ``govstd transform
    --output-format`` and by adapters' ``format``, the file ``extensions`` it is the default
    for, and ``open(stream, fields, options)`` returning a sink with ``write(record)`` and
    ``close()``. Names must be unique.
    """


@hookspec
def govstd_adapters() -> Iterable[Adapter]:
    """Return :class:`~govstd.adapters.model.Adapter` objects: vendor layouts mapped to a
    standard version range and back.

    An adapter has a ``name`` (used by ``--adapter``/``--to-adapter``), the ``standard`` id and
    ``versions`` it maps to, the vendor ``format`` (a reader and writer name) and its
    columns. Most adapters are a mapping file loaded with
    :func:`govstd.adapters.load_adapter`; see ``docs/adapters.md``. Names must be unique.
    """


@hookspec
def govstd_engines() -> Iterable[Engine]:
    """Return :class:`~govstd.engines.base.Engine` objects that compile schemas into plans.

    An engine recognises schema documents of its kind (``detect``) and compiles them once
    into a plan that checks batches. JSON Schema and Table Schema are built in.
    """


@hookspec
def govstd_checks() -> Iterable[Check]:
    """Return named :class:`~govstd.rules.Check` functions that standards' rules can use.

    A standard's manifest names checks in its ``rules``; the check receives each record (a
    mapping of field to value) and yields findings. Names are global and must be unique.
    """


@hookspec
def govstd_reporters() -> Iterable[Any]:
    """Return reporters: objects with a ``name`` (used by ``--output-format``) and
    ``render(report, *, catalogue, lang) -> str``.
    """


# -- 2. compilation ---------------------------------------------------------------------------


@hookspec
def govstd_compile_standard(standard: Standard, context: CompileContext) -> Iterable[Plan]:
    """Return extra plans for a standard version, beyond its schema artefacts.

    Called once when a standard version is compiled. govstd's rules and code-list checks
    use it to turn the manifest's ``rules`` and ``codelists`` into plans; a plugin can add
    its own checks for the standards it knows. Return nothing for other standards.
    """


# -- 3. command line --------------------------------------------------------------------------


@hookspec
def govstd_cli_commands(cli: Any) -> None:
    """Add click commands to the ``govstd`` command group ``cli``.

    Commands must stay thin: parse options, make one library call, render the result.
    """


# -- 4. reading -------------------------------------------------------------------------------


@hookspec(firstresult=True)
def govstd_detect_version(
    standard_id: str, record: Any, source: str, standards: Sequence[Standard]
) -> str | None:
    """Return the version ``record`` declares itself to follow, as a version spec (``"1.1"``,
    ``"1.1.0"``, ``"^2.0"``), or None when it does not say (or the standard is not yours).

    Called by ``govstd validate --standard ID@detect`` with the first readable record of
    each source: a mapping for JSON/JSON Lines documents and CSV rows (``{column: text}``),
    an lxml element for XML. ``source`` is the source's name; ``standards`` are the versions
    of ``standard_id`` in the registry, oldest first (an implementation may take only the
    arguments it needs). The first implementation returning a value wins; plugins run
    before govstd's own, which reads the ``[detect]`` table of the manifest (see
    ``docs/versions.md``). A value that is not a version spec or matches no usable version is
    reported as ``standard.version-undetected`` and the latest version is used.
    """
