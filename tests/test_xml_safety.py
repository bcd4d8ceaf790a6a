"""Hostile XML: every attack gets a clear finding, is never expanded, never touches the network."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from govstd import Session
from govstd.xmlsafety import XmlLimits, make_parser, scan_prolog

SECRET = "TOPSECRET-7f3a9c"

XSD = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="list"><xs:complexType><xs:sequence>
    <xs:element name="rec" maxOccurs="unbounded" type="xs:anyType"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>"""


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network touched: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, "utf-8")
    return path


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "list.xsd"
    path.write_text(XSD, "utf-8")
    return path


def _run(tmp_path: Path, schema: Path, body: str, **options: object):
    source = tmp_path / "doc.xml"
    source.write_text(body, "utf-8")
    session = Session(autoload=False)
    started = time.perf_counter()
    report = session.validate(source, schema=schema, **options)
    elapsed = time.perf_counter() - started
    rendered = "".join(
        reporter.render(report, catalogue=session.catalogue, lang=lang)
        for reporter in (session.reporters["text"], session.reporters["json"])
        for lang in ("en", "zh")
    )
    return report, rendered, elapsed


def _codes(report) -> list[str]:
    return [f.code for f in report.findings]


LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE list [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n<list><rec>&lol9;</rec><rec>b</rec></list>\n"
)
QUADRATIC = (
    '<?xml version="1.0"?>\n<!DOCTYPE list [<!ENTITY a "'
    + "x" * 50_000
    + '">]>\n<list><rec>'
    + "&a;" * 50_000
    + "</rec></list>\n"
)


@pytest.mark.parametrize("record_element", [None, "rec"])
@pytest.mark.parametrize(
    ("name", "body", "code"),
    [
        (
            "xxe-file",
            '<?xml version="1.0"?>\n<!DOCTYPE list [<!ENTITY x SYSTEM "file://{secret}">]>\n'
            "<list><rec>&x;</rec><rec>b</rec></list>\n",
            "xml.external-entity",
        ),
        (
            "xxe-http",
            '<?xml version="1.0"?>\n<!DOCTYPE list [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>\n'
            "<list><rec>&x;</rec><rec>b</rec></list>\n",
            "xml.external-entity",
        ),
        (
            "xxe-public",
            '<!DOCTYPE list [<!ENTITY x PUBLIC "-//X//Y" "http://example.invalid/x">]>\n'
            "<list><rec>&x;</rec><rec>b</rec></list>\n",
            "xml.external-entity",
        ),
        (
            "parameter-entity-external",
            '<?xml version="1.0"?>\n<!DOCTYPE list [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>\n'
            "<list><rec>a</rec><rec>b</rec></list>\n",
            "xml.external-entity",
        ),
        (
            "parameter-entity-internal",
            '<?xml version="1.0"?>\n<!DOCTYPE list [<!ENTITY % p "<!ENTITY y \'z\'>"> %p;]>\n'
            "<list><rec>&y;</rec><rec>b</rec></list>\n",
            "xml.forbidden-dtd",
        ),
        ("billion-laughs", LAUGHS, "xml.forbidden-dtd"),
        ("quadratic-blowup", QUADRATIC, "xml.forbidden-dtd"),
    ],
)
def test_entity_attacks_are_refused_and_never_expanded(
    tmp_path: Path, schema: Path, secret: Path, name: str, body: str, code: str, record_element
) -> None:
    report, rendered, elapsed = _run(
        tmp_path, schema, body.replace("{secret}", str(secret)), record_element=record_element
    )
    assert code in _codes(report)
    assert SECRET not in rendered
    assert "lollollol" not in rendered
    assert "x" * 1000 not in rendered
    assert not report.valid
    assert elapsed < 1.0, elapsed
    # nothing lost: every record of the refused document is counted, and rejected
    expected_records = 2 if record_element and name != "quadratic-blowup" else 1
    assert report.stats.records == expected_records
    assert report.stats.rejected == report.stats.records


def test_libxml2_layer_alone_neither_fetches_nor_expands(secret: Path) -> None:
    """Defence in depth: even without govstd's prolog scan, the parser expands nothing."""
    from lxml import etree

    doc = (
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}"><!ENTITY y "yyyy">'
        '<!ENTITY z SYSTEM "http://127.0.0.1:9/z">]><r>&x;&y;&z;</r>'
    ).encode()
    root = etree.fromstring(doc, make_parser())
    assert SECRET not in etree.tostring(root, encoding="unicode")
    assert "yyyy" not in etree.tostring(root, encoding="unicode")


def test_xinclude_is_reported_and_not_processed(tmp_path: Path, schema: Path, secret: Path) -> None:
    body = (
        '<list xmlns:xi="http://www.w3.org/2001/XInclude">\n'
        f'<rec><xi:include href="file://{secret}" parse="text"/></rec>\n<rec>b</rec>\n</list>\n'
    )
    for record_element in (None, "rec"):
        report, rendered, _ = _run(tmp_path, schema, body, record_element=record_element)
        assert "xml.xinclude" in _codes(report)
        finding = next(f for f in report.findings if f.code == "xml.xinclude")
        assert finding.location.line == 2
        assert finding.record == 1
        assert SECRET not in rendered
        assert not report.valid


