"""Value rules of adapters: what is declared, what is a fix, what is never guessed."""

from __future__ import annotations

import pytest

from govstd.adapters.values import (
    CodeRule,
    DateRule,
    DecimalRule,
    DigitsRule,
    IdentityNumberRule,
    PhoneRule,
    TextRule,
    compile_date_format,
)
from govstd.codelists import CodeLists
from govstd.exceptions import SetupError

NULLS = ("无", "-", "/", "NULL", "null")


def codes(*fixes):
    return [code for code, _, _ in fixes or ()]


def test_null_markers_and_blank_cells_are_absent():
    rule = TextRule("姓名", NULLS, {})
    for raw in ("", "无", "-", "/", "NULL", "null", "  ", "\u3000", " 无 "):
        assert rule.read(raw) == (None, None, None), raw
    assert rule.read("Null") == ("Null", None, None)  # not a declared marker


def test_trimming_is_a_fix_with_before_and_after():
    rule = TextRule("姓名", NULLS, {})
    assert rule.read("张伟") == ("张伟", None, None)
    value, fixes, problem = rule.read("\u3000张伟 ")
    assert value == "张伟" and problem is None
    assert fixes == [("fix.trimmed", "\u3000张伟 ", "张伟")]
    assert rule.read("张 伟")[0] == "张 伟"  # inside the value nothing changes


def test_identity_numbers():
    rule = IdentityNumberRule("身份证号", NULLS, {})
    assert rule.read("110101198503120017") == ("110101198503120017", None, None)
    assert rule.read("310104720815123") == ("310104720815123", None, None)
    value, fixes, _ = rule.read("11010519491231002x")
    assert value == "11010519491231002X" and codes(*fixes) == ["fix.id-upper-x"]
    value, fixes, _ = rule.read("１１０１０５１９４９１２３１００２Ｘ")
    assert value == "11010519491231002X" and codes(*fixes) == ["fix.fullwidth-digits"]
    value, fixes, _ = rule.read(" １１０１０５１９４９１２３１００２ｘ")
    assert value == "11010519491231002X"
    assert codes(*fixes) == ["fix.trimmed", "fix.fullwidth-digits", "fix.id-upper-x"]
    for sci in ("1.10105E+17", "1.10105e17", "1E+17", "1.10105198503E+17"):
        value, fixes, problem = rule.read(sci)
        assert problem is not None and problem[0] == "adapter.scientific-notation", sci
        assert value == sci  # passed on unchanged, never repaired
    # not recognised: left for the standard's pattern to report
    assert rule.read("11010119850312001") == ("11010119850312001", None, None)


def test_digits_and_the_spreadsheet_suffix():
    rule = DigitsRule("户籍地行政区划", NULLS, {})
    assert rule.read("110105") == ("110105", None, None)
    value, fixes, _ = rule.read("110105.0")
    assert value == "110105" and fixes == [("fix.spreadsheet-suffix", "110105.0", "110105")]
    assert rule.read("110105.00")[0] == "110105"
    assert rule.read("110105.5") == ("110105.5", None, None)  # not a spreadsheet artefact
    assert rule.read("1.10105E+5")[2][0] == "adapter.scientific-notation"


@pytest.mark.parametrize(
    ("raw", "iso", "fixes"),
    [
        ("1985年3月12日", "1985-03-12", []),
        ("1985年03月12日", "1985-03-12", []),
        ("1985/3/12", "1985-03-12", []),
        ("19850312", "1985-03-12", []),
        ("1985-03-12", "1985-03-12", ["fix.date-reformatted"]),
        ("1985.3.12", "1985-03-12", ["fix.date-reformatted"]),
        ("１９８５年３月１２日", "1985-03-12", ["fix.fullwidth-digits"]),
    ],
)
def test_dates_in_declared_and_tolerated_formats(raw, iso, fixes):
    rule = DateRule("出生日期", NULLS, {"formats": ["YYYY年M月D日", "YYYY/M/D", "YYYYMMDD"]})
    value, found, problem = rule.read(raw)
    assert (value, codes(*(found or [])), problem) == (iso, fixes, None)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1985年2月30日", "adapter.invalid-date"),
        ("19851332", "adapter.invalid-date"),
        ("85/3/12", "adapter.unparseable-value"),
        ("12/03/1985", "adapter.unparseable-value"),
        ("1985年3月", "adapter.unparseable-value"),
        ("31118", "adapter.unparseable-value"),  # a spreadsheet serial day number
    ],
)
def test_dates_that_are_never_guessed(raw, code):
    rule = DateRule("出生日期", NULLS, {"formats": ["YYYY年M月D日", "YYYY/M/D", "YYYYMMDD"]})
    value, _, problem = rule.read(raw)
    assert problem is not None and problem[0] == code
    assert value == raw


