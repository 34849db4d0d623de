"""School safety: derived figures, the three 100% targets, coverage gaps."""

from __future__ import annotations

import math

import pytest

from perfkit import fmt
from perfkit.assess import targets


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        ("safety_inspected_schools_count", "1468.00"),
        ("spot_check_schools_count", "32.00"),
        ("spot_check_buses_count", "35.00"),
        ("drill_participants_per_school", "450.00"),  # 45万人次 / 1000所
        ("spot_check_share_pct", "2.18"),  # 32 / 1468
        ("safety_meetings_total_count", "9.00"),  # 5 研判会 + 4 工作会议
        ("protection_students_count", "642800.00"),
        ("protection_teachers_count", "49000.00"),
    ],
)
def test_seed_figures(sample_ev, indicator, expected):
    assert fmt.num(sample_ev.value(indicator)) == expected


def test_derived_figures_say_so(sample_ev):
    row = sample_ev.indicators.loc["drill_participants_per_school"]
    assert row["unit"] == "人次/所" and "上限" in row["definition_zh"]


def test_three_full_targets_are_gaps(sample_ev):
    att = targets.attainment(sample_ev, "safety")
    assert list(att["code"]) == ["closed_management_pct", "alarm_police_link_pct",
                                 "urban_security_guard_pct"]
    assert set(att["status"]) == {"无实际值"} and set(att["target"]) == {100}
    gaps = targets.gaps(sample_ev, "safety")
    assert list(gaps["label_zh"]) == [
        "中小学封闭化管理比例", "一键式紧急报警及视频监控系统与公安机关联网率",
        "城市中小学专职保安员配备率", "全市中小学幼儿园总数", "校园安全排查覆盖率",
        "五大护苗行动学校覆盖率"]


def test_full_target_with_actual(make_ev):
    def given(c):
        for row in c["targets"]:
            if row["code"] == "closed_management_pct":
                row["actual"] = 100
            if row["code"] == "alarm_police_link_pct":
                row["actual"] = 96.5
            if row["code"] == "schools_total_count":
                row["actual"] = 1468

    ev = make_ev(given)
    att = targets.attainment(ev, "safety").set_index("code")
    assert att.at["closed_management_pct", "status"] == "达成"
    assert att.at["alarm_police_link_pct", "status"] == "未达成"
    assert fmt.num(att.at["alarm_police_link_pct", "ratio_pct"]) == "96.50"
    assert ev.value("safety_inspection_coverage_pct") == 100  # 1468 / 1468
    assert fmt.num(ev.value("protection_coverage_pct")) == "99.52"  # 1461 / 1468


def test_zero_drill_schools(make_ev):
    def zero(c):
        for row in c["targets"]:
            if row["code"] == "drill_schools_count":
                row["actual"] = 0

    ev = make_ev(zero)
    assert math.isnan(ev.value("drill_participants_per_school"))
    assert ev.indicators.at["drill_participants_per_school", "note"] == "无法计算（基数为0）"
