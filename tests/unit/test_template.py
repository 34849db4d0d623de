"""A new year's workbook from last year's (perfkit template --from), and year-on-year changes."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import with_outputs

import perfkit as pk
from perfkit import config
from perfkit.assess.scoresheet import load_sheet
from perfkit.errors import PerfkitError
from perfkit.run.newyear import next_year_content, next_year_params, write_next_year
from perfkit.report.reasons import reason_text


@pytest.fixture
def project(sample_project):
    return sample_project


@pytest.fixture(scope="module")
def content():
    return next_year_content(pk.load_workbook(config.DATA_DIR / "yiyang-edu" / "2019.xlsx"), 2020,
                             load_sheet("input-process-output-outcome"))


def _target(content, code):
    return next(r for r in content["targets"] if r["code"] == code)


@pytest.mark.parametrize(("sheet", "item", "column", "expected"), [
    ("income", "total", "prior_actual", 24192.45),      # seed: 决算收入 24192.45
    ("income", "service", "prior_actual", 3470.41),
    ("income", "other", "prior_actual", 727.3),
    ("expenditure", "total", "prior_actual", 24788.37),  # seed: 决算支出 24788.37
    ("expenditure", "basic", "prior_actual", 13738.19),
    ("three_public", "total", "prior_actual", 88.53),    # seed: "三公" 88.53
    ("three_public", "reception", "prior_actual", 36.71),
])
def test_last_years_actuals_become_prior_figures(content, sheet, item, column, expected):
    assert content[sheet][item][column] == pytest.approx(expected)
    assert "actual" not in content[sheet][item]  # the new year's actual stays empty


def test_nothing_of_the_new_year_is_filled(content):
    assert content["info"] == {"department_name": "益阳市教育局", "year": 2020, "unit": "万元"}
    assert content["balance"] == {} and content["aid"] == [] and content["stated"] == []
    assert all(r.get("actual") is None for r in content["targets"])
    assert all("met" not in r for r in content["qualitative"])
    assert all("content" not in r for r in content["text"])  # sections listed, none written
    assert all("score" not in r for r in content["self_scores"])
    # No prior-year 预算数 in the sample: nothing is invented for it.
    assert "prior_budget" not in content["three_public"]["total"]


def test_targets_are_carried_over(content):
    municipal = _target(content, "teacher_directed_municipal_count")
    assert (municipal["target"], municipal["prior"]) == (350, 392)  # target copied, actual → 上年值
    assert "沿用2019年度" in municipal["guidance"] and municipal.get("note") is None
    retention = _target(content, "compulsory_retention_rate_pct")  # 2019 had no actual: a gap
    assert (retention["target"], retention["prior"]) == (98, None)
    statistic = _target(content, "teacher_training_person_times")  # no target, 2万人次 in 2019
    assert (statistic["target"], statistic["prior"]) == (None, 20000)


def test_targets_the_old_report_set_for_the_new_year_become_its_targets(content):
    row = _target(content, "public_kindergarten_share_pct")  # 六、2020年工作思路: ≥50%
    assert row["target"] == 50 and row["direction"] == "≥"
    assert "target_year" not in row  # empty = the evaluation year, 2020
    assert "2020年目标" in row["guidance"]


def test_a_target_for_the_new_year_replaces_the_copied_one():
    frame = pd.DataFrame([
        {"domain": "quality", "code": "x_pct", "name": "某指标", "unit": "%", "direction": "≥",
         "target": 90.0, "actual": 91.0, "prior": math.nan, "target_year": math.nan},
        {"domain": "quality", "code": "x_pct", "name": "某指标", "unit": "%", "direction": "≥",
         "target": 95.0, "actual": math.nan, "prior": math.nan, "target_year": 2020.0},
        {"domain": "quality", "code": "y_pct", "name": "远期", "unit": "%", "direction": "≥",
         "target": 99.0, "actual": math.nan, "prior": math.nan, "target_year": 2022.0},
    ])
    from perfkit.run.newyear import _next_targets

    rows = _next_targets(frame, 2019, 2020)
    assert [(r["code"], r["target"], r["prior"]) for r in rows] == [
        ("x_pct", 95, 91), ("y_pct", 99, None)]
    assert rows[1]["target_year"] == 2022


def test_new_year_must_follow_the_old():
    data = pk.load_workbook(config.DATA_DIR / "yiyang-edu" / "2019.xlsx")
    with pytest.raises(PerfkitError):
        next_year_content(data, 2019, load_sheet("input-process-output-outcome"))


def test_amounts_are_written_back_in_the_declared_unit(make_workbook):
    def in_yuan(c):
        c["info"]["unit"] = "元"
        c["income"]["total"]["actual"] = 241924500  # 24192.45 万元
    data = pk.load_workbook(make_workbook(in_yuan))
    content = next_year_content(data, 2020, load_sheet("input-process-output-outcome"))
    assert content["info"]["unit"] == "元"
    assert content["income"]["total"]["prior_actual"] == 241924500


def test_params_keep_comments_and_choices():
    text = "# Run settings, 2019\nyear: 2019\nworkbook: data/d/2019.xlsx\nbudget_basis: adjusted\n"
    out = next_year_params(text, "d", 2019, 2020)
    assert "year: 2020\n" in out and "workbook: data/d/2020.xlsx\n" in out
    assert "budget_basis: adjusted" in out and "# Run settings, 2020" in out


def test_write_next_year_writes_a_valid_workbook_and_settings(project):
    book, _ = write_next_year("yiyang-edu", 2020, 2019)
    assert book == project / "data" / "yiyang-edu" / "2020.xlsx"
    data = pk.load_workbook(book, expected_year=2020)  # perfkit check passes
    assert data.value("income", "total", "prior_actual") == pytest.approx(24192.45)
    assert math.isnan(data.value("income", "total", "actual"))
    from perfkit.data.params import load_settings

    s = load_settings("yiyang-edu", 2020)
    assert (s.year, s.workbook, s.budget_basis) == (2020, "data/yiyang-edu/2020.xlsx", "initial")
    with pytest.raises(PerfkitError, match="已存在"):
        write_next_year("yiyang-edu", 2020, 2019)


def test_cli_template_from_then_check(project):
    from perfkit.cli import app

    runner = CliRunner()
    made = runner.invoke(app, ["template", "--year", "2020", "--from", "2019",
                               "--dept", "yiyang-edu"])
    assert made.exit_code == 0, made.output
    assert (project / "params" / "yiyang-edu" / "2020.yaml").exists()
    checked = runner.invoke(app, ["check", str(project / "data" / "yiyang-edu" / "2020.xlsx")])
    assert checked.exit_code == 0, checked.output
    assert "通过" in checked.output


# --- year-on-year changes (perfkit.assess.history) ------------------------------------------------


def _earlier(outputs, dept, year, values: dict[str, float]) -> None:
    folder = outputs / dept / str(year) / "tables"
    folder.mkdir(parents=True)
    pd.DataFrame([{"id": k, "label_zh": k, "domain": "finance", "value": v, "unit": "%",
                   "direction": "越低越好", "note": "", "definition_zh": "", "source_cells": ""}
                  for k, v in values.items()]).to_csv(folder / "indicators.csv", index=False)


def test_changes_against_the_latest_earlier_year(sample_ev, tmp_path):
    from perfkit.assess.history import changes, earlier_years

    outputs = tmp_path / "out"
    _earlier(outputs, "yiyang-edu", 2017, {"three_public_control_pct": 50.0})
    _earlier(outputs, "yiyang-edu", 2018, {"revenue_execution_pct": 100.0,
                                           "three_public_change_pct": 0.0})
    assert earlier_years(sample_ev, outputs) == [2017, 2018]
    c = changes(sample_ev, "finance", outputs).set_index("id")
    rev = c.loc["revenue_execution_pct"]  # seed: 133.49% in 2019
    assert rev["prior_year"] == 2018
    assert rev["change"] == pytest.approx(33.490758, abs=1e-5)
    assert rev["change_pct"] == pytest.approx(33.490758, abs=1e-5)
    zero = c.loc["three_public_change_pct"]  # 2018 value 0: no rate
    assert math.isnan(zero["change_pct"]) and zero["change_note"] == "无法计算（基数为0）"
    gap = c.loc["three_public_control_pct"]  # 2017 had it; 2019 has no "三公" budget
    assert gap["prior_year"] == 2017 and gap["change_note"] == "本年无数值"
    assert c.loc["staff_control_pct", "change_note"] == "此前年度无数值"


def test_no_earlier_year_gives_a_sentence_not_a_table(sample_ev, tmp_path):
    sample_ev = with_outputs(sample_ev, tmp_path / "empty")
    text = pk.tables.change_table(sample_ev)
    assert "本节不作历年比较" in str(text)
    assert pk.charts.indicator_trend(sample_ev) is None


def test_next_years_settings_do_not_carry_last_years_confirmations():
    from perfkit.run.newyear import next_year_params

    text = ("department: d\nyear: 2019\nconfirmed_values:\n  - 三公经费!C5\n  - 三公经费!C6\n"
            "missing_policy: zero\n")
    out = next_year_params(text, "d", 2019, 2020)
    assert "三公经费!C5" not in out and "三公经费!C6" not in out
    assert "year: 2020" in out and "missing_policy: zero" in out and "confirmed_values 未沿用" in out


def test_template_is_prefilled_from_the_score_sheet_and_report_structure(project):
    from perfkit.assess.rules import Checklist
    from perfkit.cli import app
    from perfkit.data.sheets import TEXT_SECTIONS

    result = CliRunner().invoke(app, ["template", "--year", "2021", "--dept", "newdept"])
    assert result.exit_code == 0, result.output
    import openpyxl

    path = project / "data" / "newdept" / "2021.xlsx"
    book = openpyxl.load_workbook(path)
    book["基本信息"]["B2"] = "新部门"  # the only cell a template cannot know
    book.save(path)
    data = pk.load_workbook(path)
    sheet = load_sheet("input-process-output-outcome")
    conditions = [(i.rule.item, c) for i in sheet.items if isinstance(i.rule, Checklist)
                  for c in i.rule.conditions_zh]
    qual = data.frames["qualitative"]
    assert list(zip(qual["item"], qual["condition"], strict=True)) == conditions
    assert qual["met"].isna().all()  # nothing answered for the department
    text = data.frames["text"]
    assert list(text["section"]) == [t.label for t in TEXT_SECTIONS]
    assert text["content"].isna().all() and text["guidance"].notna().all()
    scores = data.frames["self_scores"]
    assert list(scores["item"]) == [i.id for i in sheet.items]
    assert scores["points"].sum() == 100 and scores["score"].isna().all()


def test_template_for_domains_lists_their_indicators_and_writes_the_settings(project):
    """perfkit template --domains health,quality: one 绩效指标 row per figure those catalogs read,
    the params file naming the domains; a second call leaves the params alone."""
    import openpyxl

    from perfkit.cli import app
    from perfkit.domains import catalogs

    result = CliRunner().invoke(app, ["template", "--year", "2021", "--dept", "newdept",
                                      "--domains", "health, 教育质量"])
    assert result.exit_code == 0, result.output
    params = config.params_path("newdept", 2021)
    assert "domains: [quality, health]" in params.read_text(encoding="utf-8")
    from perfkit.data.params import load_settings

    assert load_settings("newdept", 2021).domains == ("quality", "health")
    rows = list(openpyxl.load_workbook(project / "data" / "newdept" / "2021.xlsx")["绩效指标"]
                .iter_rows(min_row=2, values_only=True))
    cats = catalogs()
    expected = [(c.label_zh, i.code, i.label_zh, i.unit) for k in ("quality", "health")
                for c in [cats[k]] for i in c.indicators if i.formula is None]
    assert [r[:4] for r in rows] == expected
    assert all(r[5] is None and r[6] is None for r in rows)  # 目标值, 实际值 empty
    directions = {r[1]: r[4] for r in rows if r[4]}
    assert directions == {"big_class_eliminated_count": "≥"}  # the catalog's target rule
    again = CliRunner().invoke(app, ["template", str(project / "other.xlsx"), "--domains", "aid"])
    assert again.exit_code == 0, again.output
    bad = CliRunner().invoke(app, ["template", str(project / "x.xlsx"), "--domains", "water"])
    assert bad.exit_code != 0 and "未知的领域“water”" in bad.output


def test_a_blank_new_year_earns_no_marks_for_data_quality(project):
    """Last year's figures carried into the 上年 columns were judged last year: a new year's
    workbook with nothing of its own filled in has nothing checked for 基础信息完善性 (it earned
    2 of 2 when the 上年 三公 sum counted as a clean check)."""
    from perfkit.assess.scoring import score

    workbook, _ = write_next_year("yiyang-edu", 2020, 2019)
    ev = pk.load("yiyang-edu", 2020, workbook=workbook)
    result = score(ev, "input-process-output-outcome")
    items = result.items.set_index("item")
    assert items.at["basic_information", "score"] == 0.0
    assert "2020年度没有可核对的勾稽关系或报告数值" in reason_text(items.at["basic_information", "why"])
    # The one item it earns: 绩效指标明确性 (K10) on the 2020 targets the 2019 report set (公办
    # 幼儿园占比 ≥50%, 普惠性 ≥80%, 小区配套幼儿园整改 ≥35个, 按标准班额办学 全面): 4 of 4 clear;
    # the 14 targets copied from 2019 for review (未核改) are not yet 2020's and do not count.
    clarity = items.at["indicator_clarity", "why"]
    assert clarity.figures["targets"] == 4 and len(clarity.figures["unreviewed"]) == 14
    assert items.at["indicator_clarity", "score"] == 2.0
    assert result.total == 2.0
