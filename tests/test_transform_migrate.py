"""`govstd transform --standard` outside the adapter's range: adapter, then the declared
migration chain, then the target version's checks (acme-hr → cn.natural-person@2.0.0)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import govstd
from govstd import Session
from govstd.checks.identifiers import ric_check_character
from govstd.cli.main import cli
from govstd.exceptions import SetupError

AS_OF = date(2026, 1, 1)
TARGET = "cn.natural-person@2.0.0"
HEADER = "姓名,身份证号,性别,出生日期,民族,户籍地行政区划,户籍地址,联系电话"


def ric(body17: str) -> str:
    return body17 + ric_check_character(body17)


ID18 = ric("11010519850312001")  # born 1985-03-12
ID15 = "110105850312002"  # legacy: 110105 + 850312 + 002 → 11010519850312002?
ID15_UPGRADED = ric("11010519850312002")
ID18_B = ric("11010519900101003")


def feed(tmp_path: Path, *rows: str, name: str = "feed.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("gbk"))
    return path


CLEAN_MOBILE = f"张三,{ID18},男,1985年3月12日,汉族,110105,北京市朝阳区某街1号,13812345678"
LEGACY_LANDLINE = f"李四,{ID15},女,1985/3/12,汉,110105.0,北京市朝阳区某街2号,010-12345678"
BAD_PHONE = f"王五,{ID18_B},男,19900101,汉族,110105,北京市朝阳区某街3号,12345"
BAD_SEX = f"赵六,{ID18_B},不详,19900101,汉族,110105,北京市朝阳区某街4号,13812345678"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_upgrade_to_2_0_0(tmp_path):
    source = feed(tmp_path, CLEAN_MOBILE, LEGACY_LANDLINE)
    out = tmp_path / "people.jsonl"
    result = Session().transform(
        source, adapter="acme-hr", standard=TARGET, output=out, as_of=AS_OF
    )
    assert result.balanced and result.records == 2 and result.written == 2
    assert result.rejected == 0 and result.rejects is None
    assert result.report.target == TARGET
    records = read_jsonl(out)
    first, second = records
    assert first["id_number"] == ID18
    assert first["phone"] == "+8613812345678"
    assert second["id_number"] == ID15_UPGRADED and len(second["id_number"]) == 18
    assert second["phone"] == "+861012345678"
    for record in records:
        assert record["nationality"] == "CHN"
        assert record["household_division_code"] == "110105"
        assert "division_code" not in record
    summary = result.summary()
    assert summary["migration"]["from"] == "cn.natural-person@1.1.0"
    assert summary["migration"]["to"] == TARGET
    # the output is a clean cn.natural-person@2.0.0 file
    report = govstd.validate(out, standard=TARGET, as_of=AS_OF)
    assert report.stats.records == 2
    assert report.stats.rejected == 0, [f.code for f in report.findings]
    assert not [f for f in report.findings if f.is_error]


def test_unmigratable_value_rejected_with_raw_cells(tmp_path):
    source = feed(tmp_path, CLEAN_MOBILE, BAD_PHONE, BAD_SEX, LEGACY_LANDLINE)
    out = tmp_path / "people.jsonl"
    rejects = tmp_path / "rejects.jsonl"
    result = Session().transform(
        source, adapter="acme-hr", standard=TARGET, output=out, rejects=rejects, as_of=AS_OF
    )
    assert result.records == 4 and result.written == 2 and result.rejected == 2
    assert result.records == result.written + result.rejected and result.balanced
    entries = {e["record"]: e for e in read_jsonl(rejects)}
    assert len(entries) == 2
    phone, sex = sorted(entries.values(), key=lambda e: e["line"])
    # the vendor's cells, verbatim
    assert phone["raw"]["联系电话"] == "12345" and phone["raw"]["姓名"] == "王五"
    codes = [f["code"] for f in phone["findings"] if f["severity"] == "error"]
    assert codes == ["migrate.unmappable"]  # not repeated by the standard's phone pattern
    assert sex["raw"]["性别"] == "不详"
    assert "adapter.unmapped-value" in {f["code"] for f in sex["findings"]}
    assert result.reasons["migrate.unmappable"] == 1
    assert [r["name"] for r in read_jsonl(out)] == ["张三", "李四"]


def test_validate_through_the_chain(tmp_path):
    source = feed(tmp_path, CLEAN_MOBILE, LEGACY_LANDLINE, BAD_PHONE)
    report = Session().validate(source, adapter="acme-hr", standard=TARGET, as_of=AS_OF)
    assert report.standard["version"] == "2.0.0"
    assert report.stats.records == 3 and report.stats.rejected == 1
    errors = [f for f in report.findings if f.is_error]
    assert [f.code for f in errors] == ["migrate.unmappable"]
    # located in the vendor's own row and column
    assert errors[0].location.field == "联系电话" and errors[0].location.column == 8
    assert errors[0].location.line == 4


def test_in_range_version_is_not_migrated(tmp_path):
    source = feed(tmp_path, CLEAN_MOBILE)
    out = tmp_path / "people.jsonl"
    result = Session().transform(
        source, adapter="acme-hr", standard="cn.natural-person@1.1.0", output=out, as_of=AS_OF
    )
    assert result.migration is None and result.summary()["migration"] is None
    (record,) = read_jsonl(out)
    assert record["division_code"] == "110105" and record["phone"] == "13812345678"


def _without_migrations(monkeypatch):
    from govstd.versions import migrate

    monkeypatch.setattr(migrate, "_declared", lambda source, target: None)


def test_no_chain_is_a_setup_error(tmp_path, monkeypatch):
    _without_migrations(monkeypatch)
    source = feed(tmp_path, CLEAN_MOBILE)
    out = tmp_path / "people.jsonl"
    with pytest.raises(SetupError, match=r"cn.natural-person@1.1.0 to cn.natural-person@2.0.0"):
        Session().transform(source, adapter="acme-hr", standard=TARGET, output=out)
    with pytest.raises(SetupError, match=r"no migration from cn.natural-person@1.1.0"):
        Session().validate(source, adapter="acme-hr", standard=TARGET)
    assert not out.exists()


def test_other_standard_is_a_setup_error(tmp_path):
    source = feed(tmp_path, CLEAN_MOBILE)
    with pytest.raises(SetupError, match="one standard"):
        Session().transform(
            source,
            adapter="acme-hr",
            standard="cn.legal-entity@1.0.0",
            output=tmp_path / "o.jsonl",
        )


def test_cli(tmp_path, monkeypatch):
    source = feed(tmp_path, CLEAN_MOBILE, LEGACY_LANDLINE)
    out = tmp_path / "people.jsonl"
    runner = CliRunner()
    args = ["transform", str(source), "--adapter", "acme-hr", "--standard", TARGET]
    args += ["-o", str(out), "--as-of", "2026-01-01"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "records 2 = written 2" in result.output
    assert f"migrated: cn.natural-person@1.1.0 → {TARGET} (1.1.0 → 2.0.0)" in result.output
    assert len(read_jsonl(out)) == 2

    _without_migrations(monkeypatch)
    out.unlink()
    result = runner.invoke(cli, args)
    assert result.exit_code == 3
    assert "cn.natural-person@1.1.0" in result.output and TARGET in result.output
    assert not out.exists()


def test_adapter_error_is_not_repeated_by_the_chain(tmp_path):
    source = feed(tmp_path, "钱七,1.10105E+17,男,1985年3月12日,汉族,110105,某地,13812345678")
    report = Session().validate(source, adapter="acme-hr", standard=TARGET, as_of=AS_OF)
    assert [f.code for f in report.findings if f.is_error] == ["adapter.scientific-notation"]
    assert report.stats.records == 1 and report.stats.rejected == 1


def test_renamed_field_findings_point_at_the_vendor_column(tmp_path):
    source = feed(tmp_path, f"孙八,{ID18},男,1985年3月12日,汉族,12345,某地,13812345678")
    report = Session().validate(source, adapter="acme-hr", standard=TARGET, as_of=AS_OF)
    errors = [f for f in report.findings if f.is_error]
    assert errors
    for finding in errors:
        assert finding.location.pointer == "/household_division_code"
        assert finding.location.field == "户籍地行政区划" and finding.location.column == 6
