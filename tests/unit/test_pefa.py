"""PEFA 2016 PI-1, PI-2 (adjusted-budget method), PI-3.1: hand-worked values, bands, years."""

from __future__ import annotations

import math

import pytest

from perfkit import fmt
from perfkit.assess import pefa
from perfkit.assess.pefa import PI1_BANDS, PI2_BANDS, PI31_BANDS, band_grade, multi_year_grade


def test_composition_variance_hand_worked():
    # budget 100/200/300, actual 120/180/360: k = 660/600 = 1.1; k·budget = 110/220/330;
    # |actual − k·budget| = 10 + 40 + 30 = 80; 80 / 660 = 12.12% → C (< 15%, not < 10%).
    v = pefa.composition_variance_pct([100, 200, 300], [120, 180, 360])
    assert fmt.num(v) == "12.12"
    assert band_grade(v, PI2_BANDS) == "C"


def test_composition_unchanged_mix_has_no_variance():
    # Every category 10% over budget: the aggregate deviation is PI-1's, not PI-2's.
    assert pefa.composition_variance_pct([100, 200], [110, 220]) == pytest.approx(0)


@pytest.mark.parametrize("bad", [([100], [120]), ([0, 0], [1, 2]), ([1, 2], [1])])
def test_composition_refuses_what_it_cannot_compare(bad):
    with pytest.raises(ValueError):
        pefa.composition_variance_pct(*bad)


@pytest.mark.parametrize(("value", "bands", "grade"), [
    (95, PI1_BANDS, "A"), (105, PI1_BANDS, "A"), (105.01, PI1_BANDS, "B"), (90, PI1_BANDS, "B"),
    (115, PI1_BANDS, "C"), (115.01, PI1_BANDS, "D"), (84.99, PI1_BANDS, "D"),
    (97, PI31_BANDS, "A"), (106, PI31_BANDS, "A"), (112, PI31_BANDS, "B"), (116, PI31_BANDS, "C"),
    (116.5, PI31_BANDS, "D"),
    (4.99, PI2_BANDS, "A"), (5, PI2_BANDS, "B"), (14.99, PI2_BANDS, "C"), (15, PI2_BANDS, "D"),
    (math.nan, PI1_BANDS, ""),
])
def test_band_edges(value, bands, grade):
    assert band_grade(value, bands) == grade


@pytest.mark.parametrize(("values", "grade", "basis"), [
    ([136.78], "D", pefa.SINGLE_YEAR),
    ([100, 120, 96], "A", pefa.TWO_OF_THREE),  # 100 and 96 within 95–105
    ([100, 108, 113], "B", pefa.TWO_OF_THREE),  # only one year in A; two within 90–110
    ([100, 120, 130], "D", pefa.TWO_OF_THREE),  # one year in every band is not two
    ([80, 100, 120, 96], "A", pefa.TWO_OF_THREE),  # the last three years only
    ([100, math.nan, 104], "A", pefa.TWO_YEARS),
    ([math.nan], "", pefa.NOT_RATED),
])
def test_two_of_three_rule(values, grade, basis):
    assert multi_year_grade(values, PI1_BANDS) == (grade, basis)


def test_sample_is_d_on_pi1_and_pi31(sample_ev):
    a = pefa.assess(sample_ev).set_index("dimension")
    assert fmt.pct(a.at["PI-1", "value_pct"]) == "136.78%"  # 24788.37 / 18122.94
    assert fmt.pct(a.at["PI-3.1", "value_pct"]) == "133.49%"  # 24192.45 / 18122.94
    assert a.at["PI-1", "grade"] == "D" and a.at["PI-3.1", "grade"] == "D"
    assert a.at["PI-1", "basis"] == pefa.SINGLE_YEAR
    # The sample has no budget by spending line nor a functional table: not rated, said why.
    assert a.at["PI-2.2", "grade"] == "" and "年初预算数未提供" in a.at["PI-2.2", "note"]
    assert a.at["PI-2.1", "grade"] == "" and "功能分类" in a.at["PI-2.1", "note"]


def test_pi2_economic_from_spending_lines(make_ev):
    def lines(c):
        c["expenditure"]["basic"] = {"budget_initial": 100, "actual": 120}
        c["expenditure"]["project"] = {"budget_initial": 200, "actual": 180}
        c["expenditure"]["subsidy"] = {"budget_initial": 300, "actual": 360}

    a = pefa.assess(make_ev(lines)).set_index("dimension")
    assert fmt.num(a.at["PI-2.2", "value_pct"]) == "12.12"
    assert a.at["PI-2.2", "grade"] == "C"


def test_pi2_functional_uses_the_broadest_level_with_two_classes(make_ev):
    def functional(c):
        c["functional"] = [
            {"code": "205", "name": "教育支出", "budget_initial": 600, "actual": 660},
            {"code": "20502", "name": "普通教育", "budget_initial": 100, "actual": 120},
            {"code": "20503", "name": "职业教育", "budget_initial": 200, "actual": 180},
            {"code": "20509", "name": "教育费附加安排的支出", "budget_initial": 300, "actual": 360},
        ]

    a = pefa.assess(make_ev(functional)).set_index("dimension")
    assert fmt.num(a.at["PI-2.1", "value_pct"]) == "12.12"


def test_zero_budget_is_not_rated(make_ev):
    def zero(c):
        c["expenditure"]["total"]["budget_initial"] = 0

    a = pefa.assess(make_ev(zero)).set_index("dimension")
    assert math.isnan(a.at["PI-1", "value_pct"]) and a.at["PI-1", "grade"] == ""
    assert "无法计算（基数为0）" in a.at["PI-1", "note"]


def test_three_years_apply_two_of_three(make_ev):
    def year(y, outturn_pct):
        def change(c):
            c["info"]["year"] = y
            # The seed's spending of 24788.37 against a budget giving the wanted outturn.
            c["expenditure"]["total"]["budget_initial"] = 24788.37 / (outturn_pct / 100)

        return make_ev(change)

    evs = [year(2017, 100), year(2018, 120), year(2019, 96)]
    a = pefa.assess(evs[-1], evs).set_index("dimension")
    assert a.at["PI-1", "grade"] == "A" and a.at["PI-1", "basis"] == pefa.TWO_OF_THREE
    assert a.at["PI-1", "values"] == "2017年 100.00%；2018年 120.00%；2019年 96.00%"
