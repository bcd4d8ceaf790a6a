"""XSD and Schematron validation of XML: engines, records, envelopes, standards, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from govstd import Session
from govstd.exceptions import SchemaError
from govstd.findings import Severity

COMMON = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:simpleType name="code"><xs:restriction base="xs:string"><xs:pattern value="[0-9A-Z]{18}"/></xs:restriction></xs:simpleType>
</xs:schema>"""

# QY is declared locally (not a global element): streaming must promote it.
XSD = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:include schemaLocation="common.xsd"/>
  <xs:element name="QYLIST">
    <xs:complexType><xs:sequence>
      <xs:element name="HEAD" minOccurs="0"><xs:complexType><xs:attribute name="v" type="xs:int"/></xs:complexType></xs:element>
      <xs:element name="QY" maxOccurs="unbounded">
        <xs:complexType><xs:sequence>
          <xs:element name="MC" type="xs:string"/>
          <xs:element name="TYDM" type="code"/>
          <xs:element name="ZT" minOccurs="0"><xs:simpleType><xs:restriction base="xs:string">
            <xs:enumeration value="1"/><xs:enumeration value="2"/></xs:restriction></xs:simpleType></xs:element>
        </xs:sequence><xs:attribute name="id" type="xs:string" use="required"/></xs:complexType>
      </xs:element>
    </xs:sequence><xs:attribute name="version" type="xs:string" use="required"/></xs:complexType>
    <xs:unique name="uid"><xs:selector xpath="QY"/><xs:field xpath="@id"/></xs:unique>
  </xs:element>
</xs:schema>"""

DATA = """<?xml version="1.0" encoding="UTF-8"?>
<QYLIST>
  <HEAD v="x"/>
  <QY id="1"><MC>甲</MC><TYDM>91330000123456789X</TYDM></QY>
  <QY id="1"><MC>乙</MC><TYDM>bad</TYDM><ZT>9</ZT></QY>
  <QY><MC>丙</MC><TYDM>91330000123456789X</TYDM></QY>
  <QY id="4"><MC>丁</MC><TYDM>91330000123456789X</TYDM></QY>
</QYLIST>
"""

SCH = """<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="{binding}">
  <sch:pattern id="p1">
    <sch:rule context="QYLIST">
      <sch:assert id="R-VERSION" test="@version = '2'" role="warning">version must be 2</sch:assert>
    </sch:rule>
    <sch:rule context="QY">
      <sch:assert id="R-TYDM" test="starts-with(TYDM, '9')">TYDM must start with 9</sch:assert>
      <sch:report id="R-DING" test="MC = '丁'" role="info">found <sch:value-of select="MC"/></sch:report>
    </sch:rule>
  </sch:pattern>
</sch:schema>"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in {
        "common.xsd": COMMON,
        "qy.xsd": XSD,
        "qy.xml": DATA,
        "rules.sch": SCH.format(binding="xslt"),
        "rules2.sch": SCH.format(binding="xslt2"),
    }.items():
        out[name] = tmp_path / name
        out[name].write_text(text, "utf-8")
    return out


def _errors(report) -> list[tuple]:
    return sorted(
        (
            (f.record, f.location.line, f.code, f.location.xpath)
            for f in report.findings
            if f.is_error
        ),
        key=lambda t: (t[0] or 0, *t[1:]),
    )


def test_whole_document(files: dict[str, Path]) -> None:
    report = Session(autoload=False).validate(files["qy.xml"], schema=files["qy.xsd"])
    assert report.stats.records == 1 and report.stats.rejected == 1
    assert _errors(report) == [
        (1, 2, "xml.schema.attribute", "/QYLIST"),
        (1, 3, "xml.schema.type", "/QYLIST/HEAD"),
        (1, 5, "xml.schema.enumeration", "/QYLIST/QY[2]/ZT"),
        (1, 5, "xml.schema.identity", "/QYLIST/QY[2]"),
        (1, 5, "xml.schema.pattern", "/QYLIST/QY[2]/TYDM"),
        (1, 6, "xml.schema.attribute", "/QYLIST/QY[3]"),
    ]


