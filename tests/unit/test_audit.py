"""Audit verdicts on hand-made workbooks, one defect kind each (numbers invented per case)."""

from __future__ import annotations

import math

import pytest

import perfkit as pk
from perfkit import fmt
from perfkit.assess import audit
from perfkit import verdicts as v
from perfkit.assess import figures as au
from perfkit.assess.evaluation import Evaluation
from perfkit.data.params import settings_from_dict


def base_content() -> dict:
    """A small department: revenue 8607.5 of 12500 (68.86%), spending 5400 of 5000 (108%)."""
    return {
        "info": {"department_name": "测试县教育局", "year": 2021, "unit": "万元"},
        "income": {"total": {"budget_initial": 12500, "actual": 8607.5}},
        "expenditure": {"total": {"budget_initial": 5000, "actual": 5400}},
        "three_public": {"total": {"actual": 12.5, "prior_actual": 0}},
        "targets": [], "aid": [], "stated": [],
    }


@pytest.fixture
def audit_ev(tmp_path):
    """Build an Evaluation from ``base_content()`` changed by ``change`` plus stated rows."""

    def make(stated, change=None, **settings) -> Evaluation:
        content = base_content()
        if change:
            change(content)
        content["stated"] = [
            {"ref": f"T{i}", "statement": "测试", "check": check, "stated": text}
            for i, (check, text) in enumerate(stated, 1)
        ]
        path = pk.write_workbook(tmp_path / "hand.xlsx", content)
        data = pk.load_workbook(path)
        return Evaluation(data, settings_from_dict({"department": "test", "year": 2021,
                                                    **settings}))

    return make


def one(ev: Evaluation) -> dict:
    frame = au.audit_stated(ev)
    assert len(frame) == 1
    return frame.iloc[0].to_dict()


def aid_rows(*rows):
    def change(c):
        c["aid"] = [dict(program=p, group=g, amount=a, source=s) for p, g, a, s in rows]
    return change


# --- stated percentages ---------------------------------------------------------------------


def test_correct_percentage_is_consistent(audit_ev):
    row = one(audit_ev([("revenue_execution_pct", "68.86%")]))  # 8607.5 / 12500 = 68.86%
    assert row["verdict"] == v.CONSISTENT
    assert math.isclose(row["recomputed"], 68.86)


def test_swapped_digits(audit_ev):
    row = one(audit_ev([("revenue_execution_pct", "68.68%")]))
    assert row["verdict"] == v.INCONSISTENT
    assert "颠倒" in row["explanation"] and "68.86%" in row["explanation"]
    assert math.isclose(row["difference"], -0.18, abs_tol=1e-9)


def test_one_wrong_digit(audit_ev):
    row = one(audit_ev([("revenue_execution_pct", "68.36%")]))
    assert row["verdict"] == v.INCONSISTENT
    assert "一位数字错误" in row["explanation"]


def test_rounded_claim_hiding_a_miss(audit_ev):
    def miss(c):
        c["income"]["total"]["actual"] = 8681.25  # 69.45% of 12500: rounds to 69%, not 70%

    row = one(audit_ev([("revenue_execution_pct", "70%")], miss))
    assert row["verdict"] == v.INCONSISTENT
    assert "69.45%" in row["explanation"] and "掩盖" in row["explanation"]


def test_hundred_percent_beside_an_overspend(audit_ev):
    row = one(audit_ev([("expenditure_execution_pct", "100%")]))  # 5400 / 5000 = 108%
    assert row["verdict"] == v.INCONSISTENT
    assert "超出预算8.00个百分点" in row["explanation"]


def test_truncated_percentage(audit_ev):
    def budget(c):
        c["income"]["total"] = {"budget_initial": 3000, "actual": 2066.04}  # 68.868%

    truncated = one(audit_ev([("revenue_execution_pct", "68.86%")], budget))
    assert truncated["verdict"] == v.ROUNDING
    assert "截尾" in truncated["explanation"] and "68.87%" in truncated["explanation"]
    assert one(audit_ev([("revenue_execution_pct", "68.87%")], budget))["verdict"] == v.CONSISTENT


def test_growth_from_zero_base_printed_as_100(audit_ev):
    row = one(audit_ev([("three_public_change_pct", "增长100%")]))  # 上年 0 → 12.5
    assert row["verdict"] == v.UNVERIFIABLE
    assert "基数为0" in row["explanation"] and "100%" in row["explanation"]
    assert math.isnan(row["recomputed"])


def test_missing_input_cannot_be_checked(audit_ev):
    def no_budget(c):
        c["expenditure"]["total"]["budget_initial"] = None

    row = one(audit_ev([("expenditure_execution_pct", "108%")], no_budget))
    assert row["verdict"] == v.UNVERIFIABLE
    assert row["explanation"].startswith("输入缺失") and "支出!" in row["explanation"]


