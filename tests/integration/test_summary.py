"""End to end: the summary report (自评报告) executed by the runner and rendered for a reviewer."""

from __future__ import annotations

import html as html_lib
import json
import re

import pandas as pd
import pytest

from perfkit.runner import run

pytestmark = pytest.mark.slow

# The 2019 targets the seed sets without stating an actual value (data gaps, not numbers).
UNMEASURED = ("九年义务教育巩固率", "高中阶段教育毛入学率", "56人以上大班额比例", "建设农村公办幼儿园",
              "中心城区新建学校", "中心城区改扩建学校", "中小学封闭化管理比例",
              "城市中小学专职保安员配备率")


@pytest.fixture(scope="module")
def summary_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    results = run([("yiyang-edu", 2019)], notebooks=["summary"], outputs=out, pdf=False)
    return out / "yiyang-edu" / "2019", results


@pytest.fixture(scope="module")
def text(summary_run):
    folder, _ = summary_run
    page = (folder / "summary.html").read_text(encoding="utf-8")
    return html_lib.unescape(re.sub(r"<[^>]+>", "", page))


def test_summary_runs(summary_run):
    _, results = summary_run
    assert [r.status for r in results] == ["ok"], results


def test_sections_in_the_seed_order(text):
    heads = ["一、基本情况", "二、绩效评价情况", "三、主要绩效及评价结论", "四、存在的问题", "五、有关建议",
             "六、下年工作思路", "附录"]
    positions = [text.rindex(h) for h in heads]
    assert positions == sorted(positions)


def test_score_sheet_total_grade_and_claim(text, summary_run):
    folder, _ = summary_run
    scores = pd.read_csv(folder / "tables" / "scores.csv")
    assert len(scores) == 24 and scores["points"].sum() == 100
    # The total printed equals the sum of the item scores of the sheet.
    assert round(scores["score"].sum(), 2) == 15.12
    assert "自评得分为15.12分，等级为“差”" in text
    assert "部门自评得分为96.80分（优）" in text and "81.68" in text
    # Every deduction is explained: each item's reason is printed in the sheet.
    for reason in scores["reason"]:
        assert reason in text
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["score"]["total"] == 15.12 and manifest["score"]["grade"] == "差"
    assert manifest["score"]["claimed"] == 96.8


def test_pefa_second_opinion(text):
    assert "支出总额执行偏差（PI-1）为136.78%，评级D" in text
    assert "收入总额执行偏差（PI-3.1）为133.49%，评级D" in text
    assert "单年度参考" in text


def test_problems_name_the_gap_and_each_unmeasured_target(text):
    # The table of contents names the headings first: take the sections themselves.
    problems = text[text.rindex("四、存在的问题"):text.rindex("五、有关建议")]
    assert "5857.42万元" in problems
    for name in UNMEASURED:
        assert name in problems, name
    assert "588.61元/人次" in problems  # 营养改善计划 4238万元 / 72000人次, standard 800元


def test_appendix_has_definitions_and_provenance(text):
    appendix = text[text.rindex("附录一"):]
    assert "revenue_execution_pct" in appendix and "在职人数 / 编制数 × 100%" in appendix
    assert re.search(r"工作簿 SHA-256\s*[0-9a-f]{64}", appendix)
    assert "perfkit 版本" in appendix and "运行时间" in appendix
