"""A finance bureau's year across departments: the 复核汇总 and 整改台账 workbooks and the
结果通报 (Word, official layout), from the departments' records (:mod:`perfkit.assess.bureau`).

Presentation only: every figure is a record's (the 自评得分 the department typed, the 复核得分
perfkit computed, the problems it found); a value a record lacks is shown as a gap.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from perfkit import fmt
from perfkit.assess.bureau import (
    Flag,
    bureau_settings,
    ledger_problems,
    level_counts,
    main_problems,
)
from perfkit.assess.reviewstage import STAGE_ZH
from perfkit.report.blocks import Block, Signature, Table, b, heading, par
from perfkit.report.meta import ReportMeta
from perfkit.report.stagetext import difference_text, grade_text, pending_result_use, score_text
from perfkit.report.word import blocks_docx

#: Grades in the order the 通报 lists them (财预〔2020〕10号 第十八条).
GRADES = ("优", "良", "中", "差")
GAP = "—"
NOT_SCORED = "无法评分"

#: Columns of the 复核汇总 (sheet and page), with their widths in the workbook (characters).
SUMMARY_COLUMNS: tuple[tuple[str, int], ...] = (
    ("部门代码", 14), ("部门", 24), ("复核阶段", 8), ("自评得分", 9), ("自评等级", 12),
    ("复核得分", 20), ("复核等级", 18), ("偏离度（分）", 14), ("P0问题数", 9), ("P1问题数", 9),
    ("主要问题", 60), ("整改期限", 20), ("结果应用", 36), ("上年问题复发", 40))
#: Columns of the 偏离度 ranking (sheet and page): the 排序依据 is the certain part of the 偏离度.
RANKED_COLUMNS: tuple[tuple[str, int], ...] = (
    ("名次", 6), ("部门代码", 14), ("部门", 24), ("复核阶段", 8), ("自评得分", 9),
    ("复核得分", 18), ("偏离度（分）", 14), ("排序依据（分）", 12))
#: How the ranking sorts, said under it.
RANKING_ZH = ("按偏离度从大到小排列；初审得分为区间的部门，偏离度也是区间（自评得分 − 区间上限 至 "
              "自评得分 − 区间下限），按其确定部分排序，即自评得分 − 区间上限：为正数时是部门至少"
              "多评的分数，为0或负数时，待补充资料若全部得到佐证，自评得分不高于复核得分")
RANKING_FINAL_ZH = "按偏离度从大到小排列"


def ranking_note(year: BureauYear) -> str:
    """How the ranking sorts: :data:`RANKING_ZH` when a department's 偏离度 is a range."""
    return RANKING_ZH if any(r.get("range") is not None for r in year.records) else RANKING_FINAL_ZH


#: A row's sort value of a column whose text may be a range (the certain part: see
#: :func:`sort_value`).
SORT_PREFIX = "_sort:"
#: Columns of the 整改台账; the bureau fills 整改情况 (and 备注), which a rewrite keeps.
LEDGER_COLUMNS: tuple[tuple[str, int], ...] = (
    ("部门代码", 14), ("部门", 24), ("问题编号", 30), ("等级", 6), ("问题类型", 22),
    ("问题", 28), ("具体情况", 70), ("位置", 24), ("整改期限", 20), ("上年已列示", 10),
    ("整改情况", 30), ("备注", 24))
LEDGER_SHEET = "整改台账"
#: What the bureau types: kept from the ledger in place when the year is rewritten.
LEDGER_FILLED = ("整改情况", "备注")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
FILL_FILL = PatternFill("solid", fgColor="FFF2CC")


@dataclass(frozen=True)
class Failed:
    """A department-year the bureau's documents could not include, and why."""

    department: str
    department_name: str
    error: str


@dataclass
class BureauYear:
    """What the bureau's documents of one year show.

    Attributes:
        year: the evaluation year.
        records: one per department reviewed (:func:`perfkit.assess.bureau.department_record`),
            by department code.
        flags: the findings across departments.
        failed: department-years left out (their workbook did not pass the input check …).
        recurring: department code → this year's problems last year's 整改台账 listed too.
        last_ledger: whether last year's 整改台账 was found (else recurrence is unknown).
    """

    year: int
    records: list[dict[str, Any]]
    flags: list[Flag]
    failed: list[Failed] = field(default_factory=list)
    recurring: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    last_ledger: bool = False


def _score(value: Any) -> str:
    return GAP if value is None else fmt.num(float(value))


