"""The source of the shipped standards' examples and of the quickstart samples.

Every record of ``standards/<id>/<version>/examples/`` is written from this file, with the
findings it must produce: each invalid record breaks one rule (where one fault can be
isolated) and says which and why. Identity numbers and USCCs get their check characters
computed here, so a valid one is always valid and an invalid one is wrong on purpose only.

Regenerate after changing a case, or after a finding code is renamed (edit :data:`CODES`)::

    python tests/build_examples.py            # rewrite examples and samples
    python tests/build_examples.py --check    # exit 1 if a committed file differs

``tests/test_standards_examples.py`` fails when the committed files drift from this source.
Division codes are real GB/T 2260 codes (checked against ``../shared/corpus/gbt2260``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
STANDARDS = REPO / "standards"
SAMPLES = REPO / "samples"

#: symbolic fault → (finding code, severity). The one place to edit when a code is renamed.
CODES: dict[str, tuple[str, str]] = {
    "required": ("field.required", "error"),
    "type": ("field.type", "error"),
    "format": ("field.format", "error"),
    "pattern": ("field.pattern", "error"),
    "length": ("field.length", "error"),
    "range": ("field.range", "error"),
    "unknown-field": ("field.unknown", "error"),
    "extra-column": ("header.extra", "error"),
    "unique": ("field.unique", "error"),
    "decimals": ("field.decimals", "error"),
    "codelist": ("codelist.unknown-code", "error"),
    "ric-check": ("cn.ric.check-digit", "error"),
    "ric-date": ("cn.ric.birth-date", "error"),
    "ric-division": ("cn.ric.division", "error"),
    "birth-date-mismatch": ("cn.ric.birth-date-mismatch", "error"),
    "sex-mismatch": ("cn.ric.sex-mismatch", "error"),
    "uscc-check": ("cn.uscc.check-digit", "error"),
    "uscc-division": ("cn.uscc.division", "warning"),
    "uscc-division-mismatch": ("cn.uscc.division-mismatch", "warning"),
}

#: what a malformed date is reported as: JSON (format and pattern) and CSV (Table Schema type)
BAD_DATE_JSON = ("format", "pattern")
BAD_DATE_CSV = ("type",)
#: a bad email: JSON Schema ``format`` and the pattern; in a Table Schema the format is part of
#: the type, and a cell that is not of its type gets no constraint finding
BAD_EMAIL_JSON = ("format", "pattern")
BAD_EMAIL_CSV = ("type",)

# -- identifiers ------------------------------------------------------------------------------

_RIC_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def ric_check(body: str) -> str:
    """GB 11643-1999 check character of 17 digits."""
    value = (12 - sum(int(c) * w for c, w in zip(body, _RIC_WEIGHTS, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def uscc_check(body: str) -> str:
    """GB 32100-2015 check character of 17 characters."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def ric(area: str, birth: str, seq: int) -> str:
    """An 18-character identity number; ``birth`` is ``YYYY-MM-DD`` or ``YYYYMMDD``."""
    body = f"{area}{birth.replace('-', '')}{seq:03d}"
    return body + ric_check(body)


def ric15(area: str, birth: str, seq: int) -> str:
    """A legacy 15-digit identity number (birth year 19YY, no check character)."""
    ymd = birth.replace("-", "")
    assert ymd.startswith("19"), birth
    return f"{area}{ymd[2:]}{seq:03d}"


def upgrade15(number: str) -> str:
    """The 18-character form of a 15-digit number (the 2.0.0 migration)."""
    body = number[:6] + "19" + number[6:]
    return body + ric_check(body)


def seq_for(sex: str, n: int) -> int:
    """A sequence code whose parity agrees with ``sex`` (odd = male)."""
    return 2 * n + 1 if sex == "1" else 2 * n + 2


def ric_with_x(area: str, birth: str, sex: str) -> str:
    """An identity number whose check character is X."""
    for seq in range(1, 999):
        if (seq % 2 == 1) == (sex == "1") or sex not in "12":
            number = ric(area, birth, seq)
            if number.endswith("X"):
                return number
    raise AssertionError("no sequence code gives X")


def uscc(prefix: str, area: str, org: str) -> str:
    """A USCC: authority and type (2 characters), division (6), organisation code (9)."""
    body = f"{prefix}{area}{org}"
    assert len(body) == 17 and all(c in _USCC_ALPHABET for c in body), body
    return body + uscc_check(body)


def wrong_check(number: str, alphabet: str = "0123456789X") -> str:
    """The same number with another, wrong check character."""
    return number[:-1] + next(c for c in alphabet if c != number[-1])


def fullwidth(text: str) -> str:
    """ASCII digits as full-width digits (what a Chinese input method may produce)."""
    return text.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})


def sized(prefix: str, total: int, filler: str) -> str:
    """``prefix`` padded with ``filler`` to exactly ``total`` characters."""
    text = prefix
    while len(text) < total:
        text += filler
    return text[:total]


# -- cases ------------------------------------------------------------------------------------

Expect = tuple[str, ...]  # (field, fault) or (field, fault, fault …)


@dataclass
class Case:
    """One record of an example file and the findings it must produce."""

    record: dict[str, Any]
    why: str = ""
    expect: list[Expect] = field(default_factory=list)
    #: overrides of ``expect`` for one form
    csv: list[Expect] | None = None
    jsonl: list[Expect] | None = None
    #: the forms this record appears in
    forms: tuple[str, ...] = ("csv", "jsonl")


@dataclass
class ExampleSet:
    fields: list[str]
    valid: list[Case]
    invalid: list[Case]
    #: an undeclared column added to invalid.csv (file-level finding)
    extra_column: tuple[str, Callable[[int], str]] | None = None


def _expectations(case: Case, form: str) -> list[Expect]:
    chosen = case.csv if form == "csv" else case.jsonl
    return case.expect if chosen is None else chosen


# -- cn.natural-person ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A person as a 1.x record would describe them."""

    name: str
    area: str  # birthplace division in the identity number
    birth: str
    sex: str
    n: int = 0  # picks the sequence code
    division: str | None = None  # household division (default: area)
    ethnicity: str | None = "01"
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    updated_at: str | None = None
    legacy: bool = False  # a 15-digit number
    x_check: bool = False  # a number whose check character is X

    @property
    def id_number(self) -> str:
        if self.x_check:
            return ric_with_x(self.area, self.birth, self.sex)
        if self.legacy:
            return ric15(self.area, self.birth, seq_for(self.sex, self.n))
        return ric(self.area, self.birth, seq_for(self.sex, self.n))


