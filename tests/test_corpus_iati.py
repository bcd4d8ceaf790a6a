"""IATI conformance: govstd's XSD verdicts match libxml2's on IATI's own corpus.

* every ``schema-tests/2.03/*/should-pass|should-fail`` file gets the verdict its folder says;
* the 2.03/2.02 annotated examples and the legacy 1.0x samples agree with
  ``REFERENCE-RESULTS.json["iati"]`` (validity and the first error's line, both versions);
* streaming (``--record-element``) reports the same errors, with the same lines and XPaths,
  as whole-document validation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from govstd import Session

pytestmark = pytest.mark.corpus

SCHEMAS = {
    "activity": ("iati-activities-schema.xsd", "iati-activity"),
    "organisation": ("iati-organisations-schema.xsd", "iati-organisation"),
    "registry": ("iati-registry-record-schema.xsd", None),
}


def _iati(corpus: Path) -> Path:
    root = corpus / "iati"
    if not root.is_dir():
        pytest.skip("IATI corpus missing")
    return root


def _kind(path: Path) -> str:
    """Which XSD a unit test is for, from its folders."""
    parts = set(path.parts)
    if parts & {"organisation-tests", "iati-organisations"}:
        return "organisation"
    if "registry-tests" in parts:
        return "registry"
    return "activity"


def _schema(corpus: Path, version: str, kind: str) -> Path:
    return _iati(corpus) / "schema" / version / SCHEMAS[kind][0]


@pytest.fixture(scope="module")
def session() -> Session:
    return Session(autoload=False)


def _test_files() -> list[Path]:
    from conftest import corpus_root

    root = corpus_root()
    if root is None or not (root / "iati").is_dir():
        return []
    return sorted((root / "iati" / "schema-tests" / "2.03").rglob("*.xml"))


def _reference(corpus: Path) -> dict[str, dict]:
    data = json.loads((corpus / "REFERENCE-RESULTS.json").read_text("utf-8"))
    return {entry["file"]: entry for entry in data["iati"]["files"]}


def _errors(report) -> list:
    return [f for f in report.findings if f.is_error]


TEST_FILES = _test_files()


def test_the_corpus_has_the_unit_tests() -> None:
    if not TEST_FILES:
        pytest.skip("IATI corpus missing")
    assert len(TEST_FILES) >= 100


@pytest.mark.parametrize(
    "path", TEST_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.name}"
)
def test_schema_tests_get_the_verdict_of_their_folder(
    corpus: Path, session: Session, path: Path
) -> None:
    expected_valid = "should-pass" in path.parts
    kind = _kind(path)
    report = session.validate(path, schema=_schema(corpus, "2.03", kind), max_findings=50)
    assert report.valid is expected_valid, [f.message for f in report.findings][:3]
    assert report.stats.records == report.stats.passed + report.stats.rejected


@pytest.mark.parametrize(
    "path", TEST_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.name}"
)
def test_streaming_gives_the_same_verdict_on_schema_tests(
    corpus: Path, session: Session, path: Path
) -> None:
    kind = _kind(path)
    record = SCHEMAS[kind][1]
    if record is None:
        pytest.skip("registry records are single documents")
    schema = _schema(corpus, "2.03", kind)
    whole = session.validate(path, schema=schema)
    streamed = session.validate(path, schema=schema, record_element=record)
    assert streamed.valid is whole.valid
    assert _locations(streamed) == _locations(whole)


def _locations(report) -> list[tuple]:
    """Errors by line, message and XPath. A streamed record's step always carries its
    position (``iati-activity[1]``); libxml2 leaves ``[1]`` out for an only child."""
    return sorted(
        (
            f.location.line,
            f.message,
            re.sub(r"(iati-(?:activity|organisation))(?=/|$)", r"\1[1]", f.location.xpath or ""),
        )
        for f in _errors(report)
    )


def _reference_cases() -> list[str]:
    from conftest import corpus_root

    root = corpus_root()
    if root is None or not (root / "REFERENCE-RESULTS.json").is_file():
        return []
    return sorted(_reference(root))


@pytest.mark.parametrize("version", ["2.03", "2.02"])
@pytest.mark.parametrize("name", _reference_cases())
def test_agrees_with_reference_results(
    corpus: Path, session: Session, name: str, version: str
) -> None:
    entry = _reference(corpus)[name]
    path = corpus / name
    report = session.validate(path, schema=_schema(corpus, version, entry["schema"]))
    assert report.valid is entry[f"valid_{version}"]
    first = entry.get(f"first_error_{version}")
    if first:
        line = int(re.match(r"line (\d+):", first).group(1))
        errors = _errors(report)
        # libxml2's first error is reported, with its line. (Findings are listed by line, and
        # libxml2 reports a parent's "missing child" error, on the parent's line, after the
        # errors of its children: so it is not always the first finding.)
        assert any(first.split(": ", 1)[1] == f.message for f in errors if f.location.line == line)
        assert min(f.location.line for f in errors) <= line


SAMPLES = [
    "samples/examples/2.03/activity-standard-example-annotated.xml",
    "samples/examples/2.02/activity-standard-example-annotated.xml",
    "samples/legacy-1.0x/IATI_xml_WB_sample.xml",
    "samples/legacy-1.0x/IATIfromGF.xml",
    "samples/legacy-1.0x/undp_sample.xml",
    "samples/legacy-1.0x/worldbank.xml",
]


@pytest.mark.parametrize("version", ["2.03", "2.02"])
@pytest.mark.parametrize("sample", SAMPLES)
def test_streaming_reports_the_same_errors_as_whole_documents(
    corpus: Path, session: Session, sample: str, version: str
) -> None:
    path = _iati(corpus) / sample
    schema = _schema(corpus, version, "activity")
    whole = session.validate(path, schema=schema)
    streamed = session.validate(path, schema=schema, record_element="iati-activity")
    assert streamed.valid is whole.valid
    assert _locations(streamed) == _locations(whole)
    activities = path.read_bytes().count(b"<iati-activity ") + path.read_bytes().count(
        b"<iati-activity>"
    )
    assert streamed.stats.records == activities
    rejected = {f.record for f in _errors(streamed) if f.record is not None}
    assert streamed.stats.rejected == len(rejected)
    assert streamed.stats.passed == activities - len(rejected)


def test_direct_libxml2_agrees_on_the_first_error_line(corpus: Path, session: Session) -> None:
    """A differential check against lxml used directly (what the reference used)."""
    from lxml import etree

    schema_path = _schema(corpus, "2.03", "activity")
    schema = etree.XMLSchema(etree.parse(str(schema_path)))
    for sample in SAMPLES:
        path = _iati(corpus) / sample
        valid = schema.validate(etree.parse(str(path)))
        report = session.validate(path, schema=schema_path)
        assert report.valid is valid
        if not valid:
            assert min(f.location.line for f in _errors(report)) == schema.error_log[0].line
