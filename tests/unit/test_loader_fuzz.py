"""Property: whatever lands in the sample's cells, the loader returns data or a WorkbookError."""

from __future__ import annotations

import datetime as dt
import io
import math
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

import perfkit as pk
from perfkit.data.sheets import AMOUNT, NUMBER, SHEETS
from perfkit.errors import WorkbookError

# Slow tier (fuzzes the loader): CI runs it (.ci/run); pytest alone leaves it out.
pytestmark = pytest.mark.slow

SHEET_NAMES = [s.name for s in SHEETS] + ["填表说明"]

texts = st.text(max_size=30).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t))
typed = st.sampled_from(["二千", "1,234.5", "12.3万", "—", "N/A", "90%", " 12 ", "(5)", "1e400",
                         "-0", "#DIV/0!", "万元", "元", "2019", "全面", "≥", "是", "财务",
                         "<script>alert(1)</script>", "[/x]", "其中：人员经费", "本年收入合计"])
formulas = st.sampled_from(["=1+1", "=SUM(B2:B7)", "=1/0", '=HYPERLINK("http://x","y")',
                            "=D4*10000", "=A1"])
values = st.one_of(
    st.none(), texts, typed, formulas, st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=3,
                min_value=Decimal(-10**9), max_value=Decimal(10**9)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.times(),
)
sheets = st.sampled_from(SHEET_NAMES)
rows = st.integers(min_value=1, max_value=70)
cols = st.integers(min_value=1, max_value=12)
operations = st.one_of(
    st.tuples(st.just("set"), sheets, rows, cols, values),
    st.tuples(st.just("set"), sheets, rows, cols, values),
    st.tuples(st.just("set"), sheets, rows, cols, values),
    st.tuples(st.just("delete_sheet"), sheets),
    st.tuples(st.just("rename_sheet"), sheets, texts),
    st.tuples(st.just("delete_rows"), sheets, rows, st.integers(1, 5)),
    st.tuples(st.just("insert_rows"), sheets, rows),
    st.tuples(st.just("delete_cols"), sheets, cols),
    st.tuples(st.just("merge"), sheets, rows, cols),
    st.tuples(st.just("hide"), sheets, rows),
)


@pytest.fixture(scope="module")
def sample_bytes(tmp_path_factory) -> bytes:
    from conftest import sample_content

    path = pk.write_workbook(tmp_path_factory.mktemp("fuzz") / "sample.xlsx", sample_content())
    return path.read_bytes()


def _apply(book: openpyxl.Workbook, op: tuple) -> None:
    kind, name, *args = op
    if name not in book.sheetnames:
        return
    ws = book[name]
    if kind == "set":
        row, col, value = args
        ws.cell(row=row, column=col, value=value)
    elif kind == "delete_sheet" and len(book.sheetnames) > 1:
        book.remove(ws)
    elif kind == "rename_sheet" and args[0].strip() and args[0] not in book.sheetnames:
        ws.title = args[0][:31].replace("/", "").replace("\\", "").replace("?", "").replace(
            "*", "").replace("[", "").replace("]", "").replace(":", "") or ws.title
    elif kind == "delete_rows":
        ws.delete_rows(args[0], args[1])
    elif kind == "insert_rows":
        ws.insert_rows(args[0])
    elif kind == "delete_cols":
        ws.delete_cols(args[0])
    elif kind == "merge":
        row, col = args
        ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col + 1)
    elif kind == "hide":
        ws.row_dimensions[args[0]].hidden = True


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operations, min_size=1, max_size=8))
def test_loader_never_raises_anything_else(ops, sample_bytes, tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(sample_bytes))
    for op in ops:
        _apply(book, op)
    path = tmp_path / "2019.xlsx"
    try:
        book.save(path)
    except (ValueError, TypeError):
        return  # openpyxl refuses to write this value (e.g. a time with a timezone): not our input
    try:
        data = pk.load_workbook(path, expected_year=2019)
    except WorkbookError as exc:
        assert exc.problems
        assert all(p.found and p.expected and p.fix for p in exc.problems)
        assert not any("意外错误" in p.found for p in exc.problems), str(exc)
        return
    for sheet in SHEETS:
        frame = data.frames[sheet.key]
        for c in sheet.columns:
            if c.kind in (AMOUNT, NUMBER):
                assert frame[c.key].dtype == "float64"
                assert not any(math.isinf(v) for v in frame[c.key].dropna())
    assert 1990 <= data.year <= 2100
