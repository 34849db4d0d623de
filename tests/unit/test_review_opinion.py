"""The 复核意见 as an opinion a finance bureau signs (issue #24 item 4): a one-page 复核结论 from
the reviewer settings, the main problems with their evidence, cell references only in the 附件,
each table once."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from perfkit.report import review
from perfkit.report.blocks import Heading, ListBlock, PageBreak, Signature, Table

_BUILD = Path(__file__).resolve().parents[2] / "notebooks" / "build_notebooks.py"
_spec = importlib.util.spec_from_file_location("build_notebooks", _BUILD)
build_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_notebooks)

CELL = re.compile(r"[\u4e00-\u9fff]+![A-Z]{1,3}\d+")


def _text(blocks) -> str:
    return "\n".join(b.plain_text() for b in blocks)


def test_the_conclusion_page_states_what_a_reviewer_signs(sample_ev):
    # The sample's settings leave the stage at its default: a first reading (初审).
    page = list(review.conclusion_page(sample_ev))
    assert [b.text for b in page if isinstance(b, Heading)] == ["一、复核结论", "二、整改要求和结果应用"]
    table = next(b for b in page if isinstance(b, Table))
    assert table.rows[0][1:] == ("96.80", "未填报（按分数属“优”）")  # the department's claim
    assert table.rows[1][1:] == ("24.00–92.00（初审）", "优、良、中、差之一")  # the bureau's
    assert table.rows[2][1] == "4.80–72.80"  # the difference, a range too
    text = _text(page)
    assert "已核实部分24.00分（核实范围32.00分），待补充资料68.00分" in text
    assert "高于初审可得的最高分92.00分" in text
    problems = next(b for b in page if isinstance(b, ListBlock))
    assert 3 <= len(problems.items) <= review.PAGE_PROBLEMS
    levels = re.findall(r"（(P[012])）", problems.plain_text())
    assert len(levels) == len(problems.items) and levels == sorted(levels)  # most serious first
    assert "按补充资料清单（第五部分，18项）" in text
    assert "自本意见印发之日起60日内" in text
    assert "差：核减下年度预算30%以上" in text  # 结果应用 for every grade the range allows
    sign = next(b for b in page if isinstance(b, Signature))
    assert sign.lines == (f"复核人：{review.BLANK}", f"复核机构（盖章）：{review.BLANK}",
                          "　　　　年　　月　　日")
    assert isinstance(page[-1], PageBreak) and isinstance(page[-2], Signature)
    assert not CELL.search(text) and "…" not in text


def test_a_final_reading_gives_one_score_and_its_result_use(make_ev):
    ev = make_ev(review_stage="final")
    page = list(review.conclusion_page(ev))
    table = next(b for b in page if isinstance(b, Table))
    assert table.rows[1][1:] == ("24.00", "差") and table.rows[2][1] == "72.80"
    text = _text(page)
    assert "复核得分为24.00分，等级为“差”" in text and "第五部分" not in text
    assert "复核等级为“差”，结果应用：核减下年度预算30%以上" in text
    assert not review.supplements_section(ev)
    assert "终审" in _text(review.stage_note(ev))


def test_the_reviewer_settings_fill_the_page(make_ev):
    ev = make_ev(review_org="益阳市财政局", reviewer="张三、李四", review_doc_no="益财绩〔2020〕12号",
                 review_date="2020-06-30", rectify_days=90, result_use={"差": "核减下年度预算40%"},
                 review_stage="final")
    head = _text(review.opinion_head(ev))
    assert head.startswith("益财绩〔2020〕12号\n益阳市教育局：")
    assert "益阳市财政局对你单位报送的2019年度" in head
    page = list(review.conclusion_page(ev))
    text = _text(page)
    assert "于2020年9月28日前将整改情况书面报送益阳市财政局" in text  # 2020-06-30 + 90 days
    assert "核减下年度预算40%" in text
    sign = next(b for b in page if isinstance(b, Signature))
    assert sign.lines == ("复核人：张三、李四", "复核机构（盖章）：益阳市财政局", "2020年6月30日")


def test_the_main_problems_hold_the_four_catches_without_cells(sample_ev):
    text = _text(review.main_problems(sample_ev))
    assert "1461所、1468所" in text  # the same quantity twice
    assert "预计于2019年7月对2019年度决算进行公开" in text  # a date outside its period
    assert "4.04亿元" in text and "24788.37万元" in text  # a scope question
    assert "招商引资" in text  # a 变动原因 outside the remit
    assert "5857.42万元" in text and "整改建议" in text
    assert not CELL.search(text)
    # Levels: every problem heading carries one, the P0 first.
    levels = re.findall(r"（(P[012])）。", text)
    assert levels and levels == sorted(levels)


def test_before_the_annexes_no_cell_reference_and_each_table_once():
    cells = [c.source for c in build_notebooks.NOTEBOOKS["review"]]
    annex = next(i for i, s in enumerate(cells) if '"附件"' in s)
    calls = [s for s in cells if s.startswith("pk.") and "table" in s.split("(")[0]]
    assert len(calls) == len(set(calls))  # no table twice
    assert "item_comparison_table" not in "\n".join(cells)
    body = cells[:annex]
    assert not any("score_table" in s or "audit_table" in s or "gaps_table" in s for s in body)


def test_the_opinion_body_of_the_sample_has_no_cell_reference(sample_ev):
    from perfkit.report import narrative

    body = [*review.opinion_head(sample_ev), *review.conclusion_page(sample_ev),
            *review.main_problems(sample_ev), *narrative.evaluation_process(sample_ev),
            review.decomposition_table(sample_ev)]
    texts = _text(b for b in body if not isinstance(b, Table))
    texts += "\n".join("".join(r) for b in body if isinstance(b, Table) for r in b.rows)
    assert not CELL.search(texts)


@pytest.mark.parametrize("days, expected", [(60, "于2020年8月29日前"), (1, "于2020年7月1日前")])
def test_the_deadline_counts_from_the_review_date(make_ev, days, expected):
    ev = make_ev(review_date="2020-06-30", rectify_days=days)
    assert expected in review.rectification(ev)

