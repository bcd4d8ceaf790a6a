"""Generate the reference "legal entity registration" workload (issue 7), deterministically.

    python benchmarks/generate.py --rows 1M [--seed 7] [--out benchmarks/data] [--no-jsonl]
        [--shuffle-columns]

Writes, for N rows (``100k``, ``1M``, ``10M`` …), into ``--out`` (git-ignored):

* ``legal-entity-N.csv`` with ``legal-entity.table.json`` (Table Schema: types, required,
  pattern, enum, minimum, primaryKey);
* ``legal-entity-N.jsonl`` with ``legal-entity.schema.json`` (JSON Schema draft 2020-12, the
  same facts; ``format: date``; no primary key: JSON Schema has none);
* ``standards/bench.legal-entity/1.0.0/``: a govstd standard with the Table Schema and the
  ``cn.uscc`` / ``cn.ric`` check-character rules (for the check-character target).

About 1% of the rows carry one realistic error each: a bad USCC or ID check character (only the
rules see those), ``2020/01/02`` dates, a status outside the list, a missing required value, a
negative capital, or a repeated primary key. The same seed always gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
RIC_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}

CITIES = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "成都",
    "武汉",
    "西安",
    "重庆",
    "天津",
    "苏州",
    "长沙",
    "郑州",
    "济南",
    "青岛",
    "合肥",
    "福州",
    "厦门",
    "昆明",
]
WORDS = [
    "华信",
    "中科",
    "鑫源",
    "恒达",
    "瑞丰",
    "宏图",
    "金桥",
    "天成",
    "海纳",
    "博远",
    "永安",
    "新锐",
    "盛世",
    "东方",
    "启明",
    "同创",
    "嘉禾",
    "远航",
    "德润",
    "安泰",
]
TRADES = [
    "科技",
    "贸易",
    "建设",
    "餐饮管理",
    "文化传媒",
    "物流",
    "医药",
    "电子",
    "农业",
    "咨询",
    "教育",
    "环保",
    "能源",
    "机械",
    "食品",
]
FORMS = ["有限公司", "股份有限公司", "有限责任公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文斌宇浩凯鹏飞玲丹萍鑫"
STATUSES = ["1", "2", "3", "4"]
DOMAINS = ["example.cn", "mail.example.com", "corp.example.org", "qq.example.cn"]

FIELDS = [
    "uscc",
    "name",
    "legal_rep",
    "id_number",
    "division_code",
    "established",
    "registered_capital",
    "status",
    "phone",
    "email",
]


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def size_label(rows: int) -> str:
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}M"
    if rows % 1_000 == 0:
        return f"{rows // 1_000}k"
    return str(rows)


def uscc_check(body: str) -> str:
    total = sum(w * USCC_VALUE[c] for w, c in zip(USCC_WEIGHTS, body, strict=True))
    return USCC_ALPHABET[-total % 31]


def ric_check(body: str) -> str:
    total = sum(w * int(c) for w, c in zip(RIC_WEIGHTS, body, strict=True))
    return "0123456789X"[(1 - total) % 11]


def table_schema() -> dict:
    def s(name: str, **constraints: object) -> dict:
        return {"name": name, "type": "string", "constraints": constraints}

    return {
        "fields": [
            s("uscc", required=True, pattern="^[0-9A-HJ-NPQRTUWXY]{18}$"),
            s("name", required=True, maxLength=100),
            s("legal_rep", required=True, maxLength=50),
            s("id_number", required=True, pattern="^[0-9]{17}[0-9X]$"),
            s("division_code", required=True, pattern="^[0-9]{6}$"),
            {"name": "established", "type": "date", "constraints": {"required": True}},
            {"name": "registered_capital", "type": "number", "constraints": {"minimum": 0}},
            s("status", required=True, enum=STATUSES),
            s("phone", pattern="^1[3-9][0-9]{9}$"),
            s("email", pattern="^[a-z0-9._]+@[a-z0-9.]+$"),
        ],
        "primaryKey": ["uscc"],
    }


def json_schema() -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": [
            "uscc",
            "name",
            "legal_rep",
            "id_number",
            "division_code",
            "established",
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
            "status": {"type": "string", "enum": STATUSES},
            "phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
            "email": {"type": "string", "pattern": "^[a-z0-9._]+@[a-z0-9.]+$"},
        },
        "additionalProperties": False,
    }


MANIFEST = """\
id = "bench.legal-entity"
version = "1.0.0"
status = "active"
released = 2025-01-01
title = {{ en = "Benchmark legal entity", zh = "基准测试法人单位" }}

[artefacts]
table_schema = "table.schema.json"
{rules}"""

RULES = """
[[rules]]
id = "uscc-check"
check = "cn.uscc"
fields = ["uscc"]

