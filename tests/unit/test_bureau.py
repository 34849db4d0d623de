"""The finance bureau's year across departments: 偏离度, levels, flags, recurrence, the
summary's rows, the 整改台账 and the 结果通报 from hand-made records (perfkit.assess.bureau,
perfkit.report.bureau, perfkit.report.bureaupage)."""

from __future__ import annotations

import io
import math

import openpyxl
import pytest
from docx import Document

from perfkit.assess.bureau import (
    cross_flags,
    deviation,
    full_marks,
    normalize_passage,
    problem_level,
    recurred,
    review_fields,
)
from perfkit.assess.reviewstage import FINAL, INITIAL, ReviewOutcome, Supplement
from perfkit.assess.rulebase import Reason
from perfkit.report.blocks import Table
from perfkit.report.bureau import (
    BureauYear,
    Failed,
    ledger_xlsx,
    notice_blocks,
    ranked_by_deviation,
    summary_rows,
)
from perfkit.report.bureau import summary_xlsx as summary_book
from perfkit.report.bureaupage import band_counts, render_page, score_distribution

COPY = "部分项目资金拨付进度偏慢，年末仍有十二个项目未完成验收，绩效监控未覆盖全部项目"


def outcome(stage: str, low: float, pending: float = 0.0, grades=()) -> ReviewOutcome:
    """A hand-made outcome: ``pending`` points waiting for 补充资料 make a first reading."""
    waiting = [Supplement("i1", "产出", "实际完成率", pending, "完成情况统计表", Reason("missing"),
                          "产出!C5", "K01", "2020年7月15日前")] if pending else []
    score = None if waiting else low
    return ReviewOutcome(stage, low, 100.0 - pending, pending, score,
                         "" if waiting else (grades[0] if grades else ""), tuple(grades),
                         waiting, [])


def record(dept: str, claimed=90.0, total=80.0, grade="良", *, problems=(), items=(0, 0),
           passages=(), vague=(), deadline="2020年8月29日前", span=None) -> dict:
    """A record of the final stage; ``span`` (low, pending, grades): of a first reading."""
    o = outcome(INITIAL, span[0], span[1], span[2]) if span else outcome(FINAL, total or 0,
                                                                           grades=(grade,))
    return {
        "version": 1, "department": dept, "department_name": f"部门{dept}", "year": 2019,
        "claimed": claimed, "claimed_grade": "优", "claimed_grade_stated": False,
        **review_fields(o if total is not None or span else None, total, grade, claimed),
        "score_error": "",
        "problems": [{"key": f"{t}:{item}", "type": t, "level": problem_level(t),
                      "heading_zh": t, "item_zh": item, "detail_zh": f"{item}的情况",
                      "cells": "收入!D8"} for t, item in problems],
        "self_items": {"items": items[0], "full": items[1], "claimed_full": claimed == 100},
        "passages": [{"section": "存在的问题", "text": p, "key": normalize_passage(p)}
                     for p in passages],
        "vague_phrases": list(vague), "deadline": deadline,
        "result_use": {"良": "予以支持", "中": "核减10%-30%"}.get(grade, ""),
        "result_use_by_grade": {"优": "优先保障", "良": "予以支持", "中": "核减10%-30%",
                                "差": "核减30%以上"},
        "review_org": "某市财政局", "review_date": "2020-06-30",
    }


@pytest.mark.parametrize(("claimed", "total", "expected"), [
    (96.8, 25.62, 71.18), (80, 80, 0.0), (80, 88, -8.0), (0, 50, -50.0),
    (None, 50, math.nan), (90, None, math.nan)])
def test_deviation_is_the_points_claimed_beyond_the_review(claimed, total, expected):
    got = deviation(claimed, total)
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


def test_levels_come_from_the_settings_and_default_to_p2():
    assert problem_level("cross_check") == "P0"
    assert problem_level("missed_target") == "P1"
    assert problem_level("data_gap") == "P2"
    assert problem_level("a type nobody knows") == "P2"


def test_full_marks_needs_enough_items_or_a_full_claim():
    assert full_marks(record("a", items=(24, 24)))
    assert not full_marks(record("a", items=(24, 23)))
    assert not full_marks(record("a", items=(3, 3)))  # too few items to say so
    assert full_marks(record("a", claimed=100.0))


def test_copying_is_flagged_between_two_departments_not_across_many():
    two = [record("a", passages=[COPY]), record("b", passages=[COPY + "。"]), record("c")]
    flags = [f for f in cross_flags(two) if f.kind == "copying"]
    assert len(flags) == 1 and flags[0].departments == ("部门a", "部门b")
    assert "人工核实" in flags[0].detail_zh
    many = [record(x, passages=[COPY]) for x in "abcde"]  # the bureau's own notice wording
    assert not [f for f in cross_flags(many) if f.kind == "copying"]


