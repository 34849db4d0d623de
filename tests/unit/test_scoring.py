"""Score-sheet rules with hand-computed points, band edges, missing inputs, totals and grades."""

from __future__ import annotations

import math
from decimal import Decimal
from types import SimpleNamespace

import pandas as pd
import pytest

from perfkit.assess import rules, scoring
from perfkit.assess.rules import (
    Bands,
    Checklist,
    LinearDeduction,
    Manual,
    Proportional,
    target_attainment,
)
from perfkit.assess.intervals import Interval
from perfkit.assess.scoresheet import load_sheet
from perfkit.assess.scoring import score


def stub(value: float, unit: str = "%", note: str = "") -> SimpleNamespace:
    """An evaluation stand-in whose only indicator ``x_pct`` has ``value``."""
    frame = pd.DataFrame([{"id": "x_pct", "value": value, "unit": unit, "label_zh": "某指标",
                           "note": note, "source_cells": "表!B2"}]).set_index("id", drop=False)
    return SimpleNamespace(indicators=frame)


def linear(**kw) -> LinearDeduction:
    args = {"indicator": "x_pct", "bound": 100.0, "side": "above", "per": 1.0, "deduct": 0.5}
    # model_construct: "x_pct" is the stub's indicator, not a registered one.
    return LinearDeduction.model_construct(text_zh="规则", **(args | kw))


# --- intervals -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "inside", "outside"), [
    ("[80, 90)", [80, 89.999], [79.999, 90]),
    ("(0, 5]", [0.001, 5], [0, 5.001]),
    ("(-inf, 0]", [-1e9, 0], [0.001]),
    ("(10, inf)", [10.001, 1e9], [10]),
    ("[95, 105]", [95, 105], [94.99, 105.01]),
])
def test_interval_edges(text, inside, outside):
    band = Interval.parse(text)
    assert all(v in band for v in inside)
    assert not any(v in band for v in outside)


def test_interval_overlap_at_a_shared_closed_edge():
    assert Interval.parse("[80, 90]").overlaps(Interval.parse("[90, 100]"))
    assert not Interval.parse("[80, 90)").overlaps(Interval.parse("[90, 100]"))
    assert not Interval.parse("(0, 5]").overlaps(Interval.parse("(5, 10]"))


@pytest.mark.parametrize("bad", ["80-90", "[90, 80]", "(5, 5)", "[a, 1]"])
def test_interval_rejects_bad_text(bad):
    with pytest.raises(ValueError):
        Interval.parse(bad)


def test_interval_reads_in_chinese():
    assert Interval.parse("[80, 90)").describe("%") == "80%（含）至90%（不含）"
    assert Interval.parse("(-inf, 0]").describe("%") == "≤0%"
    assert Interval.parse("(10, inf)").describe("%") == ">10%"


# --- linear deduction ------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "kw", "expected"), [
    (100.0, {}, 4.0),  # at the bound: full marks
    (90.0, {}, 4.0),  # under an upper bound: full marks
    (103.0, {}, 2.5),  # 3 points over × 0.5 = 1.5 off
    (103.5, {}, 2.25),  # continuous: 3.5 × 0.5 = 1.75 off
    (103.5, {"steps": "whole"}, 2.5),  # only complete points count: 3 × 0.5
    (120.0, {}, 0.0),  # 10 points off, floor 0
    (136.78, {"side": "both", "deduct": 0.1}, 4 - 3.678),  # deviation either way
    (63.22, {"side": "both", "deduct": 0.1}, 4 - 3.678),
    (70.0, {"side": "below", "bound": 80.0, "deduct": 0.1}, 3.0),  # 10 under × 0.1
])
def test_linear_deduction(value, kw, expected):
    out = linear(**kw).apply(stub(value), 4.0, "zero")
    assert out.score == pytest.approx(expected)


def test_linear_deduction_reason_names_the_figures():
    out = linear().apply(stub(103.0), 4.0, "zero")
    assert "103.00%" in out.reason and "3.00个百分点" in out.reason and "扣1.50分" in out.reason
    assert out.evidence == "表!B2"


def test_missing_indicator_gives_no_score():
    out = linear().apply(stub(math.nan, note="数据缺失：在职人数未提供"), 4.0, "zero")
    assert out.score is None and "在职人数未提供" in out.reason


# --- bands -------------------------------------------------------------------------------------


def three_public_bands() -> Bands:
    bands = [("(-inf, 0]", 3), ("(0, 5]", 2), ("(5, 10]", 1), ("(10, inf)", 0)]
    return Bands.model_construct(text_zh="规则", indicator="x_pct", bands=tuple(
        rules.Band(range=r, score=s) for r, s in bands))


