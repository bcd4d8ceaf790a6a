"""Code lists: the model, files, the shipped tables, the library, the codelist check, the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from govstd.catalogue import Catalogue
from govstd.checks import builtin_checks
from govstd.cli.codelists import codelists as codelists_cli
from govstd.codelists import (
    Code,
    CodeList,
    CodeLists,
    load_codelist,
    parse_codelist,
    shipped_codelists,
    user_data_dir,
)
from govstd.exceptions import SetupError
from govstd.findings import MISSING, Severity
from govstd.formats.base import DocumentBatch, TableBatch
from govstd.rules import compile_rules
from govstd.standard import RuleSpec


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("GOVSTD_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def library() -> CodeLists:
    return CodeLists.default()


# -- shipped tables ------------------------------------------------------------------------------


def test_sex_codes(library: CodeLists) -> None:
    sex = library.get("gbt2261.1-sex")
    assert sorted(sex.codes()) == ["0", "1", "2", "9"]
    assert sex.label("1", "zh") == "男性" and sex.label("2", "en") == "female"
    assert sex.label("9", "zh") == "未说明的性别"
    assert sex.closed and not sex.dated and "GB/T 2261.1-2003" in sex.provenance


def test_ethnicity_table(library: CodeLists) -> None:
    table = library.get("gbt3304-ethnicity")
    assert [c.code for c in table] == [f"{n:02d}" for n in range(1, 57)]
    spot = {
        "01": ("汉族", "Han", "HA"),
        "02": ("蒙古族", "Mongol", "MG"),
        "04": ("藏族", "Zang", "ZA"),
        "05": ("维吾尔族", "Uygur", "UG"),
        "06": ("苗族", "Miao", "MH"),
        "08": ("壮族", "Zhuang", "ZH"),
        "10": ("朝鲜族", "Chosen", "CS"),
        "11": ("满族", "Man", "MA"),
        "29": ("柯尔克孜族", "Kirgiz", "KG"),
        "36": ("毛南族", "Maonan", "MN"),
        "44": ("俄罗斯族", "Russ", "RS"),
        "46": ("德昂族", "Deang", "DE"),
        "49": ("京族", "Gin", "GI"),
        "52": ("鄂伦春族", "Oroqen", "OR"),
        "56": ("基诺族", "Jino", "JN"),
    }
    for code, (zh, en, letters) in spot.items():
        entry = table.get(code)
        assert entry is not None
        assert (entry.labels["zh"], entry.labels["en"], entry.attributes["letter_code"]) == (
            zh,
            en,
            letters,
        )
    names = [c.labels["zh"] for c in table]
    letters = [c.attributes["letter_code"] for c in table]
    assert len(set(names)) == len(set(letters)) == 56
    assert all(n.endswith("族") for n in names)
    assert all(len(x) == 2 and x.isascii() and x.isupper() for x in letters)


def test_legal_entity_lists_by_version(library: CodeLists) -> None:
    assert library.versions("cn.legal-entity.status") == ["1.0.0", "2.0.0"]
    v1 = library.get("cn.legal-entity.status@1")
    v2 = library.get("cn.legal-entity.status@2")
    assert (v1.version, v2.version) == ("1.0.0", "2.0.0")
    assert library.get("cn.legal-entity.status") is v2  # the highest by default
    assert library.get("cn.legal-entity.status@1.0.0") is v1
    assert sorted(v1.codes()) == ["1", "2", "3", "4"]
    assert sorted(v2.codes()) == ["1", "2", "3", "4", "5"]
    assert v2.label("5", "zh") == "停业" and v1.label("3", "zh") == "注销"
    entity = library.get("cn.legal-entity.entity-type")
    assert sorted(entity.codes()) == ["1", "2", "3", "4", "9"]
    assert entity.label("4", "zh") == "机关"
    assert all(c.provenance for c in shipped_codelists())


def test_iso3166_from_pycountry(library: CodeLists) -> None:
    countries = library.get("iso3166-1-alpha3")
    assert {"CHN", "FRA", "USA"} <= countries.codes()
    assert "chn" not in countries and "CN" not in countries
    assert countries.label("CHN", "zh") == "中国"
    assert countries.get("CHN").attributes["alpha_2"] == "CN"  # type: ignore[union-attr]
    assert len(countries) > 240


def test_library_lookups(library: CodeLists) -> None:
    assert "gbt2261.1-sex" in library and "gbt2261.1-sex@2003" in library
    assert "nope" not in library and "gbt2261.1-sex@1999" not in library
    with pytest.raises(SetupError, match="unknown code list 'nope'"):
        library.get("nope")
    with pytest.raises(SetupError, match=r"available: 1\.0\.0, 2\.0\.0"):
        library.get("cn.legal-entity.status@3")
    ids = library.ids()
    for ident in (
        "gbt2261.1-sex",
        "gbt3304-ethnicity",
        "gbt2260",
        "iso3166-1-alpha3",
        "cn.legal-entity.entity-type",
        "cn.legal-entity.status",
    ):
        assert ident in ids


# -- the model -----------------------------------------------------------------------------------


def dated_list() -> CodeList:
    return CodeList(
        "x.dated",
        "2",
        [
            Code("A", {"en": "old"}, periods=((None, date(2010, 1, 1)),), successors=("B",)),
            Code(
                "B",
                {"en": "middle", "zh": "中"},
                periods=((date(2010, 1, 1), date(2020, 1, 1)),),
                successors=("C", "D"),
            ),
            Code("C", {"zh": "新"}, periods=((date(2020, 1, 1), None),)),
            Code("D", {}, periods=((date(2020, 1, 1), date(2021, 1, 1)),), successors=("C",)),
            Code(
                "R",
                {},
                periods=((None, date(2000, 1, 1)), (date(2015, 1, 1), None)),
            ),
            Code("Z", {"en": "always"}),
        ],
        title={"en": "Dated test list"},
    )


def test_in_use_and_successors() -> None:
    cl = dated_list()
    assert cl.dated
    assert cl.codes() == {"A", "B", "C", "D", "R", "Z"}
    assert cl.codes(date(2005, 6, 1)) == {"A", "Z"}
    assert cl.codes(date(2010, 1, 1)) == {"B", "Z"}  # valid_to is exclusive
    assert cl.codes(date(2020, 6, 1)) == {"C", "D", "R", "Z"}
    assert cl.is_in_use("R", date(1999, 12, 31)) and not cl.is_in_use("R", date(2005, 1, 1))
    assert cl.is_in_use("A") and not cl.is_in_use("nope")
    assert cl.successors("A") == ("B",) and cl.successors("Z") == ()
    # followed through later changes to what is in use at the date
    assert cl.current_successors("A", date(2012, 1, 1)) == ("B",)
    assert cl.current_successors("A", date(2020, 6, 1)) == ("C", "D")
    assert cl.current_successors("A", date(2024, 1, 1)) == ("C",)
    assert cl.label("B", "zh") == "中" and cl.label("C", "en") == "新"
    assert cl.label("D") is None and cl.label("nope") is None
    assert (cl.get("B").valid_from, cl.get("B").valid_to) == (date(2010, 1, 1), date(2020, 1, 1))  # type: ignore[union-attr]


def test_round_trip_through_dict() -> None:
    cl = dated_list()
    again = CodeList.from_dict(json.loads(json.dumps(cl.to_dict())))
    assert again.ref == "x.dated@2" and again.title == cl.title
    assert [c.to_dict() for c in again] == [c.to_dict() for c in cl]
    assert again.get("R").periods == cl.get("R").periods  # type: ignore[union-attr]
    assert cl.summary()["codes"] == 6 and cl.summary()["dated"] is True


def test_duplicate_codes_are_refused() -> None:
    with pytest.raises(SetupError, match="listed twice"):
        CodeList("x", "1", [Code("A"), Code("A")])


def test_csv_and_json_files(tmp_path: Path) -> None:
    csv_file = tmp_path / "l.csv"
    csv_file.write_text(
        "\ufeffcode,zh,en,valid_from,valid_to,successors,abbr\n"
        "1,一,one,,2020-01-01,2;3,I\n2,二,two,2020-01-01,,,\n3,三,three,,,,\n",
        "utf-8",
    )
    cl = load_codelist(csv_file, id="x.csv", version="1", closed=False)
    assert not cl.closed and cl.dated
    assert cl.get("1").successors == ("2", "3")  # type: ignore[union-attr]
    assert cl.get("1").attributes == {"abbr": "I"}  # type: ignore[union-attr]
    assert cl.codes(date(2021, 1, 1)) == {"2", "3"}
    json_file = tmp_path / "l.json"
    json_file.write_text(json.dumps(cl.to_dict()), "utf-8")
    assert load_codelist(json_file).codes(date(2019, 1, 1)) == {"1", "3"}
    with pytest.raises(SetupError, match="'code' column"):
        parse_codelist("key,zh\n1,一\n", format="csv", id="x")
    with pytest.raises(SetupError, match="needs an id"):
        parse_codelist("code\n1\n", format="csv")
    with pytest.raises(SetupError, match="not valid JSON"):
        parse_codelist("{", format="json")
    with pytest.raises(SetupError, match="not a valid code list"):
        parse_codelist('{"id": "x"}', format="json")
    with pytest.raises(SetupError, match=r"use a \.csv or \.json"):
        load_codelist(tmp_path / "l.txt")
    with pytest.raises(SetupError, match="cannot read"):
        load_codelist(tmp_path / "missing.csv", id="x")


def test_user_data_dir(tmp_path: Path) -> None:
    assert user_data_dir({"GOVSTD_DATA_DIR": str(tmp_path)}) == tmp_path
    assert user_data_dir({"XDG_DATA_HOME": "/xdg"}) == Path("/xdg/govstd")
    assert user_data_dir({}) == Path.home() / ".local" / "share" / "govstd"
    assert user_data_dir({"GOVSTD_DATA_DIR": " ", "XDG_DATA_HOME": "/x"}) == Path("/x/govstd")


# -- the codelist check --------------------------------------------------------------------------


def run_codelist(
    catalogue: Catalogue,
    library: CodeLists,
    params: dict[str, object],
    values: list[str],
    *,
    as_of: date = date(2025, 1, 1),
    severity: str | None = None,
) -> tuple[list, list]:
    rule = RuleSpec("c", "codelist", ("f",), severity=severity, params=params)
    checks = {check.name: check for check in builtin_checks()}
    plan = compile_rules("t", [rule], checks, catalogue=catalogue, codelists=library, as_of=as_of)
    ordinals = list(range(1, len(values) + 1))
    table = plan.open("t").check_table(
        TableBatch(["f"], [[v] for v in values], ordinals, [n + 1 for n in ordinals])
    )
    docs = plan.open("t").check_documents(
        DocumentBatch([{"f": v} for v in values], ordinals, list(ordinals))
    )
    return table, docs


def test_codelist_unknown_codes(catalogue: Catalogue, library: CodeLists) -> None:
    table, docs = run_codelist(
        catalogue, library, {"codelist": "gbt2261.1-sex"}, ["1", "男", "", "3", "9"]
    )
    assert [(f.record, f.location.field, f.code) for f in table] == [
        (2, "f", "codelist.unknown-code"),
        (4, "f", "codelist.unknown-code"),
    ]
    assert [f.location.pointer for f in docs] == ["/f", "/f"]
    assert table[0].severity is Severity.ERROR and table[0].expected == "0, 1, 2, 9"
    assert table[0].location.line == 3


def test_codelist_open_lists_and_overrides(catalogue: Catalogue, library: CodeLists) -> None:
    library.add(CodeList("x.open", "1", [Code("A")], closed=False))
    table, _ = run_codelist(catalogue, library, {"codelist": "x.open"}, ["B"])
    assert [f.severity for f in table] == [Severity.WARNING]
    table, _ = run_codelist(catalogue, library, {"codelist": "x.open", "closed": True}, ["B"])
    assert [f.severity for f in table] == [Severity.ERROR]
    table, _ = run_codelist(catalogue, library, {"codelist": "x.open"}, ["B"], severity="info")
    assert [f.severity for f in table] == [Severity.INFO]


def test_codelist_versions_differ(catalogue: Catalogue, library: CodeLists) -> None:
    v1, _ = run_codelist(catalogue, library, {"codelist": "cn.legal-entity.status@1"}, ["5"])
    v2, _ = run_codelist(catalogue, library, {"codelist": "cn.legal-entity.status@2"}, ["5"])
    assert [f.code for f in v1] == ["codelist.unknown-code"] and v2 == []


def test_codelist_as_of_with_a_dated_list(catalogue: Catalogue, library: CodeLists) -> None:
    library.add(dated_list())
    values = ["A", "B", "C", "Z", "Q"]
    params = {"codelist": "x.dated", "in_use": "as-of"}
    table, _ = run_codelist(catalogue, library, params, values, as_of=date(2012, 1, 1))
    assert [(f.record, f.code) for f in table] == [
        (1, "codelist.retired-code"),
        (3, "codelist.future-code"),
        (5, "codelist.unknown-code"),
    ]
    retired, future, _ = table
    assert retired.hint == "Use the successor code: B 中."
    assert retired.expected == "B" and retired.params["valid_to"] == "2010-01-01"
    assert future.params["valid_from"] == "2020-01-01"
    assert "not yet in use on 2012-01-01" in future.message
    # "ever": any code the list ever held
    params = {"codelist": "x.dated", "in_use": "ever"}
    table, _ = run_codelist(catalogue, library, params, values, as_of=date(2012, 1, 1))
    assert [(f.record, f.code) for f in table] == [(5, "codelist.unknown-code")]


def test_retired_code_without_successor(catalogue: Catalogue, library: CodeLists) -> None:
    library.add(CodeList("x.gone", "1", [Code("A", periods=((None, date(2000, 1, 1)),))]))
    table, _ = run_codelist(catalogue, library, {"codelist": "x.gone"}, ["A"])
    assert table[0].hint == "Use the successor code: none recorded."
    assert table[0].expected is MISSING


def test_gbt2260_as_of_uses_the_year_brackets_of_the_default_list(
    catalogue: Catalogue, library: CodeLists
) -> None:
    # 110103 崇文区 was abolished in 2010: python-stdnum's data says [-2010]
    table, _ = run_codelist(
        catalogue,
        library,
        {"codelist": "gbt2260", "in_use": "as-of"},
        ["110103", "110101", "999999"],
    )
    assert [(f.record, f.code) for f in table] == [
        (1, "codelist.retired-code"),
        (3, "codelist.unknown-code"),
    ]
    assert table[1].expected.startswith("gbt2260@stdnum-")
    ever, _ = run_codelist(
        catalogue, library, {"codelist": "gbt2260", "in_use": "ever"}, ["110103"]
    )
    assert ever == []


# -- command line -----------------------------------------------------------------------------


def test_cli_list() -> None:
    result = CliRunner().invoke(codelists_cli, ["list"])
    assert result.exit_code == 0, result.output
    assert "gbt3304-ethnicity@1991" in result.output and "56 codes" in result.output
    assert "cn.legal-entity.status@1.0.0" in result.output
    result = CliRunner().invoke(codelists_cli, ["list", "-f", "json"])
    items = json.loads(result.output)
    assert {i["ref"] for i in items} >= {"gbt2261.1-sex@2003", "cn.legal-entity.status@2.0.0"}
    assert all({"id", "version", "title", "codes", "provenance"} <= set(i) for i in items)


def test_cli_show() -> None:
    result = CliRunner().invoke(codelists_cli, ["show", "gbt3304-ethnicity", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "01  汉族  Han" in result.output and "56  基诺族  Jino" in result.output
    assert "provenance: GB/T 3304-1991" in result.output
    result = CliRunner().invoke(codelists_cli, ["show", "cn.legal-entity.status@1", "-f", "json"])
    data = json.loads(result.output)
    assert data["version"] == "1.0.0" and [c["code"] for c in data["codes"]] == list("1234")
    result = CliRunner().invoke(codelists_cli, ["show", "nope"])
    assert result.exit_code == 3 and "unknown code list 'nope'" in result.output
