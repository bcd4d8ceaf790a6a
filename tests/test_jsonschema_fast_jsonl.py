"""The JSON Lines reader's fast path (blocks, orjson) against the line-by-line reader.

The reference is the reader as it was: ``readline`` per line and the standard library's
``json`` for every line. The fast reader must give the same batches (records of the same
types and values, ordinals, lines, findings, unreadable ordinals, positions) for any bytes,
line limit, batch size and block size.
"""

from __future__ import annotations

import codecs
import io
import json
import math
from collections.abc import Iterator
from typing import IO, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.catalogue import Catalogue
from govstd.formats import jsonl
from govstd.formats.base import DocumentBatch, ReadOptions, Source
from govstd.formats.json import SyntaxProblem, parse_document
from govstd.formats.jsonl import JsonLinesReader, _JsonLinesRead

_BLANK = b" \t\r\n"
_CHUNK = 1024 * 1024


class LineByLineRead(_JsonLinesRead):
    """The reader as it was before blocks and orjson: one ``readline`` per line."""

    def batches(self, stream: IO[bytes]) -> Iterator[DocumentBatch]:
        records: list[Any] = []
        ordinals: list[int] = []
        lines: list[int | None] = []
        batch = DocumentBatch(records, ordinals, lines)
        line = ordinal = 0
        limit, codec = self.limit, self.codec
        readline = stream.readline
        while True:
            try:
                raw = readline(limit + 1)
            except OSError as exc:
                detail = exc.strerror or str(exc)
                batch.findings.append(self.finding("source.unreadable", detail=detail))
                break
            if not raw:
                break
            line += 1
            self.position += len(raw)
            over = len(raw) > limit and not raw.endswith(b"\n")
            if line == 1 and raw.startswith(codecs.BOM_UTF8) and codec == "utf-8":
                raw = raw[3:]
            if over:
                length, blank = self.skip_rest(stream, raw)
                if blank:
                    continue
                ordinal += 1
                batch.findings.append(self.too_long(ordinal, line, length))
                batch.unreadable.append(ordinal)
            else:
                if not raw.strip(_BLANK):
                    continue
                ordinal += 1
                if raw.endswith(b"\n"):
                    raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
                try:
                    text = raw.decode(codec)
                except UnicodeDecodeError as exc:
                    text = raw.decode(codec, errors="replace")
                    batch.findings.append(self.undecodable(raw, exc, ordinal, line))
                try:
                    value = parse_document(text)
                except SyntaxProblem as exc:
                    batch.findings.append(self.syntax(exc, ordinal, line))
                    batch.unreadable.append(ordinal)
                else:
                    records.append(value)
                    ordinals.append(ordinal)
                    lines.append(line)
            if len(records) + len(batch.unreadable) >= self.batch_size:
                batch.position = self.position
                yield batch
                records, ordinals, lines = [], [], []
                batch = DocumentBatch(records, ordinals, lines)
        if ordinal == 0:
            batch.findings.append(
                self.finding("source.empty", message=f"{self.source.name} holds no records")
            )
        if records or batch.unreadable or batch.findings:
            batch.position = self.position
            yield batch

    def skip_rest(self, stream: IO[bytes], head: bytes) -> tuple[int, bool]:
        """Read past the rest of an over-long line; its length in bytes and whether it is blank."""
        length = len(head)
        blank = not head.strip(_BLANK)
        while True:
            try:
                chunk = stream.readline(_CHUNK)
            except OSError:
                break
            if not chunk:
                break
            self.position += len(chunk)
            blank = blank and not chunk.strip(_BLANK)
            if chunk.endswith(b"\n"):
                length += len(chunk) - 1
                break
            length += len(chunk)
        return length, blank


# -- comparing two reads ---------------------------------------------------------------------------


