"""GB/T 2260: the list from python-stdnum, the dated importer, as-of checks with successors."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govstd.catalogue import Catalogue
from govstd.checks import builtin_checks
from govstd.checks.identifiers import ric_check_character
from govstd.cli.codelists import codelists as codelists_cli
from govstd.codelists import CodeList, CodeLists
from govstd.exceptions import SetupError, UsageError
from govstd.findings import Finding
from govstd.formats.base import TableBatch
from govstd.gbt2260 import (
    division_codes_ever,
    import_gbt2260,
    imported_versions,
    read_gbt2260_dir,
    stdnum_codelist,
)
from govstd.rules import compile_rules
from govstd.standard import RuleSpec


@pytest.fixture(scope="module")
def stdnum_list() -> CodeList:
    return stdnum_codelist()


@pytest.fixture(scope="module")
def dated(corpus: Path) -> CodeList:
    return read_gbt2260_dir(corpus / "gbt2260").codelist


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "govstd-data"
    monkeypatch.setenv("GOVSTD_DATA_DIR", str(folder))
    return folder


def check(
    catalogue: Catalogue, library: CodeLists, rule: RuleSpec, rows: list[list[str]], as_of: date
) -> list[Finding]:
    checks = {c.name: c for c in builtin_checks()}
    plan = compile_rules("t", [rule], checks, catalogue=catalogue, codelists=library, as_of=as_of)
    ordinals = list(range(1, len(rows) + 1))
    header = list(rule.fields)
    return plan.open("t").check_table(TableBatch(header, rows, ordinals, [n + 1 for n in ordinals]))


# -- python-stdnum's list ------------------------------------------------------------------------


def test_stdnum_list(stdnum_list: CodeList) -> None:
    assert stdnum_list.id == "gbt2260" and stdnum_list.version.startswith("stdnum-")
    assert stdnum_list.dated and len(stdnum_list) > 6000
    # current, abolished, and the special administrative regions and Taiwan
    for code in ("110101", "110103", "320602", "320613", "710000", "810000", "820000"):
        assert code in stdnum_list, code
    assert stdnum_list.label("110103", "zh") == "崇文区"
    assert stdnum_list.label("120110", "zh") == "东丽区"  # the latest of its names
    assert stdnum_list.get("120110").attributes["former_names"] == "东郊区"  # type: ignore[union-attr]
    assert "python-stdnum" in stdnum_list.provenance
    assert all(len(c.code) == 6 and c.code.isdigit() for c in stdnum_list)


def test_stdnum_list_periods_come_from_year_brackets(stdnum_list: CodeList) -> None:
    # [-2010]崇文区: in use until the end of 2010, then out of use
    assert stdnum_list.is_in_use("110103", date(2010, 6, 30))
    assert not stdnum_list.is_in_use("110103", date(2011, 1, 1))
    # [1986-]房山区: not yet in use in 1985
    assert not stdnum_list.is_in_use("110111", date(1985, 6, 1))
    assert stdnum_list.is_in_use("110111", date(1986, 1, 1))
    # no bracket: always in use
    assert stdnum_list.get("110101").periods == ()  # type: ignore[union-attr]
    # the addendum fills codes python-stdnum lacks: 330113 临平区 since 2021
    assert stdnum_list.label("330113", "zh") == "临平区"
    assert stdnum_list.is_in_use("330113", date(2025, 1, 1))
    assert not stdnum_list.is_in_use("330113", date(2020, 1, 1))
    # 620925 安西县 in the lists 2002-2005: out of use from the end of 2006
    assert stdnum_list.is_in_use("620925", date(2006, 6, 1))
    assert not stdnum_list.is_in_use("620925", date(2007, 1, 1))


def test_stdnum_list_covers_every_code_of_the_yearly_lists(
    stdnum_list: CodeList, corpus: Path
) -> None:
    ever = stdnum_list.codes()
    for path in sorted((corpus / "gbt2260" / "data").glob("*.txt")):
        codes = {line.split()[0] for line in path.read_text("utf-8").splitlines() if line.strip()}
        assert codes <= ever, (path.name, sorted(codes - ever)[:5])


# -- the dated importer, against the corpus --------------------------------------------------------


def upstream_items(corpus: Path) -> list[dict[str, Any]]:
    """Every (code, name) record of the project's own summary, codes.json."""
    data = json.loads((corpus / "gbt2260" / "codes.json").read_text("utf-8"))
    out: list[dict[str, Any]] = []
    pending = list(data["items"])
    while pending:
        item = pending.pop()
        out.append(item)
        pending.extend(item.get("children", ()))
    return out


