"""The vectorised screens of ``cn.ric`` and ``cn.uscc`` (``govstd.checks.screens``) against
the record checks they stand in for, value by value, and their building blocks against plain
Python (``datetime.date``, ``str.encode``, the loaded code lists)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.checks import builtin_checks
from govstd.checks.identifiers import ric_check_character, uscc_check_character
from govstd.checks.screens import date_tables, division_table, fixed_width, real_dates
from govstd.codelists import CodeLists
from govstd.formats.base import TableBatch
from govstd.formats.csvfast import ColumnarBatch, column_names
from govstd.rules import RuleContext, compile_rules
from govstd.standard import RuleSpec

pl = pytest.importorskip("polars")
np = pytest.importorskip("numpy")

AS_OF = date(2025, 1, 1)
CHECKS = {check.name: check for check in builtin_checks()}
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: real division codes (in python-stdnum's list) and codes that are not
DIVISIONS = ["110101", "310104", "440106", "330113", "999999", "000000", "110100"]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def library() -> CodeLists:
    return CodeLists.default({"GOVSTD_DATA_DIR": "/nonexistent/govstd-test"})


def _one_byte_off(value: str, alphabet: str) -> st.SearchStrategy[str]:
    return st.builds(
        lambda i, c: value[:i] + c + value[i + 1 :],
        st.integers(0, len(value) - 1),
        st.sampled_from(alphabet),
    )


@st.composite
def ric_values(draw: Any) -> str:
    """18-byte values near a resident ID: every kind of date, check character and shape."""
    division = draw(st.sampled_from(DIVISIONS))
    year = draw(st.sampled_from(["1985", "2000", "1900", "2024", "2023", "0000", "0001", "9999"]))
    mmdd = draw(st.sampled_from(["0101", "0229", "0228", "0230", "0431", "1231", "1301", "0000"]))
    body = division + year + mmdd + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    good = body + ric_check_character(body)
    value = draw(st.sampled_from([good, good, body + "X", body + "0", body + ":", body + "x"]))
    # ':' is '0' + 10, as 'X' means 10; '/' is '0' - 1
    return draw(st.one_of(st.just(value), _one_byte_off(value, "0123456789Xx:/ A\x00\x7f")))


@st.composite
def uscc_values(draw: Any) -> str:
    """18-byte values near a USCC: authorities, divisions, check characters, bad letters."""
    first = draw(st.sampled_from("91NYA5Z0I"))
    division = draw(st.sampled_from([*DIVISIONS, "11A101", "1101:1"]))
    body = first + draw(st.sampled_from("12AZ")) + division
    body += draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    good = (
        body + uscc_check_character(body) if all(c in USCC_ALPHABET for c in body) else body + "0"
    )
    value = draw(st.sampled_from([good, good, body + "0", body + "Y"]))
    bad = USCC_ALPHABET + "IOSVZaz@[`{/:\x00"
    return draw(st.one_of(st.just(value), _one_byte_off(value, bad)))


def _screen_and_check(catalogue: Any, library: CodeLists, rule: RuleSpec) -> tuple[Any, Any]:
    check = CHECKS[rule.check]
    context = RuleContext(rule=rule, catalogue=catalogue, as_of=AS_OF, codelists=library)
    assert check.screen is not None
    return check.screen(context), check.build(context)()


def _verdicts(catalogue: Any, library: CodeLists, rule: RuleSpec, values: list[Any]):
    """The screen's verdicts and, per value, whether the record check finds nothing."""
    screen, record_check = _screen_and_check(catalogue, library, rule)
    series = pl.Series("v", values, dtype=pl.String)
    passed = np.asarray(screen(lambda name: series if name == "v" else None, len(values)))
    silent = [record_check({"v": "" if v is None else v}, 1, 2) is None for v in values]
    return passed.tolist(), silent


RIC_RULES = [
    RuleSpec("id", "cn.ric", ("v",)),
    RuleSpec("id15", "cn.ric", ("v",), params={"allow_15": True}),
]
USCC_RULES = [
    RuleSpec("code", "cn.uscc", ("v",)),
    RuleSpec("code-a", "cn.uscc", ("v",), params={"authorities": "9N"}),
]


