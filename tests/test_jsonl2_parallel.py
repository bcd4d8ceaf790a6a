"""Field counts of a worker's batch (``govstd.parallel._holding``): the same as grouping every
record by its tuple of fields, whatever fields and orders the records have."""

from __future__ import annotations

from collections import Counter
from itertools import chain
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from govstd.parallel import _holding


def grouped(documents: list[dict[str, Any]], nonempty: frozenset[str]) -> tuple[list[str], Any]:
    """The reference: every document grouped by its tuple of fields."""
    shapes = Counter(map(tuple, documents))
    keys = list(dict.fromkeys(chain.from_iterable(shapes)))
    filled: Counter[str] = Counter()
    for shape, times in shapes.items():
        for key in shape:
            if key in nonempty:
                filled[key] += times
    return keys, list(filled.items())


NAMES = st.sampled_from(["a", "b", "c", "d", "e"])
DOCUMENTS = st.lists(
    st.one_of(
        st.lists(NAMES, unique=True, max_size=5),
        st.just(["a", "b", "c", "d"]),  # many documents of the usual shape
        st.just(["b", "a", "c", "d"]),
    ).map(lambda names: dict.fromkeys(names, 1)),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(documents=DOCUMENTS, nonempty=st.frozensets(NAMES))
def test_holding_agrees_with_grouping_every_document(
    documents: list[dict[str, Any]], nonempty: frozenset[str]
) -> None:
    keys, filled = _holding(documents, nonempty)
    assert (keys, list(filled.items())) == grouped(documents, nonempty)


def test_the_usual_case_and_a_longest_document_missing_a_field() -> None:
    full = {"a": 1, "b": 2, "c": 3}
    documents = [{"c": 1}, {"b": 1, "a": 2}, full, dict(full), {"a": 1}]
    assert _holding(documents, frozenset("abc")) == (["c", "b", "a"], Counter(a=4, b=3, c=3))
    # the longest documents do not hold every field ("d" is elsewhere): grouped one by one
    documents = [{"a": 1, "b": 2}, {"d": 1}, {"b": 1, "a": 1}]
    keys, filled = _holding(documents, frozenset("abd"))
    assert (keys, dict(filled)) == (["a", "b", "d"], {"a": 2, "b": 2, "d": 1})