class PersonVersion:
    def __init__(self, version: str) -> None:
        self.version = version
        self.v2 = version.startswith("2.")
        self.div = "household_division_code" if self.v2 else "division_code"
        self.fields = ["id_number", "name", "sex", "birth_date", "ethnicity"]
        if self.v2:
            self.fields += ["nationality", "household_division_code"]
        else:
            self.fields += ["division_code"]
        self.fields += ["address", "phone"]
        if version != "1.0.0":
            self.fields += ["email", "updated_at"]

    def phone(self, phone: str | None) -> str | None:
        """A 1.x phone as this version writes it (2.0.0: E.164, as the migration does)."""
        if phone is None or not self.v2:
            return phone
        return "+86" + (phone[1:].replace("-", "") if phone.startswith("0") else phone)

    def record(self, p: Person, **changes: Any) -> dict[str, Any]:
        """The record of ``p`` in this version; ``changes`` set (None: remove) fields."""
        number = p.id_number
        if self.v2 and len(number) == 15:
            number = upgrade15(number)
        values: dict[str, Any] = {
            "id_number": number,
            "name": p.name,
            "sex": p.sex,
            "birth_date": p.birth,
            "ethnicity": p.ethnicity,
            "nationality": "CHN",
            self.div: p.division or p.area,
            "address": p.address,
            "phone": self.phone(p.phone),
            "email": p.email,
            "updated_at": p.updated_at,
        }
        values.update(changes)
        return {k: values[k] for k in self.fields if values.get(k) is not None} | {
            k: v for k, v in changes.items() if k not in self.fields and v is not None
        }


PEOPLE = [
    Person(
        "张伟",
        "110101",
        "1985-03-12",
        "1",
        address="北京市东城区东华门街道南池子大街12号",
        phone="13801012345",
        email="zhang.wei@example.com",
        updated_at="2024-05-01T08:30:00+08:00",
    ),
    Person(
        "王芳",
        "310104",
        "1990-07-25",
        "2",
        address="上海市徐汇区漕溪北路88弄3号402室",
        phone="13916881234",
        updated_at="2025-12-31T23:59:59Z",
    ),
    Person(
        "李娜",
        "440305",
        "1978-11-02",
        "2",
        n=3,
        address="广东省深圳市南山区粤海街道科技园路1号",
        phone="0755-86001234",
        email="lina@example.cn",
    ),
    Person(
        "刘洋",
        "350102",
        "2001-01-31",
        "1",
        address="福建省福州市鼓楼区五四路128号",
        phone="15980712345",
        updated_at="2023-03-15T10:00:00.250+08:00",
    ),
    # legacy 15-digit number (1.x), upgraded by the 2.0.0 migration
    Person(
        "赵磊",
        "310104",
        "1972-08-15",
        "1",
        n=61,
        legacy=True,
        ethnicity="01",
        address="上海市徐汇区天平路100号",
        phone="021-64370000",
    ),
    # check character X
    Person(
        "周敏", "330106", "1993-09-09", "2", x_check=True, address="浙江省杭州市西湖区文三路90号"
    ),
    # ethnicity with a leading zero; a name with a middle dot
    Person(
        "阿依古丽·买买提",
        "650102",
        "1995-04-18",
        "2",
        n=7,
        ethnicity="05",
        address="新疆维吾尔自治区乌鲁木齐市天山区解放南路5号",
        phone="13999112233",
    ),
    Person("扎西顿珠", "540102", "1988-04-04", "1", n=2, ethnicity="04", phone="0891-6321234"),
    # birthplace code in use only since 2015, born 1978: valid (codes stay valid for life)
    Person("孙立", "110118", "1978-06-30", "1", n=5, address="北京市密云区鼓楼东大街3号"),
    # only the required fields
    Person("黄小红", "420106", "2010-02-14", "2", n=11, ethnicity=None),
    # birthplace code retired in 2021 (下城区): valid for life; household moved to 330105
    Person(
        "吴国强",
        "330103",
        "1960-12-01",
        "1",
        n=12,
        division="330105",
        ethnicity="01",
        phone="0571-85001234",
    ),
    # sex 9 (not stated) agrees with any sequence code
    Person("林可", "440106", "2000-10-10", "9", n=8, ethnicity="03"),
    # household registered away from the birthplace
    Person(
        "马晓东",
        "610113",
        "1982-01-05",
        "1",
        n=9,
        division="110108",
        ethnicity="03",
        phone="010-65123456",
    ),
    # the earliest allowed date of birth
    Person("郑长寿", "320583", "1880-01-01", "2", n=1, ethnicity=None),
    # a newborn, just before the reference date of the tests (2026-01-01)
    Person("陈一诺", "500103", "2025-12-20", "2", n=0),
    # a Latin-script name with inner spaces, exactly 50 characters; address of exactly 200
    Person(
        sized("Alexandra Theodora Konstantinopoulou Wang", 50, " Li"),
        "310115",
        "1999-05-05",
        "2",
        n=4,
        ethnicity=None,
        address=sized("上海市浦东新区世纪大道100号", 200, "，东方明珠塔旁"),
    ),
    # sex 0 (unknown)
    Person("何某", "520102", "1970-07-07", "0", n=13, legacy=True),
]

#: names for the invalid records' subjects (each invalid record is about another person)
SURNAMES = "钱孙李周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤花方俞任袁柳"
GIVEN = [
    "学明",
    "晓燕",
    "建华",
    "丽娟",
    "志强",
    "秀英",
    "海涛",
    "桂兰",
    "国庆",
    "春梅",
    "文博",
    "雪松",
]


def subject(i: int) -> Person:
    """The i-th subject of invalid person records: a valid person, different for every i."""
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)]
    area = ("110105", "310104", "440305", "350102", "330106", "420106")[i % 6]
    birth = f"19{60 + i % 40:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    sex = "1" if i % 2 else "2"
    phone = f"13{7 + i % 3}0000{1000 + i:04d}"
    return Person(
        name, area, birth, sex, n=20 + i, address=f"北京市朝阳区建国路{i + 1}号", phone=phone
    )


