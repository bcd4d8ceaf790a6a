"""Hypothesis strategies for valid cn.natural-person 1.x records with awkward text.

``govstd.testing.strategies.records`` draws plain valid records; these draw valid records
whose text fields reach the corners a vendor layout must survive: commas, quotes, line
breaks, ideographic spaces, characters outside GBK, the layout's own null markers. Identity
numbers carry correct check characters (or are legacy 15-digit numbers), birth dates and sex
codes agree with them, division codes come from the GB/T 2260 list in use at ``AS_OF``.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from functools import cache
from typing import Any

from hypothesis import strategies as st

from govstd.checks.identifiers import ric_check_character

AS_OF = date(2026, 1, 1)

_SEX_CODES = ("0", "1", "2", "9")


@cache
def division_codes(as_of: date = AS_OF) -> tuple[str, ...]:
    """GB/T 2260 county-level codes in use on ``as_of`` (the list govstd validates with)."""
    from govstd.codelists import CodeLists

    codes = CodeLists.default().get("gbt2260").codes(as_of)
    return tuple(sorted(c for c in codes if not c.endswith("00")))


def identity_number(
    division: str, born: date, sex: str, legacy: bool = False
) -> st.SearchStrategy[str]:
    """GB 11643 numbers: 18 characters with the check character, or the legacy 15 digits
    (born 1900–1999). The sequence code's parity agrees with sex 1/2 (odd = male)."""

    def build(sequence: int) -> str:
        if legacy:
            return f"{division}{born:%y%m%d}{sequence:03d}"
        body = f"{division}{born:%Y%m%d}{sequence:03d}"
        return body + ric_check_character(body)

    sequences = st.integers(0, 999)
    if sex == "1":
        sequences = sequences.map(lambda n: n | 1)
    elif sex == "2":
        sequences = sequences.map(lambda n: n & ~1)
    return sequences.map(build)


_TEXT = st.characters(blacklist_categories=("Cs", "Cc"))
#: printable text, sometimes with a line break inside
_PLAIN = st.text(_TEXT | st.sampled_from("\n,\"' 　"), min_size=1, max_size=30)


#: what JSON Schema's ECMA-262 ``\\s`` matches: Unicode Zs, the line terminators and U+FEFF
_ECMA_SPACE = (
    "".join(chr(c) for c in range(0x3001) if unicodedata.category(chr(c)) == "Zs")
    + "\t\n\v\f\r\ufeff\u2028\u2029\u205f\u3000"
)


def _name() -> st.SearchStrategy[str]:
    common = st.sampled_from(["张伟", "王芳", "欧阳娜娜", "买买提·艾力", "O'Brien", "无", "𠀀明"])
    text = st.text(_TEXT | st.sampled_from(",\"' 　"), min_size=1, max_size=30)
    # a name has no surrounding whitespace, in Python's sense and in ECMA-262's
    drawn = text.map(lambda s: s.strip().strip(_ECMA_SPACE).strip()).filter(
        lambda s: 0 < len(s) <= 50
    )
    return st.one_of(common, drawn)


def _phone() -> st.SearchStrategy[str]:
    mobile = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
    landline = st.from_regex(r"0[0-9]{2,3}-[0-9]{7,8}", fullmatch=True)
    return st.one_of(mobile, landline)


@st.composite
def natural_person_records(
    draw: Any, *, as_of: date = AS_OF, version: str = "1.1"
) -> dict[str, Any]:
    """A valid cn.natural-person 1.x record (``version`` ``"1.0"`` or ``"1.1"``), fields in
    the standard's order; optional fields absent or filled at random."""
    division = draw(st.sampled_from(division_codes(as_of)))
    legacy = draw(st.booleans()) and draw(st.booleans())
    last = date(1999, 12, 31) if legacy else as_of - timedelta(days=1)
    born = draw(st.dates(date(1900, 1, 1), last))
    sex = draw(st.sampled_from(_SEX_CODES))
    record: dict[str, Any] = {
        "id_number": draw(identity_number(division, born, sex, legacy)),
        "name": draw(_name()),
        "sex": sex,
        "birth_date": born.isoformat(),
    }
    if draw(st.booleans()):
        record["ethnicity"] = f"{draw(st.integers(1, 56)):02d}"
    record["division_code"] = division
    if draw(st.booleans()):
        record["address"] = draw(_PLAIN.filter(lambda s: len(s) <= 200))
    if draw(st.booleans()):
        record["phone"] = draw(_phone())
    if version != "1.0":
        if draw(st.integers(0, 4)) == 0:
            record["email"] = draw(
                st.from_regex(r"[a-z0-9.]{1,10}@[a-z]{1,8}\.(cn|com)", fullmatch=True)
            )
        if draw(st.integers(0, 4)) == 0:
            record["updated_at"] = "2024-05-01T08:30:00+08:00"
    return record
