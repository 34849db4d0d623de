"""The 复核 in two stages and the 复核口径 as data (issue #24 items 2–3): figures computed by hand
on the 2019 sample (input-process-output-outcome, 100 points)."""

from __future__ import annotations

import io
import math
import re
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from perfkit.assess import reviewstage
from perfkit.assess.reviewrules import NO_EVIDENCE, SATISFACTION, STANDARD, RuleContext
from perfkit.assess.reviewstage import FINAL, INITIAL, deadline_text, review_outcome
from perfkit.assess.rules import _once
from perfkit.assess.scoresheet import load_sheet
from perfkit.assess.scoring import score
from perfkit.config import PACKAGE_DIR
from perfkit.errors import ScoreSheetError
from perfkit.report import reviewstage as text
from perfkit.report.blocks import text_of
from perfkit.report.workpaper import COLUMNS, workpaper_bytes

SHEETS = sorted(p.stem for p in (PACKAGE_DIR / "score_sheets").glob("*.yaml"))


def test_initial_gives_a_range_and_the_supplements(sample_ev):
    o = review_outcome(sample_ev, INITIAL)
    # Missing evidence on the sample: 明确性 2, 在职 4, 重点 3, 预算完成率 6 and 收入完成率 2 (over
    # the 调整预算, K07), 调整 3, 结转变动 3, 公用 3, 三公控制 4, 合规 4, 及时 5, 质量 5, 满意度 6
    # (whole items: 50) + the unanswered conditions of 目标合理性 2, 公开 1, 社会效益 2, 长效 1.5
    # + 12 targets without an actual value 12 = 68.5 pending.
    assert o.pending_points == 68.5
    assert o.verified_points == 31.5
    assert o.verified_score == 23.5  # what the examined evidence earns
    assert o.score is None and o.grade == ""
    assert o.score_range == (23.5, 92.0)
    assert o.possible_grades == ("优", "良", "中", "差")
    assert len(o.supplements) == 18
    assert math.fsum(s.points for s in o.supplements) == pytest.approx(68.5)
    staff = next(s for s in o.supplements if s.item == "staff_control")
    assert staff.points == 4 and "决算报表" in staff.document and staff.rule == "K01"
    assert "基本信息!B6" in staff.cells
    sat = next(s for s in o.supplements if s.item == "satisfaction")
    assert sat.rule == "K02" and "样本" in sat.document
    assert {s.deadline for s in o.supplements} == {"自收到本意见之日起15日内"}
    # Only deductions on examined evidence: 三公变动 3, 结转结余率 1, 基础信息 2, 资产 2 = 8.
    assert o.deducted == pytest.approx(8.0)
    assert {d.rule for d in o.deductions} == {"K09"}


def test_final_scores_what_is_missing_zero_citing_the_rule(sample_ev):
    o = review_outcome(sample_ev, FINAL)
    assert o.score == 23.5 and o.grade == "差" and o.possible_grades == ("差",)
    assert o.pending_points == 0 and o.supplements == []
    # Every point lost is a deduction citing a rule: 100 − 23.50 = 76.50.
    assert sum(Decimal(str(d.points)) for d in o.deductions) == Decimal("76.50")
    by = {(d.item, d.rule): d for d in o.deductions}
    staff = by[("staff_control", "K01")]
    assert staff.applies == NO_EVIDENCE and staff.share == 1 and staff.points == 4
    assert text.deduction_text(staff) == "无佐证资料，按复核口径K01打0分（扣4分）"
    assert by[("satisfaction", "K02")].applies == SATISFACTION
    change = by[("three_public_change", "K09")]
    assert change.applies == STANDARD and change.figures["value"] == pytest.approx(23.2322, abs=1e-4)
    # Worded by report/ from the figures: (88.53 − 71.84) / 71.84 = 23.23% over the bound 0,
    # 0.3 a point, capped at the item's 3 points.
    assert text.deduction_text(change) == ("“三公”经费变动率23.23%，超过0%达23.23个百分点，每1个"
                                           "百分点扣0.30分，按复核口径K09扣3分（占该项分值3分的100.00%）")
    quality = by[("basic_information", "K09")]
    assert text.deduction_text(quality).startswith("发现2处不一致或未解释差额，每处扣1.00分")
    # 目标合理性: 2 of 3 points lost for 2 unanswered conditions: K01, share 2/3.
    goal = by[("goal_rationality", "K01")]
    assert goal.points == 2 and goal.share == pytest.approx(2 / 3)
    assert "占该项分值3分的66.67%" in text.deduction_text(goal)


