"""Conformance certification: does a vendor system meet a standard version, provably?

- :mod:`govstd.certify.profile`: the requirements of a standard version (derived, plus
  ``conformance.toml``);
- :mod:`govstd.certify.run`: the certification run (samples, round trip, coverage, waivers);
- :mod:`govstd.certify.roundtrip`: the seeded property-based round trip of an adapter;
- :mod:`govstd.certify.pins`: SHA-256 pins of the standard, adapter and samples;
- :mod:`govstd.certify.certificate`: the JSON certificate and its published schema;
- :mod:`govstd.certify.signing`: Ed25519 signatures (``cryptography``);
- :mod:`govstd.certify.verify`: checking a certificate against what is installed;
- :mod:`govstd.certify.html`: the readable, self-contained HTML rendering.

Use :meth:`govstd.Session.certify` and :meth:`govstd.Session.verify_certificate`; see
``docs/certify.md``.
"""

from __future__ import annotations

from govstd.certify.certificate import Certificate
from govstd.certify.profile import Profile, Requirement, build_profile
from govstd.certify.run import CertifyOptions, run_certification
from govstd.certify.verify import Verification, verify_certificate

__all__ = [
    "Certificate",
    "CertifyOptions",
    "Profile",
    "Requirement",
    "Verification",
    "build_profile",
    "run_certification",
    "verify_certificate",
]
