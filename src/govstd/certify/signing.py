"""Ed25519 signatures of certificates, through the ``cryptography`` library.

Keys are PEM files: the private key PKCS#8 (unencrypted, keep it out of the repository), the
public key SubjectPublicKeyInfo. The signature covers :meth:`Certificate.canonical` and is
stored in the certificate as::

    "signature": {"algorithm": "ed25519", "key_id": "<sha256 of the raw public key, 16 hex>",
                  "public_key": "<base64 raw 32 bytes>", "value": "<base64 64 bytes>"}

The embedded public key lets anyone check integrity; only a public key obtained from the
issuer (``--public-key``) shows *who* signed.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstd.exceptions import SetupError, UsageError

if TYPE_CHECKING:
    from govstd.certify.certificate import Certificate

__all__ = ["generate_key_pair", "key_id", "sign", "verify_signature"]

ALGORITHM = "ed25519"


def _raw(public_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    raw: bytes = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw


def key_id(raw_public_key: bytes) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


def _load_private(path: Path) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as exc:
        raise UsageError(f"cannot read key {path}: {exc.strerror or exc}") from None
    except (ValueError, TypeError) as exc:
        raise SetupError(f"{path} is not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SetupError(f"{path} is not an Ed25519 key")
    return key


def load_public_key(path: Path) -> bytes:
    """The raw 32 bytes of the Ed25519 public key in a PEM file."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except OSError as exc:
        raise UsageError(f"cannot read key {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SetupError(f"{path} is not a PEM public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SetupError(f"{path} is not an Ed25519 public key")
    return _raw(key)


def generate_key_pair(private_path: Path, public_path: Path) -> str:
    """Write a new Ed25519 key pair (PEM); returns its key id. Refuses to overwrite."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    for path in (private_path, public_path):
        if Path(path).exists():
            raise UsageError(f"{path} exists; not overwriting a key")
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    Path(private_path).touch(mode=0o600)
    Path(private_path).write_bytes(private)
    Path(public_path).write_bytes(public)
    return key_id(_raw(key.public_key()))


def sign(certificate: Certificate, private_key_path: Path) -> None:
    """Sign ``certificate`` in place with the Ed25519 key in ``private_key_path``."""
    key = _load_private(private_key_path)
    raw = _raw(key.public_key())
    value = key.sign(certificate.canonical())
    certificate.data["signature"] = {
        "algorithm": ALGORITHM,
        "key_id": key_id(raw),
        "public_key": base64.b64encode(raw).decode("ascii"),
        "value": base64.b64encode(value).decode("ascii"),
    }


def verify_signature(certificate: Certificate, trusted: bytes | None = None) -> str | None:
    """Why the signature does not verify, or None when it does.

    With ``trusted`` (raw public key bytes), the signature must be by that key; otherwise the
    embedded public key is used (integrity only).
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    signature = certificate.signature
    if signature is None:
        return "the certificate is not signed"
    if signature.get("algorithm") != ALGORITHM:
        return f"unsupported algorithm {signature.get('algorithm')!r}"
    try:
        embedded = base64.b64decode(signature["public_key"], validate=True)
        value = base64.b64decode(signature["value"], validate=True)
    except (KeyError, ValueError):
        return "the signature is malformed"
    if trusted is not None and trusted != embedded:
        return (
            f"signed with key {key_id(embedded)}, not with the given public key {key_id(trusted)}"
        )
    try:
        Ed25519PublicKey.from_public_bytes(embedded).verify(value, certificate.canonical())
    except (InvalidSignature, ValueError):
        return "the content was changed after signing (or the signature is not for it)"
    return None
