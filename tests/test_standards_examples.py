"""The built-in standards: every shipped example validates as it says, and the registry and
``govstd standards list`` show exactly the versions of govstd issue 3.

Examples are found through the registry (``Standard.examples``), so a new version's examples
are run without touching this file. A valid example must produce no error; an invalid one
must produce exactly its expected errors and warnings (infos are ignored), compared as
``(record, field, code, severity)``. The examples are written by ``tests/build_examples.py``;
a test checks that they have not drifted from it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govstd.cli.main import cli
from govstd.session import Session
from govstd.standard import Example, Standard

AS_OF = date(2026, 1, 1)

#: the versions and statuses issue 3 specifies, and nothing else
SHIPPED = {
    "cn.natural-person@1.0.0": ("deprecated", "2019-01-01"),
    "cn.natural-person@1.1.0": ("active", "2021-06-01"),
    "cn.natural-person@2.0.0": ("active", "2025-07-01"),
    "cn.legal-entity@1.0.0": ("active", "2020-01-01"),
    "cn.legal-entity@2.0.0": ("active", "2025-01-01"),
}

Key = tuple[int | None, str | None, str, str]


def _isolated_session(tmp: Path | None = None) -> Session:
    """Built-in standards and plugins only; no user data (imported code lists) unless given."""
    environ = {"GOVSTD_DATA_DIR": str(tmp)} if tmp else {"GOVSTD_DATA_DIR": "/nonexistent"}
    return Session(autoload=False, environ=environ)


def _builtin() -> list[Standard]:
    return [std for std in _isolated_session().registry.all() if std.ref in SHIPPED]


def _examples() -> list[Any]:
    return [
        pytest.param(std, example, id=f"{std.ref}-{example.path.name}")
        for std in _builtin()
        for example in std.examples
    ]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return _isolated_session(tmp_path_factory.mktemp("govstd-data"))


def _findings(session: Session, std: Standard, path: Path) -> list[Any]:
    report = session.validate(path, standard=std.ref, as_of=AS_OF, allow_retired=True)
    return [f for f in report.findings if f.severity.label in ("error", "warning")]


def _key(finding: Any) -> Key:
    return (finding.record, finding.location.field, finding.code, finding.severity.label)


def _describe(keys: set[Key], notes: dict[Key, str]) -> str:
    ordered = sorted(keys, key=lambda k: (k[0] or 0, k[1] or "", k[2]))
    return "\n".join(
        f"    record {k[0]}, {k[1]}: {k[2]} ({k[3]}) {notes.get(k, '')}" for k in ordered
    )


# -- every example ------------------------------------------------------------------------------


def test_every_shipped_version_has_valid_and_invalid_examples_in_both_forms() -> None:
    for std in _builtin():
        names = {e.path.name: e for e in std.examples}
        assert set(names) == {"valid.csv", "valid.jsonl", "invalid.csv", "invalid.jsonl"}, std.ref
        for name, example in names.items():
            assert example.valid == name.startswith("valid"), (std.ref, name)
            assert (example.expected is None) == example.valid, (std.ref, name)


@pytest.mark.parametrize(("std", "example"), _examples())
def test_example(session: Session, std: Standard, example: Example) -> None:
    found = _findings(session, std, example.path)
    if example.valid:
        errors = [f for f in found if f.is_error]
        assert not errors, f"{example.path} should be valid, got:\n" + "\n".join(
            f"    record {f.record}, {f.location.field}: {f.code} {f.message}" for f in errors
        )
        records = [f for f in found if f.record is not None]
        assert not records, f"valid examples are clean, got warnings: {records}"
        return
    assert example.expected is not None
    expected_list = json.loads(example.expected.read_text(encoding="utf-8"))
    expected = {(e["record"], e["field"], e["code"], e["severity"]) for e in expected_list}
    assert len(expected) == len(expected_list), f"{example.expected} repeats an entry"
    got = {_key(f) for f in found}
    why = {
        (e["record"], e["field"], e["code"], e["severity"]): e.get("why", "") for e in expected_list
    }
    messages = {_key(f): f.message for f in found}
    problems = []
    if expected - got:
        problems.append("expected but not reported:\n" + _describe(expected - got, why))
    if got - expected:
        problems.append("reported but not expected:\n" + _describe(got - expected, messages))
    assert not problems, f"{example.path}\n" + "\n".join(problems)


def test_examples_are_built_from_their_source() -> None:
    """The example files are exactly what ``tests/build_examples.py`` writes."""
    from build_examples import all_files

    stale = [
        str(path)
        for path, text in all_files().items()
        if not path.is_file() or path.read_bytes().decode("utf-8") != text
    ]
    assert not stale, "run `python tests/build_examples.py`; stale: " + ", ".join(stale)


def test_every_rule_is_exercised_by_an_invalid_example(session: Session) -> None:
    """Each rule of each manifest is broken by at least one invalid record in each form."""
    checks = session.checks
    for std in _builtin():
        for example in (e for e in std.examples if not e.valid):
            assert example.expected is not None
            expected = json.loads(example.expected.read_text(encoding="utf-8"))
            for rule in std.rules:
                codes = set(getattr(checks[rule.check], "codes", ()))
                hit = [e for e in expected if e["code"] in codes and e["field"] in rule.fields]
                assert hit, f"{std.ref} {example.path.name}: nothing breaks rule {rule.id}"


# -- the manifests and record schemas -----------------------------------------------------------


def test_rules_name_known_checks_and_fields(session: Session) -> None:
    for std in _builtin():
        properties = std.load_json_artefact("json_schema")["properties"]
        for rule in std.rules:
            assert rule.check in session.checks, f"{std.ref}: unknown check {rule.check}"
            unknown = [f for f in rule.fields if f not in properties]
            assert not unknown, f"{std.ref} rule {rule.id} names no field {unknown}"


def test_every_version_compiles(session: Session) -> None:
    from govstd.validation import ValidationOptions, compile_standard

    for std in _builtin():
        target = compile_standard(session, std, ValidationOptions(as_of=AS_OF))
        assert target.plans_for("table") and target.plans_for("documents"), std.ref


def test_record_schemas_are_closed_bilingual_and_meta_valid() -> None:
    from jsonschema import Draft202012Validator

    for std in _builtin():
        schema = std.load_json_artefact("json_schema")
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == (
            f"https://govstd.invalid/standards/{std.id}/{std.version}/record.schema.json"
        )
        assert schema["additionalProperties"] is False
        assert schema["title"] and schema["x-title-zh"], std.ref
        for name, prop in schema["properties"].items():
            for key in ("title", "x-title-zh", "description", "x-description-zh"):
                assert prop.get(key), f"{std.ref} {name} has no {key}"
            if prop["type"] == "string" and "pattern" not in prop:
                assert prop.get("minLength", 0) >= 1 or "format" in prop, (
                    f'{std.ref} {name}: "" must not pass as a value'
                )


def test_natural_person_1_1_only_adds_optional_fields() -> None:
    """The compatibility promise of 1.1.0: 1.0.0 plus optional email and updated_at."""
    session = _isolated_session()
    old = session.resolve("cn.natural-person@1.0.0").load_json_artefact("json_schema")
    new = session.resolve("cn.natural-person@1.1.0").load_json_artefact("json_schema")
    assert new["required"] == old["required"]
    assert set(new["properties"]) - set(old["properties"]) == {"email", "updated_at"}
    for name, prop in old["properties"].items():
        assert new["properties"][name] == prop, name
    assert new["properties"]["updated_at"]["format"] == "date-time"
    assert new["properties"]["email"]["format"] == "email"


def test_major_versions_declare_their_migration() -> None:
    session = _isolated_session()
    for ref in ("cn.natural-person@2.0.0", "cn.legal-entity@2.0.0"):
        migrations = session.resolve(ref).manifest["migrations"]
        assert migrations and all(m["steps"] for m in migrations), ref
    person = session.resolve("cn.natural-person@2.0.0").manifest["migrations"][0]
    assert [s["op"] for s in person["steps"]] == [
        "upgrade-15-digit-id",
        "rename",
        "constant",
        "phone-to-e164",
    ]
    entity = session.resolve("cn.legal-entity@2.0.0").manifest["migrations"][0]
    assert entity["steps"][0] | {"description": None} == {
        "op": "multiply",
        "from": "registered_capital",
        "to": "registered_capital_yuan",
        "factor": 10000,
        "exact": True,
        "description": None,
    }


# -- registry and CLI ---------------------------------------------------------------------------


def test_standards_list_shows_exactly_the_shipped_versions() -> None:
    runner = CliRunner()
    env = {"GOVSTD_DISABLE_PLUGIN_AUTOLOAD": "1", "GOVSTD_STANDARDS_PATH": ""}
    result = runner.invoke(cli, ["standards", "list", "-f", "json"], env=env)
    assert result.exit_code == 0, result.output
    listed = {item["ref"]: (item["status"], item["released"]) for item in json.loads(result.output)}
    assert listed == SHIPPED

    text = runner.invoke(cli, ["standards", "list"], env=env)
    assert text.exit_code == 0, text.output
    lines = [line.split() for line in text.output.splitlines() if line.strip()]
    assert {(words[0], words[1], words[2]) for words in lines} == {
        (ref, status, released) for ref, (status, released) in SHIPPED.items()
    }


@pytest.mark.parametrize(
    ("ref", "resolved"),
    [
        ("cn.natural-person", "cn.natural-person@2.0.0"),
        ("cn.natural-person@latest", "cn.natural-person@2.0.0"),
        ("cn.natural-person@1", "cn.natural-person@1.1.0"),
        ("cn.natural-person@1.0", "cn.natural-person@1.0.0"),
        ("cn.natural-person@^1.0", "cn.natural-person@1.1.0"),
        ("cn.legal-entity", "cn.legal-entity@2.0.0"),
        ("cn.legal-entity@1", "cn.legal-entity@1.0.0"),
    ],
)
def test_resolution(ref: str, resolved: str) -> None:
    assert _isolated_session().resolve(ref).ref == resolved


def test_deprecated_version_validates_with_a_warning(session: Session) -> None:
    std = session.resolve("cn.natural-person@1.0")
    report = session.validate(
        std.folder / "examples" / "valid.jsonl", standard="cn.natural-person@1.0", as_of=AS_OF
    )
    notes = [*report.notes, *report.findings]
    deprecated = [f for f in notes if f.code == "standard.deprecated"]
    assert len(deprecated) == 1 and deprecated[0].severity.label == "warning"
    assert "cn.natural-person@2.0.0" in deprecated[0].message
    assert not [f for f in report.findings if f.is_error]


# -- a dated GB/T 2260 list makes "in use at the reference date" exact ------------------------


@pytest.mark.corpus
def test_retired_division_code_with_a_dated_list(corpus: Path, tmp_path: Path) -> None:
    """330103 (下城区) was withdrawn in 2021: a household division in 2026 must not use it,
    while an identity number issued there stays valid for life."""
    from build_examples import Person, PersonVersion, render_jsonl
    from govstd.gbt2260 import import_gbt2260

    data = tmp_path / "data"
    import_gbt2260(corpus / "gbt2260", data)
    session = _isolated_session(data)
    feed = tmp_path / "people.jsonl"
    for version in ("1.1.0", "2.0.0"):
        v = PersonVersion(version)
        born_there = Person("吴国强", "330103", "1960-12-01", "1", n=12, division="330105")
        lives_there = Person("吴国平", "330105", "1962-03-04", "1", n=13, division="330103")
        feed.write_text(render_jsonl([v.record(born_there), v.record(lives_there)]), "utf-8")
        report = session.validate(feed, standard=f"cn.natural-person@{version}", as_of=AS_OF)
        found = {_key(f) for f in report.findings if f.severity.label != "info"}
        assert found == {(2, v.div, "codelist.retired-code", "error")}, version


# -- documentation and samples -----------------------------------------------------------------


def test_catalogue_page_lists_every_version_and_field() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "standards.md").read_text("utf-8")
    for std in _builtin():
        section = page.split(f"### {std.id}", 1)
        assert len(section) == 2, f"docs/standards.md has no section for {std.id}"
        body = section[1].split("\n### ", 1)[0]
        status, released = SHIPPED[std.ref]
        row = f"| {std.version} | {status} | {released} |"
        assert row in body, f"docs/standards.md: no row {row!r}"
        for name in std.load_json_artefact("json_schema")["properties"]:
            assert f"`{name}`" in body, f"docs/standards.md does not describe {std.ref} {name}"


@pytest.mark.parametrize(
    ("sample", "ref"),
    [
        ("natural-person.csv", "cn.natural-person@1"),
        ("natural-person.jsonl", "cn.natural-person@1"),
        ("legal-entity.csv", "cn.legal-entity@1"),
        ("legal-entity.jsonl", "cn.legal-entity@1"),
    ],
)
def test_quickstart_samples_show_findings_of_several_kinds(
    session: Session, sample: str, ref: str
) -> None:
    path = Path(__file__).resolve().parents[1] / "samples" / sample
    report = session.validate(path, standard=ref, as_of=AS_OF)
    (stats,) = report.sources
    assert stats.stats.records >= 20
    assert 0 < stats.stats.rejected < stats.stats.records
    codes = {f.code for f in report.findings if f.is_error}
    assert len(codes) >= 6, codes
    assert {"field.pattern", "field.unique", "codelist.unknown-code"} <= codes