@pytest.mark.parametrize(("value", "expected"), [
    (-3.0, 3), (0.0, 3), (0.01, 2), (5.0, 2), (5.01, 1), (10.0, 1), (10.01, 0),
    (23.23, 0),  # the seed: (88.53 − 71.84) / 71.84 = 23.23%
])
def test_band_edges_are_inclusive_as_written(value, expected):
    assert three_public_bands().apply(stub(value), 3.0, "zero").score == expected


def test_value_outside_every_band_scores_zero():
    rule = Bands.model_construct(text_zh="规则", indicator="x_pct",
                                 bands=(rules.Band(range="[95, 105]", score=10),))
    out = rule.apply(stub(136.78), 10.0, "zero")
    assert out.score == 0 and "不在任何计分档" in out.reason


# --- proportional ----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "cut", "expected"), [
    (60.0, None, 2.25),  # 60 / 80 × 3
    (80.0, None, 3.0),
    (100.0, None, 3.0),  # capped at full marks
    (130.0, (150.0, 20.0), 2.4),  # 162.5% of target: above 150%, cut to 80% of 3
    (120.0, (150.0, 20.0), 3.0),  # 150% exactly: no cut
    (121.0, (150.0, 20.0), 2.4),  # 151.25%: 80% of the points
])
def test_proportional_indicator(value, cut, expected):
    rule = Proportional.model_construct(text_zh="规则", indicator="x_pct", target=80.0,
                                        over_cut=cut and rules.OverCut(above_pct=cut[0],
                                                                         deduct_pct=cut[1]))
    assert rule.apply(stub(value), 3.0, "zero").score == pytest.approx(expected)


@pytest.mark.parametrize(("direction", "target", "actual", "share"), [
    ("≥", 350, 392, 1.0),
    ("≥", 350, 175, 0.5),
    ("全面", 100, 93.96, 0.9396),
    ("≤", 10, 8, 1.0),
    ("≤", 10, 12.5, 0.8),
    ("=", 0, 0, 1.0),
    ("=", 0, 3, 0.0),
    ("≥", 0, 5, 1.0),  # a zero target is met or not; no ratio
    (None, 350, 175, 0.5),
])
def test_target_attainment(direction, target, actual, share):
    assert target_attainment(direction, target, actual) == pytest.approx(share)


def test_target_set_on_the_sample(sample_ev):
    # input-process-output-outcome 实际完成率, 15 points over every 2019 target: 392/350 → 100%; 703 against the
    # target 434 implied by "161.98%" → 162%, over the 130% of 复核口径 K03: counts 100%, no cut
    # (it was cut to 80% as "目标设定偏低" before K03); 剩余超大班额 0 = 0 → 100%;
    # 12 targets without actual count 0 under the zero policy: 15 × 3 / 15 = 3.00.
    items = score(sample_ev).items.set_index("item")
    assert items.at["target_completion", "score"] == 3.00
    assert "按100%计，不扣分（复核口径K03" in items.at["target_completion", "reason"]
    assert "12项目标无实际值，按0计" in items.at["target_completion", "reason"]
    # Under exclude the 12 are left out: 15 × 2.8 / 3 = 14.00 before redistribution.
    ex = score(sample_ev, policy="exclude").items.set_index("item")
    assert ex.at["target_completion", "reason"].startswith("纳入计分的目标3项")


def test_target_set_all_is_every_domain_of_the_year_and_other(sample_ev, tmp_path):
    """input-process-output-outcome 实际完成率 reads ``targets: {domains: all}``: the sample's quality, aid, safety
    and 其他 (the golden evidence string), a health bureau's health and 其他 — its own targets
    count, and no 领域 it does not have."""
    import perfkit as pk
    from perfkit.assess.evaluation import Evaluation
    from perfkit.assess.rules import Proportional
    from perfkit.assess.scoresheet import load_sheet
    from perfkit.data.params import settings_from_dict
    from synthetic import synthetic_content

    rule = next(i.rule for i in load_sheet("input-process-output-outcome").items if i.id == "target_completion")
    assert isinstance(rule, Proportional) and rule.reference() == "绩效指标:all"
    assert rule.reference_for(sample_ev) == "绩效指标:quality,aid,safety,other"
    content = synthetic_content(1, 2021, field="health")
    data = pk.load_workbook(pk.write_workbook(tmp_path / "2021.xlsx", content))
    ev = Evaluation(data, settings_from_dict({"department": "county-health", "year": 2021}))
    row = score(ev).items.set_index("item").loc["target_completion"]
    assert row["indicator"] == "绩效指标:health,other"
    assert "纳入计分的目标5项" in row["reason"]  # 2 health + 3 of the bureau's own
    for own in ("卫生健康监督执法检查", "医疗纠纷人民调解成功率", "基层医疗卫生机构标准化建设达标率"):
        assert own in row["reason"], own
    with pytest.raises(Exception, match="all"):
        Proportional.model_validate({"text_zh": "x", "targets": {"domains": "some"}})


