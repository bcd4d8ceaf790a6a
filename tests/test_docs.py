"""Documentation generated from the code stays in step with it."""

from __future__ import annotations

from pathlib import Path

from govstd.catalogue import Catalogue, catalogue_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_findings_page_is_generated_from_the_catalogue(catalogue: Catalogue) -> None:
    page = (DOCS / "findings.md").read_text("utf-8")
    assert page == catalogue_markdown(catalogue), (
        "docs/findings.md is out of date: run `govstd explain --markdown -p no:acme-hr "
        "-p no:beta-reg > docs/findings.md`"
    )


def test_every_code_has_an_anchor(catalogue: Catalogue) -> None:
    page = (DOCS / "findings.md").read_text("utf-8")
    for entry in catalogue:
        assert f"\n## {entry.code}\n" in page
