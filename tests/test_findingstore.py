"""The finding store: findings past a memory limit go to a temporary file and come back the
same, in the same order; reports over a spilled store render exactly like in-memory ones."""

from __future__ import annotations

import copy
import gc
import json
import os
import pickle
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govstd import findingstore
from govstd.baseline import compare
from govstd.findings import MISSING, Finding, Location, Severity
from govstd.findingstore import FindingStore, FindingsView, iter_findings
from govstd.report import Report
from govstd.session import Session
from govstd.waivers import apply_waivers, parse_waivers
from report_checks import sample_report

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.dates(),
)
values = st.one_of(
    st.just(MISSING),
    st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
        ),
        max_leaves=6,
    ),
)
texts = st.text(max_size=12)
locations = st.builds(
    Location,
    line=st.none() | st.integers(1, 10**6),
    column=st.none() | st.integers(1, 50),
    pointer=st.none() | texts,
    field=st.none() | texts,
    xpath=st.none() | texts,
)
findings_strategy = st.builds(
    Finding,
    code=st.sampled_from(["field.pattern", "field.required", "cn.ric.check-digit", "x.y"]),
    severity=st.sampled_from(list(Severity)),
    message=texts,
    source=st.sampled_from(["", "a.csv", "数据.jsonl"]),
    record=st.none() | st.integers(1, 10**7),
    location=locations,
    keyword=st.none() | texts,
    value=values,
    expected=values,
    hint=st.none() | texts,
    params=st.dictionaries(st.text(max_size=5), scalars, max_size=3),
    waived=st.none() | st.dictionaries(st.text(max_size=5), texts, max_size=2),
    baseline=st.sampled_from([None, "new", "open"]),
)


def same(a: Finding, b: Finding) -> bool:
    """Equal, and MISSING stays the MISSING marker (reporters test it by identity)."""
    return (
        a == b
        and (a.value is MISSING) == (b.value is MISSING)
        and (a.expected is MISSING) == (b.expected is MISSING)
        and a.severity is b.severity
    )


@settings(max_examples=150, deadline=None)
@given(
    found=st.lists(findings_strategy, max_size=40),
    limit=st.integers(0, 45),
    chunk=st.integers(1, 9),
)
def test_round_trip_same_sequence(found: list[Finding], limit: int, chunk: int) -> None:
    with FindingStore(found, memory_limit=limit, chunk_size=chunk) as store:
        assert len(store) == len(found) and bool(store) == bool(found)
        assert all(same(a, b) for a, b in zip(store, found, strict=True))
        assert all(same(a, b) for a, b in zip(store.readonly(), found, strict=True))
        assert all(same(store[i], found[i]) for i in range(len(found)))
        assert all(same(store[-i], found[-i]) for i in range(1, len(found) + 1))
        assert store[1:7:2] == found[1:7:2] and store[::-1] == found[::-1]
        assert store == found and found == store and store == tuple(found)
        if len(found) - limit >= 2 * chunk:  # whole chunks past the limit went to disk
            assert store.spilled > 0
        with pytest.raises(IndexError):
            store[len(found)]
        # the report over the store: same dictionary, same JSON bytes, as over the list
        spilled = Report(target="t", findings=store, counts=findingstore_counts(found))
        kept = Report(target="t", findings=list(found), counts=findingstore_counts(found))
        assert spilled.to_dict() == kept.to_dict()
        assert json_bytes(spilled) == json_bytes(kept) == reference_json(kept)


def findingstore_counts(found: list[Finding]) -> dict[str, int]:
    from collections import Counter

    return Counter(f.code for f in found)


def json_bytes(report: Report) -> str:
    from govstd.reporters.json import JsonReporter

    session = _SESSION.get("session") or _SESSION.setdefault("session", Session())
    return JsonReporter().render(report, catalogue=session.catalogue)


_SESSION: dict[str, Session] = {}