def test_vague_phrase_flagged_only_when_most_departments_use_it():
    most = [record(x, vague=["有效提升"]) for x in "abc"] + [record("d")]
    flags = [f for f in cross_flags(most) if f.kind == "vague"]
    assert len(flags) == 1 and "有效提升" in flags[0].title_zh and "75%" in flags[0].detail_zh
    few = [record("a", vague=["有效提升"]), record("b", vague=["有效提升"])] + [
        record(x) for x in "cdef"]
    assert not [f for f in cross_flags(few) if f.kind == "vague"]


def test_recurred_reads_last_years_status_and_ignores_data_gaps():
    rec = record("a", problems=[("missed_target", "巩固率"), ("data_gap", "某指标"),
                                ("cross_check", "收入合计")])
    last = [{"key": "missed_target:巩固率", "status": "已整改"},
            {"key": "data_gap:某指标", "status": ""}]
    hits = recurred(rec, last)
    assert [(p["item_zh"], p["status"]) for p in hits] == [("巩固率", "已整改")]


def _year(**kw) -> BureauYear:
    records = [record("a", 95, 70, "中", problems=[("cross_check", "收入合计"),
                                                  ("missed_target", "巩固率")]),
               record("b", 88, 86, "良"), record("c", None, None, "")]
    return BureauYear(2019, records, cross_flags(records),
                      [Failed("d", "d", "收入!D8 应为数字")], **kw)


def test_summary_rows_show_gaps_and_counts():
    rows = {r["部门代码"]: r for r in summary_rows(_year())}
    assert rows["a"]["P0问题数"] == 1 and rows["a"]["P1问题数"] == 1
    assert rows["a"]["偏离度（分）"] == 25
    assert rows["a"]["主要问题"].startswith("[P0] 收入合计")
    assert rows["c"]["复核等级"] == "无法评分" and rows["c"]["自评得分"] is None
    assert rows["a"]["上年问题复发"] == "无上年整改台账"


def test_summary_workbook_sheets_and_numbers():
    book = openpyxl.load_workbook(io.BytesIO(summary_book(_year())))
    assert book.sheetnames == ["复核汇总", "偏离度排序", "跨部门提示", "未纳入汇总"]
    ws = book["复核汇总"]
    header = [c.value for c in ws[1]]
    a = [c.value for c in ws[2]]
    assert a[header.index("自评得分")] == 95 and a[header.index("复核得分")] == 70
    ranked = book["偏离度排序"]
    assert [ranked.cell(i, 3).value for i in (2, 3)] == ["部门a", "部门b"]
    assert ranked.cell(2, 7).value == 25 and ranked.cell(2, 8).value == 25
    assert book["未纳入汇总"].cell(2, 3).value == "收入!D8 应为数字"


def test_ledger_keeps_what_the_bureau_typed_and_marks_recurrence():
    year = _year(recurring={"a": [{"key": "missed_target:巩固率", "level": "P1",
                                   "item_zh": "巩固率", "status": "已整改"}]}, last_ledger=True)
    filled = {("a", "cross_check:收入合计"): {"整改情况": "整改中", "备注": "已约谈"}}
    ws = openpyxl.load_workbook(io.BytesIO(ledger_xlsx(year, filled)))["整改台账"]
    rows = [dict(zip([c.value for c in ws[1]], r, strict=False))
            for r in ws.iter_rows(min_row=2, values_only=True) if r[2]]
    by_key = {r["问题编号"]: r for r in rows}
    assert by_key["cross_check:收入合计"]["整改情况"] == "整改中"
    assert by_key["cross_check:收入合计"]["备注"] == "已约谈"
    assert by_key["missed_target:巩固率"]["上年已列示"] == "是"
    assert by_key["cross_check:收入合计"]["上年已列示"] == "否"
    assert summary_rows(year)[0]["上年问题复发"].startswith("1项：[P1] 巩固率（上年整改情况：已整改）")


def test_notice_lists_departments_under_their_grade_with_the_result_use():
    text = "\n".join(b.plain_text() for b in notice_blocks(_year()))
    assert "复核等级为“中”的部门（1个）" in text and "核减10%-30%" in text
    assert "复核等级为“优”的部门（0个）" in text and "本年度无" in text
    assert "无法评分的部门（1个）" in text and "部门c" in text
    assert "1个部门未纳入本次通报（d）" in text
    assert "某市财政局" in text and "2020年6月30日" in text
    assert "2020年8月29日前" in text


def test_notice_docx_opens():
    from perfkit.report.bureau import notice_docx

    doc = Document(io.BytesIO(notice_docx(_year(), "2020-06-30T00:00:00+08:00", "test")))
    assert any("自评复核结果的通报" in p.text for p in doc.paragraphs)
    assert len(doc.tables) == 2  # 良 and 中


def test_band_counts_use_the_grade_bands():
    assert band_counts([59.99, 60, 75, 80, 89.9, 90, 100]) == [1, 1, 1, 2, 2]


def test_page_is_static_and_sortable_without_script():
    page = render_page(_year())
    assert "<script" not in page and "Content-Security-Policy" in page
    assert 'id="sort-dev-desc"' in page and 'href="#sort-dev-desc"' in page
    assert "部门d" not in page or "未纳入汇总的部门" in page
    assert "收入!D8 应为数字" in page


