"""Helpers for the reporter tests: the SARIF and JUnit validators and sample reports."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from govstd.report import Report
from govstd.session import Session

REPO = Path(__file__).resolve().parents[1]
STANDARDS = REPO / "standards"
AS_OF = date(2026, 1, 1)
JUNIT_XSD = Path(__file__).parent / "data" / "junit.xsd"


def example(ref: str, name: str) -> Path:
    ident, version = ref.split("@")
    return STANDARDS / ident / version / "examples" / name


def sample_report(session: Session, ref: str = "cn.natural-person@1.1.0", *names: str) -> Report:
    names = names or ("invalid.csv", "valid.jsonl")
    return session.validate([example(ref, n) for n in names], standard=ref, as_of=AS_OF)


def sarif_validator(corpus: Path) -> Any:
    """A validator for the SARIF 2.1.0 schema in the shared corpus (formats asserted)."""
    import jsonschema

    schema = json.loads((corpus / "sarif" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid_sarif(corpus: Path, text: str) -> dict[str, Any]:
    document = json.loads(text)
    errors = sorted(sarif_validator(corpus).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    return document


def junit_schema() -> Any:
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(JUNIT_XSD)))


def assert_valid_junit(text: str) -> Any:
    """Parse and validate JUnit XML; also check every suite's counts against its cases."""
    from lxml import etree

    document = etree.fromstring(text.encode("utf-8"))
    schema = junit_schema()
    assert schema.validate(document), str(schema.error_log)
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for suite in document.iter("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("skipped")) == sum(1 for c in cases if c.find("skipped") is not None)
        for key in totals:
            totals[key] += int(suite.get(key))
    for key, value in totals.items():
        assert int(document.get(key)) == value
    return document