def exact(value: Any) -> Any:
    """``value`` with every number tagged by its type and repr: 1 != 1.0, -0.0 != 0.0, and
    big integers stay integers."""
    if isinstance(value, dict):
        return ("dict", [(k, exact(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [exact(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, repr(value))


def summary(batches: list[DocumentBatch]) -> list[Any]:
    out = []
    for batch in batches:
        out.append(
            {
                "records": [exact(r) for r in batch.records],
                "ordinals": list(batch.ordinals),
                "lines": list(batch.lines),
                "unreadable": list(batch.unreadable),
                "position": batch.position,
                "findings": [
                    (f.code, f.record, f.location, f.message, sorted(f.params.items()))
                    for f in batch.findings
                ],
            }
        )
    return out


def read_both(
    catalogue: Catalogue, data: bytes, monkeypatch: pytest.MonkeyPatch, block: int, **options: Any
) -> tuple[list[Any], list[Any]]:
    read_options = ReadOptions(**options)
    source = Source(name="feed", path=None, stream=io.BytesIO(data))
    codec = "utf-8" if read_options.encoding is None else read_options.encoding
    reference = list(
        LineByLineRead(source, read_options, catalogue, codec).batches(io.BytesIO(data))
    )
    with monkeypatch.context() as patch:
        patch.setattr(jsonl, "_BLOCK", block)
        fast = list(JsonLinesReader().read(source, read_options, catalogue))
    return summary(reference), summary(fast)


NUMBERS = st.one_of(
    st.integers(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        ["1e400", "-1e400", "0.1e-400", "-0", "-0.0", "1E5", "1.5e+3", "123456789012345678901",
         "18446744073709551615", "18446744073709551616", "-9223372036854775809",
         "1234567890123456789.5", "0.30000000000000004", "2.2250738585072014e-308",
         "4.9e-324", "1.7976931348623157e308", "9007199254740993"]
    ).map(lambda text: _Raw(text)),
)  # fmt: skip


class _Raw(str):
    """A number written as given, not through json.dumps."""


def _dump(value: Any) -> str:
    if isinstance(value, _Raw):
        return str.__str__(value)
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + _dump(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dump(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


VALUES = st.recursive(
    st.none() | st.booleans() | NUMBERS | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)
LINES = st.one_of(
    VALUES.map(lambda v: _dump(v).encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [b"", b"  ", b"\t", b"\r", b"{}\r", b"[1,", b'"\xff"', b'{"a": "\xed\xa0\x80"}', b"NaN",
         b'"\\ud800"', b'"\\ud83d\\ude00"', b'{"a":1,"a":2}', b"\xef\xbb\xbf{}", b"[" * 600 + b"]" * 600,
         b"[" * 2000 + b"]" * 2000, b" 1 ", b"1 2", b"x" * 40, b'{"k": "' + b"9" * 25 + b'"}']
    ),
    st.binary(max_size=12),
)  # fmt: skip


@settings(
    deadline=None, max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(LINES, max_size=12),
    endings=st.lists(st.sampled_from([b"\n", b"\r\n"]), min_size=12, max_size=12),
    final_newline=st.booleans(),
    bom=st.booleans(),
    limit=st.sampled_from([8, 64, 10_000]),
    batch_size=st.integers(1, 5),
    block=st.sampled_from([1, 3, 16, 1024 * 1024]),
)
def test_fast_reader_agrees_with_line_by_line(
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
    lines: list[bytes],
    endings: list[bytes],
    final_newline: bool,
    bom: bool,
    limit: int,
    batch_size: int,
    block: int,
) -> None:
    data = b"".join(line + ending for line, ending in zip(lines, endings, strict=False))
    if data and not final_newline:
        data = data[:-1]
    if bom:
        data = codecs.BOM_UTF8 + data
    reference, fast = read_both(
        catalogue, data, monkeypatch, block, max_line_bytes=limit, batch_size=batch_size
    )
    assert fast == reference


@settings(
    deadline=None, max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=300),
    limit=st.sampled_from([4, 32, 10_000]),
    block=st.sampled_from([2, 7, 4096]),
)
def test_fast_reader_agrees_on_any_bytes(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch, data: bytes, limit: int, block: int
) -> None:
    reference, fast = read_both(
        catalogue, data, monkeypatch, block, max_line_bytes=limit, batch_size=3
    )
    assert fast == reference


@pytest.mark.parametrize("encoding", ["gb18030", "latin-1"])
def test_other_encodings_take_the_standard_library_path(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    data = '{"名": "张三"}\n{"a": 1}\n\n[1,\n'.encode(encoding, errors="replace")
    reference, fast = read_both(catalogue, data, monkeypatch, 5, encoding=encoding)
    assert fast == reference


def test_big_integers_stay_exact(catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b'{"n": 18446744073709551616, "m": -9223372036854775809}\n{"n": 1}\n'
    reference, fast = read_both(catalogue, data, monkeypatch, 1024)
    assert fast == reference
    records = [
        r
        for b in JsonLinesReader().read(
            Source(name="f", stream=io.BytesIO(data)), ReadOptions(), catalogue
        )
        for r in b.records
    ]
    assert records[0] == {"n": 18446744073709551616, "m": -9223372036854775809}
    assert type(records[0]["n"]) is int