@pytest.mark.parametrize("sheet", SHEETS)
@pytest.mark.parametrize("stage", [INITIAL, FINAL])
def test_no_deduction_without_its_rule(sample_ev, sheet, stage, monkeypatch):
    """Every deduction of every shipped sheet cites a 复核口径 of that sheet, and its points add
    up to what the item lost (final) or to what was examined (initial)."""
    r = score(sample_ev, sheet, "zero")
    monkeypatch.setattr(reviewstage, "score", lambda ev, policy=None: r)
    o = reviewstage._outcome(sample_ev, stage)
    assert o.deductions or stage == INITIAL
    assert all(re.fullmatch(r"K\d\d", d.rule) and d.rule in o.rules for d in o.deductions)
    assert all(s.rule in o.rules and s.document for s in o.supplements)
    lost = math.fsum(d.points for d in o.deductions) + o.pending_points
    assert lost == pytest.approx(100 - r.total, abs=1e-6)


def test_deadline_from_the_review_date():
    assert deadline_text("2020-06-30", 15) == "2020年7月15日前"
    assert deadline_text("", 10) == "自收到本意见之日起10日内"


def test_settings_choose_the_stage_and_deadline(make_ev):
    ev = make_ev(None, review_stage="final")
    assert review_outcome(ev).stage == FINAL
    ev = make_ev(None, review_date="2020-06-30", supplement_days=20)
    o = review_outcome(ev)
    assert o.stage == INITIAL and o.deadline == "2020年7月20日前"
    assert "2020年7月20日前" in text_of(text.stage_statement(ev).runs)


def test_satisfaction_needs_samples(make_ev):
    def said(evidence):
        def change(c):
            c["qualitative"] = [q for q in c["qualitative"] if q["item"] != "满意度"]
            c["qualitative"].append({"item": "满意度", "condition": "开展了服务对象满意度调查，满意度达到90%以上",
                                     "met": "是", "evidence": evidence})
        return change

    items = score(make_ev(said("家长普遍满意")), policy="zero").items.set_index("item")
    assert items.at["satisfaction", "score"] == 0 and items.at["satisfaction", "status"] != "scored"
    assert "复核口径K02" in items.at["satisfaction", "reason"]
    items = score(make_ev(said("问卷1200份，满意度95.2%")), policy="zero").items.set_index("item")
    assert items.at["satisfaction", "score"] == 6


def test_unexaminable_targets_lose_their_share(make_ev):
    """K04: a target without a direction (无计算方法) counts 40% (60% off). The sample's 15
    targets average 3/15; with 新增心理健康教师 (≥20, 25: 100%) and 配备心理辅导室 (no
    direction: 40%): (3 + 1 + 0.4) / 17 = 25.88%, 15 × 25.88% = 3.88."""
    def change(c):
        [row] = [t for t in c["targets"] if t["code"] == "teacher_directed_municipal_count"]
        own = {**row, "code": None, "name": "新增心理健康教师", "target": 20, "actual": 25}
        c["targets"] += [own, {**own, "name": "配备心理辅导室", "direction": None}]

    items = score(make_ev(change), policy="zero").items.set_index("item")
    assert "配备心理辅导室（方向未填，按复核口径K04扣60%）" in items.at["target_completion", "reason"]
    assert items.at["target_completion", "score"] == 3.88


def test_duplicated_targets_count_once(sample_ev):
    """K05 (the workbook reader already refuses a row repeated within its sheet): rows of a
    target set with the same 指标, target and unit count once."""
    rows = pd.DataFrame({"label_zh": ["巩固率", "巩固 率", "入学率"], "target": [98.0, 98.0, 95.0],
                         "unit": ["%", "%", "%"]})
    kept, repeated = _once(rows, RuleContext(load_sheet("input-process-output-outcome").rules, "x"))
    assert list(kept["label_zh"]) == ["巩固率", "入学率"] and repeated == ["巩固 率"]


