"""The govstd pytest plugin: a ``govstd`` fixture for vendors' own test suites.

Installed with govstd and loaded by pytest through the ``pytest11`` entry point::

    def test_export(govstd):
        govstd.assert_conforms("out/export.csv", standard="cn.natural-person@1.1")

A failing check fails the test with govstd's grouped text report (codes, counts, first places,
how to fix) instead of a traceback. The plugin imports nothing from govstd until a test asks
for the fixture, so it costs nothing in suites that do not use it. ``--govstd-lang zh`` prints
the report in Chinese; ``--govstd-standards-dir DIR`` adds a folder of standards.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from govstd.report import Report
    from govstd.session import Session

__all__ = ["GovstdHelper"]


class GovstdHelper:
    """What the ``govstd`` fixture gives a test: a session and assertion helpers."""

    def __init__(self, session: Session, lang: str = "en") -> None:
        self.session = session
        self.lang = lang

    def validate(
        self,
        sources: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        *,
        standard: str | None = None,
        schema: str | os.PathLike[str] | None = None,
        adapter: str | None = None,
        as_of: date | None = None,
        **options: Any,
    ) -> Report:
        """:meth:`govstd.Session.validate`, with ``adapter`` passed when one is given."""
        if adapter is not None:
            options["adapter"] = adapter
        return self.session.validate(
            sources, standard=standard, schema=schema, as_of=as_of, **options
        )

    def text(self, report: Report) -> str:
        """The grouped text report, as ``govstd validate`` prints it."""
        reporter = self.session.reporters["text"]
        return str(reporter.render(report, catalogue=self.session.catalogue, lang=self.lang))

    def assert_conforms(
        self,
        sources: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        *,
        standard: str | None = None,
        schema: str | os.PathLike[str] | None = None,
        adapter: str | None = None,
        fail_on: str = "error",
        as_of: date | None = None,
        **options: Any,
    ) -> Report:
        """Fail the test, showing the grouped findings, unless ``sources`` conform.

        ``fail_on`` is the lowest severity that fails (``error``, ``warning``, ``info``).
        Returns the report, for further checks.
        """
        report = self.validate(
            sources, standard=standard, schema=schema, adapter=adapter, as_of=as_of, **options
        )
        if report.exit_code(fail_on):
            pytest.fail(self.text(report), pytrace=False)
        return report


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("govstd", "govstd data-standard checks")
    group.addoption(
        "--govstd-lang",
        default=None,
        choices=("en", "zh"),
        help="language of govstd failure reports (default: en)",
    )
    group.addoption(
        "--govstd-standards-dir",
        action="append",
        default=[],
        help="extra folder of standards for the govstd fixture (repeatable)",
    )


@pytest.fixture
def govstd(request: pytest.FixtureRequest) -> GovstdHelper:
    """A fresh govstd session with ``assert_conforms``; see :class:`GovstdHelper`."""
    from govstd.session import Session

    config = request.config
    dirs = config.getoption("--govstd-standards-dir", default=[]) or []
    lang = config.getoption("--govstd-lang", default=None) or "en"
    return GovstdHelper(Session(standards_dirs=dirs), lang=lang)
