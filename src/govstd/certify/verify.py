"""Verifying a certificate against what is installed, and optionally re-running it.

:func:`verify_certificate` checks, in order: the certificate's shape (the published schema),
its signature (Ed25519; against ``public_key`` when given), the standard version's files, the
adapter's distribution, version and files, the govstd version, and the sample files (paths
relative to the certificate's folder). Each problem is a finding (``certify.*`` codes, see
``govstd explain``) naming the file or version concerned. With ``recheck`` the certification
is run again with the certificate's inputs, seed, number of examples, date and waivers, and
every requirement's verdict must be the same.

A certificate for a standard version retired since verifies with a
``certify.standard-retired`` warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstd.certify.certificate import Certificate
from govstd.certify.pins import FileChange, adapter_pin, compare, file_digest, standard_digests
from govstd.exceptions import GovstdError
from govstd.findings import Finding, Severity

if TYPE_CHECKING:
    from govstd.session import Session

__all__ = ["Verification", "verify_certificate"]

_WAIVER_KEYS = ("id", "code", "source", "records", "field", "value", "owner", "reason", "expires")


@dataclass
class Verification:
    """The outcome: every finding, and the certificate a re-check produced (if any)."""

    certificate: Certificate
    findings: list[Finding] = field(default_factory=list)
    rechecked: Certificate | None = None
    signed_by: str | None = None

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "signed_by": self.signed_by,
            "rechecked": self.rechecked is not None,
            "findings": [
                {"code": f.code, "severity": str(f.severity), "message": f.message}
                for f in self.findings
            ],
        }


def verify_certificate(
    session: Session,
    path: Path,
    *,
    public_key: Path | None = None,
    recheck: bool = False,
) -> Verification:
    """Verify the certificate at ``path``; see the module documentation."""
    from govstd.certify.signing import load_public_key, verify_signature

    path = Path(path)
    certificate = Certificate.load(path)
    result = Verification(certificate)
    catalogue = session.catalogue

    def add(code: str, severity: Severity | None = None, **params: Any) -> None:
        result.findings.append(
            catalogue.finding(code, source=str(path), severity=severity, **params)
        )

    errors = certificate.schema_errors()
    if errors:
        for error in errors[:20]:
            add("certify.certificate-invalid", detail=error)
        return result

    trusted = load_public_key(public_key) if public_key is not None else None
    signature = certificate.signature
    if signature is None:
        if trusted is not None:
            add("certify.signature-invalid", detail="the certificate is not signed")
        else:
            add("certify.unsigned", detail="the certificate is not signed")
    else:
        problem = verify_signature(certificate, trusted)
        if problem is not None:
            add("certify.signature-invalid", detail=problem)
        else:
            result.signed_by = str(signature["key_id"])
            if trusted is None:
                add(
                    "certify.unsigned",
                    detail=f"signed with key {signature['key_id']}, but no --public-key was "
                    "given: the content is intact, who signed it is not established",
                )

    data = certificate.data
    changes = _pins(session, data, path.parent, add)
    for change in changes:
        add("certify.pin-mismatch", what=change.what, path=change.path, change=change.change)

    if recheck:
        if any(c.what == "sample" and c.change == "missing" for c in changes):
            add(
                "certify.recheck-differs",
                requirement="*",
                expected="a re-check",
                value="impossible without the sample files",
            )
        else:
            _recheck(session, certificate, path.parent, result, add)
    return result


def _pins(session: Session, data: dict[str, Any], folder: Path, add: Any) -> list[FileChange]:
    from govstd import __version__

    changes: list[FileChange] = []
    std = data["standard"]
    try:
        standard = session.resolve(std["ref"], allow_retired=True)
    except GovstdError:
        changes.append(FileChange("standard", std["ref"], "missing"))
    else:
        if standard.status == "retired":
            add("certify.standard-retired", standard=standard.ref, status=standard.status)
        changes += compare(f"standard {standard.ref}", std["files"], standard_digests(standard))

    pinned = data["adapter"]
    adapter = session.adapters.get(pinned["name"])
    if adapter is None:
        changes.append(FileChange("adapter", pinned["name"], "missing"))
    else:
        now = adapter_pin(session, adapter)
        for what, certified, installed in (
            ("adapter distribution", pinned["distribution"], now.distribution),
            ("adapter version", pinned["version"], now.version),
        ):
            if certified != installed:
                add(
                    "certify.version-mismatch",
                    what=what,
                    expected=str(certified),
                    value=str(installed),
                )
        changes += compare(f"adapter {adapter.name}", pinned["files"], now.files)

    if data["govstd"]["version"] != __version__:
        add(
            "certify.version-mismatch",
            severity=Severity.WARNING,
            what="govstd",
            expected=data["govstd"]["version"],
            value=__version__,
        )

    for sample in data["samples"]:
        where = folder / sample["path"]
        if not where.is_file():
            changes.append(FileChange("sample", sample["path"], "missing"))
        elif file_digest(where) != sample["sha256"]:
            changes.append(FileChange("sample", sample["path"], "changed"))
    return changes


def _recheck(
    session: Session, certificate: Certificate, folder: Path, result: Verification, add: Any
) -> None:
    from govstd.certify.run import CertifyOptions, run_certification
    from govstd.waivers import parse_waivers

    data = certificate.data
    waivers = parse_waivers(
        [{k: w[k] for k in _WAIVER_KEYS if k in w} for w in data.get("waivers", [])],
        origin="certificate",
    )
    options = CertifyOptions(
        adapter=data["adapter"]["name"],
        standard=data["standard"]["ref"],
        samples=[folder / s["path"] for s in data["samples"]],
        seed=int(data["run"]["seed"]),
        examples=int(data["run"]["examples"]),
        as_of=date.fromisoformat(data["run"]["as_of"]),
        waivers=waivers,
        base=folder,
        allow_retired=True,
    )
    again = run_certification(session, options)
    result.rechecked = again
    before, after = certificate.verdicts(), again.verdicts()
    for ident in sorted(set(before) | set(after)):
        if before.get(ident) != after.get(ident):
            add(
                "certify.recheck-differs",
                requirement=ident,
                expected=before.get(ident, "absent"),
                value=after.get(ident, "absent"),
            )
    if certificate.level != again.level:
        add(
            "certify.recheck-differs",
            requirement="level",
            expected=certificate.level,
            value=again.level,
        )