@pytest.mark.corpus
def test_periods_agree_with_upstream_summary(corpus: Path, dated: CodeList) -> None:
    # codes.json gives each record's years in use [start, end); ours must cover the same years
    years: dict[str, set[int]] = {}
    for item in upstream_items(corpus):
        years.setdefault(f"{item['code']:06d}", set()).update(
            range(item["start"], item.get("end", 2025))
        )
    assert set(years) == set(dated.codes())
    for entry in dated:
        mine: set[int] = set()
        for start, end in entry.periods or ((None, None),):
            first = 1981 if start is None else start.year
            # valid_to is 31 December of the first year whose list lacks the code
            stop = 2025 if end is None else end.year
            mine.update(range(first, stop))
        assert mine == years[entry.code], entry.code


@pytest.mark.corpus
def test_successors_agree_with_upstream_summary(corpus: Path, dated: CodeList) -> None:
    final: dict[str, tuple[int, set[str]]] = {}
    for item in upstream_items(corpus):
        if "end" not in item:
            continue
        code = f"{item['code']:06d}"
        succ = {f"{s['code']:06d}" for s in item.get("succ", ()) if "time" not in s}
        if code not in final or item["end"] > final[code][0]:
            final[code] = (item["end"], succ)
    compared = 0
    for entry in dated:
        if entry.valid_to is None:
            continue
        end, expected = final[entry.code]
        assert entry.valid_to == date(end, 12, 31), entry.code
        assert set(entry.successors) == expected, entry.code
        compared += 1
    assert compared > 3000


@pytest.mark.corpus
def test_real_changes(dated: CodeList) -> None:
    # 2020: 崇川区 and 港闸区 of 南通 merged into a new 崇川区 (320613)
    for old in ("320602", "320611"):
        assert dated.successors(old) == ("320613",)
        assert dated.is_in_use(old, date(2020, 6, 1))  # withdrawn some time in 2020
        assert not dated.is_in_use(old, date(2021, 1, 1))
    assert dated.label("320611", "zh") == "港闸区"
    assert dated.get("320611").attributes["former_names"] == "郊区"  # type: ignore[union-attr]
    assert dated.get("320613").valid_from == date(2020, 1, 1)  # type: ignore[union-attr]
    # 2020: 邢台县 split between 襄都区 and 信都区 (both kept their codes, renamed)
    assert dated.successors("130521") == ("130502", "130503")
    assert dated.label("130502", "zh") == "襄都区"
    # a chain: 获鹿县 → 鹿泉市 (1994) → 鹿泉区 (2014)
    assert dated.successors("130122") == ("130185",)
    assert dated.current_successors("130122", date(2000, 1, 1)) == ("130185",)
    assert dated.current_successors("130122", date(2024, 1, 1)) == ("130110",)
    # present in every yearly list: no dates at all
    assert dated.get("110101").periods == ()  # type: ignore[union-attr]


@pytest.mark.corpus
def test_import_stores_the_default_list(corpus: Path, data_dir: Path) -> None:
    result = import_gbt2260(corpus / "gbt2260", data_dir)
    assert result.path is not None and result.path.is_file()
    assert result.years == (1981, 2024) and result.problems == []
    assert imported_versions(data_dir) == {"2024": result.path}
    library = CodeLists.default()
    assert library.get("gbt2260").version == "2024"
    assert library.versions("gbt2260")[0] == "2024"
    stdnum_version = library.versions("gbt2260")[1]
    assert library.get(f"gbt2260@{stdnum_version}").version.startswith("stdnum-")
    stored = library.get("gbt2260")
    assert stored.dated and len(stored) == len(result.codelist)
    assert stored.get("320611").to_dict() == result.codelist.get("320611").to_dict()  # type: ignore[union-attr]
    # for identity numbers, any source counts: codes only the corpus has, and only stdnum has
    ever = division_codes_ever(library)
    assert {"132733", "110100", "320613"} <= ever


