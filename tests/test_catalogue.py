"""The catalogue of finding codes."""

from __future__ import annotations

import re

import pytest

from govstd.catalogue import Catalogue, FindingType
from govstd.exceptions import SetupError
from govstd.findings import Location, Severity

CODE = re.compile(r"^[a-z0-9]+([.-][a-z0-9]+)*$")


def test_every_builtin_code_is_documented_in_both_languages(catalogue: Catalogue) -> None:
    assert len(catalogue) >= 20
    for entry in catalogue:
        assert CODE.match(entry.code), entry.code
        for what in ("title", "description", "message", "hint"):
            table = getattr(entry, what)
            assert table.get("en"), (entry.code, what)
            assert table.get("zh"), (entry.code, what)
        assert entry.example, entry.code


def test_finding_renders_messages_and_hints(catalogue: Catalogue) -> None:
    finding = catalogue.finding(
        "field.required", source="s", record=4, location=Location(field="name", line=5)
    )
    assert finding.message == "name is required"
    assert finding.hint == "Fill in name."
    assert catalogue.message(finding, "zh") == "name 为必填项"
    assert catalogue.hint(finding, "zh") == "请填写 name。"
    assert finding.severity is Severity.ERROR


def test_missing_placeholders_stay_visible(catalogue: Catalogue) -> None:
    finding = catalogue.finding("field.enum")  # no value, no expected
    assert "{value}" in finding.message


def test_explicit_message_wins_and_severity_can_be_overridden(catalogue: Catalogue) -> None:
    finding = catalogue.finding("field.type", message="custom", severity=Severity.WARNING)
    assert finding.message == "custom"
    assert finding.severity is Severity.WARNING


def test_unknown_code_and_conflicting_definitions() -> None:
    catalogue = Catalogue()
    with pytest.raises(KeyError):
        catalogue.finding("nope")
    entry = FindingType.from_mapping("a.b", {"title": "T", "message": "M"})
    catalogue.add(entry)
    catalogue.add(entry)  # identical: fine
    with pytest.raises(SetupError, match="defined twice"):
        catalogue.add(FindingType.from_mapping("a.b", {"title": "T2", "message": "M"}))
    with pytest.raises(SetupError):
        FindingType.from_mapping("c.d", {"title": "T", "message": "M", "severity": "fatal"})
    with pytest.raises(SetupError):
        FindingType.from_mapping("c.d", {"title": {"zh": "只有中文"}, "message": "M"})
