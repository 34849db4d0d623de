"""End to end: the department's 自评报告 and the reviewer's 复核意见, executed and rendered."""

from __future__ import annotations

import html as html_lib
import json
import re
from decimal import Decimal

import pandas as pd
import pytest

from perfkit import config
from perfkit.report.index import write_index
from perfkit.run.runner import run

pytestmark = pytest.mark.slow

SEED = config.DATA_DIR / "yiyang-edu" / "2019-report.txt"
NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    results = run([("yiyang-edu", 2019)], notebooks=["report", "review"], outputs=out, pdf=False)
    write_index(out)
    return out, results


def _text(folder, name: str) -> str:
    """What a reader sees: the body's text, without style sheets."""
    page = (folder / f"{name}.html").read_text(encoding="utf-8")
    body = page[page.index("<body"):]
    body = re.sub(r"<(style|script)\b.*?</\1>", "", body, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", body))


@pytest.fixture(scope="module")
def report(both):
    return _text(both[0] / "yiyang-edu" / "2019", "report")


@pytest.fixture(scope="module")
def review(both):
    return _text(both[0] / "yiyang-edu" / "2019", "review")


def _numbers(text: str) -> set[Decimal]:
    return {Decimal(n).normalize() for n in NUMBER.findall(text)}


def test_both_documents_run(both):
    assert sorted(r.status for r in both[1]) == ["ok", "ok"], both[1]


def test_report_has_the_structure_of_a_self_evaluation(report):
    """The sample's 报告文字 holds the seed's own outline (标题级别): the report follows it, in
    the seed's order and wording, not perfkit's standard outline (issue #23)."""
    body = report[report.rindex("一、基本情况"):]  # after the table of contents
    heads = ["一、基本情况", "（一）部门整体支出概况", "（二）部门整体支出的绩效目标",
             "1.部门绩效考核的个性指标", "2.2019年度预决算公开情况", "3.资产管理的情况",
             "4.“三公”经费控制情况", "5.内部控制制度建设情况", "二、绩效评价情况",
             "三、主要绩效及评价结论", "存在的问题", "五、有关建议", "六、2020年工作思路"]
    lines = "\n" + body  # a heading is a line of its own ("存在的问题" is also in a sentence)
    positions = [lines.index(f"\n{h}\n") for h in heads]
    assert positions == sorted(positions)
    for standard in ("一、部门基本情况", "二、部门整体支出管理及使用情况", "六、自评结论"):
        assert standard not in body, standard
    # 落款 at the end: the unit and the report's date.
    assert re.search(r"益阳市教育局\s*2020年4月28日\s*$", body.strip())


def test_report_is_the_departments_document(report):
    # The seed states its score (96.8) in its own words; the report quotes them and adds none.
    assert "此次自评分数96.8分" in report and "等级为" not in report
    # Nothing of the review: no recomputed score, no audit verdict, no reviewer wording.
    for word in ("复核", "24.00", "无法核对", "未解释差额", "舍入差异", "PEFA", "SHA-256", "perfkit"):
        assert word not in report, word
    # The department's own words are quoted as written.
    assert "增加的主要原因是由于招商引资的力度加大" in report
    assert "（一）队伍结构不合理。教师学历和学科结构不能适应新的需求" in report
    # A report as written states no gap of its own: what it lacks is the review's finding.
    assert "未提供" not in report


def test_every_figure_the_seed_states_is_in_the_report(report):
    # List numbering at the start of a line ("2.2019年度预决算公开情况") is not a figure.
    seed = re.sub(r"(?m)^\s*\d+\.", "", SEED.read_text(encoding="utf-8"))
    missing = _numbers(seed) - _numbers(report)
    assert not missing, sorted(missing)


def test_review_sets_the_claim_beside_the_review_score(review, both):
    assert "部门自评得分96.80分（未填报等级，按分数属“优”）" in review
    # A first reading (review_stage initial, the default): what the evidence earns and what
    # waits for 补充资料 (68 of the 76 lost), with the grades the range allows.
    assert "已核实部分24.00分（核实范围32.00分），待补充资料68.00分" in review
    assert "等级可能为优、良、中、差" in review and "补充资料清单（共18项" in review
    assert "自评得分" in review and "复核得分" in review
    # The decomposition adds up to the difference.
    folder = both[0] / "yiyang-edu" / "2019"
    scores = pd.read_csv(folder / "tables" / "scores.csv")
    lost = {c: Decimal(str(round(scores[c].sum(), 2))) for c in scores if c.startswith("lost_")}
    assert sum(lost.values()) == Decimal("76.00")
    assert Decimal("76.00") - (Decimal(100) - Decimal("96.8")) == Decimal("72.80")
    for figure in ("76.00", "-3.20", "72.80", "68.00"):
        assert figure in review, figure
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["score"]["total"] == 24.00 and manifest["score"]["claimed"] == 96.8
    assert manifest["score"]["stage"] == "initial" and manifest["score"]["range"] == [24.0, 92.0]


def test_review_holds_the_reviewer_material(review):
    for part in ("报告数值与勾稽关系核对", "5857.42万元", "PEFA", "数据缺口", "指标定义（数据字典）",
                 "数据来源与版本", "公务用车购置费"):
        assert part in review, part
    assert "支出总额执行偏差（PI-1）为136.78%，评级D" in review


def test_index_shows_both_scores_and_links_both_documents(both):
    page = (both[0] / "index.html").read_text(encoding="utf-8")
    # The department's score as it states it (no grade: the sample states none), the review's
    # score and grade.
    assert "96.80" in page and "24.00–92.00" in page and "初审" in page
    assert 'href="yiyang-edu/2019/report.html"' in page
    assert 'href="yiyang-edu/2019/review.html"' in page
    assert "部门整体支出绩效自评报告" in page and "复核意见" in page
