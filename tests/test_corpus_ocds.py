"""Open Contracting Data Standard 1.1.5 and 1.0.3: real and fictional data from the corpus.

Every file of ``REFERENCE-RESULTS.json["ocds"]`` is read with the JSON reader and checked
against the schema kind the reference states, for both versions, with ``format`` as an
annotation (the reference's method). It must get the reference's verdict and error count,
and every (pointer, keyword) the reference lists. Comparisons follow the reference's
conventions: the root is ``/`` there (``""`` in govstd's RFC 6901 pointers), and one
``additionalProperties`` error there is one finding per unexpected property here.

Schemas come from the corpus folder, registered under their ``id``s, with no network. "Bare
records" are checked against ``record-package-schema.json#/definitions/record``, as the
reference does, by compiling ``{"$ref": "<record package id>#/definitions/record"}``.
"""

from __future__ import annotations

import json
import socket
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import corpus_root
from govstd.catalogue import Catalogue
from govstd.engines.base import CompileContext, SchemaDocument
from govstd.engines.jsonschema import JsonSchemaEngine, JsonSchemaPlan
from govstd.exceptions import ReferenceResolutionError
from govstd.findings import Finding
from govstd.formats.base import DocumentBatch, ReadOptions, Source
from govstd.formats.json import JsonReader

pytestmark = pytest.mark.corpus

VERSIONS = ("1.1.5", "1.0.3")
REALDATA = Path("ocds/samples/ocdskit/realdata")

PlanFor = Callable[[str, str], JsonSchemaPlan]


def _reference_entries() -> list[dict[str, Any]]:
    root = corpus_root()
    if root is None:
        return []
    data = json.loads((root / "REFERENCE-RESULTS.json").read_text(encoding="utf-8"))
    return list(data["ocds"]["files"])


ENTRIES = _reference_entries()


@pytest.fixture(scope="module")
def plan_for(corpus: Path, catalogue: Catalogue) -> PlanFor:
    """Compiled plans by (version, schema kind), each compiled once."""
    plans: dict[tuple[str, str], JsonSchemaPlan] = {}

    def get(version: str, kind: str) -> JsonSchemaPlan:
        if (version, kind) not in plans:
            folder = corpus / "ocds" / "schema" / version
            documents = {
                path.name: json.loads(path.read_text(encoding="utf-8"))
                for path in sorted(folder.glob("*.json"))
            }
            resources = {doc["id"]: doc for doc in documents.values()}
            if kind == "record":
                package = documents["record-package-schema.json"]["id"]
                schema = SchemaDocument(
                    {"$ref": f"{package}#/definitions/record"},
                    resources=resources,
                    default_dialect="draft-04",
                )
            else:
                schema = SchemaDocument(documents[kind], path=folder / kind, resources=resources)
            context = CompileContext(catalogue, format_check=False)
            plans[(version, kind)] = JsonSchemaEngine().compile(schema, context)
        return plans[(version, kind)]

    return get


def read(corpus: Path, catalogue: Catalogue, name: str | Path) -> list[DocumentBatch]:
    source = Source.from_arg(corpus / name)
    return list(JsonReader().read(source, ReadOptions(), catalogue))


def validate(
    corpus: Path, catalogue: Catalogue, plan: JsonSchemaPlan, name: str | Path
) -> list[Finding]:
    checker = plan.open(str(name))
    found: list[Finding] = []
    for batch in read(corpus, catalogue, name):
        found.extend(checker.check_documents(batch))
    return found


def as_reference(found: list[Finding]) -> Counter[tuple[str, str]]:
    """(pointer, keyword) pairs the way REFERENCE-RESULTS.json writes them."""
    out: Counter[tuple[str, str]] = Counter()
    for finding in found:
        assert finding.keyword is not None
        pointer = finding.location.pointer or ""
        if finding.keyword in ("additionalProperties", "unevaluatedProperties"):
            out[(pointer.rsplit("/", 1)[0] or "/", finding.keyword)] = 1
        else:
            out[(pointer or "/", finding.keyword)] += 1
    return out


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if "kind" in e], ids=lambda e: e["file"].removeprefix("ocds/")
)
@pytest.mark.parametrize("version", VERSIONS)
def test_agrees_with_reference(
    corpus: Path, catalogue: Catalogue, plan_for: PlanFor, entry: dict[str, Any], version: str
) -> None:
    plan = plan_for(version, entry["kind"])
    assert plan.predicate is not None  # the fast path is what decides valid records here
    found = validate(corpus, catalogue, plan, entry["file"])
    ours = as_reference(found)
    listed = Counter((e["path"], e["validator"]) for e in entry[f"errors_{version}"])
    assert (not found) is entry[f"valid_{version}"]
    assert sum(ours.values()) == entry[f"error_count_{version}"]
    assert not listed - ours
    if entry[f"error_count_{version}"] == len(entry[f"errors_{version}"]):
        assert ours == listed
    assert all(f.record == 1 and f.location.line == 1 for f in found)


def test_reference_lists_parse_errors_for_two_files() -> None:
    broken = {e["file"] for e in ENTRIES if "parse_error" in e}
    assert broken == {
        f"{REALDATA.as_posix()}/release-package_encoding-iso-8859-1.json",
        f"{REALDATA.as_posix()}/release-package_split.json",
    }


