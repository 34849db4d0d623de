"""The mid-year monitoring document (绩效运行监控), the 绩效监控表 the department submits, and a
bureau's 监控汇总: presentation of :mod:`perfkit.assess.monitor`'s numbers, none computed here."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from perfkit import fmt
from perfkit.assess import monitor as m
from perfkit.assess.monitor import Monitoring
from perfkit.atomic import write_bytes_atomic
from perfkit.cells import is_missing
from perfkit.data.template import write_cell
from perfkit.report.blocks import Blocks, Heading, Paragraph, b, bullets, note, par
from perfkit.report.chartkit import (
    PALETTE,
    chart,
    fit_height,
    hbar_axes,
    legend,
    new_figure,
    note_missing,
    value_text,
    wrap_label,
)
from perfkit.report.tables import styled

LEVEL_TONES = {m.RED: "verdict-bad", m.YELLOW: "verdict-note", m.GREEN: "verdict-ok"}
LEVEL_COLORS = {m.RED: "#D9534F", m.YELLOW: "#E0A526", m.GREEN: "#2E8B57"}
RISK_COLORS = {"预计完成": "#2E8B57", "有风险": "#D9534F"}


def _info_text(value: Any) -> str:
    """A 基本信息 value as text: a date typed as a date reads 2019年8月10日."""
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def _period(mon: Monitoring) -> str:
    return f"1-{mon.month}月"


def title(mon: Monitoring) -> Heading:
    """The document's title."""
    return Heading(1, f"{mon.department_name}{mon.year}年{_period(mon)}绩效运行监控情况")


def _value(v: float, unit: str) -> str:
    return fmt.with_unit(v, unit) if not is_missing(v) else fmt.MISSING


def overview(mon: Monitoring) -> Paragraph:
    """One paragraph: execution of the whole budget against the calendar, its level, the targets
    at risk and the deviations without explanation."""
    s = m.summary(mon)
    low, high = mon.settings.monitor_levels_pct
    if s["execution_pct"] is None:
        budget = par(f"截至{mon.month}月末，本年支出合计的预算数或执行数未提供，预算执行率无法计算。")
        lead = budget.runs
    else:
        lead = par(
            f"截至{mon.month}月末，本年支出合计执行{fmt.amount(s['executed_wan_yuan'])}，"
            f"为预算数{fmt.amount(s['budget_wan_yuan'])}的", b(fmt.pct(s["execution_pct"])),
            f"；时间进度为{fmt.pct(mon.time_pct)}（{mon.month}/12），按时间进度调整的执行率"
            f"（执行率 ÷ 时间进度）为", b(fmt.pct(s["adjusted_pct"])),
            "，预警等级", b(s["level"]),
            f"（低于{fmt.num(low, 0)}%为红色，{fmt.num(low, 0)}%-{fmt.num(high, 0)}%为黄色，"
            f"{fmt.num(high, 0)}%及以上为绿色）。").runs
    floor = m.floor_for(mon)
    floor_text = ""
    if floor and s["execution_pct"] is not None:
        floor_text = (f"按{floor[0]}月末累计执行{fmt.num(floor[1], 0)}%的进度节点，"
                      + ("未达到，列为进度预警。" if s["below_floor"] else "已达到。"))
    unreported = (f"未填报全年预计完成和完成目标可能性、无法判断的{s['unreported']}项，"
                  if s["unreported"] else "")
    t = (f"绩效目标{s['targets']}项，其中{unreported}有完成风险的{s['at_risk']}项"
         f"（全年预计完成未达到年度指标值，或完成目标可能性不是“确定能”），"
         f"有偏差而未写明偏差原因或纠偏措施的{s['unexplained']}项。")
    info = mon.data.info
    filed = "；".join(f"{label}：{_info_text(info[key])}" for key, label in
                     (("preparer", "填报人"), ("report_date", "填报日期")) if info.get(key))
    source = f"（数据来自监控工作簿 {mon.data.path.name}{'，' + filed if filed else ''}）"
    return par(lead, floor_text, t, source)


