"""The rules layer: compiling rules, the plan and its checkers, generic checks, the plugin."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govstd import rules_plugin
from govstd.catalogue import Catalogue
from govstd.checks import builtin_checks
from govstd.checks.records import decimal_places
from govstd.codelists import CodeLists
from govstd.engines.base import CompileContext
from govstd.exceptions import ManifestError
from govstd.findings import Finding, Severity
from govstd.formats.base import DocumentBatch, TableBatch
from govstd.plugins import BUILTIN_PLUGINS, collect
from govstd.rules import RulesPlan, compile_rules, json_pointer
from govstd.session import Session
from govstd.standard import RuleSpec, load_standard
from standards_factory import write_standard

AS_OF = date(2025, 1, 1)
CHECKS = {check.name: check for check in builtin_checks()}


@pytest.fixture(scope="module")
def library() -> CodeLists:
    return CodeLists.default({"GOVSTD_DATA_DIR": "/nonexistent/govstd-test"})


def plan_for(catalogue: Catalogue, library: CodeLists, *rules: RuleSpec) -> RulesPlan:
    return compile_rules("test", rules, CHECKS, catalogue=catalogue, codelists=library, as_of=AS_OF)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], first: int = 1) -> TableBatch:
    ordinals = list(range(first, first + len(rows)))
    return TableBatch(list(header), [list(r) for r in rows], ordinals, [n + 1 for n in ordinals])


def documents(records: Sequence[Any], first: int = 1) -> DocumentBatch:
    ordinals = list(range(first, first + len(records)))
    return DocumentBatch(list(records), ordinals, list(ordinals))


def summary(findings: Sequence[Finding]) -> list[tuple[int | None, str | None, str]]:
    return [(f.record, f.location.field, f.code) for f in findings]


# -- compiling --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (RuleSpec("r", "no-such-check", ("a",)), "unknown check 'no-such-check'"),
        (RuleSpec("r", "cn.ric", ()), "takes 1 field"),
        (RuleSpec("r", "cn.ric", ("a", "b")), "takes 1 field"),
        (RuleSpec("r", "cn.ric.sex-matches", ("a",)), "takes 2 field"),
        (RuleSpec("r", "unique", ()), "takes at least 1 field"),
        (RuleSpec("r", "cn.ric", ("a",), params={"allow15": True}), "unknown parameter"),
        (RuleSpec("r", "cn.ric", ("a",), params={"allow_15": "yes"}), "must be of type bool"),
        (RuleSpec("r", "max-decimals", ("a",)), "needs the parameter 'places'"),
        (RuleSpec("r", "max-decimals", ("a",), params={"places": True}), "of type int"),
        (RuleSpec("r", "max-decimals", ("a",), params={"places": -1}), "0 or more"),
        (RuleSpec("r", "date-range", ("a",)), "give min, max or both"),
        (RuleSpec("r", "date-range", ("a",), params={"min": "2020-02-30"}), "YYYY-MM-DD"),
        (
            RuleSpec("r", "date-range", ("a",), params={"min": "2026-01-01", "max": "2025-01-01"}),
            "is after max",
        ),
        (RuleSpec("r", "codelist", ("a",)), "needs the parameter 'codelist'"),
        (RuleSpec("r", "codelist", ("a",), params={"codelist": "nope"}), "unknown code list"),
        (
            RuleSpec("r", "codelist", ("a",), params={"codelist": "cn.legal-entity.status@3"}),
            "no version matching",
        ),
        (
            RuleSpec("r", "codelist", ("a",), params={"codelist": "gbt2261.1-sex", "in_use": "x"}),
            "in_use must be",
        ),
        (RuleSpec("r", "cn.uscc", ("a",), params={"authorities": "9I"}), "authorities"),
        (RuleSpec("r", "unique", ("a",), severity="fatal"), "unknown severity"),
    ],
)
def test_broken_rules_are_setup_errors(
    catalogue: Catalogue, library: CodeLists, rule: RuleSpec, message: str
) -> None:
    with pytest.raises(ManifestError, match=re.escape(message)) as info:
        plan_for(catalogue, library, rule)
    assert "'r'" in str(info.value) or "rule" in str(info.value)


def test_duplicate_rule_ids_are_refused(catalogue: Catalogue, library: CodeLists) -> None:
    rule = RuleSpec("same", "unique", ("a",))
    with pytest.raises(ManifestError, match="defined twice"):
        plan_for(catalogue, library, rule, rule)


def test_every_check_documents_its_codes(catalogue: Catalogue) -> None:
    names = [check.name for check in builtin_checks()]
    assert len(names) == len(set(names))
    assert set(names) == {
        "cn.ric",
        "cn.ric.birth-date-matches",
        "cn.ric.sex-matches",
        "cn.uscc",
        "cn.uscc.division-matches",
        "unique",
        "date-range",
        "max-decimals",
        "codelist",
    }
    for check in builtin_checks():
        assert check.codes, check.name
        for code in check.codes:
            entry = catalogue[code]
            for what in ("title", "description", "message", "hint"):
                assert entry.text(what, "en") and getattr(entry, what).get("zh"), (code, what)


# -- the plan -----------------------------------------------------------------------------------


def test_table_cells_and_document_records(catalogue: Catalogue, library: CodeLists) -> None:
    plan = plan_for(
        catalogue, library, RuleSpec("d", "date-range", ("when",), params={"min": "2000-01-01"})
    )
    checker = plan.open("t.csv")
    batch = table(["when", "other"], [["1999-12-31", "x"], ["", "x"], ["1999-12-31"], []])
    found = checker.check_table(batch)
    # an empty cell is no value; a short row lacks the missing cells
    assert summary(found) == [(1, "when", "field.range"), (3, "when", "field.range")]
    assert [f.location.line for f in found] == [2, 4]
    assert all(f.location.pointer is None for f in found)
    docs = plan.open("t.jsonl").check_documents(
        documents([{"when": "1999-12-31"}, "not an object", None, {"when": "2000-01-01"}])
    )
    assert summary(docs) == [(1, "when", "field.range")]
    assert docs[0].location.pointer == "/when"
    assert plan.open("x").finish() == []


def test_json_pointer_escapes() -> None:
    assert json_pointer("a/b~c") == "/a~1b~0c"


def test_findings_render_in_both_languages(catalogue: Catalogue, library: CodeLists) -> None:
    plan = plan_for(
        catalogue,
        library,
        RuleSpec("ric", "cn.ric", ("id",)),
        RuleSpec("sex", "codelist", ("sex",), params={"codelist": "gbt2261.1-sex"}),
        RuleSpec("eth", "codelist", ("eth",), params={"codelist": "gbt3304-ethnicity"}),
        RuleSpec("dec", "max-decimals", ("cap",), params={"places": 2}),
    )
    found = plan.open("t").check_table(
        table(["id", "sex", "eth", "cap"], [["110101199003071234", "男", "99", "1.234"]])
    )
    assert len(found) == 4
    for finding in found:
        for lang in ("en", "zh"):
            text = catalogue.message(finding, lang) + (catalogue.hint(finding, lang) or "")
            assert "{" not in text, (finding.code, lang, text)
    sex = next(f for f in found if f.location.field == "sex")
    assert sex.expected == "0, 1, 2, 9" and sex.hint == "Use one of 0, 1, 2, 9."
    ethnicity = next(f for f in found if f.location.field == "eth")
    assert ethnicity.expected == "gbt3304-ethnicity@1991"
    assert "govstd codelists show gbt3304-ethnicity@1991" in (ethnicity.hint or "")


# -- unique ------------------------------------------------------------------------------------


def test_unique_across_batches_and_per_source(catalogue: Catalogue, library: CodeLists) -> None:
    plan = plan_for(catalogue, library, RuleSpec("id-unique", "unique", ("id",)))
    checker = plan.open("a.csv")
    first = checker.check_table(table(["id"], [["A"], ["B"], ["A"]]))
    second = checker.check_table(table(["id"], [["B"], [""], [""], ["C"]], first=4))
    assert summary(first + second) == [(3, "id", "field.unique"), (4, "id", "field.unique")]
    assert [f.params["first_record"] for f in first + second] == [1, 2]
    assert first[0].message == "A already appears in record 1"
    assert first[0].keyword == "id-unique"
    # a new source starts afresh
    assert plan.open("b.csv").check_table(table(["id"], [["A"]])) == []


def test_unique_in_documents_distinguishes_types(catalogue: Catalogue, library: CodeLists) -> None:
    plan = plan_for(catalogue, library, RuleSpec("u", "unique", ("id",)))
    records: list[Any] = [{"id": "1"}, {"id": 1}, {"id": 1}, {"id": None}, {"id": None}]
    records += [{"id": [1, 2]}, {}, {"id": [1, 2]}, {"id": "1"}]
    found = plan.open("a.jsonl").check_documents(documents(records))
    assert summary(found) == [
        (3, "id", "field.unique"),
        (8, "id", "field.unique"),
        (9, "id", "field.unique"),
    ]
    assert [f.params["first_record"] for f in found] == [2, 6, 1]
    assert found[0].location.pointer == "/id"


def test_unique_composite_key(catalogue: Catalogue, library: CodeLists) -> None:
    plan = plan_for(catalogue, library, RuleSpec("k", "unique", ("a", "b")))
    found = plan.open("t").check_table(
        table(["a", "b"], [["1", "x"], ["1", "y"], ["1", "x"], ["", "x"], ["", "x"], ["1x", ""]])
    )
    assert summary(found) == [(3, "a", "field.unique")]
    assert found[0].value == ["1", "x"] and found[0].params["first_record"] == 1
    # the parts are kept apart: ("1", "x") is not ("1x", "") nor ("", "1x")
    found = plan.open("t").check_table(table(["a", "b"], [["1", "x1"], ["1x", "1"]]))
    assert found == []


@given(st.lists(st.text(alphabet="ab", max_size=3), max_size=30))
def test_unique_reports_exactly_the_repeats(values: list[str]) -> None:
    from govstd.catalogue import builtin_finding_types

    catalogue = Catalogue(builtin_finding_types())
    plan = compile_rules(
        "t", [RuleSpec("u", "unique", ("v",))], CHECKS, catalogue=catalogue, codelists=CodeLists()
    )
    found = plan.open("t").check_table(table(["v"], [[v] for v in values]))
    expected = []
    first: dict[str, int] = {}
    for ordinal, value in enumerate(values, 1):
        if not value:
            continue
        if value in first:
            expected.append((ordinal, first[value]))
        else:
            first[value] = ordinal
    assert [(f.record, f.params["first_record"]) for f in found] == expected


# -- date-range ---------------------------------------------------------------------------------


def test_date_range(catalogue: Catalogue, library: CodeLists) -> None:
    rule = RuleSpec("b", "date-range", ("d",), params={"min": "1880-01-01", "max": "as-of"})
    plan = plan_for(catalogue, library, rule)
    rows = [
        ["1880-01-01"],
        ["1879-12-31"],
        ["2025-01-01"],  # the reference date itself
        ["2025-01-02"],
        ["2025-02-30"],  # not a real date: the schema reports it
        ["1870-1-1"],  # not YYYY-MM-DD: the schema reports it
        ["2030-01-01T00:00:00Z"],
        [""],
    ]
    found = plan.open("t").check_table(table(["d"], rows))
    assert summary(found) == [(2, "d", "field.range"), (4, "d", "field.range")]
    low, high = found
    assert low.message == "1879-12-31 is before 1880-01-01"
    assert high.message == "2025-01-02 is after 2025-01-01 (the reference date)"
    assert high.hint == "Correct d; it must be on or before 2025-01-01 (the reference date)."
    assert high.expected == "1880-01-01 – 2025-01-01"
    docs = plan.open("t").check_documents(documents([{"d": "1879-12-31"}, {"d": 18791231}]))
    assert summary(docs) == [(1, "d", "field.range")]


def test_date_range_follows_the_reference_date(catalogue: Catalogue, library: CodeLists) -> None:
    rule = RuleSpec("b", "date-range", ("d",), params={"max": "as-of"})
    checks = CHECKS
    early = compile_rules(
        "t", [rule], checks, catalogue=catalogue, codelists=library, as_of=date(2000, 1, 1)
    )
    late = compile_rules("t", [rule], checks, catalogue=catalogue, codelists=library)
    batch = table(["d"], [["2010-05-05"]])
    assert len(early.open("t").check_table(batch)) == 1
    assert late.open("t").check_table(batch) == []  # default reference date: today
    # a reference date before `min` is no setup error: every date is then out of range
    bounded = RuleSpec("b", "date-range", ("d",), params={"min": "1880-01-01", "max": "as-of"})
    ancient = compile_rules(
        "t", [bounded], checks, catalogue=catalogue, codelists=library, as_of=date(1800, 1, 1)
    )
    found = ancient.open("t").check_table(table(["d"], [["1790-01-01"], ["1900-01-01"]]))
    assert [f.params["detail"] for f in found] == [
        "before 1880-01-01",
        "after 1800-01-01 (the reference date)",
    ]


# -- max-decimals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places"),
    [
        ("12", 0),
        ("-12.5", 1),
        ("1.500000", 1),  # trailing zeros do not count
        ("0.1234567", 7),
        (".5", 1),
        ("5.", 0),
        ("+3.25", 2),
        ("1.5e-7", 8),
        ("1.5E3", 0),
        ("12.345e1", 2),
        (1, 0),
        (0.1, 1),
        (1e-07, 7),
        (0.30000000000000004, 17),
        (1234567.125, 3),
        (Decimal("1.2300"), 2),
        ("abc", None),
        ("1,5", None),
        ("", None),
        ("NaN", None),
        (float("nan"), None),
        (float("inf"), None),
        (True, None),
        (None, None),
        ([1.5], None),
    ],
)
def test_decimal_places(value: Any, places: int | None) -> None:
    assert decimal_places(value) == places


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_places_of_text_matches_decimal(value: Decimal) -> None:
    # oracle: Python's own exact rational value; places = smallest k with value·10^k integral
    fraction = value.as_integer_ratio()
    denominator, places = fraction[1], 0
    while denominator != 1:
        places += 1
        denominator = Fraction(fraction[0] * 10**places, fraction[1]).denominator
    assert decimal_places(str(value)) == places
    assert decimal_places(value) == places


def test_max_decimals(catalogue: Catalogue, library: CodeLists) -> None:
    rule = RuleSpec("cap", "max-decimals", ("capital",), params={"places": 6})
    plan = plan_for(catalogue, library, rule)
    found = plan.open("t").check_table(
        table(["capital"], [["100.123456"], ["100.1234567"], ["1.5000000"], ["x"], [""]])
    )
    assert summary(found) == [(2, "capital", "field.decimals")]
    assert found[0].expected == 6 and found[0].params["places"] == 7
    docs = plan.open("t").check_documents(
        documents([{"capital": 100.123456}, {"capital": 100.1234567}, {"capital": 10**30}])
    )
    assert summary(docs) == [(2, "capital", "field.decimals")]
    assert docs[0].location.pointer == "/capital"


# -- the plugin -------------------------------------------------------------------------------

MANIFEST_RULES = """
[[codelists]]
id = "x.colour"
path = "colour.csv"
fields = ["colour", "paint"]