# --- checklist and manual ---------------------------------------------------------------------


def test_checklist_on_the_sample(sample_ev):
    items = score(sample_ev).items.set_index("item")
    assert items.at["management_system", "score"] == 4.0  # 2 conditions met × 2
    assert items.at["asset_security", "score"] == 2.0  # 1 met, 1 not met
    assert items.at["budget_disclosure", "score"] == 1.0  # 1 met, 1 not answered
    assert "未提供是否满足：按规定公开部门决算" in items.at["budget_disclosure", "reason"]
    # 资金使用合规性: its only condition has no answer, so the input is missing.
    assert items.at["fund_compliance", "status"] == scoring.MISSING_ZERO


def test_checklist_all_answered_no_is_scored_not_missing(make_ev):
    def all_no(c):
        for q in c["qualitative"]:
            q["met"] = "否"

    out = Checklist(text_zh="规则", item="管理制度健全性", per_condition=2.0).apply(make_ev(all_no), 4.0, "zero")
    assert out.score == 0 and "未满足" in out.reason


def test_checklist_caps_at_points(make_ev):
    def many(c):
        c["qualitative"] += [{"item": "管理制度健全性", "condition": f"要点{i}", "met": "是"}
                             for i in range(3)]

    out = Checklist(text_zh="规则", item="管理制度健全性", per_condition=2.0).apply(make_ev(many), 4.0, "zero")
    assert out.score == 4.0


def test_manual_score_and_unscored():
    assert Manual(text_zh="规则", score=2.0, reason_zh="经现场核查").apply(
        None, 3.0, "zero").score == 2.0
    assert Manual(text_zh="规则").apply(None, 3.0, "zero").score is None


# --- the whole sheet ---------------------------------------------------------------------------


def test_sample_sheet_total_grade_and_claim(sample_ev):
    r = score(sample_ev)
    subs = r.subtotals.set_index("level1")["score"].to_dict()
    # 投入 1 (目标合理性 1 of 3); 过程 0 + 0 + 2 + 4 + 1 + 0 + 2 = 9 (预算完成率 and 收入预算完成率
    # over the 调整预算 under 复核口径 K07, which the sample lacks: no evidence, 0 under zero;
    # 结转结余率 15.66% in the 2-point band, 制度 4, 公开 1, 基础信息 2 − 2 findings, 资产 2);
    # 产出 3.00 (K03); 效果 6 + 1.5 + 3 = 10.5 (社会效益 3 × 2, 长效管理 1 × 1.5, 人力资源 2 × 1.5).
    assert subs == {"投入": 1.0, "过程": 9.0, "产出": 3.0, "效果": 10.5}
    assert r.total == 23.50 and r.grade == "差" and r.scorable
    assert r.claimed == 96.8 and r.claimed_grade == "优" and r.claim_difference == 73.30
    assert r.total_deduction == 76.50
    assert len(r.unsupported) == 22  # all but 管理制度健全性 and 人力资源建设


def test_sample_losses_by_cause_add_up(sample_ev):
    r = score(sample_ev)
    # standard: 三公变动 3 + 结转结余率 1; unmet: 资产管理 "否" 2; defect: 2 workbook sums left
    # unexplained (收入, 支出); missing: 60.5 as before less nothing, plus 预算完成率 6 and
    # 收入预算完成率 2 (K07: over the 调整预算, not given); target: 0 (the judged targets count
    # 100%, the one over 130% no longer cut, K03).
    assert r.losses() == {"missing": 68.5, "target": 0.0, "standard": 4.0, "unmet": 2.0,
                          "defect": 2.0}
    for _, i in r.items.iterrows():
        parts = sum(Decimal(str(i[c])) for c in rules.LOSS_COLUMNS)
        assert parts == Decimal(str(i["deduction"])), i["item"]


def test_sheet_adds_up_under_exclude(sample_ev):
    r = score(sample_ev, policy="exclude")
    scored = r.items[r.items["status"] != scoring.EXCLUDED]
    assert r.items["points_adjusted"].sum() == pytest.approx(100)
    assert r.total == pytest.approx(scored["score"].sum())
    assert r.total == pytest.approx(r.subtotals["score"].sum())
    # 13 items excluded (50 points: 明确性 2, 在职 4, 重点 3, 预算完成率 6, 收入完成率 2 (K07),
    # 调整 3, 结转变动 3, 公用 3, 三公控制 4, 合规 4, 及时 5, 质量 5, 满意度 6); 35.5 raw points
    # over the 50 left (目标 1/3, 三公变动 0/3, 结转 2/3, 制度 4/4, 公开 1/2, 基础信息 0/2,
    # 资产 2/4, 实际完成率 15/15, 社会效益 6/8, 长效 1.5/3, 人力 3/3), rescaled to 100.
    assert r.total == pytest.approx(35.5 / 50 * 100, abs=0.02)
    assert r.grade == "中"
    assert sum(r.losses().values()) == pytest.approx(r.total_deduction)