def budget_table(mon: Monitoring):
    """Each budget line: 预算数, 截至N月执行数, 执行率, 时间进度, 调整后执行率, 预警等级."""
    lines = m.budget_lines(mon)
    if lines.empty:
        return note("预算执行表未填写预算数和执行数。")
    frame = pd.DataFrame({
        "项目": lines["label"],
        "预算数（万元）": [fmt.num(v) for v in lines["budget"]],
        f"截至{mon.month}月执行数（万元）": [fmt.num(v) for v in lines["executed"]],
        "执行率": [fmt.pct(v, missing="无法计算") for v in lines["execution_pct"]],
        "时间进度": [fmt.pct(v) for v in lines["time_pct"]],
        "调整后执行率": [fmt.pct(v, missing="无法计算") for v in lines["adjusted_pct"]],
        "预警等级": [lv or "—" for lv in lines["level"]],
        "进度节点": [("未达到" if r["below_floor"] else "达到")
                     if not is_missing(r["floor_pct"]) and not is_missing(r["execution_pct"])
                     else "—" for _, r in lines.iterrows()],
    })
    return styled(frame, caption=f"{mon.year}年{_period(mon)}预算执行情况",
                  tones={"预警等级": LEVEL_TONES, "进度节点": {"未达到": "verdict-bad"}})


@chart
def execution_chart(mon: Monitoring) -> Figure | Paragraph:
    """Execution of each budget line against the calendar line (N/12), coloured by level."""
    lines = m.budget_lines(mon)
    drawn = lines[lines["execution_pct"].notna()]
    missing = list(lines[lines["execution_pct"].isna()]["label"])
    if drawn.empty:
        return note("预算执行表没有既有预算数又有执行数的项目，未绘制执行进度图。")
    labels = [wrap_label(t, 8) for t in drawn["label"]]
    fig = new_figure(fit_height(labels, base=1.5))
    ax, ys = hbar_axes(fig, labels)
    top = max(110.0, float(drawn["execution_pct"].max()) * 1.25)
    for y, (_, r) in zip(ys, drawn.iterrows(), strict=True):
        ax.barh(y, r["execution_pct"], color=LEVEL_COLORS.get(r["level"], PALETTE["actual"]),
                height=0.6)
        value_text(ax, r["execution_pct"] + top * 0.01, y,
                    f"{fmt.pct(r['execution_pct'])}（调整后{fmt.pct(r['adjusted_pct'])}）")
    ax.axvline(mon.time_pct, color="black", linestyle="--", linewidth=0.9)
    floor = m.floor_for(mon)
    if floor:
        ax.axvline(floor[1], color="#888888", linestyle=":", linewidth=0.9)
    ax.set_xlim(0, top)
    where = f"；点线为{floor[0]}月末节点{fmt.num(floor[1], 0)}%" if floor else ""
    ax.set_xlabel(f"截至{mon.month}月执行数 / 预算数（%），虚线为时间进度{fmt.pct(mon.time_pct)}{where}")
    ax.set_title(f"{mon.year}年{_period(mon)}预算执行进度")
    present = [lv for lv in LEVEL_COLORS if lv in set(drawn["level"])]
    legend(fig, handles=[Patch(color=LEVEL_COLORS[lv], label=f"预警{lv}") for lv in present])
    note_missing(ax, "缺少预算数或执行数", missing)
    return fig


def _goal(direction: str, target: float, unit: str) -> str:
    """A 年度指标值 as read: its direction, value and unit (全面 with its value in brackets)."""
    if direction == "全面":
        return f"全面（{_value(target, unit)}）"
    return f"{direction}{_value(target, unit)}"


def _target_frame(rows: pd.DataFrame, month: int) -> pd.DataFrame:
    return pd.DataFrame({
        "三级指标": rows["name"],
        "年度指标值": [_goal(d, t, u) for d, t, u in
                  zip(rows["direction"], rows["target"], rows["unit"], strict=True)],
        f"1-{month}月执行情况": [_value(v, u) for v, u in zip(rows["done"], rows["unit"],
                                                          strict=True)],
        "目标进度": [fmt.pct(v, missing="—") for v in rows["progress_pct"]],
        "全年预计完成": [_value(v, u) for v, u in zip(rows["expected"], rows["unit"], strict=True)],
        "完成目标可能性": [v or "未填" for v in rows["likelihood"]],
        "判断": [JUDGED[_judged(r)] for _, r in rows.iterrows()],
    })


#: How a target's outlook reads: at risk, expected to be met, or not stated by the department.
JUDGED = {"risk": "有风险", "met": "预计完成", "unreported": "未填报"}


