"""Which reader takes a CSV source by its size: the Python reader below
``MIN_COLUMNAR_BYTES`` (importing polars would cost more than it saves), the columnar one above;
the report is the same either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from govstd.catalogue import Catalogue
from govstd.formats import csv as csv_format
from govstd.formats.base import ReadOptions, Source
from govstd.formats.csvfast import ColumnarBatch
from govstd.session import Session


def _feed(path: Path, rows: int) -> Path:
    lines = ["code,name,amount"] + [f"C{i:07d},name {i},{i % 997}.5" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _columnar(path: Path, catalogue: Catalogue) -> bool:
    source = Source(name=path.name, path=path)
    batches = list(csv_format.CsvReader().read(source, ReadOptions(), catalogue))
    return any(isinstance(batch, ColumnarBatch) for batch in batches)


@pytest.fixture
def catalogue() -> Catalogue:
    return Session(autoload=False).catalogue


def test_a_source_past_the_sample_but_small_is_read_by_python(
    tmp_path: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOVSTD_COLUMNAR", raising=False)
    feed = _feed(tmp_path / "f.csv", 20_000)  # ~0.5 MB: more than the detection sample
    assert csv_format.SAMPLE_BYTES < feed.stat().st_size < csv_format.MIN_COLUMNAR_BYTES
    assert not _columnar(feed, catalogue)
    monkeypatch.setattr(csv_format, "MIN_COLUMNAR_BYTES", feed.stat().st_size)
    assert _columnar(feed, catalogue)  # at the threshold: columnar
    monkeypatch.setattr(csv_format, "MIN_COLUMNAR_BYTES", 1 << 40)
    monkeypatch.setenv("GOVSTD_COLUMNAR", "force")
    assert _columnar(feed, catalogue)


def test_same_report_either_side_of_the_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOVSTD_COLUMNAR", raising=False)
    feed = _feed(tmp_path / "f.csv", 20_000)
    schema = tmp_path / "t.json"
    schema.write_text(
        '{"fields": [{"name": "code", "constraints": {"pattern": "^C0{3}[0-9]{4}$"}},'
        ' {"name": "name"}, {"name": "amount", "type": "number",'
        ' "constraints": {"maximum": 900}}], "primaryKey": ["code"]}',
        encoding="utf-8",
    )
    session = Session(autoload=False)

    def report() -> dict[str, object]:
        data = session.validate([feed], schema=schema).to_dict(catalogue=session.catalogue)
        return {k: v for k, v in data.items() if k != "govstd_version"}

    python = report()
    monkeypatch.setattr(csv_format, "MIN_COLUMNAR_BYTES", 0)
    assert report() == python
    assert python["stats"]["rejected"] > 0  # type: ignore[index]
