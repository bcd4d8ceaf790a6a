"""govstd certify: acme-hr against cn.natural-person@1.1 with generated samples, broken
adapters, signatures, tampering, re-checks, the published schema and the HTML page."""

from __future__ import annotations

import json
import random
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from govstd import hookimpl
from govstd.adapters import load_adapter
from govstd.certify import Certificate, build_profile
from govstd.certify.html import render_certificate
from govstd.cli.main import cli
from govstd.formats.writers import WriteOptions
from govstd.generate import RecordFactory
from govstd.session import Session
from govstd.waivers import parse_waivers

AS_OF = date(2026, 1, 1)
REF = "cn.natural-person@1.1"
EXAMPLES = 8


def acme_mapping() -> Path:
    import govstd_acme_hr

    return Path(govstd_acme_hr.__file__).parent / "acme-hr.toml"


class _Variant:
    """A test plugin registering a modified copy of the acme-hr mapping."""

    def __init__(self, path: Path) -> None:
        self.__name__ = f"variant-{path.stem}"
        self.path = path

    @hookimpl
    def govstd_adapters(self):
        return [load_adapter(self.path)]


def variant(tmp: Path, name: str, edit) -> Path:
    text = acme_mapping().read_text("utf-8").replace('name = "acme-hr"', f'name = "{name}"')
    path = tmp / f"{name}.toml"
    path.write_text(edit(text), encoding="utf-8")
    return path


def session_with(*paths: Path) -> Session:
    return Session(autoload=True, plugins=[_Variant(path) for path in paths])


def write_sample(session: Session, path: Path, count: int, seed: int, adapter="acme-hr") -> Path:
    """A vendor export of ``count`` valid generated records, in the adapter's layout."""
    standard = session.resolve(REF)
    feed = RecordFactory(standard, as_of=AS_OF).feed(
        count, invalid_rate=0.0, rnd=random.Random(seed)
    )
    acme = session.adapters[adapter]
    mapped = {c.field for c in acme.columns}
    with path.open("wb") as stream:
        sink = session.writers["csv"].open(
            stream, acme.labels(), WriteOptions(encoding="gb18030", line_terminator="\r\n")
        )
        for record in feed.records:
            cells, problems = acme.to_vendor({k: v for k, v in record.items() if k in mapped})
            assert not problems
            sink.write(cells)
        sink.close()
    return path


@pytest.fixture(scope="module")
def session() -> Session:
    return Session(autoload=True)


