"""``govstd transform`` with the ``acme-hr`` adapter: a seeded vendor feed, timed as a process.

Generates a seeded, deterministic ACME HR household-register export (GB18030 CSV, CRLF, the
vendor's Chinese header and date format ``YYYY年M月D日``) of people with valid identity
numbers (check character, birth date and sex agreeing with the other cells), where about 1 %
of the rows carry what real exports carry:

* cells the adapter fixes with certainty (padding, full-width digits, a lower-case ``x``,
  a spreadsheet ``.0``, phone punctuation, an undeclared ``1985-3-12`` date, ``男性``);
* cells that reject the record (``1.10105E+17``, ``不详``, ``1985年2月30日``, a wrong check
  character, a birth date that disagrees with the identity number, a repeated identity
  number, a missing name, an ethnicity outside GB/T 3304);
* null markers (``无``, ``-``, ``NULL``) in optional cells.

Then runs the whole ``govstd transform FILE --adapter acme-hr -o OUT.jsonl --report R.json``
process ``--repeat`` times per size and prints wall seconds, rows/s, user+sys CPU seconds
and peak RSS (from ``wait4``), plus the accounting (written, fixed, rejected) and a digest of
the output, the rejects and the report, so that two versions of govstd can be compared::

    python benchmarks/transform_bench.py --sizes 200000 1000000 --repeat 3 --reference

With ``--reference`` each size is also run with ``GOVSTD_COLUMNAR=0`` (the row-by-row path),
interleaved, and the digests of both must agree (exit code 1 otherwise).

Usable as a library: :func:`generate`, :func:`run_transform` and :func:`main`.
"""

from __future__ import annotations

import argparse
import hashlib
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

__all__ = ["HEADER", "generate", "main", "make_row", "run_transform"]

HEADER = ["姓名", "身份证号", "性别", "出生日期", "民族", "户籍地行政区划", "户籍地址", "联系电话"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉玲萍红鹏飞宇浩然婷雪梅兰凤洁琳颖晨阳"
#: division code → address prefix
DIVISIONS = {
    "110101": "北京市东城区", "110105": "北京市朝阳区", "310104": "上海市徐汇区",
    "310115": "上海市浦东新区", "440106": "广州市天河区", "440305": "深圳市南山区",
    "330106": "杭州市西湖区", "320102": "南京市玄武区", "510104": "成都市锦江区",
    "420106": "武汉市武昌区", "610113": "西安市雁塔区", "430104": "长沙市岳麓区",
    "410105": "郑州市金水区",
}  # fmt: skip
STREETS = ["人民路", "解放路", "中山路", "建设路", "和平路", "友谊路", "长江路", "黄河路"]
#: mostly 汉族; the vendor writes the GB/T 3304 names, with or without 族
ETHNICITIES = ["汉族"] * 90 + ["蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族",
                               "满族", "汉", "回"]  # fmt: skip
SEX_LABELS = {1: "男", 0: "女"}
_RIC_W = [pow(2, 17 - i, 11) for i in range(17)]
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
FIRST_DAY = date(1930, 1, 1)
DAYS = (date(2005, 12, 31) - FIRST_DAY).days


def _check(body: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, _RIC_W, strict=True)) % 11]


def make_row(rng: random.Random, used: set[str]) -> list[str]:
    """One clean vendor row (cells as the vendor writes them), its identity number not in
    ``used`` (then added to it)."""
    while True:
        division = rng.choice(list(DIVISIONS))
        born = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        sequence = rng.randrange(1000)
        body = f"{division}{born:%Y%m%d}{sequence:03d}"
        if body not in used:
            used.add(body)
            break
    id_number = body + _check(body)
    male = sequence % 2
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    address = f"{DIVISIONS[division]}{rng.choice(STREETS)}{rng.randint(1, 999)}号"
    phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    if rng.random() < 0.05:
        phone = f"0{rng.choice(['10', '21', '571'])}-{rng.randrange(10**7, 10**8)}"
    elif rng.random() < 0.1:
        phone = ""
    return [
        name,
        id_number,
        SEX_LABELS[male],
        f"{born.year}年{born.month}月{born.day}日",
        rng.choice(ETHNICITIES),
        division,
        address,
        phone,
    ]