def test_iso_8859_1_file_is_reported_and_still_checked(
    corpus: Path, catalogue: Catalogue, plan_for: PlanFor
) -> None:
    name = REALDATA / "release-package_encoding-iso-8859-1.json"
    (batch,) = read(corpus, catalogue, name)
    (finding,) = batch.findings
    assert (finding.code, finding.record, finding.location.line) == ("source.encoding", 1, 1)
    assert finding.location.column == 593
    assert finding.params["detected"] in finding.message
    assert "AUTORIZACI\ufffdN" in json.dumps(batch.records[0], ensure_ascii=False)
    found = validate(corpus, catalogue, plan_for("1.1.5", "release-package-schema.json"), name)
    assert [(f.code, f.location.field) for f in found] == [("field.required", "version")]


def test_split_file_is_a_stream_of_packages(
    corpus: Path, catalogue: Catalogue, plan_for: PlanFor
) -> None:
    name = REALDATA / "release-package_split.json"
    (batch,) = read(corpus, catalogue, name)
    assert (batch.ordinals, batch.lines, batch.findings) == ([1, 2], [1, 2], [])
    assert all("releases" in package for package in batch.records)
    found = validate(corpus, catalogue, plan_for("1.0.3", "release-package-schema.json"), name)
    assert found == []


# -- facts stated in corpus/README.md --------------------------------------------------------


def test_ocdskit_release_package_needs_version_only_in_1_1(
    corpus: Path, catalogue: Catalogue, plan_for: PlanFor
) -> None:
    name = REALDATA / "release-package-1.json"
    (finding,) = validate(corpus, catalogue, plan_for("1.1.5", "release-package-schema.json"), name)
    assert (finding.code, finding.keyword) == ("field.required", "required")
    assert (finding.location.pointer, finding.location.field) == ("", "version")
    assert finding.message == "'version' is a required property"
    assert validate(corpus, catalogue, plan_for("1.0.3", "release-package-schema.json"), name) == []


def test_ocdskit_record_package_null_submission_method(
    corpus: Path, catalogue: Catalogue, plan_for: PlanFor
) -> None:
    name = REALDATA / "record-package-1.json"
    found = validate(corpus, catalogue, plan_for("1.1.5", "record-package-schema.json"), name)
    pointer = "/records/0/compiledRelease/tender/submissionMethod/0"
    (finding,) = [f for f in found if f.location.pointer == pointer]
    assert (finding.code, finding.message) == ("field.type", "None is not of type 'string'")
    assert finding.value is None
    assert finding.expected == "string"


@pytest.mark.parametrize("folder", ["common_checks", "common_checks/1-0"])
def test_lib_cove_invalid_releases_in_records(
    corpus: Path, catalogue: Catalogue, plan_for: PlanFor, folder: str
) -> None:
    name = f"ocds/samples/lib-cove-ocds/{folder}/records_invalid_releases.json"
    found = validate(corpus, catalogue, plan_for("1.1.5", "record-package-schema.json"), name)
    releases = {f.location.pointer: f for f in found if f.keyword == "oneOf"}
    assert sorted(releases) == [f"/records/{i}/releases" for i in range(9)]
    closest = {p: f.params["closest"] for p, f in releases.items()}
    assert closest["/records/0/releases"].startswith("[] should be non-empty")
    assert "'date' is a required property" in closest["/records/3/releases"]
    for index, shown in ((6, "'a string'"), (7, "None"), (8, "{}")):
        assert closest[f"/records/{index}/releases"].startswith(f"{shown} is not of type 'array'")


def test_lib_cove_duplicate_releases(corpus: Path, catalogue: Catalogue, plan_for: PlanFor) -> None:
    name = "ocds/samples/lib-cove-ocds/common_checks/dupe_ids_1.json"
    plan = plan_for("1.1.5", "release-package-schema.json")
    (finding,) = validate(corpus, catalogue, plan, name)
    assert (finding.code, finding.keyword, finding.location.pointer) == (
        "record.structure",
        "uniqueItems",
        "/releases",
    )
    basic = "ocds/samples/lib-cove-ocds/common_checks/basic_1.json"
    assert validate(corpus, catalogue, plan, basic) == []


def test_uganda_valid_in_1_1_5_but_not_1_0_3(
    corpus: Path, catalogue: Catalogue, plan_for: PlanFor
) -> None:
    names = sorted(
        e["file"]
        for e in ENTRIES
        if "/uganda/" in e["file"] and e.get("kind") == "release-schema.json"
    )
    assert names
    for name in names:
        assert validate(corpus, catalogue, plan_for("1.1.5", "release-schema.json"), name) == []
        old = validate(corpus, catalogue, plan_for("1.0.3", "release-schema.json"), name)
        assert [(f.code, f.location.field) for f in old] == [("field.enum", "procurementMethod")]


def test_package_schema_without_its_release_schema_is_refused_offline(
    corpus: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("govstd tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    folder = corpus / "ocds" / "schema" / "1.1.5"
    package = json.loads((folder / "release-package-schema.json").read_text(encoding="utf-8"))
    document = SchemaDocument(package, path=folder / "release-package-schema.json")
    with pytest.raises(ReferenceResolutionError) as caught:
        JsonSchemaEngine().compile(document, CompileContext(catalogue))
    url = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
    assert caught.value.url == url
    assert url in str(caught.value)
