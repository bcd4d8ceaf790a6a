"""GB 11643 / GB 32100 check characters and the identifier checks, in tables and documents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
import stdnum.cn.ric
import stdnum.cn.uscc
from hypothesis import given
from hypothesis import strategies as st

from govstd.catalogue import Catalogue
from govstd.checks import builtin_checks
from govstd.checks.identifiers import ric_birth_date, ric_check_character, uscc_check_character
from govstd.codelists import CodeLists
from govstd.findings import Finding, Severity
from govstd.formats.base import DocumentBatch, TableBatch
from govstd.rules import compile_rules
from govstd.standard import RuleSpec

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@pytest.fixture(scope="module")
def library() -> CodeLists:
    # an empty data dir: only python-stdnum's GB/T 2260 list, whatever the user imported
    return CodeLists.default({"GOVSTD_DATA_DIR": "/nonexistent/govstd-test"})


def ric(body: str) -> str:
    return body + ric_check_character(body)


def uscc(body: str) -> str:
    return body + uscc_check_character(body)


def run(
    catalogue: Catalogue,
    library: CodeLists,
    rule: RuleSpec,
    records: Sequence[dict[str, Any]],
) -> tuple[list[Finding], list[Finding]]:
    """Apply one rule to ``records`` as a CSV table (lines 2…) and as JSON documents (1…)."""
    checks = {check.name: check for check in builtin_checks()}
    plan = compile_rules(
        "test", [rule], checks, catalogue=catalogue, codelists=library, as_of=date(2025, 1, 1)
    )
    header = sorted({key for record in records for key in record})
    rows = [["" if r.get(h) is None else str(r[h]) for h in header] for r in records]
    ordinals = list(range(1, len(records) + 1))
    table = plan.open("t.csv").check_table(
        TableBatch(header, rows, ordinals, [n + 1 for n in ordinals])
    )
    documents = plan.open("t.jsonl").check_documents(
        DocumentBatch(list(records), ordinals, list(ordinals))
    )
    return table, documents


def summary(findings: list[Finding]) -> list[tuple[int | None, str | None, str]]:
    return [(f.record, f.location.field, f.code) for f in findings]


# -- check characters -----------------------------------------------------------------------

digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)
uscc17 = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@given(digits17)
def test_ric_check_character_equals_stdnum(body: str) -> None:
    assert ric_check_character(body) == stdnum.cn.ric.calc_check_digit(body + "0")


@given(uscc17)
def test_uscc_check_character_equals_stdnum(body: str) -> None:
    assert uscc_check_character(body) == stdnum.cn.uscc.calc_check_digit(body)


@given(digits17)
def test_ric_check_satisfies_mod_11_2(body: str) -> None:
    # ISO 7064 MOD 11-2: the weighted sum including the check value is 1 mod 11
    check = ric_check_character(body)
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body))
    assert (total + (10 if check == "X" else int(check))) % 11 == 1


def test_known_numbers() -> None:
    assert ric("36042619910101007") == "360426199101010071"  # stdnum's doctest
    assert uscc("91110000600037341") == "91110000600037341L"
    assert uscc("91350100M000100Y4") == "91350100M000100Y43"
    assert ric_birth_date("110101199003071233") == date(1990, 3, 7)
    assert ric_birth_date("110101900307123") == date(1990, 3, 7)
    assert ric_birth_date("110101199002301236") is None
    assert ric_birth_date("1101011990") is None


# -- where python-stdnum's verdicts are wrong -------------------------------------------------


@pytest.mark.parametrize("body", ["N2110105MA01ABCDE", "A1110000MA01ABCDE", "Y1350100MA01ABCDE"])
def test_uscc_with_letter_authority_is_valid(
    catalogue: Catalogue, library: CodeLists, body: str
) -> None:
    code = uscc(body)
    assert not stdnum.cn.uscc.is_valid(code)  # stdnum wants eight leading digits
    table, documents = run(
        catalogue, library, RuleSpec("u", "cn.uscc", ("uscc",)), [{"uscc": code}]
    )
    assert table == documents == []


@pytest.mark.parametrize(
    "number",
    [
        ric("11011119800101123"),  # 房山区, a code from 1986, for someone born in 1980
        ric("32061319900101123"),  # 崇川区 (new code of 2020), born 1990
    ],
)
def test_id_whose_division_postdates_birth_is_valid(
    catalogue: Catalogue, library: CodeLists, number: str
) -> None:
    assert not stdnum.cn.ric.is_valid(number)
    rule = RuleSpec("r", "cn.ric", ("id_number",))
    assert run(catalogue, library, rule, [{"id_number": number}]) == ([], [])


# -- cn.ric -----------------------------------------------------------------------------------

VALID_ID = "110101199003071233"


def test_ric_findings_in_tables_and_documents(catalogue: Catalogue, library: CodeLists) -> None:
    records = [
        {"id_number": VALID_ID},
        {"id_number": VALID_ID[:17] + "4"},  # wrong check character
        {"id_number": ric("11010119900230123")},  # 30 February
        {"id_number": ric("99010119900307123")},  # no such division
        {"id_number": "11010119900307123x"},  # lower-case x: left to the pattern
        {"id_number": "1101011990030712"},  # 16 digits: left to the pattern
        {"id_number": ""},  # no value
        {"name": "no id"},
    ]
    rule = RuleSpec("id-number", "cn.ric", ("id_number",))
    table, documents = run(catalogue, library, rule, records)
    expected = [
        (2, "id_number", "cn.ric.check-digit"),
        (3, "id_number", "cn.ric.birth-date"),
        (4, "id_number", "cn.ric.division"),
    ]
    assert summary(table) == summary(documents) == expected
    check_digit = table[0]
    assert check_digit.expected == "3"
    assert check_digit.value == VALID_ID[:17] + "4"
    assert check_digit.keyword == "id-number"
    assert check_digit.severity is Severity.ERROR
    assert check_digit.location.line == 3 and check_digit.location.pointer is None
    assert "give 3" in check_digit.message
    assert documents[0].location.line == 2 and documents[0].location.pointer == "/id_number"
    assert table[2].params["division"] == "990101"


def test_ric_check_character_x(catalogue: Catalogue, library: CodeLists) -> None:
    number = ric("11011119900101123")
    assert number.endswith("X")
    rule = RuleSpec("r", "cn.ric", ("id_number",))
    assert run(catalogue, library, rule, [{"id_number": number}]) == ([], [])
    table, _ = run(catalogue, library, rule, [{"id_number": number[:17] + "0"}])
    assert [(f.code, f.expected) for f in table] == [("cn.ric.check-digit", "X")]


def test_ric_legacy_15_digit_form(catalogue: Catalogue, library: CodeLists) -> None:
    records = [
        {"id_number": "110101900307123"},
        {"id_number": "110101900230123"},  # 1990-02-30
        {"id_number": "990101900307123"},
    ]
    allowed = RuleSpec("r", "cn.ric", ("id_number",), params={"allow_15": True})
    table, documents = run(catalogue, library, allowed, records)
    assert (
        summary(table)
        == summary(documents)
        == [
            (2, "id_number", "cn.ric.birth-date"),
            (3, "id_number", "cn.ric.division"),
        ]
    )
    refused = RuleSpec("r", "cn.ric", ("id_number",), params={"allow_15": False})
    assert run(catalogue, library, refused, records) == ([], [])


def test_ric_json_value_of_another_type_is_left_to_the_schema(
    catalogue: Catalogue, library: CodeLists
) -> None:
    rule = RuleSpec("r", "cn.ric", ("id_number",))
    checks = {check.name: check for check in builtin_checks()}
    plan = compile_rules("t", [rule], checks, catalogue=catalogue, codelists=library)
    batch = DocumentBatch(
        [{"id_number": 110101199003071234}, {"id_number": None}, ["not", "an", "object"]],
        [1, 2, 3],
        [1, 2, 3],
    )
    assert plan.open("t").check_documents(batch) == []


def test_rule_severity_overrides(catalogue: Catalogue, library: CodeLists) -> None:
    rule = RuleSpec("r", "cn.ric", ("id_number",), severity="warning")
    table, documents = run(catalogue, library, rule, [{"id_number": VALID_ID[:17] + "4"}])
    assert [f.severity for f in table + documents] == [Severity.WARNING] * 2


# -- cross-field rules --------------------------------------------------------------------------


def test_birth_date_matches(catalogue: Catalogue, library: CodeLists) -> None:
    records = [
        {"id_number": VALID_ID, "birth_date": "1990-03-07"},
        {"id_number": VALID_ID, "birth_date": "1990-03-08"},
        {"id_number": "110101900307123", "birth_date": "1990-03-07"},  # 15-digit form
        {"id_number": "110101900307123", "birth_date": "2090-03-07"},
        {"id_number": "11010119900307", "birth_date": "1990-03-08"},  # malformed id: skip
        {"id_number": ric("11010119900230123"), "birth_date": "1990-03-01"},  # bad embedded
        {"id_number": VALID_ID, "birth_date": "1990/03/08"},  # not a date: schema's job
        {"id_number": VALID_ID},
    ]
    rule = RuleSpec("b", "cn.ric.birth-date-matches", ("id_number", "birth_date"))
    table, documents = run(catalogue, library, rule, records)
    assert (
        summary(table)
        == summary(documents)
        == [
            (2, "birth_date", "cn.ric.birth-date-mismatch"),
            (4, "birth_date", "cn.ric.birth-date-mismatch"),
        ]
    )
    assert table[0].expected == "1990-03-07" and table[0].value == "1990-03-08"
    assert documents[1].location.pointer == "/birth_date"


def test_sex_matches(catalogue: Catalogue, library: CodeLists) -> None:
    male = VALID_ID  # sequence 123: odd
    female = ric("11010119900307124")
    records = [
        {"id_number": male, "sex": "1"},
        {"id_number": male, "sex": "2"},
        {"id_number": female, "sex": "2"},
        {"id_number": female, "sex": "1"},
        {"id_number": female, "sex": "9"},  # not stated: agrees with anything
        {"id_number": female, "sex": "0"},
        {"id_number": "110101900307122", "sex": "1"},  # 15-digit, even: female
        {"id_number": "bad", "sex": "2"},
    ]
    rule = RuleSpec("s", "cn.ric.sex-matches", ("id_number", "sex"))
    table, documents = run(catalogue, library, rule, records)
    assert (
        summary(table)
        == summary(documents)
        == [
            (2, "sex", "cn.ric.sex-mismatch"),
            (4, "sex", "cn.ric.sex-mismatch"),
            (7, "sex", "cn.ric.sex-mismatch"),
        ]
    )
    assert [f.expected for f in table] == ["1", "2", "2"]


# -- cn.uscc --------------------------------------------------------------------------------

VALID_USCC = "91350100M000100Y43"


def test_uscc_findings(catalogue: Catalogue, library: CodeLists) -> None:
    records = [
        {"uscc": VALID_USCC},
        {"uscc": VALID_USCC[:17] + "0"},
        {"uscc": uscc("B1350100M000100Y4")},  # no such registration authority
        {"uscc": uscc("91990000M000100Y4")},  # no such division: a warning
        {"uscc": "91350100M000100Y4I"},  # I is not in the alphabet: pattern's job
        {"uscc": "91350100m000100y43"},  # lower case: pattern's job
        {"uscc": ""},
    ]
    table, documents = run(catalogue, library, RuleSpec("u", "cn.uscc", ("uscc",)), records)
    expected = [
        (2, "uscc", "cn.uscc.check-digit"),
        (3, "uscc", "cn.uscc.authority"),
        (4, "uscc", "cn.uscc.division"),
    ]
    assert summary(table) == summary(documents) == expected
    assert table[0].expected == "3"
    assert [f.severity for f in table] == [Severity.ERROR, Severity.ERROR, Severity.WARNING]


def test_uscc_authorities_parameter(catalogue: Catalogue, library: CodeLists) -> None:
    rule = RuleSpec("u", "cn.uscc", ("uscc",), params={"authorities": "9"})
    table, _ = run(catalogue, library, rule, [{"uscc": uscc("N2110105MA01ABCDE")}])
    assert summary(table) == [(1, "uscc", "cn.uscc.authority")]


def test_uscc_division_matches(catalogue: Catalogue, library: CodeLists) -> None:
    records = [
        {"uscc": VALID_USCC, "division_code": "350100"},
        {"uscc": VALID_USCC, "division_code": "110105"},
        {"uscc": VALID_USCC, "division_code": "11010"},  # not six digits: schema's job
        {"uscc": "short", "division_code": "110105"},
        {"uscc": VALID_USCC},
    ]
    rule = RuleSpec("d", "cn.uscc.division-matches", ("uscc", "division_code"))
    table, documents = run(catalogue, library, rule, records)
    assert (
        summary(table) == summary(documents) == [(2, "division_code", "cn.uscc.division-mismatch")]
    )
    assert table[0].severity is Severity.WARNING
    assert table[0].expected == "350100"


@given(number=st.text(max_size=20), other=st.text(max_size=12))
def test_identifier_checks_never_raise(
    catalogue: Catalogue, library: CodeLists, number: str, other: str
) -> None:
    rules = [
        RuleSpec("a", "cn.ric", ("n",), params={"allow_15": True}),
        RuleSpec("b", "cn.ric.birth-date-matches", ("n", "o")),
        RuleSpec("c", "cn.ric.sex-matches", ("n", "o")),
        RuleSpec("d", "cn.uscc", ("n",)),
        RuleSpec("e", "cn.uscc.division-matches", ("n", "o")),
    ]
    checks = {check.name: check for check in builtin_checks()}
    plan = compile_rules("t", rules, checks, catalogue=catalogue, codelists=library)
    plan.open("t").check_table(TableBatch(["n", "o"], [[number, other]], [1], [2]))
