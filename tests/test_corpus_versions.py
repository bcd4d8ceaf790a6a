"""govstd diff on real published versions: OCDS 1.0.3 → 1.1.5 and 360Giving 1.0.0 → 1.4.3.

The schemas are read from the shared corpus in place (never copied). The facts pinned here
were reviewed against the standards' own change logs: OCDS 1.1 makes the package ``version``
required (the OCDS rule "a package without version is 1.0"), adds ``parties``, new tender
statuses ``planning`` and ``withdrawn`` and non-empty ids; 360Giving 1.x only ever loosens
(a grant needs a recipient organisation *or* individual since 1.3), so its verdict is backward.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govstd.session import Session
from govstd.versions.changes import Impact, Side, Verdict

pytestmark = pytest.mark.corpus

C, B = Impact.COMPATIBLE, Impact.BREAKING
MASTER_360 = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/master/schema/"
    "360-giving-schema.json"
)


@pytest.fixture(scope="module")
def session() -> Session:
    return Session(autoload=False)


@pytest.fixture(scope="module")
def ocds(corpus: Path, session: Session):
    root = corpus / "ocds" / "schema"
    return session.diff(
        root / "1.0.3" / "release-package-schema.json",
        root / "1.1.5" / "release-package-schema.json",
    )


def _at(diff, kind: str, path: str):
    found = [c for c in diff.changes if c.kind == kind and (c.path == path or path in c.locations)]
    assert len(found) == 1, (kind, path)
    return found[0]


def test_ocds_version_becomes_required(ocds) -> None:
    version = _at(ocds, "field.added", "/version")
    assert "required" in version.detail
    assert (version.producers, version.consumers) == (B, C)
    assert ocds.verdict is Verdict.NONE


def test_ocds_key_changes(ocds) -> None:
    parties = _at(ocds, "field.added", "/releases/*/parties")
    assert (parties.producers, parties.consumers) == (C, C)  # releases are open objects
    status = _at(ocds, "enum.changed", "/releases/*/tender/status")
    assert "planning" in status.detail and "withdrawn" in status.detail
    assert (status.producers, status.consumers) == (C, B)
    ocid = _at(ocds, "bound.changed", "/releases/*/ocid")
    assert ocid.detail == "minLength None → 1" and ocid.producers is B
    quantity = _at(ocds, "bound.changed", "/releases/*/tender/items/*/quantity")
    assert quantity.direction == "loosened"
    # a shared definition (Item) is reported once, with every place it is used
    assert "/releases/*/awards/*/items/*/quantity" in quantity.locations
    # every producer-breaking change is one of the reviewed kinds
    assert {c.kind for c in ocds.breaking(Side.PRODUCERS)} <= {
        "field.added",
        "bound.changed",
        "enum.changed",
        "type.changed",
        "field.removed",
        "items.changed",
        "schema.changed",
    }


def test_ocds_codelists(corpus: Path, session: Session) -> None:
    root = corpus / "ocds" / "schema"
    diff = session.diff(root / "1.0.3" / "codelists", root / "1.1.5" / "codelists")
    by_path = {(c.kind, c.path): c for c in diff.changes}
    tender = by_path[("codelist.codes-added", "codelist:tenderStatus")]
    assert tender.new == ["planning", "withdrawn"]
    removed = by_path[("codelist.codes-removed", "codelist:documentType")]
    assert removed.old == ["physicalProcessReport"] and removed.producers is B
    assert ("codelist.changed", "file:partyRole.csv") in by_path  # new in 1.1


def test_360giving_only_loosens(corpus: Path, session: Session) -> None:
    root = corpus / "360giving" / "schema"
    diff = session.diff(
        root / "1.0.0" / "360-giving-package-schema.json",
        root / "1.4.3" / "360-giving-package-schema.json",
        old_resources={MASTER_360: root / "1.0.0" / "360-giving-schema.json"},
    )
    assert diff.verdict is Verdict.BACKWARD
    recipient = _at(diff, "required.removed", "/grants/*/recipientOrganization")
    assert recipient.consumers is B
    either = _at(diff, "required.changed", "/grants/*")
    assert "recipientIndividual" in either.detail and either.producers is C
    assert _at(diff, "field.added", "/grants/*/recipientIndividual").producers is C
    # id, title … stay required in every branch of 1.4's oneOf: not reported
    assert not [c for c in diff.changes if c.path == "/grants/*/id"]
    assert "VES" in _at(diff, "enum.changed", "/grants/*/currency").detail