def test_deep_nesting_is_refused_quickly(tmp_path: Path, schema: Path) -> None:
    body = "<list><rec>" + "<a>" * 5000 + "</a>" * 5000 + "</rec></list>"
    for record_element in (None, "rec"):
        report, _, elapsed = _run(tmp_path, schema, body, record_element=record_element)
        assert "xml.too-deep" in _codes(report)
        assert report.stats.rejected == report.stats.records == 1
        assert elapsed < 1.0


def test_huge_text_node_is_refused(tmp_path: Path, schema: Path) -> None:
    body = "<list><rec>" + "x" * 10_500_000 + "</rec><rec>b</rec></list>"
    report, rendered, _ = _run(tmp_path, schema, body, record_element="rec")
    assert "xml.too-long" in _codes(report)
    assert "x" * 1000 not in rendered
    assert report.stats.records == 2 and report.stats.rejected == 2


def test_limits_are_configurable(tmp_path: Path, schema: Path) -> None:
    body = (
        "<list>\n<rec>"
        + "<a>" * 8
        + "</a>" * 8
        + "</rec>\n<rec>"
        + "y" * 200
        + "</rec>\n<rec>ok</rec>\n</list>"
    )
    limits = XmlLimits(max_depth=6, max_text_length=100)
    report, _, _ = _run(tmp_path, schema, body, record_element="rec", xml_limits=limits)
    by_record = {f.record: f.code for f in report.findings if f.is_error}
    assert by_record == {1: "xml.too-deep", 2: "xml.too-long"}
    assert report.stats.passed == 1
    whole, _, _ = _run(tmp_path, schema, body, xml_limits=limits)
    assert "xml.too-deep" in _codes(whole)
    looser = XmlLimits(max_depth=10_000)
    deep = "<list><rec>" + "<a>" * 2000 + "</a>" * 2000 + "</rec></list>"
    report, _, _ = _run(tmp_path, schema, deep, record_element="rec", xml_limits=looser)
    assert "xml.too-deep" not in _codes(report)


def test_a_doctype_without_entities_is_ignored_not_loaded(
    tmp_path: Path, schema: Path, secret: Path
) -> None:
    body = f'<!DOCTYPE list SYSTEM "file://{secret}">\n<list><rec>a</rec></list>\n'
    report, rendered, _ = _run(tmp_path, schema, body, record_element="rec")
    assert _codes(report) == ["xml.dtd-ignored"]
    assert report.valid and report.stats.passed == 1
    assert SECRET not in rendered
    strict, _, _ = _run(tmp_path, schema, body, xml_limits=XmlLimits(allow_doctype=False))
    assert "xml.forbidden-dtd" in _codes(strict)


def test_schema_imports_from_the_network_are_refused(tmp_path: Path) -> None:
    from govstd.exceptions import SchemaError

    xsd = tmp_path / "remote.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:import namespace="urn:x" schemaLocation="http://127.0.0.1:9/x.xsd"/>'
        '<xs:element name="list"/></xs:schema>',
        "utf-8",
    )
    (tmp_path / "a.xml").write_text("<list/>", "utf-8")
    with pytest.raises(SchemaError, match="never fetches"):
        Session(autoload=False).validate(tmp_path / "a.xml", schema=xsd)


def test_a_hostile_schema_is_refused(tmp_path: Path, secret: Path) -> None:
    from govstd.exceptions import SchemaError

    xsd = tmp_path / "evil.xsd"
    xsd.write_text(
        f'<!DOCTYPE xs:schema [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a"/></xs:schema>',
        "utf-8",
    )
    (tmp_path / "a.xml").write_text("<a/>", "utf-8")
    with pytest.raises(SchemaError, match="refused") as info:
        Session(autoload=False).validate(tmp_path / "a.xml", schema=xsd)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize(
    ("head", "code"),
    [
        (b'<?xml version="1.0"?><!-- <!DOCTYPE x [<!ENTITY a "b">]> --><r/>', None),
        (b"<r><![CDATA[<!DOCTYPE>]]></r>", None),
        (b'<!DOCTYPE r [<!-- ] > --><!ENTITY a "b">]><r/>', "xml.forbidden-dtd"),
        (
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a SYSTEM "f">]><r/>'.encode(
                "utf-16"
            ),
            "xml.external-entity",
        ),
        (b"<!DOCTYPE r [" + b" " * 200, "xml.forbidden-dtd"),
    ],
)
def test_prolog_scan(head: bytes, code: str | None) -> None:
    verdict = scan_prolog(head, XmlLimits(max_prolog_bytes=100), final=True)
    assert verdict.code == code


def test_json_report_of_an_attack_is_valid_json(tmp_path: Path, schema: Path, secret: Path) -> None:
    body = f'<!DOCTYPE list [<!ENTITY x SYSTEM "file://{secret}">]><list><rec>&x;</rec></list>'
    report, _, _ = _run(tmp_path, schema, body)
    session = Session(autoload=False)
    data = json.loads(
        session.reporters["json"].render(report, catalogue=session.catalogue, lang="en")
    )
    assert data["findings"][0]["code"] == "xml.external-entity"
