"""acme-hr end to end: the vendor's quirks, the reverse direction, and two properties."""

from __future__ import annotations

import io
import json
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies_canonical import natural_person_records

from govstd.formats.writers import WriteOptions
from govstd.session import Session

AS_OF = date(2026, 1, 1)
HEADER = ["姓名", "身份证号", "性别", "出生日期", "民族", "户籍地行政区划", "户籍地址", "联系电话"]


@pytest.fixture(scope="module")
def session() -> Session:
    return Session(autoload=True)


def acme_file(path: Path, rows: list[list[str]], encoding: str = "gbk") -> Path:
    text = "\r\n".join(",".join(row) for row in [HEADER, *rows]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def test_the_plugin_is_registered_through_its_entry_point(session):
    adapter = session.adapters["acme-hr"]
    assert adapter.range == "cn.natural-person@^1.0"
    assert adapter.labels() == HEADER
    assert "adapter:acme-hr" in session.registrations("acme-hr")


CASES = [
    # (row, expected canonical record or None when rejected, fix codes / error code)
    (
        [
            "张伟",
            "110101198503120017",
            "男",
            "1985年3月12日",
            "汉族",
            "110101",
            "北京市东城区",
            "13801012345",
        ],
        {
            "id_number": "110101198503120017",
            "name": "张伟",
            "sex": "1",
            "birth_date": "1985-03-12",
            "ethnicity": "01",
            "division_code": "110101",
            "address": "北京市东城区",
            "phone": "13801012345",
        },
        [],
    ),
    (
        [
            "\u3000王芳 ",
            "310104199007250024",
            "女",
            "1990/7/25",
            "汉",
            "310104.0",
            "无",
            "+86 139 1688 1234",
        ],
        {
            "id_number": "310104199007250024",
            "name": "王芳",
            "sex": "2",
            "birth_date": "1990-07-25",
            "ethnicity": "01",
            "division_code": "310104",
            "phone": "13916881234",
        },
        ["fix.phone-normalised", "fix.spreadsheet-suffix", "fix.trimmed"],
    ),
    (
        [
            "李娜",
            "１１０１０５１９４９１２３１００２ｘ",
            "未说明",
            "19491231",
            "蒙古",
            "110105",
            "-",
            "86-13801012345",
        ],
        {
            "id_number": "11010519491231002X",
            "name": "李娜",
            "sex": "9",
            "birth_date": "1949-12-31",
            "ethnicity": "02",
            "division_code": "110105",
            "phone": "13801012345",
        },
        ["fix.fullwidth-digits", "fix.id-upper-x", "fix.phone-normalised"],
    ),
    (
        ["赵磊", "310104720815123", "未知", "1972年8月15日", "NULL", "310104", "/", "021-64370000"],
        {
            "id_number": "310104720815123",
            "name": "赵磊",
            "sex": "0",
            "birth_date": "1972-08-15",
            "division_code": "310104",
            "phone": "021-64370000",
        },
        [],
    ),
    (
        ["刘洋", "1.10105E+17", "男", "2001年1月31日", "汉族", "350102", "", ""],
        None,
        "adapter.scientific-notation",
    ),
    (
        ["钱七", "110101198503120033", "不详", "1985年3月12日", "汉族", "110101", "", ""],
        None,
        "adapter.unmapped-value",
    ),
    (
        ["孙八", "110101198503120033", "男", "1985年2月30日", "汉族", "110101", "", ""],
        None,
        "adapter.invalid-date",
    ),
    (
        ["周九", "110101198503120033", "男", "85/3/12", "汉族", "110101", "", ""],
        None,
        "adapter.unparseable-value",
    ),
    (
        ["吴十", "110101198503120033", "男", "1985年3月12日", "穿青人", "110101", "", ""],
        None,
        "adapter.unmapped-value",
    ),
    (
        ["郑一", "110101198503120034", "男", "1985年3月12日", "汉族", "110101", "", ""],
        None,
        "cn.ric.check-digit",
    ),
]


@pytest.mark.parametrize(("row", "expected", "codes"), CASES, ids=[c[0][0].strip() for c in CASES])
def test_vendor_quirks(session, tmp_path, row, expected, codes):
    source = acme_file(tmp_path / "acme.csv", [row])
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = session.transform(source, adapter="acme-hr", output=out, rejects=rejects, as_of=AS_OF)
    assert result.records == 1 and result.balanced
    if expected is not None:
        assert read_jsonl(out) == [expected]
        assert sorted(result.fixes) == codes
        assert result.report.stats.fixed == (1 if codes else 0)
    else:
        assert read_jsonl(out) == []
        [reject] = read_jsonl(rejects)
        assert reject["raw"] == dict(zip(HEADER, row, strict=True))
        assert reject["line"] == 2
        assert codes in {f["code"] for f in reject["findings"]}


def test_gb18030_and_utf8_bom_feeds_are_read(session, tmp_path):
    row = ["𠀀明", "110101198503120017", "男", "1985年3月12日", "汉族", "110101", "", ""]
    for encoding in ("gb18030", "utf-8-sig"):
        source = acme_file(tmp_path / f"{encoding}.csv", [row], encoding=encoding)
        out = tmp_path / f"{encoding}.jsonl"
        session.transform(source, adapter="acme-hr", output=out, as_of=AS_OF)
        assert read_jsonl(out)[0]["name"] == "𠀀明"


def to_acme(session: Session, records: list[dict]) -> tuple[bytes, list[set[str]]]:
    """canonical → acme-hr, as ``--to-adapter acme-hr`` writes it; per record, the fields
    the adapter refused to write."""
    adapter = session.adapters["acme-hr"]
    stream = io.BytesIO()
    sink = session.writers["csv"].open(
        stream, adapter.labels(), WriteOptions(encoding="gb18030", line_terminator="\r\n")
    )
    refused = []
    for record in records:
        cells, problems = adapter.to_vendor(record)
        refused.append({name for _, name, _, _ in problems})
        if not problems:
            sink.write(cells)
    sink.close()
    return stream.getvalue(), refused


def test_reverse_direction_writes_the_vendor_layout(session):
    data, problems = to_acme(
        session,
        [
            {
                "id_number": "110101198503120017",
                "name": "张伟",
                "sex": "1",
                "birth_date": "1985-03-02",
                "ethnicity": "01",
                "division_code": "110101",
                "phone": "13801012345",
            }
        ],
    )
    assert problems == [set()]
    assert data.decode("gbk") == (
        "姓名,身份证号,性别,出生日期,民族,户籍地行政区划,户籍地址,联系电话\r\n"
        "张伟,110101198503120017,男,1985年3月2日,汉族,110101,,13801012345\r\n"
    )


#: values the acme-hr layout cannot carry so that they read back unchanged
NOT_REPRESENTABLE = {"email", "updated_at"}


def _why_not(record: dict) -> set[str]:
    nulls = {"无", "-", "/", "NULL", "null"}
    fields = {name for name in record if name in NOT_REPRESENTABLE}
    fields |= {
        name
        for name, value in record.items()
        if isinstance(value, str) and (value in nulls or value != value.strip())
    }
    return fields


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(natural_person_records(), min_size=1, max_size=8, unique_by=lambda r: r["id_number"])
)
def test_canonical_to_acme_to_canonical_is_lossless(session, records):
    data, refused = to_acme(session, records)
    # a value is refused exactly when the layout cannot carry it (and never silently changed)
    assert refused == [_why_not(r) for r in records]
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "acme.csv"
        source.write_bytes(data)
        out = Path(folder) / "out.jsonl"
        result = session.transform(source, adapter="acme-hr", output=out, as_of=AS_OF)
        back = read_jsonl(out)
    assert result.rejected == 0 and result.report.stats.fixed == 0
    assert back == [r for r, no in zip(records, refused, strict=True) if not no]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        natural_person_records(version="1.0"),
        min_size=1,
        max_size=5,
        unique_by=lambda r: r["id_number"],
    )
)
def test_generated_records_are_valid(session, records):
    """The strategy is honest: what it draws, the standard accepts."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "records.jsonl"
        source.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
        )
        report = session.validate(source, standard="cn.natural-person@1.0", as_of=AS_OF)
    assert report.valid, [f.message for f in report.findings]


_JUNK = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "无",
            "NULL",
            "男",
            "女",
            "汉",
            "1.10105E+17",
            "110105.0",
            "１２３",
            "1985年2月30日",
            "19850312",
            "+86 138 0101 2345",
            '"',
            "\r\n",
            ",",
            "\x00",
        ]
    ),
    st.from_regex(r"[0-9]{15,18}[xX]?", fullmatch=True),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.permutations(HEADER).flatmap(
        lambda h: st.lists(st.sampled_from([*h, "备注", ""]), max_size=10).map(
            lambda extra: h[: len(h) - (len(extra) % 3)] + extra
        )
    ),
    rows=st.lists(st.lists(_JUNK, max_size=11), max_size=12),
    encoding=st.sampled_from(["gb18030", "utf-8"]),
    garbage=st.binary(max_size=8),
)
def test_arbitrary_feeds_never_raise_and_every_record_is_accounted_for(
    session, header, rows, encoding, garbage
):
    def line(cells):
        return ",".join(
            '"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c for c in cells
        )

    text = "\r\n".join(line(r) for r in [header, *rows]) + "\r\n"
    data = text.encode(encoding, errors="replace") + garbage
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "acme.csv"
        source.write_bytes(data)
        out, rejects = Path(folder) / "out.jsonl", Path(folder) / "rejects.jsonl"
        result = session.transform(
            source, adapter="acme-hr", output=out, rejects=rejects, as_of=AS_OF
        )
        stats = result.report.stats
        assert stats.records == result.written + stats.rejected
        assert stats.records == stats.passed + stats.fixed + stats.rejected
        assert len(read_jsonl(out)) == result.written
        assert len(read_jsonl(rejects)) == stats.rejected
