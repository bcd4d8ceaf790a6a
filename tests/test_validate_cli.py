"""`govstd validate` end to end: exit codes, reports, stdin, truncation, errors."""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from govstd.cli.main import cli

TABLE_SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "minimum": 1}},
        {"name": "name", "type": "string", "constraints": {"required": True, "maxLength": 5}},
        {"name": "born", "type": "date"},
    ],
    "primaryKey": ["id"],
}
JSON_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "name": {"type": "string", "maxLength": 5},
        "born": {"type": "string", "format": "date"},
    },
    "additionalProperties": False,
}
CSV = "id,name,born\n1,Ann,2001-02-03\n2,Bartholomew,2001-02-30\n2,Cy,\n0,,2001-01-01\n"
JSONL = (
    '{"id": 1, "name": "Ann", "born": "2001-02-03"}\n'
    '{"id": 2, "name": "Bartholomew", "born": "2001-02-30"}\n'
    "{not json}\n"
    "\n"
    '{"id": 0, "extra": true}\n'
)


def report_schema() -> dict:
    return json.loads(
        (resources.files("govstd") / "schemas" / "report.schema.json").read_text("utf-8")
    )


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "table.json").write_text(json.dumps(TABLE_SCHEMA), "utf-8")
    (tmp_path / "record.schema.json").write_text(json.dumps(JSON_SCHEMA), "utf-8")
    (tmp_path / "data.csv").write_text(CSV, "utf-8")
    (tmp_path / "data.jsonl").write_text(JSONL, "utf-8")
    (tmp_path / "good.csv").write_text("id,name,born\n1,Ann,2001-02-03\n", "utf-8")
    return tmp_path


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def json_report(result) -> dict:
    data = json.loads(result.output)
    jsonschema.Draft202012Validator(report_schema()).validate(data)
    return data


def test_csv_against_table_schema(files: Path) -> None:
    result = run(
        "validate", str(files / "data.csv"), "--schema", str(files / "table.json"), "-f", "json"
    )
    assert result.exit_code == 1, result.output
    data = json_report(result)
    pairs = {(f["record"], f["location"].get("field"), f["code"]) for f in data["findings"]}
    assert pairs == {
        (2, "name", "field.length"),
        (2, "born", "field.type"),
        (3, "id", "record.duplicate-key"),
        (4, "id", "field.range"),
        (4, "name", "field.required"),
    }
    assert data["stats"]["records"] == 4
    assert (data["stats"]["passed"], data["stats"]["rejected"]) == (1, 3)
    assert data["valid"] is False
    line_of = {f["record"]: f["location"]["line"] for f in data["findings"]}
    assert line_of[2] == 3 and line_of[4] == 5


def test_jsonl_against_json_schema(files: Path) -> None:
    result = run(
        "validate",
        str(files / "data.jsonl"),
        "--schema",
        str(files / "record.schema.json"),
        "-f",
        "json",
    )
    assert result.exit_code == 1
    data = json_report(result)
    got = {
        (f["record"], f["location"].get("pointer"), f.get("keyword"), f["code"])
        for f in data["findings"]
    }
    assert (2, "/name", "maxLength", "field.length") in got
    assert (2, "/born", "format", "field.format") in got
    assert any(r == 3 and c == "json.syntax" for r, _, _, c in got)
    assert (4, "/id", "minimum", "field.range") in got
    assert any(r == 4 and k == "required" for r, _, k, _ in got)
    assert any(r == 4 and k == "additionalProperties" for r, _, k, _ in got)
    assert data["stats"]["records"] == 4  # the blank line is not a record
    assert (data["stats"]["passed"], data["stats"]["rejected"]) == (1, 3)
    # line numbers are physical lines: record 4 sits on line 5
    assert {f["location"].get("line") for f in data["findings"] if f["record"] == 4} == {5}


def test_no_format_check_turns_format_into_annotation(files: Path) -> None:
    result = run(
        "validate",
        str(files / "data.jsonl"),
        "--schema",
        str(files / "record.schema.json"),
        "-f",
        "json",
        "--no-format-check",
    )
    keywords = {f.get("keyword") for f in json_report(result)["findings"]}
    assert "format" not in keywords


def test_valid_input_exits_zero_and_says_so(files: Path) -> None:
    result = run("validate", str(files / "good.csv"), "--schema", str(files / "table.json"))
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output and "INVALID" not in result.output


def test_text_report_groups_by_code_with_counts_and_hints(files: Path) -> None:
    result = run("validate", str(files / "data.csv"), "--schema", str(files / "table.json"))
    assert result.exit_code == 1
    assert "ERROR field.length — Value too long or too short (1)" in result.output
    assert "record 2" in result.output and "fix:" in result.output
    assert "INVALID: 5 errors" in result.output
    zh = run(
        "validate", str(files / "data.csv"), "--schema", str(files / "table.json"), "--lang", "zh"
    )
    assert "不通过" in zh.output and "值过长或过短" in zh.output


