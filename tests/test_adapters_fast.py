"""Differential test of the adapter's column-wise conversion (a batch whose rows all have the
header's width, read column by column through per-column memos) against the reference
row-by-row conversion (``_Adapting._convert``): same records, same findings, same order."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.adapters import load_adapter
from govstd.adapters.model import AdapterReader, _Adapting
from govstd.catalogue import Catalogue, builtin_finding_types
from govstd.formats.base import Source, TableBatch

MAPPING = """
name = "fast-test"
standard = "t@^1.0"
format = "csv"
null_markers = ["无", "-"]

[[columns]]
label = "名"
field = "name"
type = "text"

[[columns]]
label = "号"
field = "id_number"
type = "cn-ric"

[[columns]]
label = "性别"
field = "sex"
type = "code"
codes = { "男" = "1", "女" = "2" }

[[columns]]
label = "日期"
field = "birth_date"
type = "date"
formats = ["YYYY年M月D日", "YYYY/M/D", "YYYYMMDD"]

[[columns]]
label = "区划"
field = "division_code"
type = "digits"

[[columns]]
label = "电话"
field = "phone"
type = "cn-phone"
"""

CELLS = {
    "名": ["张伟", " 王芳 ", "", "无", "\u3000李\u3000", "-"],
    "号": [
        "110101198503120017",
        "11010119850312001x",
        "１１０１０１１９８５０３１２００１７",
        "",
        "abc",
    ],
    "性别": ["男", "女", "未知", "", " 男", "1"],
    "日期": ["1985年3月12日", "1985/3/12", "19850312", "1985-03-12", "", "2020年2月30日"],
    "区划": ["110101", "110101.0", "１１０１０１", "", "11010"],
    "电话": ["13801012345", "138-0101-2345", "+86 138 0101 2345", "", "123"],
}
HEADER = list(CELLS)


def _state(tmp_path) -> _Adapting:
    path = tmp_path / "fast-test.toml"
    path.write_text(MAPPING, encoding="utf-8")
    adapter = load_adapter(path)
    reader = AdapterReader(adapter, None, adapter.columns)
    return _Adapting(reader, Source(name="s"), Catalogue(builtin_finding_types()))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(
        st.lists(st.tuples(*(st.sampled_from(v) for v in CELLS.values())), max_size=20),
        min_size=1,
        max_size=3,
    ),
    order=st.permutations(range(len(HEADER))),
)
def test_column_wise_conversion_equals_row_by_row(tmp_path, batches, order):
    header = [HEADER[i] for i in order]
    fast, reference = _state(tmp_path), _state(tmp_path)
    first = 1
    for cells in batches:
        rows = [[row[i] for i in order] for row in cells]
        ordinals = list(range(first, first + len(rows)))
        first += len(rows)
        batch = TableBatch(header, rows, ordinals, [o + 1 for o in ordinals])
        got = fast.table(batch)
        expected_findings = reference.bind(header, 1) if reference.bound is None else []
        reference._memos = [None] * len(reference.bound)  # every cell read afresh
        add = expected_findings.append
        expected = [
            reference._convert(row, reference.bound, o, o + 1, add)
            for row, o in zip(rows, ordinals, strict=True)
        ]
        assert got.records == expected
        assert got.findings == expected_findings
