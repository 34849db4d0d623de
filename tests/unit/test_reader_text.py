"""Text readers see: Markdown that renders Chinese as written, no codes in the data dictionary."""

from __future__ import annotations

import re

import pytest

from perfkit.narrative import Text, cjk_markdown


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        # CommonMark leaves this ** literal (closing after 。 and before 对): HTML does not.
        ("**（一）针对“决算数据勾稽关系不符”。**对照部门决算报表",
         "<strong>（一）针对“决算数据勾稽关系不符”。</strong>对照部门决算报表"),
        ("1. **评价依据。** 益阳市", "1. <strong>评价依据。</strong>益阳市"),  # workaround space
        ("**总分** 15分", "<strong>总分</strong> 15分"),
        ("全面评价部门的绩效，找出不足，\n为下年度预算安排提供依据。", "全面评价部门的绩效，找出不足，为下年度预算安排提供依据。"),
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
    from perfkit.tables import data_dictionary

    frame = data_dictionary().data
    assert "指标代码" not in frame.columns
    snake = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")
    for column in frame.columns:
        for value in frame[column].astype(str):
            assert not snake.search(value), (column, value)
    sources = " ".join(frame["数据来源"])
    assert "绩效指标: 实际值（指标“定向培养农村中小学教师”）" in sources