@pytest.mark.corpus
def test_retired_division_gets_successor_in_hint(
    corpus: Path, data_dir: Path, catalogue: Catalogue
) -> None:
    import_gbt2260(corpus / "gbt2260", data_dir)
    library = CodeLists.default()
    rule = RuleSpec("division", "codelist", ("division_code",), params={"codelist": "gbt2260"})
    rows = [["320611"], ["320613"], ["130122"], ["110101"], ["990000"]]
    found = check(catalogue, library, rule, rows, date(2025, 3, 1))
    assert [(f.record, f.code) for f in found] == [
        (1, "codelist.retired-code"),
        (3, "codelist.retired-code"),
        (5, "codelist.unknown-code"),
    ]
    assert found[0].hint == "Use the successor code: 320613 崇川区."
    assert found[0].expected == "320613"
    assert found[0].params["valid_to"] == "2020-12-31"
    assert "320611 港闸区 is no longer in use on 2025-03-01" in found[0].message
    assert found[1].hint == "Use the successor code: 130110 鹿泉区."
    # the same codes earlier: 320613 did not exist yet, 鹿泉市 was not yet 鹿泉区
    found = check(catalogue, library, rule, rows, date(2010, 6, 1))
    assert [(f.record, f.code) for f in found] == [
        (2, "codelist.future-code"),
        (3, "codelist.retired-code"),
        (5, "codelist.unknown-code"),
    ]
    assert found[1].hint == "Use the successor code: 130185 鹿泉市."
    # "ever" accepts every code the list ever held
    ever = RuleSpec(
        "d", "codelist", ("division_code",), params={"codelist": "gbt2260", "in_use": "ever"}
    )
    found = check(catalogue, library, ever, rows, date(2025, 3, 1))
    assert [(f.record, f.code) for f in found] == [(5, "codelist.unknown-code")]


@pytest.mark.corpus
def test_identity_numbers_keep_withdrawn_divisions(
    corpus: Path, data_dir: Path, catalogue: Catalogue
) -> None:
    import_gbt2260(corpus / "gbt2260", data_dir)
    library = CodeLists.default()
    numbers = [
        ["320611" + "19850101123"],  # 港闸区, withdrawn 2020: still valid in an ID
        ["132733" + "19900101123"],  # only in the imported list
        ["110100" + "19900101123"],  # only in python-stdnum's list
        ["990100" + "19900101123"],
    ]
    rows = [[body + ric_check_character(body)] for (body,) in numbers]
    found = check(catalogue, library, RuleSpec("r", "cn.ric", ("id",)), rows, date(2025, 1, 1))
    assert [(f.record, f.code) for f in found] == [(4, "cn.ric.division")]


# -- the importer on small directories -------------------------------------------------------------


def write_dir(root: Path, years: dict[int, str], diffs: dict[str, str]) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "diff").mkdir()
    for year, text in years.items():
        (root / "data" / f"{year}.txt").write_text(text, "utf-8")
    for name, text in diffs.items():
        (root / "diff" / name).write_text(text, "utf-8")
    return root


def test_selectors(tmp_path: Path) -> None:
    years = {
        2000: "110000 甲市\n110101 城区\n110102 郊区\n110103 老区\n"
        "120000 乙市\n120101 郊区\n120102 东区\n120103 北区\n",
        2001: "110000 甲市\n110101 城区\n110104 新区\n120000 乙市\n120101 郊区\n120104 西区\n",
    }
    diff = (
        "# a comment\n"
        "## a title\n"
        "-110102 郊区>城区,新区\n"  # names, unique in the target
        "-110103 老区>..!,_?\n"  # the parent's code; a disabled selector
        "-120102 东区>甲市城区\n"  # a name prefixed by its parent's name
        "-120103 北区>郊区\n"  # ambiguous name: the current parent (乙市) is prepended
        "+110104 新区<郊区\n"
        "=120101 郊区>西区\n"
    )
    result = read_gbt2260_dir(write_dir(tmp_path, years, {"2000-2001.diff": diff}))
    cl = result.codelist
    assert result.problems == []
    assert cl.successors("110102") == ("110101", "110104")
    assert cl.successors("110103") == ("110000",)
    assert cl.successors("120102") == ("110101",)
    assert cl.successors("120103") == ("120101",)
    assert cl.successors("120101") == ()  # still in use: a transfer is no succession
    assert cl.get("110102").periods == ((None, date(2001, 12, 31)),)  # type: ignore[union-attr]
    assert cl.get("110104").periods == ((date(2001, 1, 1), None),)  # type: ignore[union-attr]
    assert cl.version == "2001" and result.years == (2000, 2001)
    assert result.retired == 4 and result.with_successors == 4


