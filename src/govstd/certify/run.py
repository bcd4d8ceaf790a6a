"""The certification run: one adapter, one standard version, real sample exports.

:func:`run_certification` does, in order:

1. every sample through the adapter and the standard's validation (``Session.validate``),
   with the certification's waivers applied on the certification date (``as_of``);
2. the seeded property-based round trip (:mod:`govstd.certify.roundtrip`);
3. coverage: fields the adapter produces, every code of every bound code list written and
   read back, every rule exercised by at least one sample record;
4. the verdict of every requirement of the profile (:mod:`govstd.certify.profile`) and the
   conformance level reached, in a :class:`~govstd.certify.certificate.Certificate` pinning
   every input by SHA-256 (:mod:`govstd.certify.pins`).

The run is deterministic: the same inputs, seed, number of examples and date give the same
verdicts, which is what ``verify-certificate --recheck`` relies on.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstd.certify.certificate import FORMAT, Certificate
from govstd.certify.pins import adapter_pin, sample_pin, standard_digests
from govstd.certify.profile import Profile, Requirement, build_profile
from govstd.certify.roundtrip import RoundTrip, run_round_trip
from govstd.exceptions import UsageError
from govstd.findings import Finding, Severity
from govstd.formats.base import ReadOptions, Source

if TYPE_CHECKING:
    from govstd.adapters.model import Adapter, Column
    from govstd.report import Report
    from govstd.session import Session
    from govstd.standard import Standard
    from govstd.waivers import Waiver

__all__ = ["CertifyOptions", "run_certification"]

DEFAULT_SEED = 0
DEFAULT_EXAMPLES = 100
#: failing codes listed per code list on the certificate
_SHOWN_CODES = 10


@dataclass(frozen=True)
class CertifyOptions:
    """What to certify and how."""

    adapter: str
    samples: Sequence[Path]
    standard: str | None = None
    seed: int = DEFAULT_SEED
    examples: int = DEFAULT_EXAMPLES
    as_of: date | None = None
    waivers: Sequence[Waiver] = ()
    #: sample paths on the certificate are written relative to this folder
    base: Path | None = None
    allow_retired: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Evidence:
    """What the run observed; requirements are judged against it."""

    report: Report
    present: Counter[str]
    exercised: Counter[str]
    roundtrip: RoundTrip
    adapter: Adapter
    standard: Standard
    as_of: date
    session: Session


def run_certification(session: Session, options: CertifyOptions) -> Certificate:
    """Certify ``options.adapter`` against a standard version with sample exports."""
    from govstd.transform import resolve_adapter_standard
    from govstd.waivers import apply_waivers

    if options.adapter not in session.adapters:
        known = ", ".join(sorted(session.adapters)) or "none installed"
        raise UsageError(f"unknown adapter {options.adapter!r} (available: {known})")
    if not options.samples:
        raise UsageError("certification needs at least one sample export (--samples)")
    if options.examples < 1:
        raise UsageError("the round trip needs at least one example (--examples)")
    samples = [Path(p) for p in options.samples]
    for path in samples:
        if not path.is_file():
            raise UsageError(f"sample {path} does not exist or is not a file")
    adapter = session.adapters[options.adapter]
    standard = resolve_adapter_standard(
        session, adapter, options.standard, allow_retired=options.allow_retired
    )
    as_of = options.as_of or date.today()
    profile = build_profile(standard)

    report = session.validate(
        [str(p) for p in samples],
        standard=standard.ref,
        adapter=adapter.name,
        as_of=as_of,
        allow_retired=options.allow_retired,
    )
    apply_waivers(report, list(options.waivers), today=as_of, catalogue=session.catalogue)
    present, exercised = _coverage(session, adapter, standard, samples, profile)
    roundtrip = run_round_trip(
        session, adapter, standard, seed=options.seed, examples=options.examples, as_of=as_of
    )
    evidence = _Evidence(report, present, exercised, roundtrip, adapter, standard, as_of, session)
    results = [_judge(requirement, evidence) for requirement in profile]
    return _certificate(session, options, evidence, profile, results, samples)


# -- evidence ---------------------------------------------------------------------------------


def _coverage(
    session: Session,
    adapter: Adapter,
    standard: Standard,
    samples: list[Path],
    profile: Profile,
) -> tuple[Counter[str], Counter[str]]:
    """Per field, the sample records that carry it; per rule, the records that carry all its
    fields."""
    from govstd.transform import adapter_reader

    rules = {
        r.params["rule"]: tuple(r.params["fields"]) for r in profile if r.test == "rule-exercised"
    }
    present: Counter[str] = Counter()
    exercised: Counter[str] = Counter()
    reader = adapter_reader(session, adapter, standard)
    for path in samples:
        source = Source.from_arg(str(path))
        for batch in reader.read(source, ReadOptions(), session.catalogue):
            for record in batch.records:
                filled = {k for k, v in record.items() if v is not None}
                present.update(filled)
                for rule, names in rules.items():
                    if names and filled.issuperset(names):
                        exercised[rule] += 1
    return present, exercised


def _column(adapter: Adapter, name: str) -> Column | None:
    return next((c for c in adapter.columns if c.field == name), None)


def _codes_both_ways(evidence: _Evidence, params: dict[str, Any]) -> tuple[int, list[str]]:
    from govstd.rules_plugin import standard_codelists

    column = _column(evidence.adapter, params["field"])
    library = standard_codelists(evidence.standard, evidence.session.environ)
    codelist = library.get(params["codelist"])
    codes = sorted(
        codelist.codes(evidence.as_of if params.get("in_use", "as-of") == "as-of" else None)
    )
    if column is None:
        return len(codes), codes
    failed = []
    for code in codes:
        text, problem = column.rule.write(code)
        if problem is None:
            value, _fixes, problem = column.rule.read(text)
            if value == code and problem is None:
                continue
        failed.append(code)
    return len(codes), failed


# -- judging ----------------------------------------------------------------------------------


def _result(
    requirement: Requirement,
    verdict: str,
    finding: Finding | None = None,
    **facts: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": requirement.id,
        "level": requirement.level,
        "verdict": verdict,
    }
    if finding is not None:
        out["code"] = finding.code
        out["message"] = finding.message
        out["params"] = {k: v for k, v in finding.params.items() if _plain(v)}
    if facts:
        out["facts"] = facts
    return out


def _plain(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | list)


def _unwaived(report: Report) -> list[Finding]:
    return [f for f in report.all_findings() if f.waived is None]


def _judge(requirement: Requirement, ev: _Evidence) -> dict[str, Any]:
    catalogue = ev.session.catalogue
    stats = ev.report.stats
    params = dict(requirement.params)
    test = requirement.test
    if test == "samples-accounted":
        if stats.balanced:
            return _result(requirement, "pass", records=stats.records)
        return _result(
            requirement,
            "fail",
            catalogue.finding(
                "certify.samples-unbalanced",
                records=stats.records,
                passed=stats.passed,
                fixed=stats.fixed,
                rejected=stats.rejected,
            ),
        )
    if test == "samples-conform":
        errors = [f for f in _unwaived(ev.report) if f.severity is Severity.ERROR]
        unkept = max(0, stats.errors - sum(1 for f in ev.report.all_findings() if f.is_error))
        waived = ev.report.waived_stats().errors
        if not errors and not unkept:
            return _result(
                requirement, "waived" if waived else "pass", records=stats.records, waived=waived
            )
        codes = sorted({f.code for f in errors})
        return _result(
            requirement,
            "fail",
            catalogue.finding(
                "certify.samples-rejected",
                errors=len(errors) + unkept,
                codes=", ".join(codes),
                rejected=stats.rejected,
                records=stats.records,
            ),
        )
    if test == "roundtrip":
        trip = ev.roundtrip
        if trip.passed:
            return _result(requirement, "pass", tried=trip.tried, seed=trip.seed)
        failure = trip.failure or {}
        return _result(
            requirement,
            "fail",
            catalogue.finding(
                "certify.roundtrip-failed",
                reason=str(failure.get("reason", "")),
                tried=trip.tried,
                seed=trip.seed,
            ),
        )
    if test == "field-produced":
        name = params["field"]
        if _column(ev.adapter, name) is not None:
            return _result(requirement, "pass", samples_with_field=ev.present.get(name, 0))
        return _result(
            requirement, "fail", catalogue.finding("certify.field-not-produced", field=name)
        )
    if test == "codelist-both-ways":
        total, failed = _codes_both_ways(ev, params)
        if not failed:
            return _result(requirement, "pass", codes=total)
        return _result(
            requirement,
            "fail",
            catalogue.finding(
                "certify.code-one-way",
                failed=len(failed),
                total=total,
                codelist=params["codelist"],
                field=params["field"],
                first=failed[0],
                failed_codes=failed[:_SHOWN_CODES],
            ),
        )
    if test == "rule-exercised":
        count = ev.exercised.get(params["rule"], 0)
        if count:
            return _result(requirement, "pass", records=count)
        return _result(
            requirement,
            "fail",
            catalogue.finding(
                "certify.rule-not-exercised",
                rule=params["rule"],
                fields=", ".join(params["fields"]),
            ),
        )
    if test == "no-finding":
        pattern = str(params.get("code", ""))
        hits = [f for f in _unwaived(ev.report) if fnmatch.fnmatchcase(f.code, pattern)]
        if not hits:
            return _result(requirement, "pass")
        return _result(
            requirement,
            "fail",
            catalogue.finding("certify.finding-present", count=len(hits), pattern=pattern),
        )
    if test == "min-records":
        count = int(params.get("count", 1))
        if stats.records >= count:
            return _result(requirement, "pass", records=stats.records)
        return _result(
            requirement,
            "fail",
            catalogue.finding("certify.too-few-records", records=stats.records, count=count),
        )
    raise UsageError(f"requirement {requirement.id}: unknown test {test!r}")  # pragma: no cover


def level_reached(results: list[dict[str, Any]]) -> str:
    """``full`` when every requirement passes, ``core`` when every mandatory one does."""
    failed = [r for r in results if r["verdict"] == "fail"]
    if not failed:
        return "full"
    if all(r["level"] != "mandatory" for r in failed):
        return "core"
    return "none"


def _certificate(
    session: Session,
    options: CertifyOptions,
    ev: _Evidence,
    profile: Profile,
    results: list[dict[str, Any]],
    samples: list[Path],
) -> Certificate:
    from govstd import __version__

    standard, adapter, report = ev.standard, ev.adapter, ev.report
    pin = adapter_pin(session, adapter)
    stats = report.stats
    level = level_reached(results)
    summary = {
        lvl: {
            "passed": sum(1 for r in results if r["level"] == lvl and r["verdict"] != "fail"),
            "failed": sum(1 for r in results if r["level"] == lvl and r["verdict"] == "fail"),
        }
        for lvl in ("mandatory", "recommended")
    }
    titles = {r.id: dict(r.title) for r in profile}
    for result in results:
        result["title"] = titles[result["id"]]
    data: dict[str, Any] = {
        "format": FORMAT,
        "issued_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "verdict": "conforms" if level != "none" else "does-not-conform",
        "level": level,
        "summary": summary,
        "standard": {
            "id": standard.id,
            "version": str(standard.version),
            "ref": standard.ref,
            "status": standard.status,
            "title": dict(standard.title),
            "files": standard_digests(standard),
        },
        "adapter": {**pin.to_dict(), "range": adapter.range, "title": dict(adapter.title)},
        "govstd": {"version": __version__},
        "run": {
            "seed": options.seed,
            "examples": options.examples,
            "as_of": ev.as_of.isoformat(),
        },
        "samples": [sample_pin(p, relative_to=options.base) for p in samples],
        "accounting": {
            **stats.to_dict(),
            "counts": dict(sorted(report.counts.items())),
        },
        "roundtrip": ev.roundtrip.to_dict(),
        "waivers": report.waivers or [],
        "requirements": results,
    }
    return Certificate(data)