[[rules]]
id = "id-check"
check = "cn.ric"
fields = ["id_number"]
"""


def divisions() -> list[str]:
    try:
        from govstd.codelists import CodeLists
        from govstd.gbt2260 import division_codes_ever

        codes = sorted(c for c in division_codes_ever(CodeLists.default()) if not c.endswith("00"))
        if codes:
            return codes[:2000]
    except Exception:  # pragma: no cover - generator without govstd installed
        pass
    return ["110101", "110105", "310101", "440106", "330106", "320102"]


class Rows:
    """The deterministic row stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.divisions = divisions()
        self.sequence = 0
        self.recent: list[str] = []

    def row(self) -> tuple[list[str | None], str | None]:
        rng = self.rng
        self.sequence += 1
        division = rng.choice(self.divisions)
        org = f"{self.sequence:08d}"
        # MA + 7 chars of the organisation code part: digits keep it in the alphabet
        body = "91" + division + org[:8] + "M"
        uscc = body + uscc_check(body)
        year = rng.randint(1950, 2004)
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        rid_body = (
            f"{rng.choice(self.divisions)}{year:04d}{month:02d}{day:02d}{rng.randint(0, 999):03d}"
        )
        id_number = rid_body + ric_check(rid_body)
        est = f"{rng.randint(1980, 2024):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        capital = f"{rng.randint(1, 50_000) * 1000}.{rng.randint(0, 99):02d}"
        row: list[str | None] = [
            uscc,
            f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(TRADES)}{rng.choice(FORMS)}",
            rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
            id_number,
            division,
            est,
            capital,
            rng.choice(STATUSES),
            f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}",
            f"u{self.sequence}@{rng.choice(DOMAINS)}",
        ]
        error = None
        if rng.random() < 0.01:
            error = rng.choice(
                ["uscc-check", "ric-check", "date", "status", "missing", "negative", "duplicate"]
            )
            if error == "uscc-check":
                wrong = USCC_ALPHABET[(USCC_VALUE[uscc[17]] + 1) % 31]
                row[0] = uscc[:17] + wrong
            elif error == "ric-check":
                row[3] = id_number[:17] + ("0" if id_number[17] != "0" else "1")
            elif error == "date":
                row[5] = est.replace("-", "/")
            elif error == "status":
                row[7] = "9"
            elif error == "missing":
                row[rng.choice([1, 2, 3])] = ""
            elif error == "negative":
                row[6] = "-" + capital
            elif error == "duplicate" and self.recent:
                row[0] = rng.choice(self.recent)
        if len(self.recent) < 1000:
            self.recent.append(uscc)
        elif rng.random() < 0.01:
            self.recent[rng.randrange(1000)] = uscc
        return row, error


def csv_line(cells: list[str | None], order: list[int]) -> str:
    return ",".join(cells[i] or "" for i in order) + "\n"


def json_line(cells: list[str | None], order: list[int]) -> str:
    record: dict[str, object] = {}
    for i in order:
        name, value = FIELDS[i], cells[i]
        if value in (None, ""):
            continue
        if name == "registered_capital":
            record[name] = float(value) if "." in value else int(value)
        else:
            record[name] = value
    return json.dumps(record, ensure_ascii=False) + "\n"


def generate(
    rows: int, out: Path, seed: int, *, jsonl: bool = True, shuffle: bool = False
) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    label = size_label(rows)
    order = list(range(len(FIELDS)))
    if shuffle:
        random.Random(seed + 1).shuffle(order)
    schema = table_schema()
    schema["fields"] = [schema["fields"][i] for i in order]
    paths = {
        "csv": out / f"legal-entity-{label}.csv",
        "table_schema": out / "legal-entity.table.json",
        "json_schema": out / "legal-entity.schema.json",
        "standard": out / "standards",
    }
    paths["table_schema"].write_text(json.dumps(schema, indent=2), encoding="utf-8")
    paths["json_schema"].write_text(json.dumps(json_schema(), indent=2), encoding="utf-8")
    folder = paths["standard"] / "bench.legal-entity" / "1.0.0"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "table.schema.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
    (folder / "manifest.toml").write_text(MANIFEST.format(rules=RULES), encoding="utf-8")
    plain = paths["standard"] / "bench.legal-entity-plain" / "1.0.0"
    plain.mkdir(parents=True, exist_ok=True)
    (plain / "table.schema.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
    (plain / "manifest.toml").write_text(
        MANIFEST.format(rules="").replace("bench.legal-entity", "bench.legal-entity-plain"),
        encoding="utf-8",
    )
    source = Rows(seed)
    header = ",".join(FIELDS[i] for i in order) + "\n"
    jsonl_file = None
    if jsonl:
        paths["jsonl"] = out / f"legal-entity-{label}.jsonl"
        jsonl_file = paths["jsonl"].open("w", encoding="utf-8", newline="")
    with paths["csv"].open("w", encoding="utf-8", newline="") as csv_file:
        csv_file.write(header)
        block_csv: list[str] = []
        block_json: list[str] = []
        for _ in range(rows):
            cells, _error = source.row()
            block_csv.append(csv_line(cells, order))
            if jsonl_file is not None:
                block_json.append(json_line(cells, order))
            if len(block_csv) >= 50_000:
                csv_file.write("".join(block_csv))
                block_csv.clear()
                if jsonl_file is not None:
                    jsonl_file.write("".join(block_json))
                    block_json.clear()
        csv_file.write("".join(block_csv))
        if jsonl_file is not None:
            jsonl_file.write("".join(block_json))
            jsonl_file.close()
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100k", help="rows per file: 100k, 1M, 10M …")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE / "data")
    parser.add_argument("--no-jsonl", action="store_true", help="write the CSV only")
    parser.add_argument("--shuffle-columns", action="store_true")
    args = parser.parse_args(argv)
    for size in args.rows.split(","):
        paths = generate(
            parse_size(size),
            args.out,
            args.seed,
            jsonl=not args.no_jsonl,
            shuffle=args.shuffle_columns,
        )
        print(" ".join(str(p) for p in paths.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
