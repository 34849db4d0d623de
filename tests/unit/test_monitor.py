"""Mid-year monitoring (issue #27): the 监控 workbook's contract, the warning levels, targets at
risk, deviations without explanation, the 绩效监控表 and the year-end link, on the sample's
synthetic July cut-off (data/yiyang-edu/2019-monitor-07.xlsx, monitor_2019.py) and on
workbooks written here. Figures hand-computed in the comments."""

from __future__ import annotations

import dataclasses
import math

import openpyxl
import pytest

import perfkit as pk
from perfkit.assess import monitor as m
from perfkit.data.monitorbook import load_monitor, monitor_content, write_monitor
from perfkit.data.params import settings_from_dict
from perfkit.errors import ParamsError, WorkbookError
from perfkit.report import monitorreport


@pytest.fixture(scope="module")
def mon() -> m.Monitoring:
    return m.load("yiyang-edu", 2019, 7)


def test_execution_against_the_calendar_with_levels_and_the_month_floor(mon):
    lines = m.budget_lines(mon).set_index("key")
    # 项目支出 1298.19 / 5192.76 = 25.00%; ÷ 7/12 = 42.86% (< 60: 红色); below the June floor 40%.
    assert lines.at["project", "execution_pct"] == pytest.approx(25.0, abs=1e-3)
    assert lines.at["project", "adjusted_pct"] == pytest.approx(42.857, abs=1e-3)
    assert lines.at["project", "level"] == m.RED and lines.at["project", "below_floor"]
    assert (lines.at["project", "floor_month"], lines.at["project", "floor_pct"]) == (6, 40.0)
    # 基本支出 8013.94 / 13738.19 = 58.33% = the calendar (7/12): 100% 绿色.
    assert lines.at["basic", "level"] == m.GREEN
    # 本年支出合计 9312.13 / 18122.94 = 51.38%; ÷ 7/12 = 88.09%.
    s = m.summary(mon)
    assert (s["execution_pct"], s["adjusted_pct"], s["level"]) == (51.38, 88.09, m.GREEN)
    assert s["lines_red"] == 1 and not s["below_floor"]


def test_levels_and_floors_are_settings(mon):
    strict = settings_from_dict({"department": "yiyang-edu", "year": 2019,
                                 "monitor_levels_pct": [90, 95],
                                 "monitor_month_floors_pct": {7: 55}})
    again = m.Monitoring(mon.data, strict)
    total = m.budget_lines(again).set_index("key").loc["total"]
    assert total["level"] == m.RED and total["below_floor"]  # 88.09 < 90; 51.38 < 55
    with pytest.raises(ParamsError, match="第一个不大于第二个"):
        settings_from_dict({"department": "x", "year": 2019, "monitor_levels_pct": [80, 60]})
    with pytest.raises(ParamsError, match="月份为 1 到 11"):
        settings_from_dict({"department": "x", "year": 2019, "monitor_month_floors_pct": {12: 90}})


def test_a_missed_risk_is_flagged_with_what_it_lacks(mon):
    risks = m.at_risk(mon).set_index("name")
    assert set(risks.index) == {"建设农村公办幼儿园", "中心城区学校建设投入"}
    kindergartens = risks.loc["建设农村公办幼儿园"]
    assert "全年预计完成达不到年度指标值（≥）的要求" in kindergartens["risk"]  # 48 < 55
    assert kindergartens["progress_pct"] == pytest.approx(21 / 55 * 100)
    lacking = m.unexplained(mon)
    assert list(lacking["name"]) == ["建设农村公办幼儿园"]
    assert lacking["missing"].iloc[0] == "纠偏措施"
    # A rate is a level: no progress computed on it.
    rows = m.target_rows(mon).set_index("name")
    assert rows.at["九年义务教育巩固率", "progress_kind"] == m.LEVEL
    assert math.isnan(rows.at["九年义务教育巩固率", "progress_pct"])


def test_an_at_most_target_expected_above_its_bound_is_at_risk(mon):
    rows = mon.data.targets.copy()
    rows.loc[len(rows)] = {**{c: None for c in rows.columns}, "name": "平均反应时间",
                           "unit": "分钟", "direction": "≤", "target": 15.0, "done": 16.0,
                           "expected": 15.5, "likelihood": "确定能", "cause": "人员保障",
                           "measures": "增设急救站点", "progress": "水平"}
    data = type(mon.data)(**{**mon.data.__dict__, "targets": rows})
    row = m.target_rows(m.Monitoring(data, mon.settings)).iloc[-1]
    assert row["at_risk"] and row["missing"] == "" and math.isnan(row["progress_pct"])


def test_template_lists_the_years_targets_and_reads_back(tmp_path):
    data = pk.load_workbook("data/yiyang-edu/2019.xlsx")
    content = monitor_content(data, 4)
    names = [r["name"] for r in content["monitor_targets"]]
    assert "九年义务教育巩固率" in names and "公办幼儿园占比" not in names  # 2020's targets left out
    path = write_monitor(tmp_path / "2019-monitor-04.xlsx", content, 4)
    book = openpyxl.load_workbook(path)
    assert [c.value for c in book["监控"][1]][:10] == [
        "指标代码", "一级指标", "二级指标", "三级指标", "单位", "方向", "年度指标值", "1-4月执行情况",
        "全年预计完成", "偏差原因"]
    assert book["预算执行"]["C1"].value == "截至4月执行数"
    back = load_monitor(path, expected_year=2019, expected_month=4)
    assert back.month == 4 and len(back.targets) == len(names)
    assert back.budget.at["total", "budget"] == pytest.approx(18122.94)


