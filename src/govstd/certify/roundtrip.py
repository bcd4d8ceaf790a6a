"""The property-based round trip of an adapter: canonical → vendor → canonical.

Records are drawn from the standard by the record factory behind
:func:`govstd.testing.strategies.records` (lists of one to five records with distinct keys),
projected onto the fields the adapter maps (a field with no column is the business of the
``field.*.produced`` requirements), written in the vendor's layout with
:meth:`Adapter.to_vendor` and the vendor's writer, read back through the adapter, and
compared. Any refused value, finding at error level, or difference is a failure; it is then
shrunk (records dropped one at a time while it still fails) to a minimal counterexample,
which the certificate shows.

Every example comes from one ``random.Random(seed)`` and nothing else, so the same seed and
number of examples reproduce the same records, verdict and counterexample on any machine and
govstd version whose record factory is unchanged. (Hypothesis's own engine is not used here:
it mixes constants found in loaded modules into its draws, which made rechecks differ.)
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstd.exceptions import SetupError
from govstd.findings import Severity
from govstd.formats.base import ReadOptions, Source
from govstd.formats.writers import WriteOptions

if TYPE_CHECKING:
    from govstd.adapters.model import Adapter
    from govstd.session import Session
    from govstd.standard import Standard

__all__ = ["RoundTrip", "run_round_trip"]


@dataclass
class RoundTrip:
    """The outcome: examples tried, records compared, and the first (shrunk) failure."""

    seed: int
    examples: int
    tried: int = 0
    records: int = 0
    #: fields the standard has and the adapter does not map (left out of the comparison)
    unmapped: list[str] = field(default_factory=list)
    failure: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "examples": self.examples,
            "tried": self.tried,
            "records": self.records,
            "unmapped": list(self.unmapped),
            "failure": self.failure,
        }


class _Mismatch(AssertionError):
    def __init__(self, detail: dict[str, Any]) -> None:
        super().__init__(detail.get("reason", "round trip failed"))
        self.detail = detail


class _Trip:
    """One canonical → vendor → canonical pass over a list of records."""

    def __init__(self, session: Session, adapter: Adapter, standard: Standard, folder: Path):
        from govstd.transform import adapter_reader

        self.session = session
        self.adapter = adapter
        self.reader = adapter_reader(session, adapter, standard)
        writers = session.writers
        if adapter.format not in writers:
            raise SetupError(f"adapter {adapter.name}: no {adapter.format} writer is installed")
        self.writer = writers[adapter.format]
        layout = adapter.layout
        self.options = WriteOptions(
            encoding=adapter.encoding or "utf-8",
            line_terminator=str(layout.get("line_terminator", "\n")),
            delimiter=str(layout.get("delimiter", ",")),
            extra=dict(layout),
        )
        self.path = folder / f"roundtrip.{adapter.format}"
        self.mapped = {c.field for c in adapter.columns}

    def __call__(self, records: list[dict[str, Any]]) -> int:
        projected = [{k: v for k, v in r.items() if k in self.mapped} for r in records]
        with self.path.open("wb") as stream:
            sink = self.writer.open(stream, self.adapter.labels(), self.options)
            for index, record in enumerate(projected):
                cells, problems = self.adapter.to_vendor(record)
                if problems:
                    code, name, value, params = problems[0]
                    raise _Mismatch(
                        {
                            "reason": "refused",
                            "record": record,
                            "code": code,
                            "field": name,
                            "value": value,
                            "detail": params.get("detail"),
                            "index": index,
                        }
                    )
                sink.write(cells)
            sink.close()
        source = Source.from_arg(str(self.path))
        back: list[dict[str, Any]] = []
        for batch in self.reader.read(source, ReadOptions(), self.session.catalogue):
            for finding in batch.findings:
                if finding.severity is Severity.ERROR or finding.code.startswith("fix."):
                    raise _Mismatch(
                        {
                            "reason": "finding on reading back",
                            "code": finding.code,
                            "message": finding.message,
                            "records": projected,
                        }
                    )
            back.extend(batch.records)
        if back != projected:
            index = next(
                (i for i, (a, b) in enumerate(zip(projected, back, strict=False)) if a != b),
                min(len(back), len(projected)),
            )
            raise _Mismatch(
                {
                    "reason": "differs",
                    "index": index,
                    "sent": projected[index] if index < len(projected) else None,
                    "received": back[index] if index < len(back) else None,
                }
            )
        return len(projected)


def run_round_trip(
    session: Session,
    adapter: Adapter,
    standard: Standard,
    *,
    seed: int,
    examples: int,
    as_of: date,
) -> RoundTrip:
    """Run the seeded round trip of ``adapter`` over ``examples`` generated examples."""
    from govstd.testing.strategies import record_factory

    factory = record_factory(standard.ref, as_of=as_of, session=session)
    key = _key_field(standard)
    result = RoundTrip(seed=seed, examples=examples)
    result.unmapped = [
        name for name in factory.fields if name not in {c.field for c in adapter.columns}
    ]
    rnd = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="govstd-certify-") as folder:
        trip = _Trip(session, adapter, standard, Path(folder))
        for _ in range(examples):
            records = _example(factory, rnd, key)
            result.tried += 1
            try:
                result.records += trip(records)
            except _Mismatch as exc:
                result.failure = _shrink(trip, records, exc.detail)
                break
            except Exception as exc:  # a crash in the adapter is a failure, not a setup error
                result.failure = {"reason": "crashed", "error": f"{type(exc).__name__}: {exc}"}
                break
    return result


def _example(factory: Any, rnd: random.Random, key: str | None) -> list[dict[str, Any]]:
    """One to five valid records with distinct keys, drawn from ``rnd`` alone."""
    records: list[dict[str, Any]] = []
    seen: set[Any] = set()
    for _ in range(rnd.randint(1, 5)):
        record = factory.valid(random.Random(rnd.getrandbits(64)))
        identity = record.get(key) if key else None
        if key is not None and identity in seen:
            continue
        seen.add(identity)
        records.append(record)
    return records


def _shrink(trip: Any, records: list[dict[str, Any]], detail: dict[str, Any]) -> dict[str, Any]:
    """The failure of the smallest failing sub-list found by dropping one record at a time."""
    current, best = records, detail
    shrinking = True
    while shrinking and len(current) > 1:
        shrinking = False
        for index in range(len(current)):
            candidate = current[:index] + current[index + 1 :]
            try:
                trip(candidate)
            except _Mismatch as exc:
                current, best, shrinking = candidate, exc.detail, True
                break
            except Exception:
                continue
    return best


def _key_field(standard: Standard) -> str | None:
    for rule in standard.rules:
        if rule.check == "unique" and len(rule.fields) == 1:
            return rule.fields[0]
    return None
