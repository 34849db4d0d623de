"""Score sheets: the shipped ones are valid; a malformed one is refused with a clear message."""

from __future__ import annotations

import textwrap

import pytest

from perfkit import config
from perfkit.assess.rules import RULE_KINDS
from perfkit.assess.scoresheet import available_sheets, load_sheet
from perfkit.data.params import load_settings
from perfkit.errors import ScoreSheetError
from perfkit.indicators.registry import registry

SHEETS = available_sheets()


def test_both_sheets_are_shipped():
    assert {"input-process-output-outcome", "cz-2020-10"} <= set(SHEETS)


@pytest.mark.parametrize(("name", "level1"), [
    ("input-process-output-outcome", {"投入": 15, "过程": 40, "产出": 25, "效果": 20}),
    ("cz-2020-10", {"预算执行率": 10, "产出": 50, "效益": 30, "满意度": 10}),
])
def test_weights(name, level1):
    sheet = load_sheet(name)
    assert sheet.level1_points() == level1
    assert sheet.total_points == 100


@pytest.mark.parametrize("name", SHEETS)
def test_every_rule_is_known_and_worded(name):
    REGISTRY = registry().indicators
    for item in load_sheet(name).items:
        assert item.rule.kind in RULE_KINDS
        assert item.rule.text_zh, f"{item.id}: the rule's Chinese text is printed in the report"
        ref = getattr(item.rule, "indicator", "")
        assert not ref or ref in REGISTRY, f"{item.id}: unknown indicator {ref}"


def test_sample_run_names_a_shipped_sheet():
    assert load_settings("yiyang-edu", 2019).score_sheet in SHEETS


def write(tmp_path, items: str, name: str = "bad.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent("""\
        name: bad
        title_zh: 测试评分表
        items:
        """) + textwrap.indent(textwrap.dedent(items), "  "), encoding="utf-8")
    return path


ITEM = """\
- id: {id}
  level1: 过程
  level2: 预算执行
  level3: {id}
  points: {points}
  rule:
    kind: linear_deduction
    indicator: {indicator}
    bound: 100
    deduct: 0.5
    text_zh: 每超过1个百分点扣0.5分。
"""


def test_points_not_100_are_refused(tmp_path):
    path = write(tmp_path, ITEM.format(id="a", points=60, indicator="expenditure_execution_pct")
                 + ITEM.format(id="b", points=39, indicator="revenue_execution_pct"))
    with pytest.raises(ScoreSheetError) as err:
        load_sheet(path)
    message = str(err.value)
    assert str(path) in message
    assert "分值合计为 99，应为 100" in message and "过程 99" in message


def test_unknown_indicator_is_refused(tmp_path):
    path = write(tmp_path, ITEM.format(id="a", points=100, indicator="budget_execution_rate"))
    with pytest.raises(ScoreSheetError) as err:
        load_sheet(path)
    message = str(err.value)
    assert "items 第1项（a）" in message and "未知指标“budget_execution_rate”" in message


def test_overlapping_bands_are_refused(tmp_path):
    path = write(tmp_path, """\
        - id: a
          level1: 过程
          level2: 预算执行
          level3: 预算执行率
          points: 100
          rule:
            kind: bands
            indicator: expenditure_execution_pct
            text_zh: 分档计分。
            bands:
              - {range: "[90, 100]", score: 100}
              - {range: "[80, 90]", score: 80}
        """)
    with pytest.raises(ScoreSheetError) as err:
        load_sheet(path)
    assert "分档 [90, 100] 与 [80, 90] 重叠" in str(err.value)


def test_every_problem_is_listed_at_once(tmp_path):
    path = write(tmp_path, """\
        - id: a
          level1: 过程
          level2: 预算执行
          level3: 人工
          points: 50
          rule:
            kind: manual
            score: 40
            text_zh: 人工评分。
        - id: b
          level1: 过程
          level2: 预算执行
          level3: 未知
          points: 40
          rule:
            kind: guess
            text_zh: 随意。
        """)
    with pytest.raises(ScoreSheetError) as err:
        load_sheet(path)
    message = str(err.value)
    assert "有 3 个问题" in message
    assert "人工评分必须写明理由（reason_zh）" in message
    assert "未知的规则类型“guess”" in message
    assert "分值合计为 90" in message  # every item's points count, its rule valid or not


def test_missing_sheet_names_the_available_ones():
    with pytest.raises(ScoreSheetError) as err:
        load_sheet("no-such-sheet")
    assert "input-process-output-outcome" in str(err.value) and str(config.PARAMS_DIR) in str(err.value)


def test_sheet_name_cannot_leave_the_folder():
    with pytest.raises(ScoreSheetError):
        load_sheet("../../etc/passwd")


def test_each_problem_names_file_key_and_line(tmp_path):
    """Issue 12.8: the sheet is validated by typed models; every error says where it is."""
    path = write(tmp_path, """\
        - id: a
          level1: 过程
          level2: 预算执行
          level3: 预算执行率
          points: 60
          rule:
            kind: bands
            indicator: expenditure_execution_pct
            text_zh: 分档计分。
            bands:
              - {range: "[90, 100]", score: 60}
              - {range: "80 到 90", score: 40}
              - {range: "[0, 80)", score: 70}
        - id: b
          level1: 过程
          level2: 预算执行
          level3: 控制率
          points: forty
          rule:
            kind: linear_deduction
            indicator: expenditure_execution_pct
            bound: 100
            deduct: 0.5
            text_zh: 扣分。
        - id: c
          level1: 过程
          level2: 预算执行
          level3: 控制率
          points: 40
          missing: skip
          rule:
            kind: linear_deduction
            indicator: expenditure_execution_pct
            bound: "100%"
            deduct: 0.5
            per_point: 1
        """)
    with pytest.raises(ScoreSheetError) as err:
        load_sheet(path)
    lines = str(err.value).splitlines()
    assert str(path) in lines[0]
    expected = [
        ("第 15 行 items 第1项（a） rule bands 第2项 range", "80 到 90"),
        ("第 21 行 items 第2项（b） points", "应为数字"),
        ("第 33 行 items 第3项（c） missing", "zero / exclude"),
        ("第 34 行 items 第3项（c） rule", "text_zh"),
        ("第 37 行 items 第3项（c） rule bound", "应为数字"),
        ("第 39 行 items 第3项（c） rule per_point", "不认识的键；可用：indicator, bound"),
    ]
    for (where, what), line in zip(expected, lines[1:], strict=True):
        assert where in line and what in line, line