def test_records_are_validated_one_by_one_with_the_envelope_once(files: dict[str, Path]) -> None:
    report = Session(autoload=False).validate(
        files["qy.xml"], schema=files["qy.xsd"], record_element="QY"
    )
    assert (report.stats.records, report.stats.passed, report.stats.rejected) == (4, 2, 2)
    assert _errors(report) == [
        (None, 2, "xml.schema.attribute", "/QYLIST"),
        (None, 3, "xml.schema.type", "/QYLIST/HEAD"),
        (2, 5, "xml.schema.enumeration", "/QYLIST/QY[2]/ZT"),
        (2, 5, "xml.schema.pattern", "/QYLIST/QY[2]/TYDM"),
        (3, 6, "xml.schema.attribute", "/QYLIST/QY[3]"),
    ]
    # the duplicate id across records needs the whole document: said, not silently skipped
    (note,) = [f for f in report.findings if f.code == "xml.streaming-unchecked"]
    assert note.severity is Severity.INFO and "xs:unique uid" in note.message
    field = next(f for f in report.findings if f.location.line == 3).location.field
    assert field == "HEAD/@v"


def test_root_checks(files: dict[str, Path], tmp_path: Path) -> None:
    session = Session(autoload=False)
    lone = tmp_path / "lone.xml"
    lone.write_text("<HEADX/>", "utf-8")
    report = session.validate(lone, schema=files["qy.xsd"], record_element="QY")
    assert any(f.code == "xml.root" and f.is_error for f in report.findings)
    assert not report.valid


def test_local_declaration_ambiguity_is_a_setup_error(tmp_path: Path) -> None:
    xsd = tmp_path / "a.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="L"><xs:complexType>'
        '<xs:sequence><xs:element name="A"><xs:complexType><xs:sequence><xs:element name="R" type="xs:int"/>'
        '</xs:sequence></xs:complexType></xs:element><xs:element name="R" type="xs:date"/></xs:sequence>'
        "</xs:complexType></xs:element></xs:schema>",
        "utf-8",
    )
    doc = tmp_path / "a.xml"
    doc.write_text("<L><A><R>1</R></A><R>2020-01-01</R></L>", "utf-8")
    session = Session(autoload=False)
    assert session.validate(doc, schema=xsd).valid
    with pytest.raises(SchemaError, match="2 different ways"):
        session.validate(doc, schema=xsd, record_element="R")
    with pytest.raises(SchemaError, match="no element <Z>"):
        session.validate(doc, schema=xsd, record_element="Z")


def test_an_invalid_schema_is_a_setup_error(tmp_path: Path) -> None:
    xsd = tmp_path / "bad.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="nope"/></xs:schema>',
        "utf-8",
    )
    (tmp_path / "a.xml").write_text("<a/>", "utf-8")
    with pytest.raises(SchemaError, match="not a valid XML Schema"):
        Session(autoload=False).validate(tmp_path / "a.xml", schema=xsd)


def test_schematron(files: dict[str, Path]) -> None:
    session = Session(autoload=False)
    whole = session.validate(files["qy.xml"], schematron=files["rules.sch"])
    found = sorted(
        (f.code, f.severity.label, f.record, f.location.line, f.location.xpath, f.params["rule"])
        for f in whole.findings
    )
    assert found == [
        ("schematron.assert", "error", 1, 5, "/QYLIST/QY[2]", "R-TYDM"),
        ("schematron.assert", "warning", 1, 2, "/QYLIST", "R-VERSION"),
        ("schematron.report", "info", 1, 7, "/QYLIST/QY[4]", "R-DING"),
    ]
    streamed = session.validate(files["qy.xml"], schematron=files["rules.sch"], record_element="QY")
    found = sorted(
        (f.code, f.severity.label, f.record or 0, f.location.line, f.location.xpath)
        for f in streamed.findings
    )
    assert found == [
        ("schematron.assert", "error", 2, 5, "/QYLIST/QY[2]"),
        ("schematron.assert", "warning", 0, 2, "/QYLIST"),  # the envelope: once, no record
        ("schematron.report", "info", 4, 7, "/QYLIST/QY[4]"),
    ]
    assert (streamed.stats.passed, streamed.stats.rejected) == (3, 1)
    assert "found 丁" in next(f.message for f in streamed.findings if f.code == "schematron.report")


