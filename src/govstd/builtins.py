"""govstd's own features, registered as a plugin through the public hooks.

Nothing here is special: a vendor plugin uses exactly the same hooks. Imports happen inside
the hook implementations so that ``import govstd`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

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
    from govstd.formats.csv import CsvReader
    from govstd.formats.json import JsonReader
    from govstd.formats.jsonl import JsonLinesReader
    from govstd.formats.xml import XmlReader

    return [CsvReader(), JsonLinesReader(), JsonReader(), XmlReader()]


@hookimpl
def govstd_writers() -> Iterable[Any]:
    from govstd.formats.writers import builtin_writers

    return builtin_writers()


@hookimpl
def govstd_engines() -> Iterable[Any]:
    from govstd.engines.jsonschema import JsonSchemaEngine
    from govstd.engines.schematron import SchematronEngine
    from govstd.engines.tableschema import TableSchemaEngine
    from govstd.engines.xsd import XsdEngine

    return [TableSchemaEngine(), JsonSchemaEngine(), XsdEngine(), SchematronEngine()]


@hookimpl
def govstd_reporters() -> Iterable[Any]:
    from govstd.reporters.github import GithubReporter
    from govstd.reporters.html import HtmlReporter
    from govstd.reporters.json import JsonReporter
    from govstd.reporters.junit import JUnitReporter
    from govstd.reporters.sarif import SarifReporter
    from govstd.reporters.text import TextReporter

    return [
        TextReporter(),
        JsonReporter(),
        JUnitReporter(),
        SarifReporter(),
        GithubReporter(),
        HtmlReporter(),
    ]


@hookimpl(trylast=True)
def govstd_detect_version(record: Any, standards: Sequence[Any]) -> str | None:
    from govstd.versions.detect import DetectRule, declared_version

    rule = DetectRule.of(standards)
    return None if rule is None else declared_version(rule, record)
