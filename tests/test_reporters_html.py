"""The HTML report: self-contained, verdict first, grouped findings, field statistics, bounded size."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from govstd.generate import generate_feed
from govstd.reporters.html import HtmlReporter
from govstd.session import Session
from govstd.waivers import apply_waivers, parse_waivers
from report_checks import AS_OF, example, sample_report


def render(report, session: Session, lang: str = "en", **options) -> str:
    return HtmlReporter(**options).render(report, catalogue=session.catalogue, lang=lang)


def test_structure_and_content_en() -> None:
    session = Session()
    report = sample_report(session)
    page = render(report, session)
    assert page.startswith("<!DOCTYPE html>")
    assert page.index('id="verdict"') < page.index('id="findings"') < page.index('id="fields"')
    assert "Does not conform" in page
    # grouped by code, with counts, explanation, fix, field title/description, source rows
    assert page.count('<details class="group"') == len(report.counts)
    assert f'<span class="count">{report.counts["field.pattern"]}</span>' in page
    assert session.catalogue["cn.ric.check-digit"].text("description", "en") in page
    assert "Citizen identity number" in page and "GB 11643-1999: 18 characters" in page
    assert 'class="hit">440305196203030460' in page
    assert "Standard cn.natural-person@1.1.0 (active); govstd " in page
    # per-field statistics
    id_number = next(f for f in report.fields if f.name == "id_number")
    assert re.search(
        rf"<code>id_number</code> Citizen identity number</td><td class=\"n\">{id_number.filled}</td>"
        rf"<td class=\"n\">{id_number.valid}</td><td class=\"n\">0</td><td class=\"n\">{id_number.rejected}</td>",
        page,
    )


def test_self_contained() -> None:
    session = Session()
    page = render(sample_report(session), session)
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert not re.search(r"(src|href)=\"?(https?:)?//", page)
    assert "url(" not in page
    assert "default-src 'none'" in page


def test_chinese() -> None:
    session = Session()
    page = render(sample_report(session), session, lang="zh")
    assert '<html lang="zh-CN">' in page
    assert "不符合标准" in page and "公民身份号码" in page and "字段统计" in page
    assert session.catalogue["cn.ric.check-digit"].text("title", "zh") in page


def test_conforming_and_waived_verdicts() -> None:
    session = Session()
    clean = sample_report(session, "cn.natural-person@1.1.0", "valid.csv")
    assert "Conforms" in render(clean, session) and "No findings" in render(clean, session)
    report = sample_report(session, "cn.legal-entity@2.0.0", "valid.csv")
    report.findings.append(session.catalogue.finding("field.pattern", source="x.csv", record=1))
    report.sources[0].stats.errors += 1
    report.counts["field.pattern"] += 1
    apply_waivers(
        report,
        parse_waivers(
            [{"code": "*", "owner": "李伟", "reason": "迁移中", "expires": "2026-03-01"}]
        ),
        today=AS_OF,
        catalogue=session.catalogue,
    )
    page = render(report, session)
    assert "Conforms, with waived findings" in page
    assert "李伟" in page and 'id="waivers"' in page


def test_large_reports_stay_small(tmp_path: Path) -> None:
    session = Session()
    feed = generate_feed(
        session,
        "cn.natural-person@1.1",
        count=4000,
        invalid_rate=0.5,
        seed=5,
        as_of=date(2026, 1, 1),
    )
    path = tmp_path / "big.csv"
    path.write_text(feed.to_csv(), "utf-8")
    report = session.validate([path], standard="cn.natural-person@1.1", as_of=AS_OF)
    assert len(report.findings) > 1500
    page = render(report, session, examples_per_code=5)
    assert len(page.encode("utf-8")) < 400_000
    assert page.count('<details class="group"') == len(report.counts)
    assert "… and " in page


def test_baseline_section(tmp_path: Path) -> None:
    from govstd.baseline import compare

    session = Session()
    old = sample_report(session, "cn.natural-person@1.1.0", "invalid.csv")
    new = sample_report(session, "cn.natural-person@1.1.0", "invalid.csv")
    compare(new, old, origin="base.json")
    page = render(new, session)
    assert 'id="baseline"' in page and "[still open]" not in page and "[Still open]" in page


def test_schema_target_without_titles(tmp_path: Path) -> None:
    session = Session()
    schema = example("cn.natural-person@1.1.0", "x").parent.parent / "table.schema.json"
    report = session.validate(
        [example("cn.natural-person@1.1.0", "invalid.csv")], schema=schema, as_of=AS_OF
    )
    page = render(report, session)
    assert "Schema " in page and "Citizen identity number" in page
