"""The ``codelist`` check: a field holds a code of a code list, in use at the reference date.

Parameters: ``codelist`` (a reference ``id`` or ``id@version``, see :mod:`govstd.codelists`),
``in_use`` (``"as-of"``, the default: in use at the reference date; ``"ever"``: listed at any
time) and ``closed`` (override whether codes outside the list are errors).

* a code the list never held → ``codelist.unknown-code`` (an error for a closed list, a
  warning for an open one, unless the rule sets a severity);
* with ``in_use = "as-of"`` and a dated list, a code not in use at the reference date →
  ``codelist.retired-code`` with its successor codes (followed through later changes to
  those in use at the reference date) as the fix, or ``codelist.future-code`` when it only
  came into use later.

With an undated list ``"as-of"`` is the same as ``"ever"``. The default GB/T 2260 list (built
from python-stdnum's data) has year-level dates but no successors; an imported dated list
(``govstd codelists import gbt2260 DIR``) adds exact years and successor codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govstd.exceptions import SetupError
from govstd.findings import MISSING, Finding, Severity
from govstd.rules import Check, Opener, RuleContext

__all__ = ["CHECKS"]

#: lists up to this size are spelt out in ``expected``
_SPELL_OUT = 12


def _build_codelist(context: RuleContext) -> Opener:
    ref = context.param("codelist", kind=str)
    in_use = context.param("in_use", "as-of", str)
    if in_use not in ("as-of", "ever"):
        raise context.error(f"in_use must be 'as-of' or 'ever', not {in_use!r}")
    try:
        codelist = context.codelists.get(ref)
    except SetupError as exc:
        raise context.error(str(exc)) from None
    closed = context.param("closed", codelist.closed, bool)
    as_of = context.as_of
    ever = codelist.codes()
    allowed = codelist.codes(as_of) if in_use == "as-of" else ever
    unknown_severity = None if closed else Severity.WARNING
    title = codelist.title.get("en") or codelist.id
    if len(allowed) <= _SPELL_OUT:
        expected = ", ".join(sorted(allowed))
        choices = f"one of {expected}"
    else:
        expected = codelist.ref
        choices = f"a code listed by 'govstd codelists show {codelist.ref}'"
    fields = context.fields
    finding = context.finding
    notes: dict[str, tuple[str, dict[str, Any]]] = {}

    def not_in_use(code: str) -> tuple[str, dict[str, Any]]:
        """Finding code and parameters for a listed code not in use at ``as_of`` (cached)."""
        cached = notes.get(code)
        if cached is not None:
            return cached
        entry = codelist.get(code)
        assert entry is not None
        starts = [start for start, _ in entry.periods if start is not None and start > as_of]
        if starts and all(end is None or end > as_of for _, end in entry.periods):
            result = ("codelist.future-code", {"valid_from": min(starts).isoformat()})
        else:
            successors = codelist.current_successors(code, as_of)
            shown = ", ".join(f"{s} {codelist.label(s, 'zh') or ''}".strip() for s in successors)
            ended = [end for _, end in entry.periods if end is not None and end <= as_of]
            result = (
                "codelist.retired-code",
                {
                    "valid_to": max(ended).isoformat() if ended else "",
                    "successors": shown or "none recorded",
                    "successor_codes": list(successors),
                },
            )
        notes[code] = result
        return result

    def check(record: Mapping[str, Any], ordinal: int, line: int | None) -> list[Finding] | None:
        out = None
        for name in fields:
            value = record.get(name)
            if type(value) is not str or not value or value in allowed:
                continue
            out = out or []
            if value not in ever:
                out.append(
                    finding(
                        "codelist.unknown-code",
                        record=ordinal,
                        line=line,
                        field=name,
                        value=value,
                        expected=expected,
                        severity=unknown_severity,
                        codelist=codelist.ref,
                        title=title,
                        choices=choices,
                    )
                )
                continue
            code, params = not_in_use(value)
            successor_codes = params.get("successor_codes")
            out.append(
                finding(
                    code,
                    record=ordinal,
                    line=line,
                    field=name,
                    value=value,
                    expected=", ".join(successor_codes) if successor_codes else MISSING,
                    codelist=codelist.ref,
                    title=title,
                    as_of=as_of.isoformat(),
                    label=codelist.label(value, "zh") or "",
                    **params,
                )
            )
        return out

    return lambda: check


def _screen_codelist(context: RuleContext) -> Any:
    """Cells that are empty or hold an allowed code certainly pass (``is_in``)."""
    in_use = context.param("in_use", "as-of", str)
    try:
        codelist = context.codelists.get(context.param("codelist", kind=str))
    except SetupError:
        return None  # the build reports it
    allowed = sorted(codelist.codes(context.as_of) if in_use == "as-of" else codelist.codes())
    fields = context.fields

    def screen(column: Any, height: int) -> Any:
        import numpy as np
        import polars as pl

        passed = np.ones(height, dtype=bool)
        for name in fields:
            series = column(name)
            if series is None:
                continue
            fine = (
                series.is_null()
                | (series == "")
                | series.is_in(pl.Series(allowed, dtype=pl.String).implode())
            )
            passed &= fine.fill_null(False).to_numpy()
        return passed

    return screen


CHECKS = (
    Check(
        "codelist",
        _build_codelist,
        "The field holds a code of the named code list (in use at the reference date, or ever).",
        fields=(1, None),
        params={
            "codelist": "the code list: id or id@version (govstd codelists list)",
            "in_use": "'as-of' (default): in use at the reference date; 'ever': listed at any time",
            "closed": "override the list: true makes unknown codes errors, false warnings",
        },
        codes=("codelist.unknown-code", "codelist.retired-code", "codelist.future-code"),
        screen=_screen_codelist,
    ),
)