def person_examples(version: str) -> ExampleSet:
    v = PersonVersion(version)
    rec = v.record
    v1 = not v.v2
    div = v.div
    valid = [Case(rec(p)) for p in PEOPLE]
    # a JSON record's keys may come in any order
    valid[-1].record = dict(reversed(valid[-1].record.items()))

    inv: list[Case] = []

    def add(record: dict[str, Any], why: str, *expect: Expect, **kw: Any) -> None:
        inv.append(Case(record, why, list(expect), **kw))

    def s() -> Person:
        return subject(len(inv))

    first = s()
    add(rec(first), "a valid record (record 2 repeats its identity number)")
    add(
        rec(replace(first, name=first.name[0] + "小" + first.name[1:])),
        "the identity number of record 1 again",
        ("id_number", "unique"),
    )
    # id_number
    p = s()
    add(
        rec(p, id_number=wrong_check(p.id_number)),
        "wrong check character",
        ("id_number", "ric-check"),
    )
    p = s()
    add(
        rec(p, id_number=ric(p.area, "1990-02-30", seq_for(p.sex, p.n)), birth_date="1990-02-28"),
        "embedded birth date 1990-02-30 does not exist",
        ("id_number", "ric-date"),
    )
    p = replace(s(), area="110199")
    add(
        rec(p, **{div: "110105"}),
        "birthplace 110199 was never a GB/T 2260 code",
        ("id_number", "ric-division"),
    )
    p = s()
    add(rec(p, id_number=p.id_number[:17]), "17 characters", ("id_number", "pattern"))
    p = replace(s(), x_check=True)
    add(
        rec(p, id_number=p.id_number.lower()),
        "lower-case x check character",
        ("id_number", "pattern"),
    )
    p = s()
    add(
        rec(p, id_number=fullwidth(p.id_number[:17]) + p.id_number[17]),
        "full-width digits",
        ("id_number", "pattern"),
    )
    p = s()
    add(
        rec(p, id_number=p.id_number[:6] + " " + p.id_number[6:]),
        "a space inside the number",
        ("id_number", "pattern"),
    )
    p = replace(s(), legacy=True)
    if v1:
        add(
            rec(p, id_number=p.id_number[:8] + "13" + p.id_number[10:]),
            "15-digit number whose month is 13",
            ("id_number", "ric-date"),
        )
        p = replace(s(), legacy=True)
        add(
            rec(p, birth_date=p.birth[:-1] + str((int(p.birth[-1]) + 1) % 10)),
            "birth_date differs from the 15-digit number's date",
            ("birth_date", "birth-date-mismatch"),
        )
    else:
        add(
            rec(p, id_number=p.id_number),
            "the legacy 15-digit form is no longer accepted",
            ("id_number", "pattern"),
        )
    add(rec(s(), id_number=None), "identity number missing", ("id_number", "required"))
    # name
    p = s()
    add(rec(p, name=" " + p.name), "leading space", ("name", "pattern"))
    p = s()
    add(rec(p, name=p.name + "\u3000"), "trailing ideographic space", ("name", "pattern"))
    p = s()
    add(
        rec(p, name=p.name[0] + "\t" + p.name[1:]), "a control character (tab)", ("name", "pattern")
    )
    p = s()
    add(rec(p, name=p.name + "\n"), "a trailing line break", ("name", "pattern"))
    add(
        rec(s(), name=sized("Maximilian Alexander Konstantin Wang", 51, " Li")),
        "51 characters",
        ("name", "length"),
    )
    add(rec(s(), name=""), "empty name", ("name", "length"), csv=[("name", "required")])
    # sex
    p = s()
    add(rec(p, sex="男"), "the label instead of the code", ("sex", "codelist"))
    add(rec(s(), sex="3"), "no such GB/T 2261.1 code", ("sex", "codelist"))
    p = replace(s(), sex="1")
    add(rec(p, sex="2"), "female, but the sequence code is odd (male)", ("sex", "sex-mismatch"))
    p = replace(s(), sex="2")
    add(rec(p, sex=2), "a number, not a string code", ("sex", "type"), forms=("jsonl",))
    # birth_date
    p = s()
    add(
        rec(p, birth_date=p.birth.replace("-", "/")),
        "not YYYY-MM-DD",
        ("birth_date", *BAD_DATE_JSON),
        csv=[("birth_date", *BAD_DATE_CSV)],
    )
    p = s()
    add(
        rec(p, birth_date=p.birth[:-1] + str((int(p.birth[-1]) + 1) % 10)),
        "differs from the date in the identity number",
        ("birth_date", "birth-date-mismatch"),
    )
    add(rec(replace(s(), birth="1879-12-31")), "born before 1880-01-01", ("birth_date", "range"))
    add(
        rec(replace(s(), birth="2026-03-01")),
        "born after the reference date 2026-01-01",
        ("birth_date", "range"),
    )
    add(rec(s(), birth_date=None), "date of birth missing", ("birth_date", "required"))
    # ethnicity
    add(rec(s(), ethnicity="1"), "leading zero lost", ("ethnicity", "codelist"))
    add(rec(s(), ethnicity="57"), "no such GB/T 3304 code", ("ethnicity", "codelist"))
    add(rec(s(), ethnicity="汉族"), "the label instead of the code", ("ethnicity", "codelist"))
    add(
        rec(s(), ethnicity=""),
        "empty string instead of an absent field",
        ("ethnicity", "length"),
        forms=("jsonl",),
    )
    add(
        rec(s()) | {"ethnicity": None},
        "null instead of an absent field",
        ("ethnicity", "type"),
        forms=("jsonl",),
    )
    # household division
    add(rec(s(), **{div: "11010"}), "five digits", (div, "pattern", "codelist"))
    add(rec(s(), **{div: "110199"}), "never a GB/T 2260 code", (div, "codelist"))
    add(rec(s(), **{div: None}), "division missing", (div, "required"))
    # address
    add(
        rec(s(), address=sized("北京市朝阳区建国路88号", 201, "，SOHO现代城")),
        "201 characters",
        ("address", "length"),
    )
    add(
        rec(s(), address=""),
        "empty string instead of an absent field",
        ("address", "length"),
        forms=("jsonl",),
    )
    # phone
    if v1:
        add(rec(s(), phone="1370000111"), "ten digits", ("phone", "pattern"))
        add(rec(s(), phone="12700001111"), "no mobile number starts 12", ("phone", "pattern"))
        add(rec(s(), phone="010 65123456"), "a space instead of the hyphen", ("phone", "pattern"))
        add(rec(s(), phone="+8613700001111"), "E.164 is the 2.0.0 form", ("phone", "pattern"))
        add(rec(s(), phone=fullwidth("13700001111")), "full-width digits", ("phone", "pattern"))
    else:
        add(rec(s(), phone="13700001111"), "not E.164 (no +86)", ("phone", "pattern"))
        add(rec(s(), phone="010-65123456"), "a 1.x landline, not E.164", ("phone", "pattern"))
        add(rec(s(), phone="+86 137 0000 1111"), "spaces inside", ("phone", "pattern"))
        add(rec(s(), phone="+0861370000111"), "country code starting with 0", ("phone", "pattern"))
    add(rec(s(), phone=13700001111), "a number, not a string", ("phone", "type"), forms=("jsonl",))
    # 1.1.0 fields
    if version != "1.0.0":
        add(
            rec(s(), email="qian.example.com"),
            "no @",
            ("email", *BAD_EMAIL_JSON),
            csv=[("email", *BAD_EMAIL_CSV)],
        )
        add(
            rec(s(), updated_at="2024-05-01 08:30:00"),
            "space instead of T, no offset",
            ("updated_at", "format", "pattern"),
            csv=[("updated_at", "pattern")],
        )
        add(
            rec(s(), updated_at="2024-05-01T08:30:00"),
            "no UTC offset",
            ("updated_at", "format", "pattern"),
            csv=[("updated_at", "pattern")],
        )
    else:
        add(
            rec(s()) | {"email": "qian@example.com"},
            "email is a 1.1.0 field",
            ("email", "unknown-field"),
            forms=("jsonl",),
        )
    # 2.0.0 fields
    if v.v2:
        add(rec(s(), nationality=None), "nationality missing", ("nationality", "required"))
        add(rec(s(), nationality="chn"), "lower case", ("nationality", "pattern", "codelist"))
        add(
            rec(s(), nationality="CN"),
            "alpha-2, not alpha-3",
            ("nationality", "pattern", "codelist"),
        )
        add(rec(s(), nationality="CHI"), "no such ISO 3166-1 code", ("nationality", "codelist"))
        add(
            rec(s()) | {"division_code": "110105"},
            "the 1.x name of household_division_code",
            ("division_code", "unknown-field"),
            forms=("jsonl",),
        )
    else:
        add(
            rec(s()) | {"备注": "重点人员"},
            "a field the standard does not define",
            ("备注", "unknown-field"),
            forms=("jsonl",),
        )

    extra = (
        ("division_code", lambda n: "")
        if v.v2
        else ("备注", lambda n: "已核实" if n % 5 == 0 else "")
    )
    return ExampleSet(v.fields, valid, inv, extra_column=extra)