def reference_json(report: Report) -> str:
    """The JSON report as it was made before it was streamed: one ``json.dumps``."""
    session = _SESSION.get("session") or _SESSION.setdefault("session", Session())
    data = report.to_dict(catalogue=session.catalogue)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def many(count: int) -> list[Finding]:
    return [
        Finding(
            "field.pattern",
            Severity.ERROR,
            f"bad {i}",
            source="a.csv",
            record=i,
            location=Location(line=i + 1, column=2, field="phone", pointer="/phone"),
            value=f"x{i}",
            params={"field": "phone", "n": i},
        )
        for i in range(1, count + 1)
    ]


def test_changes_are_written_back() -> None:
    found = many(50)
    with FindingStore(found, memory_limit=0, chunk_size=4) as store:
        assert store.spilled == 48
        store[5].waived = {"id": "W1"}  # through indexing
        for finding in store:  # while iterating
            if finding.record % 7 == 0:
                finding.baseline = "open"
        store[-1].baseline = "new"  # the open chunk: real objects
        again = list(store.readonly())
        assert again[5].waived == {"id": "W1"}
        assert [f.record for f in again if f.baseline == "open"] == [7, 14, 21, 28, 35, 42, 49]
        assert again[-1].baseline == "new"
        assert [f.record for f in again] == list(range(1, 51))


def test_unpicklable_values_stay_in_memory() -> None:
    found = many(10)
    found[3].value = lambda: None  # no pickle for that: its chunk stays in memory
    with FindingStore(found, memory_limit=0, chunk_size=2) as store:
        assert store.spilled == 8
        assert list(store) == found


def test_temporary_file_is_closed_and_never_left_behind(tmp_path: Path) -> None:
    store = FindingStore(many(30), memory_limit=0, chunk_size=5, directory=tmp_path)
    handle = store._file
    assert handle is not None and not handle.closed
    assert list(tmp_path.iterdir()) == []  # anonymous (or unlinked at once)
    store.close()
    assert handle.closed and list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="closed"):
        list(store)

    # garbage collection closes it too, also after an error
    store = FindingStore(many(30), memory_limit=0, chunk_size=5, directory=tmp_path)
    handle = store._file
    assert handle is not None
    with pytest.raises(RuntimeError), store:
        raise RuntimeError("boom")
    assert handle.closed
    store = FindingStore(many(30), memory_limit=0, chunk_size=5, directory=tmp_path)
    handle = store._file
    assert handle is not None
    del store
    gc.collect()
    assert handle.closed and list(tmp_path.iterdir()) == []


def test_no_file_until_something_spills(tmp_path: Path) -> None:
    with FindingStore(many(30), memory_limit=100, chunk_size=5) as store:
        assert store._file is None and store.spilled == 0


def test_copies_and_pickles_hold_the_findings() -> None:
    found = many(20)
    with FindingStore(found, memory_limit=0, chunk_size=3) as store:
        assert pickle.loads(pickle.dumps(store)) == found
        assert copy.deepcopy(store) == found and copy.copy(store) == found


def test_view_and_readonly_iteration() -> None:
    notes = many(2)
    found = many(9)
    with FindingStore(found, memory_limit=0, chunk_size=2) as store:
        view = FindingsView(notes, store)
        assert len(view) == 11 and view == [*notes, *found] and view[10] == found[-1]
        assert view[-11] == notes[0] and view[2:4] == found[:2]
        assert list(iter_findings(view)) == [*notes, *found]
        assert list(iter_findings(found)) == found


def spilled_copy(report: Report) -> Report:
    clone = copy.copy(report)
    clone.findings = FindingStore(report.findings, memory_limit=0, chunk_size=3)
    return clone


def test_every_reporter_renders_a_spilled_report_identically() -> None:
    session = Session()
    report = sample_report(session)
    assert len(report.findings) > 6
    spilled = spilled_copy(report)
    assert spilled.findings.spilled > 0  # type: ignore[attr-defined]
    for name, reporter in sorted(session.reporters.items()):
        for lang in ("en", "zh"):
            want = reporter.render(report, catalogue=session.catalogue, lang=lang)
            got = reporter.render(spilled, catalogue=session.catalogue, lang=lang)
            assert got == want, name
    assert spilled.exit_code("error") == report.exit_code("error")
    assert spilled.exit_code("new") == report.exit_code("new")