[[codelists]]
id = "gbt2261.1-sex"
fields = ["sex"]

[[rules]]
id = "code-unique"
check = "unique"
fields = ["code"]

[[rules]]
id = "paint-colour"
check = "codelist"
fields = ["paint"]
severity = "warning"
params = { codelist = "x.colour" }
"""


@pytest.fixture
def standard_folder(tmp_path: Path) -> Path:
    folder = write_standard(tmp_path, "x.rules", "1.2.0", extra=MANIFEST_RULES)
    (folder / "colour.csv").write_text("code,en,zh\nR,red,红\nG,green,绿\n", "utf-8")
    return folder


def test_compile_standard_hook(standard_folder: Path, catalogue: Catalogue) -> None:
    standard = load_standard(standard_folder)
    rules = rules_plugin.standard_rules(standard)
    # `paint` is covered by an explicit rule; `colour` and `sex` get generated ones
    assert [(r.id, r.fields) for r in rules] == [
        ("code-unique", ("code",)),
        ("paint-colour", ("paint",)),
        ("codelist:x.colour", ("colour",)),
        ("codelist:gbt2261.1-sex", ("sex",)),
    ]
    context = CompileContext(catalogue=catalogue, as_of=AS_OF, extra={"standard": standard})
    (plan,) = rules_plugin.govstd_compile_standard(standard=standard, context=context)
    found = plan.open("t").check_table(
        table(
            ["code", "colour", "paint", "sex"],
            [["1", "R", "G", "1"], ["1", "B", "B", "男"]],
        )
    )
    assert [(f.location.field, f.code, f.severity) for f in found] == [
        ("code", "field.unique", Severity.ERROR),
        ("paint", "codelist.unknown-code", Severity.WARNING),
        ("colour", "codelist.unknown-code", Severity.ERROR),
        ("sex", "codelist.unknown-code", Severity.ERROR),
    ]
    assert found[2].params["codelist"] == "x.colour@1.2.0"


def test_standard_without_rules_gets_no_plan(tmp_path: Path, catalogue: Catalogue) -> None:
    standard = load_standard(write_standard(tmp_path, "x.plain", "1.0.0"))
    context = CompileContext(catalogue=catalogue)
    assert list(rules_plugin.govstd_compile_standard(standard=standard, context=context)) == []


def test_registered_through_the_hooks(standard_folder: Path) -> None:
    extra = [] if "govstd.rules_plugin" in BUILTIN_PLUGINS else [rules_plugin]
    session = Session(
        standards_dirs=[standard_folder.parent.parent],
        plugins=extra,
        autoload=False,
        environ={"GOVSTD_DATA_DIR": "/nonexistent/govstd-test"},
    )
    assert set(CHECKS) <= set(session.checks)
    assert "cn.ric.check-digit" in session.catalogue
    standard = session.resolve("x.rules@1.2.0")
    context = CompileContext(
        catalogue=session.catalogue, extra={"standard": standard, "session": session}
    )
    plans = collect(
        session.plugin_manager, "govstd_compile_standard", standard=standard, context=context
    )
    assert [type(plan).__name__ for _, plan in plans] == ["RulesPlan"]
