"""Write throw-away standard folders for tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SIMPLE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["code"],
    "properties": {"code": {"type": "string", "pattern": "^[A-Z]{2}$"}},
    "additionalProperties": False,
}


def write_standard(
    root: Path,
    ident: str,
    version: str,
    status: str = "active",
    *,
    schema: Any = None,
    extra: str = "",
    released: str = "2024-01-01",
) -> Path:
    folder = root / ident / version
    folder.mkdir(parents=True)
    (folder / "record.schema.json").write_text(json.dumps(schema or SIMPLE_SCHEMA), "utf-8")
    (folder / "manifest.toml").write_text(
        f'id = "{ident}"\nversion = "{version}"\nstatus = "{status}"\nreleased = {released}\n'
        f'title = {{ en = "Test {ident}", zh = "测试 {ident}" }}\n{extra}\n'
        '[artefacts]\njson_schema = "record.schema.json"\n',
        "utf-8",
    )
    return folder
