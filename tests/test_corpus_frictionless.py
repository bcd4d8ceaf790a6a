"""Real Table Schemas and CSVs from the shared corpus, against frictionless-py.

- Etalab ``schema-stationnement`` v0.1.5: same verdict and failing (row, field) pairs as
  frictionless, computed here.
- Etalab v0.1.0 puts ``format`` inside ``constraints``: a SchemaError, as frictionless refuses it.
- frictionless-py's own sample CSVs with schemas: compared with ``REFERENCE-RESULTS.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govstd.catalogue import Catalogue
from govstd.engines.base import CompileContext, SchemaDocument
from govstd.engines.tableschema import TableSchemaEngine
from govstd.exceptions import SchemaError
from govstd.findings import Finding
from govstd.formats.base import ReadOptions, Source
from govstd.formats.csv import CsvReader

pytestmark = pytest.mark.corpus

ETALAB = Path("frictionless/etalab-schema-stationnement")
FPY = Path("frictionless/frictionless-py")


def validate(catalogue: Catalogue, schema: Any, path: Path, **options: Any) -> list[Finding]:
    checker = (
        TableSchemaEngine()
        .compile(SchemaDocument(schema), CompileContext(catalogue))
        .open(str(path))
    )
    found: list[Finding] = []
    for batch in CsvReader().read(Source.from_arg(path), ReadOptions(**options), catalogue):
        found.extend(batch.findings)
        found.extend(checker.check_table(batch))
    return found


def cell_pairs(found: list[Finding]) -> set[tuple[int | None, str | None]]:
    return {
        (f.location.line, f.location.field)
        for f in found
        if f.code.startswith("field.") or f.code == "row.missing-cell"
    }


def frictionless_report(schema: dict[str, Any], path: Path) -> Any:
    frictionless = pytest.importorskip("frictionless")
    resource = frictionless.Resource(
        path=path.name,
        basepath=str(path.parent),
        schema=frictionless.Schema.from_descriptor(schema),
    )
    return frictionless.validate(resource, limit_errors=10**6)


def test_etalab_v015_agrees_with_frictionless(catalogue: Catalogue, corpus: Path) -> None:
    folder = corpus / ETALAB / "v0.1.5"
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    for path in sorted(folder.glob("*.csv")):
        ours = validate(catalogue, schema, path)
        report = frictionless_report(schema, path)
        theirs = {
            (e.row_number, e.field_name)
            for e in report.tasks[0].errors
            if e.type in ("type-error", "constraint-error", "unique-error", "missing-cell")
        }
        assert (not ours) == report.valid, path.name
        assert cell_pairs(ours) == theirs, path.name


def test_etalab_v015_invalid_variant(catalogue: Catalogue, corpus: Path, tmp_path: Path) -> None:
    """The valid example, spoiled cell by cell: both tools name the same cells."""
    folder = corpus / ETALAB / "v0.1.5"
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    lines = (folder / "exemple-valide.csv").read_text(encoding="utf-8").splitlines()
    spoiled = lines[1].replace("75114-P-001", "7511-P-001").replace(",tous,", ",personne,")
    spoiled = spoiled.replace(",true,", ",peut-être,").replace(",325,", ",trois,")
    path = tmp_path / "exemple-invalide.csv"
    path.write_text("\n".join([lines[0], spoiled, lines[2], lines[2]]) + "\n", encoding="utf-8")
    ours = validate(catalogue, schema, path)
    report = frictionless_report(schema, path)
    theirs = {
        (e.row_number, e.field_name)
        for e in report.tasks[0].errors
        if e.type in ("type-error", "constraint-error", "unique-error", "missing-cell")
    }
    assert (
        cell_pairs(ours)
        == theirs
        == {(2, "id"), (2, "type_usagers"), (2, "gratuit"), (2, "nb_places")}
    )
    # the repeated last row duplicates the primary key: both see row 4 as invalid
    assert [(f.code, f.location.line) for f in ours if f.code.startswith("record.")] == [
        ("record.duplicate-key", 4)
    ]
    assert 4 in {e.row_number for e in report.tasks[0].errors}


def test_etalab_v010_schema_is_refused(catalogue: Catalogue, corpus: Path) -> None:
    schema = json.loads((corpus / ETALAB / "v0.1.0" / "schema.json").read_text(encoding="utf-8"))
    with pytest.raises(SchemaError, match='constraint "format" is not supported by type "string"'):
        TableSchemaEngine().compile(SchemaDocument(schema), CompileContext(catalogue))


def reference(corpus: Path, name: str) -> dict[str, Any]:
    results = json.loads((corpus / "REFERENCE-RESULTS.json").read_text(encoding="utf-8"))
    return next(f for f in results["frictionless"]["files"] if f["file"] == str(FPY / name))


def package_resource(corpus: Path, package: str, resource: str) -> tuple[dict[str, Any], Path]:
    descriptor = json.loads((corpus / FPY / package).read_text(encoding="utf-8"))
    entry = next(r for r in descriptor["resources"] if r["name"] == resource)
    return entry["schema"], (corpus / FPY / package).parent / entry["path"]


def test_number_sample(catalogue: Catalogue, corpus: Path) -> None:
    """NaN, INF, -0, 95%, $4.00 … against range, enum, required and unique constraints."""
    schema, path = package_resource(corpus, "number/datapackage.json", "number-test")
    ours = validate(catalogue, schema, path)
    expected = reference(corpus, "number/datapackage.json")
    # The reference stops at 10 errors per task in its summary (error_count 27); compare
    # the ones it lists, then the whole set with frictionless itself.
    listed = {(e["row"], e["field"]) for e in expected["errors"]}
    assert listed <= cell_pairs(ours)
    report = frictionless_report(schema, path)
    theirs = {(e.row_number, e.field_name) for e in report.tasks[0].errors if e.field_name}
    assert cell_pairs(ours) == theirs
    assert len([f for f in ours]) == expected["error_count"]


def test_geopoint_object_sample(catalogue: Catalogue, corpus: Path) -> None:
    schema, path = package_resource(corpus, "geopoint/datapackage.json", "office-locations")
    assert validate(catalogue, schema, path) == []
    assert reference(corpus, "geopoint/datapackage.json")["valid"] is True


def test_invalid_package_sample(catalogue: Catalogue, corpus: Path) -> None:
    """A blank row in a table with a primary key (foreign keys are out of scope)."""
    schema, path = package_resource(corpus, "invalid/datapackage.json", "data")
    ours = validate(catalogue, schema, path)
    assert [(f.code, f.location.line) for f in ours] == [("row.blank", 3)]
    expected = reference(corpus, "invalid/datapackage.json")
    assert {e["row"] for e in expected["errors"] if e["type"] == "blank-row"} >= {3}


def test_capital_invalid_sample(catalogue: Catalogue, corpus: Path) -> None:
    """Duplicate header, short row, blank row, type error and extra cell."""
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "name"}, {"name": "name2"}]}
    ours = validate(catalogue, schema, corpus / FPY / "capital-invalid.csv")
    # By name, the header has no "name2" column (it repeats "name"), where frictionless,
    # matching by position, reports the repeat as a duplicate label at the same place.
    assert [(f.code, f.record, f.location.line, f.location.column) for f in ours] == [
        ("header.duplicate", None, 1, 3),
        ("header.missing", None, 1, None),
        ("row.missing-cell", 9, 10, 3),
        ("row.blank", 10, 11, None),
        ("field.type", 11, 12, 1),
        ("row.extra-cell", 11, 12, 4),
    ]
    expected = reference(corpus, "capital.resource.yaml")
    assert {(e["type"], e["row"]) for e in expected["errors"]} == {
        ("duplicate-label", None),
        ("missing-cell", 10),
        ("blank-row", 11),
        ("type-error", 12),
        ("extra-cell", 12),
    }


def test_countries_sample(catalogue: Catalogue, corpus: Path) -> None:
    """frictionless infers that line 1 is a comment; here the dialect says so."""
    schema = {
        "fields": [
            {"type": "integer", "name": "id", "constraints": {"required": True}},
            {"type": "integer", "name": "neighbor_id"},
            {"type": "string", "name": "name", "constraints": {"required": True}},
            {"type": "integer", "name": "population"},
        ]
    }
    ours = validate(catalogue, schema, corpus / FPY / "countries.csv", dialect={"commentChar": "#"})
    expected = reference(corpus, "countries.yaml")
    theirs = {(e["row"], e["field"]) for e in expected["errors"] if e["field"]}
    assert cell_pairs(ours) == theirs
    assert {f.location.line for f in ours} == {e["row"] for e in expected["errors"]}


def test_schema_samples(catalogue: Catalogue, corpus: Path) -> None:
    """The sample schemas: valid ones compile, invalid ones raise SchemaError."""
    engine = TableSchemaEngine()
    for name in sorted((corpus / FPY).glob("schema-*.json")):
        content = json.loads(name.read_text(encoding="utf-8"))
        expected = reference(corpus, name.name)
        if expected["valid"]:
            engine.compile(SchemaDocument(content), CompileContext(catalogue))
        else:
            with pytest.raises(SchemaError):
                engine.compile(SchemaDocument(content), CompileContext(catalogue))
