"""JSON Lines + JSON Schema: govstd against python-jsonschema, measured side by side.

Generates a seeded, deterministic "legal entity registration" feed as JSON Lines (about 1 % of
the records carry realistic errors) with a draft 2020-12 JSON Schema (``format: date``
asserted), then runs, in the same run, each tool ``--repeat`` times and prints the medians:

* ``govstd``: the whole ``govstd validate FILE --schema SCHEMA -f json`` process (start-up,
  import, compile, read, check, report), its peak RSS from ``wait4``;
* ``python-jsonschema``: a separate process that reads the file line by line with
  ``json.loads`` and lists ``Draft202012Validator(..., format_checker=...).iter_errors`` for
  every record (what a user would otherwise write), its peak RSS too.

With ``--compare`` it also checks that both report the same errors for every invalid record
(record, instance path, keyword). Usable as a library: :func:`make_schema`, :func:`generate`,
:func:`run_govstd`, :func:`run_jsonschema` and :func:`main` (``main(argv) -> int``)::

    python benchmarks/jsonl_bench.py --sizes 100000 1000000 --repeat 3 --compare
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

__all__ = [
    "generate",
    "main",
    "make_schema",
    "python_jsonschema_errors",
    "run_govstd",
    "run_jsonschema",
]

STATUS = ["1", "2", "3", "4"]
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉玲萍红鹏飞宇浩然婷雪梅兰凤洁琳颖晨阳"
PLACES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "长沙", "郑州"]
WORDS = ["华兴", "宏达", "金鼎", "新锐", "恒通", "瑞丰", "安泰", "博远", "天成", "中联", "佳信"]
KINDS = ["科技", "贸易", "建设", "物流", "文化", "咨询", "餐饮", "医药", "电子", "农业"]
FORMS = ["有限公司", "股份有限公司", "有限责任公司", "合伙企业"]
DIVISIONS = ["110101", "110105", "310104", "310115", "440106", "440305", "330106", "320102",
             "510104", "420106", "610113", "430104", "410105"]  # fmt: skip
FIELDS = ["uscc", "name", "legal_rep", "id_number", "division_code", "established",
          "registered_capital", "status", "phone", "email"]  # fmt: skip
_USCC_W = [pow(3, i, 31) for i in range(17)]
_RIC_W = [pow(2, 17 - i, 11) for i in range(17)]


def make_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one record, equivalent to the CSV's Table Schema."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "legal entity registration (benchmark)",
        "type": "object",
        "required": [
            "uscc",
            "name",
            "legal_rep",
            "id_number",
            "division_code",
            "established",
            "registered_capital",
            "status",
        ],
        "properties": {
            "uscc": {"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"},
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "legal_rep": {"type": "string", "minLength": 1, "maxLength": 50},
            "id_number": {"type": "string", "pattern": "^[0-9]{17}[0-9X]$"},
            "division_code": {"type": "string", "pattern": "^[0-9]{6}$"},
            "established": {"type": "string", "format": "date"},
            "registered_capital": {"type": "number", "minimum": 0},
            "status": {"type": "string", "enum": STATUS},
            "phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
            "email": {"type": "string", "format": "email"},
        },
        "additionalProperties": False,
    }


def _uscc(rng: random.Random, division: str, good: bool) -> str:
    body = "91" + division + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    check = (
        31 - sum(USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_W, strict=True)) % 31
    ) % 31
    char = USCC_CHARS[check]
    if not good:
        char = USCC_CHARS[(check + 1) % 31]
    return body + char


def _ric(rng: random.Random, division: str, born: date) -> str:
    body = division + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    total = sum(int(c) * w for c, w in zip(body, _RIC_W, strict=True))
    return body + "10X98765432"[total % 11]


def _record(rng: random.Random, serial: int) -> dict[str, Any]:
    division = rng.choice(DIVISIONS)
    established = date(1990, 1, 1) + timedelta(days=rng.randrange(12000))
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(18000))
    record: dict[str, Any] = {
        "uscc": _uscc(rng, division, True),
        "name": rng.choice(PLACES) + rng.choice(WORDS) + rng.choice(KINDS) + rng.choice(FORMS),
        "legal_rep": rng.choice(SURNAMES)
        + rng.choice(GIVEN)
        + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
        "id_number": _ric(rng, division, born),
        "division_code": division,
        "established": established.isoformat(),
        "registered_capital": round(rng.uniform(1, 5e7), 2)
        if rng.random() < 0.7
        else rng.randrange(1, 10**8),
        "status": rng.choice(STATUS),
        "phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
    }
    if rng.random() < 0.8:
        record["email"] = f"contact{serial}@example.com.cn"
    return record


def _spoil(rng: random.Random, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
    kind = rng.randrange(7)
    if kind == 0:  # bad check character: valid for the JSON Schema, a rule finds it
        record["uscc"] = _uscc(rng, record["division_code"], False)
    elif kind == 1:
        record["established"] = record["established"].replace("-", "/")
    elif kind == 2:
        record["status"] = rng.choice(["9", "0", "01", "A"])
    elif kind == 3:
        del record[rng.choice(["name", "legal_rep", "status", "established"])]
    elif kind == 4:
        record["registered_capital"] = -record["registered_capital"]
    elif kind == 5 and previous is not None:  # duplicate primary key: a rule finds it
        record["uscc"] = previous["uscc"]
    else:
        spoil = rng.randrange(4)
        if spoil == 0:
            record["established"] = "2021-02-30"
        elif spoil == 1:
            record["phone"] = "０" + record["phone"][1:]
        elif spoil == 2:
            record["registered_capital"] = str(record["registered_capital"])
        else:
            record["remark"] = "手工补录"


def generate(path: Path, count: int, *, seed: int = 20250101, error_rate: float = 0.01,
             field_order: Sequence[str] | None = None) -> None:  # fmt: skip
    """Write ``count`` records to ``path`` as JSON Lines (deterministic for a seed)."""
    rng = random.Random(seed)
    order = list(field_order or FIELDS)
    previous: dict[str, Any] | None = None
    with path.open("w", encoding="utf-8", newline="\n") as out:
        lines = []
        for serial in range(1, count + 1):
            record = _record(rng, serial)
            if rng.random() < error_rate:
                _spoil(rng, record, previous)
            previous = record
            ordered = {k: record[k] for k in order if k in record}
            ordered.update((k, v) for k, v in record.items() if k not in ordered)
            lines.append(json.dumps(ordered, ensure_ascii=False))
            if len(lines) >= 10_000:
                out.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            out.write("\n".join(lines) + "\n")


# -- running the tools ---------------------------------------------------------------------------

_JSONSCHEMA_SCRIPT = r"""
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1], encoding="utf-8"))
validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
out = open(sys.argv[3], "w", encoding="utf-8") if len(sys.argv) > 3 else None
invalid = 0
with open(sys.argv[2], encoding="utf-8") as lines:
    for ordinal, line in enumerate(lines, 1):
        errors = list(validator.iter_errors(json.loads(line)))
        if errors:
            invalid += 1
            if out is not None:
                for e in errors:
                    out.write(json.dumps([ordinal, list(e.absolute_path), e.validator]) + "\n")
