"""Hypothesis strategies for records of a standard version.

``records(ref)`` draws records that are valid under ``ref`` — every type, pattern, length and
format of the record schema, code lists in use at the reference date, identity numbers with
correct check characters whose birth dates and sexes agree with the record, credit codes with
correct check characters, date ranges, decimal places. ``invalid_records(ref)`` draws
``(record, defect)`` pairs: a record with exactly one defect, and the
:class:`~govstd.generate.Defect` naming the finding (``code`` on ``field``) that validating it
must report::

    from hypothesis import given
    from govstd.testing.strategies import invalid_records, records

    @given(records("cn.natural-person@1.1"))
    def test_export_accepts(record): ...

    @given(invalid_records("cn.natural-person@1.1"))
    def test_rejects(case):
        record, defect = case
        ...  # validating record must report defect.code on defect.field

Both are built on :class:`govstd.generate.RecordFactory` (the same facts ``govstd generate``
uses); hypothesis drives its random choices, so examples reproduce and shrink. A single record
is trivially unique; for lists use ``st.lists(records(ref), unique_by=lambda r: r["id_number"])``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from govstd.generate import Defect, RecordFactory

if TYPE_CHECKING:
    from govstd.session import Session

__all__ = ["Defect", "invalid_records", "record_factory", "records"]


def record_factory(
    standard_ref: str, *, as_of: date | None = None, session: Session | None = None
) -> RecordFactory:
    """The factory behind the strategies (resolves ``standard_ref`` in ``session``)."""
    if session is None:
        from govstd.session import Session

        session = Session()
    standard = session.resolve(standard_ref)
    return RecordFactory(standard, as_of=as_of or date.today(), environ=session.environ)


def records(
    standard_ref: str, *, as_of: date | None = None, session: Session | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Records valid under ``standard_ref`` at ``as_of`` (default: today)."""
    factory = record_factory(standard_ref, as_of=as_of, session=session)
    return st.randoms(use_true_random=False).map(factory.valid)


def invalid_records(
    standard_ref: str, *, as_of: date | None = None, session: Session | None = None
) -> st.SearchStrategy[tuple[dict[str, Any], Defect]]:
    """``(record, defect)``: a record with exactly one defect and the finding it must produce."""
    factory = record_factory(standard_ref, as_of=as_of, session=session)
    kinds = factory.defect_kinds()
    return st.tuples(st.sampled_from(kinds), st.randoms(use_true_random=False)).map(
        lambda pair: factory.invalid(pair[1], pair[0])
    )
