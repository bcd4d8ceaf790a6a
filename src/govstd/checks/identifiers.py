"""Checks for Chinese identifiers: GB 11643-1999 resident identity numbers and GB 32100-2015
unified social credit codes, and the cross-field rules that tie them to other fields.

Check characters are computed here (they are small, fixed algorithms and run once per record):

* GB 11643-1999, ISO 7064 MOD 11-2: the 17 digits are weighted ``2^(17-i) mod 11`` (``i`` from
  0); the check value ``c`` makes ``sum + c ≡ 1 (mod 11)``; 10 is written ``X``.
* GB 32100-2015: characters of ``0123456789ABCDEFGHJKLMNPQRTUWXY`` have the values 0–30 in that
  order; the 17 characters are weighted ``3^i mod 31``; the check character has the value
  ``31 - (sum mod 31)`` (31 becomes 0).

Unlike python-stdnum's verdicts, these checks accept every registration-authority character
the standard allows as the first USCC character (``1``-``9``, ``A``, ``N``, ``Y``) and accept an
identity number whose division code came into use after the birth year: a GB/T 2260 code in an
identity number stays valid for life, so it only has to have been in use at some time.

Values that do not have the basic shape (``\\d{17}[\\dX]`` or ``\\d{15}``; 18 characters of the
USCC alphabet) are not reported here: the record schema's pattern reports them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from operator import mul
from typing import Any

from govstd.findings import Finding
from govstd.rules import Check, Opener, RuleContext

__all__ = [
    "CHECKS",
    "ric_birth_date",
    "ric_check_character",
    "uscc_check_character",
]

# -- GB 11643-1999 ------------------------------------------------------------------------

_RIC_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
#: the weighted sum of ASCII codes is off by 48 ('0') times the sum of the weights
_RIC_OFFSET = ord("0") * sum(_RIC_WEIGHTS)
_RIC_CHARACTERS = "0123456789X"
_RIC18 = re.compile(r"[0-9]{17}[0-9X]\Z")
_RIC15 = re.compile(r"[0-9]{15}\Z")
_DATE_CACHE = 1 << 17


def ric_check_character(body: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits ``body`` (ASCII digits)."""
    total = sum(map(mul, _RIC_WEIGHTS, body.encode("ascii"))) - _RIC_OFFSET
    return _RIC_CHARACTERS[(1 - total) % 11]


def _real_date(yyyymmdd: str) -> bool:
    try:
        date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return True


def _embedded_date(number: str) -> str | None:
    """``YYYYMMDD`` embedded in a well-shaped 18- or 15-character number, else None."""
    if len(number) == 18 and _RIC18.match(number):
        return number[6:14]
    if len(number) == 15 and _RIC15.match(number):
        return "19" + number[6:12]
    return None


def ric_birth_date(number: str) -> date | None:
    """The birth date embedded in an identity number, or None if it has none or it is not a
    real calendar date (15-digit numbers: year 19YY)."""
    embedded = _embedded_date(number)
    if embedded is None or not _real_date(embedded):
        return None
    return date(int(embedded[:4]), int(embedded[4:6]), int(embedded[6:8]))


def _iso(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:]}"


def _build_ric(context: RuleContext) -> Opener:
    from govstd.gbt2260 import division_codes_ever

    (name,) = context.fields
    allow_15 = context.param("allow_15", False, bool)
    divisions = division_codes_ever(context.codelists)
    finding = context.finding
    ric18 = _RIC18.match
    ric15 = _RIC15.match
    # birth dates repeat a lot: remember the verdicts (a pure function; bounded)
    real_dates: dict[str, bool] = {}

    def check(record: Mapping[str, Any], ordinal: int, line: int | None) -> list[Finding] | None:
        value = record.get(name)
        if type(value) is not str:
            return None
        out: list[Finding] = []
        if len(value) == 18 and ric18(value):
            expected = ric_check_character(value[:17])
            if value[17] != expected:
                out.append(
                    finding(
                        "cn.ric.check-digit",
                        record=ordinal,
                        line=line,
                        field=name,
                        value=value,
                        expected=expected,
                        actual=value[17],
                    )
                )
            embedded = value[6:14]
        elif allow_15 and len(value) == 15 and ric15(value):
            embedded = "19" + value[6:12]
        else:
            return None
        real = real_dates.get(embedded)
        if real is None:
            real = _real_date(embedded)
            if len(real_dates) < _DATE_CACHE:
                real_dates[embedded] = real
        if not real:
            out.append(
                finding(
                    "cn.ric.birth-date",
                    record=ordinal,
                    line=line,
                    field=name,
                    value=value,
                    embedded=embedded,
                )
            )
        if value[:6] not in divisions:
            out.append(
                finding(
                    "cn.ric.division",
                    record=ordinal,
                    line=line,
                    field=name,
                    value=value,
                    division=value[:6],
                )
            )
        return out or None

    return lambda: check


