"""Text readers see: Markdown that renders Chinese as written, no codes in the data dictionary."""

from __future__ import annotations

import re

import pytest

from perfkit.report import blocks


def test_a_block_shows_its_text_as_written_in_html_and_carries_its_json():
    """No Markdown between the text and the reader: ** _ $ < & print as typed; the JSON that
    the renderers read holds the same text and runs."""
    text = "**不是粗体** a_b $x$ <b>&amp; \\(y\\) https://example.cn/路径"
    p = blocks.par(blocks.b("（一）标题"), "。", text)
    bundle = p._repr_mimebundle_()
    assert bundle["text/html"] == ("<p><strong>（一）标题</strong>。**不是粗体** a_b $x$ &lt;b&gt;&amp;amp; "
                                   "\\(y\\) https://example.cn/路径</p>")
    assert blocks.from_json(bundle[blocks.BLOCK_MIME]) == p
    assert p.plain_text() == "（一）标题。" + text


def test_blocks_refuse_a_version_they_do_not_know():
    data = blocks.par("甲").to_json() | {"v": 99}
    with pytest.raises(blocks.BlockError, match="版本"):
        blocks.from_json(data)


@pytest.mark.parametrize("block", [
    blocks.Heading(2, "一、收支概况"),
    blocks.par(blocks.b("复核依据。"), "益阳市", blocks.fig("24192.45万元", "收入!D8")),
    blocks.bullets(["甲", ("乙", blocks.b("丙"))]),
    blocks.numbered(["一", "二"]),
    blocks.Table(("项目", "决算数（万元）"), (("收入", "24192.45"), ("支出", "未提供")), (False, True),
                 "收支", {"项目": {"收入": "verdict-bad"}}),
    blocks.Signature(("益阳市教育局", "2020年4月28日")),
])
def test_every_block_survives_its_json(block):
    assert blocks.from_json(block.to_json()) == block


def test_data_dictionary_names_indicators_not_codes():
    from perfkit.report.tables import data_dictionary

    frame = data_dictionary().frame
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

    checks = tables.check_table(sample_ev).frame.set_index("核对项")
    assert "差额（实际 − 应为，万元）" in checks.columns
    row = checks.loc["本年收入合计 = 各项收入之和"]
    assert (row["应为（万元）"], row["实际（万元）"]) == ("4197.71", "24192.45")
    assert row["差额（实际 − 应为，万元）"] == "19994.74"
    audit = tables.audit_frame(sample_ev).set_index("核对项")
    assert audit.loc["本年收入合计 = 各项收入之和", "差额（报告值 − 重新计算）"] == "+19994.74万元"
    aid = tables.domain_check_table(sample_ev, "aid").frame.set_index("核对项")
    two = aid.loc["“两免一补”分项之和 = 报告所称合计"]
    assert two["差额（实际 − 应为）"] == "53.00万元"  # 40400 stated − 40347 Σ parts
    s7 = tables.audit_frame(sample_ev).set_index("编号").loc["S7"]
    assert s7["差额（报告值 − 重新计算）"] == "+53.00万元"


def test_a_projects_own_text_cells_keep_their_headings_and_paragraphs():
    """A project's notebooks are its own (perfkit init copied them; analysts edit them): their
    text cells reach every rendering as headings and paragraphs, written text as typed."""
    cell = "## 一、收支概况\n\n本节根据部门决算表，\n给出收入、支出。**不是粗体**\n\n### （一）收入决算"
    assert blocks.prose_blocks(cell) == [
        blocks.Heading(2, "一、收支概况"),
        blocks.par("本节根据部门决算表，给出收入、支出。**不是粗体**"),
        blocks.Heading(3, "（一）收入决算"),
    ]
    nb = {"cells": [{"cell_type": "markdown", "source": cell},
                    {"cell_type": "code", "outputs": [
                        {"output_type": "display_data",
                         "data": {blocks.BLOCK_MIME: blocks.par("甲").to_json()}}]}]}
    assert [type(b).__name__ for b in blocks.read_blocks(nb)] == ["Heading", "Paragraph", "Heading",
                                                                   "Paragraph"]
