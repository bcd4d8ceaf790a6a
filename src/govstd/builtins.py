"""govstd's own features, registered as a plugin through the public hooks.

Nothing here is special: a vendor plugin uses exactly the same hooks. Imports happen inside
the hook implementations so that ``import govstd`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from govstd.deferred import Deferred
from govstd.hookspecs import hookimpl


@hookimpl
def govstd_standards_paths() -> Iterable[Path]:
    from govstd.registry import builtin_standards_root

    root = builtin_standards_root()
    return [root] if root is not None else []


@hookimpl
def govstd_finding_types() -> Iterable[Any]:
    from govstd.catalogue import builtin_finding_types

    return builtin_finding_types()


@hookimpl
def govstd_readers() -> Iterable[Any]:
    # deferred: a run imports the one reader it uses (see govstd.deferred); the attributes
    # declared here are what choosing a reader reads (tests/test_deferred.py checks them)
    return [
        Deferred("csv", "govstd.formats.csv:CsvReader", _reader((".csv", ".tsv", ".txt"), "table")),
        Deferred(
            "jsonl",
            "govstd.formats.jsonl:JsonLinesReader",
            _reader((".jsonl", ".ndjson", ".jsonlines"), "documents"),
        ),
        Deferred("json", "govstd.formats.json:JsonReader", _reader((".json",), "documents")),
        Deferred("xml", "govstd.formats.xml:XmlReader", _reader((".xml",), "xml")),
    ]


def _reader(extensions: tuple[str, ...], kind: str) -> dict[str, Any]:
    return {"extensions": extensions, "kind": kind}


@hookimpl
def govstd_writers() -> Iterable[Any]:
    from govstd.formats.writers import builtin_writers

    return builtin_writers()


@hookimpl
def govstd_engines() -> Iterable[Any]:
    # in this order: a schema goes to the first engine that detects it (deferred: an engine
    # is imported when it is asked, so a JSON Schema run never imports the XML engines)
    return [
        Deferred("tableschema", "govstd.engines.tableschema:TableSchemaEngine"),
        Deferred("jsonschema", "govstd.engines.jsonschema:JsonSchemaEngine"),
        Deferred("xsd", "govstd.engines.xsd:XsdEngine"),
        Deferred("schematron", "govstd.engines.schematron:SchematronEngine"),
    ]


@hookimpl
def govstd_reporters() -> Iterable[Any]:
    # deferred: a run imports the reporters it writes with
    return [
        Deferred("text", "govstd.reporters.text:TextReporter"),
        Deferred("json", "govstd.reporters.json:JsonReporter"),
        Deferred("junit", "govstd.reporters.junit:JUnitReporter"),
        Deferred("sarif", "govstd.reporters.sarif:SarifReporter"),
        Deferred("github", "govstd.reporters.github:GithubReporter"),
        Deferred("html", "govstd.reporters.html:HtmlReporter"),
    ]


@hookimpl(trylast=True)
def govstd_detect_version(record: Any, standards: Sequence[Any]) -> str | None:
    from govstd.versions.detect import DetectRule, declared_version

    rule = DetectRule.of(standards)
    return None if rule is None else declared_version(rule, record)
