"""The plugin manager: one per session, loud failures that name the plugin."""

from __future__ import annotations

import types
from importlib import metadata
from pathlib import Path

import pytest

from govstd.exceptions import PluginError
from govstd.hookspecs import hookimpl
from govstd.plugins import build_plugin_manager
from govstd.session import Session
from standards_factory import write_standard


class CrashingPlugin:
    __name__ = "crashy"

    @hookimpl
    def govstd_readers(self):
        raise RuntimeError("boom")


class MisspeltPlugin:
    __name__ = "misspelt"

    @hookimpl
    def govstd_reader(self):  # no such hook
        return []


class NamelessReaderPlugin:
    __name__ = "nameless"

    @hookimpl
    def govstd_readers(self):
        return [object()]


def test_sessions_do_not_share_plugin_managers() -> None:
    a, b = Session(autoload=False), Session(autoload=False)
    assert a.plugin_manager is not b.plugin_manager
    assert "csv" in a.readers and "jsonschema" in a.engines


def test_crashing_hook_names_the_plugin() -> None:
    session = Session(plugins=[CrashingPlugin()], autoload=False)
    with pytest.raises(
        PluginError, match="'crashy' crashed in govstd_readers: RuntimeError: boom"
    ) as info:
        session.readers  # noqa: B018
    assert info.value.plugin == "crashy"
    assert info.value.exit_code == 3


def test_misspelt_hook_fails_loudly() -> None:
    with pytest.raises(PluginError, match="govstd_reader"):
        build_plugin_manager(plugins=[MisspeltPlugin()], autoload=False)


def test_registration_without_name_is_refused() -> None:
    with pytest.raises(PluginError, match="without a name"):
        Session(plugins=[NamelessReaderPlugin()], autoload=False).readers  # noqa: B018


def test_plugins_can_be_disabled_by_name() -> None:
    session = Session(plugins=[CrashingPlugin()], autoload=False, disabled_plugins=["crashy"])
    assert "csv" in session.readers


def _fake_entry_points(monkeypatch: pytest.MonkeyPatch, module: types.ModuleType) -> None:
    dist = types.SimpleNamespace(metadata={"Name": "govstd-fake"}, version="9.9")

    class EP:
        name = "fake"
        value = "fake_module"
        group = "govstd"

        def __init__(self) -> None:
            self.dist = dist

        def load(self) -> object:
            if module is None:
                raise ImportError("No module named 'fake_dependency'")
            return module

    def entry_points(group: str | None = None, **_: object) -> list[EP]:
        return [EP()] if group == "govstd" else []

    monkeypatch.setattr(metadata, "entry_points", entry_points)


def test_entry_point_plugins_are_loaded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_standard(tmp_path, "x.plugged", "1.0.0")
    module = types.ModuleType("fake_module")

    @hookimpl
    def govstd_standards_paths():
        return [tmp_path]

    module.govstd_standards_paths = govstd_standards_paths  # type: ignore[attr-defined]
    _fake_entry_points(monkeypatch, module)
    session = Session(environ={})
    assert session.resolve("x.plugged").ref == "x.plugged@1.0.0"
    assert session.plugin_manager.distributions["fake"] == ("govstd-fake", "9.9")
    # autoload switched off by the environment
    off = Session(environ={"GOVSTD_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert not off.plugin_manager.has_plugin("fake")
    # or by -p no:fake
    assert not Session(environ={}, disabled_plugins=["fake"]).plugin_manager.has_plugin("fake")


def test_entry_point_that_fails_to_import(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_entry_points(monkeypatch, None)  # type: ignore[arg-type]
    with pytest.raises(PluginError, match=r"'fake' .* failed to load: ImportError"):
        Session(environ={}).plugin_manager  # noqa: B018


def test_plugins_add_cli_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    import click
    from click.testing import CliRunner

    from govstd.cli.main import cli

    module = types.ModuleType("fake_module")

    @hookimpl
    def govstd_cli_commands(cli):
        @cli.command("hello")
        @click.argument("who")
        def hello(who: str) -> None:
            """Say hello."""
            click.echo(f"hello {who}")

    module.govstd_cli_commands = govstd_cli_commands  # type: ignore[attr-defined]
    _fake_entry_points(monkeypatch, module)
    monkeypatch.delenv("GOVSTD_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    result = CliRunner().invoke(cli, ["hello", "world"])
    assert result.exit_code == 0, result.output
    assert result.output == "hello world\n"
    assert "hello" in CliRunner().invoke(cli, ["--help"]).output
    unknown = CliRunner().invoke(cli, ["nope"])
    assert unknown.exit_code == 2 and "No such command" in unknown.output


def test_crashing_cli_plugin_is_a_setup_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from govstd.cli.main import cli

    module = types.ModuleType("fake_module")

    @hookimpl
    def govstd_cli_commands(cli):
        raise RuntimeError("cannot add")

    module.govstd_cli_commands = govstd_cli_commands  # type: ignore[attr-defined]
    _fake_entry_points(monkeypatch, module)
    monkeypatch.delenv("GOVSTD_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    result = CliRunner().invoke(cli, ["nope"])
    assert result.exit_code == 3
    assert "'fake' crashed in govstd_cli_commands" in result.output
    assert "Traceback" not in result.output