# -- cn.legal-entity ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """A legal entity as a 1.0.0 record would describe it."""

    prefix: str  # registration authority and entity type
    area: str  # division in the USCC
    org: str  # the 9-character organisation code
    name: str
    rep: str
    entity_type: str
    established: str
    capital: str | None  # 10,000 yuan, as decimal text
    status: str = "1"
    division: str | None = None
    industry: str | None = None

    @property
    def uscc(self) -> str:
        return uscc(self.prefix, self.area, self.org)


class EntityVersion:
    def __init__(self, version: str) -> None:
        self.version = version
        self.v2 = version.startswith("2.")
        self.capital = "registered_capital_yuan" if self.v2 else "registered_capital"
        self.fields = ["uscc", "name", "legal_representative", "entity_type"]
        if self.v2:
            self.fields.append("industry_code")
        self.fields += ["established", self.capital, "division_code", "status"]

    def record(self, e: Entity, **changes: Any) -> dict[str, Any]:
        capital: Any = None
        if e.capital is not None:
            amount = Decimal(e.capital)
            if self.v2:
                yuan = amount * 10000
                assert yuan == yuan.to_integral_value(), e.capital
                capital = int(yuan)
            else:
                capital = int(amount) if amount == amount.to_integral_value() else float(e.capital)
        values: dict[str, Any] = {
            "uscc": e.uscc,
            "name": e.name,
            "legal_representative": e.rep,
            "entity_type": e.entity_type,
            "industry_code": e.industry,
            "established": e.established,
            self.capital: capital,
            "division_code": e.division or e.area,
            "status": e.status,
        }
        values.update(changes)
        return {k: values[k] for k in self.fields if values.get(k) is not None} | {
            k: v for k, v in changes.items() if k not in self.fields and v is not None
        }