# ---- the 复核得分 as the stage states it (初审: a range) ----------------------------------------


def test_record_of_a_first_reading_carries_the_range_not_a_score():
    """96.80 claimed; 23.50 verified, 68.50 waiting for 补充资料: 23.50–92.00, 偏离度
    96.80 − 92.00 = 4.80 to 96.80 − 23.50 = 73.30, ranked by the certain 4.80."""
    got = review_fields(outcome(INITIAL, 23.5, 68.5, ("优", "良", "中", "差")), 23.5, "差", 96.8)
    assert got["stage"] == INITIAL and got["total"] is None and got["grade"] == ""
    assert got["range"] == [23.5, 92.0] and got["verified"] == 23.5 and got["pending"] == 68.5
    assert got["possible_grades"] == ["优", "良", "中", "差"] and got["deviation"] is None
    assert got["deviation_range"] == pytest.approx([4.8, 73.3])
    assert got["deviation_rank"] == pytest.approx(4.8)


@pytest.mark.parametrize("stage", [INITIAL, FINAL])
def test_record_with_a_single_score_keeps_it(stage):
    """终审, or 初审 with nothing waiting: 63.49 and its grade; 偏离度 96.80 − 63.49 = 33.31."""
    got = review_fields(outcome(stage, 63.49, grades=("中",)), 63.49, "中", 96.8)
    assert (got["total"], got["grade"], got["range"]) == (63.49, "中", None)
    assert got["deviation"] == pytest.approx(33.31) == got["deviation_rank"]
    assert review_fields(None, None, "", 96.8)["deviation_rank"] is None  # 无法评分


def _mixed() -> BureauYear:
    records = [record("a", 90, 80, "良"),
               record("b", 95, None, span=(50, 38, ("良", "中", "差"))),
               record("c", 85, None, span=(40, 30, ("中", "差")))]
    return BureauYear(2019, records, [])


def test_rows_of_a_first_reading_word_the_range_as_the_opinion():
    rows = {r["部门代码"]: r for r in summary_rows(_mixed())}
    b = rows["b"]
    assert b["复核阶段"] == "初审" and rows["a"]["复核阶段"] == "终审"
    assert b["复核得分"] == "50.00–88.00（初审）" and b["复核等级"] == "良、中、差之一"
    assert b["偏离度（分）"] == "7.00–45.00" and b["排序依据（分）"] == pytest.approx(7)
    assert b["结果应用"] == "结果应用待终审确定等级后执行（良：予以支持；中：核减10%-30%；差：核减30%以上）。"
    assert rows["a"]["复核得分"] == 80 and rows["a"]["结果应用"] == "予以支持"


def test_ranking_sorts_a_range_by_its_certain_part():
    """a: 90 − 80 = 10; b: 95 − 88 = 7 (at most 45); c: 85 − 70 = 15 (at most 45): c, a, b."""
    ranked = ranked_by_deviation(summary_rows(_mixed()))
    assert [(r["部门代码"], r["排序依据（分）"]) for r in ranked] == [
        ("c", pytest.approx(15)), ("a", pytest.approx(10)), ("b", pytest.approx(7))]
    book = openpyxl.load_workbook(io.BytesIO(summary_book(_mixed())))["偏离度排序"]
    assert [book.cell(i, 2).value for i in (2, 3, 4)] == ["c", "a", "b"]
    assert any("自评得分 − 区间上限" in str(c.value) for c in book["A"])


def test_page_shows_the_ranges_and_how_the_ranking_sorts():
    year = _mixed()
    page = render_page(year, score_distribution(year))
    assert "50.00–88.00（初审）" in page and "7.00–45.00" in page and "良、中、差之一" in page
    assert "按其确定部分排序" in page and "1 个部门处于初审阶段" not in page
    assert "2 个部门处于初审阶段" in page
    chart = score_distribution(year)
    assert chart is not None and "区间下限和上限" in chart.alt


def _notice_text(year: BureauYear) -> str:
    """The 通报's text, its tables' cells included."""
    return "\n".join("\t".join(map(str, row)) for b in notice_blocks(year) for row in (
        b.rows if isinstance(b, Table) else [[b.plain_text()]]))


def test_notice_groups_by_grade_only_what_is_final():
    text = _notice_text(_mixed())
    assert "复核结果的通报" in text and "复核等级为“良”的部门（1个）" in text
    assert "初审阶段的部门（2个）" in text and "50.00–88.00（初审）" in text
    assert "等级和结果应用待终审确定" in text


def test_notice_of_a_year_all_in_first_reading_is_a_first_reading_summary():
    records = [record("b", 95, None, span=(50, 38, ("良", "中", "差"))),
               record("c", 85, None, span=(40, 30, ("中", "差")))]
    text = _notice_text(BureauYear(2019, records, []))
    assert "初审情况的汇总" in text and "另行印发复核结果通报" in text
    assert "复核等级为" not in text and "复核结果及结果应用" not in text
    assert "40.00–70.00（初审）" in text and "中、差之一" in text
