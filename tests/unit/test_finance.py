"""Finance indicators and cross-checks against the seed's own figures (hand-computed)."""

from __future__ import annotations

import math

import pytest

from perfkit import fmt


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        ("revenue_execution_pct", "133.49"),  # 24192.45 / 18122.94
        ("service_revenue_execution_pct", "109.03"),  # 3470.41 / 3183.1
        ("expenditure_execution_pct", "136.78"),  # 24788.37 / 18122.94
        ("carryover_current_wan_yuan", "-595.92"),  # 24192.45 - 24788.37
        ("unexplained_expenditure_wan_yuan", "5857.42"),  # 24788.37 - (13738.19 + 5192.76)
        ("three_public_total_wan_yuan", "88.53"),
        ("three_public_change_wan_yuan", "16.69"),  # 88.53 - 71.84
        ("three_public_change_pct", "23.23"),  # 16.69 / 71.84
        ("basic_expenditure_share_pct", "55.42"),  # 13738.19 / 24788.37
        ("carryover_closing_wan_yuan", "2838.22"),
    ],
)
def test_seed_figures(sample_ev, indicator, expected):
    assert fmt.num(sample_ev.value(indicator)) == expected


def test_missing_budget_is_a_gap_not_zero(sample_ev):
    row = sample_ev.indicators.loc["three_public_control_pct"]
    assert math.isnan(row["value"])
    assert "三公经费!B7" in row["note"] and "未提供" in row["note"]


def test_zero_budget_cannot_be_computed(make_ev):
    def zero(c):
        c["income"]["total"]["budget_initial"] = 0

    ev = make_ev(zero)
    assert math.isnan(ev.value("revenue_execution_pct"))
    assert ev.indicators.at["revenue_execution_pct", "note"] == "无法计算（基数为0）"


def test_adjusted_budget_basis(make_ev):
    def adjusted(c):
        c["income"]["total"]["budget_adjusted"] = 20000.0

    ev = make_ev(adjusted, budget_basis="adjusted")
    assert fmt.num(ev.value("revenue_execution_pct")) == "120.96"  # 24192.45 / 20000


def test_unit_yuan_is_converted(make_ev):
    def in_yuan(c):
        c["info"]["unit"] = "元"
        c["income"]["total"] = {"budget_initial": 181229400, "actual": 241924500}

    ev = make_ev(in_yuan)
    assert fmt.num(ev.data.value("income", "total", "actual")) == "24192.45"
    assert fmt.num(ev.value("revenue_execution_pct")) == "133.49"


def test_negative_carryover_passes_identity(sample_ev):
    checks = sample_ev.checks.set_index("check")
    assert checks.at["carryover_current", "verdict"] == "一致"
    assert fmt.num(checks.at["carryover_current", "expected"]) == "-595.92"


def test_spending_parts_gap_is_flagged(sample_ev):
    row = sample_ev.checks.set_index("check").loc["expenditure_parts"]
    assert row["verdict"] == "未解释差额"
    # 应为 = Σ parts 13738.19 + 5192.76; 实际 = the stated total; 差额 = 实际 − 应为.
    assert fmt.num(row["expected"]) == "18930.95"
    assert fmt.num(row["actual"]) == "24788.37"
    assert fmt.num(row["difference"]) == "5857.42"
    assert "5857.42万元" in row["explanation"]


def test_three_public_parts_add_up(sample_ev):
    checks = sample_ev.checks.set_index("check")
    assert checks.at["three_public_parts", "verdict"] == "一致"  # 36.71 + 11 + 40.82 = 88.53
    assert checks.at["three_public_prior_parts", "verdict"] == "一致"  # 23.95+10.81+37.08=71.84


def test_inconsistent_total_is_reported(make_ev):
    def wrong(c):
        c["three_public"]["total"]["actual"] = 90.53

    ev = make_ev(wrong)
    row = ev.checks.set_index("check").loc["three_public_parts"]
    assert row["verdict"] == "不一致"
    assert fmt.num(row["difference"]) == "2.00"  # total 90.53 − parts 88.53


def test_indicator_records_source_cells(sample_ev):
    cells = sample_ev.indicators.at["revenue_execution_pct", "source_cells"]
    assert cells == "收入!D8; 收入!B8"


@pytest.mark.parametrize(("value", "text"), [(133.49075, "133.49"), (0.005, "0.01"),
                                             (2.675, "2.68"), (-0.001, "0.00"),
                                             (float("nan"), "未提供")])
def test_round_half_up(value, text):
    assert fmt.num(value) == text


def test_line_rates_of_the_sample(sample_ev):
    """The rates the 收入 and 三公经费 tables show, computed by the indicator stage."""
    from perfkit.indicators.finance import sheet_lines

    income = sheet_lines(sample_ev.data, sample_ev.settings, "income").set_index("item")
    assert fmt.num(income.at["total", "execution_pct"]) == "133.49"  # 24192.45 / 18122.94
    assert fmt.num(income.at["service", "execution_pct"]) == "109.03"  # 3470.41 / 3183.1
    three = sheet_lines(sample_ev.data, sample_ev.settings, "three_public").set_index("item")
    assert fmt.num(three.at["total", "change_wan_yuan"]) == "16.69"  # 88.53 - 71.84
    assert fmt.num(three.at["total", "change_pct"]) == "23.23"  # 16.69 / 71.84
    assert math.isnan(three.at["total", "execution_pct"])  # no 预算数: a gap, not 0
    assert three.at["total", "execution_note"] == ""


@pytest.mark.parametrize(("budget", "actual", "prior", "rate", "rate_note", "change", "change_pct",
                          "change_note"), [
    (200.0, 150.0, 100.0, 75.0, "", 50.0, 50.0, ""),
    (0.0, 150.0, 0.0, math.nan, fmt.NOT_COMPUTABLE_ZERO, 150.0, math.nan, fmt.NOT_COMPUTABLE_ZERO),
    (None, 150.0, None, math.nan, "", math.nan, math.nan, ""),  # not provided: a gap
    (200.0, 80.0, 100.0, 40.0, "", -20.0, -20.0, ""),  # a fall is negative
])
def test_line_rates_edges(make_ev, budget, actual, prior, rate, rate_note, change, change_pct,
                          change_note):
    from perfkit.indicators.finance import sheet_lines

    def edit(c):
        c["income"]["other"].update(budget_initial=budget, actual=actual, prior_actual=prior)

    ev = make_ev(edit)
    line = sheet_lines(ev.data, ev.settings, "income").set_index("item").loc["other"]
    for key, want in (("execution_pct", rate), ("change_wan_yuan", change),
                      ("change_pct", change_pct)):
        assert (math.isnan(line[key]) and math.isnan(want)) or line[key] == pytest.approx(want)
    assert (line["execution_note"], line["change_note"]) == (rate_note, change_note)
