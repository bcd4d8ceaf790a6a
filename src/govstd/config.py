"""The options file: default options and waivers for a project, in ``govstd.toml`` or in the
``[tool.govstd]`` table of ``pyproject.toml``.

``govstd.toml``::

    standard = "cn.natural-person@1.1"
    adapter = "acme-hr"                 # when an adapter plugin is installed
    fail-on = "error"                   # error | warning | info | never | new
    output-format = "text"
    reports = ["junit:reports/govstd.xml", "sarif:reports/govstd.sarif"]
    lang = "zh"
    baseline = "reports/baseline.json"

    [[waivers]]
    code = "cn.ric.division"
    ...                                 # see govstd.waivers

In ``pyproject.toml`` the same keys sit under ``[tool.govstd]`` and the waivers under
``[[tool.govstd.waivers]]``. Command-line options always win over the file. Discovery looks in
the current directory only: ``govstd.toml`` first, then a ``pyproject.toml`` that has a
``[tool.govstd]`` table.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govstd.exceptions import SetupError
from govstd.waivers import Waiver, parse_waivers

__all__ = ["CONFIG_NAME", "OPTIONS", "Config", "discover_config", "load_config"]

CONFIG_NAME = "govstd.toml"

#: option keys of the file (kebab-case, as on the command line) → their type
OPTIONS: Mapping[str, type | tuple[type, ...]] = {
    "standard": str,
    "adapter": str,
    "fail-on": str,
    "output-format": str,
    "reports": list,
    "lang": str,
    "baseline": str,
    "max-findings": int,
    "input-format": str,
    "encoding": str,
}
_FAIL_ON = ("error", "warning", "info", "never", "new")


@dataclass(frozen=True)
class Config:
    """What an options file says: default options (kebab-case keys) and waivers."""

    path: Path | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()

    def default_map(self) -> dict[str, Any]:
        """The options as command parameter names (``fail-on`` → ``fail_on``); relative paths
        (``reports``, ``baseline``) are resolved against the file's folder."""
        out: dict[str, Any] = {}
        base = self.path.parent if self.path is not None else Path()
        for key, value in self.options.items():
            name = key.replace("-", "_")
            if key == "baseline":
                value = str(base / value)
            elif key == "reports":
                value = [_resolve_report(spec, base) for spec in value]
            out[name] = value
        return out


def _resolve_report(spec: str, base: Path) -> str:
    fmt, sep, target = spec.partition(":")
    if not sep or target == "-":
        return spec
    return f"{fmt}:{base / target}"


def _parse(table: Mapping[str, Any], origin: str, path: Path) -> Config:
    options: dict[str, Any] = {}
    for key, value in table.items():
        if key == "waivers":
            continue
        normal = key.replace("_", "-")
        kind = OPTIONS.get(normal)
        if kind is None:
            known = ", ".join(sorted(OPTIONS))
            raise SetupError(f"{origin}: unknown option {key!r} (known: {known}, waivers)")
        if not isinstance(value, kind) or isinstance(value, bool):
            raise SetupError(f"{origin}: option {key!r} has the wrong type ({value!r})")
        if normal == "reports" and not all(isinstance(v, str) and ":" in v for v in value):
            raise SetupError(f'{origin}: reports must be strings like "junit:junit.xml"')
        if normal == "fail-on" and value not in _FAIL_ON:
            raise SetupError(f"{origin}: fail-on must be one of {', '.join(_FAIL_ON)}")
        options[normal] = value
    waivers = parse_waivers(table.get("waivers"), origin=origin)
    return Config(path=path, options=options, waivers=tuple(waivers))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SetupError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SetupError(f"{path} is not valid TOML: {exc}") from None


def load_config(path: Path) -> Config:
    """Read an options file: ``pyproject.toml`` (its ``[tool.govstd]`` table) or any other TOML
    file (its top level). Raises :class:`SetupError` for unreadable or malformed files."""
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("govstd", {})
        return _parse(table, f"{path} [tool.govstd]", path)
    return _parse(data, str(path), path)


def discover_config(directory: Path) -> Config | None:
    """The options file in ``directory``: ``govstd.toml``, else ``pyproject.toml`` with a
    ``[tool.govstd]`` table, else None."""
    candidate = directory / CONFIG_NAME
    if candidate.is_file():
        return load_config(candidate)
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        data = _read_toml(pyproject)
        if isinstance(data.get("tool"), dict) and "govstd" in data["tool"]:
            return _parse(data["tool"]["govstd"], f"{pyproject} [tool.govstd]", pyproject)
    return None
