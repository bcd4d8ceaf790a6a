"""360Giving 1.0.0 (draft-04) and 1.4.3 (draft 2020-12): GrantNav's 2016 data.

Each sample is checked against the package schema of both versions, with ``format`` as an
annotation and asserted, and must get the verdict, error count and errors by kind ("keyword at
pointer with indices as ``*``") of ``REFERENCE-RESULTS.json``.

One known difference: with ``format`` asserted, govstd also checks ``uri`` (the
``jsonschema[format-nongpl]`` extra brings a URI checker; the reference was computed without
one), so the few grant URLs written without a scheme (``disabilitykarate.co.uk``) are
``field.format`` findings here and not there. They are counted apart and pinned.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import corpus_root
from govstd.catalogue import Catalogue
from govstd.engines.base import CompileContext, SchemaDocument
from govstd.engines.jsonschema import JsonSchemaEngine, JsonSchemaPlan
from govstd.findings import Finding
from govstd.formats.base import ReadOptions, Source
from govstd.formats.json import JsonReader

pytestmark = pytest.mark.corpus

#: the 1.0.0 package schema refers to the grant schema on the unpinned master branch
MASTER = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/master/schema/360-giving-schema.json"
MODES = {"no_format": False, "format_asserted": True}


def _entries() -> list[dict[str, Any]]:
    root = corpus_root()
    if root is None:
        return []
    data = json.loads((root / "REFERENCE-RESULTS.json").read_text(encoding="utf-8"))
    return list(data["360giving"]["files"])


PlanFor = Callable[[str, bool], JsonSchemaPlan]


@pytest.fixture(scope="module")
def plan_for(corpus: Path, catalogue: Catalogue) -> PlanFor:
    """Package schemas by (version, format asserted?), each compiled once."""
    plans: dict[tuple[str, bool], JsonSchemaPlan] = {}

    def get(version: str, fmt: bool) -> JsonSchemaPlan:
        if (version, fmt) not in plans:
            plans[(version, fmt)] = _compile_package(corpus, catalogue, version, fmt)
        return plans[(version, fmt)]

    return get


def _compile_package(corpus: Path, catalogue: Catalogue, version: str, fmt: bool) -> JsonSchemaPlan:
    folder = corpus / "360giving" / "schema" / version
    package_path = folder / "360-giving-package-schema.json"
    package = json.loads(package_path.read_text(encoding="utf-8"))
    grant = json.loads((folder / "360-giving-schema.json").read_text(encoding="utf-8"))
    resources = {grant.get("$id", MASTER): grant}
    document = SchemaDocument(package, path=package_path, resources=resources)
    return JsonSchemaEngine().compile(document, CompileContext(catalogue, format_check=fmt))


def validate(corpus: Path, catalogue: Catalogue, plan: JsonSchemaPlan, name: str) -> list[Finding]:
    checker = plan.open(name)
    found: list[Finding] = []
    for batch in JsonReader().read(Source.from_arg(corpus / name), ReadOptions(), catalogue):
        assert batch.findings == []
        found.extend(checker.check_documents(batch))
    return found


def kind(finding: Finding) -> str:
    pointer = re.sub(r"/[0-9]+(?=/|$)", "/*", finding.location.pointer or "")
    return f"{finding.keyword} at {pointer}"


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: Path(e["file"]).stem)
@pytest.mark.parametrize("version", ["1.0.0", "1.4.3"])
@pytest.mark.parametrize("mode", sorted(MODES))
def test_agrees_with_reference(
    corpus: Path,
    catalogue: Catalogue,
    plan_for: PlanFor,
    entry: dict[str, Any],
    version: str,
    mode: str,
) -> None:
    plan = plan_for(version, MODES[mode])
    assert plan.dialect == {"1.0.0": "draft-04", "1.4.3": "2020-12"}[version]
    assert plan.predicate is not None
    found = validate(corpus, catalogue, plan, entry["file"])
    uri = [f for f in found if f.keyword == "format" and f.expected == "uri"]
    rest = [f for f in found if f not in uri]
    expected = entry[f"{version}/{mode}"]
    assert Counter(kind(f) for f in rest) == Counter(expected["by_kind"])
    assert len(rest) == expected["error_count"]
    assert (not rest) is expected["valid"]
    if not MODES[mode]:
        assert uri == []
    for finding in uri:
        assert "://" not in finding.value


def test_uri_difference_is_only_in_ocf(
    corpus: Path, catalogue: Catalogue, plan_for: PlanFor
) -> None:
    plan = plan_for("1.4.3", True)
    counts = {}
    for entry in _entries():
        found = validate(corpus, catalogue, plan, entry["file"])
        counts[Path(entry["file"]).stem] = sum(
            1 for f in found if f.keyword == "format" and f.expected == "uri"
        )
    assert counts == {"baring": 0, "indigo": 0, "nominet": 0, "ocf3": 14}


def test_award_dates_fail_only_when_format_is_asserted(
    corpus: Path, catalogue: Catalogue, plan_for: PlanFor
) -> None:
    name = "360giving/samples/grantnav-2016/baring.json"
    for version in ("1.0.0", "1.4.3"):
        assert validate(corpus, catalogue, plan_for(version, False), name) == []
        found = validate(corpus, catalogue, plan_for(version, True), name)
        award = [f for f in found if f.location.pointer.endswith("/awardDate")]
        assert award and all(f.code == "record.combination" for f in award)
        assert all("Closest alternative" in (f.hint or "") for f in award)
