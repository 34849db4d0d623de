"""Text readers see: Markdown that renders Chinese as written, no codes in the data dictionary."""

from __future__ import annotations

import re

import pytest

from perfkit.report.markdown import Text, cjk_markdown


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        # CommonMark leaves this ** literal (closing after 。 and before 对): HTML does not.
        ("**（一）针对“决算数据勾稽关系不符”。**对照部门决算报表",
         "<strong>（一）针对“决算数据勾稽关系不符”。</strong>对照部门决算报表"),
        ("1. **评价依据。** 益阳市", "1. <strong>评价依据。</strong>益阳市"),  # workaround space
        ("**总分** 15分", "<strong>总分</strong> 15分"),
        ("找出不足，\n为下年度预算安排提供依据。", "找出不足，为下年度预算安排提供依据。"),
        ("reads the\nworkbook", "reads the workbook"),  # Latin words keep their space
        ("段一\n\n段二", "段一\n\n段二"),  # paragraphs stay apart
        ("说明：\n- 甲\n- 乙", "说明：\n- 甲\n- 乙"),  # list items stay items
        ("## 标题\n正文", "## 标题\n正文"),  # a heading never takes the next line
        ("| 项目 | 内容 |\n|---|---|\n| a | b |", "| 项目 | 内容 |\n|---|---|\n| a | b |"),
        ("`a**b**` **粗**", "`a**b**` <strong>粗</strong>"),  # code spans left alone
        (r"\*\*不是粗体\*\*", r"\*\*不是粗体\*\*"),  # escaped stars stay escaped
    ],
)
def test_cjk_markdown(source, shown):
    assert cjk_markdown(source) == shown


def test_text_displays_through_cjk_markdown():
    text = Text("**（一）针对。**建议")
    assert str(text) == "**（一）针对。**建议"  # the string itself is unchanged
    assert text._repr_markdown_() == "<strong>（一）针对。</strong>建议"


def test_data_dictionary_names_indicators_not_codes():
    from perfkit.report.tables import data_dictionary

    frame = data_dictionary().data
    assert "指标代码" not in frame.columns
    snake = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")
    for column in frame.columns:
        for value in frame[column].astype(str):
            assert not snake.search(value), (column, value)
    sources = " ".join(frame["数据来源"])
    assert "绩效指标: 实际值（指标“定向培养农村中小学教师”）" in sources


def test_one_sign_for_every_difference(sample_ev):
    """本年收入合计 24192.45 against its parts 3470.41 + 727.30 = 4197.71: +19994.74 everywhere."""
    from perfkit.report import tables

    checks = tables.check_table(sample_ev).data.set_index("核对项")
    assert "差额（实际 − 应为，万元）" in checks.columns
    row = checks.loc["本年收入合计 = 各项收入之和"]
    assert (row["应为（万元）"], row["实际（万元）"]) == ("4197.71", "24192.45")
    assert row["差额（实际 − 应为，万元）"] == "19994.74"
    audit = tables.audit_frame(sample_ev).set_index("核对项")
    assert audit.loc["本年收入合计 = 各项收入之和", "差额（报告值 − 重新计算）"] == "+19994.74万元"
    aid = tables.domain_check_table(sample_ev, "aid").data.set_index("核对项")
    two = aid.loc["“两免一补”分项之和 = 报告所称合计"]
    assert two["差额（实际 − 应为）"] == "53.00万元"  # 40400 stated − 40347 Σ parts
    s7 = tables.audit_frame(sample_ev).set_index("编号").loc["S7"]
    assert s7["差额（报告值 − 重新计算）"] == "+53.00万元"
