"""The certificate: a JSON document a third party can re-check.

Its shape is published as ``govstd/schemas/certificate.schema.json``; :meth:`Certificate.check`
validates against it. The document states the verdict of every requirement, the conformance
level reached (``full``: every requirement passes; ``core``: every mandatory one;
``none``) and pins, by SHA-256, everything the verdict depends on: the standard version's
files, the adapter's distribution and files, the govstd version, the sample files, the seed,
the number of examples and the certification date.

A signature (:mod:`govstd.certify.signing`) covers the canonical form of every other member:
UTF-8 JSON with sorted keys and no insignificant whitespace (:meth:`Certificate.canonical`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from govstd.exceptions import UsageError

__all__ = ["FORMAT", "Certificate", "certificate_schema"]

#: the ``format`` member of every certificate this version writes
FORMAT = "govstd-certificate/1"


@cache
def certificate_schema() -> dict[str, Any]:
    """The published JSON Schema of a certificate."""
    text = (resources.files("govstd") / "schemas" / "certificate.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


class Certificate:
    """A certificate document (``data``), with the views the CLI and verifier need."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data: dict[str, Any] = dict(data)

    # -- what it says ---------------------------------------------------------------------

    @property
    def level(self) -> str:
        return str(self.data["level"])

    @property
    def conforms(self) -> bool:
        """True when every mandatory requirement passed."""
        return self.data["verdict"] == "conforms"

    @property
    def requirements(self) -> list[dict[str, Any]]:
        return list(self.data["requirements"])

    def verdicts(self) -> dict[str, str]:
        """Requirement id → ``pass``, ``waived`` or ``fail``."""
        return {r["id"]: r["verdict"] for r in self.requirements}

    def failed(self, level: str | None = None) -> list[dict[str, Any]]:
        return [
            r
            for r in self.requirements
            if r["verdict"] == "fail" and (level is None or r["level"] == level)
        ]

    @property
    def signature(self) -> dict[str, Any] | None:
        return self.data.get("signature")

    def exit_code(self) -> int:
        return 0 if self.conforms else 1

    # -- its forms --------------------------------------------------------------------------

    def canonical(self) -> bytes:
        """The bytes a signature covers: everything but ``signature``, canonical JSON."""
        body = {k: v for k, v in self.data.items() if k != "signature"}
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
            "utf-8"
        )

    def to_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=2) + "\n"

    def schema_errors(self) -> list[str]:
        """Where the document departs from the published schema (empty when valid)."""
        from jsonschema import Draft202012Validator, FormatChecker

        validator = Draft202012Validator(certificate_schema(), format_checker=FormatChecker())
        return [
            f"{'/' + '/'.join(map(str, e.absolute_path)) if e.absolute_path else '(root)'}: "
            f"{e.message}"
            for e in sorted(validator.iter_errors(self.data), key=lambda e: list(e.path))
        ]

    @classmethod
    def load(cls, path: Path) -> Certificate:
        """Read a certificate file; a file that is not JSON is a usage error."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"cannot read certificate {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise UsageError(f"certificate {path} is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise UsageError(f"certificate {path} is not a JSON object")
        return cls(data)
