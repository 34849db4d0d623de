"""The display Table: the same HTML as a pandas Styler, plus its structured form."""

from __future__ import annotations

import math
import re

import nbformat.v4 as v4
import pandas as pd
import pytest

from perfkit.report.tables import TABLE_MIME, Table, is_number_text, styled


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "项目": ["事业收入", "其他收入", "<合计>"],
        "决算数（万元）": ["3470.41", "727.30", "24192.45"],
        "完成率": ["109.03%", None, "无法计算（基数为0）"],
        "说明": ["部门填报", "", "含*星号*的说明文字，超过十二个字符的一段话"],
    })


def _without_ids(html: str) -> str:
    return re.sub(r"T_[0-9a-f]{5}", "T_x", html)


def test_html_is_the_stylers_html():
    frame = _frame()
    expected = (frame.style.hide(axis="index").format(escape="html", na_rep="未提供")
                .set_table_attributes('class="pk-table"').set_caption("收入决算").to_html())
    table = styled(frame, "收入决算")
    assert isinstance(table, Table)
    assert _without_ids(table._repr_html_()) == _without_ids(expected)
    assert "&lt;合计&gt;" in table.to_html()  # workbook text stays escaped


def test_mime_bundle_carries_columns_rows_caption_and_figure_columns():
    bundle = styled(_frame(), "收入决算")._repr_mimebundle_()
    data = bundle[TABLE_MIME]
    assert data["columns"] == ["项目", "决算数（万元）", "完成率", "说明"]
    assert data["caption"] == "收入决算"
    assert data["rows"][0] == ["事业收入", "3470.41", "109.03%", "部门填报"]
    assert data["rows"][1][2] == "未提供"  # a missing value shows as the HTML shows it
    assert data["rows"][2][0] == "<合计>"  # display text, not HTML
    # Figures right-aligned: a column of figures (a short note among them is fine), not text.
    assert data["numeric"] == [False, True, True, False]


def test_ipython_shows_html_and_the_structured_form():
    from IPython.core.formatters import DisplayFormatter

    table = styled(_frame())
    data, _ = DisplayFormatter().format(table)
    assert {"text/html", "text/plain", TABLE_MIME} <= set(data)
    assert _without_ids(data["text/html"]) == _without_ids(table.to_html())
    assert data[TABLE_MIME]["caption"] is None


def test_nbconvert_html_ignores_the_structured_form():
    from nbconvert import HTMLExporter

    table = styled(_frame(), "收入决算")
    html = table.to_html()

    def export(data: dict) -> str:
        cell = v4.new_code_cell("t", outputs=[
            v4.new_output("execute_result", data, execution_count=1)])
        cell.id = "table"
        nb = v4.new_notebook(cells=[cell])
        return HTMLExporter(template_name="basic").from_notebook_node(nb)[0]

    plain = {"text/html": html, "text/plain": "t"}
    assert export({**plain, TABLE_MIME: table.to_json()}) == export(plain)


def test_styles_mark_cells_in_the_html_and_travel_with_the_table():
    table = styled(pd.DataFrame({"结论": ["一致", "不一致"]}),
                   styles={"结论": {"不一致": "color: #B22222; font-weight: bold"}})
    assert "color: #B22222" in table.to_html()
    assert table.to_json()["styles"] == {"结论": {"不一致": "color: #B22222; font-weight: bold"}}


@pytest.mark.parametrize(("text", "number"), [
    ("24192.45", True), ("-595.92", True), ("109.03%", True), ("136.78 %", True),
    ("+1.20个百分点", True), ("2019年", True), ("392名", True), ("（12.5）", True),
    ("≥350名", False), ("全面（100.00%）", False), ("未提供", False), ("收入!D8", False),
    ("2019年度收入决算", False),
])
def test_is_number_text(text, number):
    assert is_number_text(text) is number


def test_nan_and_none_are_missing():
    data = styled(pd.DataFrame({"a": [math.nan, None, "x"]})).to_json()
    assert [r[0] for r in data["rows"]] == ["未提供", "未提供", "x"]


def test_styler_methods_still_style_the_html():
    table = styled(pd.DataFrame({"结论": ["一致", "不一致"]}))
    same = table.map(lambda v: "color: red" if v == "不一致" else "", subset=["结论"])
    assert same is table and "color: red" in table.to_html()
