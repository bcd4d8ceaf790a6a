"""The JSON Lines and JSON readers: records, lines, encodings and every kind of bad input."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.catalogue import Catalogue
from govstd.exceptions import UsageError
from govstd.findings import Severity
from govstd.formats.base import DocumentBatch, Reader, ReadOptions, Source
from govstd.formats.json import JsonReader
from govstd.formats.jsonl import JsonLinesReader

FIXTURE_SETTINGS = settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def read(reader: Reader, data: bytes, catalogue: Catalogue, **options: Any) -> list[DocumentBatch]:
    source = Source(name="feed", path=None, stream=io.BytesIO(data))
    return list(reader.read(source, ReadOptions(**options), catalogue))  # type: ignore[arg-type]


def flat(batches: list[DocumentBatch]) -> dict[str, Any]:
    """Everything the batches say, joined."""
    return {
        "records": [r for b in batches for r in b.records],
        "ordinals": [o for b in batches for o in b.ordinals],
        "lines": [line for b in batches for line in b.lines],
        "unreadable": [u for b in batches for u in b.unreadable],
        "findings": [f for b in batches for f in b.findings],
    }


def codes(batches: list[DocumentBatch]) -> list[tuple[str, int | None, int | None]]:
    return [(f.code, f.record, f.location.line) for f in flat(batches)["findings"]]


def test_readers_satisfy_the_protocol() -> None:
    for reader, name, extensions in (
        (JsonLinesReader(), "jsonl", {".jsonl", ".ndjson", ".jsonlines"}),
        (JsonReader(), "json", {".json"}),
    ):
        assert isinstance(reader, Reader)
        assert (reader.name, set(reader.extensions), reader.kind) == (name, extensions, "documents")


# -- JSON Lines ------------------------------------------------------------------------------------


def test_jsonl_records_ordinals_and_lines(catalogue: Catalogue) -> None:
    data = b'{"a": 1}\n\n   \n{"a": 2}\r\n\t\r\n[3]\n'
    out = flat(read(JsonLinesReader(), data, catalogue))
    assert out["records"] == [{"a": 1}, {"a": 2}, [3]]
    assert out["ordinals"] == [1, 2, 3]
    assert out["lines"] == [1, 4, 6]
    assert out["findings"] == out["unreadable"] == []


def test_jsonl_bom_on_first_line_only(catalogue: Catalogue) -> None:
    data = codecs.BOM_UTF8 + b'{"a": 1}\n' + codecs.BOM_UTF8 + b'{"a": 2}\n'
    batches = read(JsonLinesReader(), data, catalogue)
    out = flat(batches)
    assert out["records"] == [{"a": 1}]
    assert codes(batches) == [("json.syntax", 2, 2)]
    assert out["unreadable"] == [2]


def test_jsonl_malformed_middle_line(catalogue: Catalogue) -> None:
    data = b'{"a": 1}\n{"a": \n\n{"a": 3}\nNaN\n{"a": 5} x\n'
    batches = read(JsonLinesReader(), data, catalogue)
    out = flat(batches)
    assert out["records"] == [{"a": 1}, {"a": 3}]
    assert out["ordinals"] == [1, 3]
    assert out["unreadable"] == [2, 4, 5]
    assert codes(batches) == [("json.syntax", 2, 2), ("json.syntax", 4, 5), ("json.syntax", 5, 6)]
    first = out["findings"][0]
    assert first.location.column == 7
    assert first.message == "malformed JSON: Expecting value at line 2, column 7"
    assert "NaN is not valid JSON" in out["findings"][1].message
    assert "Extra data" in out["findings"][2].message


def test_jsonl_huge_line_is_not_parsed_nor_held(catalogue: Catalogue) -> None:
    class Recording(io.BytesIO):
        largest = 0

        def readline(self, size: int | None = -1) -> bytes:
            chunk = super().readline(size)
            Recording.largest = max(Recording.largest, len(chunk))
            return chunk

    huge = b'{"blob": "' + b"x" * 3_000_000 + b'"}'
    stream = Recording(b'{"a": 1}\n' + huge + b"\n" + b'{"a": 3}\n')
    source = Source(name="big", stream=stream)
    options = ReadOptions(max_line_bytes=1000)
    batches = list(JsonLinesReader().read(source, options, catalogue))
    out = flat(batches)
    assert out["records"] == [{"a": 1}, {"a": 3}]
    assert out["unreadable"] == [2]
    (finding,) = out["findings"]
    assert (finding.code, finding.record, finding.location.line) == ("source.line-too-long", 2, 2)
    assert finding.params["length"] == len(huge)
    assert finding.message == f"line 2 is {len(huge)} bytes, over the limit of 1000"
    assert Recording.largest <= 1024 * 1024  # read in bounded chunks, never whole


def test_jsonl_line_exactly_at_the_limit_is_read(catalogue: Catalogue) -> None:
    line = b'"' + b"x" * 8 + b'"'  # 10 bytes
    out = flat(read(JsonLinesReader(), line + b"\n" + line, catalogue, max_line_bytes=10))
    assert out["records"] == ["x" * 8, "x" * 8]
    out = flat(read(JsonLinesReader(), line + b" \n", catalogue, max_line_bytes=10))
    assert out["unreadable"] == [1]


def test_jsonl_undecodable_line_is_reported_and_still_checked(catalogue: Catalogue) -> None:
    data = '{"name": "张三"}\n'.encode() + '{"name": "李四"}\n'.encode("gbk") + b'{"n": 3}\n'
    batches = read(JsonLinesReader(), data, catalogue)
    out = flat(batches)
    assert out["ordinals"] == [1, 2, 3]
    assert out["records"][1]["name"].count("\ufffd") >= 1
    assert out["unreadable"] == []
    (finding,) = out["findings"]
    assert (finding.code, finding.record, finding.location.line) == ("source.encoding", 2, 2)
    assert finding.location.column == 11
    assert finding.message == "bytes not valid utf-8 at line 2, column 11"
    assert catalogue.message(finding, "zh") == "第 2 行存在不符合 utf-8 编码的字节"


def test_jsonl_declared_encoding(catalogue: Catalogue) -> None:
    data = '{"name": "李四"}\n'.encode("gbk")
    out = flat(read(JsonLinesReader(), data, catalogue, encoding="GBK"))
    assert out["records"] == [{"name": "李四"}]
    assert out["findings"] == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32-le", "no-such-codec"])
def test_jsonl_refuses_encodings_it_cannot_split(catalogue: Catalogue, encoding: str) -> None:
    with pytest.raises(UsageError):
        read(JsonLinesReader(), b"{}\n", catalogue, encoding=encoding)


def test_jsonl_batches(catalogue: Catalogue) -> None:
    data = b"".join(b'{"i": %d}\n' % i for i in range(7)) + b"oops\n"
    batches = read(JsonLinesReader(), data, catalogue, batch_size=3)
    assert [len(b.records) + len(b.unreadable) for b in batches] == [3, 3, 2]
    positions = [b.position for b in batches]
    assert positions == sorted(positions) and positions[-1] == len(data)
    assert flat(batches)["ordinals"] == list(range(1, 8))


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n", codecs.BOM_UTF8])
def test_jsonl_empty_source(catalogue: Catalogue, data: bytes) -> None:
    batches = read(JsonLinesReader(), data, catalogue)
    (finding,) = flat(batches)["findings"]
    assert (finding.code, finding.severity) == ("source.empty", Severity.WARNING)
    assert finding.message == "feed holds no records"
    assert flat(batches)["records"] == []


class _Failing(io.BytesIO):
    """A stream whose reads fail after the first line."""

    def readline(self, size: int | None = -1) -> bytes:
        if self.tell():
            raise OSError(5, "Input/output error")
        return super().readline(size)

    def read(self, size: int | None = -1) -> bytes:
        raise OSError(5, "Input/output error")


@pytest.mark.parametrize("reader", [JsonLinesReader(), JsonReader()])
def test_io_error_while_reading_is_a_finding(catalogue: Catalogue, reader: Reader) -> None:
    source = Source(name="disk", stream=_Failing(b'{"a": 1}\n{"a": 2}\n'))
    batches = list(reader.read(source, ReadOptions(), catalogue))  # type: ignore[arg-type]
    found = [f for f in flat(batches)["findings"] if f.code == "source.unreadable"]
    assert len(found) == 1
    assert found[0].message == "cannot read disk: Input/output error"


@pytest.mark.parametrize("reader", [JsonLinesReader(), JsonReader()])
def test_missing_file_is_a_usage_error(
    catalogue: Catalogue, reader: Reader, tmp_path: Path
) -> None:
    source = Source.from_arg(tmp_path / "absent.json")
    with pytest.raises(UsageError, match=r"absent\.json"):
        list(reader.read(source, ReadOptions(), catalogue))


def test_files_are_closed_and_stdin_is_not(catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"{}\n")
    assert flat(list(JsonLinesReader().read(Source.from_arg(path), ReadOptions(), catalogue)))[
        "records"
    ] == [{}]
    stream = io.BytesIO(b"{}\n")
    list(JsonLinesReader().read(Source.from_arg("-", stdin=stream), ReadOptions(), catalogue))
    assert not stream.closed


_BLANK = b" \t\r\n"


def _non_blank_lines(data: bytes) -> int:
    lines = data.split(b"\n")
    if lines and lines[0].startswith(codecs.BOM_UTF8):
        lines[0] = lines[0][3:]
    return sum(1 for line in lines if line.strip(_BLANK))


@FIXTURE_SETTINGS
@given(
    data=st.binary(max_size=400)
    | st.lists(st.sampled_from([b"{}", b"[1,", b'"\xff"', b"  ", b"\r", b"null", b"x" * 40])).map(
        b"\n".join
    ),
    limit=st.sampled_from([8, 64, 10_000]),
    batch_size=st.integers(1, 5),
)
def test_jsonl_never_raises_and_accounts_for_every_line(
    catalogue: Catalogue, data: bytes, limit: int, batch_size: int
) -> None:
    batches = read(JsonLinesReader(), data, catalogue, max_line_bytes=limit, batch_size=batch_size)
    out = flat(batches)
    expected = _non_blank_lines(data)
    assert len(out["records"]) + len(out["unreadable"]) == expected
    assert sorted(out["ordinals"] + out["unreadable"]) == list(range(1, expected + 1))
    assert all(len(b.records) + len(b.unreadable) <= batch_size for b in batches)
    if expected == 0:
        assert [f.code for f in out["findings"]] == ["source.empty"]


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@FIXTURE_SETTINGS
@given(
    values=st.lists(JSON_VALUES, max_size=6),
    gaps=st.lists(st.integers(0, 2), min_size=6, max_size=6),
    crlf=st.booleans(),
)
def test_jsonl_round_trip(
    catalogue: Catalogue, values: list[Any], gaps: list[int], crlf: bool
) -> None:
    end = b"\r\n" if crlf else b"\n"
    data, lines, line = b"", [], 0
    for value, gap in zip(values, gaps, strict=False):
        data += end * gap
        line += gap + 1
        lines.append(line)
        data += json.dumps(value, ensure_ascii=False).encode() + end
    out = flat(read(JsonLinesReader(), data, catalogue))
    assert out["records"] == values
    assert out["lines"] == lines
    assert out["ordinals"] == list(range(1, len(values) + 1))


# -- JSON ----------------------------------------------------------------------------------------


def test_json_single_document(catalogue: Catalogue) -> None:
    out = flat(read(JsonReader(), b'\n\n{"releases": [1, 2]}\n', catalogue))
    assert out["records"] == [{"releases": [1, 2]}]
    assert (out["ordinals"], out["lines"], out["findings"]) == ([1], [3], [])


def test_json_concatenated_documents(catalogue: Catalogue) -> None:
    data = b'{"a": 1}\n{"a":\n 2}  {"a": 3}\n\n[4]'
    batches = read(JsonReader(), data, catalogue, batch_size=2)
    out = flat(batches)
    assert out["records"] == [{"a": 1}, {"a": 2}, {"a": 3}, [4]]
    assert out["ordinals"] == [1, 2, 3, 4]
    assert out["lines"] == [1, 2, 3, 5]
    assert [len(b.records) for b in batches] == [2, 2]


def test_json_malformed(catalogue: Catalogue) -> None:
    batches = read(JsonReader(), b'{"a": 1}\n{"a": 2,\n  "b" 3}\n{"c": 4}', catalogue)
    out = flat(batches)
    assert out["records"] == [{"a": 1}]
    assert out["unreadable"] == [2]
    (finding,) = out["findings"]
    assert (finding.code, finding.record) == ("json.syntax", 2)
    assert (finding.location.line, finding.location.column) == (3, 7)
    assert finding.message == "malformed JSON: Expecting ':' delimiter at line 3, column 7"


def test_json_rejects_nan(catalogue: Catalogue) -> None:
    out = flat(read(JsonReader(), b'{"a": Infinity}', catalogue))
    assert out["unreadable"] == [1]
    assert "Infinity is not valid JSON" in out["findings"][0].message


@pytest.mark.parametrize("data", [b"", b"  \n\t", codecs.BOM_UTF8 + b"\n"])
def test_json_empty_source(catalogue: Catalogue, data: bytes) -> None:
    (finding,) = flat(read(JsonReader(), data, catalogue))["findings"]
    assert (finding.code, finding.severity) == ("source.empty", Severity.WARNING)


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + '{"名": 1}'.encode(),
        '{"名": 1}'.encode("utf-16"),
        '{"名": 1}'.encode("utf-32"),
    ],
)
def test_json_byte_order_marks(catalogue: Catalogue, data: bytes) -> None:
    out = flat(read(JsonReader(), data, catalogue))
    assert out["records"] == [{"名": 1}]
    assert out["findings"] == []


def test_json_non_utf8_names_the_likely_encoding(catalogue: Catalogue) -> None:
    text = '{"buyer": "Ministerio de Educación y Ciencias", "n": 1}\n{"x": "AUTORIZACIÓN"}'
    data = text.encode("latin-1")
    out = flat(read(JsonReader(), data, catalogue))
    assert out["records"][1] == {"x": "AUTORIZACI\ufffdN"}
    (finding,) = out["findings"]
    assert (finding.code, finding.record, finding.location.line) == ("source.encoding", 1, 1)
    assert finding.location.column == 33
    assert finding.params["encoding"] == "utf-8"
    assert finding.params["detected"]
    assert f"--encoding {finding.params['detected']}" in finding.message
    declared = flat(read(JsonReader(), data, catalogue, encoding="latin-1"))
    assert declared["findings"] == []
    assert declared["records"][1] == {"x": "AUTORIZACIÓN"}


def test_json_over_the_size_limit(catalogue: Catalogue) -> None:
    out = flat(read(JsonReader(), b'{"a": "' + b"x" * 100 + b'"}', catalogue, max_line_bytes=50))
    assert out["unreadable"] == [1]
    (finding,) = out["findings"]
    assert (finding.code, finding.record) == ("source.line-too-long", 1)
    assert "use JSON Lines" in finding.message


def test_json_unknown_encoding_is_a_usage_error(catalogue: Catalogue) -> None:
    with pytest.raises(UsageError, match="unknown encoding"):
        read(JsonReader(), b"{}", catalogue, encoding="klingon")


@FIXTURE_SETTINGS
@given(data=st.binary(max_size=300) | JSON_VALUES.map(lambda v: json.dumps(v).encode() * 2))
def test_json_never_raises_and_accounts_for_every_document(
    catalogue: Catalogue, data: bytes
) -> None:
    batches = read(JsonReader(), data, catalogue, batch_size=2)
    out = flat(batches)
    count = len(out["records"]) + len(out["unreadable"])
    assert sorted(out["ordinals"] + out["unreadable"]) == list(range(1, count + 1))
    assert len(out["unreadable"]) <= 1  # reading stops at the first syntax error
    if count == 0:
        assert "source.empty" in [f.code for f in out["findings"]]
    for finding in out["findings"]:
        assert finding.code in catalogue


@pytest.mark.parametrize("reader", [JsonLinesReader(), JsonReader()])
def test_too_deep_nesting_is_malformed_not_a_crash(catalogue: Catalogue, reader: Reader) -> None:
    data = b"[" * 100_000 + b"]" * 100_000 + b"\n"
    out = flat(read(reader, data + b"[1]\n", catalogue))
    assert out["unreadable"] == [1]
    (finding,) = out["findings"]
    assert finding.code == "json.syntax"
    assert "nested too deeply" in finding.message