def test_xsd_and_schematron_together(files: dict[str, Path]) -> None:
    report = Session(autoload=False).validate(
        files["qy.xml"], schema=files["qy.xsd"], schematron=files["rules.sch"], record_element="QY"
    )
    codes = {f.code for f in report.findings}
    assert {"schematron.assert", "xml.schema.pattern", "xml.streaming-unchecked"} <= codes


def test_xpath2_schematron_is_refused(files: dict[str, Path]) -> None:
    with pytest.raises(SchemaError, match="queryBinding 'xslt2'"):
        Session(autoload=False).validate(files["qy.xml"], schematron=files["rules2.sch"])


def test_json_plans_never_see_xml(files: dict[str, Path], tmp_path: Path) -> None:
    from govstd.exceptions import UsageError

    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"type": "object"}), "utf-8")
    with pytest.raises(UsageError, match="cannot check xml input"):
        Session(autoload=False).validate(files["qy.xml"], schema=schema)


def test_a_standard_with_xsd_and_schematron_artefacts(
    files: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "std" / "cn.qy-xml" / "1.0.0"
    folder.mkdir(parents=True)
    for name in ("common.xsd", "qy.xsd", "rules.sch"):
        (folder / name).write_text(files[name].read_text("utf-8"), "utf-8")
    (folder / "manifest.toml").write_text(
        'id = "cn.qy-xml"\nversion = "1.0.0"\nstatus = "active"\nreleased = 2024-01-01\n'
        'title = { en = "Enterprises (XML)", zh = "企业（XML）" }\n'
        '[artefacts]\nxsd = "qy.xsd"\nschematron = "rules.sch"\n'
        '[x.xml]\nrecord_element = "QY"\nroot = "QYLIST"\n',
        "utf-8",
    )
    session = Session(autoload=False, standards_dirs=[tmp_path / "std"])
    report = session.validate(files["qy.xml"], standard="cn.qy-xml@1")
    assert report.stats.records == 4  # streamed by the standard's record element
    codes = {f.code for f in report.findings}
    assert {"schematron.assert", "xml.schema.pattern"} <= codes
    wrong = tmp_path / "wrong.xml"
    wrong.write_text("<HEAD/>", "utf-8")
    report = session.validate(wrong, standard="cn.qy-xml@1", record_element="HEAD")
    assert any(f.code == "xml.root" and f.is_error for f in report.findings)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "govstd", "validate", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli(files: dict[str, Path]) -> None:
    result = _cli(
        str(files["qy.xml"]),
        "--schema",
        str(files["qy.xsd"]),
        "--record-element",
        "QY",
        "-f",
        "json",
    )
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["stats"]["records"] == 4
    assert any(f["location"].get("xpath") == "/QYLIST/QY[2]/TYDM" for f in data["findings"])
    result = _cli(str(files["qy.xml"]), "--schematron", str(files["rules2.sch"]))
    assert result.returncode == 3 and "xslt2" in result.stderr
    result = _cli(
        str(files["qy.xml"]),
        "--schema",
        str(files["qy.xsd"]),
        "--schematron",
        str(files["rules.sch"]),
    )
    assert result.returncode == 1
    assert "R-TYDM" in result.stdout