ENTITIES = [
    Entity(
        "91",
        "110101",
        "MA01R2XK4",
        "北京云图数据科技有限公司",
        "张伟",
        "1",
        "2016-04-18",
        "1000",
        industry="I6513",
    ),
    Entity(
        "12",
        "310104",
        "425012345",
        "上海市徐汇区漕河泾街道社区卫生服务中心",
        "王芳",
        "2",
        "2001-06-01",
        None,
        industry="Q8423",
    ),
    Entity(
        "11",
        "440305",
        "007543210",
        "深圳市南山区民政局",
        "李娜",
        "4",
        "1990-01-15",
        None,
        industry="S9221",
    ),
    Entity(
        "51",
        "350102",
        "MJ0123456",
        "福州市鼓楼区志愿者协会",
        "刘洋",
        "3",
        "2012-03-05",
        "3",
        industry="S9521",
    ),
    # registration authority N (agriculture): a village collective economic organisation
    Entity(
        "N2",
        "330110",
        "MF1234567",
        "杭州市余杭区仓前街道永福村股份经济合作社",
        "陈建国",
        "9",
        "2019-11-20",
        "256.78",
        industry="A01",
    ),
    # registration authority A (central military commission's establishment office)
    Entity(
        "A1",
        "110108",
        "MB0012345",
        "北京市海淀区某军队离退休干部休养所",
        "周强",
        "2",
        "1998-08-01",
        None,
    ),
    # registration authority Y (other)
    Entity(
        "Y1",
        "440305",
        "MC7654321",
        "深圳市南山区粤海街道科技园社区居民委员会",
        "黄丽",
        "9",
        "2015-07-07",
        None,
    ),
    # six decimal places of 10,000 yuan (= whole yuan × 100: exact in 2.0.0)
    Entity(
        "91",
        "420106",
        "MA4K3L2P1",
        "武汉江城智造有限责任公司",
        "赵磊",
        "1",
        "2020-02-29",
        "123.4567",
        industry="C3911",
    ),
    Entity(
        "91",
        "510107",
        "MA62Q8TX0",
        "成都武侯锦里文化传播有限公司",
        "孙立",
        "1",
        "2018-05-20",
        "0",
        status="2",
    ),
    # the earliest allowed date of establishment
    Entity(
        "91",
        "310101",
        "132201234",
        "上海老凤祥有限公司",
        "石力华",
        "1",
        "1900-01-01",
        "31000",
        industry="C2438",
    ),
    Entity(
        "91",
        "330106",
        "MA2H0P3Q7",
        "杭州西湖龙井茶业有限公司",
        "吴国强",
        "1",
        "2005-10-10",
        "50.5",
        status="3",
    ),
    Entity(
        "91",
        "440106",
        "MA59B7CD0",
        "广州天河城市更新有限公司",
        "马晓东",
        "1",
        "2011-11-11",
        "2000",
        status="4",
        industry="K7010",
    ),
    # an organisation code made of letters only; a name of exactly 100 characters
    Entity(
        "91",
        "320583",
        "MABCDEFGH",
        sized("昆山市", 100, "精密机械零部件制造"),
        "林可",
        "1",
        "2021-12-31",
        "88.8888",
        industry="C3484",
    ),
    Entity(
        "52", "500103", "MJ9876543", "重庆市渝中区青年创业服务中心", "何某", "3", "2024-06-30", None
    ),
]

#: names for the invalid records' subjects (each invalid record is about another entity)
TRADE_NAMES = [
    "国贸商务服务",
    "望京科技",
    "三里屯文化传媒",
    "亮马河餐饮管理",
    "双井物业管理",
    "酒仙桥电子",
    "大望路广告",
    "团结湖体育发展",
]


def le_subject(i: int) -> Entity:
    """The i-th subject of invalid entity records: a valid entity, different for every i."""
    org = "MA00" + _USCC_ALPHABET[i // 31 % 31] + _USCC_ALPHABET[i % 31] + "K7P"
    name = f"北京朝阳{TRADE_NAMES[i % len(TRADE_NAMES)]}有限公司"
    return Entity(
        "91",
        "110105",
        org,
        name,
        SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)],
        "1",
        f"20{10 + i % 15:02d}-0{1 + i % 9}-{10 + i % 18}",
        str(100 + 5 * i),
        industry="L7211",
    )