@SETTINGS
@given(values=st.lists(ric_values(), min_size=1, max_size=30), rule=st.sampled_from(RIC_RULES))
def test_ric_screen_is_exact_on_18_byte_values(catalogue, library, values, rule):
    """On 18-byte values the screen passes exactly the values the record check is silent on
    (too lax would lose findings; too strict would only cost time, but also shows a slip)."""
    passed, silent = _verdicts(catalogue, library, rule, values)
    assert passed == silent


@SETTINGS
@given(values=st.lists(uscc_values(), min_size=1, max_size=30), rule=st.sampled_from(USCC_RULES))
def test_uscc_screen_is_exact_on_18_byte_values(catalogue, library, values, rule):
    passed, silent = _verdicts(catalogue, library, rule, values)
    assert passed == silent


def test_ric_screen_edge_cases(catalogue, library):
    """A ':' is '0' + 10 (as 'X' counts 10) and '/' is '0' - 1; 29 February of 1900 and 2000."""
    x_body = next(
        b for b in (f"1101011985031200{i}" for i in range(10)) if ric_check_character(b) == "X"
    )
    values = [x_body + "X", x_body + ":", x_body[:-1] + "/" + "X"]
    for year in ("1900", "2000", "2023", "2024"):
        body = f"110101{year}0229001"
        values.append(body + ric_check_character(body))
    for rule in RIC_RULES:
        passed, silent = _verdicts(catalogue, library, rule, values)
        assert passed == silent == [True, True, True, False, True, False, True]


def _pair_verdicts(catalogue: Any, library: CodeLists, rule: RuleSpec, pairs: list[Any]):
    """The screen's verdicts on (number, other) pairs and whether the record check is silent."""
    screen, record_check = _screen_and_check(catalogue, library, rule)
    first, second = rule.fields
    columns = {
        first: pl.Series("a", [a for a, _ in pairs], dtype=pl.String),
        second: pl.Series("b", [b for _, b in pairs], dtype=pl.String),
    }
    passed = np.asarray(screen(columns.get, len(pairs)))
    silent = [record_check({first: a or "", second: b or ""}, 1, 2) is None for a, b in pairs]
    return passed.tolist(), silent


@st.composite
def numbers(draw: Any) -> str:
    """Identity numbers of 18 and 15 characters (real or not), and other text."""
    value = draw(ric_values())
    return draw(
        st.one_of(
            st.just(value),
            st.just(value[:6] + value[8:17]),  # the 15-digit form of the same number
            _one_byte_off(value[:6] + value[8:17], "0123456789X:/"),
            st.text("0123456789X", min_size=14, max_size=19),
            st.none(),
        )
    )


@st.composite
def number_and_date(draw: Any) -> tuple[Any, Any]:
    number = draw(numbers())
    if number is not None and len(number) == 15:
        embedded = "19" + number[6:12]
    else:
        embedded = (number or "x" * 18)[6:14]
    iso = f"{embedded[:4]}-{embedded[4:6]}-{embedded[6:]}"
    other = draw(
        st.one_of(
            st.just(iso),
            _one_byte_off(iso, "0123456789-/ X"),
            st.sampled_from(["2000-01-01", "20000101", "２０００-01-01", "", "1985-03-12"]),
            st.sampled_from(["2000-01/01", "2000/01-01", "1985-03-1２", "1985-03-12 "]),
            st.none(),
            st.text(max_size=11),
        )
    )
    return number, other


@SETTINGS
@given(pairs=st.lists(number_and_date(), min_size=1, max_size=30))
def test_birth_date_matches_screen_is_exact(catalogue, library, pairs):
    rule = RuleSpec("bd", "cn.ric.birth-date-matches", ("id", "born"))
    passed, silent = _pair_verdicts(catalogue, library, rule, pairs)
    assert passed == silent


SEX = st.one_of(st.sampled_from(["1", "2", "0", "9", " 1", "１", "12", "", "x"]), st.none())