def test_max_findings_truncates_but_counts_stay_exact(files: Path) -> None:
    result = run(
        "validate",
        str(files / "data.csv"),
        "--schema",
        str(files / "table.json"),
        "-f",
        "json",
        "--max-findings",
        "2",
    )
    data = json_report(result)
    assert data["truncated"] is True
    assert len(data["findings"]) == 2
    assert sum(data["counts"].values()) == 5
    assert data["stats"]["errors"] == 5
    text = run(
        "validate",
        str(files / "data.csv"),
        "--schema",
        str(files / "table.json"),
        "--max-findings",
        "2",
    )
    assert "Output truncated: 2 of 5 findings shown" in text.output


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("warning", 1), ("never", 0)])
def test_fail_on(files: Path, fail_on: str, code: int) -> None:
    result = run(
        "validate",
        str(files / "data.csv"),
        "--schema",
        str(files / "table.json"),
        "--fail-on",
        fail_on,
    )
    assert result.exit_code == code


def test_standard_input(files: Path) -> None:
    result = run(
        "validate",
        "-",
        "--input-format",
        "csv",
        "--schema",
        str(files / "table.json"),
        "-f",
        "json",
        input=CSV.encode(),
    )
    data = json_report(result)
    assert data["sources"][0]["source"] == "<stdin>"
    assert data["stats"]["records"] == 4
    no_format = run("validate", "-", "--schema", str(files / "table.json"), input=b"")
    assert no_format.exit_code == 2 and "--input-format" in no_format.output


def test_output_file(files: Path) -> None:
    out = files / "report.json"
    result = run(
        "validate",
        str(files / "data.csv"),
        "--schema",
        str(files / "table.json"),
        "-f",
        "json",
        "-o",
        str(out),
    )
    assert result.exit_code == 1
    assert result.output == ""
    assert json.loads(out.read_text("utf-8"))["stats"]["rejected"] == 3


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["validate", "missing.csv", "--schema", "{table}"],
            2,
            "input file not found: missing.csv",
        ),
        (["validate", "{csv}"], 2, "exactly one of --standard"),
        (["validate", "{csv}", "--schema", "{table}", "--standard", "x"], 2, "exactly one of"),
        (
            ["validate", "{csv}", "--schema", "{table}", "--input-format", "parquet"],
            2,
            "unknown input format",
        ),
        (["validate", "{csv}", "--schema", "{jsonschema}"], 2, "cannot check csv input"),
        (["validate", "{csv}", "--standard", "no.such-standard"], 3, "unknown standard"),
        (["validate", "{csv}", "--schema", "{broken}"], 3, "not valid JSON"),
        (["validate", "{csv}", "--fail-on", "sometimes", "--schema", "{table}"], 2, "sometimes"),
    ],
)
def test_errors_have_exit_codes_and_no_traceback(
    files: Path, args: list[str], code: int, message: str
) -> None:
    (files / "broken.json").write_text("{", "utf-8")
    names = {
        "table": files / "table.json",
        "csv": files / "data.csv",
        "jsonschema": files / "record.schema.json",
        "broken": files / "broken.json",
    }
    result = CliRunner().invoke(cli, [a.format(**names) for a in args])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_unresolvable_ref_is_a_setup_error_naming_the_url(tmp_path: Path) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "https://example.invalid/remote.json",
    }
    (tmp_path / "s.json").write_text(json.dumps(schema), "utf-8")
    (tmp_path / "d.jsonl").write_text("{}\n", "utf-8")
    result = run("validate", str(tmp_path / "d.jsonl"), "--schema", str(tmp_path / "s.json"))
    assert result.exit_code == 3
    assert "https://example.invalid/remote.json" in result.output


def test_library_call_matches_cli(files: Path) -> None:
    import govstd

    report = govstd.validate(files / "data.csv", schema=files / "table.json")
    assert report.stats.rejected == 3
    assert report.stats.balanced
    with pytest.raises(govstd.GovstdError):
        govstd.validate(files / "data.csv")
    stdin_report = govstd.Session().validate(
        "-", schema=files / "table.json", input_format="csv", stdin=io.BytesIO(CSV.encode())
    )
    assert stdin_report.stats.records == 4


def test_header_errors_reject_every_record(files: Path) -> None:
    (files / "nocol.csv").write_text("id,born\n1,2001-02-03\n2,2001-02-04\n", "utf-8")
    (files / "extra.csv").write_text("id,name,born,note\n1,Ann,2001-02-03,x\n", "utf-8")
    for name, records in (("nocol.csv", 2), ("extra.csv", 1)):
        result = run(
            "validate", str(files / name), "--schema", str(files / "table.json"), "-f", "json"
        )
        data = json_report(result)
        assert result.exit_code == 1
        assert data["stats"]["records"] == records
        assert data["stats"]["rejected"] == records, name
        assert all(f["record"] is None for f in data["findings"] if f["code"].startswith("header."))
    # a reordered header is only a warning: records still pass
    (files / "moved.csv").write_text("name,id,born\nAnn,1,2001-02-03\n", "utf-8")
    data = json_report(
        run(
            "validate",
            str(files / "moved.csv"),
            "--schema",
            str(files / "table.json"),
            "-f",
            "json",
        )
    )
    assert data["stats"]["passed"] == 1 and data["stats"]["warnings"] == 1
