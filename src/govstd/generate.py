"""Synthetic feeds: records valid under a standard version, with known, injected defects.

:class:`RecordFactory` reads a standard version — its record schema (types, patterns, lengths,
formats, minimums, required fields) and its rules (code lists in use at the reference date,
GB 11643 identity numbers with correct check characters, birth dates and sexes that agree with
them, GB 32100 credit codes, date ranges, decimal places, uniqueness) — and builds records from
a :class:`random.Random`. The same factory backs ``govstd generate`` (a seeded feed plus a
ground-truth file) and the hypothesis strategies in :mod:`govstd.testing.strategies`.

A defect (:class:`Defect`) changes exactly one thing in an otherwise valid record and names the
one finding (code and field) validation must report for it, in CSV and JSON alike. The ground
truth file has the layout of a standard's ``examples/*.expected.json``.

Patterns are sampled from their parsed form (Python's ``re`` parser), so any standard's
patterns work; checks this module does not know (from plugins) are not taken into account.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, Any

from govstd.checks.identifiers import ric_check_character, uscc_check_character
from govstd.exceptions import UsageError

if TYPE_CHECKING:
    from govstd.session import Session
    from govstd.standard import Standard

__all__ = ["Defect", "Feed", "RecordFactory", "generate_feed"]

_CJK = "".join(
    "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华文建国平红霞玉兰桂梅春海燕辉晓东"
)
_ADDRESS = (
    "北京上海广州深圳福州南京杭州成都武汉西安市区县路街道号楼室村镇东西南北中新华人民建设解放"
)
_ALPHABET = _CJK + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_MAX_TRIES = 200


@dataclass(frozen=True, slots=True)
class Defect:
    """One injected defect and the finding it must produce (``record`` is set in a feed)."""

    kind: str
    field: str
    code: str
    why: str
    record: int | None = None
    severity: str = "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "field": self.field,
            "code": self.code,
            "severity": self.severity,
            "why": self.why,
        }


@dataclass
class Feed:
    """A generated feed: records (in order), the fields (columns) and the injected defects."""

    standard: str
    fields: list[str]
    records: list[dict[str, Any]]
    defects: list[Defect] = field(default_factory=list)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.fields)
        for record in self.records:
            writer.writerow(["" if record.get(f) is None else str(record[f]) for f in self.fields])
        return out.getvalue()

    def to_jsonl(self) -> str:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.records)

    def truth(self) -> list[dict[str, Any]]:
        return [d.to_dict() for d in sorted(self.defects, key=lambda d: (d.record or 0, d.field))]


# -- pattern sampling ------------------------------------------------------------------------


def _in_class(char: str, items: list[tuple[Any, Any]]) -> bool:
    negate = False
    hit = False
    for op, av in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            hit = hit or ord(char) == av
        elif op is sre.RANGE:
            hit = hit or av[0] <= ord(char) <= av[1]
        elif op is sre.CATEGORY:
            hit = hit or _category(char, av)
    return hit != negate


_CATEGORY_PATTERNS = {
    sre.CATEGORY_DIGIT: re.compile(r"\d"),
    sre.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    sre.CATEGORY_SPACE: re.compile(r"\s"),
    sre.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    sre.CATEGORY_WORD: re.compile(r"\w"),
    sre.CATEGORY_NOT_WORD: re.compile(r"\W"),
}


def _category(char: str, category: Any) -> bool:
    pattern = _CATEGORY_PATTERNS.get(category)
    return bool(pattern and pattern.match(char))


def _pick_class(items: list[tuple[Any, Any]], rnd: random.Random) -> str:
    positive = [item for item in items if item[0] is not sre.NEGATE]
    if len(positive) == len(items) and positive:
        op, av = rnd.choice(positive)
        if op is sre.LITERAL:
            return chr(av)
        if op is sre.RANGE:
            low, high = av
            if high - low > 0x3000:  # huge ranges: stay with printable characters
                candidates = [c for c in _ALPHABET if low <= ord(c) <= high]
                if candidates:
                    return rnd.choice(candidates)
            return chr(rnd.randint(low, high))
    for _ in range(_MAX_TRIES):
        char = rnd.choice(_ALPHABET + " -_.")
        if _in_class(char, items):
            return char
    raise ValueError("cannot find a character for a class in the pattern")


def _emit(items: Iterable[tuple[Any, Any]], rnd: random.Random, out: list[str]) -> None:
    for op, av in items:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.NOT_LITERAL:
            out.append(_pick_class([(sre.NEGATE, None), (sre.LITERAL, av)], rnd))
        elif op is sre.ANY:
            out.append(rnd.choice(_ALPHABET))
        elif op is sre.IN:
            out.append(_pick_class(list(av), rnd))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, high, sub = av
            high = low + 6 if high is sre.MAXREPEAT or high > low + 6 else high
            for _ in range(rnd.randint(low, high)):
                _emit(sub, rnd, out)
        elif op is sre.SUBPATTERN:
            _emit(av[-1], rnd, out)
        elif op is sre.BRANCH:
            _emit(rnd.choice(av[1]), rnd, out)
        elif op is sre.CATEGORY:
            out.append(_pick_class([(sre.CATEGORY, av)], rnd))
        elif op is sre.AT:
            continue
        else:
            raise ValueError(f"unsupported pattern construct {op}")


def sample_pattern(pattern: str, rnd: random.Random) -> str:
    """A string matching ``pattern`` (most of the time; callers check with ``fullmatch``)."""
    out: list[str] = []
    _emit(sre_parse.parse(pattern), rnd, out)
    return "".join(out)


# -- the factory -----------------------------------------------------------------------------


@dataclass
class _Field:
    name: str
    spec: Mapping[str, Any]
    required: bool
    regex: re.Pattern[str] | None = None
    codes: tuple[str, ...] = ()
    ever: frozenset[str] = frozenset()
    date_range: tuple[date, date] | None = None
    places: int | None = None

    @property
    def type(self) -> str:
        kind = self.spec.get("type", "string")
        return kind if isinstance(kind, str) else "string"

    def fits(self, value: str) -> bool:
        """The value passes the schema's own keywords (pattern, lengths)."""
        if self.regex is not None and not self.regex.fullmatch(value):
            return False
        low = int(self.spec.get("minLength", 0))
        high = self.spec.get("maxLength")
        return len(value) >= low and (high is None or len(value) <= int(high))