def _build_birth_date_matches(context: RuleContext) -> Opener:
    number_field, date_field = context.fields
    finding = context.finding
    iso_date = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z").match

    def check(record: Mapping[str, Any], ordinal: int, line: int | None) -> list[Finding] | None:
        number = record.get(number_field)
        given = record.get(date_field)
        if type(number) is not str or type(given) is not str or not iso_date(given):
            return None
        embedded = _embedded_date(number)
        if embedded is None or given[:4] + given[5:7] + given[8:10] == embedded:
            return None
        if not _real_date(embedded):
            return None  # cn.ric reports the number itself
        return [
            finding(
                "cn.ric.birth-date-mismatch",
                record=ordinal,
                line=line,
                field=date_field,
                value=given,
                expected=_iso(embedded),
                id_field=number_field,
            )
        ]

    return lambda: check


def _build_sex_matches(context: RuleContext) -> Opener:
    number_field, sex_field = context.fields
    finding = context.finding
    ric18 = _RIC18.match
    ric15 = _RIC15.match

    def check(record: Mapping[str, Any], ordinal: int, line: int | None) -> list[Finding] | None:
        sex = record.get(sex_field)
        if sex != "1" and sex != "2":
            return None  # 0 (unknown) and 9 (not stated) agree with any number
        number = record.get(number_field)
        if type(number) is not str:
            return None
        if len(number) == 18 and ric18(number):
            sequence = number[16]
        elif len(number) == 15 and ric15(number):
            sequence = number[14]
        else:
            return None
        expected = "1" if int(sequence) % 2 else "2"
        if sex == expected:
            return None
        return [
            finding(
                "cn.ric.sex-mismatch",
                record=ordinal,
                line=line,
                field=sex_field,
                value=sex,
                expected=expected,
                id_field=number_field,
                sequence=sequence,
            )
        ]

    return lambda: check


# -- GB 32100-2015 ------------------------------------------------------------------------

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
#: ASCII byte → value in the alphabet (bytes.translate maps a whole code in one call)
_USCC_VALUES = bytes(
    _USCC_ALPHABET.index(chr(b)) if chr(b) in _USCC_ALPHABET else 0 for b in range(256)
)
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}\Z")
_SIX_DIGITS = re.compile(r"[0-9]{6}\Z")


