"""No input bytes make `validate` raise, and every record is accounted for."""

from __future__ import annotations

import io
from datetime import date
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.session import Session

HEADER = "id_number,name,sex,birth_date,ethnicity,division_code,address,phone,email,updated_at"


@cache
def session() -> Session:
    return Session(autoload=False)


def check(data: bytes, input_format: str, standard: str) -> None:
    report = session().validate(
        "-",
        standard=standard,
        input_format=input_format,
        stdin=io.BytesIO(data),
        as_of=date(2026, 1, 1),
        batch_size=7,
    )
    stats = report.stats
    assert stats.balanced, stats
    assert stats.rejected <= stats.records
    assert stats.errors + stats.warnings + stats.infos == sum(report.counts.values())
    for finding in report.findings:
        assert finding.code in session().catalogue, finding.code
        assert finding.record is None or 1 <= finding.record <= stats.records


cells = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        ["110101199001011234", "11010119900101123X", "1", "01", "2000-01-01", "", '"', "\r\n"]
    ),
)
csv_like = st.lists(st.lists(cells, min_size=0, max_size=12), max_size=15).map(
    lambda rows: "\r\n".join([HEADER, *(",".join(r) for r in rows)])
)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["csv", "json", "jsonl"]))
def test_arbitrary_bytes_never_raise(data: bytes, input_format: str) -> None:
    check(data, input_format, "cn.natural-person@1.1")


@SETTINGS
@given(csv_like, encodings)
def test_csv_like_text_in_any_encoding(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    check(data, "csv", "cn.natural-person@1.1")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@SETTINGS
@given(st.lists(json_values | st.text(max_size=30), max_size=12))
def test_jsonl_of_arbitrary_values(values: list) -> None:
    import json

    lines = [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values]
    check("\n".join(lines).encode("utf-8", "surrogatepass"), "jsonl", "cn.legal-entity@1")