def entity_examples(version: str) -> ExampleSet:
    v = EntityVersion(version)
    rec = v.record
    cap = v.capital
    valid = [Case(rec(e)) for e in ENTITIES]
    if not v.v2:
        # six decimal places (hundredths of a yuan: not whole yuan, so 1.0.0 only)
        valid.append(
            Case(
                rec(
                    Entity(
                        "91",
                        "330105",
                        "MA27W8N3R",
                        "杭州拱墅运河文旅有限公司",
                        "沈佳",
                        "1",
                        "2022-08-08",
                        "12.345678",
                    )
                )
            )
        )
    else:
        valid.append(
            Case(
                rec(
                    ENTITIES[0],
                    uscc=uscc("91", "110101", "MA01R2XK5"),
                    status="5",
                    industry_code="C39",
                    name="北京云图数据科技有限公司第一分公司",
                )
            )
        )
    inv: list[Case] = []

    def add(record: dict[str, Any], why: str, *expect: Expect, **kw: Any) -> None:
        inv.append(Case(record, why, list(expect), **kw))

    def s() -> Entity:
        return le_subject(len(inv))

    first = s()
    add(rec(first), "a valid record (record 2 repeats its code)")
    add(
        rec(first, name=first.name + "（重复导出）"),
        "the USCC of record 1 again",
        ("uscc", "unique"),
    )
    e = s()
    add(
        rec(e, uscc=wrong_check(e.uscc, _USCC_ALPHABET)),
        "wrong check character",
        ("uscc", "uscc-check"),
    )
    e = s()
    add(
        rec(e, uscc=e.uscc[:8] + "O" + e.uscc[9:]),
        "letter O, not in the GB 32100 alphabet",
        ("uscc", "pattern"),
    )
    e = s()
    add(rec(e, uscc=e.uscc[:17]), "17 characters", ("uscc", "pattern"))
    e = replace(s(), org="MA00" + "ABCDE")
    add(rec(e, uscc=e.uscc.lower()), "lower case", ("uscc", "pattern"))
    add(rec(s(), uscc=None), "code missing", ("uscc", "required"))
    e = replace(s(), area="110199", division="110105")
    add(
        rec(e),
        "characters 3-8 (110199) were never a GB/T 2260 code",
        ("uscc", "uscc-division"),
        ("division_code", "uscc-division-mismatch"),
    )
    e = replace(s(), area="310104", division="110105")
    add(
        rec(e),
        "registered in 310104 but domiciled in 110105 (moved?)",
        ("division_code", "uscc-division-mismatch"),
    )
    # name, legal_representative
    e = s()
    add(rec(e, name=" " + e.name), "leading space", ("name", "pattern"))
    e = s()
    add(rec(e, name=e.name + " "), "trailing space", ("name", "pattern"))
    add(rec(s(), name=sized("北京朝阳", 101, "国贸商务服务")), "101 characters", ("name", "length"))
    add(rec(s(), name=""), "empty name", ("name", "length"), csv=[("name", "required")])
    add(
        rec(s(), legal_representative=None),
        "legal representative missing",
        ("legal_representative", "required"),
    )
    e = s()
    add(
        rec(e, legal_representative=e.rep + "\u3000"),
        "trailing ideographic space",
        ("legal_representative", "pattern"),
    )
    add(
        rec(s(), legal_representative=sized("Maximilian Alexander Konstantin Wang", 51, " Li")),
        "51 characters",
        ("legal_representative", "length"),
    )
    # entity_type
    add(rec(s(), entity_type="5"), "no such entity type", ("entity_type", "codelist"))
    add(rec(s(), entity_type="企业"), "the label instead of the code", ("entity_type", "codelist"))
    add(
        rec(s(), entity_type=1),
        "a number, not a string code",
        ("entity_type", "type"),
        forms=("jsonl",),
    )
    # established
    add(rec(s(), established="1899-12-31"), "before 1900-01-01", ("established", "range"))
    add(
        rec(s(), established="2026-02-01"),
        "after the reference date 2026-01-01",
        ("established", "range"),
    )
    e = s()
    add(
        rec(e, established=e.established.replace("-", "/")),
        "not YYYY-MM-DD",
        ("established", *BAD_DATE_JSON),
        csv=[("established", *BAD_DATE_CSV)],
    )
    add(
        rec(s(), established="2017-13-01"),
        "month 13",
        ("established", "format"),
        csv=[("established", *BAD_DATE_CSV)],
    )
    add(rec(s(), established=None), "date missing", ("established", "required"))
    # capital
    if v.v2:
        add(rec(s(), **{cap: -1}), "negative", (cap, "range"))
        add(rec(s(), **{cap: 5000000.5}), "not whole yuan", (cap, "type"))
        add(rec(s(), **{cap: "5000000"}), "a string, not a number", (cap, "type"), forms=("jsonl",))
        add(
            rec(s()) | {"registered_capital": 500},
            "the 1.0.0 field (10,000 yuan)",
            ("registered_capital", "unknown-field"),
            forms=("jsonl",),
        )
    else:
        add(rec(s(), **{cap: -5}), "negative", (cap, "range"))
        add(rec(s(), **{cap: 1.1234567}), "seven decimal places", (cap, "decimals"))
        add(rec(s(), **{cap: "500"}), "a string, not a number", (cap, "type"), forms=("jsonl",))
        add(rec(s(), **{cap: "1,000"}), "thousands separator", (cap, "type"), forms=("csv",))
        add(rec(s(), **{cap: "500万"}), "a unit in the cell", (cap, "type"), forms=("csv",))
    # division_code
    add(rec(s(), division_code="11010"), "five digits", ("division_code", "pattern", "codelist"))
    add(
        rec(replace(s(), area="110199")),
        "never a GB/T 2260 code (in the USCC too)",
        ("uscc", "uscc-division"),
        ("division_code", "codelist"),
    )
    add(rec(s(), division_code=None), "division missing", ("division_code", "required"))
    # status
    if v.v2:
        add(rec(s(), status="6"), "no such status", ("status", "codelist"))
    else:
        add(rec(s(), status="5"), "5 (suspended) exists only from 2.0.0", ("status", "codelist"))
    add(rec(s(), status="存续"), "the label instead of the code", ("status", "codelist"))
    # 2.0.0 industry code
    if v.v2:
        add(rec(s(), industry_code="U99"), "no section U", ("industry_code", "pattern"))
        add(rec(s(), industry_code="C1"), "one digit", ("industry_code", "pattern"))
        add(
            rec(s(), industry_code="c3911"),
            "lower-case section letter",
            ("industry_code", "pattern"),
        )
        add(rec(s(), industry_code="C39111"), "five digits", ("industry_code", "pattern"))
    else:
        add(
            rec(s()) | {"industry_code": "L7211"},
            "industry_code is a 2.0.0 field",
            ("industry_code", "unknown-field"),
            forms=("jsonl",),
        )

    extra = (
        ("registered_capital", lambda n: "")
        if v.v2
        else ("备注", lambda n: "年报已报送" if n % 4 == 0 else "")
    )
    return ExampleSet(v.fields, valid, inv, extra_column=extra)


# -- writing ----------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def render_csv(fields: list[str], records: Iterable[dict[str, Any]], extra: Any = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = list(fields) + ([extra[0]] if extra else [])
    writer.writerow(header)
    for n, record in enumerate(records, start=1):
        row = [_cell(record.get(name)) for name in fields]
        if extra:
            row.append(extra[1](n))
        writer.writerow(row)
    return out.getvalue()


