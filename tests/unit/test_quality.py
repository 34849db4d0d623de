"""Education-quality indicators and checks against the seed's own figures (hand-computed)."""

from __future__ import annotations

import math

import pytest

from perfkit import fmt
from perfkit.indicators.base import Undefined
from perfkit.indicators.metrics import implied_integer_base, parse_stated
from perfkit.assess.checks import run_domain_checks


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        ("big_class_target_count", "434.00"),  # 703 / 161.98% = 433.99 → the one integer 434
        ("big_class_elimination_completion_pct", "161.98"),  # 703 / 434
        ("teacher_directed_parts_count", "857.00"),  # 465 + 392
        ("teacher_directed_municipal_completion_pct", "112.00"),  # 392 / 350
        ("teacher_directed_provincial_share_pct", "54.26"),  # 465 / 857
        ("tier1_admission_rate_pct", "17.35"),
        ("tier2_admission_rate_pct", "40.56"),
        ("vocational_tier2_admission_rate_pct", "21.56"),
        ("special_ed_places_count", "715.00"),
        ("disabled_children_enrollment_pct", "93.96"),
        ("teacher_recruited_count", "2018.00"),
        ("teacher_training_person_times", "20000.00"),  # “2万人次”
        ("teachers_retiring_5y_count", "9000.00"),
        ("temporary_teaching_staff_count", "3355.00"),
        ("subject_teacher_shortfall_count", "3000.00"),
        ("normal_school_teacher_share_pct", "50.00"),
    ],
)
def test_seed_figures(sample_ev, indicator, expected):
    assert fmt.num(sample_ev.value(indicator)) == expected


def test_derived_target_is_labelled_and_sourced(sample_ev):
    row = sample_ev.indicators.loc["big_class_target_count"]
    assert "推算" in row["label_zh"]
    assert "报告数值!D" in row["source_cells"] and "绩效指标!G" in row["source_cells"]


@pytest.mark.parametrize(
    ("text", "value", "half"),
    [("161.98%", 161.98, 0.005), ("4.04亿元", 40400, 50), ("3.1亿元", 31000, 500),
     ("857名", 857, 0.5), ("-595.92万元", -595.92, 0.005), ("136.78 %", 136.78, 0.005)],
)
def test_parse_stated(text, value, half):
    s = parse_stated(text)
    assert math.isclose(s.value, value) and math.isclose(s.half_unit, half)


def test_implied_base_must_be_unique():
    assert implied_integer_base(703, parse_stated("161.98%")) == 434
    with pytest.raises(Undefined):  # 1 / 0.5% → 133.3 … 400: many integers fit
        implied_integer_base(1, parse_stated("0.5%"))
    with pytest.raises(Undefined):
        implied_integer_base(703, parse_stated("0%"))


def test_missing_stated_ratio_leaves_target_gap(make_ev):
    def drop(c):
        c["stated"] = [s for s in c["stated"] if s["check"] != "big_class_elimination_completion_pct"]

    ev = make_ev(drop)
    assert math.isnan(ev.value("big_class_target_count"))
    assert "big_class_elimination_completion_pct" in ev.indicators.at["big_class_target_count", "note"]
    assert math.isnan(ev.value("big_class_elimination_completion_pct"))


def test_zero_target_is_not_computable(make_ev):
    def zero(c):
        for row in c["targets"]:
            if row["code"] == "teacher_directed_municipal_count":
                row["target"] = 0

    ev = make_ev(zero)
    assert math.isnan(ev.value("teacher_directed_municipal_completion_pct"))
    assert ev.indicators.at["teacher_directed_municipal_completion_pct", "note"] == "无法计算（基数为0）"


def test_sum_checks(sample_ev):
    checks = run_domain_checks(sample_ev.data, sample_ev.settings, "quality").set_index("check")
    assert checks.at["teacher_directed_parts", "verdict"] == "一致"  # 465 + 392 = 857
    assert checks.at["teacher_directed_parts", "actual"] == 857
    assert checks.at["teachers_sanctioned_parts", "verdict"] == "一致"  # 30 + 7 + 17 + 2 = 56
    assert checks.at["teachers_sanctioned_parts", "actual"] == 56


def test_sum_check_catches_wrong_total(make_ev):
    def wrong(c):
        for row in c["targets"]:
            if row["code"] == "teacher_directed_total_count":
                row["actual"] = 867

    ev = make_ev(wrong)
    row = run_domain_checks(ev.data, ev.settings, "quality").set_index("check").loc[
        "teacher_directed_parts"]
    assert row["verdict"] == "不一致" and row["difference"] == 10  # stated 867 − parts 857
    assert "相差10名" in row["explanation"]


def test_unit_mismatch_is_reported(make_ev):
    def wrong_unit(c):
        for row in c["targets"]:
            if row["code"] == "teacher_training_person_times":
                row["unit"] = "万人次"

    ev = make_ev(wrong_unit)
    checks = run_domain_checks(ev.data, ev.settings, "quality")
    row = checks[checks["check"] == "unit_teacher_training_person_times"].iloc[0]
    assert row["verdict"] == "不一致" and "万人次" in row["explanation"]
