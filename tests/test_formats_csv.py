"""The CSV reader: batches, lines, dialects, encodings, malformed input, accounting."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.catalogue import Catalogue
from govstd.exceptions import SetupError, UsageError
from govstd.formats.base import Reader, ReadOptions, Source, TableBatch
from govstd.formats.csv import CsvReader, resolve_dialect, sniff_delimiter


def read(
    catalogue: Catalogue, data: bytes, tmp_path: Path | None = None, name: str = "x.csv", **options
) -> list[TableBatch]:
    if tmp_path is None:
        source = Source(name="<stdin>", stream=io.BytesIO(data))
    else:
        path = tmp_path / name
        path.write_bytes(data)
        source = Source.from_arg(path)
    return list(CsvReader().read(source, ReadOptions(**options), catalogue))


def records(batches: list[TableBatch]) -> list[tuple[int, int, list[str]]]:
    return [
        (o, line, row)
        for b in batches
        for o, line, row in zip(b.ordinals, b.lines, b.rows, strict=True)
    ]


def codes(batches: list[TableBatch]) -> list[tuple[str, int | None, int | None]]:
    return [(f.code, f.record, f.location.line) for b in batches for f in b.findings]


def test_is_a_reader() -> None:
    reader = CsvReader()
    assert isinstance(reader, Reader)
    assert (reader.name, reader.kind) == ("csv", "table")
    assert ".tsv" in reader.extensions


def test_line_endings_and_lines(catalogue: Catalogue, tmp_path: Path) -> None:
    batches = read(catalogue, b"a,b\r\n1,2\n3,4\r5,6", tmp_path)
    assert batches[0].header == ["a", "b"]
    assert records(batches) == [(1, 2, ["1", "2"]), (2, 3, ["3", "4"]), (3, 4, ["5", "6"])]
    assert codes(batches) == []


def test_header_is_first_non_blank_row_and_blank_rows_are_kept(catalogue: Catalogue) -> None:
    batches = read(catalogue, b'\n\nid,name\n1,a\n\n2,"x\ny"\n3,c\n')
    assert batches[0].header_line == 3
    assert records(batches) == [
        (1, 4, ["1", "a"]),
        (2, 5, []),
        (3, 6, ["2", "x\ny"]),
        (4, 8, ["3", "c"]),
    ]


def test_batches_have_the_batch_size(catalogue: Catalogue) -> None:
    data = b"a\n" + b"".join(b"%d\n" % i for i in range(25))
    batches = read(catalogue, data, batch_size=10)
    assert [len(b.rows) for b in batches] == [10, 10, 5]
    assert all(b.header is batches[0].header for b in batches)
    assert [o for b in batches for o in b.ordinals] == list(range(1, 26))


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        (b"a;b;c\n1;2,5;3\n4;5;6\n", ";"),
        (b"a\tb\n1\t2\n", "\t"),
        (b"a|b\n1|2\n", "|"),
        (b'a,b\n"x;y",2\n', ","),
    ],
)
def test_delimiter_is_sniffed(catalogue: Catalogue, data: bytes, delimiter: str) -> None:
    batches = read(catalogue, data)
    assert len(batches[0].header) == (3 if delimiter == ";" else 2)
    assert sniff_delimiter(data.decode()) == delimiter


def test_declared_dialect_wins(catalogue: Catalogue) -> None:
    data = b"a;b\n'x;y';2\n"
    batches = read(catalogue, data, dialect={"delimiter": ";", "quoteChar": "'"})
    assert records(batches) == [(1, 2, ["x;y", "2"])]
    batches = read(catalogue, b"a, b\n1, 2\n", dialect={"skipInitialSpace": True})
    assert batches[0].header == ["a", "b"]


def test_no_header_row(catalogue: Catalogue) -> None:
    batches = read(catalogue, b"1,2\n3,4\n", dialect={"header": False})
    assert batches[0].header == [] and batches[0].header_line == 0
    assert records(batches) == [(1, 1, ["1", "2"]), (2, 2, ["3", "4"])]


def test_comment_rows_are_skipped(catalogue: Catalogue) -> None:
    batches = read(catalogue, b"# note\na,b\n# x\n1,2\n", dialect={"commentChar": "#"})
    assert batches[0].header == ["a", "b"]
    assert records(batches) == [(1, 4, ["1", "2"])]


def test_bad_dialect_is_a_setup_error() -> None:
    with pytest.raises(SetupError, match="delimiter"):
        resolve_dialect({"delimiter": ";;"}, "")
    with pytest.raises(SetupError, match="unknown key"):
        resolve_dialect({"delimitr": ";"}, "")


@pytest.mark.parametrize("codec", ["utf-8", "gbk", "gb18030"])
def test_chinese_encodings(catalogue: Catalogue, tmp_path: Path, codec: str) -> None:
    text = "姓名,性别,住址\n张三,男,北京市朝阳区\n李四,女,上海市\n"
    batches = read(catalogue, text.encode(codec), tmp_path)
    assert batches[0].header == ["姓名", "性别", "住址"]
    assert records(batches)[1][2] == ["李四", "女", "上海市"]
    assert codes(batches) == []


def test_utf8_bom_is_removed(catalogue: Catalogue, tmp_path: Path) -> None:
    batches = read(catalogue, codecs.BOM_UTF8 + "编号,名称\n1,甲\n".encode(), tmp_path)
    assert batches[0].header == ["编号", "名称"]


def test_given_encoding_is_used(catalogue: Catalogue) -> None:
    data = "名称\n甲\n".encode("gbk")
    assert records(read(catalogue, data, encoding="GBK"))[0][2] == ["甲"]
    with pytest.raises(UsageError):
        read(catalogue, data, encoding="no-such-codec")


def test_one_gbk_row_in_a_utf8_file(catalogue: Catalogue) -> None:
    good = "".join(f"{i},张三{i}\n" for i in range(50)).encode()
    data = "编号,姓名\n".encode() + good + "50,王五\n".encode("gbk") + good
    batches = read(catalogue, data, batch_size=30)
    found = [f for b in batches for f in b.findings]
    assert [(f.code, f.record, f.location.line) for f in found] == [("source.encoding", 51, 52)]
    rows = records(batches)
    assert len(rows) == 101 and [o for o, _, _ in rows] == list(range(1, 102))
    assert rows[50][2][0] == "50" and "\ufffd" in rows[50][2][1]
    assert all("\ufffd" not in c for o, _line, row in rows if o != 51 for c in row)


def test_unclosed_quote_at_end(catalogue: Catalogue) -> None:
    batches = read(catalogue, b'a,b\n1,2\n3,"4\n5,6\n')
    assert records(batches) == [(1, 2, ["1", "2"])]
    assert batches[-1].unreadable == [2]
    assert codes(batches) == [("csv.syntax", 2, 3)]


def test_text_after_closing_quote(catalogue: Catalogue) -> None:
    batches = read(catalogue, b'a,b\n1,"2"x\n3,4\n')
    assert records(batches) == [(2, 3, ["3", "4"])]
    assert [b.unreadable for b in batches] == [[1]]
    assert codes(batches) == [("csv.syntax", 1, 2)]


def test_nul_byte(catalogue: Catalogue) -> None:
    batches = read(catalogue, b"a,b\n1,2\x00\n3,4\n")
    assert records(batches) == [(2, 3, ["3", "4"])]
    assert batches[0].unreadable == [1]
    assert codes(batches) == [("csv.syntax", 1, 2)]


def test_huge_field(catalogue: Catalogue) -> None:
    data = b'a,b\n1,"' + b"x" * 5000 + b'"\n2,3\n'
    batches = read(catalogue, data, max_line_bytes=1000)
    assert records(batches) == [(2, 3, ["2", "3"])]
    assert codes(batches) == [("source.line-too-long", 1, 2)]


def test_huge_line_is_not_held_in_memory(catalogue: Catalogue) -> None:
    data = b"a,b\n1,2\n" + b"x" * 3_000_000 + b"\r\n5,6\n"
    batches = read(catalogue, data, max_line_bytes=1000)
    assert records(batches) == [(1, 2, ["1", "2"]), (3, 4, ["5", "6"])]
    assert [b.unreadable for b in batches] == [[2]]
    found = batches[0].findings
    assert [(f.code, f.record, f.location.line) for f in found] == [("source.line-too-long", 2, 3)]
    assert found[0].params["length"] == 3_000_000


@pytest.mark.parametrize("data", [b"", b"\n\n", b"a,b\n", b"a,b\r\n\r\n"[:5]])
def test_empty(catalogue: Catalogue, data: bytes) -> None:
    batches = read(catalogue, data)
    assert [f.code for b in batches for f in b.findings] == ["source.empty"]
    assert records(batches) == []


def test_missing_file_is_a_usage_error(catalogue: Catalogue, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        list(CsvReader().read(Source.from_arg(tmp_path / "nope.csv"), ReadOptions(), catalogue))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.lists(
            st.sampled_from(
                [
                    b"a",
                    b"1",
                    b",",
                    b";",
                    b'"',
                    b"\n",
                    b"\r",
                    b"\r\n",
                    b"\x00",
                    "张".encode(),
                    "张".encode("gbk"),
                    b"\xff",
                ]
            ),
            max_size=80,
        ).map(b"".join),
    ),
    batch_size=st.integers(1, 5),
)
def test_arbitrary_bytes_never_raise_and_every_row_is_counted(
    catalogue: Catalogue, data: bytes, batch_size: int
) -> None:
    batches = read(catalogue, data, batch_size=batch_size, max_line_bytes=50)
    seen = sorted(o for b in batches for o in [*b.ordinals, *b.unreadable])
    assert seen == list(range(1, len(seen) + 1))  # contiguous, none twice
    for batch in batches:
        assert len(batch.rows) == len(batch.ordinals) == len(batch.lines)
        assert all(
            "\x00" not in c and not any("\udc80" <= ch <= "\udcff" for ch in c)
            for row in batch.rows
            for c in row
        )
        assert batch.lines == sorted(batch.lines)