def test_bad_input_is_named_by_sheet_and_cell(tmp_path):
    content = monitor_content(None, 7, department_name="某局", year=2019)
    content["monitor_targets"] = [{"name": "指标甲", "direction": "≥", "target": 10}]
    path = write_monitor(tmp_path / "m.xlsx", content, 7)
    book = openpyxl.load_workbook(path)
    book["基本信息"]["B4"] = 12
    book["监控"]["H2"] = "约一半"
    book["监控"]["J2"] = "资金不足"
    book["监控"]["K2"] = "可能"
    book.save(path)
    with pytest.raises(WorkbookError) as caught:
        load_monitor(path)
    text = str(caught.value)
    assert "基本信息!B4" in text or "[基本信息!B4]" in text
    assert "1 到 11 的整数" in text
    for cell in ("监控!J2", "监控!K2"):
        assert cell in text
    assert "经费保障、制度保障、人员保障、硬件条件保障、其他 之一" in text
    assert "确定能、有可能、完全不可能 之一" in text
    with pytest.raises(Exception, match="截至月份 12 无效"):
        write_monitor(tmp_path / "n.xlsx", content, 12)


def test_the_monitoring_table_has_the_standard_columns(mon, tmp_path):
    path = monitorreport.write_monitor_table(mon, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path)["绩效监控表"]
    assert [c.value for c in ws[4]] == ["一级指标", "二级指标", "三级指标", "年度指标值",
                                        "1-7月执行情况", "全年预计完成", "偏差原因", "完成目标可能性",
                                        "纠偏措施", "备注"]
    rows = {r[2]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[2]}
    assert rows["建设农村公办幼儿园"][3:8] == ("≥55所", "21所", "48所", "经费保障", "有可能")
    assert "51.38%" in ws["A3"].value and "绿色" in ws["A3"].value


def test_the_bureau_summary_has_one_line_per_department(tmp_path):
    s = {"month": 7, "budget_wan_yuan": 100.0, "executed_wan_yuan": 30.0, "execution_pct": 30.0,
         "adjusted_pct": 51.43, "level": m.RED, "below_floor": True, "targets": 3, "at_risk": 1,
         "unexplained": 1, "gap_pp": None}
    path = monitorreport.write_monitor_summary(
        [{"department": "a", "department_name": "甲局", "monitor": s},
         {"department": "b", "department_name": None, "monitor": {**s, "level": m.GREEN}}],
        2022, tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(path)["监控汇总"]
    assert ws["A1"].value == "2022年1-7月部门绩效运行监控汇总"
    assert [ws.cell(r, 1).value for r in (3, 4)] == ["甲局", "b"]
    assert [ws.cell(r, 7).value for r in (3, 4)] == [m.RED, m.GREEN]


def test_year_end_link_of_the_sample_matches_by_code_and_finds_nothing(sample_ev):
    # The sample's 监控 workbook is synthetic: its settings keep it out of the year-end review.
    assert sample_ev.settings.monitor_year_end is False and m.year_end_link(sample_ev).empty
    ev = pk.Evaluation(sample_ev.data, dataclasses.replace(sample_ev.settings, monitor_year_end=True))
    link = m.year_end_link(ev)
    rows = link.set_index("name")
    teachers = rows.loc["市级定向培养农村中小学教师"]
    assert teachers["actual"] == 392 and teachers["status"] == "超额"
    assert rows.at["建设农村公办幼儿园", "warned"] and rows.at["建设农村公办幼儿园", "status"] == "无实际值"
    assert (link["finding"] == "").all()  # warned, but not known to be missed: no finding


def test_the_command_line_checks_a_monitoring_workbook_and_refuses_a_bad_month(tmp_path):
    from typer.testing import CliRunner

    from perfkit.cli import app

    runner = CliRunner(env={"COLUMNS": "300"})
    ok = runner.invoke(app, ["check", "data/yiyang-edu/2019-monitor-07.xlsx"])
    assert ok.exit_code == 0 and "2019年1-7月运行监控，目标15项" in ok.output
    bad = runner.invoke(app, ["run", "--year", "2019", "--monitor", "12"])
    assert bad.exit_code == 2 and "截至月份应为 1 到 11 的整数" in bad.output.replace("\n", "")
    exists = runner.invoke(app, ["template", "--year", "2019", "--dept", "yiyang-edu",
                                 "--monitor", "7"])
    assert exists.exit_code == 2 and "已存在，未覆盖" in exists.output.replace("\n", "")
    written = runner.invoke(app, ["template", str(tmp_path / "2019-monitor-05.xlsx"), "--year",
                                  "2019", "--dept", "yiyang-edu", "--monitor", "5"])
    assert written.exit_code == 0 and "15项年度目标" in written.output.replace("\n", "")


def test_a_target_the_department_said_nothing_about_is_unreported_not_expected(tmp_path, sample_ev):
    """A fresh 监控 workbook (template --monitor 8, nothing filled): no target is 预计完成 and none
    is at risk; the document says the 15 are 未填报."""
    content = monitor_content(sample_ev.data, 8, targets=m.template_targets(sample_ev.data))
    path = write_monitor(tmp_path / "2019-monitor-08.xlsx", content, 8)
    empty = m.Monitoring(load_monitor(path, expected_year=2019), sample_ev.settings)
    rows = m.target_rows(empty)
    assert len(rows) == 15 and rows["unreported"].all() and not rows["at_risk"].any()
    assert m.summary(empty)["unreported"] == 15
    table = monitorreport.target_table(empty)
    assert {row[-1] for row in table.rows} == {"未填报"}
    text = monitorreport.overview(empty).plain_text()
    assert "无法判断的15项" in text
