"""The rules layer as a plugin: built-in checks, and a rules plan for every standard with rules.

Registered like any plugin (listed in ``govstd.plugins.BUILTIN_PLUGINS``). The finding types
of the rules layer live in ``catalogue_data/rules.toml`` and load with every other built-in
catalogue file (:func:`govstd.catalogue.builtin_finding_types`), so this plugin does not
register them again.

A standard's manifest feeds the plan in two ways:

* ``[[rules]]``: each names a check, its fields, parameters and an optional severity;
* ``[[codelists]]``: ``{id, path?, fields?, closed?}``. ``path`` loads a code list shipped in
  the standard's folder (CSV or JSON, see :mod:`govstd.codelists`) under ``id``, for this
  standard only (it takes precedence over a built-in list of the same id). ``fields`` binds
  those fields to the list: a ``codelist`` rule (``in_use = "as-of"``) is added for every
  field that no explicit ``codelist`` rule with the same list already covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from govstd.hookspecs import hookimpl

if TYPE_CHECKING:
    from govstd.codelists import CodeLists
    from govstd.engines.base import CompileContext, Plan
    from govstd.rules import Check
    from govstd.standard import RuleSpec, Standard

__all__ = ["standard_codelists", "standard_rules"]


@hookimpl
def govstd_checks() -> Iterable[Check]:
    from govstd.checks import builtin_checks

    return builtin_checks()


@hookimpl
def govstd_compile_standard(standard: Standard, context: CompileContext) -> Iterable[Plan]:
    rules = standard_rules(standard)
    if not rules:
        return []
    from govstd.checks import builtin_checks
    from govstd.rules import compile_rules

    session = context.extra.get("session")
    checks: Mapping[str, Check]
    if session is not None:
        checks = session.checks
        environ = session.environ
    else:
        checks = {check.name: check for check in builtin_checks()}
        environ = None
    return [
        compile_rules(
            standard.ref,
            rules,
            checks,
            catalogue=context.catalogue,
            codelists=standard_codelists(standard, environ),
            as_of=context.as_of,
        )
    ]


def standard_rules(standard: Standard) -> list[RuleSpec]:
    """The manifest's rules, plus a ``codelist`` rule for each field bound in ``codelists``."""
    from govstd.standard import RuleSpec

    rules = list(standard.rules)
    covered = {
        (name, str(rule.params.get("codelist", "")).partition("@")[0])
        for rule in rules
        if rule.check == "codelist"
        for name in rule.fields
    }
    for entry in standard.codelists:
        ident = str(entry["id"])
        fields = [f for f in entry.get("fields", ()) if (f, ident.partition("@")[0]) not in covered]
        if not fields:
            continue
        params: dict[str, Any] = {"codelist": ident, "in_use": "as-of"}
        if "closed" in entry:
            params["closed"] = bool(entry["closed"])
        rules.append(
            RuleSpec(id=f"codelist:{ident}", check="codelist", fields=tuple(fields), params=params)
        )
    return rules


def standard_codelists(standard: Standard, environ: Mapping[str, str] | None = None) -> CodeLists:
    """The default code lists plus those shipped in the standard's folder."""
    from govstd.codelists import CodeLists, load_codelist

    library = CodeLists.default(environ)
    for entry in standard.codelists:
        if "path" not in entry:
            continue
        ident, _, version = str(entry["id"]).partition("@")
        codelist = load_codelist(
            standard.folder / entry["path"],
            id=ident,
            version=version or str(standard.version),
            closed=bool(entry.get("closed", True)),
            provenance=f"shipped with {standard.ref}: {entry['path']}",
        )
        library.add(codelist, default=True)
    return library