def _judged(r: pd.Series) -> str:
    return "risk" if r["at_risk"] else "unreported" if r["unreported"] else "met"


def target_table(mon: Monitoring):
    """Every monitored target: progress, the expected result and the verdict."""
    rows = m.target_rows(mon)
    if rows.empty:
        return note("监控表没有绩效目标。")
    return styled(_target_frame(rows, mon.month),
                  caption=f"{mon.year}年{_period(mon)}绩效目标执行情况",
                  tones={"判断": {"有风险": "verdict-bad", "预计完成": "verdict-ok",
                                "未填报": "verdict-note"}})


@chart
def targets_chart(mon: Monitoring) -> Figure | Paragraph:
    """Each target's 全年预计完成 as a share of its 年度指标值, at risk in red."""
    rows = m.target_rows(mon)
    share = [(r["expected"] / r["target"] * 100) if not is_missing(r["expected"])
             and not is_missing(r["target"]) and r["target"] > 0 else math.nan
             for _, r in rows.iterrows()]
    rows = rows.assign(share=share)
    drawn = rows[rows["share"].notna()]
    missing = list(rows[rows["share"].isna()]["name"])
    if drawn.empty:
        return note("没有既有年度指标值又有全年预计完成的目标，未绘制目标预计完成图。")
    labels = [wrap_label(t) for t in drawn["name"]]
    fig = new_figure(fit_height(labels, base=1.5) + (0.35 if missing else 0))
    ax, ys = hbar_axes(fig, labels)
    top = max(130.0, float(drawn["share"].max()) * 1.3)
    for y, (_, r) in zip(ys, drawn.iterrows(), strict=True):
        color = RISK_COLORS["有风险" if r["at_risk"] else "预计完成"]
        ax.barh(y, r["share"], color=color, height=0.6)
        why = f"，{r['likelihood']}" if r["likelihood"] else ""
        value_text(ax, r["share"] + top * 0.01, y,
                    f"预计{_value(r['expected'], r['unit'])}（目标{r['direction']}"
                    f"{_value(r['target'], r['unit'])}{why}）")
    ax.axvline(100, color="black", linestyle="--", linewidth=0.8)
    ax.set_xlim(0, top)
    ax.set_xlabel("全年预计完成 / 年度指标值（%），虚线为100%；“≤”指标低于100%为达成")
    ax.set_title(f"{mon.year}年绩效目标全年预计完成情况（截至{mon.month}月）")
    legend(fig, handles=[Patch(color=c, label=k) for k, c in RISK_COLORS.items()])
    note_missing(ax, "年度指标值为0或未填、或未填全年预计完成", missing)
    return fig


def risks(mon: Monitoring) -> Blocks:
    """The targets at risk, each with why, its 偏差原因 and 纠偏措施 (or that they are missing)."""
    rows = m.at_risk(mon)
    if rows.empty:
        return Blocks(par("全部绩效目标预计能够完成，完成目标可能性均为“确定能”。"))
    items = []
    for _, r in rows.iterrows():
        cause = r["cause"] or "未填写"
        measures = r["measures"] or "未填写"
        items.append(f"{r['name']}：年度指标值{r['direction']}{_value(r['target'], r['unit'])}，"
                     f"1-{mon.month}月{_value(r['done'], r['unit'])}，全年预计完成"
                     f"{_value(r['expected'], r['unit'])}；{r['risk']}。偏差原因：{cause}；"
                     f"纠偏措施：{measures}（{r['expected_cell']}）")
    return Blocks(bullets(items))


def unexplained(mon: Monitoring) -> Blocks:
    """Every deviation without 偏差原因 or 纠偏措施, with the cells to fill."""
    rows = m.unexplained(mon)
    if rows.empty:
        return Blocks(par("有偏差的目标均已写明偏差原因和纠偏措施。"))
    return Blocks(
        par(f"以下{len(rows)}项目标有偏差，但监控表未写明偏差原因或纠偏措施，请部门补充："),
        bullets(f"{r['name']}：缺少{r['missing']}（"
                + "、".join(r[f"{key}_cell"] for key, label in (("cause", "偏差原因"),
                                                               ("measures", "纠偏措施"))
                           if label in r["missing"]) + "）"
                for _, r in rows.iterrows()))