def test_difference_within_tolerance_is_configurable(audit_ev):
    def budget(c):
        # 896.54 / 1234.56 = 72.62%, printed 72.7%: neither rounding nor input precision explains
        # the 0.08 pp, the tolerance does.
        c["income"]["total"] = {"budget_initial": 1234.56, "actual": 896.54}

    assert one(audit_ev([("revenue_execution_pct", "72.7%")], budget))["verdict"] == v.CONSISTENT
    strict = one(audit_ev([("revenue_execution_pct", "72.7%")], budget, tolerance_pp=0.05))
    assert strict["verdict"] == v.INCONSISTENT


def test_bounds(audit_ev):
    assert one(audit_ev([("revenue_execution_pct", "68%以上")]))["verdict"] == v.CONSISTENT
    assert one(audit_ev([("revenue_execution_pct", "70%以上")]))["verdict"] == v.INCONSISTENT


# --- stated amounts and sums -----------------------------------------------------------------


def test_items_not_adding_to_printed_total(audit_ev):
    rows = aid_rows(("甲", "助学金", 120.5, ""), ("乙", "助学金", 80.25, ""),
                    ("丙", "助学金", 40, ""))
    wrong = one(audit_ev([("sum(学生资助:助学金)", "250.75万元")], rows))  # parts give 240.75
    assert wrong["verdict"] == v.INCONSISTENT
    assert math.isclose(wrong["difference"], 10.0, abs_tol=1e-9)
    assert "240.75万元" in wrong["explanation"]
    assert one(audit_ev([("sum(学生资助:助学金)", "240.75万元")], rows))["verdict"] == v.CONSISTENT


def test_cent_difference_from_rounded_inputs_is_not_an_error(audit_ev):
    # The report printed 12.34 and 23.45 (true 12.344 and 23.454) and their true total 35.80.
    rows = aid_rows(("甲", "补助", 12.34, ""), ("乙", "补助", 23.45, ""))
    row = one(audit_ev([("sum(学生资助:补助)", "35.80万元")], rows))
    assert row["verdict"] == v.ROUNDING
    assert math.isclose(row["recomputed"], 35.79)


def test_coarse_printed_input_is_read_from_its_quote(audit_ev):
    # 3.1亿 (±0.05亿) + 1200 + 1337 = 33537万元, i.e. 3.35亿, printed "3.40亿元".
    quoted = aid_rows(("甲", "两免一补", 31000, "报告“3.1亿元”"), ("乙", "两免一补", 1200, ""),
                      ("丙", "两免一补", 1337, ""))
    row = one(audit_ev([("sum(学生资助:两免一补)", "3.40亿元")], quoted))
    assert row["verdict"] == v.ROUNDING
    assert "3.1亿元" in row["explanation"]
    # Without the quote 31000 is taken at face value (±0.5), and 3.40亿 cannot be explained.
    bare = aid_rows(("甲", "两免一补", 31000, ""), ("乙", "两免一补", 1200, ""),
                    ("丙", "两免一补", 1337, ""))
    row = one(audit_ev([("sum(学生资助:两免一补)", "3.40亿元")], bare))
    assert row["verdict"] == v.INCONSISTENT


def test_yuan_printed_for_wan_yuan(audit_ev):
    rows = aid_rows(("甲", "教科书", 4761, ""))
    row = one(audit_ev([("sum(学生资助:教科书)", "4761元")], rows))
    assert row["verdict"] == v.INCONSISTENT
    assert "元与万元" in row["explanation"]


def test_reversed_sign(audit_ev):
    def deficit(c):
        c["income"]["total"]["actual"] = 1000
        c["expenditure"]["total"]["actual"] = 1100  # 本年结转结余 -100

    row = one(audit_ev([("carryover_current_wan_yuan", "增加100万元")], deficit))
    assert row["verdict"] == v.INCONSISTENT
    assert "正负号" in row["explanation"]
    assert one(audit_ev([("carryover_current_wan_yuan", "减少100万元")], deficit))["verdict"] == (
        v.CONSISTENT)


def test_metric_sum_and_claimed_score(audit_ev):
    def metrics(c):
        c["info"]["claimed_score"] = 91.5
        c["targets"] = [dict(domain="quality", code="a_count", name="甲", unit="名", actual=310),
                        dict(domain="quality", code="b_count", name="乙", unit="名", actual=45)]

    ev = audit_ev([("sum(绩效指标:a_count,b_count)", "355名"), ("claimed_score", "91.5分"),
                   ("a_count", "301名")], metrics)
    verdicts = au.audit_stated(ev)["verdict"].tolist()
    assert verdicts == [v.CONSISTENT, v.CONSISTENT, v.INCONSISTENT]


@pytest.mark.parametrize(
    ("check", "text", "why"),
    [("no_such_indicator", "10%", "不是已登记"), ("revenue_execution_pct", "68.86万元", "不能比较"),
     ("revenue_execution_pct", "见附表", "不是一个可识别的数值")],
)
def test_unusable_rows_cannot_be_checked(audit_ev, check, text, why):
    row = one(audit_ev([(check, text)]))
    assert row["verdict"] == v.UNVERIFIABLE
    assert why in row["explanation"]