def _recurring_text(year: BureauYear, rec: Mapping[str, Any]) -> str:
    if not year.last_ledger:
        return "无上年整改台账"
    hits = year.recurring.get(rec["department"], [])
    if not hits:
        return "无"
    grave = [p for p in hits if p["level"] != "P2"]
    text = f"{len(hits)}项" + "：" + "；".join(
        f"[{p['level']}] {p['item_zh']}（上年整改情况：{p['status'] or '未填写'}）" for p in grave)
    minor = len(hits) - len(grave)
    return (text if grave else f"{len(hits)}项") + (f"{'；另有' if grave else '，均为'}P2问题"
                                                    f"{minor}项" if minor else "")


def _claimed_grade(rec: Mapping[str, Any]) -> str:
    """The grade the department states, else the band its score falls in, said as such."""
    grade = rec.get("claimed_grade") or ""
    if not grade:
        return GAP
    return grade if rec.get("claimed_grade_stated") else f"{grade}（按分数）"


def _uses(rec: Mapping[str, Any]) -> str:
    if rec.get("range") is not None:
        return pending_result_use(rec.get("possible_grades") or [],
                                  dict(rec.get("result_use_by_grade") or {}))
    return rec.get("result_use") or GAP


def score_cell(rec: Mapping[str, Any]) -> float | str | None:
    """The 复核得分 of a record as the summary holds it: the score (a number), the range of a
    first reading as its 复核意见 words it, None for a gap."""
    span = rec.get("range")
    return score_text(None, tuple(span)) if span is not None else rec.get("total")


def deviation_cell(rec: Mapping[str, Any]) -> float | str | None:
    """偏离度 of a record: a number, or of a range as the 复核意见's 差额 (``4.80–73.30``)."""
    span = rec.get("range")
    if span is not None:
        claimed = rec.get("claimed")
        return None if claimed is None else difference_text(float(claimed), None, tuple(span))
    return rec.get("deviation")


def sort_value(row: Mapping[str, Any], column: str) -> Any:
    """What a column sorts by: a range's certain part (复核得分: its low, the points verified;
    偏离度: 自评 − its high), else the value."""
    return row.get(SORT_PREFIX + column, row.get(column))


def summary_rows(year: BureauYear) -> list[dict[str, Any]]:
    """One row per department: the 复核汇总's columns, figures as numbers (None: a gap); the
    复核得分, grade and 偏离度 of a first reading as its 复核意见 words them (a range)."""
    rows = []
    for rec in year.records:
        counts = level_counts(rec)
        main = main_problems(rec)
        span = rec.get("range")
        scored = rec.get("total") is not None or span is not None
        rows.append({
            "部门代码": rec["department"], "部门": rec["department_name"],
            "复核阶段": STAGE_ZH.get(str(rec.get("stage")), GAP),
            "自评得分": rec.get("claimed"), "自评等级": _claimed_grade(rec),
            "复核得分": score_cell(rec),
            "复核等级": (grade_text("", rec.get("possible_grades") or []) if span is not None
                     else rec.get("grade") if scored else NOT_SCORED),
            "偏离度（分）": deviation_cell(rec),
            "P0问题数": counts["P0"], "P1问题数": counts["P1"],
            "主要问题": "；".join(f"[{p['level']}] {p['item_zh']}：{p['heading_zh']}"
                              for p in main) or "无",
            "整改期限": rec.get("deadline") or GAP,
            "结果应用": _uses(rec),
            "上年问题复发": _recurring_text(year, rec),
            "排序依据（分）": rec.get("deviation_rank"),
            SORT_PREFIX + "复核得分": span[0] if span is not None else rec.get("total"),
            SORT_PREFIX + "偏离度（分）": rec.get("deviation_rank"),
        })
    return rows


