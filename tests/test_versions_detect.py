"""--standard ID@detect: the version a document declares picks the version it is checked against."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govstd import hookimpl
from govstd.cli.main import cli
from govstd.exceptions import ManifestError, PluginError, UsageError
from govstd.registry import Registry
from govstd.report import Report
from govstd.session import Session
from govstd.versions.detect import DetectRule, declared_version, detect_id
from standards_factory import write_standard

IDENT = "t.person"


def _schema(pattern: str) -> dict[str, Any]:
    # 1.0.0: codes of two letters; 1.1.0: codes of three. Both carry a `version` field.
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string", "pattern": pattern}, "version": {}},
        "additionalProperties": False,
    }


DETECT = '[detect]\npointer = "/version"\nmap = { "one" = "1.0" }\n'


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "standards"
    write_standard(root, IDENT, "1.0.0", schema=_schema("^[A-Z]{2}$"))
    write_standard(root, IDENT, "1.1.0", schema=_schema("^[A-Z]{3}$"), extra=DETECT)
    return root


def _session(root: Path, *plugins: object) -> Session:
    return Session(standards_dirs=[root], autoload=False, plugins=plugins)


def _jsonl(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def _codes(report: Any) -> list[str]:
    return [f.code for f in report.all_findings()]


@pytest.mark.parametrize(
    ("first", "version", "detected"),
    [
        ({"version": "1.0", "code": "AB"}, "1.0.0", True),
        ({"version": "one", "code": "AB"}, "1.0.0", True),  # through `map`
        ({"version": "1.1.0", "code": "ABC"}, "1.1.0", True),
        ({"version": 1.1, "code": "ABC"}, "1.1.0", True),  # a JSON number
        ({"code": "ABC"}, "1.1.0", False),  # says nothing: the latest version
        ({"version": "garbage", "code": "ABC"}, "1.1.0", False),
        ({"version": "9.0", "code": "ABC"}, "1.1.0", False),  # no such version
    ],
)
def test_first_record_picks_the_version(
    root: Path, tmp_path: Path, first: dict[str, Any], version: str, detected: bool
) -> None:
    source = _jsonl(tmp_path / "feed.jsonl", first, {"code": first["code"]})
    report = _session(root).validate(source, standard=f"{IDENT}@detect")
    assert report.target == f"{IDENT}@detect"
    assert report.sources[0].standard == f"{IDENT}@{version}"
    assert report.standard is not None and report.standard["version"] == version
    assert report.valid  # both records fit the version that was picked
    assert report.sources[0].stats.records == report.sources[0].stats.passed == 2
    if detected:
        assert _codes(report) == ["standard.version-detected"]
    else:
        (finding,) = report.all_findings()
        assert finding.code == "standard.version-undetected"
        assert finding.source == str(source) and finding.record is None
        assert f"{IDENT}@1.1.0" in finding.message


def test_sources_of_different_versions_in_one_report(root: Path, tmp_path: Path) -> None:
    old = _jsonl(tmp_path / "old.jsonl", {"version": "1.0", "code": "AB"}, {"code": "ABC"})
    new = _jsonl(tmp_path / "new.jsonl", {"version": "1.1", "code": "ABC"})
    report = _session(root).validate([old, new], standard=f"{IDENT}@detect")
    assert [s.standard for s in report.sources] == [f"{IDENT}@1.0.0", f"{IDENT}@1.1.0"]
    assert report.standard is None  # no one version for the whole report
    # the second record of old.jsonl is checked against 1.0.0 too
    errors = [f for f in report.findings if f.is_error]
    assert [(f.source, f.record, f.code) for f in errors] == [(str(old), 2, "field.pattern")]
    assert report.stats.records == 3 and report.stats.rejected == 1
    assert report.counts["standard.version-detected"] == 2


def _add_table_schema(folder: Path, pattern: str) -> None:
    table = {
        "fields": [
            {"name": "code", "type": "string", "constraints": {"pattern": pattern}},
            {"name": "version", "type": "string"},
        ]
    }
    (folder / "table.json").write_text(json.dumps(table), "utf-8")
    with (folder / "manifest.toml").open("a", encoding="utf-8") as manifest:
        manifest.write('table_schema = "table.json"\n')


def test_csv_column_and_standard_input(root: Path, tmp_path: Path) -> None:
    _add_table_schema(root / IDENT / "1.0.0", "^[A-Z]{2}$")
    _add_table_schema(root / IDENT / "1.1.0", "^[A-Z]{3}$")
    session = _session(root)
    csv = tmp_path / "feed.csv"
    csv.write_text("code,version\nAB,1.0\nCD,\n", "utf-8")
    report = session.validate(csv, standard=f"{IDENT}@detect")
    assert report.valid and report.sources[0].standard == f"{IDENT}@1.0.0"
    _jsonl(tmp_path / "in.jsonl", {"version": "1.0", "code": "AB"})
    with (tmp_path / "in.jsonl").open("rb") as stdin:
        report = session.validate(
            "-", standard=f"{IDENT}@detect", input_format="jsonl", stdin=stdin
        )
    assert report.valid and report.sources[0].standard == f"{IDENT}@1.0.0"


def test_empty_source_and_unreadable_first_record(root: Path, tmp_path: Path) -> None:
    session = _session(root)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", "utf-8")
    report = session.validate(empty, standard=f"{IDENT}@detect")
    assert _codes(report) == ["standard.version-undetected", "source.empty"]
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"version": \n{"version": "1.0", "code": "AB"}\n', "utf-8")
    report = session.validate(broken, standard=f"{IDENT}@detect")
    # the first readable record of the first batch declares 1.0; the broken line is rejected
    assert report.sources[0].standard == f"{IDENT}@1.0.0"
    assert report.sources[0].stats.rejected == 1 and report.sources[0].stats.balanced


def test_read_once(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = _session(root)
    reader = session.readers["jsonl"]
    calls: list[str] = []
    original = type(reader).read

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append("read")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(reader), "read", counting)
    records = [{"version": "1.0", "code": "AB"}] + [{"code": "AB"}] * 30
    source = _jsonl(tmp_path / "feed.jsonl", *records)
    report = session.validate(source, standard=f"{IDENT}@detect", batch_size=7)
    assert calls == ["read"]
    assert report.stats.records == 31 and report.stats.passed == 31


class _Override:
    """A plugin that knows better: every record is 1.0."""

    __name__ = "override"

    @hookimpl
    def govstd_detect_version(self, standard_id: str, record: Any, source: str) -> str | None:
        return "1.0" if standard_id == IDENT else None


class _Crash:
    __name__ = "crash"

    @hookimpl
    def govstd_detect_version(self, record: Any) -> str | None:
        raise RuntimeError("boom")


def test_a_plugin_overrides_the_manifest(root: Path, tmp_path: Path) -> None:
    source = _jsonl(tmp_path / "feed.jsonl", {"version": "1.1", "code": "AB"})
    report = _session(root, _Override()).validate(source, standard=f"{IDENT}@detect")
    assert report.sources[0].standard == f"{IDENT}@1.0.0" and report.valid
    session = _session(root, _Override())  # firstresult, through pluggy as well
    result = session.plugin_manager.hook.govstd_detect_version(
        standard_id=IDENT, record={}, source="x", standards=[]
    )
    assert result == "1.0"
    with pytest.raises(PluginError, match="crash"):
        _session(root, _Crash()).validate(source, standard=f"{IDENT}@detect")


def test_rules_and_pointers() -> None:
    rule = DetectRule(
        pointer="/meta/version",
        schema_uri={"https://example.org/1.1/person.json": "1.1.0"},
        map={"v1": "^1.0"},
    )
    assert declared_version(rule, {"meta": {"version": "v1"}}) == "^1.0"
    assert declared_version(rule, {"meta": {"version": "2.0"}}) == "2.0"
    assert declared_version(rule, {"$schema": "https://example.org/1.1/person.json"}) == "1.1.0"
    assert declared_version(rule, {"$schema": "https://elsewhere/x.json"}) is None
    assert declared_version(rule, {"meta": {"version": ["1"]}}) is None
    assert declared_version(rule, {"meta": {"version": ""}}) is None
    assert declared_version(rule, ["not", "a", "mapping"]) is None
    assert declared_version(DetectRule(pointer="/a~1b"), {"a/b": "1"}) == "1"
    assert detect_id("x.y@detect") == "x.y" and detect_id("x.y@1.0") is None


def test_xml_namespace_and_attribute() -> None:
    from lxml import etree

    doc = etree.fromstring(b'<r xmlns="urn:t:2" version="1.0"><item/></r>')
    record = doc[0]
    assert declared_version(DetectRule(namespace={"urn:t:2": "^2.0"}), record) == "^2.0"
    assert declared_version(DetectRule(pointer="/@version"), record) == "1.0"
    assert declared_version(DetectRule(pointer="/version"), record) is None


def test_manifest_detect_table_is_checked(tmp_path: Path) -> None:
    root = tmp_path / "standards"
    write_standard(root, IDENT, "1.0.0", extra='[detect]\npointr = "/version"\n')
    with pytest.raises(ManifestError, match="detect"):
        Registry([root]).all()


def test_builtin_standards_declare_no_version_field() -> None:
    session = Session(autoload=False)
    assert all(not standard.detect for standard in session.registry)


def test_refused_combinations(root: Path, tmp_path: Path) -> None:
    source = _jsonl(tmp_path / "feed.jsonl", {"code": "AB"})
    with pytest.raises(UsageError, match="schematron"):
        _session(root).validate(
            source, standard=f"{IDENT}@detect", schematron=tmp_path / "rules.sch"
        )


def test_cli_exit_codes_and_json_report(root: Path, tmp_path: Path) -> None:
    from importlib import resources

    import jsonschema

    schema = json.loads(
        (resources.files("govstd") / "schemas" / "report.schema.json").read_text("utf-8")
    )
    good = _jsonl(tmp_path / "good.jsonl", {"version": "1.0", "code": "AB"})
    bad = _jsonl(tmp_path / "bad.jsonl", {"version": "1.1", "code": "AB"})
    base = ["validate", "--standards-dir", str(root), "-f", "json"]
    runner = CliRunner()
    env = {"GOVSTD_DISABLE_PLUGIN_AUTOLOAD": "1"}

    result = runner.invoke(cli, [*base, str(good), "-s", f"{IDENT}@detect"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    jsonschema.validate(data, schema)
    assert data["target"] == f"{IDENT}@detect"
    assert data["sources"][0]["standard"] == f"{IDENT}@1.0.0"

    result = runner.invoke(cli, [*base, str(good), str(bad), "-s", f"{IDENT}@detect"], env=env)
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    jsonschema.validate(data, schema)
    assert [s["standard"] for s in data["sources"]] == [f"{IDENT}@1.0.0", f"{IDENT}@1.1.0"]
    assert "standard" not in data
    assert Report.from_dict(data).to_dict()["sources"] == data["sources"]

    result = runner.invoke(cli, [*base, str(good), "-s", "t.nobody@detect"], env=env)
    assert result.exit_code == 3
    text = runner.invoke(
        cli, ["validate", "--standards-dir", str(root), str(good), "-s", f"{IDENT}@detect"], env=env
    )
    assert text.exit_code == 0 and "1.0" in text.output


def test_detected_version_with_another_dialect_is_read_with_it(root: Path, tmp_path: Path) -> None:
    _add_table_schema(root / IDENT / "1.0.0", "^[A-Z]{2}$")
    _add_table_schema(root / IDENT / "1.1.0", "^[A-Z]{3}$")
    table = root / IDENT / "1.0.0" / "table.json"
    data = json.loads(table.read_text("utf-8"))
    table.write_text(json.dumps({**data, "dialect": {"quoteChar": "'"}}), "utf-8")
    csv = tmp_path / "feed.csv"
    csv.write_text("code,version\nAB,1.0\n'CD',\n", "utf-8")
    report = _session(root).validate(csv, standard=f"{IDENT}@detect")
    # peeked with 1.1.0's dialect, then read again with 1.0.0's: 'CD' is CD
    assert report.sources[0].standard == f"{IDENT}@1.0.0"
    assert report.valid and report.stats.records == 2, report.findings