class RecordFactory:
    """Builds records valid under one standard version, and single-defect variants of them."""

    def __init__(
        self, standard: Standard, *, as_of: date, environ: Mapping[str, str] | None = None
    ):
        from govstd.gbt2260 import division_codes_ever
        from govstd.rules_plugin import standard_codelists, standard_rules

        self.standard = standard
        self.as_of = as_of
        schema = standard.load_json_artefact("json_schema")
        required = set(schema.get("required", ()))
        self.fields: dict[str, _Field] = {
            name: _Field(
                name,
                spec,
                name in required,
                re.compile(spec["pattern"]) if isinstance(spec.get("pattern"), str) else None,
            )
            for name, spec in schema.get("properties", {}).items()
        }
        library = standard_codelists(standard, environ)
        self.rules = standard_rules(standard)
        self.ric: tuple[str, bool] | None = None
        self.uscc: tuple[str, str] | None = None
        self.birth_match: tuple[str, str] | None = None
        self.sex_match: tuple[str, str] | None = None
        self.division_match: tuple[str, str] | None = None
        self.unique: list[tuple[str, ...]] = []
        self.tied: dict[str, set[str]] = {}
        for rule in self.rules:
            names = rule.fields
            params = rule.params
            if len(names) > 1:
                for name in names:
                    self.tied.setdefault(name, set()).update(names)
            if rule.check == "codelist":
                codelist = library.get(str(params["codelist"]))
                in_use = params.get("in_use", "as-of")
                allowed = codelist.codes(as_of) if in_use == "as-of" else codelist.codes()
                for name in names:
                    if name in self.fields:
                        f = self.fields[name]
                        f.codes = tuple(sorted(c for c in allowed if f.fits(c)))
                        f.ever = codelist.codes()
            elif rule.check == "date-range":
                low = _bound(params.get("min"), as_of) or date(1900, 1, 1)
                high = _bound(params.get("max"), as_of) or as_of
                for name in names:
                    if name in self.fields:
                        self.fields[name].date_range = (low, high)
            elif rule.check == "max-decimals":
                for name in names:
                    if name in self.fields:
                        self.fields[name].places = int(params.get("places", 2))
            elif rule.check == "cn.ric":
                self.ric = (names[0], bool(params.get("allow_15", False)))
            elif rule.check == "cn.uscc":
                self.uscc = (names[0], str(params.get("authorities", "123456789ANY")))
            elif rule.check == "cn.ric.birth-date-matches":
                self.birth_match = (names[0], names[1])
            elif rule.check == "cn.ric.sex-matches":
                self.sex_match = (names[0], names[1])
            elif rule.check == "cn.uscc.division-matches":
                self.division_match = (names[0], names[1])
            elif rule.check == "unique":
                self.unique.append(tuple(names))
        divisions = library.get("gbt2260")
        ever = division_codes_ever(library)
        self.divisions = tuple(
            sorted(c for c in divisions.codes(as_of) if c in ever and not c.endswith("00"))
        )

    # -- valid records -----------------------------------------------------------------------

    def valid(self, rnd: random.Random) -> dict[str, Any]:
        """A record every built-in check accepts (optional fields present about 70% of the time)."""
        record: dict[str, Any] = {}
        for f in self.fields.values():
            if f.required or rnd.random() < 0.7:
                record[f.name] = self._value(f, rnd)
        if self.ric is not None and self.ric[0] in record:
            record[self.ric[0]] = self._ric(record, rnd)
        if self.uscc is not None and self.uscc[0] in record:
            record[self.uscc[0]] = self._uscc(record, rnd)
        return record

    def _value(self, f: _Field, rnd: random.Random) -> Any:
        spec = f.spec
        if f.codes:
            return rnd.choice(f.codes)
        if isinstance(spec.get("enum"), list):
            return rnd.choice(spec["enum"])
        if f.type == "integer":
            low = int(spec.get("minimum", 0))
            return rnd.randint(low, int(spec.get("maximum", low + 50_000_000)))
        if f.type == "number":
            low = float(spec.get("minimum", 0))
            places = min(2, f.places if f.places is not None else 2)
            return round(rnd.uniform(low, low + 100_000), places)
        fmt = spec.get("format")
        for _ in range(_MAX_TRIES):
            if f.date_range is not None or fmt == "date":
                low, high = f.date_range or (date(1950, 1, 1), self.as_of)
                low = max(low, date(1940, 1, 1)) if high > date(1941, 1, 1) else low
                value = (low + timedelta(days=rnd.randint(0, (high - low).days))).isoformat()
            elif fmt == "date-time":
                moment = datetime(2015, 1, 1, tzinfo=timezone(timedelta(hours=8)))
                moment += timedelta(seconds=rnd.randint(0, 10 * 365 * 86400))
                value = moment.isoformat()
            elif fmt == "email":
                user = "".join(
                    rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(3, 10))
                )
                value = f"{user}@example.{rnd.choice(['cn', 'com', 'org.cn'])}"
            elif f.regex is not None:
                # free text under a shape-only pattern (names): try readable text first
                value = self._text(f, rnd)
                if not f.fits(value):
                    value = sample_pattern(f.regex.pattern, rnd)
            else:
                value = self._text(f, rnd)
            if f.fits(value):
                return value
        raise UsageError(f"cannot generate a valid value for {self.standard.ref} field {f.name}")

    @staticmethod
    def _text(f: _Field, rnd: random.Random) -> str:
        low = max(1, int(f.spec.get("minLength", 1)))
        high = int(f.spec.get("maxLength", 30))
        if high <= 50:
            size = rnd.randint(max(low, 2), max(low, min(high, 4)))
            return "".join(rnd.choice(_CJK) for _ in range(size))
        size = rnd.randint(max(low, 8), max(low, min(high, 30)))
        return "".join(rnd.choice(_ADDRESS) for _ in range(size))

    def _ric(self, record: dict[str, Any], rnd: random.Random, born: date | None = None) -> str:
        assert self.ric is not None
        if born is None and self.birth_match is not None:
            given = record.get(self.birth_match[1])
            born = date.fromisoformat(given) if isinstance(given, str) else None
        if born is None:
            born = date(1950, 1, 1) + timedelta(days=rnd.randint(0, 20000))
        sex = record.get(self.sex_match[1]) if self.sex_match is not None else None
        parity = {"1": 1, "2": 0}.get(str(sex), rnd.randint(0, 1))
        division = rnd.choice(self.divisions)
        last = str(rnd.randrange(parity, 10, 2))
        if self.ric[1] and 1900 <= born.year <= 1999 and rnd.random() < 0.1:
            return f"{division}{born:%y%m%d}{rnd.randint(0, 99):02d}{last}"
        body = f"{division}{born:%Y%m%d}{rnd.randint(0, 99):02d}{last}"
        return body + ric_check_character(body)

    def _uscc(self, record: dict[str, Any], rnd: random.Random) -> str:
        assert self.uscc is not None
        division = None
        if self.division_match is not None:
            given = record.get(self.division_match[1])
            division = given if isinstance(given, str) and given in self.divisions else None
        if division is None:
            division = rnd.choice(self.divisions)
            if self.division_match is not None and self.division_match[1] in record:
                record[self.division_match[1]] = division
        body = (
            rnd.choice(self.uscc[1])
            + rnd.choice("123")
            + division
            + "".join(rnd.choice(_USCC_ALPHABET) for _ in range(9))
        )
        return body + uscc_check_character(body)

    # -- defects -----------------------------------------------------------------------------

    def defect_kinds(self) -> list[tuple[str, str, str]]:
        """Every single-record defect this standard allows: ``(kind, field, code)``."""
        out: list[tuple[str, str, str]] = []
        identifiers = {x[0] for x in (self.ric, self.uscc) if x is not None}
        for f in self.fields.values():
            tied = self.tied.get(f.name, set()) - {f.name}
            if f.required:
                out.append(("missing", f.name, "field.required"))
            plain = f.type == "string" and "format" not in f.spec and f.date_range is None
            if (
                plain
                and f.regex is not None
                and not f.codes
                and (not tied or f.name in identifiers)
            ):
                out.append(("pattern", f.name, "field.pattern"))
            if (
                plain
                and "maxLength" in f.spec
                and not f.codes
                and not tied
                and f.name not in identifiers
            ):
                out.append(("length", f.name, "field.length"))
            division_tied = self.division_match is not None and f.name in self.division_match
            if f.codes and not division_tied:
                out.append(("codelist", f.name, "codelist.unknown-code"))
            if f.date_range is not None:
                out.append(("too-early", f.name, "field.range"))
                out.append(("too-late", f.name, "field.range"))
        if self.ric is not None:
            out.append(("check-digit", self.ric[0], "cn.ric.check-digit"))
        if self.birth_match is not None:
            out.append(("birth-date-mismatch", self.birth_match[1], "cn.ric.birth-date-mismatch"))
        if self.sex_match is not None:
            out.append(("sex-mismatch", self.sex_match[1], "cn.ric.sex-mismatch"))
        if self.uscc is not None:
            out.append(("check-digit", self.uscc[0], "cn.uscc.check-digit"))
        return out

    def invalid(
        self, rnd: random.Random, kind: tuple[str, str, str] | None = None
    ) -> tuple[dict[str, Any], Defect]:
        """A record with exactly one defect (``kind`` from :meth:`defect_kinds`, else random)."""
        kinds = self.defect_kinds()
        if not kinds:
            raise UsageError(f"{self.standard.ref}: no defect can be injected")
        kind = kind or rnd.choice(kinds)
        for _ in range(_MAX_TRIES):
            record = self.valid(rnd)
            defect = self._inject(record, kind, rnd)
            if defect is not None:
                return record, defect
        raise UsageError(f"cannot inject {kind[0]} into {self.standard.ref} field {kind[1]}")

    def _inject(
        self, record: dict[str, Any], kind: tuple[str, str, str], rnd: random.Random
    ) -> Defect | None:
        what, name, code = kind
        f = self.fields[name]
        if what != "missing" and name not in record:
            record[name] = self._value(f, rnd)
            if self.ric is not None and name == self.ric[0]:
                record[name] = self._ric(record, rnd)
        value = record.get(name)
        why: str
        if what == "missing":
            del record[name]
            why = f"{name} left out"
        elif what == "pattern":
            candidates = [
                str(value)[:-1],
                " " + str(value),
                str(value) + " ",
                str(value) + "#",
                "#" + str(value),
            ]
            bad = [
                c
                for c in candidates
                if f.regex is not None and not f.regex.fullmatch(c) and _length_ok(f, c)
            ]
            if not bad:
                return None
            record[name] = bad[0]
            why = f"{bad[0]!r} does not match the pattern"
        elif what == "length":
            longest = int(f.spec["maxLength"])
            filler = _ADDRESS if longest > 50 else _CJK
            long_value = "".join(rnd.choice(filler) for _ in range(longest + 1))
            if f.regex is not None and not f.regex.fullmatch(long_value):
                return None
            record[name] = long_value
            why = f"{longest + 1} characters, at most {longest} allowed"
        elif what == "codelist":
            unknown = self._unknown_code(f, rnd)
            if unknown is None:
                return None
            if self.sex_match is not None and name == self.sex_match[1] and unknown in ("1", "2"):
                return None
            record[name] = unknown
            why = f"{unknown!r} is not a code of the list"
        elif what in ("too-early", "too-late"):
            assert f.date_range is not None
            low, high = f.date_range
            bad_date = (
                low - timedelta(days=rnd.randint(1, 400))
                if what == "too-early"
                else high + timedelta(days=rnd.randint(1, 400))
            )
            record[name] = bad_date.isoformat()
            if (
                self.birth_match is not None
                and name == self.birth_match[1]
                and self.ric
                and self.ric[0] in record
            ):
                record[self.ric[0]] = self._ric_18(record, rnd, bad_date)
            why = f"{bad_date.isoformat()} outside {low.isoformat()}..{high.isoformat()}"
        elif what == "check-digit":
            text = str(value)
            if len(text) != 18:
                return None
            alphabet = "0123456789X" if self.ric and name == self.ric[0] else _USCC_ALPHABET
            record[name] = text[:17] + rnd.choice([c for c in alphabet if c != text[17]])
            why = "wrong check character"
        elif what == "birth-date-mismatch":
            given = date.fromisoformat(str(value))
            shifted = given - timedelta(days=1)
            if f.date_range is not None and shifted < f.date_range[0]:
                shifted = given + timedelta(days=1)
            if f.date_range is not None and not f.date_range[0] <= shifted <= f.date_range[1]:
                return None
            record[name] = shifted.isoformat()
            why = f"{shifted.isoformat()} differs from the identity number's birth date"
        elif what == "sex-mismatch":
            assert self.sex_match is not None
            number = str(record.get(self.sex_match[0], ""))
            if len(number) not in (15, 18):
                return None
            odd = int(number[14 if len(number) == 15 else 16]) % 2 == 1
            record[name] = "2" if odd else "1"
            why = "sex disagrees with the identity number's sequence code"
        else:
            return None
        return Defect(what, name, code, why)

    def _ric_18(self, record: dict[str, Any], rnd: random.Random, born: date) -> str:
        assert self.ric is not None
        allow_15 = self.ric
        self.ric = (allow_15[0], False)
        try:
            return self._ric(record, rnd, born)
        finally:
            self.ric = allow_15

    def _unknown_code(self, f: _Field, rnd: random.Random) -> str | None:
        sample_length = len(f.codes[0]) if f.codes else 2
        for _ in range(_MAX_TRIES):
            if f.regex is not None:
                candidate = sample_pattern(f.regex.pattern, rnd)
            else:
                candidate = "".join(rnd.choice("0123456789") for _ in range(sample_length))
            if candidate not in f.ever and f.fits(candidate):
                return candidate
        return None

    # -- feeds -------------------------------------------------------------------------------

    def _unique_key(self, record: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return [
            tuple(record.get(n) for n in names)
            for names in self.unique
            if all(record.get(n) is not None for n in names)
        ]

    def feed(self, count: int, *, invalid_rate: float, rnd: random.Random) -> Feed:
        """``count`` records; about ``invalid_rate`` of them carry one defect each."""
        records: list[dict[str, Any]] = []
        defects: list[Defect] = []
        seen: list[set[tuple[Any, ...]]] = [set() for _ in self.unique]
        kinds = self.defect_kinds()
        can_duplicate = bool(self.unique)
        clean: list[int] = []

        def fresh(
            make: Callable[[], tuple[dict[str, Any], Defect | None]],
        ) -> tuple[dict[str, Any], Defect | None]:
            for _ in range(_MAX_TRIES):
                record, defect = make()
                keys = self._unique_key(record)
                if all(k not in s for k, s in zip(keys, seen, strict=False)):
                    return record, defect
            raise UsageError("cannot generate unique records; lower --count")

        for ordinal in range(1, count + 1):
            defect: Defect | None = None
            if rnd.random() < invalid_rate and (kinds or can_duplicate):
                if can_duplicate and clean and rnd.random() < 1 / (len(kinds) + 1):
                    source = records[rnd.choice(clean)]
                    record = self.valid(rnd)
                    names = set(self.unique[0])
                    for n in list(names):
                        names |= self.tied.get(n, set())
                    for n in names:
                        if n in source:
                            record[n] = source[n]
                        else:
                            record.pop(n, None)
                    first = self.unique[0][0]
                    defect = Defect(
                        "duplicate", first, "field.unique", f"{first} repeats an earlier record"
                    )
                else:
                    record, defect = fresh(lambda: self.invalid(rnd))
            else:
                record, _ = fresh(lambda: (self.valid(rnd), None))
            for k, s in zip(self._unique_key(record), seen, strict=False):
                s.add(k)
            if defect is None:
                clean.append(len(records))
            records.append(record)
            if defect is not None:
                defects.append(Defect(defect.kind, defect.field, defect.code, defect.why, ordinal))
        return Feed(self.standard.ref, list(self.fields), records, defects)


def _length_ok(f: _Field, value: str) -> bool:
    low = int(f.spec.get("minLength", 0))
    high = f.spec.get("maxLength")
    return len(value) >= low and (high is None or len(value) <= int(high))


def _bound(value: Any, as_of: date) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    if value in ("as-of", "today"):
        return as_of
    return date.fromisoformat(str(value))


def generate_feed(
    session: Session,
    ref: str,
    *,
    count: int,
    invalid_rate: float = 0.0,
    seed: int | None = None,
    as_of: date | None = None,
) -> Feed:
    """A feed of ``count`` records for standard ``ref``; with ``invalid_rate`` > 0 about that
    share carries exactly one defect each, listed in ``Feed.defects`` (the ground truth)."""
    if count < 0:
        raise UsageError("count must be 0 or more")
    if not 0.0 <= invalid_rate <= 1.0:
        raise UsageError("invalid rate must be between 0 and 1")
    standard = session.resolve(ref)
    if standard.artefact_path("json_schema") is None:
        raise UsageError(f"{standard.ref} has no record schema to generate records from")
    factory = RecordFactory(standard, as_of=as_of or date.today(), environ=session.environ)
    return factory.feed(count, invalid_rate=invalid_rate, rnd=random.Random(seed))
