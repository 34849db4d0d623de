"""Display tables as blocks: display strings, missing values 未提供, figure columns marked, tones."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from perfkit.report.blocks import BLOCK_MIME, from_json
from perfkit.report.tables import is_number_text, styled, verdicts_marked


@pytest.mark.parametrize(("text", "number"), [
    ("24192.45", True), ("-595.92", True), ("109.03%", True), ("136.78 %", True),
    ("+1.20个百分点", True), ("2019年", True), ("392名", True), ("（12.5）", True),
    ("≥350名", False), ("全面（100.00%）", False), ("未提供", False), ("收入!D8", False),
    ("2019年度收入决算", False),
])
def test_is_number_text(text, number):
    assert is_number_text(text) is number


def test_nan_and_none_are_missing():
    table = styled(pd.DataFrame({"a": [math.nan, None, "x"]}))
    assert [r[0] for r in table.rows] == ["未提供", "未提供", "x"]


def test_a_figures_column_is_numeric_notes_allowed():
    table = styled(pd.DataFrame({"项目": ["收入", "支出"], "决算数（万元）": ["24192.45", "未提供"]}),
                   caption="收支")
    assert table.numeric == (False, True) and table.caption == "收支"


def test_verdicts_are_toned_in_html_and_json():
    table = verdicts_marked(pd.DataFrame({"核对项": ["甲", "乙"], "结论": ["一致", "不一致"]}))
    bundle = table._repr_mimebundle_()
    assert '<td class="verdict-bad">不一致</td>' in bundle["text/html"]
    assert from_json(bundle[BLOCK_MIME]).tone(1, "不一致") == "verdict-bad"
