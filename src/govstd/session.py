"""The Session: the one orchestrator. It owns a plugin manager, the registry and settings.

Nothing in govstd is global: two sessions (say, two tests) never share plugins, standards
or compiled plans. :func:`validate` is a convenience for ``Session().validate(...)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from govstd.catalogue import Catalogue
from govstd.collector import streaming_collection
from govstd.deferred import Registrations
from govstd.exceptions import PluginError, UsageError
from govstd.plugins import PluginManager, autoload_disabled, build_plugin_manager, collect
from govstd.registry import Registry, roots_from_env
from govstd.report import Report
from govstd.standard import Standard

__all__ = ["Session", "validate"]

SourceArg = str | os.PathLike[str]


class Session:
    """Plugins, standards and compiled plans for one unit of work.

    :param standards_dirs: extra folders of standards (like ``--standards-dir``).
    :param plugins: plugin objects to register in addition to installed ones.
    :param autoload: load plugins from the ``govstd`` entry-point group; default: unless
        ``GOVSTD_DISABLE_PLUGIN_AUTOLOAD`` is set.
    :param disabled_plugins: names of plugins not to load (like ``-p no:NAME``).
    :param environ: environment to read ``GOVSTD_*`` variables from (default ``os.environ``).
    """

    def __init__(
        self,
        *,
        standards_dirs: Iterable[SourceArg] = (),
        plugins: Iterable[object] = (),
        autoload: bool | None = None,
        disabled_plugins: Iterable[str] = (),
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self._standards_dirs = tuple(Path(p) for p in standards_dirs)
        self._plugins = tuple(plugins)
        self._autoload = not autoload_disabled(self.environ) if autoload is None else autoload
        self._disabled = tuple(disabled_plugins)
        self._compiled: dict[tuple[Any, ...], Any] = {}

    # -- plugins and what they register ----------------------------------------------------

    @cached_property
    def plugin_manager(self) -> PluginManager:
        return build_plugin_manager(
            plugins=self._plugins, autoload=self._autoload, disabled=self._disabled
        )

    def _named(self, hook: str, what: str) -> Registrations:
        items = Registrations(what)
        for plugin, item in collect(self.plugin_manager, hook):
            name = getattr(item, "name", None)
            if not isinstance(name, str) or not name:
                raise PluginError(
                    f"plugin {plugin!r} registered a {what} without a name", plugin=plugin
                )
            if name in items:
                raise PluginError(
                    f"plugin {plugin!r} registered {what} {name!r} twice", plugin=plugin
                )
            items.add(plugin, name, item)
        return items

    @cached_property
    def catalogue(self) -> Catalogue:
        catalogue = Catalogue()
        for plugin, entry in collect(self.plugin_manager, "govstd_finding_types"):
            try:
                catalogue.add(entry)
            except Exception as exc:
                raise PluginError(f"plugin {plugin!r}: {exc}", plugin=plugin) from exc
        return catalogue

    @cached_property
    def readers(self) -> Registrations:
        return self._named("govstd_readers", "reader")

    @cached_property
    def writers(self) -> Registrations:
        return self._named("govstd_writers", "writer")

    @cached_property
    def adapters(self) -> Registrations:
        """Vendor adapters by name (see :mod:`govstd.adapters`)."""
        return self._named("govstd_adapters", "adapter")

    @cached_property
    def engines(self) -> Registrations:
        return self._named("govstd_engines", "engine")

    @cached_property
    def checks(self) -> Registrations:
        return self._named("govstd_checks", "check")

    @cached_property
    def reporters(self) -> Registrations:
        return self._named("govstd_reporters", "reporter")

    @cached_property
    def registry(self) -> Registry:
        roots: list[Path] = [
            Path(p) for _, p in collect(self.plugin_manager, "govstd_standards_paths")
        ]
        roots.extend(roots_from_env(self.environ.get("GOVSTD_STANDARDS_PATH")))
        roots.extend(self._standards_dirs)
        return Registry(roots)

    def registrations(self, plugin_name: str) -> list[str]:
        """What one plugin registers, as ``kind:name`` strings (for ``govstd plugins``)."""
        out: list[str] = []
        for hook, kind in (
            ("govstd_readers", "reader"),
            ("govstd_writers", "writer"),
            ("govstd_adapters", "adapter"),
            ("govstd_engines", "engine"),
            ("govstd_checks", "check"),
            ("govstd_reporters", "reporter"),
            ("govstd_standards_paths", "standards"),
        ):
            for plugin, item in collect(self.plugin_manager, hook):
                if plugin == plugin_name:
                    out.append(f"{kind}:{getattr(item, 'name', item)}")
        return out

    # -- standards -------------------------------------------------------------------------

    def resolve(self, ref: str, *, allow_retired: bool = False) -> Standard:
        """The standard version ``ref`` (``id@spec``) names. See :mod:`govstd.refs`."""
        return self.registry.resolve(ref, allow_retired=allow_retired)

    # -- validation ------------------------------------------------------------------------

    def validate(
        self,
        sources: SourceArg | Sequence[SourceArg],
        *,
        standard: str | None = None,
        schema: SourceArg | None = None,
        input_format: str | None = None,
        encoding: str | None = None,
        max_findings: int | None = None,
        format_check: bool = True,
        allow_retired: bool = False,
        as_of: date | None = None,
        batch_size: int | None = None,
        stdin: IO[bytes] | None = None,
        progress: Callable[[int, int | None], None] | None = None,
        adapter: str | None = None,
        schematron: SourceArg | None = None,
        record_element: str | None = None,
        xml_limits: Any = None,
        workers: int | None = None,
    ) -> Report:
        """Validate ``sources`` against a standard (``standard="id@version"``) or a schema file.

        ``workers``: processes that read and check a big source when that is safe (see
        :mod:`govstd.parallel`); ``None``: one per usable core; ``1``: this process only.
        The report is the same either way.

        XML: ``schematron`` adds the rules of an ISO Schematron file (alone, or on top of the
        standard or schema); ``record_element`` streams each element of that name as one
        record (default: the standard's ``[x.xml] record_element``, else whole documents);
        ``xml_limits`` is a :class:`govstd.xmlsafety.XmlLimits` (depth, text size, DOCTYPE).

        With ``adapter``, each source is a vendor feed read through that adapter (see
        :mod:`govstd.adapters`): findings point at the vendor's rows and columns, and
        ``standard`` defaults to the newest version the adapter maps to.

        Returns a :class:`~govstd.report.Report`; bad data never raises. Raises
        :class:`~govstd.exceptions.UsageError` for impossible requests (no target, missing
        input file) and :class:`~govstd.exceptions.SetupError` for a broken setup (unknown
        standard, invalid schema, unresolvable ``$ref``, failing plugin).
        """
        from govstd.validation import ValidationOptions, run_validation

        if adapter is not None and schema is not None:
            raise UsageError("an adapter maps to a standard: give --standard, not --schema")
        if adapter is not None:
            from govstd.transform import resolve_adapter_standard

            if adapter not in self.adapters:
                known = ", ".join(sorted(self.adapters)) or "none installed"
                raise UsageError(f"unknown adapter {adapter!r} (available: {known})")
            if schema is None:
                standard = resolve_adapter_standard(
                    self, self.adapters[adapter], standard, allow_retired=allow_retired
                ).ref
        if (standard is None) == (schema is None) and not (
            schematron is not None and standard is None
        ):
            raise UsageError("give exactly one of standard (--standard) or schema (--schema)")
        if isinstance(sources, str | os.PathLike):
            sources = [sources]
        if not sources:
            raise UsageError("no source given")
        options = ValidationOptions(
            input_format=input_format,
            encoding=encoding,
            max_findings=max_findings,
            format_check=format_check,
            allow_retired=allow_retired,
            as_of=as_of,
            batch_size=batch_size,
            adapter=adapter,
            record_element=record_element,
            xml_limits=xml_limits,
            workers=workers,
        )
        with streaming_collection():
            return run_validation(
                self,
                [os.fspath(s) for s in sources],
                standard=standard,
                schema=None if schema is None else Path(schema),
                options=options,
                stdin=stdin,
                progress=progress,
                schematron=None if schematron is None else Path(schematron),
            )

    # -- transformation ---------------------------------------------------------------------

    def transform(
        self,
        source: SourceArg,
        *,
        adapter: str,
        output: SourceArg,
        standard: str | None = None,
        output_format: str | None = None,
        to_adapter: str | None = None,
        rejects: SourceArg | None = None,
        encoding: str | None = None,
        as_of: date | None = None,
        max_findings: int | None = None,
        batch_size: int | None = None,
        stdin: IO[bytes] | None = None,
    ) -> Any:
        """Transform a vendor feed with ``adapter`` into the standard (or, with
        ``to_adapter``, another vendor's layout); see :mod:`govstd.transform`.

        Returns a :class:`~govstd.transform.TransformResult`: its ``report`` accounts for
        every record (``records == written + rejected``). Bad data never raises; a broken
        setup (unknown adapter, a version outside the adapter's range with no declared migration) does.
        """
        from govstd.transform import TransformOptions, run_transform

        options = TransformOptions(
            adapter=adapter,
            standard=standard,
            output_format=output_format,
            to_adapter=to_adapter,
            encoding=encoding,
            as_of=as_of,
            max_findings=max_findings,
            batch_size=batch_size,
        )
        with streaming_collection():
            return run_transform(self, source, output, options, rejects=rejects, stdin=stdin)

    # -- versions (see govstd.versions) -----------------------------------------------------

    def diff(
        self,
        old: SourceArg,
        new: SourceArg,
        *,
        renames: Mapping[str, str] | None = None,
        old_resources: Mapping[str, Path] | None = None,
        new_resources: Mapping[str, Path] | None = None,
        allow_retired: bool = True,
    ) -> Any:
        """Every change from ``old`` to ``new``: two standard references (``id@version``) or
        two files or folders (JSON Schema, Table Schema, code lists). Returns a
        :class:`~govstd.versions.changes.Diff` with each change classified for producers and
        consumers and the overall verdict (backward, forward, full, none)."""
        from govstd.versions.diff import diff_paths, diff_standards

        paths = [Path(os.fspath(p)) for p in (old, new)]
        exists = [p.exists() for p in paths]
        if all(exists):
            return diff_paths(
                paths[0],
                paths[1],
                renames=renames,
                old_resources=old_resources,
                new_resources=new_resources,
            )
        if any(exists):
            raise UsageError("give two standard references or two files, not one of each")
        before = self.resolve(os.fspath(old), allow_retired=allow_retired)
        after = self.resolve(os.fspath(new), allow_retired=allow_retired)
        return diff_standards(before, after, renames=renames, environ=self.environ)

    def migrate(
        self,
        sources: SourceArg | Sequence[SourceArg],
        *,
        standard: str,
        to: str,
        output: SourceArg,
        output_format: str | None = None,
        input_format: str | None = None,
        encoding: str | None = None,
        batch_size: int | None = None,
        max_findings: int | None = None,
        allow_retired: bool = False,
    ) -> Any:
        """Migrate records of ``standard`` to version ``to`` through the chain of declared
        migrations; see :mod:`govstd.versions.migrate`. Returns a
        :class:`~govstd.versions.migrate.MigrationResult` (``records == written + rejected``)."""
        from govstd.versions.migrate import run_migration

        if isinstance(sources, str | os.PathLike):
            sources = [sources]
        return run_migration(
            self,
            list(sources),
            standard=standard,
            to=to,
            output=Path(os.fspath(output)),
            output_format=output_format,
            input_format=input_format,
            encoding=encoding,
            batch_size=batch_size,
            max_findings=max_findings,
            allow_retired=allow_retired,
        )

    def lint_standards(self, ids: Iterable[str] | None = None) -> Any:
        """Check the standards' versions against their versioning promises; see
        :mod:`govstd.versions.lint`. Returns a :class:`~govstd.versions.lint.LintResult`."""
        from govstd.versions.lint import lint_standards

        return lint_standards(self.registry, self.catalogue, ids=ids, environ=self.environ)

    def validate_all_versions(
        self, sources: SourceArg | Sequence[SourceArg], *, standard: str, **options: Any
    ) -> Any:
        """Validate ``sources`` against every version of ``standard`` (an id, or ``id@all``)
        in one call: per-version conformance and finding counts, and for the newest version
        an upgrade plan; see :mod:`govstd.versions.conformance`."""
        from govstd.versions.conformance import validate_all_versions

        return validate_all_versions(self, sources, standard=standard, **options)

    # -- certification (see govstd.certify) -------------------------------------------------

    def certify_matrix(
        self, *, adapter: str, samples: Sequence[SourceArg], base: SourceArg, **options: Any
    ) -> list[tuple[Standard, Any]]:
        """Certify ``adapter`` against every active version of its standard.

        Returns ``(standard, result)`` pairs, oldest version first: ``result`` is the
        :class:`~govstd.certify.certificate.Certificate` (written under
        ``base/<version>/`` by the caller) or, for a version outside the adapter's range, a
        string saying so. ``options`` are those of :meth:`certify`.
        """
        vendor = self.adapters.get(adapter)
        if vendor is None:
            raise UsageError(f"unknown adapter {adapter!r} (have: {', '.join(self.adapters)})")
        results: list[tuple[Standard, Any]] = []
        for standard in self.registry.versions(vendor.standard):
            if standard.status != "active":
                continue
            if not vendor.supports(standard):
                results.append((standard, f"outside the adapter's range {vendor.range}"))
                continue
            certificate = self.certify(
                adapter=adapter,
                samples=samples,
                standard=standard.ref,
                base=Path(os.fspath(base)) / str(standard.version),
                **options,
            )
            results.append((standard, certificate))
        return results

    def certify(
        self,
        *,
        adapter: str,
        samples: Sequence[SourceArg],
        standard: str | None = None,
        seed: int = 0,
        examples: int = 100,
        as_of: date | None = None,
        waivers: Sequence[Any] = (),
        base: SourceArg | None = None,
        sign_key: SourceArg | None = None,
    ) -> Any:
        """Certify ``adapter`` against ``standard`` (default: the newest version it maps to)
        with real ``samples``: validation, a seeded round trip of ``examples`` hypothesis
        examples, coverage and ``waivers`` (:class:`govstd.waivers.Waiver`). Returns a
        :class:`~govstd.certify.certificate.Certificate`, signed with the Ed25519 key in
        ``sign_key`` when given; sample paths on it are relative to ``base``."""
        from govstd.certify.run import CertifyOptions, run_certification

        options = CertifyOptions(
            adapter=adapter,
            samples=[Path(os.fspath(p)) for p in samples],
            standard=standard,
            seed=seed,
            examples=examples,
            as_of=as_of,
            waivers=tuple(waivers),
            base=None if base is None else Path(os.fspath(base)),
        )
        certificate = run_certification(self, options)
        if sign_key is not None:
            from govstd.certify.signing import sign

            sign(certificate, Path(os.fspath(sign_key)))
        return certificate

    def verify_certificate(
        self,
        certificate: SourceArg,
        *,
        public_key: SourceArg | None = None,
        recheck: bool = False,
    ) -> Any:
        """Check a certificate file's signature and pins against what is installed; with
        ``recheck``, run the certification again and compare every verdict. Returns a
        :class:`~govstd.certify.verify.Verification`."""
        from govstd.certify.verify import verify_certificate

        return verify_certificate(
            self,
            Path(os.fspath(certificate)),
            public_key=None if public_key is None else Path(os.fspath(public_key)),
            recheck=recheck,
        )

    def compiled(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """Compile once per session: plans are cached under ``key``."""
        if key not in self._compiled:
            self._compiled[key] = build()
        return self._compiled[key]


def validate(
    sources: SourceArg | Sequence[SourceArg],
    *,
    standard: str | None = None,
    schema: SourceArg | None = None,
    standards_dirs: Iterable[SourceArg] = (),
    **options: Any,
) -> Report:
    """Validate ``sources`` in a fresh :class:`Session`. See :meth:`Session.validate`."""
    return Session(standards_dirs=standards_dirs).validate(
        sources, standard=standard, schema=schema, **options
    )