@SETTINGS
@given(pairs=st.lists(st.tuples(numbers(), SEX), min_size=1, max_size=30))
def test_sex_matches_screen_is_exact(catalogue, library, pairs):
    rule = RuleSpec("sx", "cn.ric.sex-matches", ("id", "sex"))
    passed, silent = _pair_verdicts(catalogue, library, rule, pairs)
    assert passed == silent


def test_cross_field_screens_without_the_other_column(catalogue, library):
    for rule in (
        RuleSpec("bd", "cn.ric.birth-date-matches", ("id", "born")),
        RuleSpec("sx", "cn.ric.sex-matches", ("id", "sex")),
    ):
        screen, _ = _screen_and_check(catalogue, library, rule)
        only_id = {"id": pl.Series("a", ["110101198503120011"], dtype=pl.String)}
        assert np.asarray(screen(only_id.get, 1)).all()
        assert np.asarray(screen(lambda name: None, 1)).all()


ANY_VALUE = st.one_of(
    ric_values(),
    uscc_values(),
    st.none(),
    st.just(""),
    st.text(max_size=20),
    st.text("0123456789X", min_size=14, max_size=19),
    st.just("甲乙丙丁戊己庚辛壬"),  # 18 bytes in UTF-8, 9 characters
    st.just("110101850312001"),  # 15 digits: the legacy form
)


@SETTINGS
@given(
    values=st.lists(ANY_VALUE, max_size=30),
    rule=st.sampled_from(RIC_RULES + USCC_RULES),
)
def test_a_passed_value_gets_no_finding(catalogue, library, values, rule):
    """Whatever the values (nulls, other lengths, multibyte text), a value the screen passes
    gets no finding from the record check."""
    passed, silent = _verdicts(catalogue, library, rule, values)
    assert len(passed) == len(values)
    assert all(s for p, s in zip(passed, silent, strict=True) if p)


@SETTINGS
@given(
    values=st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=40), width=st.integers(1, 6)
)
def test_fixed_width_equals_python(values, width):
    series = pl.Series("v", values, dtype=pl.String)
    if len(values) > 3:  # a slice of a frame, and several chunks
        series = pl.concat([series.slice(1, 2), series.slice(3)], rechunk=False)
        values = values[1:3] + values[3:]
    where, matrix = fixed_width(series, width)
    expected = [i for i, v in enumerate(values) if v is not None and len(v.encode()) == width]
    if where is None:
        assert len(expected) == len(values)
    else:
        assert where.tolist() == expected
    assert matrix.shape == (width, len(expected))
    assert matrix.flags["C_CONTIGUOUS"] and matrix.flags["WRITEABLE"]  # the screens' own copy
    assert [bytes(matrix[:, j]) for j in range(len(expected))] == [
        values[i].encode() for i in expected
    ]


def test_fixed_width_of_an_all_null_column():
    where, matrix = fixed_width(pl.Series("v", [None, None], dtype=pl.String), 18)
    assert list(where) == [] and matrix.shape == (18, 0)
    where, matrix = fixed_width(pl.Series("v", [], dtype=pl.String), 18)
    assert matrix.shape == (18, 0)