print(invalid)
"""


def _timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run ``argv``; wall seconds, peak RSS in MiB (from wait4) and standard output."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, text


def run_govstd(data: Path, schema: Path, report: Path | None = None,
               extra: Sequence[str] = ()) -> tuple[float, float, dict[str, Any]]:  # fmt: skip
    """The whole ``govstd validate`` process: seconds, peak RSS (MiB), the JSON report."""
    target = report or data.with_suffix(".report.json")
    argv = [sys.executable, "-m", "govstd", "validate", str(data), "--schema", str(schema),
            "-f", "json", "-o", str(target), "--fail-on", "never", *extra]  # fmt: skip
    env = {**os.environ, "CI": "1"}
    elapsed, rss, _ = _timed(argv, env)
    return elapsed, rss, json.loads(target.read_text(encoding="utf-8"))


def run_jsonschema(
    data: Path, schema: Path, errors: Path | None = None
) -> tuple[float, float, int]:
    """python-jsonschema in its own process: seconds, peak RSS (MiB), invalid records."""
    argv = [sys.executable, "-c", _JSONSCHEMA_SCRIPT, str(schema), str(data)]
    if errors is not None:
        argv.append(str(errors))
    elapsed, rss, text = _timed(argv)
    return elapsed, rss, int(text.strip() or 0)


def python_jsonschema_errors(path: Path) -> set[tuple[int, str, str]]:
    """(record, pointer, keyword) of every error the python-jsonschema run wrote."""
    from govstd.engines.jsonschema import json_pointer

    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        ordinal, where, keyword = json.loads(line)
        out.add((ordinal, json_pointer(where), keyword))
    return out


def govstd_errors(report: dict[str, Any]) -> set[tuple[int, str, str]]:
    """(record, pointer, keyword) of every JSON Schema finding of a govstd JSON report.

    govstd reports one finding per unexpected property, at the property's pointer, where
    python-jsonschema reports one ``additionalProperties`` error at the object: such findings
    are mapped back to their object here.
    """
    out = set()
    for finding in report["findings"]:
        keyword = finding.get("keyword")
        if keyword is None:
            continue
        pointer = finding.get("location", {}).get("pointer", "")
        if keyword in ("additionalProperties", "unevaluatedProperties"):
            pointer = pointer.rpartition("/")[0]
        out.add((finding["record"], pointer, keyword))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "govstd-bench"
    )
    parser.add_argument("--compare", action="store_true", help="check the findings agree")
    parser.add_argument("--skip-jsonschema", action="store_true")
    parser.add_argument("--govstd-arg", action="append", default=[], help="extra govstd option")
    parser.add_argument("--data", type=Path, nargs="+", help="existing JSONL files (no generating)")
    parser.add_argument("--schema", type=Path, help="the JSON Schema of --data")
    args = parser.parse_args(argv)

    args.workdir.mkdir(parents=True, exist_ok=True)
    schema = args.schema or args.workdir / "legal-entity.schema.json"
    if args.schema is None:
        schema.write_text(json.dumps(make_schema(), ensure_ascii=False, indent=1), encoding="utf-8")
    inputs: list[tuple[int, Path]] = []
    if args.data:
        for path in args.data:
            with path.open("rb") as lines:
                inputs.append((sum(1 for line in lines if line.strip()), path))
    else:
        for size in args.sizes:
            path = args.workdir / f"legal-entity-{size}-{args.seed}.jsonl"
            if not path.exists():
                generate(path, size, seed=args.seed)
            inputs.append((size, path))
    rows = []
    failed = False
    for size, data in inputs:
        g_times, g_rss, j_times, j_rss = [], [], [], []
        report: dict[str, Any] = {}
        errors = args.workdir / f"jsonschema-errors-{data.stem}.jsonl"
        for round_ in range(args.repeat):
            t, r, report = run_govstd(data, schema, extra=args.govstd_arg)
            g_times.append(t)
            g_rss.append(r)
            if not args.skip_jsonschema:
                t, r, _ = run_jsonschema(
                    data, schema, errors if round_ == 0 and args.compare else None
                )
                j_times.append(t)
                j_rss.append(r)
        g = statistics.median(g_times)
        row = {"records": size, "govstd_s": round(g, 3), "govstd_rps": round(size / g),
               "govstd_rss_mib": round(max(g_rss), 1),
               "rejected": report["stats"]["rejected"]}  # fmt: skip
        if j_times:
            j = statistics.median(j_times)
            row.update(jsonschema_s=round(j, 2), jsonschema_rps=round(size / j),
                       jsonschema_rss_mib=round(max(j_rss), 1), ratio=round(j / g, 1))  # fmt: skip
        if args.compare and not args.skip_jsonschema:
            theirs, ours = python_jsonschema_errors(errors), govstd_errors(report)
            row["same_findings"] = theirs == ours
            if theirs != ours:
                failed = True
                print("only python-jsonschema:", sorted(theirs - ours)[:10], file=sys.stderr)
                print("only govstd:", sorted(ours - theirs)[:10], file=sys.stderr)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