def test_reused_codes_have_several_periods(tmp_path: Path) -> None:
    years = {
        1990: "110101 甲\n",
        1991: "110102 乙\n",
        1993: "110101 丙\n110102 乙\n",  # 1992 is missing: its neighbours count as adjacent
    }
    result = read_gbt2260_dir(
        write_dir(tmp_path, years, {"1990-1991.diff": "-110101 甲>乙\n+110102 乙<甲\n"})
    )
    entry = result.codelist.get("110101")
    assert entry is not None
    assert entry.periods == ((None, date(1991, 12, 31)), (date(1992, 1, 1), None))
    assert entry.labels == {"zh": "丙"} and entry.attributes == {"former_names": "甲"}
    assert result.codelist.is_in_use("110101", date(1991, 6, 1))
    assert not result.codelist.is_in_use("110101", date(1991, 12, 31))
    assert result.problems == []


def test_importer_reports_what_it_cannot_use(tmp_path: Path) -> None:
    years = {2000: "110101 甲\n110102 乙\n", 2001: "110101 甲\n", 2002: "110101 甲\n"}
    diffs = {
        "2000-2001.diff": "-110102 乙>丁\nnot a change line\n",
        "notes.md.diff": "ignored: not a year pair\n",
    }
    result = read_gbt2260_dir(write_dir(tmp_path, years, diffs))
    assert len(result.problems) == 2
    assert "picks no single record of 2001" in result.problems[0]
    assert "not a change line" in result.problems[1]
    assert result.codelist.successors("110102") == ()
    years2 = {2000: "110101 甲\n110102 乙\n", 2001: "110101 甲\n"}
    result = read_gbt2260_dir(write_dir(tmp_path / "nodiff", years2, {}))
    assert result.problems == ["no diff/2000-2001.diff: 1 withdrawn codes get no successors"]


def test_importer_refuses_what_is_not_a_gbt2260_dir(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no data/ folder"):
        read_gbt2260_dir(tmp_path)
    (tmp_path / "data").mkdir()
    with pytest.raises(UsageError, match="holds no yearly lists"):
        read_gbt2260_dir(tmp_path)
    (tmp_path / "data" / "2000.txt").write_text("110101 甲\n11010 乙\n", "utf-8")
    with pytest.raises(SetupError, match=r"2000\.txt:2: expected 'CODE NAME'"):
        read_gbt2260_dir(tmp_path)


def test_a_broken_stored_list_is_a_setup_error(data_dir: Path) -> None:
    folder = data_dir / "codelists"
    folder.mkdir(parents=True)
    (folder / "gbt2260@2024.json").write_text("{", "utf-8")
    library = CodeLists.default()
    assert library.versions("gbt2260")[0] == "2024"
    with pytest.raises(SetupError, match="import it again"):
        library.get("gbt2260")


# -- command line ----------------------------------------------------------------------------


@pytest.mark.corpus
def test_cli_import_then_show(corpus: Path, data_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(codelists_cli, ["import", "gbt2260", str(corpus / "gbt2260")])
    assert result.exit_code == 0, result.output
    assert "imported gbt2260@2024: 6450 codes, 1981-2024" in result.output
    assert str(data_dir) in result.output
    listed = runner.invoke(codelists_cli, ["list"])
    assert "gbt2260@2024" in listed.output and "(dated, default)" in listed.output
    assert "gbt2260@stdnum-" in listed.output
    shown = runner.invoke(codelists_cli, ["show", "gbt2260"])
    assert shown.exit_code == 0
    assert "320611  港闸区  [… – 2020-12-31  → 320613]" not in shown.output  # dated from 1983
    assert "320611  港闸区  [1983-01-01 – 2020-12-31  → 320613]" in shown.output
    as_json = runner.invoke(
        codelists_cli, ["import", "gbt2260", str(corpus / "gbt2260"), "-f", "json"]
    )
    assert json.loads(as_json.output)["codes"] == 6450


def test_cli_import_errors(tmp_path: Path, data_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(codelists_cli, ["import", "gbt2260", str(tmp_path)])
    assert result.exit_code == 2 and "no data/ folder" in result.output
    result = runner.invoke(codelists_cli, ["import", "gbt2260", str(tmp_path / "missing")])
    assert result.exit_code == 2


def test_import_into_an_unwritable_place(tmp_path: Path) -> None:
    source = write_dir(tmp_path / "src", {2000: "110101 甲\n"}, {})
    blocker = tmp_path / "file"
    blocker.write_text("", "utf-8")
    with pytest.raises(UsageError, match="cannot write"):
        import_gbt2260(source, blocker)
    shutil.rmtree(source)