@SETTINGS
@given(
    dates=st.lists(
        st.one_of(
            st.from_regex(r"[0-9]{8}", fullmatch=True),
            st.sampled_from(["19000229", "20000229", "20240229", "20230229", "00000101"]),
            st.sampled_from(["00010101", "99991231", "20231301", "20230100", "20230431"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_real_dates_equal_python_dates(dates):
    def real(text: str) -> bool:
        try:
            date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return False
        return True

    digits = np.array([[int(c) for c in d] for d in dates], dtype=np.uint8).T
    assert real_dates(digits, date_tables()).tolist() == [real(d) for d in dates]


def test_division_table_holds_exactly_the_six_digit_codes():
    table = division_table(["110101", "999999", "000000", "1101", "11010a", "１１０１０１"])
    assert np.flatnonzero(table).tolist() == [0, 110101, 999999]


def test_codes_without_loading_equal_the_loaded_list():
    from govstd.gbt2260 import CODELIST_ID, division_codes_ever, stdnum_codelist, stdnum_codes

    assert stdnum_codes() == stdnum_codelist().codes()
    library = CodeLists.default({"GOVSTD_DATA_DIR": "/nonexistent/govstd-test"})
    (version,) = library.versions(CODELIST_ID)
    ever = division_codes_ever(library)
    assert (CODELIST_ID, version) not in library._loaded  # told without building the list
    assert ever == library.get(f"{CODELIST_ID}@{version}").codes()
    assert library.codes(CODELIST_ID, version) == ever  # now from the loaded list
    with pytest.raises(Exception, match="unknown code list"):
        library.codes(CODELIST_ID, "no-such-version")


def test_more_record_rules_than_pattern_bits(catalogue, library):
    """With more screened rules than a record's 64-bit pattern holds, every rule is applied to
    every suspect record: the findings are still the reference's."""
    rules = [RuleSpec(f"id{i}", "cn.ric", ("id",)) for i in range(33)]
    rules += [RuleSpec(f"code{i}", "cn.uscc", ("code",)) for i in range(33)]
    plan = compile_rules("t", rules, CHECKS, catalogue=catalogue, codelists=library, as_of=AS_OF)
    body = "11010119850312001"
    good_id = body + ric_check_character(body)
    bad_id = body + ("0" if good_id[-1] != "0" else "1")
    code_body = "91110101MA0000000"
    good_code = code_body + uscc_check_character(code_body)
    cells = [[good_id, good_code], [bad_id, good_code], [good_id, code_body + "I"], ["", ""]]
    cells.append([bad_id, "B" + good_code[1:]])
    header = ["id", "code"]
    ordinals = [1, 2, 3, 4, 5]
    lines = [2, 3, 4, 5, 6]
    reference = plan.reference("s").check_table(TableBatch(header, cells, ordinals, lines))
    frame = pl.DataFrame(
        {n: [r[i] or None for r in cells] for i, n in enumerate(column_names(2))},
        schema=dict.fromkeys(column_names(2), pl.String),
    )
    fast = plan.open("s").check_table(ColumnarBatch(header, frame, ordinals, lines))
    assert fast == reference
    assert len(reference) == 33 * 2 + 33 * 2  # two bad ids; a bad check and authority


def test_the_plain_loc_reader_is_the_one_used_and_falls_back(monkeypatch):
    from govstd import gbt2260

    assert gbt2260._plain_loc_codes() is not None  # python-stdnum's file has the plain layout
    fast = gbt2260.stdnum_codes()
    monkeypatch.setattr(gbt2260, "_plain_loc_codes", lambda: None)
    assert gbt2260.stdnum_codes() == fast  # through stdnum.numdb


TOP = st.from_regex(r"[0-9]{2} province=\"x\"", fullmatch=True)
COUNTY = st.from_regex(r"  [0-9]{4}( county=\"y\")?", fullmatch=True)
#: lines the plain reader accepts or must refuse (numdb reads them differently)
ODD_LINES = st.sampled_from(
    [
        *("# comment", "", "   ", '11\tp="q"', '    0102 village="v"', '    010101 town="t"'),
        *('  0101-0103 county="z"', '11,12 province="p"', "1 short", "  010 x", '110000 f="f"'),
    ]
)


@st.composite
def loc_texts(draw: Any) -> str:
    """A ``loc.dat`` of the plain layout, with up to two odd lines put in anywhere."""
    blocks = draw(st.lists(st.tuples(TOP, st.lists(COUNTY, max_size=3)), max_size=3))
    lines = [line for top, counties in blocks for line in (top, *counties)]
    for odd in draw(st.lists(ODD_LINES, max_size=2)):
        lines.insert(draw(st.integers(0, len(lines))), odd)
    return "\n".join(lines) + "\n"


@SETTINGS
@given(text=loc_texts())
def test_plain_loc_reader_equals_stdnum_numdb(text):
    """Whenever the plain reader accepts a text, it finds what stdnum.numdb finds in it."""
    from stdnum import numdb

    from govstd.gbt2260 import _plain_loc, _stdnum_counties

    plain = _plain_loc(text)
    if plain is None:
        return
    database = numdb.read(text.splitlines(keepends=True))
    assert plain == {code for code, _ in _stdnum_counties(database)}


def test_many_suspects_are_gathered_at_once(catalogue, library):
    """Past ``_ROW_BY_ROW`` suspect records a batch's suspects are gathered from the frame in
    one go instead of a row at a time: same findings as the reference."""
    import random

    from govstd import rules as rules_module

    rules = [
        RuleSpec("id", "cn.ric", ("id",)),
        RuleSpec("code", "cn.uscc", ("code",)),
        RuleSpec("bd", "cn.ric.birth-date-matches", ("id", "born")),
        RuleSpec("sx", "cn.ric.sex-matches", ("id", "sex")),
    ]
    plan = compile_rules("t", rules, CHECKS, catalogue=catalogue, codelists=library, as_of=AS_OF)
    pick = random.Random(7)
    header = ["code", "id", "sex", "born"]
    cells = []
    for _ in range(rules_module._ROW_BY_ROW * 2):
        body = f"{pick.choice(DIVISIONS)}19{pick.randint(10, 99)}0{pick.randint(1, 9)}1{pick.randint(0, 9)}{pick.randint(100, 999)}"
        number = body + pick.choice([ric_check_character(body), "0", "X"])
        code_body = f"91{pick.choice(DIVISIONS)}MA{pick.randint(10**6, 10**7 - 1)}C"
        code = code_body + pick.choice([uscc_check_character(code_body), "0"])
        born = pick.choice([f"{body[6:10]}-{body[10:12]}-{body[12:14]}", "2000-01-01", ""])
        cells.append([code, number, pick.choice(["1", "2", "9", ""]), born])
    ordinals = list(range(1, len(cells) + 1))
    lines = [o + 1 for o in ordinals]
    reference = plan.reference("s").check_table(TableBatch(header, cells, ordinals, lines))
    names = column_names(len(header))
    frame = pl.DataFrame(
        {n: [r[i] or None for r in cells] for i, n in enumerate(names)},
        schema=dict.fromkeys(names, pl.String),
    )
    fast = plan.open("s").check_table(ColumnarBatch(header, frame, ordinals, lines))
    assert fast == reference
    assert len({f.record for f in reference}) > rules_module._ROW_BY_ROW


ROW = st.tuples(ric_values(), uscc_values(), SEX, st.sampled_from(["1985-03-12", "", "2000-01-01"]))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(ROW, min_size=1, max_size=80), batch=st.sampled_from([7, 10_000]))
def test_rules_on_the_columnar_reader_equal_the_python_reader(
    tmp_path_factory, monkeypatch_module, catalogue, library, rows, batch
):
    """End to end through the CSV reader: columnar batches (their byte arrays evaluated ahead
    in the reading thread) give the findings the Python reader's batches give, which take
    the reference record path."""
    from govstd.formats.base import ReadOptions, Source
    from govstd.formats.csv import CsvReader

    rules = [
        RuleSpec("id", "cn.ric", ("id",)),
        RuleSpec("code", "cn.uscc", ("code",)),
        RuleSpec("bd", "cn.ric.birth-date-matches", ("id", "born")),
        RuleSpec("sx", "cn.ric.sex-matches", ("id", "sex")),
    ]
    plan = compile_rules("t", rules, CHECKS, catalogue=catalogue, codelists=library, as_of=AS_OF)
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    lines = ["id,code,sex,born"]
    # cells the columnar reader takes as they are: no delimiter, quote, line break or NUL
    plain = [[c or "" for c in row] for row in rows]
    lines += [",".join(r) for r in plain if not any(set(',"\r\n\x00') & set(c) for c in r)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def findings(mode: str) -> tuple[list[Any], set[str]]:
        monkeypatch_module.setenv("GOVSTD_COLUMNAR", mode)
        checker = plan.open("t.csv")
        out: list[Any] = []
        kinds = set()
        options = ReadOptions(batch_size=batch)
        for part in CsvReader().read(Source.from_arg(path), options, catalogue):
            kinds.add(type(part).__name__)
            out.extend(checker.check_table(part))
        return out, kinds

    fast, fast_kinds = findings("force")
    slow, slow_kinds = findings("0")
    assert fast == slow
    assert "ColumnarBatch" not in slow_kinds
    assert "ColumnarBatch" in fast_kinds or len(lines) == 1


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch
