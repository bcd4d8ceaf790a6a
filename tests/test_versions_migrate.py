"""govstd migrate: declared migrations applied in a chain, exactly, with every record accounted."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from govstd.cli.main import cli
from govstd.session import Session
from govstd.versions.migrate import MigrationChain, migrate_records, plan_chain
from govstd.versions.operations import StepError, build_operation


@pytest.fixture(scope="module")
def session() -> Session:
    return Session(autoload=False)


@pytest.fixture(scope="module")
def person_chain(session: Session) -> MigrationChain:
    return plan_chain(
        session.registry,
        session.resolve("cn.natural-person@1.0.0"),
        session.resolve("cn.natural-person@2.0.0"),
    )


@pytest.fixture(scope="module")
def entity_chain(session: Session) -> MigrationChain:
    return plan_chain(
        session.registry,
        session.resolve("cn.legal-entity@1.0.0"),
        session.resolve("cn.legal-entity@2.0.0"),
    )


def test_chain_goes_through_every_version(person_chain: MigrationChain) -> None:
    assert person_chain.path == "1.0.0 → 1.1.0 → 2.0.0"
    first, second = person_chain.hops
    assert first.migration is None  # 1.1.0 accepts every 1.0.0 record
    assert second.migration is not None and second.migration.owner.ref.endswith("@2.0.0")


def test_person_records_migrate_exactly(person_chain: MigrationChain) -> None:
    old = {
        "id_number": "110101800307123",
        "name": "张三",
        "sex": "1",
        "birth_date": "1980-03-07",
        "division_code": "110101",
        "phone": "010-12345678",
    }
    new, problems = person_chain.apply(old)
    body = "11010119800307123"
    assert problems == []
    assert new == {
        # stdnum's calc_check_digit takes the number with a placeholder check character
        "id_number": body + ric.calc_check_digit(body + "0"),
        "name": "张三",
        "sex": "1",
        "birth_date": "1980-03-07",
        "household_division_code": "110101",
        "nationality": "CHN",
        "phone": "+861012345678",
    }
    mobile, _ = person_chain.apply({"id_number": "11010119900307123X", "phone": "13812345678"})
    assert mobile == {
        "id_number": "11010119900307123X",  # 18 characters: untouched
        "phone": "+8613812345678",
        "nationality": "CHN",
    }
    three_digit_area, _ = person_chain.apply({"phone": "0571-8765432"})
    assert three_digit_area["phone"] == "+865718765432"
    assert ric.is_valid(new["id_number"])
    assert old["division_code"] == "110101"  # the input record is not changed


@pytest.mark.parametrize(
    ("record", "code", "field"),
    [
        ({"id_number": "1101"}, "migrate.unmappable", "id_number"),
        ({"phone": "138-1234-5678"}, "migrate.unmappable", "phone"),
        ({"nationality": "USA"}, "migrate.conflict", "nationality"),
        (
            {"division_code": "110101", "household_division_code": "120101"},
            "migrate.conflict",
            "household_division_code",
        ),
    ],
)
def test_person_values_that_cannot_be_migrated(
    person_chain: MigrationChain,
    record: dict,
    code: str,
    field: str,  # type: ignore[type-arg]
) -> None:
    _, problems = person_chain.apply(record)
    assert [(p.code, p.field) for p in problems] == [(code, field)]


@pytest.mark.parametrize(
    ("capital", "yuan"),
    [(100, 1000000), (1.5, 15000), ("0.0001", 1), ("12.3456", 123456), (0, 0), (0.1, 1000)],
)
def test_capital_times_10000_exact(
    entity_chain: MigrationChain, capital: object, yuan: int
) -> None:
    new, problems = entity_chain.apply({"uscc": "x", "registered_capital": capital})
    assert problems == []
    assert new == {"uscc": "x", "registered_capital_yuan": yuan}
    assert type(new["registered_capital_yuan"]) is int


@pytest.mark.parametrize("capital", ["0.00001", 1.23456789, "100.000001"])
def test_capital_not_whole_yuan_is_a_finding_never_rounded(
    entity_chain: MigrationChain, capital: object
) -> None:
    new, problems = entity_chain.apply({"registered_capital": capital})
    (problem,) = problems
    assert problem.code == "migrate.inexact" and problem.value == capital
    assert "registered_capital_yuan" not in new and "registered_capital" not in new


@given(st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False))
def test_multiply_is_exact_or_reports(capital: Decimal) -> None:
    step = build_operation(
        {"op": "multiply", "from": "a", "to": "b", "factor": 10000, "exact": True}
    )
    record = {"a": str(capital)}
    problems = step.apply(record)
    whole = (capital * 10000) == (capital * 10000).to_integral_value()
    if whole:
        assert problems == [] and Decimal(record["b"]) == capital * 10000
    else:
        assert [p.code for p in problems] == ["migrate.inexact"] and "b" not in record


def test_steps_are_checked_when_built() -> None:
    with pytest.raises(StepError, match="unknown op"):
        build_operation({"op": "round"})
    with pytest.raises(StepError, match="factor"):
        build_operation({"op": "multiply", "from": "a", "to": "b", "factor": "x"})
    with pytest.raises(StepError, match="takes no parameter"):
        build_operation({"op": "rename", "from": "a", "to": "b", "extra": 1})


def test_stream_accounts_for_every_record(session: Session, person_chain: MigrationChain) -> None:
    fields = [
        "id_number",
        "name",
        "sex",
        "birth_date",
        "ethnicity",
        "nationality",
        "household_division_code",
        "address",
        "phone",
        "email",
        "updated_at",
    ]
    items = list(
        migrate_records(
            person_chain,
            [
                (1, 1, {"id_number": "110101800307123"}),
                (2, 2, ["not", "a", "record"]),
                (3, 3, {"remark": "x"}),
                (4, 4, {"phone": "12"}),
            ],
            session.catalogue,
            fields=fields,
        )
    )
    assert [i.record is not None for i in items] == [True, False, False, False]
    assert [f.code for i in items for f in i.findings] == [
        "migrate.unmappable",
        "migrate.unknown-field",
        "migrate.unmappable",
    ]
    assert list(items[0].record) == ["id_number", "nationality"]  # target field order


def _jsonl(path: Path, records: list[dict]) -> None:  # type: ignore[type-arg]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def test_run_migration_jsonl_and_csv(tmp_path: Path, session: Session) -> None:
    source = tmp_path / "firms.jsonl"
    _jsonl(
        source,
        [
            {"uscc": "91350100M000100Y43", "registered_capital": 50.5, "status": "1"},
            {"uscc": "91350100M000100Y43", "registered_capital": 0.123456, "status": "1"},
        ],
    )
    (tmp_path / "bad.jsonl").write_text('{"uscc": "a"}\n{not json\n', encoding="utf-8")
    out = tmp_path / "firms-2.jsonl"
    result = session.migrate(
        [source, tmp_path / "bad.jsonl"], standard="cn.legal-entity@1.0.0", to="2.0.0", output=out
    )
    assert (result.records, result.written, result.rejected) == (4, 2, 2) and result.balanced
    written = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert written == [
        {"uscc": "91350100M000100Y43", "registered_capital_yuan": 505000, "status": "1"},
        {"uscc": "a"},
    ]
    assert result.counts["migrate.inexact"] == 1

    table = tmp_path / "people.csv"
    table.write_text(
        "id_number,name,sex,birth_date,ethnicity,division_code,address,phone\n"
        "110101800307123,张三,1,1980-03-07,01,110101,,010-12345678\n",
        encoding="utf-8",
    )
    csv_out = tmp_path / "people-2.csv"
    result = session.migrate(table, standard="cn.natural-person@1.0.0", to="2.0.0", output=csv_out)
    assert (result.records, result.written, result.rejected) == (1, 1, 0)
    (row,) = csv.DictReader(csv_out.open(encoding="utf-8"))
    assert row["household_division_code"] == "110101" and row["nationality"] == "CHN"
    assert row["phone"] == "+861012345678" and row["address"] == "" and row["ethnicity"] == "01"


def test_migrated_examples_validate_under_the_target(tmp_path: Path, session: Session) -> None:
    examples = session.resolve("cn.natural-person@1.0.0").folder / "examples" / "valid.jsonl"
    out = tmp_path / "valid-2.jsonl"
    result = session.migrate(examples, standard="cn.natural-person@1.0.0", to="2.0.0", output=out)
    assert result.rejected == 0 and result.written == result.records > 0
    from datetime import date

    report = session.validate(out, standard="cn.natural-person@2.0.0", as_of=date(2026, 1, 1))
    assert not [f for f in report.findings if f.is_error], [f.message for f in report.findings]


def test_cli_migrate(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    _jsonl(source, [{"registered_capital": 1}, {"registered_capital": 0.00001}])
    out = tmp_path / "out.jsonl"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["migrate", str(source), "-s", "cn.legal-entity@1.0.0", "--to", "2.0.0", "-o", str(out)],
    )
    assert result.exit_code == 1  # one record rejected
    assert "records 2 = written 1 + rejected 1" in result.output
    assert "migrate.inexact" in result.output
    assert out.read_text("utf-8") == '{"registered_capital_yuan": 10000}\n'
    no_way = runner.invoke(
        cli,
        [
            "migrate",
            str(source),
            "-s",
            "cn.legal-entity@2.0.0",
            "--to",
            "1.0.0",
            "-o",
            str(tmp_path / "down.jsonl"),
        ],
    )
    assert no_way.exit_code == 2 and "no way to migrate" in no_way.output


DOWNGRADE = """
[[migrations]]
to = "1.0.0"
description = { en = "Back to 10,000 yuan; no industry code; no status 5.", zh = "退回万元；去掉行业代码；无状态 5。" }
steps = [
  { op = "multiply", from = "registered_capital_yuan", to = "registered_capital", factor = "0.0001" },
  { op = "drop", field = "industry_code" },
  { op = "map-codes", field = "status", map = { "1" = "1", "2" = "2", "3" = "3", "4" = "4" } },
]
"""


def test_declared_downgrade(tmp_path: Path) -> None:
    import shutil

    from govstd.registry import builtin_standards_root

    root = builtin_standards_root()
    assert root is not None
    copy = tmp_path / "test.legal-entity"
    shutil.copytree(root / "cn.legal-entity", copy)
    for manifest in copy.glob("*/manifest.toml"):
        text = manifest.read_text("utf-8").replace(
            'id = "cn.legal-entity"', 'id = "test.legal-entity"'
        )
        if manifest.parent.name == "2.0.0":
            text = text.replace("\n[x]\n", DOWNGRADE + "\n[x]\n", 1)
        manifest.write_text(text, "utf-8")
    session = Session(standards_dirs=[tmp_path], autoload=False)
    chain = plan_chain(
        session.registry,
        session.resolve("test.legal-entity@2.0.0"),
        session.resolve("test.legal-entity@1.0.0"),
    )
    assert [h.to_dict()["kind"] for h in chain.hops] == ["downgrade"]
    new, problems = chain.apply(
        {"registered_capital_yuan": 123456, "industry_code": "C3011", "status": "5"}
    )
    assert new == {"registered_capital": 12.3456}
    assert sorted((p.code, p.field) for p in problems) == [
        ("migrate.dropped", "industry_code"),
        ("migrate.unmappable", "status"),
    ]
    assert session.lint_standards(["test.legal-entity"]).ok
