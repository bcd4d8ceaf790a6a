"""Differential tests of the rules' vectorised screens: a columnar batch (cells in a polars
frame) must give exactly the findings, in the same order, that the reference record path gives
for the same rows."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.checks import builtin_checks
from govstd.checks.identifiers import ric_check_character, uscc_check_character
from govstd.codelists import CodeLists
from govstd.formats.base import TableBatch
from govstd.formats.csvfast import ColumnarBatch, column_names
from govstd.rules import compile_rules
from govstd.standard import RuleSpec

pl = pytest.importorskip("polars")

AS_OF = date(2025, 1, 1)
CHECKS = {check.name: check for check in builtin_checks()}
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DIVISIONS = ["110101", "310104", "440106", "999999", "000000", "010101"]


@pytest.fixture(scope="module")
def library() -> CodeLists:
    return CodeLists.default({"GOVSTD_DATA_DIR": "/nonexistent/govstd-test"})


@st.composite
def ric(draw) -> str:
    division = draw(st.sampled_from(DIVISIONS))
    year = draw(st.sampled_from(["1985", "2000", "1900", "0000", "2023", "1600"]))
    month = draw(st.sampled_from(["01", "02", "12", "13", "00"]))
    day = draw(st.sampled_from(["01", "28", "29", "30", "31", "00", "32"]))
    body = division + year + month + day + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    check = ric_check_character(body)
    value = body + draw(st.sampled_from([check, check, check, "X", "0", "x"]))
    return draw(_mangled(value, "0123456789Xx"))


@st.composite
def uscc(draw) -> str:
    first = draw(st.sampled_from("91NYA5Z0"))
    second = draw(st.sampled_from("1ZA"))
    division = draw(st.sampled_from([*DIVISIONS, "11A101"]))
    rest = draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    body = first + second + division + rest
    check = uscc_check_character(body)
    value = body + draw(st.sampled_from([check, check, "0", "Y"]))
    return draw(_mangled(value, USCC_ALPHABET + "IOSVZ"))


def _mangled(value: str, alphabet: str):
    return st.one_of(
        st.just(value),
        st.just(value),
        st.just(value),
        st.builds(
            lambda i, c: value[:i] + c + value[i + 1 :],
            st.integers(0, 17),
            st.sampled_from(alphabet + "甲 -"),
        ),
        st.just(value[:15]),
        st.just(value + "1"),
        st.just(""),
        st.just("甲乙丙丁戊己庚辛壬"),  # 18 bytes in UTF-8
        st.text(max_size=20),
    )


RULES = [
    RuleSpec("id", "cn.ric", ("id",)),
    RuleSpec("id15", "cn.ric", ("id",), params={"allow_15": True}),
    RuleSpec("code", "cn.uscc", ("code",)),
    RuleSpec("code-a", "cn.uscc", ("code",), params={"authorities": "9N"}),
    RuleSpec("absent", "cn.ric", ("nowhere",)),
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(ric(), uscc(), st.sampled_from(["", "a"])), max_size=40),
    header=st.sampled_from([["id", "code", "x"], ["x", "code", "id"], ["id", "code", "code"]]),
    rules=st.lists(st.sampled_from(RULES), min_size=1, max_size=3, unique_by=lambda r: r.id),
    first=st.integers(1, 100),
)
def test_screened_rules_equal_reference(library, catalogue, rows, header, rules, first):
    plan = compile_rules("t", rules, CHECKS, catalogue=catalogue, codelists=library, as_of=AS_OF)
    assert all(screen is not None for screen in plan.screens)
    order = {"id": 0, "code": 1, "x": 2}
    cells = [[row[order[name]] for name in header] for row in rows]
    ordinals = list(range(first, first + len(cells)))
    lines = [o + 1 for o in ordinals]
    reference = plan.open("s").check_table(TableBatch(header, cells, ordinals, lines))
    names = column_names(len(header))
    frame = pl.DataFrame(
        {n: [r[i] or None for r in cells] for i, n in enumerate(names)},
        schema=dict.fromkeys(names, pl.String),
    )
    batch = ColumnarBatch(header, frame, ordinals, lines)
    assert plan.open("s").check_table(batch) == reference
    assert batch._rows is None  # the rows were never built


def test_screened_and_batch_rules_together(library, catalogue):
    rules = [RuleSpec("id", "cn.ric", ("id",)), RuleSpec("u", "unique", ("id",))]
    plan = compile_rules("t", rules, CHECKS, catalogue=catalogue, codelists=library, as_of=AS_OF)
    body = "11010119850312001"
    good = body + ric_check_character(body)
    cells = [[good], [good], [body + "0" if good[-1] != "0" else body + "1"]]
    frame = pl.DataFrame({"c0": [c[0] for c in cells]})
    reference = plan.open("s").check_table(TableBatch(["id"], cells, [1, 2, 3], [2, 3, 4]))
    fast = plan.open("s").check_table(ColumnarBatch(["id"], frame, [1, 2, 3], [2, 3, 4]))
    assert fast == reference
    assert sorted(f.code for f in fast) == ["cn.ric.check-digit", "field.unique"]
    assert plan.batches[1] is not None  # unique runs on a KeyIndex, a batch at a time


# -- code lists, date ranges and unique (batch form on a KeyIndex) ---------------------------

MIXED_RULES = [
    RuleSpec("sex", "codelist", ("a",), params={"codelist": "gbt2261.1-sex"}),
    RuleSpec("div", "codelist", ("b", "a"), params={"codelist": "gbt2260", "in_use": "ever"}),
    RuleSpec("div-now", "codelist", ("b",), params={"codelist": "gbt2260"}),
    RuleSpec("range", "date-range", ("d",), params={"min": "2000-01-01", "max": "as-of"}),
    RuleSpec("range-lo", "date-range", ("d", "a"), params={"min": "1999-12-31"}),
    RuleSpec("u", "unique", ("a",)),
    RuleSpec("uu", "unique", ("a", "b")),
    RuleSpec("id", "cn.ric", ("b",)),
    RuleSpec("bd", "cn.ric.birth-date-matches", ("b", "d")),
    RuleSpec("sx", "cn.ric.sex-matches", ("b", "a")),
]
A_CELLS = ["", "1", "2", "0", "9", "3", "男", "1 ", "2000-01-01"]
B_CELLS = ["", "110101", "110100", "310104", "999999", "11010119850312001X", "x"]
B_CELLS += ["110101200001010011", "11010119991231002X", "110101202002300010", "110101000101001"]
B_CELLS += ["110101000101002", "11010120000101001x", "110101200001010021"]
D_CELLS = ["", "2000-01-01", "1999-12-31", "2024-12-31", "2025-01-02", "2020-02-30", "2020/01/02"]
D_CELLS += ["2010-13-01", "9999-99-99", "0000-00-00", "20200102", "２０２０-01-01", "1900-01-01"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    batches=st.lists(
        st.lists(
            st.tuples(st.sampled_from(A_CELLS), st.sampled_from(B_CELLS), st.sampled_from(D_CELLS)),
            max_size=25,
        ),
        min_size=1,
        max_size=3,
    ),
    header=st.sampled_from([["a", "b", "d"], ["d", "b", "a"], ["a", "b", "b", "d"], ["a", "d"]]),
    rules=st.lists(st.sampled_from(MIXED_RULES), min_size=1, max_size=4, unique_by=lambda r: r.id),
    columnar=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_mixed_rules_equal_reference(library, catalogue, batches, header, rules, columnar):
    """Batches of one source, some columnar and some not (the reader may hand over to the
    Python reader mid-file): the unique state carries across both kinds."""
    plan = compile_rules("t", rules, CHECKS, catalogue=catalogue, codelists=library, as_of=AS_OF)
    reference = plan.reference("s")
    fast = plan.open("s")
    order = {"a": 0, "b": 1, "d": 2}
    first = 1
    for rows, as_frame in zip(batches, columnar, strict=False):
        cells = [[row[order[name]] for name in header] for row in rows]
        ordinals = list(range(first, first + len(cells)))
        first += len(cells) + 1  # ordinals need not be contiguous (unreadable records)
        lines = [o + 1 for o in ordinals]
        expected = reference.check_table(TableBatch(header, cells, ordinals, lines))
        if as_frame:
            names = column_names(len(header))
            frame = pl.DataFrame(
                {n: [r[i] or None for r in cells] for i, n in enumerate(names)},
                schema=dict.fromkeys(names, pl.String),
            )
            batch = ColumnarBatch(header, frame, ordinals, lines)
        else:
            batch = TableBatch(header, [list(r) for r in cells], ordinals, lines)
        assert fast.check_table(batch) == expected


@pytest.fixture(autouse=True)
def _restore_screen_threshold():
    from govstd import rules as rules_module

    saved = rules_module._SCREEN_DOCUMENTS
    yield
    rules_module._SCREEN_DOCUMENTS = saved


@settings(max_examples=200, deadline=None)
@given(
    records=st.lists(
        st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "a": st.one_of(st.sampled_from(A_CELLS), st.integers(0, 3), st.none()),
                    "b": st.one_of(st.sampled_from(B_CELLS), st.lists(st.integers(0, 2))),
                    "d": st.sampled_from(D_CELLS),
                },
            ),
            st.just([1]),
        ),
        max_size=30,
    ),
    rules=st.lists(st.sampled_from(MIXED_RULES), min_size=1, max_size=4, unique_by=lambda r: r.id),
)
def test_unique_batch_form_on_documents_equals_reference(library, catalogue, records, rules):
    from govstd import rules as rules_module
    from govstd.formats.base import DocumentBatch

    rules_module._SCREEN_DOCUMENTS = 0  # screen every batch (restored by the fixture)

    plan = compile_rules("t", rules, CHECKS, catalogue=catalogue, codelists=library, as_of=AS_OF)
    ordinals = list(range(1, len(records) + 1))
    half = len(records) // 2
    reference, fast = plan.reference("s"), plan.open("s")
    for part in (slice(0, half), slice(half, None)):
        batch = DocumentBatch(records[part], ordinals[part], ordinals[part])
        again = DocumentBatch(records[part], ordinals[part], ordinals[part])
        assert fast.check_documents(batch) == reference.check_documents(again)


# -- documents batches that carry their records as a frame (adapted batches) ----------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    batches=st.lists(
        st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "a": st.sampled_from(A_CELLS),
                    "b": st.sampled_from(B_CELLS),
                    "d": st.sampled_from(D_CELLS),
                },
            ),
            max_size=30,
        ),
        min_size=1,
        max_size=3,
    ),
    fields=st.sampled_from([("a", "b", "d"), ("d", "b", "a"), ("a", "b"), ("b",)]),
    rules=st.lists(st.sampled_from(MIXED_RULES), min_size=1, max_size=5, unique_by=lambda r: r.id),
    framed=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_documents_screened_on_their_frame_equal_reference(
    library, catalogue, batches, fields, rules, framed
):
    """An adapted batch carries its records as a polars frame (``AdaptedBatch.frame``): the
    rules screen that frame and check only the records a screen is unsure of; the findings
    (and the unique state, across framed and unframed batches) are the reference's."""
    from govstd.adapters.model import AdaptedBatch
    from govstd.formats.base import DocumentBatch

    plan = compile_rules("t", rules, CHECKS, catalogue=catalogue, codelists=library, as_of=AS_OF)
    reference, fast = plan.reference("s"), plan.open("s")
    first = 1
    for records, with_frame in zip(batches, framed, strict=False):
        # the adapter's records: the fields in order, only those it has
        records = [{name: r[name] for name in fields if name in r} for r in records]
        ordinals = list(range(first, first + len(records)))
        first += len(records) + 2
        lines = [o + 1 for o in ordinals]
        expected = reference.check_documents(
            DocumentBatch([dict(r) for r in records], ordinals, lines)
        )
        frame = None
        if with_frame:
            frame = pl.DataFrame(
                {name: [r.get(name) for r in records] for name in fields},
                schema=dict.fromkeys(fields, pl.String),
            )
        batch = AdaptedBatch(records, ordinals, lines, frame=frame)
        assert fast.check_documents(batch) == expected


def test_documents_frame_screens_skip_clean_records(library, catalogue):
    """The frame path can fail: a clean record is never given to a record check."""
    from govstd.adapters.model import AdaptedBatch

    body = "11010119850312001"
    good = body + ric_check_character(body)
    bad = body + ("0" if good[-1] != "0" else "1")
    rules = [RuleSpec("id", "cn.ric", ("id",))]
    plan = compile_rules("t", rules, CHECKS, catalogue=catalogue, codelists=library, as_of=AS_OF)
    checker = plan.open("s")
    seen: list[int] = []
    (position, check) = checker._records[0]

    def spy(record, ordinal, line):
        seen.append(ordinal)
        return check(record, ordinal, line)

    checker._records = ((position, spy),)
    records = [{"id": good}, {"id": bad}, {"id": good}]
    frame = pl.DataFrame({"id": [good, bad, good]})
    found = checker.check_documents(AdaptedBatch(records, [1, 2, 3], [2, 3, 4], frame=frame))
    assert [f.code for f in found] == ["cn.ric.check-digit"]
    assert seen == [2]
    assert found[0].location.pointer == "/id"
