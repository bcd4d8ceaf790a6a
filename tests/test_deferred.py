"""Registrations built on first use (govstd.deferred) and what a run imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from govstd import builtins
from govstd.deferred import Deferred, Registrations
from govstd.exceptions import PluginError
from govstd.session import Session


@pytest.mark.parametrize("hook", ["govstd_readers", "govstd_engines", "govstd_reporters"])
def test_declared_attributes_are_the_built_objects_own(hook: str) -> None:
    for item in getattr(builtins, hook)():
        assert isinstance(item, Deferred)
        built = item.build("govstd.builtins", hook)
        assert built.name == item.name
        for attribute, value in item.attributes.items():
            actual = getattr(built, attribute)
            assert (tuple(actual) if isinstance(value, tuple) else actual) == value


def test_items_are_the_real_objects_once_used() -> None:
    session = Session(autoload=False)
    readers = session.readers
    csv = readers["csv"]
    assert type(csv).__name__ == "CsvReader"
    assert readers["csv"] is csv  # built once
    assert dict(readers.items())["csv"] is csv
    assert list(readers) == ["csv", "jsonl", "json", "xml"]
    assert readers.describe("xml", "extensions") == (".xml",)


def test_describe_does_not_build() -> None:
    table = Registrations("reader")
    table.add("someone", "x", Deferred("x", "no.such.module:Reader", {"extensions": (".x",)}))
    assert table.describe("x", "extensions") == (".x",)
    with pytest.raises(PluginError, match=r"'someone'.*no\.such\.module:Reader.*cannot be built"):
        table["x"]


def test_a_factory_building_another_name_is_a_plugin_error() -> None:
    table = Registrations("reporter")
    table.add("someone", "text2", Deferred("text2", "govstd.reporters.text:TextReporter"))
    with pytest.raises(PluginError, match=r"named 'text'.*registered as 'text2'"):
        table["text2"]


def test_a_run_imports_only_what_it_uses(tmp_path: Path) -> None:
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"type": "object", "required": ["a"]}), encoding="utf-8")
    feed = tmp_path / "f.jsonl"
    feed.write_text('{"a": 1}\n{"b": 2}\n', encoding="utf-8")
    argv = ["validate", str(feed), "--schema", str(schema), "--output-format", "json"]
    argv += ["--output", str(tmp_path / "r.json")]
    script = (
        "import sys\n"
        "from govstd.cli.main import cli\n"
        "try:\n"
        f"    cli({argv!r}, prog_name='govstd')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('govstd'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = set(done.stdout.split())
    assert "govstd.formats.jsonl" in loaded and "govstd.reporters.json" in loaded
    for unused in (
        "govstd.adapters",  # the bundled plugins import it only when an adapter is asked for
        "govstd.formats.xml",
        "govstd.engines.xsd",
        "govstd.engines.schematron",
        "govstd.reporters.html",
        "govstd.reporters.sarif",
        "govstd.reporters.junit",
    ):
        assert unused not in loaded, unused
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["stats"]["rejected"] == 1
