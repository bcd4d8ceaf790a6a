"""Semantic versions and id@spec references."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govstd.refs import StandardRef, Version, VersionSpec

V = Version.parse


def test_version_ordering_follows_semver_precedence() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "2.0.0",
    ]
    assert sorted(V(v) for v in reversed(ordered)) == [V(v) for v in ordered]


@pytest.mark.parametrize("bad", ["1", "1.0", "01.0.0", "1.0.0.0", "v1.0.0", "", "1.0.x"])
def test_invalid_versions_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        V(bad)


@pytest.mark.parametrize(
    ("spec", "allowed", "refused"),
    [
        ("latest", ["0.1.0", "1.0.0", "9.9.9"], ["1.0.0-rc.1"]),
        ("1", ["1.0.0", "1.9.3"], ["0.9.0", "2.0.0", "1.2.0-beta"]),
        ("1.1", ["1.1.0", "1.1.7"], ["1.0.9", "1.2.0"]),
        ("1.1.0", ["1.1.0"], ["1.1.1", "1.0.0"]),
        ("1.1.0-rc.1", ["1.1.0-rc.1"], ["1.1.0"]),
        ("^1.1", ["1.1.0", "1.5.2"], ["1.0.9", "2.0.0"]),
        ("^0.3", ["0.3.0", "0.3.9"], ["0.4.0", "0.2.9"]),
        ("^0.0.3", ["0.0.3"], ["0.0.4"]),
        ("~1.1", ["1.1.0", "1.1.9"], ["1.2.0"]),
        (">=1.0,<2", ["1.0.0", "1.99.0"], ["2.0.0", "0.9.9"]),
        ("<=1.1.0", ["1.1.0", "0.1.0"], ["1.1.1"]),
    ],
)
def test_spec_matching(spec: str, allowed: list[str], refused: list[str]) -> None:
    parsed = VersionSpec.parse(spec)
    for v in allowed:
        assert parsed.allows(V(v)), (spec, v)
    for v in refused:
        assert not parsed.allows(V(v)), (spec, v)


def test_reference_parsing() -> None:
    ref = StandardRef.parse("cn.natural-person@^1.1")
    assert ref.id == "cn.natural-person"
    assert str(ref.spec) == "^1.1"
    assert str(StandardRef.parse("cn.legal-entity")) == "cn.legal-entity"
    for bad in ("", "@1", "Bad Name@1", "x@1.x"):
        with pytest.raises(ValueError):
            StandardRef.parse(bad)


@given(st.tuples(*(st.integers(0, 50) for _ in range(3))))
def test_version_round_trip(parts: tuple[int, int, int]) -> None:
    text = ".".join(map(str, parts))
    assert str(V(text)) == text
    assert VersionSpec.parse(text).allows(V(text))
    assert VersionSpec.parse(f"^{text}").allows(V(text))
