"""Target attainment: direction rules, statuses, derived and next-year targets, change, gaps."""

from __future__ import annotations

import math

import pytest

from perfkit import fmt
from perfkit.assess import targets
from perfkit.assess.targets import (
    ACHIEVED,
    EXCEEDED,
    NO_ACTUAL,
    NO_DIRECTION,
    NO_TARGET,
    NOT_ACHIEVED,
)

NAN = math.nan


@pytest.mark.parametrize(
    ("direction", "target", "actual", "status"),
    [
        ("≥", 350, 392, EXCEEDED),  # 市级定向培养 392 against 350
        ("≥", 350, 350, ACHIEVED),
        ("≥", 98, 97.9, NOT_ACHIEVED),
        ("≥", 98, NAN, NO_ACTUAL),  # 九年义务教育巩固率: target, no actual
        ("≤", 10, 10, ACHIEVED),
        ("≤", 10, 8.5, ACHIEVED),  # below a ceiling is 达成, not 超额
        ("≤", 10, 10.01, NOT_ACHIEVED),
        ("=", 0, 0, ACHIEVED),  # 超大班额全部消除
        ("=", 0, 1, NOT_ACHIEVED),
        ("全面", 100, 100, ACHIEVED),
        ("全面", NAN, 100, ACHIEVED),  # 全面 with an empty target means 100
        ("全面", 100, 99.5, NOT_ACHIEVED),
        ("全面", 100, NAN, NO_ACTUAL),  # 封闭化管理 100%: no actual stated
        ("≥", NAN, 5, NO_TARGET),
        (None, 10, 5, NO_DIRECTION),
    ],
)
def test_judge(direction, target, actual, status):
    assert targets.judge(direction, target, actual) == status


def test_ratio_and_zero_target():
    assert fmt.num(targets.ratio(392, 350)[0]) == "112.00"
    value, note = targets.ratio(0, 0)
    assert math.isnan(value) and note == "无法计算（基数为0）"
    assert math.isnan(targets.ratio(NAN, 350)[0])


def test_change_zero_and_missing_prior():
    assert targets.change(392, 350)[:2] == (42, 12.0)
    diff, pct, note = targets.change(5, 0)
    assert diff == 5 and math.isnan(pct) and note == "无法计算（基数为0）"
    assert all(math.isnan(v) for v in targets.change(5, NAN)[:2])


def test_sample_quality_attainment(sample_ev):
    att = targets.attainment(sample_ev, "quality").set_index("code")
    row = att.loc["teacher_directed_municipal_count"]
    assert (row["status"], row["target"], row["actual"]) == (EXCEEDED, 350, 392)
    assert fmt.num(row["ratio_pct"]) == "112.00"
    big = att.loc["big_class_eliminated_count"]
    assert big["target_derived"] and big["target"] == 434 and big["status"] == EXCEEDED
    assert fmt.num(big["ratio_pct"]) == "161.98"  # 703 / 434
    assert "推算" in big["target_note"]
    oversize = att.loc["oversize_class_remaining_count"]
    assert oversize["status"] == ACHIEVED and oversize["ratio_note"] == "无法计算（基数为0）"
    assert targets.status_counts(sample_ev, "quality") == {
        EXCEEDED: 2, ACHIEVED: 1, NOT_ACHIEVED: 0, NO_ACTUAL: 9, NO_TARGET: 0, NO_DIRECTION: 0}


def test_next_year_targets_are_not_judged_or_gaps(sample_ev):
    nxt = targets.next_year_targets(sample_ev, "quality").set_index("code")
    assert list(nxt.index) == ["public_kindergarten_share_pct", "inclusive_kindergarten_share_pct",
                               "community_kindergartens_rectified_count", "standard_class_size_pct"]
    assert set(nxt["target_year"]) == {2020}
    assert (nxt.at["public_kindergarten_share_pct", "target"],
            nxt.at["inclusive_kindergarten_share_pct", "target"]) == (50, 80)
    assert set(nxt["status"]) == {targets.NEXT_YEAR}
    gap_labels = set(targets.gaps(sample_ev, "quality")["label_zh"])
    assert "公办幼儿园占比" not in gap_labels


def test_every_quality_gap_listed(sample_ev):
    gaps = targets.gaps(sample_ev, "quality")
    assert list(gaps["label_zh"]) == [
        "56人以上大班额比例", "九年义务教育巩固率", "高中阶段教育毛入学率",
        "达到办学条件20条底线要求的义务教育学校比例", "建设农村公办幼儿园", "中心城区新建学校",
        "中心城区改扩建学校", "中心城区学校建设投入", "有省、市、县、校级科研课题的学校比例"]
    first = gaps.iloc[1]
    assert first["kind"] == "目标无实际值" and "不低于98.00%" in first["reason"]
    assert first["cells"].startswith("绩效指标!G")


def test_labels_come_from_declarations(sample_ev):
    m = targets.metrics(sample_ev, "quality").set_index("code")
    # the workbook says "其中：省级定向培养"; the declaration is the one label shown
    assert m.at["teacher_directed_provincial_count", "label_zh"] == "省级定向培养农村中小学教师"
    coded = m[m.index != ""]
    assert coded["declared"].all()
    assert not m[m.index == ""]["declared"].any()  # rows without a 指标代码 keep their own label


def test_prior_value_gives_change(make_ev):
    def with_prior(c):
        for row in c["targets"]:
            if row["code"] == "teacher_directed_municipal_count":
                row["prior"] = 320
            if row["code"] == "tier1_admission_rate_pct":
                row["prior"] = 16.0

    ev = make_ev(with_prior)
    m = targets.metrics(ev, "quality").set_index("code")
    assert m.at["teacher_directed_municipal_count", "change"] == 72
    assert fmt.num(m.at["teacher_directed_municipal_count", "change_pct"]) == "22.50"  # 72 / 320
    assert fmt.num(m.at["tier1_admission_rate_pct", "change"]) == "1.35"  # 17.35 - 16 percentage points


def test_given_target_wins_over_derived(make_ev):
    def given(c):
        for row in c["targets"]:
            if row["code"] == "big_class_eliminated_count":
                row.update(direction="≥", target=500)

    ev = make_ev(given)
    big = targets.attainment(ev, "quality").set_index("code").loc["big_class_eliminated_count"]
    assert big["target"] == 500 and not big["target_derived"]
    assert fmt.num(ev.value("big_class_elimination_completion_pct")) == "140.60"  # 703 / 500


def test_missing_actual_becomes_gap(make_ev):
    def drop(c):
        for row in c["targets"]:
            if row["code"] == "teacher_directed_municipal_count":
                row["actual"] = None

    ev = make_ev(drop)
    att = targets.attainment(ev, "quality").set_index("code")
    assert att.at["teacher_directed_municipal_count", "status"] == NO_ACTUAL
    assert "市级定向培养农村中小学教师" in set(targets.gaps(ev, "quality")["label_zh"])
    assert math.isnan(ev.value("teacher_directed_municipal_completion_pct"))