def test_date_formats_write_back():
    regex, write = compile_date_format("YYYY年M月D日")
    from datetime import date

    assert write(date(1985, 3, 2)) == "1985年3月2日"
    assert regex.match("1985年3月2日")
    assert compile_date_format("YYYYMMDD")[1](date(985, 3, 2)) == "09850302"
    with pytest.raises(SetupError):
        compile_date_format("YYYY年M月")


def test_codes_declared_aliases_and_unmapped():
    sex = CodeLists.default().get("gbt2261.1-sex")
    rule = CodeRule(
        "性别",
        NULLS,
        {"codes": {"男": "1", "女": "2", "未知": "0", "未说明": "9"}, "codelist": "x"},
        codelist=sex,
    )
    assert rule.read("男") == ("1", None, None)
    assert rule.read("未说明") == ("9", None, None)
    value, fixes, _ = rule.read("男性")  # the code list's own label
    assert value == "1" and codes(*fixes) == ["fix.code-mapped"]
    for unknown in ("不详", "M", "1", "男 女"):
        value, _, problem = rule.read(unknown)
        assert problem[0] == "adapter.unmapped-value" and value == unknown
        assert "男" in problem[1]["expected"]
    assert rule.write("1") == ("男", None)
    assert rule.write("0") == ("未知", None)
    assert rule.write("7")[1][0] == "adapter.not-representable"


def test_codes_from_a_code_list_with_an_optional_suffix():
    ethnicity = CodeLists.default().get("gbt3304-ethnicity")
    rule = CodeRule(
        "民族",
        NULLS,
        {"codelist": "gbt3304-ethnicity", "labels": "zh", "optional_suffix": "族"},
        codelist=ethnicity,
    )
    assert rule.read("汉族") == ("01", None, None)
    assert rule.read("汉") == ("01", None, None)
    assert rule.read("蒙古族") == ("02", None, None)
    assert rule.read("蒙古") == ("02", None, None)
    assert rule.read("Han")[1] is not None  # the English label: a fix
    assert rule.read("汉人")[2][0] == "adapter.unmapped-value"
    assert rule.write("01") == ("汉族", None)
    assert rule.write("02") == ("蒙古族", None)


@pytest.mark.parametrize(
    ("raw", "value", "fixed"),
    [
        ("13812345678", "13812345678", False),
        ("010-12345678", "010-12345678", False),
        ("0755-86001234", "0755-86001234", False),
        ("138 1234 5678", "13812345678", True),
        ("138-1234-5678", "13812345678", True),
        ("+86 138 1234 5678", "13812345678", True),
        ("+8613812345678", "13812345678", True),
        ("8613812345678", "13812345678", True),
        ("0086-138-1234-5678", "13812345678", True),
        ("０１０－１２３４５６７８", "010-12345678", True),
        ("(010)12345678", "010-12345678", True),
        ("0755 8600 1234", "0755-86001234", True),
        ("01012345678", "010-12345678", True),
        ("12345", "12345", False),  # not a phone: the standard reports it
        ("+1 415 555 0100", "+1 415 555 0100", False),
    ],
)
def test_phones(raw, value, fixed):
    rule = PhoneRule("联系电话", NULLS, {})
    got, fixes, problem = rule.read(raw)
    assert got == value and problem is None
    assert bool(fixes) == fixed


def test_decimals_with_thousands_separators():
    rule = DecimalRule("ZCZB", NULLS, {"thousands": ","})
    assert rule.read("1,000.50") == (1000.5, None, None)
    assert rule.read("500") == (500, None, None)
    assert rule.read("0.000001") == (1e-06, None, None)
    assert rule.read("1.5E+3")[2][0] == "adapter.scientific-notation"
    assert rule.read("十万")[2][0] == "adapter.unparseable-value"
    assert rule.read("12345678901234567.5")[2][0] == "adapter.unparseable-value"
    for number in (500, 1000.5, 1e-07, 0.1, 123456.789012):
        text, problem = rule.write(number)
        assert problem is None and rule.read(text)[0] == number


def test_writing_refuses_what_would_not_read_back():
    rule = TextRule("户籍地址", NULLS, {})
    assert rule.write("北京") == ("北京", None)
    assert rule.write(None) == ("", None)
    for value in ("无", "-", " 北京", "北京\u3000", "a\x00b"):
        assert rule.write(value)[1][0] == "adapter.not-representable", value


def test_unknown_options_are_setup_errors():
    with pytest.raises(SetupError, match="unknown option"):
        TextRule("姓名", NULLS, {"formats": ["YYYY"]})
    with pytest.raises(SetupError, match="codes must be"):
        CodeRule("性别", NULLS, {"codes": {"男": 1}})
