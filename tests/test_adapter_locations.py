"""`validate --adapter`: the standard's findings point at the vendor's own rows and columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from govstd.session import Session

HEADER = "姓名,身份证号,性别,出生日期,民族,户籍地行政区划,户籍地址,联系电话"


def test_standard_findings_use_vendor_columns(tmp_path: Path) -> None:
    rows = [
        HEADER,
        "张三,110105198001010032,男,1980年1月1日,汉族,110105,北京市朝阳区,13812345678",
        "李四,110105198001010032,男,1980年1月1日,汉族,110105,,",  # duplicate id
        "王五,110105198001010033,男,1980年1月1日,汉族,110105,,",  # wrong check character
    ]
    feed = tmp_path / "feed.csv"
    feed.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    session = Session()
    assert "acme-hr" in session.adapters, "the acme-hr example plugin must be installed"
    report = session.validate(feed, adapter="acme-hr", as_of=date(2026, 1, 1))
    located = {(f.record, f.code): f.location for f in report.findings}
    unique = located[(2, "field.unique")]
    assert (unique.line, unique.column, unique.field, unique.pointer) == (
        3,
        2,
        "身份证号",
        "/id_number",
    )
    check = located[(3, "cn.ric.check-digit")]
    assert (check.line, check.column, check.field) == (4, 2, "身份证号")
    assert report.stats.records == 3 and report.stats.rejected == 2
    # field statistics stay in the standard's terms
    assert {"id_number", "name", "sex"} <= {f.name for f in report.fields}
    assert next(f for f in report.fields if f.name == "id_number").rejected == 2