def test_waivers_and_baseline_mark_spilled_findings() -> None:
    session = Session()
    waivers = parse_waivers(
        [
            {
                "id": "W1",
                "code": "cn.ric.*",
                "owner": "ops",
                "reason": "known",
                "expires": "2027-01-01",
            }
        ],
        origin="t",
    )
    results = []
    for spill in (False, True):
        report = sample_report(session)
        previous = Report.from_dict(report.to_dict())
        previous.findings = list(previous.findings)[::2]
        if spill:
            report = spilled_copy(report)
        apply_waivers(report, waivers, today=date(2026, 6, 1), catalogue=session.catalogue)
        compare(report, previous, origin="base.json")
        results.append((report.to_dict(catalogue=session.catalogue), report.exit_code("new")))
    assert results[0] == results[1]
    assert any("waived" in f for f in results[0][0]["findings"])
    assert {f.get("baseline") for f in results[0][0]["findings"]} == {"new", "open"}


def test_validation_spilling_everything_gives_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run by run, with every finding spilled, the report is unchanged, including findings an
    adapter points at the vendor's columns after they were counted."""
    header = "姓名,身份证号,性别,出生日期,民族,户籍地行政区划,户籍地址,联系电话"
    rows = [header]
    for i in range(60):
        check = "0032" if i % 3 else "0033"  # every third: wrong check character
        rows.append(f"张三,11010519800101{check},男,1980年1月1日,汉族,110105,北京市,13812345678")
    feed = tmp_path / "feed.csv"
    feed.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    session = Session()
    runs = []
    for limit in (findingstore.DEFAULT_MEMORY_LIMIT, 0):
        monkeypatch.setattr(findingstore, "DEFAULT_MEMORY_LIMIT", limit)
        monkeypatch.setattr(findingstore, "CHUNK_SIZE", 4 if limit == 0 else 1024)
        by_adapter = session.validate(feed, adapter="acme-hr", as_of=date(2026, 1, 1), batch_size=7)
        plain = sample_report(session)
        runs.append(
            (
                json_bytes(by_adapter),
                json.dumps(plain.to_dict(), ensure_ascii=False, sort_keys=True, default=str),
            )
        )
        assert isinstance(by_adapter.findings, FindingStore)
        if limit == 0:
            assert by_adapter.findings.spilled > 0
    assert runs[0] == runs[1]
    assert '"field": "身份证号"' in runs[0][0]


def test_no_file_descriptor_leaks_across_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(findingstore, "DEFAULT_MEMORY_LIMIT", 0)
    monkeypatch.setattr(findingstore, "CHUNK_SIZE", 2)
    session = Session()
    sample_report(session)
    gc.collect()
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0
    for _ in range(5):
        sample_report(session)
    gc.collect()
    after = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0
    assert after <= before


def test_without_a_usable_temporary_folder_findings_stay_in_memory(tmp_path: Path) -> None:
    found = many(25)
    with FindingStore(found, memory_limit=0, chunk_size=4, directory=tmp_path / "gone") as store:
        assert store.spilled == 0 and store == found


def test_streamed_json_equals_one_dumps_for_real_reports() -> None:
    """Notes, fields, samples, waivers and a baseline: the streamed bytes are unchanged."""
    session = Session()
    report = sample_report(session)
    waivers = parse_waivers(
        [{"id": "W", "code": "field.*", "owner": "o", "reason": "r", "expires": "2020-01-01"}]
    )
    apply_waivers(report, waivers, today=date(2026, 6, 1), catalogue=session.catalogue)
    compare(report, Report.from_dict(report.to_dict()), origin="b.json")
    assert report.notes and report.fields and report.samples
    for lang in ("en", "zh"):
        want = json.dumps(
            report.to_dict(catalogue=session.catalogue, lang=lang), ensure_ascii=False, indent=2
        )
        for candidate in (report, spilled_copy(report)):
            from govstd.reporters.json import JsonReporter

            assert JsonReporter().render(candidate, catalogue=session.catalogue, lang=lang) == (
                want + "\n"
            )
    empty = Report(target="t")
    assert json_bytes(empty) == reference_json(empty)
