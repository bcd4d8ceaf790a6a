"""beta-reg end to end: the XML export read as cn.legal-entity 1.0.0, and written back."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from govstd.session import Session

AS_OF = date(2026, 1, 1)
SAMPLE = Path(__file__).with_name("beta-sample.xml")


@pytest.fixture(scope="module")
def session() -> Session:
    return Session(autoload=True)


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def test_registered(session):
    adapter = session.adapters["beta-reg"]
    assert adapter.range == "cn.legal-entity@~1.0" and adapter.format == "xml"


def test_gb18030_export_to_canonical_records(session, tmp_path):
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = session.transform(SAMPLE, adapter="beta-reg", output=out, rejects=rejects, as_of=AS_OF)
    assert result.report.target == "cn.legal-entity@1.0.0"
    assert read_jsonl(out) == [
        {
            "uscc": "91110101MA01R2XK4C",
            "name": "北京云图数据科技有限公司",
            "legal_representative": "张伟",
            "entity_type": "1",
            "established": "2016-04-18",
            "registered_capital": 1000.5,
            "division_code": "110101",
            "status": "1",
        },
        {
            "uscc": "12310104425012345B",
            "name": "上海市徐汇区漕河泾街道社区卫生服务中心",
            "legal_representative": "王芳",
            "entity_type": "2",
            "established": "2001-06-01",
            "division_code": "310104",
            "status": "1",
        },
    ]
    assert sorted(result.fixes) == ["fix.spreadsheet-suffix", "fix.trimmed", "fix.upper-cased"]
    [reject] = read_jsonl(rejects)
    assert reject["record"] == 3 and reject["raw"]["DWLX"] == "政府"
    located = {f["code"]: f["location"] for f in reject["findings"]}
    assert located["adapter.unmapped-value"]["xpath"] == "/QYXX/QY[3]/DWLX"
    assert located["adapter.scientific-notation"]["field"] == "ZCZB"
    assert result.balanced


def test_utf8_export(session, tmp_path):
    text = SAMPLE.read_bytes().decode("gb18030").replace('encoding="GB18030"', 'encoding="UTF-8"')
    source = tmp_path / "utf8.xml"
    source.write_bytes(text.encode("utf-8"))
    result = session.transform(source, adapter="beta-reg", output=tmp_path / "o.jsonl", as_of=AS_OF)
    assert (result.written, result.rejected) == (2, 1)


def test_reverse_direction_round_trip(session, tmp_path):
    canonical = tmp_path / "out.jsonl"
    session.transform(SAMPLE, adapter="beta-reg", output=canonical, as_of=AS_OF)
    back = tmp_path / "back.xml"
    result = session.transform(
        SAMPLE, adapter="beta-reg", to_adapter="beta-reg", output=back, as_of=AS_OF
    )
    assert result.written == 2
    text = back.read_bytes().decode("utf-8")
    assert "<QYXX>" in text and "<DWLX>企业</DWLX>" in text and "<CLRQ>20160418</CLRQ>" in text
    again = tmp_path / "again.jsonl"
    session.transform(back, adapter="beta-reg", output=again, as_of=AS_OF)
    assert read_jsonl(again) == read_jsonl(canonical)
