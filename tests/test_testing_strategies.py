"""govstd.testing.strategies: valid records validate clean; invalid ones produce exactly their defect.

These property tests exercise every engine (JSON Schema for documents, Table Schema for CSV)
and the rules layer through generated records.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings

from govstd.session import Session
from govstd.testing.strategies import invalid_records, records

AS_OF = date(2026, 1, 1)
SESSION = Session()
REFS = [
    "cn.natural-person@1.1",
    "cn.natural-person@2.0",
    "cn.legal-entity@1.0",
    "cn.legal-entity@2.0",
]
FIELDS = {
    ref: list(SESSION.resolve(ref).load_json_artefact("json_schema")["properties"]) for ref in REFS
}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(ref: str, record: dict, fmt: str):
    if fmt == "jsonl":
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    else:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FIELDS[ref])
        writer.writerow(["" if record.get(f) is None else str(record[f]) for f in FIELDS[ref]])
        data = out.getvalue().encode("utf-8")
    return SESSION.validate(
        ["-"], standard=ref, input_format=fmt, stdin=io.BytesIO(data), as_of=AS_OF
    )


@pytest.mark.parametrize("ref", REFS)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_records_are_valid(ref: str, fmt: str) -> None:
    @SETTINGS
    @given(records(ref, as_of=AS_OF, session=SESSION))
    def run(record: dict) -> None:
        report = check(ref, record, fmt)
        assert report.counts == {}, [f.message for f in report.findings]

    run()


@pytest.mark.parametrize("ref", REFS)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_invalid_records_produce_exactly_their_finding(ref: str, fmt: str) -> None:
    @SETTINGS
    @given(invalid_records(ref, as_of=AS_OF, session=SESSION))
    def run(case) -> None:
        record, defect = case
        report = check(ref, record, fmt)
        got = [
            (f.code, f.location.field or (f.location.pointer or "")[1:]) for f in report.findings
        ]
        assert got == [(defect.code, defect.field)], (defect, [f.message for f in report.findings])

    run()


def test_identity_numbers_agree_with_the_record() -> None:
    from govstd.checks.identifiers import ric_birth_date, ric_check_character

    @SETTINGS
    @given(records("cn.natural-person@1.1", as_of=AS_OF, session=SESSION))
    def run(record: dict) -> None:
        number = record["id_number"]
        if len(number) == 18:
            assert number[17] == ric_check_character(number[:17])
        assert ric_birth_date(number).isoformat() == record["birth_date"]
        if record["sex"] in ("1", "2"):
            assert int(number[-2 if len(number) == 18 else -1]) % 2 == (record["sex"] == "1")

    run()