def test_rule_error_is_unscorable_not_missing(sample_ev, monkeypatch):
    """An exception inside a rule must not pass as missing data (issue 12.2)."""
    def boom(self, ev, points, policy, ctx=None):
        raise ZeroDivisionError("injected")

    monkeypatch.setattr(LinearDeduction, "apply", boom)
    sample_ev.results.clear()
    try:
        for policy in ("zero", "exclude"):
            r = score(sample_ev, policy=policy)
            assert not r.scorable and math.isnan(r.total) and r.grade == ""
            failed = r.items[r.items["status"] == scoring.ERROR]
            assert len(failed) == 8  # every linear_deduction item of input-process-output-outcome
            assert any("ZeroDivisionError: injected" in e and "预算完成率" in e for e in r.errors)
            assert scoring.score_summary(sample_ev)["errors"]
    finally:
        sample_ev.results.clear()


def test_data_quality_rule_counts_findings(make_ev):
    def consistent(c):  # parts that explain the totals: no finding left
        c["income"]["fiscal"] = {"actual": 24192.45 - 3470.41 - 727.30}
        c["expenditure"]["subsidy"] = {"actual": 24788.37 - 13738.19 - 5192.76}

    items = score(make_ev(consistent), "input-process-output-outcome").items.set_index("item")
    assert items.at["basic_information", "score"] == 2.0
    assert items.at["basic_information", "lost_defect"] == 0.0

    def wrong_stated(c):  # a stated ratio the data contradict adds a finding
        consistent(c)
        for row in c["stated"]:
            if row["ref"] == "S1":
                row["stated"] = "133.94%"

    items = score(make_ev(wrong_stated), "input-process-output-outcome").items.set_index("item")
    assert items.at["basic_information", "score"] == 1.0
    assert "S1" in items.at["basic_information", "reason"]


def test_cz_sheet_on_the_sample(sample_ev):
    r = score(sample_ev, "cz-2020-10")
    items = r.items.set_index("item")
    # 预算执行率 over the 调整预算 (K07 of this sheet), which the sample lacks: 0 under zero.
    assert items.at["execution_rate", "score"] == 0
    assert "调整预算" in items.at["execution_rate", "reason"]
    # 15 targets of the sample's domains (教育质量 12, 校园安全 3, 学生资助 none): 市级定向培养
    # 392/350 → 100%, 剩余超大班额 0/0 → 100%, 消除大班额 703/434 = 162% > 130% → 100% (K03), the
    # other 12 without an actual value → 0: 50 × 3 / 15 = 10.00
    assert items.at["output_targets", "score"] == 10.0
    # 10 + 社会效益 15 (3 conditions met × 5, capped at 15)
    assert r.total == 25.0 and r.grade == "差"


@pytest.mark.parametrize(("total", "grade"), [
    (100, "优"), (90, "优"), (89.99, "良"), (80, "良"), (79.99, "中"), (60, "中"), (59.99, "差"),
    (0, "差"), (math.nan, ""),
])
def test_grade_bands(total, grade):
    assert load_sheet("input-process-output-outcome").grade_for(total) == grade


def test_redistribution_adds_up_exactly():
    assert scoring._redistribute([3.0, 0.0, 6.0], 2) == [33.33, 0.0, 66.67]
    assert sum(scoring._redistribute([3.0, 3.0, 3.0, 0.0], 2)) == pytest.approx(100)


def test_staff_rate_over_establishment(make_ev):
    def staffed(c):
        c["info"]["staff_authorized_count"] = 100
        c["info"]["staff_actual_count"] = 103

    items = score(make_ev(staffed), "input-process-output-outcome").items.set_index("item")
    assert items.at["staff_control", "score"] == 2.5  # 4 − 3 × 0.5


def test_zero_base_is_missing_not_full_marks(make_ev):
    def zero(c):
        c["three_public"]["total"]["prior_actual"] = 0

    items = score(make_ev(zero), "input-process-output-outcome").items.set_index("item")
    assert items.at["three_public_change", "status"] == scoring.MISSING_ZERO
    assert "无法计算（基数为0）" in items.at["three_public_change", "reason"]


def test_score_sheet_frame_has_the_headings(sample_ev):
    frame = scoring.score_sheet(sample_ev)
    assert list(frame.columns[:3]) == ["一级指标", "二级指标", "三级指标"]
    assert {"分值", "得分", "扣分原因", "证据"} <= set(frame.columns)
    assert "调整后分值" in scoring.score_sheet(sample_ev, policy="exclude").columns
