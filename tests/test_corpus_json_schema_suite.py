"""The official JSON-Schema-Test-Suite (draft 7 and draft 2020-12) through the JSON Schema engine.

Every *required* test (the top-level files, not ``optional/``) must get the suite's verdict,
except the few listed in :data:`KNOWN_FAILURES`, each with its reason; a listed test that
starts to pass fails this module too, so the list stays true. ``remotes/`` are registered as
resources under ``http://localhost:1234/<relative path>``, the suite's convention; nothing is
fetched. The optional files check that the engine's fast path gives python-jsonschema's
verdict on every instance, with ``format`` asserted and not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import corpus_root
from govstd.catalogue import Catalogue
from govstd.engines.base import CompileContext, SchemaDocument
from govstd.engines.jsonschema import JsonSchemaEngine, JsonSchemaPlan
from govstd.exceptions import SetupError
from govstd.formats.base import DocumentBatch

pytestmark = pytest.mark.corpus

SUITE = Path("json-schema-test-suite")
DIALECTS = {"draft7": "draft-07", "draft2020-12": "2020-12"}

_NO_P_ESCAPES = (
    "Python's re has no Unicode property escapes (\\p{Letter}), so the pattern is not a valid "
    "regex here and the schema is refused at compile time (python-jsonschema fails it too)"
)
#: (draft, file, group, test) -> why govstd cannot pass it
KNOWN_FAILURES: dict[tuple[str, str, str, str], str] = {
    ("draft2020-12", "pattern.json", "pattern with Unicode property escape requires unicode mode", test): _NO_P_ESCAPES
    for test in ("ASCII letters match", "Non-ASCII letters match", "Digits do not match")
} | {
    ("draft2020-12", "patternProperties.json", "patternProperties with Unicode property escape", test): _NO_P_ESCAPES
    for test in ("Unicode letter property name matches", "Non-letter property name does not match pattern")
} | {
    (
        "draft2020-12",
        "vocabulary.json",
        "schema that uses custom metaschema with with no validation vocabulary",
        "no validation: invalid number, but it still validates",
    ): "$vocabulary is not honoured: a custom meta-schema that drops the validation vocabulary "
    "still gets every 2020-12 keyword applied (as in python-jsonschema)",
}  # fmt: skip

#: optional ECMA-262 regex groups govstd passes (python-jsonschema does not): patterns are
#: rewritten to their ECMA-262 meaning (see govstd.engines.jsonschema_refs.ecma_regex)
ECMA_GROUPS = (
    "ECMA 262 regex $ does not match trailing newline",
    "ECMA 262 \\d matches ascii digits only",
    "ECMA 262 \\D matches everything but ascii digits",
    "ECMA 262 \\w matches ascii letters only",
    "ECMA 262 \\W matches everything but ascii letters",
    "ECMA 262 \\s matches whitespace",
    "ECMA 262 \\S matches everything but whitespace",
    "\\w in patterns matches [A-Za-z0-9_], not unicode letters",
    "\\d in pattern matches [0-9], not unicode digits",
    "\\w in patternProperties matches [A-Za-z0-9_], not unicode letters",
    "\\d in patternProperties matches [0-9], not unicode digits",
)

#: required tests per draft, as the corpus README states
REQUIRED_TESTS = {"draft7": 927, "draft2020-12": 1299}


def _suite_files(optional: bool) -> list[str]:
    root = corpus_root()
    if root is None:
        return []
    names = []
    for draft in DIALECTS:
        folder = root / SUITE / "tests" / draft
        files = (folder / "optional").rglob("*.json") if optional else folder.glob("*.json")
        names += [f"{draft}/{path.relative_to(folder).as_posix()}" for path in sorted(files)]
    return names


@pytest.fixture(scope="module")
def remotes(corpus: Path) -> dict[str, Any]:
    folder = corpus / SUITE / "remotes"
    return {
        "http://localhost:1234/" + path.relative_to(folder).as_posix(): json.loads(
            path.read_text(encoding="utf-8")
        )
        for path in sorted(folder.rglob("*.json"))
    }


def _groups(corpus: Path, name: str) -> tuple[str, str, list[dict[str, Any]]]:
    draft, file = name.split("/", 1)
    path = corpus / SUITE / "tests" / draft / file
    return draft, file, json.loads(path.read_text(encoding="utf-8"))


def _compile(
    catalogue: Catalogue, schema: Any, draft: str, remotes: dict[str, Any], format_check: bool
) -> JsonSchemaPlan:
    document = SchemaDocument(schema, resources=remotes, default_dialect=DIALECTS[draft])
    context = CompileContext(catalogue, format_check=format_check)
    return JsonSchemaEngine().compile(document, context)


def _verdict(plan: JsonSchemaPlan, data: Any) -> bool:
    batch = DocumentBatch([data], [1], [1])
    return not list(plan.open("suite").check_documents(batch))


def _python_jsonschema_verdict(plan: JsonSchemaPlan, data: Any) -> bool:
    return next(iter(plan.validator.iter_errors(data)), None) is None


@pytest.mark.parametrize("name", _suite_files(optional=False))
def test_required_tests(
    corpus: Path, catalogue: Catalogue, remotes: dict[str, Any], name: str
) -> None:
    draft, file, groups = _groups(corpus, name)
    failures: dict[tuple[str, str, str, str], str] = {}
    for group in groups:
        try:
            plan = _compile(catalogue, group["schema"], draft, remotes, format_check=False)
        except SetupError as exc:
            for test in group["tests"]:
                failures[(draft, file, group["description"], test["description"])] = str(exc)
            continue
        for test in group["tests"]:
            key = (draft, file, group["description"], test["description"])
            if _verdict(plan, test["data"]) is not test["valid"]:
                failures[key] = "wrong verdict"
            elif plan.predicate is not None:
                assert plan.predicate(test["data"]) is test["valid"], key
    known = {key for key in KNOWN_FAILURES if key[:2] == (draft, file)}
    surprises = {
        key: failures.get(key, "passes now: remove it from KNOWN_FAILURES")
        for key in set(failures) ^ known
    }
    assert not surprises


def test_required_test_count(corpus: Path) -> None:
    for draft, expected in REQUIRED_TESTS.items():
        total = sum(
            len(group["tests"])
            for name in _suite_files(optional=False)
            if name.startswith(draft + "/")
            for group in _groups(corpus, name)[2]
        )
        assert total == expected, draft


@pytest.mark.parametrize("name", _suite_files(optional=True))
def test_fast_path_agrees_on_optional_tests(
    corpus: Path, catalogue: Catalogue, remotes: dict[str, Any], name: str
) -> None:
    draft, _, groups = _groups(corpus, name)
    for group in groups:
        for format_check in (False, True):
            try:
                plan = _compile(catalogue, group["schema"], draft, remotes, format_check)
            except SetupError:
                continue  # e.g. ECMA-262-only regexes: refused, as python-jsonschema would
            if plan.predicate is None:
                continue
            for test in group["tests"]:
                expected = _python_jsonschema_verdict(plan, test["data"])
                assert plan.predicate(test["data"]) is expected, (group, test, format_check)


@pytest.mark.parametrize("draft", sorted(DIALECTS))
def test_patterns_are_ecma_262(
    corpus: Path, catalogue: Catalogue, remotes: dict[str, Any], draft: str
) -> None:
    _, _, groups = _groups(corpus, f"{draft}/optional/ecmascript-regex.json")
    by_description = {group["description"]: group for group in groups}
    for description in ECMA_GROUPS:
        group = by_description[description]
        plan = _compile(catalogue, group["schema"], draft, remotes, format_check=False)
        for test in group["tests"]:
            assert _verdict(plan, test["data"]) is test["valid"], (description, test)