# --- internal sums and exit status -------------------------------------------------------------


def test_income_parts_exceeding_total(audit_ev):
    def parts(c):
        c["income"] = {"total": {"budget_initial": 1200, "actual": 1000},
                       "fiscal": {"actual": 800}, "service": {"actual": 260}}

    ev = audit_ev([], parts)
    internal = au.audit_internal(ev).set_index("ref")
    assert internal.at["income_parts", "verdict"] == v.INCONSISTENT
    # printed total 1000, parts 800 + 260 = 1060
    assert math.isclose(internal.at["income_parts", "difference"], -60.0)
    assert audit.exit_status(audit.audit(ev)) == 1


def test_functional_hierarchy(audit_ev):
    def functional(c):
        c["expenditure"]["total"]["actual"] = 100
        c["functional"] = [dict(code="205", name="教育支出", actual=100),
                           dict(code="20502", name="普通教育", actual=60),
                           dict(code="20509", name="教育费附加安排的支出", actual=30)]

    internal = au.audit_internal(audit_ev([], functional)).set_index("ref")
    assert internal.at["functional_205_actual", "verdict"] == v.INCONSISTENT  # 60 + 30 ≠ 100
    assert internal.at["functional_total", "verdict"] == v.CONSISTENT


def test_exit_status_clean(audit_ev):
    ev = audit_ev([("revenue_execution_pct", "68.86%"), ("expenditure_execution_pct", "108%")])
    frame = au.audit_stated(ev)
    assert audit.exit_status(frame) == 0
    assert audit.verdict_counts(frame)[v.CONSISTENT] == 2


# --- the 2019 sample ----------------------------------------------------------------------------


def test_sample_stated_figures(sample_ev):
    frame = audit.audit(sample_ev)
    stated = frame[frame["category"] == au.STATED].set_index("ref")
    # Finance: 133.49%, 109.03%, "136.78 %", -595.92万元, 增加16.69万元 all reproduce.
    for ref in ("S1", "S2", "S3", "S4", "S6"):
        assert stated.at[ref, "verdict"] == v.CONSISTENT, ref
    # Aid: 3.1亿 + 4761 + 4586 = 40347万元 (4.03亿) against "4.04亿元"; "3.1亿" is ±0.05亿.
    assert stated.at["S7", "verdict"] == v.ROUNDING
    assert math.isclose(stated.at["S7", "recomputed"], 40347.0)
    # "三公" control rate: the workbook has no "三公" budget.
    assert stated.at["S5", "verdict"] == v.UNVERIFIABLE
    assert "预算数" in stated.at["S5", "explanation"]
    assert not (stated["verdict"] == v.INCONSISTENT).any()


def test_sample_spending_gap_is_reported(sample_ev):
    internal = audit.audit(sample_ev).set_index("ref")
    row = internal.loc["expenditure_parts"]
    assert row["category"] == au.INTERNAL
    assert row["verdict"] == v.UNEXPLAINED
    assert fmt.num(row["difference"]) == "5857.42"  # 24788.37 - (13738.19 + 5192.76)
    assert "5857.42万元" in row["explanation"]


def test_sample_report_table_and_text(sample_ev):
    frame = pk.tables.audit_frame(sample_ev)
    assert list(frame.columns) == ["编号", "类别", "核对项", "报告值", "重新计算",
                                   "差额（报告值 − 重新计算）", "结论",
                                   "说明"]
    s7 = frame[frame["编号"] == "S7"].iloc[0]
    assert (s7["报告值"], s7["重新计算"], s7["差额（报告值 − 重新计算）"]) == (
        "4.04亿元", "40347.00万元", "+53.00万元")
    assert frame[frame["编号"] == "S5"].iloc[0]["重新计算"] == "无法计算"
    text = pk.narrative.audit_summary(sample_ev)
    assert "核对报告所列数值10项" in text and "5857.42万元" in text
    assert "未发现与数据不一致的数值" in text
    assert "<table" in pk.tables.audit_table(sample_ev).to_html()


def test_sample_score_arithmetic(sample_ev):
    pytest.importorskip("perfkit.assess.scoring")
    scores = audit.audit_scores(sample_ev)
    assert not scores.empty
    assert (scores["category"] == au.SCORES).all()
    assert set(scores["verdict"]) <= set(v.VERDICTS)


def test_unusable_score_sheet_is_one_unverifiable_row(make_ev):
    pytest.importorskip("perfkit.assess.scoring")
    scores = audit.audit_scores(make_ev(score_sheet="no-such-sheet"))
    assert len(scores) == 1
    assert scores.iloc[0]["verdict"] == v.UNVERIFIABLE
    assert "评分表无法使用" in scores.iloc[0]["explanation"]
