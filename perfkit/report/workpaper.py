"""The 复核底稿 (reviewer's workpaper), an .xlsx beside the 复核意见, in the layout reviewers use.

Three sheets: 复核底稿 (one row per 三级指标: 指标值, 权重, the department's and the reviewer's
completion value and score, 偏离度, and the deduction citing its 复核口径), 复核问题清单 (P0 must
be corrected / P1 / P2, from :mod:`perfkit.assess.problems` and the audit) and 人工终核 (what only
a person can confirm). Every number comes from the assess stage; every text cell is written as
text (a cell starting with ``=`` stays text, never a formula); totals are SUM formulas.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from perfkit import config, fmt
from perfkit.assess.audit import audit
from perfkit.assess.claims import claimed_items
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.intervals import plain
from perfkit.assess.problems import find_problems, problem_types
from perfkit.assess.reviewrules import MANUAL_APPLIES, SATISFACTION
from perfkit.assess.reviewstage import (
    INITIAL,
    STAGE_ZH,
    ReviewOutcome,
    Supplement,
    review_outcome,
)
from perfkit.atomic import write_bytes_atomic
from perfkit.cells import is_missing
from perfkit.report.reasons import reason_text
from perfkit.report.reviewstage import deduction_text, range_text
from perfkit.verdicts import INCONSISTENT

FILE_NAME = config.WORKPAPER
#: The 13 columns of the 复核底稿 sheet and their widths (characters).
COLUMNS = (("一级指标", 10), ("二级指标", 12), ("三级指标", 18), ("指标性质", 8), ("指标值", 16),
           ("度量单位", 8), ("权重", 7), ("自评完成值", 12), ("自评得分", 9), ("复核完成值", 14),
           ("复核得分", 9), ("偏离度", 8), ("备注", 60))
PROBLEM_COLUMNS = (("等级", 6), ("复核维度", 10), ("对象", 16), ("位置", 18), ("复核发现", 24),
                   ("事实及判定", 60), ("处理建议", 40), ("依据", 24))
MANUAL_COLUMNS = (("序号", 6), ("终核事项", 18), ("对象", 24), ("需核实的内容", 60),
                  ("资料位置", 24), ("核实结果（复核人填写）", 24))
LEVEL_ZH = {"P0": "P0 必须更正", "P1": "P1 应当整改", "P2": "P2 提示关注"}
_QUALITATIVE = ("checklist", "manual")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    """A cell as data: text stays text (never a formula), numbers stay numbers."""
    cell = ws.cell(row=row, column=col)
    if is_missing(value):
        cell.value = ""
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = float(value)
        cell.number_format = "0.00"
    else:
        cell.value = str(value)
        cell.data_type = "s"  # "=…" from the workbook is text, not a formula
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    cell.border = _BORDER


def _fit_rows(ws: Worksheet, widths: tuple[tuple[str, int], ...]) -> None:
    """Row heights that show every wrapped line (a spreadsheet does not grow them by itself
    for a file it did not lay out): lines = display width (a CJK character counts 2) over the
    column width, 15 points a line."""
    for row in ws.iter_rows(min_row=1):
        lines = 1
        for cell, (_, width) in zip(row, widths, strict=False):
            text = "" if cell.value is None or cell.data_type == "f" else str(cell.value)
            for part in text.split("\n"):
                shown = sum(2 if ord(ch) > 0x2E7F else 1 for ch in part)
                lines = max(lines, math.ceil(shown / max(1.0, width * 0.85)) or 1)
        ws.row_dimensions[row[0].row].height = 15 * lines + 2


def _formula(ws: Worksheet, row: int, col: int, formula: str) -> None:
    cell = ws.cell(row=row, column=col, value=formula)
    cell.number_format = "0.00"
    cell.border = _BORDER
    cell.alignment = Alignment(vertical="top")


def _sheet(wb: Workbook, title: str, columns: tuple[tuple[str, int], ...], first: bool = False
           ) -> Worksheet:
    ws = wb.active if first else wb.create_sheet()
    assert ws is not None
    ws.title = title
    for c, (name, width) in enumerate(columns, 1):
        _put(ws, 1, c, name)
        cell = ws.cell(row=1, column=c)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    return ws


def _standard(rule: Any, points: float) -> str:
    """The 指标值 a rule scores against, as the sheet sets it."""
    kind = rule.kind
    if kind == "linear_deduction":
        sign = {"above": "≤", "below": "≥", "both": "="}[rule.side]
        return f"{sign}{plain(rule.bound)}"
    if kind == "bands":
        full = [b for b in rule.bands if b.score >= points - 1e-9]
        return full[0].interval.describe() if full else "按分档"
    if kind == "proportional":
        return f"≥{plain(rule.target)}" if rule.target is not None else "各项目标100%完成"
    if kind == "checklist":
        return f"{len(rule.conditions_zh) or '全部'}项要点均满足"
    if kind == "data_quality":
        return "0处不一致"
    if kind == "target_clarity":
        return f"≥{plain(rule.full_pct)}"
    return "人工评分"


def _unit(rule: Any, unit: str) -> str:
    if rule.kind == "checklist":
        return "项"
    if rule.kind == "data_quality":
        return "处"
    if rule.kind == "target_clarity" or (rule.kind == "proportional" and rule.target is None):
        return "%"
    return unit or ""


def _value(value: Any, unit: str) -> str:
    if value is None or is_missing(value):
        return ""
    return fmt.with_unit(float(value), unit) if unit not in ("项", "处") else f"{fmt.num(value, 0)}{unit}"


def _score_rows(ws: Worksheet, ev: Evaluation, o: ReviewOutcome) -> None:
    r = o.result
    assert r is not None
    rules = {i.id: i.rule for i in r.sheet.items}
    claimed = claimed_items(ev, r.sheet)
    own = ({} if claimed.empty else
           claimed[claimed["matched"]].drop_duplicates("item").set_index("item")["score"].to_dict())
    pending: dict[str, list[Supplement]] = {}
    for s in o.supplements:
        pending.setdefault(s.item, []).append(s)
    notes: dict[str, list[str]] = {}
    for d in o.deductions:
        notes.setdefault(d.item, []).append(deduction_text(d))
    row = 2
    for _, i in r.items.iterrows():
        rule = rules[i["item"]]
        ref = rule.reference()
        known = str(ev.indicators.at[ref, "unit"]) if ref in ev.indicators.index else ""
        unit = _unit(rule, str(i["unit"] or "") or known)
        qualitative = rule.kind in _QUALITATIVE
        claim = own.get(i["item"], math.nan)
        sup = pending.get(i["item"])
        lines = notes.get(i["item"], [])
        if sup:
            rules_cited = "、".join(dict.fromkeys(s.rule for s in sup))
            lines.insert(0, f"待补充资料{fmt.num(math.fsum(s.points for s in sup))}分：请提供"
                            f"{sup[0].document}（{sup[0].deadline}；逾期按复核口径{rules_cited}"
                            "计0分）")
        if not lines:
            lines = ["得满分"]
        whole_pending = sup is not None and i["status"] != "scored"
        cells = [i["level1"], i["level2"], i["level3"], "定性" if qualitative else "定量",
                 _standard(rule, float(i["points"])), unit, float(i["points"]),
                 "未填报", claim if not is_missing(claim) else "未填报",
                 "待补充资料" if whole_pending else (_value(i["value"], unit) or "无法计算"),
                 "待补充资料" if whole_pending else float(i["score"]), None,
                 "；".join(lines) + f"。复核说明：{reason_text(i['why'], policy=sup is None)}"]
        for c, v in enumerate(cells, 1):
            _put(ws, row, c, v)
        if not is_missing(claim) and not whole_pending:
            _formula(ws, row, 12, f"=I{row}-K{row}")
        else:
            _put(ws, row, 12, "")
        row += 1
    last = row - 1
    _put(ws, row, 1, "合计")
    for c in range(2, 14):
        _put(ws, row, c, "")
    given = bool(own)  # the department's item scores: a total of them only when it gave some
    for col in ("G", "I", "K", "L") if given else ("G", "K"):
        _formula(ws, row, ord(col) - 64, f"=SUM({col}2:{col}{last})")
    if not given:
        _put(ws, row, 9, "未填报")
    if o.stage == INITIAL and o.pending_points > 0:
        note = f"{STAGE_ZH[o.stage]}：{range_text(o)}"  # as the 复核意见 states it
    else:
        note = f"{STAGE_ZH[o.stage]}：复核得分{fmt.num(o.score, missing='无法评分')}分，等级{o.grade or '无'}"
    _put(ws, row, 13, note + f"；自评总分{fmt.num(r.claimed, missing='未填报')}分")
    for c in range(1, 14):
        ws.cell(row=row, column=c).font = Font(bold=True)


def _problem_rows(ws: Worksheet, ev: Evaluation) -> int:
    types = problem_types()
    rows: list[list[str]] = []
    for _, p in find_problems(ev).iterrows():
        t = types[p["type"]]
        level = t.level
        rows.append([LEVEL_ZH.get(level, level), str(t.params.get("dimension_zh", "")),
                     p["item_zh"], p["cells"], t.heading_zh, p["detail_zh"],
                     t.suggestion_zh.replace("{items}", p["item_zh"]),
                     str(t.params.get("basis_zh", ""))])
    a = audit(ev)
    stated = a[(a["category"] == "报告数值") & (a["verdict"] == INCONSISTENT)]
    for _, s in stated.iterrows():
        rows.append([LEVEL_ZH["P0"], "报告质量", f"{s['ref']} {s['figure']}", s["source_cells"],
                     "报告数值与数据不一致", str(s.get("explanation", "") or s["verdict"]),
                     "按决算数据更正报告中的数值，或书面说明差异", "报告数值核对（perfkit 由原始数据重算）"])
    rows.sort(key=lambda r: r[0])
    for n, values in enumerate(rows, 2):
        for c, v in enumerate(values, 1):
            _put(ws, n, c, "" if v is None or is_missing(v) else str(v))
    return len(rows)


def _manual_rows(ws: Worksheet, ev: Evaluation, o: ReviewOutcome) -> None:
    r = o.result
    assert r is not None
    rules = r.sheet.rules
    lines: list[tuple[str, str, str, str]] = [
        ("签章", "自评报告及自评表", "部门公章、单位负责人签字是否齐全，日期是否与报告一致", "报送的纸质或扫描件"),
        ("扫描件", "佐证资料扫描件", "扫描件是否完整、清晰，与工作簿所列数值一致", "补充资料"),
    ]
    frame = ev.data.frames.get("qualitative")
    if frame is not None and not frame.empty:
        for idx, q in frame[frame["met"] == "是"].iterrows():
            lines.append(("定性评价佐证", f"{q['item']}：{q['condition']}",
                          "部门填“是”：核实佐证材料是否存在、能否支持该要点"
                          + (f"（部门说明：{q['evidence']}）" if not is_missing(q["evidence"]) else
                             "（部门未写证据说明）"),
                          ev.data.cell("qualitative", idx, "met")))
    samples = rules.get(SATISFACTION)
    for item in samples.items:
        level3 = next((i.level3 for i in r.sheet.items if i.id == item), item)
        lines.append(("满意度样本", level3, "调查问卷原件、样本量、有效样本和满意度计算过程"
                      f"（复核口径{samples.id}）", "补充资料"))
    for applies in MANUAL_APPLIES:
        rule = rules.get(applies)
        lines.append(("复核人判断", f"复核口径{rule.id}", rule.text_zh, "自评表、绩效指标表"))
    for n, (kind, obj, what, where) in enumerate(lines, 1):
        for c, v in enumerate((str(n), kind, obj, what, where, ""), 1):
            _put(ws, n + 1, c, v)


def workpaper_bytes(ev: Evaluation) -> bytes:
    """The 复核底稿 of one department-year as .xlsx bytes."""
    o = review_outcome(ev)
    wb = Workbook()
    ws = _sheet(wb, "复核底稿", COLUMNS, first=True)
    _score_rows(ws, ev, o)
    _fit_rows(ws, COLUMNS)
    problems = _sheet(wb, "复核问题清单", PROBLEM_COLUMNS)
    _problem_rows(problems, ev)
    _fit_rows(problems, PROBLEM_COLUMNS)
    manual = _sheet(wb, "人工终核", MANUAL_COLUMNS)
    _manual_rows(manual, ev, o)
    _fit_rows(manual, MANUAL_COLUMNS)
    wb.properties.title = f"{ev.department_name}{ev.year}年度复核底稿"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_workpaper(ev: Evaluation, out_dir: Path) -> Path:
    """Write ``复核底稿.xlsx`` into ``out_dir`` (atomically) and return its path."""
    return write_bytes_atomic(Path(out_dir) / FILE_NAME, workpaper_bytes(ev))


def frame(ev: Evaluation) -> pd.DataFrame:
    """The 复核底稿 sheet as a frame (for tests and the notebook): the 13 columns."""
    data = pd.read_excel(io.BytesIO(workpaper_bytes(ev)), sheet_name="复核底稿", dtype=str)
    return data
