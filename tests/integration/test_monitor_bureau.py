"""Mid-year monitoring of the county health bureau (tests/bureaus.py), 1-7月 2022: ``template
--monitor 7`` lists its targets, ``run --monitor 7`` writes the document and the 绩效监控表, a
lagging execution and a missed risk are flagged; at year end the 复核 compares the prediction
with what happened and lists the target warned about and missed without a 纠偏措施; with a second
department the bureau gets its 监控汇总 (issue #27)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest

import perfkit as pk
from bureaus import DEPT, make_county_health, make_health_monitor, perfkit
from perfkit import config
from perfkit.assess.monitor import MISSED_UNCORRECTED, year_end_link
from perfkit.assess.problems import find_problems

pytestmark = pytest.mark.slow

CHECKOUT_NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "monitor.ipynb"


@pytest.fixture(scope="module")
def bureau(tmp_path_factory) -> Path:
    project = make_county_health(tmp_path_factory.mktemp("monitor"))
    # perfkit init copied the installed perfkit's notebooks; this checkout's monitor notebook is
    # the one under test.
    shutil.copyfile(CHECKOUT_NOTEBOOK, project / "notebooks" / "monitor.ipynb")
    make_health_monitor(project)
    perfkit(["run", "--year", "2022", "--monitor", "7"], project)
    return project


def test_template_lists_the_years_targets(bureau):
    ws = openpyxl.load_workbook(bureau / "data" / DEPT / "2022-monitor-07.xlsx")["监控"]
    names = [ws.cell(r, 4).value for r in range(2, ws.max_row + 1)]
    assert "孕产妇死亡率" in names and "群众满意度" in names and len(names) == 12


def test_lagging_execution_and_missed_risk_are_flagged(bureau):
    out = bureau / "outputs" / DEPT / "2022"
    s = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["monitor"]
    # 4126.94 / 11680.50 = 35.33%; ÷ 7/12 = 60.57%: 黄色, below the June floor of 40%.
    assert (s["execution_pct"], s["adjusted_pct"], s["level"]) == (35.33, 60.57, "黄色")
    assert s["below_floor"] and s["lines_red"] == 1  # 项目支出 48.00%
    assert (s["at_risk"], s["unexplained"]) == (2, 1)
    assert s["mismatch"] and s["gap_pp"] == -16.33  # 35.3319 − 51.6667 (监督执法检查 310/600)
    html = (out / "monitor.html").read_text(encoding="utf-8")
    for text in ("60.57%", "孕产妇死亡率：缺少纠偏措施", "相差16.33个百分点"):
        assert text in html
    assert {p.name for p in out.iterdir()} >= {"monitor.html", "monitor.pdf", "monitor.docx",
                                                "绩效监控表_2022年1-7月.xlsx"}
    words = "".join(p.text for p in docx.Document(out / "monitor.docx").paragraphs)
    assert "绩效运行监控情况" in words
    index = (bureau / "outputs" / "index.html").read_text(encoding="utf-8")
    assert "1-7月：执行35.33%，调整后60.57%，未达进度节点" in index


def test_the_monitoring_table_is_as_submitted(bureau):
    ws = openpyxl.load_workbook(
        bureau / "outputs" / DEPT / "2022" / "绩效监控表_2022年1-7月.xlsx")["绩效监控表"]
    rows = {r[2]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[2]}
    assert rows["孕产妇死亡率"][3:9] == ("≤18/10万", "26.50/10万", "22/10万", "其他", "有可能", None)


def test_year_end_review_lists_the_target_warned_and_missed(bureau):
    with config.using(config.Project.at(bureau)):
        ev = pk.load(DEPT, 2022)
        link = year_end_link(ev).set_index("name")
        assert link.at["孕产妇死亡率", "finding"] == MISSED_UNCORRECTED  # 31.10 > 18
        assert link.at["基层医疗卫生机构标准化建设达标率", "finding"] == ""  # had a 纠偏措施
        problems = find_problems(ev)
        missed = problems[problems["type"] == "monitor_missed"]
        assert list(missed["item_zh"]) == ["孕产妇死亡率"]
        assert "年底实际31.10/10万" in missed["detail_zh"].iloc[0]
        blocks = pk.review.monitoring_link(ev)
        assert "1项未写明纠偏措施且年底未完成" in "".join(str(b) for b in blocks)


def test_several_departments_get_a_summary(bureau):
    other = bureau / "data" / "township-health"
    other.mkdir(exist_ok=True)
    book = openpyxl.load_workbook(bureau / "data" / DEPT / "2022-monitor-07.xlsx")
    book["基本信息"]["B2"] = "某镇卫生院（合成测试数据）"
    book.save(other / "2022-monitor-07.xlsx")
    perfkit(["run", "--monitor", "7"], bureau)
    ws = openpyxl.load_workbook(bureau / "outputs" / "监控汇总_2022年.xlsx")["监控汇总"]
    assert [ws.cell(r, 1).value for r in (3, 4)] == ["某县卫生健康局（合成测试数据）",
                                                     "某镇卫生院（合成测试数据）"]
    index = (bureau / "outputs" / "index.html").read_text(encoding="utf-8")
    assert index.count("绩效监控表（黄色）") == 2
