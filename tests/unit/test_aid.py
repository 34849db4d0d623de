"""Student aid: per-person aid per programme, shares, 两免一补 sum, below-standard flag."""

from __future__ import annotations

import math

import pytest

from perfkit import fmt
from perfkit.assess import targets
from perfkit.indicators.aid import BELOW_STANDARD, programme_frame
from perfkit.assess.checks import run_domain_checks


@pytest.fixture(scope="module")
def programmes(sample_ev):
    return programme_frame(sample_ev.data).set_index("program")


@pytest.mark.parametrize(
    ("program", "per_capita"),
    [
        ("学前教育资助", "500.05"),  # 1055.1万 / 21100 = 500.047
        ("普通高中国家助学金", "1154.64"),  # 2117.95万 / 18343
        ("普通高中免学费", "890.03"),  # 769.16万 / 8642
        ("中职免学费", "1244.95"),  # 6624.12万 / 53208
        ("中职国家助学金", "1000.00"),  # 1736.6万 / 17366
        ("生源地信用助学贷款", "8279.39"),  # 3185.08万 / 3847
        ("免费教科书", "63.29"),  # 4761万 / 752200
        ("家庭经济困难学生生活费补助", "818.93"),  # 4586万 / 56000
        ("农村义务教育学生营养改善计划", "588.61"),  # 4238万 / 72000
    ],
)
def test_per_capita_yuan(programmes, program, per_capita):
    assert fmt.num(programmes.at[program, "per_capita_yuan"]) == per_capita


def test_preschool_is_500_yuan(programmes):
    assert fmt.num(programmes.at["学前教育资助", "per_capita_yuan"], 0) == "500"


def test_missing_persons_is_a_gap_not_zero(sample_ev, programmes):
    row = programmes.loc["免除学杂费补助公用经费"]
    assert math.isnan(row["per_capita_yuan"]) and row["per_capita_note"]
    gaps = targets.gaps(sample_ev, "aid")
    assert list(gaps["label_zh"]) == ["“免除学杂费补助公用经费”人均资助金额"]
    assert gaps.iloc[0]["cells"] == "学生资助!D2"


def test_shares_and_totals(sample_ev, programmes):
    total = 31000 + 4761 + 4586 + 4238 + 1055.1 + 2117.95 + 769.16 + 6624.12 + 1736.6 + 3185.08
    assert fmt.num(sample_ev.value("aid_total_wan_yuan")) == fmt.num(total) == "60073.01"
    assert fmt.num(programmes.at["免除学杂费补助公用经费", "amount_share_pct"]) == "51.60"  # 31000/60073.01
    assert fmt.num(programmes["amount_share_pct"].sum()) == "100.00"
    assert sample_ev.value("two_exemptions_total_wan_yuan") == 40347  # 31000 + 4761 + 4586


def test_nutrition_below_standard_is_flagged(sample_ev, programmes):
    row = programmes.loc["农村义务教育学生营养改善计划"]
    assert row["standard_yuan"] == 800 and row["flag"] == BELOW_STANDARD
    assert fmt.num(row["per_capita_to_standard_pct"]) == "73.58"  # 588.61 / 800
    assert sample_ev.value("aid_below_standard_count") == 1
    checks = run_domain_checks(sample_ev.data, sample_ev.settings, "aid").set_index("check")
    flag = checks.loc["aid_standard_农村义务教育学生营养改善计划"]
    assert flag["verdict"] == "需说明" and "588.61元" in flag["explanation"]


def test_two_exemptions_sum_within_rounding(sample_ev):
    row = run_domain_checks(sample_ev.data, sample_ev.settings, "aid").set_index("check").loc[
        "aid_group_两免一补"]
    # 应为 = Σ parts 3.1亿+4761万+4586万; 实际 = the report's 4.04亿; 差额 = 实际 − 应为.
    assert (row["expected"], row["actual"]) == (40347, 40400)
    assert row["difference"] == 53
    # 4.04亿 is ±50万; 3.1亿 is ±500万; 4761 and 4586 are ±0.5 each
    assert row["tolerance"] == 551
    # 40347万 rounds to 4.03亿, not the printed 4.04亿: only the rounding of the printed parts
    # explains the gap — 舍入差异, as the audit of the same 报告数值 (S7) says.
    assert row["verdict"] == "舍入差异" and "可由舍入解释" in row["explanation"]


def test_two_exemptions_sum_beyond_rounding(make_ev):
    def wrong(c):
        for s in c["stated"]:
            if s["check"] == "sum(学生资助:两免一补)":
                s["stated"] = "4.14亿元"

    ev = make_ev(wrong)
    row = run_domain_checks(ev.data, ev.settings, "aid").set_index("check").loc["aid_group_两免一补"]
    assert row["verdict"] == "不一致" and row["difference"] == 1053  # 41400 stated − 40347


@pytest.mark.parametrize(("persons", "note"), [(0, "无法计算（基数为0）"), (None, "受助人次或金额未提供")])
def test_zero_or_missing_persons(make_ev, persons, note):
    def change(c):
        for a in c["aid"]:
            if a["program"] == "农村义务教育学生营养改善计划":
                a["persons"] = persons

    ev = make_ev(change)
    row = programme_frame(ev.data).set_index("program").loc["农村义务教育学生营养改善计划"]
    assert math.isnan(row["per_capita_yuan"]) and row["per_capita_note"] == note
    assert math.isnan(ev.value("aid_below_standard_count"))  # nothing left to compare


def test_amounts_in_yuan_are_converted(make_ev):
    def in_yuan(c):
        c["info"]["unit"] = "元"
        for a in c["aid"]:
            a["amount"] = None if a["amount"] is None else a["amount"] * 10_000
        for sheet in ("income", "expenditure", "balance", "three_public"):
            for cols in c[sheet].values():
                for k, v in list(cols.items()):
                    if isinstance(v, (int, float)):
                        cols[k] = v * 10_000

    ev = make_ev(in_yuan)
    row = programme_frame(ev.data).set_index("program").loc["学前教育资助"]
    assert fmt.num(row["per_capita_yuan"]) == "500.05"


def test_the_counting_unit_of_each_programme(sample_ev, programmes):
    """计数单位: the report counts 生活费补助 (5.6万人), 营养改善计划 (7.2万名学生) and 生源地贷款
    (贷款人数3847人) in persons; the others in 人次 (the column left empty)."""
    units = programmes["count_unit"].to_dict()
    in_persons = {"家庭经济困难学生生活费补助", "农村义务教育学生营养改善计划", "生源地信用助学贷款"}
    assert {p for p, u in units.items() if u == "人"} == in_persons
    assert {u for p, u in units.items() if p not in in_persons} == {"人次"}
    from perfkit.report import narrative, tables

    text = narrative.aid_sheet_text(sample_ev)
    assert "受助56000人，人均818.93元/人" in text and "受助75.22万人次，人均63.29元/人次" in text
    frame = tables.aid_programme_table(sample_ev).frame
    assert list(frame["计数单位"])[:3] == ["", "人次", "人"]  # no count, no unit
    from perfkit.report import domainreport

    assert domainreport.sheet_sections(sample_ev, "health") == []  # no sheet of its own


def test_a_counting_unit_other_than_ren_or_renci_is_refused(make_workbook):
    import perfkit as pk
    from perfkit.errors import WorkbookError

    def change(c):
        c["aid"][1]["count_unit"] = "户"

    with pytest.raises(WorkbookError, match=r"学生资助!G3.*“户”.*人次、人 之一"):
        pk.load_workbook(make_workbook(change))