def ranked_by_deviation(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Departments with a 偏离度, largest first by its certain part (:data:`RANKING_ZH`; those
    without one are left out)."""
    have = [r for r in rows if r["排序依据（分）"] is not None]
    return sorted(have, key=lambda r: (-float(r["排序依据（分）"]), r["部门"]))


def _sheet(book: Workbook, title: str, columns: Sequence[tuple[str, int]],
           rows: Sequence[Mapping[str, Any]], *, decimals: Mapping[str, str] | None = None):
    ws = book.create_sheet(title)
    ws.append([c for c, _ in columns])
    for j, (_name, width) in enumerate(columns, 1):
        cell = ws.cell(1, j)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = width
    for row in rows:
        ws.append([row.get(c) for c, _ in columns])
    for j, (name, _) in enumerate(columns, 1):
        for i in range(2, len(rows) + 2):
            cell = ws.cell(i, j)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if decimals and name in decimals:
                cell.number_format = decimals[name]
    ws.freeze_panes = "C2"
    # Printed (and converted to PDF) on landscape pages as wide as the table, header repeated.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    return ws


def summary_xlsx(year: BureauYear) -> bytes:
    """The 复核汇总 workbook: 复核汇总 (one row per department, sortable in a spreadsheet),
    偏离度排序, 跨部门提示 (the flags), 未纳入汇总 (departments left out, with the reason)."""
    book = Workbook()
    book.remove(book.active)
    rows = summary_rows(year)
    two = {"自评得分": "0.00", "复核得分": "0.00", "偏离度（分）": "0.00", "排序依据（分）": "0.00"}
    _sheet(book, "复核汇总", SUMMARY_COLUMNS, rows, decimals=two)
    ranked = [{"名次": i, **r} for i, r in enumerate(ranked_by_deviation(rows), 1)]
    ws = _sheet(book, "偏离度排序", RANKED_COLUMNS, ranked, decimals=two)
    ws.cell(len(ranked) + 3, 1, f"注：{ranking_note(year)}。")
    _sheet(book, "跨部门提示", (("提示", 40), ("情况", 80), ("涉及部门", 60)),
           [{"提示": f.title_zh, "情况": f.detail_zh, "涉及部门": "、".join(f.departments)}
            for f in year.flags])
    _sheet(book, "未纳入汇总", (("部门代码", 14), ("部门", 24), ("原因", 100)),
           [{"部门代码": f.department, "部门": f.department_name, "原因": f.error}
            for f in year.failed])
    ws = book["复核汇总"]
    first = sum(1 for r in year.records if r.get("range") is not None)
    ws.cell(len(rows) + 3, 1, f"注：{bureau_settings()['deviation_zh']}；“—”表示缺少该项数据。"
            "问题等级同复核问题清单：P0必须更正，P1应当说明或整改，P2提示关注。" + (
                f"{first}个部门处于初审阶段，复核得分为区间（已核实部分至加上待补充资料分值），"
                "等级和结果应用待终审确定。" if first else ""))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ledger_rows(year: BureauYear, filled: Mapping[tuple[str, str], Mapping[str, Any]]
                ) -> list[dict[str, Any]]:
    """Every department's problems, one row each, with what the bureau filled in kept.

    Args:
        year: the year's records.
        filled: (部门代码, 问题编号) → the 整改情况 and 备注 already in this year's ledger.
    """
    rows = []
    for rec in year.records:
        again = {p["key"] for p in year.recurring.get(rec["department"], [])}
        for p in ledger_problems(rec):
            kept = filled.get((rec["department"], p["key"]), {})
            rows.append({
                "部门代码": rec["department"], "部门": rec["department_name"], "问题编号": p["key"],
                "等级": p["level"], "问题类型": p["heading_zh"], "问题": p["item_zh"],
                "具体情况": p["detail_zh"], "位置": p["cells"], "整改期限": rec.get("deadline"),
                "上年已列示": ("是" if p["key"] in again else "否") if year.last_ledger else GAP,
                **{k: kept.get(k) for k in LEDGER_FILLED},
            })
    return rows


def ledger_xlsx(year: BureauYear, filled: Mapping[tuple[str, str], Mapping[str, Any]]) -> bytes:
    """The 整改台账 workbook: one sheet, the columns the bureau fills shaded."""
    book = Workbook()
    book.remove(book.active)
    rows = ledger_rows(year, filled)
    ws = _sheet(book, LEDGER_SHEET, LEDGER_COLUMNS, rows)
    names = [c for c, _ in LEDGER_COLUMNS]
    for name in LEDGER_FILLED:
        j = names.index(name) + 1
        for i in range(1, len(rows) + 2):
            ws.cell(i, j).fill = FILL_FILL
    ws.cell(len(rows) + 3, 1, "注：“整改情况”“备注”两列由财政部门填写（如 已整改、整改中、未整改）；"
            "重新生成本表时保留已填写的内容。下一年度运行时读取本表，标出再次出现的问题。")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# 结果通报
# ---------------------------------------------------------------------------------------------


def _common(records: Sequence[Mapping[str, Any]], key: str) -> str:
    """The value most departments' settings give (the bureau's own: 复核机构, 复核日期)."""
    values = Counter(str(r.get(key) or "") for r in records if r.get(key))
    return values.most_common(1)[0][0] if values else ""


def _date_zh(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def _first_only(year: BureauYear) -> bool:
    """Whether every department with a 复核得分 is in a first reading (a range): the document is
    then a 初审 summary, not the 通报 of results (issued after 终审)."""
    ranged = [r for r in year.records if r.get("range") is not None]
    return bool(ranged) and all(r.get("total") is None for r in year.records)


def notice_title(year: BureauYear) -> str:
    """The 通报's title; a 初审 summary's while every 复核得分 is still a range."""
    if _first_only(year):
        return f"关于{year.year}年度部门整体支出绩效自评初审情况的汇总"
    return f"关于{year.year}年度部门整体支出绩效自评复核结果的通报"


def notice_blocks(year: BureauYear) -> list[Block]:
    """The 结果通报: the year's 复核 results by grade, the 结果应用 of each grade (财预〔2020〕
    10号 第二十七条), the departments under each, the flags and the 整改 requirement.

    A department in a first reading (初审, its 复核得分 a range) has no grade yet: it is listed
    with its range and the grades it allows, its 结果应用 after 终审. While all are, the document
    is a 初审 summary and says the 通报 of results follows the 终审.
    """
    records = year.records
    org = _common(records, "review_org")
    uses: dict[str, str] = {}
    for r in records:
        for g, text in (r.get("result_use_by_grade") or {}).items():
            uses.setdefault(g, text)
    by_grade: dict[str, list[Mapping[str, Any]]] = {g: [] for g in GRADES}
    first: list[Mapping[str, Any]] = []
    unscored: list[Mapping[str, Any]] = []
    for r in records:
        if r.get("range") is not None:
            first.append(r)
        elif r.get("total") is not None and r.get("grade") in by_grade:
            by_grade[r["grade"]].append(r)
        else:
            unscored.append(r)
    only_first = _first_only(year)
    n = len(records)
    blocks: list[Block] = [heading(1, notice_title(year)), par("各部门：")]
    if only_first:
        blocks.append(par(f"根据《项目支出绩效评价管理办法》（财预〔2020〕10号）有关规定，"
                          f"{org or '我局'}对{n}个部门{year.year}年度部门整体支出绩效自评开展了复核，"
                          "目前处于初审阶段。现将初审情况汇总如下。本汇总不是复核结果通报："
                          "初审中缺少佐证的评分项列为待补充资料，复核得分为区间，等级和结果应用"
                          "待各部门补充资料、终审确定后，另行印发复核结果通报。"))
    else:
        blocks.append(par(f"根据《项目支出绩效评价管理办法》（财预〔2020〕10号）有关规定，"
                          f"{org or '我局'}对{n}个部门{year.year}年度部门整体支出绩效自评"
                          "开展了复核。现将复核结果通报如下。"))
    claimed = [float(r["claimed"]) for r in records if r.get("claimed") is not None]
    totals = [float(r["total"]) for r in records if r.get("total") is not None]
    text = [f"本次复核{n}个部门"]
    if not only_first:
        graded = sum(len(v) for v in by_grade.values())
        text.append((f"其中{graded}个部门已确定复核等级：" if first else "复核等级")
                    + "，".join(f"{g}{len(by_grade[g])}个" for g in GRADES))
    if first:
        text.append(f"{len(first)}个部门处于初审阶段，复核得分为区间，等级待终审确定")
    if unscored:
        text.append(f"{len(unscored)}个部门无法评分")
    if claimed:
        text.append(f"{len(claimed)}个部门填报了自评得分，平均{fmt.num(math.fsum(claimed) / len(claimed))}分")
    if totals:
        text.append(("" if not first else f"已确定复核得分的{len(totals)}个部门")
                    + f"复核得分平均{fmt.num(math.fsum(totals) / len(totals))}分")
    blocks += [heading(2, "一、复核总体情况"), par("，".join(text) + "。")]
    if year.failed:
        blocks.append(par(f"另有{len(year.failed)}个部门未纳入本次{'汇总' if only_first else '通报'}（"
                          + "、".join(f.department_name for f in year.failed)
                          + "），原因见复核汇总表“未纳入汇总”，应补正自评资料后重新报送。"))
    blocks.append(heading(2, "二、初审情况" if only_first else "二、复核结果及结果应用"))
    k = 0
    if not only_first:
        for g in GRADES:
            members = by_grade[g]
            k += 1
            blocks.append(heading(3, f"（{fmt.zh_numeral(k)}）复核等级为“{g}”的部门（{len(members)}个）"))
            blocks.append(par(b("结果应用："), uses.get(g, GAP) + "。"))
            if members:
                blocks.append(_grade_table(members, f"复核等级为“{g}”的部门"))
            else:
                blocks.append(par("本年度无。"))
    if first:
        k += 1
        blocks.append(heading(3, f"（{fmt.zh_numeral(k)}）初审阶段的部门（{len(first)}个）"))
        blocks.append(par("以下部门的复核处于初审阶段：复核得分为区间，下限为已核实部分的得分，上限为"
                          "待补充资料全部得到佐证时的得分；", b("等级和结果应用待终审确定"),
                          "，逾期未补充或补充后仍无佐证的评分项，终审时按复核口径计0分。"))
        blocks.append(_first_table(first))
    if unscored:
        k += 1
        blocks.append(heading(3, f"（{fmt.zh_numeral(k)}）无法评分的部门（{len(unscored)}个）"))
        blocks.append(par("评分所需的数据或评分表无法使用，复核得分待补充资料后确定："
                          + "、".join(r["department_name"] for r in unscored) + "。"))
    if year.flags:
        blocks.append(heading(2, "三、复核中发现的共性问题"))
        for j, f in enumerate(year.flags, 1):
            shown = "、".join(f.departments[:10]) + ("等" if len(f.departments) > 10 else "")
            blocks.append(par(b(f"{j}. {f.title_zh}。"), f"{f.detail_zh}。涉及：{shown}。"))
    deadlines = Counter(str(r.get("deadline") or "") for r in records if r.get("deadline"))
    when = (next(iter(deadlines)) if len(deadlines) == 1 else "复核意见所列期限内")
    blocks += [heading(2, f"{'四' if year.flags else '三'}、整改要求"),
               par(("初审阶段的部门应按复核意见所列补充资料清单，在规定期限内报送佐证资料；"
                    if first else "")
                   + f"各部门应对照复核意见和整改台账所列问题，于{when}完成整改，并将整改情况报送"
                   f"{org or '财政部门'}。整改情况纳入下一年度复核，再次出现的问题将在下一年度通报中列明。")]
    signed = [org] if org else []
    when_signed = _common(records, "review_date")
    signed.append(_date_zh(when_signed) if when_signed else "    年  月  日")
    blocks.append(Signature(tuple(signed)))
    return blocks


def _grade_table(members: Sequence[Mapping[str, Any]], caption: str) -> Table:
    rows = sorted(members, key=lambda r: (-(r.get("total") or 0), r["department_name"]))
    return Table(("部门", "自评得分", "复核得分", "偏离度（分）"),
                 tuple((r["department_name"], _score(r.get("claimed")), score_text(r.get("total")),
                        GAP if r.get("deviation") is None else fmt.num(r["deviation"]))
                       for r in rows), (False, True, True, True), caption=caption)


def _first_table(members: Sequence[Mapping[str, Any]]) -> Table:
    """Departments in a first reading: the range, the grades it allows, the 偏离度 range."""
    rows = sorted(members, key=lambda r: (-float(r["range"][0]), r["department_name"]))
    return Table(("部门", "自评得分", "复核得分（初审区间）", "可能的等级", "偏离度（分）"),
                 tuple((r["department_name"], _score(r.get("claimed")), str(score_cell(r)),
                        grade_text("", r.get("possible_grades") or []),
                        str(deviation_cell(r) or GAP)) for r in rows),
                 (False, True, True, False, True), caption="初审阶段的部门（复核得分为区间）")


def notice_docx(year: BureauYear, generated_at: str, version: str) -> bytes:
    """The 结果通报 as an official-layout ``.docx`` (as the 自评报告's Word file)."""
    org = _common(year.records, "review_org")
    meta = ReportMeta(department=org or "财政局", year=year.year,
                      title=notice_title(year).removeprefix("关于"),
                      generated_at=generated_at, perfkit_version=version, workbook_sha256="",
                      kind="review")
    return blocks_docx(notice_blocks(year), meta)


__all__ = ["GRADES", "LEDGER_COLUMNS", "RANKED_COLUMNS", "RANKING_ZH", "SUMMARY_COLUMNS",
           "BureauYear", "Failed", "deviation_cell", "ledger_rows", "ledger_xlsx", "notice_blocks",
           "notice_docx", "notice_title", "ranked_by_deviation", "ranking_note", "score_cell",
           "sort_value", "summary_rows", "summary_xlsx"]
