"""Record writers: JSON Lines, JSON, CSV (encoding, line ends, header)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from govstd.formats.writers import CsvWriter, JsonLinesWriter, JsonWriter, WriteOptions
from govstd.session import Session

RECORDS = [
    {"id": "1", "name": "张伟", "n": 1000.5, "ok": True},
    {"id": "2", "name": 'a,"b"\nc', "n": None},
]


def write(writer, records, fields=("id", "name", "n", "ok"), **options):
    stream = io.BytesIO()
    sink = writer.open(stream, fields, WriteOptions(**options))
    for record in records:
        sink.write(record)
    sink.close()
    assert not stream.closed  # the caller owns the stream
    return stream.getvalue()


def test_json_lines():
    data = write(JsonLinesWriter(), RECORDS).decode("utf-8")
    assert data.endswith("\n") and [json.loads(line) for line in data.splitlines()] == RECORDS
    assert "张伟" in data  # not \u escapes


@pytest.mark.parametrize("records", [[], RECORDS[:1], RECORDS])
def test_json_array(records):
    assert json.loads(write(JsonWriter(), records)) == records


def test_csv_header_order_and_cells():
    data = write(CsvWriter(), RECORDS).decode("utf-8")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows == [
        ["id", "name", "n", "ok"],
        ["1", "张伟", "1000.5", "true"],
        ["2", 'a,"b"\nc', "", ""],
    ]


def test_csv_gbk_crlf_and_delimiter():
    data = write(
        CsvWriter(), RECORDS[:1], encoding="gb18030", line_terminator="\r\n", delimiter=";"
    )
    assert data == "id;name;n;ok\r\n1;张伟;1000.5;true\r\n".encode("gbk")


def test_csv_without_header():
    assert (
        write(CsvWriter(), RECORDS[:1], header=False) == b"1,\xe5\xbc\xa0\xe4\xbc\x9f,1000.5,true\n"
    )


def test_writers_are_registered_through_the_hook():
    writers = Session(autoload=False).writers
    assert {"jsonl", "json", "csv"} <= set(writers)


def test_json_lines_escape_characters_other_tools_break_lines_at():
    record = {"name": "a\x85b\u2028c\u2029d\x1ce张"}
    data = write(JsonLinesWriter(), [record], fields=("name",)).decode("utf-8")
    assert data.splitlines() == [data.rstrip("\n")]
    assert json.loads(data) == record