def uscc_check_character(body: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters ``body`` (which must be
    from the code's alphabet)."""
    total = sum(map(mul, _USCC_WEIGHTS, body.encode("ascii").translate(_USCC_VALUES)))
    return _USCC_ALPHABET[-total % 31]


def _build_uscc(context: RuleContext) -> Opener:
    from govstd.gbt2260 import division_codes_ever

    (name,) = context.fields
    authorities = context.param("authorities", "123456789ANY", str)
    if not authorities or any(c not in _USCC_ALPHABET for c in authorities):
        raise context.error(
            f"parameter 'authorities' must be characters of {_USCC_ALPHABET}, not {authorities!r}"
        )
    divisions = division_codes_ever(context.codelists)
    finding = context.finding
    uscc = _USCC.match

    def check(record: Mapping[str, Any], ordinal: int, line: int | None) -> list[Finding] | None:
        value = record.get(name)
        if type(value) is not str or len(value) != 18 or not uscc(value):
            return None
        out: list[Finding] = []
        expected = uscc_check_character(value[:17])
        if value[17] != expected:
            out.append(
                finding(
                    "cn.uscc.check-digit",
                    record=ordinal,
                    line=line,
                    field=name,
                    value=value,
                    expected=expected,
                    actual=value[17],
                )
            )
        if value[0] not in authorities:
            out.append(
                finding(
                    "cn.uscc.authority",
                    record=ordinal,
                    line=line,
                    field=name,
                    value=value,
                    expected=", ".join(authorities),
                    authority=value[0],
                )
            )
        if value[2:8] not in divisions:
            out.append(
                finding(
                    "cn.uscc.division",
                    record=ordinal,
                    line=line,
                    field=name,
                    value=value,
                    division=value[2:8],
                )
            )
        return out or None

    return lambda: check


def _build_uscc_division_matches(context: RuleContext) -> Opener:
    code_field, division_field = context.fields
    finding = context.finding
    uscc = _USCC.match
    six_digits = _SIX_DIGITS.match

    def check(record: Mapping[str, Any], ordinal: int, line: int | None) -> list[Finding] | None:
        code = record.get(code_field)
        division = record.get(division_field)
        if type(code) is not str or type(division) is not str or code[2:8] == division:
            return None
        if len(code) != 18 or not uscc(code) or not six_digits(division):
            return None
        return [
            finding(
                "cn.uscc.division-mismatch",
                record=ordinal,
                line=line,
                field=division_field,
                value=division,
                expected=code[2:8],
                uscc_field=code_field,
            )
        ]

    return lambda: check


# -- vectorised screens (columnar batches): see govstd.checks.screens ------------------------


def _screen_ric(context: RuleContext) -> Any:
    from govstd.checks.screens import ric_screen

    return ric_screen(context)


def _screen_uscc(context: RuleContext) -> Any:
    from govstd.checks.screens import uscc_screen

    return uscc_screen(context)


def _screen_birth_date_matches(context: RuleContext) -> Any:
    from govstd.checks.screens import birth_date_matches_screen

    return birth_date_matches_screen(context)


def _screen_sex_matches(context: RuleContext) -> Any:
    from govstd.checks.screens import sex_matches_screen

    return sex_matches_screen(context)


CHECKS = (
    Check(
        "cn.ric",
        _build_ric,
        "GB 11643-1999 resident identity number: check character, embedded birth date, and a "
        "GB/T 2260 division code that was in use at some time.",
        params={"allow_15": "accept the legacy 15-digit form (birth year 19YY); default false"},
        codes=("cn.ric.check-digit", "cn.ric.birth-date", "cn.ric.division"),
        screen=_screen_ric,
    ),
    Check(
        "cn.ric.birth-date-matches",
        _build_birth_date_matches,
        "The birth date field equals the date embedded in the identity number.",
        fields=(2, 2),
        codes=("cn.ric.birth-date-mismatch",),
        screen=_screen_birth_date_matches,
    ),
    Check(
        "cn.ric.sex-matches",
        _build_sex_matches,
        "A sex code 1 (male) or 2 (female) agrees with the parity of the identity number's "
        "sequence code (odd: male).",
        fields=(2, 2),
        codes=("cn.ric.sex-mismatch",),
        screen=_screen_sex_matches,
    ),
    Check(
        "cn.uscc",
        _build_uscc,
        "GB 32100-2015 unified social credit code: check character, registration authority, "
        "and characters 3-8 a GB/T 2260 code that was in use at some time.",
        params={
            "authorities": "the legal first characters (registration authorities); "
            "default 123456789ANY"
        },
        codes=("cn.uscc.check-digit", "cn.uscc.authority", "cn.uscc.division"),
        screen=_screen_uscc,
    ),
    Check(
        "cn.uscc.division-matches",
        _build_uscc_division_matches,
        "Characters 3-8 of the unified social credit code equal the division code field.",
        fields=(2, 2),
        codes=("cn.uscc.division-mismatch",),
    ),
)