def _spoil(rng: random.Random, row: list[str], previous: list[str] | None) -> None:
    """One realistic vendor quirk or error, in place."""
    kind = rng.randrange(16)
    if kind == 0:  # padding (fix.trimmed)
        row[0] = f"\u3000{row[0]} "
    elif kind == 1:  # full-width digits (fix.fullwidth-digits)
        row[1] = row[1].translate(_FULLWIDTH)
    elif kind == 2:  # a lower-case x where the check character is X, else a wrong one
        if row[1].endswith("X"):
            row[1] = row[1][:-1] + "x"
        else:
            row[1] = row[1][:-1] + str((int(row[1][-1]) + 1) % 10)
    elif kind == 3:  # Excel: division as a number
        row[5] += ".0"
    elif kind == 4:  # phone punctuation / country prefix (fix.phone-normalised)
        if row[7].startswith("1"):
            row[7] = rng.choice([f"+86 {row[7][:3]} {row[7][3:7]} {row[7][7:]}", f"86-{row[7]}"])
    elif kind == 5:  # an undeclared but unambiguous date form (fix.date-reformatted)
        y, rest = row[3].split("年")
        m, rest = rest.split("月")
        row[3] = f"{y}-{m}-{rest.rstrip('日')}"
    elif kind == 6:  # the date in another declared form
        y, rest = row[3].split("年")
        m, rest = rest.split("月")
        row[3] = rng.choice(
            [f"{y}/{m}/{rest.rstrip('日')}", f"{y}{int(m):02d}{int(rest[:-1]):02d}"]
        )
    elif kind == 7:  # scientific notation (adapter.scientific-notation)
        row[1] = f"{row[1][0]}.{row[1][1:6]}E+17"
    elif kind == 8:  # a sex label outside the layout (adapter.unmapped-value)
        row[2] = "不详"
    elif kind == 9:  # a day that does not exist (adapter.invalid-date)
        row[3] = row[3].split("月")[0] + "月30日" if "2月" in row[3] else "1985年2月30日"
    elif kind == 10:  # the code list's own name (fix.code-mapped)
        row[2] = {"男": "男性", "女": "女性"}[row[2]]
    elif kind == 11:  # a repeated identity number (field.unique / rule unique)
        if previous is not None:
            row[1] = previous[1]
            row[2], row[3] = previous[2], previous[3]
    elif kind == 12:  # a missing required name
        row[0] = "无"
    elif kind == 13:  # an ethnicity outside GB/T 3304
        row[4] = "穿青人"
    elif kind == 14:  # null markers in optional cells
        row[6] = rng.choice(["无", "-", "NULL"])
        row[7] = "/"
    else:  # a birth date that disagrees with the identity number
        row[3] = "1970年1月1日"


def _cell(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def generate(path: Path, count: int, *, seed: int = 20261128, error_rate: float = 0.01) -> Path:
    """Write ``count`` vendor rows (GB18030, CRLF) to ``path``, deterministically."""
    rng = random.Random(seed)
    previous: list[str] | None = None
    used: set[str] = set()
    with path.open("wb") as out:
        out.write((",".join(HEADER) + "\r\n").encode("gb18030"))
        lines: list[str] = []
        for _ in range(count):
            row = make_row(rng, used)
            clean = list(row)
            if rng.random() < error_rate:
                _spoil(rng, row, previous)
            previous = clean
            lines.append(",".join(map(_cell, row)))
            if len(lines) >= 50_000:
                out.write(("\r\n".join(lines) + "\r\n").encode("gb18030"))
                lines = []
        if lines:
            out.write(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def _digest(path: Path) -> str:
    if not path.exists():
        return "-"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def run_transform(
    data: Path,
    folder: Path,
    *,
    as_of: str = "2026-01-01",
    extra: Sequence[str] = (),
    environ: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The whole ``govstd transform`` process: wall and CPU seconds, peak RSS (MiB), the
    accounting and digests of what it wrote."""
    out, rejects, report = folder / "out.jsonl", folder / "rejects.jsonl", folder / "report.json"
    argv = [sys.executable, "-m", "govstd", "transform", str(data), "--adapter", "acme-hr",
            "-o", str(out), "--rejects", str(rejects), "--report", str(report),
            "--as-of", as_of, "--fail-on", "never", *extra]  # fmt: skip
    env = {**os.environ, "CI": "1", **(environ or {})}
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    error = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"govstd transform failed: {error}")
    summary = json.loads(report.read_text(encoding="utf-8"))["transform"]
    # the report names the folder; the digest should not
    report_text = report.read_text(encoding="utf-8").replace(str(folder), "DIR")
    return {
        "seconds": elapsed,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,
        "records": summary["records"],
        "written": summary["written"],
        "fixed": summary["fixed"],
        "rejected": summary["rejected"],
        "digest": "/".join(
            (
                _digest(out),
                _digest(rejects),
                hashlib.sha256(report_text.encode()).hexdigest()[:12],
            )
        ),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--data", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--keep", type=Path, help="keep the outputs in this folder")
    parser.add_argument(
        "--reference",
        action="store_true",
        help="also run each size with GOVSTD_COLUMNAR=0 (the row-by-row path), interleaved, "
        "and check that both wrote the same bytes",
    )
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import compile_bytecode

    compile_bytecode()  # as a wheel install has it (see run.py)
    print(f"{'rows':>9} {'seconds':>8} {'rows/s':>9} {'cpu s':>7} {'RSS MiB':>8}  "
          f"{'written':>8} {'fixed':>6} {'rejected':>8}  digest (out/rejects/report)")  # fmt: skip
    modes = {"columnar": {}, "reference": {"GOVSTD_COLUMNAR": "0"}}
    if not args.reference:
        del modes["reference"]
    same = True
    for size in args.sizes:
        data = args.data / f"acme-hr-{size}-{args.seed}.csv"
        if not data.exists():
            generate(data, size, seed=args.seed)
        runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
        for _ in range(args.repeat):
            for mode, environ in modes.items():
                with tempfile.TemporaryDirectory(dir=args.keep) as folder:
                    runs[mode].append(run_transform(data, Path(folder), environ=environ))
        for mode, done in runs.items():
            seconds = statistics.median(r["seconds"] for r in done)
            last = done[-1]
            print(
                f"{size:>9} {seconds:>8.2f} {size / seconds:>9,.0f} "
                f"{statistics.median(r['cpu'] for r in done):>7.2f} "
                f"{max(r['rss_mib'] for r in done):>8.0f}  {last['written']:>8} "
                f"{last['fixed']:>6} {last['rejected']:>8}  {last['digest']}"
                + (f"  ({mode})" if len(modes) > 1 else ""),
                flush=True,
            )
        digests = {r["digest"] for done in runs.values() for r in done}
        if len(digests) > 1:
            print(f"  different outputs: {sorted(digests)}", flush=True)
            same = False
    if not same:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
