"""govstd's built-in checks, the ones a standard's ``rules`` can name.

* :mod:`~govstd.checks.identifiers`: ``cn.ric``, ``cn.ric.birth-date-matches``,
  ``cn.ric.sex-matches``, ``cn.uscc``, ``cn.uscc.division-matches``;
* :mod:`~govstd.checks.records`: ``unique``, ``date-range``, ``max-decimals``;
* :mod:`~govstd.checks.codes`: ``codelist``;
* :mod:`~govstd.checks.screens`: the vectorised screens of the identifier checks.

They are registered through the ``govstd_checks`` hook by :mod:`govstd.rules_plugin`, exactly
as a plugin registers its own. The model (:class:`~govstd.rules.Check`) lives in
:mod:`govstd.rules`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govstd.rules import Check

__all__ = ["builtin_checks"]


def builtin_checks() -> list[Check]:
    """Every built-in check, in a stable order."""
    from govstd.checks import codes, identifiers, records

    return [*identifiers.CHECKS, *records.CHECKS, *codes.CHECKS]