def test_the_sheet_validates_its_rules(tmp_path):
    source = (PACKAGE_DIR / "score_sheets" / "input-process-output-outcome.yaml").read_text(
        encoding="utf-8")
    bad = source.replace("items: {expenditure_execution: adjusted, revenue_execution: adjusted}",
                         "items: {no_such_item: adjusted}").replace("  - id: K05\n", "  - id: K04\n")
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ScoreSheetError) as err:
        load_sheet(path)
    assert "评分表中没有项目 no_such_item" in str(err.value)
    assert "复核口径编号“K04”重复" in str(err.value)


def test_grades_are_the_sheets(sample_ev):
    sheet = load_sheet("input-process-output-outcome")
    assert [g for g, _ in sheet.grades] == ["优", "良", "中", "差"]
    assert "第十八条" in sheet.rules.text("K08")


def test_second_sheet_scores_the_sample_from_yaml_alone(sample_ev):
    """决策 20 / 过程 20 / 产出 30 / 效益 30 (财预〔2020〕10号 framework), by hand:
    决策 2 (目标合理性 1 met × 2; 明确性, 重点支出, 在职 missing) ; 过程 5 (预算执行率 over the
    调整预算 missing, 合规 and 三公控制 missing, 制度 2 × 2 = 4, 基础信息 3 − 2 findings = 1);
    产出 20 × 3 / 15 = 4 (及时, 质量 missing); 效益 13 (社会效益 3 × 3, 长效 1 × 4, 满意度
    missing): 24.00."""
    r = score(sample_ev, "decision-process-output-benefit")
    subs = r.subtotals.set_index("level1")["score"].to_dict()
    assert subs == {"决策": 2.0, "过程": 5.0, "产出": 4.0, "效益": 13.0}
    assert r.total == 24.0 and r.grade == "差"
    assert r.sheet.level1_points() == {"决策": 20, "过程": 20, "产出": 30, "效益": 30}


def test_workpaper_sheets_and_print_setup(sample_ev):
    wb = openpyxl.load_workbook(io.BytesIO(workpaper_bytes(sample_ev)))
    assert wb.sheetnames == ["复核底稿", "复核问题清单", "人工终核"]
    ws = wb["复核底稿"]
    assert [c.value for c in ws[1]] == [name for name, _ in COLUMNS] and len(COLUMNS) == 13
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    last = ws.max_row
    assert ws.cell(last, 1).value == "合计" and ws.cell(last, 7).value == "=SUM(G2:G25)"
    assert ws.cell(last, 11).value == "=SUM(K2:K25)"
    notes = [ws.cell(r, 13).value for r in range(2, last)]
    lost = [r for r in range(2, last) if ws.cell(r, 11).value != ws.cell(r, 7).value]
    assert all("复核口径K" in notes[r - 2] for r in lost)  # every deduction cites its rule
    staff = next(r for r in range(2, last) if ws.cell(r, 3).value == "在职人员控制率")
    assert ws.cell(staff, 11).value == "待补充资料" and ws.cell(staff, 4).value == "定量"
    levels = {c.value for c in wb["复核问题清单"]["A"][1:]}
    assert levels <= {"P0 必须更正", "P1 应当整改", "P2 提示关注"} and "P0 必须更正" in levels
    manual = [c.value for c in wb["人工终核"]["B"][1:]]
    assert "签章" in manual and "满意度样本" in manual


def test_workpaper_writes_workbook_text_as_text(make_ev):
    def change(c):
        c["qualitative"][0]["evidence"] = '=HYPERLINK("http://x","y")'

    wb = openpyxl.load_workbook(io.BytesIO(workpaper_bytes(make_ev(change))))
    cells = [c for row in wb["人工终核"].iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" and not c.value.startswith("=") for c in cells)
    formulas = [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert all(c.value.startswith(("=SUM(", "=I")) for c in formulas)


@pytest.mark.parametrize("stage", [INITIAL, FINAL])
def test_the_opinions_score_table_cites_every_deduction(make_ev, stage):
    from perfkit.report.review import score_table

    ev = make_ev(None, review_stage=stage)
    table = score_table(ev)
    col = table.columns.index("得分及扣分原因")
    o = review_outcome(ev)
    cited = {d.level3 for d in o.deductions}
    for row in table.rows:
        if row[2] in cited:
            assert "扣分依据：复核口径K" in row[col], row
    rules = {r[1] for r in text.deductions_table(ev).rows}
    assert rules and all(re.fullmatch(r"K\d\d", r) for r in rules)
