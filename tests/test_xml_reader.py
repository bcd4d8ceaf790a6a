"""The XML reader (records from a repeated element, streamed) and the XML writer."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from govstd.catalogue import Catalogue
from govstd.formats.base import ReadOptions, Source
from govstd.formats.xml import XmlReader, XmlWriter, element_fields, record_tag_filter

DOC = """<?xml version="1.0" encoding="UTF-8"?>
<QYLIST version="1">
  <HEAD sender="甲"/>
  <QY id="1"><MC>甲公司</MC></QY>
  <QY id="2"><MC>乙公司</MC><QY id="nested"/></QY>
  <GROUP>
    <QY id="3"><MC>丙</MC></QY>
  </GROUP>
</QYLIST>
"""


def _read(catalogue: Catalogue, data: bytes, record: str | None, **options):
    """All batches; each batch's ``fields`` holds its records as mappings (records are freed
    once the next batch is read)."""
    reader = XmlReader(record)
    source = Source(name="s.xml", path=None, stream=io.BytesIO(data))
    batches = []
    for batch in reader.read(source, ReadOptions(**options), catalogue):
        FIELDS[id(batch)] = [element_fields(r) | {"": r.text} for r in batch.records]
        batches.append(batch)
    return batches


FIELDS: dict[int, list[dict]] = {}


def _fields(batch) -> list[dict]:
    return FIELDS[id(batch)]


def test_records_are_streamed_with_ordinals_lines_and_paths(catalogue: Catalogue) -> None:
    batches = _read(catalogue, DOC.encode(), "QY", batch_size=2)
    records = [r for b in batches for r in _fields(b)]
    assert len(batches) == 2
    assert [b.ordinals for b in batches] == [[1, 2], [3]]
    assert [line for b in batches for line in b.lines] == [4, 5, 7]
    assert [p for b in batches for p in b.paths] == [
        "/QYLIST/QY[1]",
        "/QYLIST/QY[2]",
        "/QYLIST/GROUP/QY[1]",
    ]
    assert len(records) == 3  # the nested QY is part of record 2
    assert batches[-1].envelope is not None and batches[0].envelope is None
    assert batches[0].encoding == "UTF-8"
    assert batches[0].record_tag == "{*}QY"


def test_checked_records_are_freed_leaving_one_placeholder_per_parent(catalogue: Catalogue) -> None:
    body = "<L>" + "".join(f"<R n='{i}'><v>{i}</v></R>" for i in range(50)) + "<T/></L>"
    reader = XmlReader("R").read(
        Source("s", None, io.BytesIO(body.encode())), ReadOptions(batch_size=10), catalogue
    )
    envelope = None
    for batch in reader:
        envelope = batch.envelope if batch.envelope is not None else envelope
    assert envelope is not None
    assert [child.tag for child in envelope] == ["R", "T"]
    assert len(envelope[0]) == 0 and not envelope[0].attrib


def test_whole_document_mode_gives_one_record(catalogue: Catalogue) -> None:
    (batch,) = _read(catalogue, DOC.encode(), None)
    assert batch.ordinals == [1] and batch.paths == ["/QYLIST"] and batch.lines == [2]
    assert batch.record_tag is None


@pytest.mark.parametrize("codec", ["GB18030", "GBK", "UTF-8", "UTF-16"])
def test_encoding_comes_from_the_prolog(catalogue: Catalogue, codec: str) -> None:
    text = DOC.replace('encoding="UTF-8"', f'encoding="{codec}"')
    batches = _read(catalogue, text.encode(codec.lower()), "QY")
    names = [r["MC"] for b in batches for r in _fields(b)]
    assert names == ["甲公司", "乙公司", "丙"]
    assert batches[0].encoding == codec


def test_encoding_option_overrides_a_missing_prolog(catalogue: Catalogue) -> None:
    data = "<L><R>中文</R></L>".encode("gb18030")
    batches = _read(catalogue, data, "R", encoding="gb18030")
    assert _fields(batches[0])[0][""] == "中文"
    bad = _read(catalogue, data, "R")  # read as UTF-8: a syntax error, not garbage
    assert [f.code for f in bad[0].findings] == ["xml.syntax"]


def test_malformed_xml_loses_nothing(catalogue: Catalogue) -> None:
    body = textwrap.dedent(
        """\
        <L>
          <R><v>1</v></R>
          <R><v>2</v></R>
          <R><v>3</vv></R>
          <R><v>4</v></R>
          <R/>
        </L>
        """
    ).encode()
    batches = _read(catalogue, body, "R")
    readable = [o for b in batches for o in b.ordinals]
    unreadable = [o for b in batches for o in b.unreadable]
    assert readable == [1, 2]
    assert unreadable == [3, 4, 5]
    (finding,) = [f for b in batches for f in b.findings]
    assert finding.code == "xml.syntax"
    assert finding.record == 3
    assert finding.location.line == 4 and finding.location.column
    assert "line 4" in finding.message


def test_malformed_whole_document(catalogue: Catalogue) -> None:
    (batch,) = _read(catalogue, b"<a>\n<b></a>", None)
    assert batch.unreadable == [1] and batch.findings[0].code == "xml.syntax"
    assert batch.findings[0].location.line == 2


@pytest.mark.parametrize("data", [b"", b"  \n", b"<L><X/></L>"])
def test_empty_sources(catalogue: Catalogue, data: bytes) -> None:
    batches = _read(catalogue, data, "R")
    assert [f.code for b in batches for f in b.findings] == ["source.empty"]
    assert not any(b.ordinals for b in batches)


def test_record_tag_filter() -> None:
    assert record_tag_filter("QY") == "{*}QY"
    assert record_tag_filter("ns:QY") == "{*}QY"
    assert record_tag_filter("{urn:x}QY") == "{urn:x}QY"


def test_namespaced_records(catalogue: Catalogue) -> None:
    body = b'<p:L xmlns:p="urn:x"><p:R>1</p:R><p:R>2</p:R></p:L>'
    (batch,) = _read(catalogue, body, "R")
    assert batch.paths == ["/p:L/p:R[1]", "/p:L/p:R[2]"]
    (batch,) = _read(catalogue, body, "{urn:y}R")
    assert not batch.ordinals


def test_element_fields() -> None:
    from lxml import etree

    element = etree.fromstring(
        '<QY id="7"><MC>甲</MC><DH>1</DH><DH>2</DH><DZ sheng="浙江">杭州</DZ><KONG/></QY>'
    )
    assert element_fields(element) == {
        "@id": "7",
        "MC": "甲",
        "DH": ["1", "2"],
        "DZ": {"@sheng": "浙江", "#text": "杭州"},
        "KONG": None,
    }


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "gbk"])
def test_writer_round_trips_through_the_reader(catalogue: Catalogue, encoding: str) -> None:
    records = [
        {"@id": "1", "MC": "甲公司", "DH": ["1", "2"], "DZ": {"@sheng": "浙江", "#text": "杭州"}},
        {"@id": "2", "MC": "乙 & <公司>", "ZCZB": 12.5, "SFYX": True, "BZ": None},
    ]
    out = io.BytesIO()
    with XmlWriter(out, root="QYLIST", record="QY", encoding=encoding) as writer:
        for record in records:
            writer.write(record)
    data = out.getvalue()
    assert data.startswith(f"<?xml version='1.0' encoding='{encoding.upper()}'?>".encode())
    batches = _read(catalogue, data, "QY")
    back = [{k: v for k, v in r.items() if k} for b in batches for r in _fields(b)]
    assert back[0] == records[0]
    assert back[1] == {"@id": "2", "MC": "乙 & <公司>", "ZCZB": "12.5", "SFYX": "true"}


def test_reading_standard_input_through_the_cli(tmp_path: Path) -> None:
    xsd = tmp_path / "s.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="L">'
        '<xs:complexType><xs:sequence><xs:element name="R" type="xs:int" maxOccurs="unbounded"/>'
        "</xs:sequence></xs:complexType></xs:element></xs:schema>",
        "utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "govstd",
            "validate",
            "-",
            "-i",
            "xml",
            "--schema",
            str(xsd),
            "--record-element",
            "R",
            "-f",
            "json",
        ],
        input=b"<L><R>1</R><R>x</R></L>",
        capture_output=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert b'"xml.schema.type"' in result.stdout


MEMORY_SCRIPT = """
import resource, sys
from govstd import Session
report = Session(autoload=False).validate(sys.argv[1], schema=sys.argv[2], record_element="R")
assert report.stats.records == int(sys.argv[3]), report.stats
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _big(path: Path, records: int) -> None:
    item = "<R id='{i}'><a>" + "甲乙丙丁" * 40 + "</a><b>12.5</b><c>2024-01-01</c></R>\n"
    with path.open("w", encoding="utf-8") as out:
        out.write("<L>\n")
        for i in range(records):
            out.write(item.format(i=i))
        out.write("</L>\n")


def test_memory_stays_flat_on_a_big_file(tmp_path: Path) -> None:
    """A 20 MB file validates in about the memory of a 1 MB one (whole-document parsing
    would need ~11x the file)."""
    xsd = tmp_path / "s.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="L">'
        '<xs:complexType><xs:sequence><xs:element name="R" maxOccurs="unbounded"><xs:complexType>'
        '<xs:sequence><xs:element name="a"/><xs:element name="b" type="xs:decimal"/>'
        '<xs:element name="c" type="xs:date"/></xs:sequence><xs:attribute name="id"/>'
        "</xs:complexType></xs:element></xs:sequence></xs:complexType></xs:element></xs:schema>",
        "utf-8",
    )
    peaks = {}
    for records in (2_000, 40_000):
        data = tmp_path / f"d{records}.xml"
        _big(data, records)
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_SCRIPT, str(data), str(xsd), str(records)],
            capture_output=True,
            text=True,
            check=True,
        )
        peaks[records] = int(out.stdout.strip()) / 1024  # MiB
    size = (tmp_path / "d40000.xml").stat().st_size / 2**20
    assert size > 18
    assert peaks[40_000] - peaks[2_000] < 40, (peaks, size)