def mismatch(mon: Monitoring) -> Paragraph:
    """Budget execution against the targets' progress."""
    x = m.mismatch(mon)
    if is_missing(x["gap_pp"]):
        why = ("本年支出合计执行率无法计算" if is_missing(x["execution_pct"])
               else "没有可计算进度的累计型目标（单位为%的比率按水平计，不计进度）")
        return par(f"预算执行与目标进度无法比较：{why}。")
    lead = "预算执行快于目标进度" if x["gap_pp"] > 0 else "目标进度快于预算执行"
    verdict = (f"相差{fmt.num(abs(x['gap_pp']))}个百分点，超过{fmt.num(x['limit_pp'], 0)}个百分点，"
               f"{lead}，请部门说明资金使用与目标实现是否匹配。" if x["flagged"] else
               f"相差{fmt.num(abs(x['gap_pp']))}个百分点，在{fmt.num(x['limit_pp'], 0)}个百分点以内。")
    return par(f"本年支出合计执行率{fmt.pct(x['execution_pct'])}；累计型目标{x['targets']}项的平均完成进度"
               f"（1-{mon.month}月执行情况 ÷ 年度指标值，超过100%的按100%计）为"
               f"{fmt.pct(x['progress_pct'])}；", b(verdict))


# -- the 绩效监控表 (.xlsx) and the 监控汇总 ------------------------------------------------------

HEADERS = ("一级指标", "二级指标", "三级指标", "年度指标值", "{period}执行情况", "全年预计完成",
           "偏差原因", "完成目标可能性", "纠偏措施", "备注")
WIDTHS = (12, 12, 28, 14, 14, 14, 12, 12, 40, 20)


def _number_text(v: float, unit: str) -> str:
    return "" if is_missing(v) else fmt.with_unit(v, unit)


def monitor_table_rows(mon: Monitoring) -> list[tuple[Any, ...]]:
    """The 绩效监控表's rows as the department submits it (standard columns, values as text)."""
    out = []
    for _, r in m.target_rows(mon).iterrows():
        goal = _number_text(r["target"], r["unit"])
        if r["direction"] and goal:
            goal = f"全面（{goal}）" if r["direction"] == "全面" else f"{r['direction']}{goal}"
        out.append((r["level1"], r["level2"], r["name"], goal,
                    _number_text(r["done"], r["unit"]), _number_text(r["expected"], r["unit"]),
                    r["cause"], r["likelihood"], r["measures"], r["note"]))
    return out


def _text_width(text: str) -> float:
    """The width of ``text`` in column-width units: a Chinese character about 1.8, others 1."""
    return sum(1.8 if ord(ch) > 0x2E80 else 1.0 for ch in text)


def _sheet_title(ws, text: str, columns: int) -> None:
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    cell = write_cell(ws, 1, 1, text)
    cell.font = Font(bold=True, size=14)
    cell.alignment = Alignment(horizontal="center")
    ws.row_dimensions[1].height = 24


def _grid(ws, first: int, last: int, columns: int) -> None:
    side = Side(style="thin", color="000000")
    for row in ws.iter_rows(min_row=first, max_row=last, max_col=columns):
        for cell in row:
            cell.border = Border(left=side, right=side, top=side, bottom=side)
            cell.alignment = Alignment(wrap_text=True, vertical="center")