def render_jsonl(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _expected(cases: list[Case], form: str, extra: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if form == "csv" and extra:
        code, severity = CODES["extra-column"]
        out.append(
            {
                "record": None,
                "field": extra[0],
                "code": code,
                "severity": severity,
                "why": "a column the standard does not define",
            }
        )
    for n, case in enumerate(cases, start=1):
        for expect in _expectations(case, form):
            name, *faults = expect
            for fault in faults:
                code, severity = CODES[fault]
                out.append(
                    {
                        "record": n,
                        "field": name,
                        "code": code,
                        "severity": severity,
                        "why": case.why,
                    }
                )
    return out


def example_files(examples: ExampleSet) -> dict[str, str]:
    """File name → text of one version's examples."""
    files: dict[str, str] = {}
    for form in ("csv", "jsonl"):
        valid = [c.record for c in examples.valid if form in c.forms]
        invalid = [c for c in examples.invalid if form in c.forms]
        extra = examples.extra_column if form == "csv" else None
        if form == "csv":
            files["valid.csv"] = render_csv(examples.fields, valid)
            files["invalid.csv"] = render_csv(examples.fields, [c.record for c in invalid], extra)
        else:
            files["valid.jsonl"] = render_jsonl(valid)
            files["invalid.jsonl"] = render_jsonl(c.record for c in invalid)
        expected = _expected(invalid, form, extra)
        files[f"invalid.{form}.expected.json"] = (
            "[\n" + ",\n".join("  " + json.dumps(e, ensure_ascii=False) for e in expected) + "\n]\n"
        )
    return files


# -- quickstart samples -------------------------------------------------------------------------

SAMPLE_PEOPLE = [
    ("张建国", "110105", "1968-04-12", "1", "北京市朝阳区朝阳门外大街18号"),
    ("李秀英", "110108", "1975-09-30", "2", "北京市海淀区中关村南大街5号"),
    ("王磊", "110106", "1990-01-17", "1", "北京市丰台区丰台北路32号"),
    ("刘静", "310104", "1983-06-05", "2", "上海市徐汇区衡山路10号"),
    ("陈明", "310115", "1995-12-24", "1", "上海市浦东新区陆家嘴环路1000号"),
    ("杨丽", "440305", "1988-08-08", "2", "广东省深圳市南山区后海大道2388号"),
    ("赵勇", "440304", "1979-03-15", "1", "广东省深圳市福田区深南大道6008号"),
    ("黄敏", "350102", "1992-11-11", "2", "福建省福州市鼓楼区东街33号"),
    ("周杰", "330106", "1986-05-20", "1", "浙江省杭州市西湖区曙光路120号"),
    ("吴芳", "330110", "2000-02-29", "2", "浙江省杭州市余杭区文一西路969号"),
    ("徐强", "420106", "1971-07-01", "1", "湖北省武汉市武昌区中北路9号"),
    ("孙燕", "510107", "1998-10-01", "2", "四川省成都市武侯区人民南路四段1号"),
    ("胡军", "110101", "1965-01-28", "1", "北京市东城区王府井大街255号"),
    ("朱婷", "310106", "1994-04-04", "2", "上海市静安区南京西路1266号"),
    ("高峰", "110105", "1972-09-09", "1", "北京市朝阳区望京街10号"),
    ("林晓", "350102", "1989-12-12", "2", "福建省福州市鼓楼区杨桥中路1号"),
    ("何伟", "440306", "1984-02-14", "1", "广东省深圳市宝安区新安街道创业一路1号"),
    ("王建国", "110112", "1958-10-01", "1", "北京市通州区新华大街100号"),
    ("郭丽娟", "310110", "1976-03-08", "2", "上海市杨浦区四平路1239号"),
    ("马超", "650102", "1991-06-18", "1", "新疆维吾尔自治区乌鲁木齐市天山区中山路1号"),
    ("罗红", "540102", "1987-08-15", "2", None),
    ("梁志强", "440106", "1969-11-20", "1", "广东省广州市天河区天河路385号"),
    ("宋佳", "420106", "2003-05-04", "2", "湖北省武汉市武昌区八一路299号"),
    ("郑浩", "330106", "1999-09-19", "1", None),
    ("谢婷婷", "110108", "1993-07-07", "2", "北京市海淀区学院路37号"),
    ("韩磊", "310104", "1982-12-30", "1", "上海市徐汇区肇嘉浜路1111号"),
    ("唐琳", "510107", "1997-01-01", "2", "四川省成都市武侯区科华北路62号"),
    ("冯刚", "110105", "1962-04-22", "1", "北京市朝阳区建外大街1号"),
    ("董梅", "440305", "1985-10-10", "2", "广东省深圳市南山区科苑路15号"),
    ("许文", "350102", "1996-03-03", "1", "福建省福州市鼓楼区湖东路168号"),
]


def sample_people() -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    """A vendor's 1.1.0 export of 30 people: the CSV and the JSONL form, each with faults."""
    v = PersonVersion("1.1.0")
    people = []
    for i, (name, area, birth, sex, address) in enumerate(SAMPLE_PEOPLE):
        phone = f"13{i % 7 + 3}{(i * 7919) % 10000:04d}{(i * 104729) % 10000:04d}"
        eth = {19: "03", 20: "04"}.get(i, "01")
        email = f"user{i + 1:02d}@example.com" if i % 3 == 0 else None
        updated = f"2025-0{1 + i % 9}-1{i % 10}T09:{i % 60:02d}:00+08:00" if i % 2 == 0 else None
        p = Person(
            name,
            area,
            birth,
            sex,
            n=40 + i,
            ethnicity=eth,
            address=address,
            phone=phone,
            email=email,
            updated_at=updated,
            legacy=(i == 13),
        )
        people.append(v.record(p))
    rows = [dict(r) for r in people]
    rows[2]["sex"] = "男"  # labels instead of codes
    rows[5]["id_number"] = wrong_check(rows[5]["id_number"])  # a typo in the number
    rows[7]["ethnicity"] = "1"  # Excel dropped the leading zero
    rows[9]["birth_date"] = "2000/2/29"  # Excel's date format
    rows[11] = dict(rows[1], phone="13900001234")  # the same person exported twice
    rows[14]["phone"] = "138 1234 5678"
    rows[17]["name"] = "王建国 "  # trailing space
    rows[18]["birth_date"] = "1976-03-18"  # differs from the identity number
    rows[20]["division_code"] = "110011"  # no such division
    rows[22]["email"] = "songjia#example.com"
    rows[24]["updated_at"] = "2025-06-01 08:30:00"  # no T, no offset
    rows[25]["sex"] = "2"  # the identity number says male
    rows[27]["id_number"] = rows[27]["id_number"][:17]  # a digit lost
    json_rows = [dict(r) for r in rows]
    json_rows[28]["address"] = ""  # empty instead of absent
    json_rows[29]["ethnicity"] = 1  # a number
    return v.fields, rows, json_rows


SAMPLE_ENTITIES = [
    (
        "91",
        "110105",
        "MA01C7K2X",
        "北京朝阳星河文化传媒有限公司",
        "张建国",
        "1",
        "2016-03-18",
        "500",
    ),
    (
        "91",
        "110108",
        "MA00G5H1B",
        "北京中关村智汇科技有限公司",
        "李秀英",
        "1",
        "2014-07-01",
        "1000",
    ),
    ("12", "110101", "400012345", "北京市东城区社区卫生服务中心", "王磊", "2", "2003-01-01", None),
    ("91", "310104", "MA1FL3P2Q", "上海徐汇云端软件有限公司", "刘静", "1", "2018-09-09", "200.5"),
    ("91", "310115", "MA1G8K7N3", "上海浦东国际物流有限公司", "陈明", "1", "2011-11-11", "5000"),
    ("91", "440305", "MA5D9X2Y1", "深圳南山创新电子有限公司", "杨丽", "1", "2015-05-15", "300"),
    ("51", "440304", "MJ1234567", "深圳市福田区慈善会", "赵勇", "3", "2009-12-01", None),
    ("91", "350102", "MA2Y3B4C5", "福州鼓楼老字号餐饮有限公司", "黄敏", "1", "1998-06-06", "50"),
    ("11", "330106", "002543210", "杭州市西湖区民政局", "周杰", "4", "1984-01-01", None),
    (
        "N2",
        "330110",
        "MF0987654",
        "杭州市余杭区径山镇小古城村股份经济合作社",
        "吴芳",
        "9",
        "2018-04-20",
        "123.45",
    ),
    ("91", "420106", "MA4L5M6N7", "武汉武昌光谷生物科技有限公司", "徐强", "1", "2020-08-18", "800"),
    ("91", "510107", "MA6C7D8E9", "成都武侯数字文创有限公司", "孙燕", "1", "2019-10-10", "150.75"),
    (
        "91",
        "110101",
        "101234567",
        "北京王府井百货集团股份有限公司",
        "胡军",
        "1",
        "1955-10-01",
        "38000",
    ),
    ("52", "310106", "MJ5432109", "上海静安区青少年科技教育中心", "朱婷", "3", "2012-06-01", None),
    (
        "91",
        "110105",
        "MA02D4F6H",
        "北京望京互联网信息服务有限公司",
        "高峰",
        "1",
        "2017-02-28",
        "1000",
    ),
    ("91", "350102", "MA3Q4R5T6", "福州鼓楼海峡茶业有限公司", "林晓", "1", "2013-03-13", "66.6"),
    ("91", "440306", "MA5E6F7G8", "深圳宝安精密模具有限公司", "何伟", "1", "2008-08-08", "2000"),
    ("A1", "110108", "MB0054321", "北京某军队离退休干部休养所", "王建国", "2", "1992-05-01", None),
    (
        "91",
        "310110",
        "MA1H2J3K4",
        "上海杨浦大学科技园发展有限公司",
        "郭丽娟",
        "1",
        "2001-09-01",
        "10000",
    ),
    (
        "Y1",
        "650102",
        "MC1122334",
        "乌鲁木齐市天山区某社区居民委员会",
        "马超",
        "9",
        "2016-12-12",
        None,
    ),
    (
        "91",
        "440106",
        "MA5H6J7K8",
        "广州天河城商业管理有限公司",
        "梁志强",
        "1",
        "1996-09-09",
        "4500",
    ),
    ("91", "420106", "MA4P5Q6R7", "武汉黄鹤楼文旅发展有限公司", "宋佳", "1", "2022-01-01", "0"),
    (
        "91",
        "330106",
        "MA2J3K4L5",
        "杭州西湖数智科技有限公司",
        "郑浩",
        "1",
        "2021-06-06",
        "99.999999",
    ),
    (
        "91",
        "110108",
        "MA00H6J7K",
        "北京海淀学院路教育咨询有限公司",
        "谢婷婷",
        "1",
        "2010-10-10",
        "30",
    ),
    ("91", "310104", "MA1K2L3M4", "上海徐汇滨江文化发展有限公司", "韩磊", "1", "2023-03-03", "600"),
]


def sample_entities() -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    """A vendor's 1.0.0 export of 25 legal entities: CSV and JSONL, each with faults."""
    v = EntityVersion("1.0.0")
    rows = [
        v.record(Entity(prefix, area, org, name, rep, kind, est, capital, status="1"))
        for prefix, area, org, name, rep, kind, est, capital in SAMPLE_ENTITIES
    ]
    rows[1]["uscc"] = wrong_check(rows[1]["uscc"], _USCC_ALPHABET)
    rows[3]["uscc"] = rows[3]["uscc"][:8] + "O" + rows[3]["uscc"][9:]  # O: not in the alphabet
    # registered by the municipal authority (110000), domiciled in a district: a warning
    rows[4] = v.record(
        Entity(
            "91",
            "110000",
            "MA01N2P3Q",
            "北京市市政工程设计研究总院有限公司",
            "陈明",
            "1",
            "1997-07-07",
            "8000",
            division="110102",
        )
    )
    rows[6]["entity_type"] = "企业"
    rows[8]["established"] = "1984/01/01"
    rows[10] = dict(rows[0], name="北京朝阳星河文化传媒有限公司（重复）")  # exported twice
    rows[12]["registered_capital"] = "38000万"
    rows[14]["registered_capital"] = 1000.1234567
    rows[15]["status"] = "存续"
    rows[17]["name"] = rows[17]["name"] + " "
    rows[19]["established"] = "2031-12-12"  # a typo for 2013: after the reference date
    rows[21]["registered_capital"] = -100
    del rows[23]["legal_representative"]
    return v.fields, rows, [dict(r) for r in rows]


def sample_files() -> dict[str, str]:
    """The quickstart samples: CSV as a Windows export (UTF-8 with BOM, CRLF), and JSONL."""
    out: dict[str, str] = {}
    for stem, build in (("natural-person", sample_people), ("legal-entity", sample_entities)):
        fields, rows, json_rows = build()
        text = render_csv(fields, rows)
        out[f"{stem}.csv"] = "\ufeff" + text.replace("\n", "\r\n")
        out[f"{stem}.jsonl"] = render_jsonl(json_rows)
    return out


VERSIONS: dict[tuple[str, str], Callable[[str], ExampleSet]] = {
    ("cn.natural-person", "1.0.0"): person_examples,
    ("cn.natural-person", "1.1.0"): person_examples,
    ("cn.natural-person", "2.0.0"): person_examples,
    ("cn.legal-entity", "1.0.0"): entity_examples,
    ("cn.legal-entity", "2.0.0"): entity_examples,
}


def all_files() -> dict[Path, str]:
    """Every generated file, by path."""
    out: dict[Path, str] = {}
    for (ident, version), build in VERSIONS.items():
        folder = STANDARDS / ident / version / "examples"
        for name, text in example_files(build(version)).items():
            out[folder / name] = text
    for name, text in sample_files().items():
        out[SAMPLES / name] = text
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on drift")
    args = parser.parse_args(argv)
    stale = []
    for path, text in all_files().items():
        current = path.read_bytes().decode("utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path.relative_to(REPO)}", file=sys.stderr)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
