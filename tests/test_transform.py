"""The transform pipeline: accounting, rejects, atomic output, validate --adapter, the CLI."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from pathlib import Path
from unittest import mock

import jsonschema
import pytest
from click.testing import CliRunner

from govstd import hookimpl
from govstd.adapters import parse_adapter
from govstd.exceptions import SetupError, UsageError
from govstd.session import Session

AS_OF = date(2026, 1, 1)

MAPPING = {
    "name": "test-hr",
    "standard": "cn.natural-person@^1.0",
    "format": "csv",
    "encoding": "gb18030",
    "null_markers": ["无", "-"],
    "layout": {"line_terminator": "\r\n"},
    "columns": [
        {"label": "姓名", "field": "name", "type": "text"},
        {"label": "身份证号", "field": "id_number", "type": "cn-ric"},
        {"label": "性别", "field": "sex", "type": "code", "codes": {"男": "1", "女": "2"}},
        {"label": "出生日期", "field": "birth_date", "type": "date", "formats": ["YYYY年M月D日"]},
        {"label": "户籍地行政区划", "field": "division_code", "type": "digits"},
        {"label": "联系电话", "field": "phone", "type": "cn-phone", "optional": True},
    ],
}
HEADER = "姓名,身份证号,性别,出生日期,户籍地行政区划,联系电话"
CLEAN = "张伟,110101198503120017,男,1985年3月12日,110101,13801012345"
FIXED = "　王芳 ,310104199007250024,女,1990年7月25日,310104.0,138 0101 2345"
SCIENTIFIC = "刘洋,1.10105E+17,男,2001年1月31日,350102,"
UNMAPPED = "赵六,11010519491231002X,不详,1949年12月31日,110105,"
CHECK_DIGIT = "钱七,110101198503120018,男,1985年3月12日,110101,"


class Plugin:
    __name__ = "test-adapters"

    def __init__(self, *mappings):
        self.mappings = mappings or (MAPPING,)

    @hookimpl
    def govstd_adapters(self):
        return [parse_adapter(m) for m in self.mappings]


def session(*mappings) -> Session:
    return Session(plugins=[Plugin(*mappings)], autoload=False)


def feed(tmp_path: Path, *rows: str, name: str = "feed.csv", encoding: str = "gbk") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding))
    return path


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def test_clean_fixed_and_rejected_records_are_all_accounted_for(tmp_path):
    source = feed(tmp_path, CLEAN, FIXED, SCIENTIFIC, UNMAPPED, CHECK_DIGIT)
    out = tmp_path / "out.jsonl"
    result = session().transform(source, adapter="test-hr", output=out, as_of=AS_OF)
    stats = result.report.stats
    assert (stats.records, stats.passed, stats.fixed, stats.rejected) == (5, 1, 1, 3)
    assert result.written == 2 and result.balanced
    written = lines(out)
    assert written == [
        {
            "id_number": "110101198503120017",
            "name": "张伟",
            "sex": "1",
            "birth_date": "1985-03-12",
            "division_code": "110101",
            "phone": "13801012345",
        },
        {
            "id_number": "310104199007250024",
            "name": "王芳",
            "sex": "2",
            "birth_date": "1990-07-25",
            "division_code": "310104",
            "phone": "13801012345",
        },
    ]
    assert list(written[0]) == ["id_number", "name", "sex", "birth_date", "division_code", "phone"]
    assert result.fixes == {
        "fix.trimmed": 1,
        "fix.spreadsheet-suffix": 1,
        "fix.phone-normalised": 1,
    }
    assert result.reasons == {
        "adapter.scientific-notation": 1,
        "adapter.unmapped-value": 1,
        "cn.ric.check-digit": 1,
    }
    assert result.rejects == tmp_path / "out.jsonl.rejects.jsonl"
    rejects = lines(result.rejects)
    assert [r["record"] for r in rejects] == [3, 4, 5]
    assert [r["line"] for r in rejects] == [4, 5, 6]
    first = rejects[0]
    assert first["raw"] == dict(zip(HEADER.split(","), SCIENTIFIC.split(","), strict=True))
    assert [f["code"] for f in first["findings"]] == ["adapter.scientific-notation"]
    assert first["findings"][0]["location"] == {"line": 4, "column": 2, "field": "身份证号"}
    # the standard's own complaint about the unmapped value is not repeated
    assert [f["code"] for f in rejects[1]["findings"]] == ["adapter.unmapped-value"]
    assert rejects[2]["findings"][0]["location"]["pointer"] == "/id_number"


def test_fix_findings_carry_the_vendor_column_and_both_values(tmp_path):
    source = feed(tmp_path, FIXED)
    result = session().transform(
        source, adapter="test-hr", output=tmp_path / "o.jsonl", as_of=AS_OF
    )
    fixes = {f.code: f for f in result.report.findings}
    trimmed = fixes["fix.trimmed"]
    assert trimmed.severity.label == "info" and trimmed.record == 1
    assert (trimmed.location.line, trimmed.location.column, trimmed.location.field) == (
        2,
        1,
        "姓名",
    )
    assert (trimmed.value, trimmed.expected) == ("　王芳 ", "王芳")
    assert fixes["fix.spreadsheet-suffix"].location.field == "户籍地行政区划"
    assert result.rejects is None and not (tmp_path / "o.jsonl.rejects.jsonl").exists()


def test_explicit_rejects_file_is_written_even_when_empty(tmp_path):
    source = feed(tmp_path, CLEAN)
    rejects = tmp_path / "rejects.jsonl"
    result = session().transform(
        source, adapter="test-hr", output=tmp_path / "o.jsonl", rejects=rejects, as_of=AS_OF
    )
    assert result.rejects == rejects and rejects.read_bytes() == b""


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (
            "csv",
            "id_number,name,sex,birth_date,ethnicity,division_code,address,phone,email,updated_at\n",
        ),
        ("json", "[\n{"),
    ],
)
def test_output_formats(tmp_path, fmt, expected):
    source = feed(tmp_path, CLEAN)
    out = tmp_path / f"o.{fmt}"
    result = session().transform(source, adapter="test-hr", output=out, as_of=AS_OF)
    assert result.output_format == fmt
    assert out.read_text(encoding="utf-8").startswith(expected)


def test_canonical_csv_output_validates_against_the_standard(tmp_path):
    source = feed(tmp_path, CLEAN, FIXED)
    out = tmp_path / "o.csv"
    s = session()
    s.transform(source, adapter="test-hr", output=out, as_of=AS_OF)
    report = s.validate(out, standard="cn.natural-person@1.1", as_of=AS_OF)
    assert report.valid and report.stats.passed == 2


def test_header_mismatches_are_file_level_findings(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_bytes(
        "姓名,身份证号,性别,户籍地行政区划,备注\r\n张伟,110101198503120017,男,110101,x\r\n".encode(
            "gbk"
        )
    )
    result = session().transform(path, adapter="test-hr", output=tmp_path / "o.jsonl", as_of=AS_OF)
    codes = {(f.code, f.record) for f in result.report.findings}
    assert ("adapter.unknown-column", None) in codes
    assert ("adapter.missing-column", None) in codes  # 出生日期; 联系电话 is optional
    assert ("field.required", 1) in codes
    assert result.balanced and result.rejected == 1


def test_short_long_blank_and_broken_rows_are_rejected_not_lost(tmp_path):
    path = tmp_path / "feed.csv"
    body = "\r\n".join(
        [HEADER, CLEAN, "张伟,1", "", CLEAN.replace("张伟", "李四") + ",extra", '"broken']
    )
    path.write_bytes((body + "\r\n").encode("gbk"))
    result = session().transform(path, adapter="test-hr", output=tmp_path / "o.jsonl", as_of=AS_OF)
    assert result.records == 5 and result.written == 1 and result.rejected == 4
    rejects = lines(result.rejects)
    assert [r["record"] for r in rejects] == [2, 3, 4, 5]
    assert rejects[-1]["raw"] is None  # unreadable: nothing could be read
    assert {f["code"] for r in rejects for f in r["findings"]} >= {
        "row.missing-cell",
        "row.extra-cell",
        "csv.syntax",
    }


def test_output_is_atomic_on_failure(tmp_path, monkeypatch):
    out = tmp_path / "o.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    source = feed(tmp_path, CLEAN, FIXED)
    s = session()
    from govstd.adapters import model

    def explode(self, batch):
        raise KeyboardInterrupt

    monkeypatch.setattr(model._Adapting, "table", explode)
    with pytest.raises(KeyboardInterrupt):
        s.transform(source, adapter="test-hr", output=out, rejects=tmp_path / "r.jsonl")
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.csv", "o.jsonl"]


def test_setup_and_usage_errors(tmp_path):
    source = feed(tmp_path, CLEAN)
    s = session()
    with pytest.raises(UsageError, match="unknown adapter 'nope'"):
        s.transform(source, adapter="nope", output=tmp_path / "o.jsonl")
    with pytest.raises(
        SetupError,
        match=r"maps to cn.natural-person@\^1.0, not cn.legal-entity@1.0.0",
    ):  # another version of the same standard is reached by migration (test_transform_migrate)
        s.transform(
            source, adapter="test-hr", standard="cn.legal-entity@1", output=tmp_path / "o.jsonl"
        )
    with pytest.raises(UsageError, match="does not exist"):
        s.transform(tmp_path / "missing.csv", adapter="test-hr", output=tmp_path / "o.jsonl")
    with pytest.raises(UsageError, match="no writer"):
        s.transform(source, adapter="test-hr", output=tmp_path / "o.x", output_format="yaml")
    assert not (tmp_path / "o.jsonl").exists()


def test_standard_within_the_range_is_used(tmp_path):
    source = feed(tmp_path, CLEAN)
    result = session().transform(
        source,
        adapter="test-hr",
        standard="cn.natural-person@1.0",
        output=tmp_path / "o.jsonl",
        as_of=AS_OF,
    )
    assert result.report.target == "cn.natural-person@1.0.0"


def test_to_adapter_writes_another_layout_and_rejects_what_it_cannot_carry(tmp_path):
    other = {
        **MAPPING,
        "name": "other",
        "encoding": "utf-8",
        "layout": {"delimiter": ";"},
        "columns": [c for c in MAPPING["columns"] if c["field"] != "phone"],
    }
    source = feed(tmp_path, CLEAN, FIXED.replace("138 0101 2345", ""))
    out = tmp_path / "b.csv"
    result = session(MAPPING, other).transform(
        source, adapter="test-hr", to_adapter="other", output=out, as_of=AS_OF
    )
    assert out.read_text(encoding="utf-8").splitlines() == [
        "姓名;身份证号;性别;出生日期;户籍地行政区划",
        "王芳;310104199007250024;女;1990年7月25日;310104",
    ]
    assert result.written == 1 and result.rejected == 1
    assert result.reasons == {"adapter.not-representable": 1}
    reject = lines(result.rejects)[0]
    assert reject["raw"]["联系电话"] == "13801012345"
    assert reject["findings"][0]["location"]["field"] == "phone"


def test_validate_with_an_adapter_locates_findings_in_vendor_columns(tmp_path):
    source = feed(tmp_path, CLEAN, FIXED, SCIENTIFIC)
    report = session().validate(source, adapter="test-hr", as_of=AS_OF)
    stats = report.stats
    assert (stats.records, stats.passed, stats.fixed, stats.rejected) == (3, 1, 1, 1)
    assert report.target == "cn.natural-person@1.1.0"
    errors = [f for f in report.findings if f.is_error]
    assert [(f.code, f.location.field, f.location.column) for f in errors] == [
        ("adapter.scientific-notation", "身份证号", 2)
    ]
    assert report.sources[0].format == "test-hr"


def test_cli_transform(tmp_path):
    from govstd.cli.main import cli

    source = feed(tmp_path, CLEAN, FIXED, SCIENTIFIC)
    out, report = tmp_path / "o.jsonl", tmp_path / "report.json"
    runner = CliRunner()
    args = [
        "transform",
        str(source),
        "--adapter",
        "test-hr",
        "-o",
        str(out),
        "--report",
        str(report),
        "--as-of",
        "2026-01-01",
    ]
    # the CLI builds its Session from installed plugins; hand it the test adapter instead
    with mock.patch("govstd.session.Session", lambda **kw: session()):
        result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "records 3 = written 2 (clean 1, fixed 1) + rejected 1" in result.output
    assert "adapter.scientific-notation 1" in result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    schema = json.loads(
        (resources.files("govstd") / "schemas" / "report.schema.json").read_text("utf-8")
    )
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["transform"]["written"] == 2 and data["stats"]["rejected"] == 1
    assert data["stats"]["records"] == data["transform"]["written"] + data["stats"]["rejected"]
    with mock.patch("govstd.session.Session", lambda **kw: session()):
        result = runner.invoke(cli, [*args, "--fail-on", "never"])
    assert result.exit_code == 0
    with mock.patch("govstd.session.Session", lambda **kw: session()):
        result = runner.invoke(
            cli,
            [
                "transform",
                str(source),
                "--adapter",
                "test-hr",
                "-o",
                str(out),
                "--standard",
                "cn.legal-entity@1",
            ],
        )
    assert result.exit_code == 3 and "one standard" in result.output