def write_monitor_table(mon: Monitoring, path: str | Path) -> Path:
    """Write the 绩效监控表 (.xlsx, printable A4 landscape): the budget execution and every
    target in the standard columns, as the department submits it."""
    book = Workbook()
    ws = book.active
    ws.title = "绩效监控表"
    n = len(HEADERS)
    _sheet_title(ws, f"{mon.year}年{_period(mon)}部门整体支出绩效目标执行监控表", n)
    write_cell(ws, 2, 1, f"填报单位：{mon.department_name}")
    write_cell(ws, 2, n - 1, "金额单位：万元")
    s = m.summary(mon)
    parts = [f"年度预算数：{fmt.amount(s['budget_wan_yuan'])}",
             f"截至{mon.month}月执行数：{fmt.amount(s['executed_wan_yuan'])}",
             f"执行率：{fmt.pct(s['execution_pct'], missing='无法计算')}",
             f"时间进度调整后：{fmt.pct(s['adjusted_pct'], missing='无法计算')}",
             f"预警等级：{s['level'] or '—'}"]
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=n)
    write_cell(ws, 3, 1, "；".join(parts)).font = Font(bold=True)
    header_row = 4
    for j, h in enumerate(HEADERS, 1):
        cell = write_cell(ws, header_row, j, h.format(period=_period(mon)))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS[j - 1]
    rows = monitor_table_rows(mon)
    for i, row in enumerate(rows, header_row + 1):
        for j, v in enumerate(row, 1):
            write_cell(ws, i, j, v or None)
        # Spreadsheets do not grow a row for wrapped text written by a program: sized here
        # (a Chinese character is about two width units).
        lines = max(math.ceil(_text_width(str(v or "")) / (WIDTHS[j] - 1))
                    for j, v in enumerate(row))
        ws.row_dimensions[i].height = 15 * max(1, lines)
    last = header_row + len(rows)
    _grid(ws, 3, last, n)
    for cell in ws[header_row]:
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    write_cell(ws, last + 2, 1, f"填报人：{_info_text(mon.data.info.get('preparer'))}")
    write_cell(ws, last + 2, n - 2, f"填报日期：{_info_text(mon.data.info.get('report_date'))}")
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    buf = io.BytesIO()
    book.save(buf)
    return write_bytes_atomic(Path(path), buf.getvalue())


SUMMARY_HEADERS = ("部门", "截至月份", "预算数（万元）", "执行数（万元）", "执行率", "调整后执行率",
                   "预警等级", "进度节点", "目标数", "有风险目标", "未说明偏差", "预算与目标进度差（百分点）")


def summary_rows(entries: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """One row per department of a 监控汇总 (from each manifest's ``monitor`` entry)."""
    out = []
    for e in entries:
        s = e["monitor"]
        out.append((e.get("department_name") or e["department"], f"1-{s['month']}月",
                    s.get("budget_wan_yuan"), s.get("executed_wan_yuan"),
                    fmt.pct(s.get("execution_pct"), missing=""),
                    fmt.pct(s.get("adjusted_pct"), missing=""), s.get("level") or "",
                    "未达到" if s.get("below_floor") else "", s.get("targets"),
                    s.get("at_risk"), s.get("unexplained"), s.get("gap_pp")))
    return out


def write_monitor_summary(entries: list[dict[str, Any]], year: int, path: str | Path) -> Path:
    """Write a bureau's 监控汇总 (.xlsx): one line per department monitored in ``year``."""
    book = Workbook()
    ws = book.active
    ws.title = "监控汇总"
    n = len(SUMMARY_HEADERS)
    months = sorted({e["monitor"]["month"] for e in entries})
    shown = "、".join(f"1-{x}月" for x in months)
    _sheet_title(ws, f"{year}年{shown}部门绩效运行监控汇总", n)
    for j, h in enumerate(SUMMARY_HEADERS, 1):
        cell = write_cell(ws, 2, j, h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[get_column_letter(j)].width = 26 if j == 1 else 13
    rows = summary_rows(entries)
    for i, row in enumerate(rows, 3):
        for j, v in enumerate(row, 1):
            cell = write_cell(ws, i, j, v)
            if isinstance(v, float):
                cell.number_format = "0.00"
    _grid(ws, 2, 2 + len(rows), n)
    ws.row_dimensions[2].height = 30
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    buf = io.BytesIO()
    book.save(buf)
    return write_bytes_atomic(Path(path), buf.getvalue())


def year_end_rows(link: pd.DataFrame) -> pd.DataFrame:
    """The year-end link (:func:`perfkit.assess.monitor.year_end_link`) as display text."""
    return pd.DataFrame({
        "三级指标": link["name"],
        "年度指标值": [_goal(d, t, u) for d, t, u in
                  zip(link["direction"], link["target"], link["unit"], strict=True)],
        "监控预计": [_value(v, u) for v, u in zip(link["expected"], link["unit"], strict=True)],
        "完成可能性": [v or "未填" for v in link["likelihood"]],
        "监控预警": ["是" if w else "否" for w in link["warned"]],
        "纠偏措施": ["已写明" if x else "未写明" if w else "—"
                 for x, w in zip(link["measures"], link["warned"], strict=True)],
        "年底实际": [_value(v, u) for v, u in zip(link["actual"], link["unit"], strict=True)],
        "完成情况": link["status"],
        "复核判断": [f or "—" for f in link["finding"]],
    })