@pytest.fixture(scope="module")
def certified(session, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cert")
    sample = write_sample(session, folder / "export.csv", 25, seed=3)
    certificate = session.certify(
        adapter="acme-hr",
        samples=[sample],
        standard=REF,
        examples=EXAMPLES,
        seed=5,
        as_of=AS_OF,
        base=folder,
    )
    (folder / "certificate.json").write_text(certificate.to_json(), encoding="utf-8")
    return folder, certificate


def by_id(certificate: Certificate) -> dict[str, dict]:
    return {r["id"]: r for r in certificate.requirements}


def assert_schema_valid(certificate: Certificate) -> None:
    assert certificate.schema_errors() == []


# -- the profile ------------------------------------------------------------------------------


def test_profile_is_derived_and_extended_by_conformance_toml(session):
    profile = build_profile(session.resolve(REF))
    ids = [r.id for r in profile]
    assert ids[:3] == ["samples.accounted", "samples.conform", "roundtrip.lossless"]
    assert profile.get("field.id_number.produced").level == "mandatory"
    assert profile.get("field.email.produced").level == "recommended"
    assert profile.get("codelist.sex.both-ways").params["codelist"] == "gbt2261.1-sex"
    assert profile.get("rule.birth-date-range.exercised").level == "mandatory"
    clean = profile.get("samples.clean")
    assert clean.origin == "conformance.toml" and clean.test == "no-finding"
    assert clean.title["zh"]


# -- a passing certification ------------------------------------------------------------------


def test_acme_hr_conforms_at_core_level(certified):
    _, certificate = certified
    assert_schema_valid(certificate)
    results = by_id(certificate)
    assert certificate.conforms and certificate.exit_code() == 0
    assert certificate.failed("mandatory") == []
    # the layout has no email / updated_at: recommended requirements fail, level is core
    assert {r["id"] for r in certificate.failed()} == {
        "field.email.produced",
        "field.updated_at.produced",
    }
    assert certificate.level == "core"
    assert results["roundtrip.lossless"]["verdict"] == "pass"
    assert results["codelist.division_code.both-ways"]["facts"]["codes"] > 1000
    data = certificate.data
    assert data["accounting"]["records"] == 25 == data["accounting"]["passed"]
    assert data["roundtrip"]["tried"] >= EXAMPLES and data["roundtrip"]["unmapped"] == [
        "email",
        "updated_at",
    ]
    assert data["adapter"]["distribution"] == "govstd-acme-hr"
    assert "govstd_acme_hr/acme-hr.toml" in data["adapter"]["files"]
    assert "manifest.toml" in data["standard"]["files"]
    assert "conformance.toml" in data["standard"]["files"]
    assert data["samples"] == [
        {
            "path": "export.csv",
            "sha256": data["samples"][0]["sha256"],
            "bytes": data["samples"][0]["bytes"],
        }
    ]
    assert data["run"] == {"seed": 5, "examples": EXAMPLES, "as_of": "2026-01-01"}


def test_verify_and_recheck_reproduce_the_verdicts(session, certified):
    folder, certificate = certified
    result = session.verify_certificate(folder / "certificate.json", recheck=True)
    assert result.ok, [f.message for f in result.findings]
    assert [f.code for f in result.findings] == ["certify.unsigned"]
    assert result.rechecked.verdicts() == certificate.verdicts()
    assert result.rechecked.data["roundtrip"] == certificate.data["roundtrip"]


# -- failing certifications -------------------------------------------------------------------


def test_an_adapter_that_loses_a_required_field_fails_the_right_requirements(tmp_path):
    def drop_birth_date(text: str) -> str:
        start = text.index('[[columns]]\nlabel = "出生日期"')
        end = text.index("[[columns]]", start + 5)
        return text[:start] + text[end:]

    path = variant(tmp_path, "acme-lossy", drop_birth_date)
    session = session_with(path)
    sample = write_sample(session, tmp_path / "lossy.csv", 10, seed=1, adapter="acme-lossy")
    certificate = session.certify(
        adapter="acme-lossy", samples=[sample], examples=EXAMPLES, as_of=AS_OF, standard=REF
    )
    assert_schema_valid(certificate)
    failed = {r["id"]: r for r in certificate.failed("mandatory")}
    assert "field.birth_date.produced" in failed
    assert failed["field.birth_date.produced"]["code"] == "certify.field-not-produced"
    assert "samples.conform" in failed  # the standard requires birth_date
    assert "rule.birth-date-range.exercised" in failed
    assert not certificate.conforms and certificate.level == "none"
    assert certificate.exit_code() == 1


def test_a_code_mapped_one_way_fails_the_code_list_requirement(tmp_path):
    # 未知 (0) is read, but written as nothing the layout reads back as 0: drop its label
    def one_way(text: str) -> str:
        return text.replace(', "未知" = "0"', "").replace('codelist = "gbt2261.1-sex"\n', "")

    path = variant(tmp_path, "acme-oneway", one_way)
    session = session_with(path)
    sample = write_sample(session, tmp_path / "s.csv", 10, seed=2, adapter="acme-hr")
    certificate = session.certify(
        adapter="acme-oneway", samples=[sample], examples=EXAMPLES, as_of=AS_OF, standard=REF
    )
    assert_schema_valid(certificate)
    result = by_id(certificate)["codelist.sex.both-ways"]
    assert result["verdict"] == "fail" and result["code"] == "certify.code-one-way"
    assert "0" in result["params"]["failed_codes"]
    assert not certificate.conforms


def test_a_lossy_date_format_fails_the_round_trip_with_a_counterexample(tmp_path):
    # writes YYYY年M月 (the day is lost) but reads it back as the first of the month
    path = variant(
        tmp_path,
        "acme-nodays",
        lambda t: t.replace(
            'formats = ["YYYY年M月D日", "YYYY/M/D", "YYYYMMDD"]', 'formats = ["YYYY/M/D"]'
        ),
    )
    session = session_with(path)
    adapter = session.adapters["acme-nodays"]
    column = next(c for c in adapter.columns if c.field == "birth_date")
    column.rule.format = lambda value: (value[:8] + "01", None)  # a broken writer
    sample = write_sample(session, tmp_path / "s.csv", 5, seed=4)
    certificate = session.certify(
        adapter="acme-nodays", samples=[sample], examples=EXAMPLES, as_of=AS_OF, standard=REF
    )
    assert_schema_valid(certificate)
    result = by_id(certificate)["roundtrip.lossless"]
    assert result["verdict"] == "fail" and result["code"] == "certify.roundtrip-failed"
    assert certificate.data["roundtrip"]["failure"]["reason"] in {
        "differs",
        "finding on reading back",
    }


def test_sample_errors_fail_unless_waived(session, tmp_path):
    sample = write_sample(session, tmp_path / "bad.csv", 6, seed=9)
    lines = sample.read_bytes().decode("gb18030").split("\r\n")
    cells = lines[1].split(",")
    cells[1] = cells[1][:-1] + ("0" if cells[1][-1] != "0" else "1")  # wrong check character
    lines[1] = ",".join(cells)
    sample.write_bytes("\r\n".join(lines).encode("gb18030"))
    failing = session.certify(
        adapter="acme-hr", samples=[sample], examples=EXAMPLES, as_of=AS_OF, standard=REF
    )
    assert_schema_valid(failing)
    assert by_id(failing)["samples.conform"]["verdict"] == "fail"
    assert "cn.ric" in by_id(failing)["samples.conform"]["message"]
    assert failing.exit_code() == 1

    waivers = parse_waivers(
        [
            {
                "code": "cn.ric.*",
                "owner": "li.wei@vendor.example",
                "reason": "legacy record, confirmed with the bureau",
                "expires": "2026-06-30",
            }
        ]
    )
    waived = session.certify(
        adapter="acme-hr",
        samples=[sample],
        examples=EXAMPLES,
        as_of=AS_OF,
        standard=REF,
        waivers=waivers,
    )
    assert_schema_valid(waived)
    assert by_id(waived)["samples.conform"]["verdict"] == "waived"
    assert waived.conforms
    assert waived.data["waivers"][0]["owner"] == "li.wei@vendor.example"
    assert waived.data["waivers"][0]["status"] == "active"


# -- signatures and tampering -----------------------------------------------------------------


def test_signature_round_trip_and_tampering(session, certified, tmp_path):
    from govstd.certify.signing import generate_key_pair, sign

    folder, certificate = certified
    key, pub = tmp_path / "issuer.pem", tmp_path / "issuer.pub.pem"
    generate_key_pair(key, pub)
    other_key, other_pub = tmp_path / "other.pem", tmp_path / "other.pub.pem"
    generate_key_pair(other_key, other_pub)
    signed = Certificate(json.loads(certificate.to_json()))
    sign(signed, key)
    assert_schema_valid(signed)
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(folder / "export.csv", copy / "export.csv")
    path = copy / "certificate.json"
    path.write_text(signed.to_json(), encoding="utf-8")

    ok = session.verify_certificate(path, public_key=pub)
    assert ok.ok and ok.findings == [] and ok.signed_by == signed.signature["key_id"]
    wrong = session.verify_certificate(path, public_key=other_pub)
    assert not wrong.ok and wrong.findings[0].code == "certify.signature-invalid"

    tampered = json.loads(path.read_text("utf-8"))
    tampered["level"] = "full"  # a better level than earned
    path.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
    bad = session.verify_certificate(path, public_key=pub)
    assert [f.code for f in bad.findings] == ["certify.signature-invalid"]
    assert "changed after signing" in bad.findings[0].message


def test_a_changed_sample_or_adapter_file_is_named(session, certified, tmp_path):
    folder, _ = certified
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    with (copy / "export.csv").open("ab") as stream:
        stream.write(b"\r\n")
    result = session.verify_certificate(copy / "certificate.json")
    assert not result.ok
    mismatch = [f for f in result.findings if f.code == "certify.pin-mismatch"]
    assert [f.message for f in mismatch] == ["sample file export.csv is changed"]

    data = json.loads((folder / "certificate.json").read_text("utf-8"))
    data["adapter"]["files"]["govstd_acme_hr/acme-hr.toml"] = "sha256:" + "0" * 64
    data["standard"]["files"]["record.schema.json"] = "sha256:" + "1" * 64
    (copy / "certificate.json").write_text(json.dumps(data), encoding="utf-8")
    shutil.copy(folder / "export.csv", copy / "export.csv")
    result = session.verify_certificate(copy / "certificate.json")
    messages = [f.message for f in result.findings if f.code == "certify.pin-mismatch"]
    assert messages == [
        "standard cn.natural-person@1.1.0 file record.schema.json is changed",
        "adapter acme-hr file govstd_acme_hr/acme-hr.toml is changed",
    ]


def test_a_changed_standard_artefact_is_named(tmp_path):
    base = Session(autoload=True).resolve(REF).folder
    root = tmp_path / "standards" / "cn.natural-person" / "1.9.0"
    shutil.copytree(base, root)
    manifest = root / "manifest.toml"
    manifest.write_text(
        manifest.read_text("utf-8").replace('version = "1.1.0"', 'version = "1.9.0"'), "utf-8"
    )
    session = Session(autoload=True, standards_dirs=[tmp_path / "standards"])
    sample = write_sample(session, tmp_path / "export.csv", 5, seed=6)
    certificate = session.certify(
        adapter="acme-hr",
        samples=[sample],
        standard="cn.natural-person@1.9.0",
        examples=3,
        as_of=AS_OF,
        base=tmp_path,
    )
    path = tmp_path / "certificate.json"
    path.write_text(certificate.to_json(), encoding="utf-8")
    assert (
        Session(autoload=True, standards_dirs=[tmp_path / "standards"]).verify_certificate(path).ok
    )
    schema = root / "record.schema.json"
    schema.write_text(schema.read_text("utf-8") + "\n", "utf-8")
    (root / "conformance.toml").unlink()
    result = Session(autoload=True, standards_dirs=[tmp_path / "standards"]).verify_certificate(
        path
    )
    assert not result.ok
    assert [f.message for f in result.findings if f.code == "certify.pin-mismatch"] == [
        "standard cn.natural-person@1.9.0 file conformance.toml is missing",
        "standard cn.natural-person@1.9.0 file record.schema.json is changed",
    ]


def test_an_invalid_certificate_is_reported_not_crashed(session, tmp_path):
    path = tmp_path / "certificate.json"
    path.write_text('{"format": "govstd-certificate/1"}', encoding="utf-8")
    result = session.verify_certificate(path)
    assert not result.ok
    assert {f.code for f in result.findings} == {"certify.certificate-invalid"}


# -- the HTML page ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_is_well_formed_self_contained_and_bilingual(session, certified, lang):
    _, certificate = certified
    page = render_certificate(certificate, catalogue=session.catalogue, lang=lang)
    tree = etree.fromstring(page.encode("utf-8"), etree.HTMLParser(recover=False))
    assert tree.find(".//script") is None
    assert not tree.xpath("//*[@src] | //link | //*[@href]")
    verdict = tree.xpath('//*[@id="verdict"]')[0]
    text = "".join(verdict.itertext())
    assert ("符合标准" if lang == "zh" else "Conforms") in text
    failed = tree.xpath('//*[@id="req-field.email.produced"]')[0]
    row = "".join(failed.itertext())
    assert (
        "适配器没有对应 email 的列" if lang == "zh" else "the adapter has no column for email"
    ) in row


# -- the command line -------------------------------------------------------------------------


def test_cli_certify_sign_and_verify(session, tmp_path):
    runner = CliRunner()
    sample = write_sample(session, tmp_path / "export.csv", 8, seed=11)
    keys = runner.invoke(cli, ["certify-keygen", str(tmp_path / "k.pem"), str(tmp_path / "k.pub")])
    assert keys.exit_code == 0, keys.output
    out = tmp_path / "cert"
    args = [
        "certify", "--adapter", "acme-hr", "--standard", REF, "--samples", str(sample),
        "--output", str(out), "--examples", "5", "--seed", "3", "--as-of", "2026-01-01",
        "--sign-key", str(tmp_path / "k.pem"),
    ]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "CONFORMS" in result.output and "level core" in result.output
    assert (out / "certificate.html").is_file()
    certificate = Certificate.load(out / "certificate.json")
    assert_schema_valid(certificate)
    assert certificate.data["samples"][0]["path"] == "../export.csv"
    check = runner.invoke(
        cli,
        [
            "verify-certificate",
            str(out / "certificate.json"),
            "--public-key",
            str(tmp_path / "k.pub"),
            "--recheck",
        ],
    )
    assert check.exit_code == 0, check.output
    assert "OK (re-checked)" in check.output
    sample.write_bytes(sample.read_bytes() + b"\r\n")
    check = runner.invoke(cli, ["verify-certificate", str(out / "certificate.json")])
    assert check.exit_code == 1
    assert "sample file ../export.csv is changed" in check.output
