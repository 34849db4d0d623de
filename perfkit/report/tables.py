"""Display tables for the notebooks: formatted, Chinese headers, escaped; no number computed here."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from perfkit import fmt
from perfkit.assess import targets
from perfkit.assess.audit import audit
from perfkit.assess.checks import run_domain_checks
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.figures import STATED
from perfkit.assess.history import changes, earlier_years
from perfkit.assess.pefa import NOT_RATED, assess
from perfkit.assess.targets import target_text
from perfkit.cells import is_missing
from perfkit.indicators.aid import PROGRAMME_FIELDS, programme_frame
from perfkit.indicators.finance import sheet_lines
from perfkit.indicators.registry import registry
from perfkit.report.blocks import Blocks, Table, par
from perfkit.verdicts import CONFIRMED, INCONSISTENT, ROUNDING, UNEXPLAINED, UNVERIFIABLE

MISSING = fmt.MISSING
#: One sign for every 差额 a reader sees: the figure as stated minus what the data gives. In
#: check tables 实际 is the stated figure (a total, a balance, a score) and 应为 what the rule
#: gives (Σ parts, the identity, the standard); in the audit 报告值 and 重新计算.
DIFFERENCE_HEADER = "差额（实际 − 应为）"
AUDIT_DIFFERENCE_HEADER = "差额（报告值 − 重新计算）"

#: A figure as a table prints it: optional sign and currency, digits, an optional unit of at
#: most four characters (``24192.45``, ``-595.92``, ``109.03%``, ``+1.20个百分点``, ``2019年``,
#: ``818.93元/人``) and the qualifiers of fmt.QUALIFIERS (``近9000名``, ``1000余所``).
_NUMBER_TEXT = re.compile(
    r"^[(（]?(近|约|超过|逾)?[-+\u2212]?[¥￥$]?\d[\d,，]*(\.\d+)?(余|多)?\s*"
    r"(%|％|‰|[\u4e00-\u9fff]{1,4}(/[\u4e00-\u9fff]{1,3})?|/10万)?(以上|以下|以内)?[)）]?$")
#: Longest text a figures column may hold besides figures (未提供, 无法计算（基数为0）, 不计分).
_NUMERIC_NOTE_CHARS = 12


def is_number_text(text: str) -> bool:
    """Whether a table cell's text is a figure (right-aligned in print)."""
    return bool(_NUMBER_TEXT.match(text.strip()))


def _cell_text(value: Any) -> str:
    if is_missing(value) or value is pd.NA:
        return MISSING
    return str(value)


def styled(frame: pd.DataFrame, caption: str | None = None,
           tones: Mapping[str, Mapping[str, str]] | None = None) -> Table:
    """A table block from display strings (missing values shown as ``未提供``): the columns
    that hold figures (every cell a figure or a short note such as 未提供) are marked numeric.

    Args:
        frame: the rows as display strings (numbers already formatted); the index is not shown.
        caption: shown above the table.
        tones: per column, cell text -> a tone of :data:`perfkit.report.blocks.TONES`.
    """
    columns = tuple(" ".join(map(str, c)) if isinstance(c, tuple) else str(c)
                    for c in frame.columns)
    rows = tuple(tuple(_cell_text(v) for v in row) for row in frame.itertuples(index=False))
    numeric = []
    for i in range(len(columns)):
        cells = [r[i].strip() for r in rows]
        figures = [c for c in cells if is_number_text(c)]
        numeric.append(bool(figures) and all(
            is_number_text(c) or len(c) <= _NUMERIC_NOTE_CHARS for c in cells))
    return Table(columns, rows, tuple(numeric), caption or "",
                 {str(k): dict(v) for k, v in (tones or {}).items()})


def _rate(value: float, note: str) -> str:
    return fmt.pct(value, missing=note or MISSING)


def budget_table(ev: Evaluation, sheet: str):
    """收入 or 支出 by line: budgets, actual, completion rate, change on last year (the rates
    from :func:`perfkit.indicators.finance.sheet_lines`)."""
    basis = ev.settings.budget_label_zh
    rows = []
    for _, line in sheet_lines(ev.data, ev.settings, sheet).iterrows():
        rows.append({
            "项目": ("　其中：" if line["parent"] else "") + line["label"],
            "年初预算数（万元）": fmt.num(line["budget_initial"]),
            "调整预算数（万元）": fmt.num(line["budget_adjusted"]),
            "决算数（万元）": fmt.num(line["actual"]),
            f"完成率（决算/{basis}）": _rate(line["execution_pct"], line["execution_note"]),
            "上年决算数（万元）": fmt.num(line["prior_actual"]),
            "同比增减率": _rate(line["change_pct"], line["change_note"]),
            "决算数单元格": line["actual_cell"],
        })
    return styled(pd.DataFrame(rows))


def three_public_table(ev: Evaluation):
    """"三公"经费 by item: budget, actual, control rate, last year, change."""
    rows = []
    for _, line in sheet_lines(ev.data, ev.settings, "three_public").iterrows():
        rows.append({
            "项目": ("　其中：" if line["parent"] else "") + line["label"],
            "预算数（万元）": fmt.num(line["budget"]),
            "决算数（万元）": fmt.num(line["actual"]),
            "控制率（决算/预算）": _rate(line["execution_pct"], line["execution_note"]),
            "上年决算数（万元）": fmt.num(line["prior_actual"]),
            "增减额（万元）": fmt.num(line["change_wan_yuan"]),
            "增减率": _rate(line["change_pct"], line["change_note"]),
            "决算数单元格": line["actual_cell"],
        })
    return styled(pd.DataFrame(rows))


def indicator_table(ev: Evaluation, domain: str):
    """Every indicator of a domain: value with unit, formula, note and the cells it read."""
    rows = []
    for _, r in ev.domain_indicators(domain).iterrows():
        rows.append({
            "指标": r["label_zh"],
            "数值": fmt.with_unit(r["value"], r["unit"], int(r["decimals"]),
                                 qualifier=r["qualifier"], missing=r["note"] or MISSING),
            "计算方法": r["definition_zh"],
            "数据来源单元格": r["source_cells"],
        })
    return styled(pd.DataFrame(rows))


def gap_table(ev: Evaluation, domain: str):
    """Indicators of a domain that cannot be computed, with the reason (the data gaps)."""
    ind = ev.domain_indicators(domain)
    gaps = ind[ind["value"].isna()]
    frame = pd.DataFrame({"指标": gaps["label_zh"], "原因": gaps["note"]})
    if frame.empty:
        frame = pd.DataFrame({"指标": ["（无）"], "原因": ["全部指标均可计算"]})
    return styled(frame)


def check_table(ev: Evaluation):
    """Finance cross-checks with verdicts."""
    c = ev.checks
    frame = pd.DataFrame({
        "核对项": c["label_zh"],
        "应为（万元）": c["expected"].map(fmt.num),
        "实际（万元）": c["actual"].map(fmt.num),
        DIFFERENCE_HEADER.replace("）", "，万元）"): c["difference"].map(fmt.num),
        "容差（万元）": c["tolerance"].map(fmt.num),
        "结论": c["verdict"],
        "说明": c["explanation"],
    })
    return styled(frame)


# ---------------------------------------------------------------------------------------------
# Audit: the figures a report states, recomputed (numbers from perfkit.assess.audit)
# ---------------------------------------------------------------------------------------------

#: The tone of each audit verdict in the reviewer's table (colours: templates/report.css, and
#: the same in Word and Typst).
AUDIT_VERDICT_TONE = {INCONSISTENT: "verdict-bad", ROUNDING: "verdict-note",
                      UNEXPLAINED: "verdict-note", CONFIRMED: "verdict-note",
                      UNVERIFIABLE: "verdict-na"}


def _audit_value(value: float, unit: str, note: str, verdict: str) -> str:
    if is_missing(value):
        if verdict != UNVERIFIABLE:
            return ""  # a pass/fail check without a figure (e.g. grade band)
        return fmt.NOT_COMPUTABLE_ZERO if "基数为0" in str(note) else "无法计算"
    if unit == "%" or unit == "万元":
        return fmt.with_unit(value, unit)
    return fmt.count(value) + (unit or "")


def _audit_difference(value: float, unit: str) -> str:
    if is_missing(value):
        return ""
    sign = "+" if value > 0 and fmt.num(value) != "0.00" else ""
    return sign + fmt.num(value) + ("个百分点" if unit == "%" else unit or "")


def audit_frame(ev: Evaluation, category: str | None = None) -> pd.DataFrame:
    """The audit as a reviewer reads it: figure, stated, recomputed, difference, verdict, why.

    Args:
        ev: the evaluation.
        category: only ``报告数值``, ``勾稽关系`` or ``评分表`` rows; all when None.

    Returns:
        A plain frame with Chinese headers (the CLI prints it; :func:`audit_table` styles it).
        差额 is 报告值 minus 重新计算.
    """
    a = audit(ev)
    if category:
        a = a[a["category"] == category]
    return audit_display(a)


def audit_display(a: pd.DataFrame, every_ref: bool = False) -> pd.DataFrame:
    """Tidy audit rows (perfkit.assess.audit.AUDIT_COLUMNS) with Chinese headers, values shown.

    编号 is shown for 报告数值 rows (or for every row with ``every_ref``, as for a report's text).
    """
    return pd.DataFrame({
        "编号": [r if c == STATED or every_ref else "" for r, c in
                 zip(a["ref"], a["category"], strict=True)],
        "类别": a["category"],
        "核对项": a["figure"],
        "报告值": a["stated"],
        "重新计算": [_audit_value(v, u, n, c) for v, u, n, c in
                     zip(a["recomputed"], a["unit"], a["explanation"], a["verdict"], strict=True)],
        AUDIT_DIFFERENCE_HEADER: [_audit_difference(d, u)
                                  for d, u in zip(a["difference"], a["unit"], strict=True)],
        "结论": a["verdict"],
        "说明": a["explanation"],
    })


def audit_table(ev: Evaluation, category: str | None = None):
    """The audit table for the report, verdicts marked (不一致 red, 舍入差异 amber)."""
    frame = audit_frame(ev, category)
    if frame.empty:
        frame = pd.DataFrame({"核对项": ["（无）"],
                              "结论": ["工作簿“报告数值”表为空，没有需要核对的报告数值"]})
        return styled(frame)
    return verdicts_marked(frame)


def verdicts_marked(frame: pd.DataFrame, caption: str | None = None) -> Table:
    """:func:`styled` with each 结论 cell toned by its verdict (不一致 red, 舍入差异 amber)."""
    return styled(frame, caption, tones={"结论": AUDIT_VERDICT_TONE})


# ---------------------------------------------------------------------------------------------
# Targets and the domain reports, any catalog's (numbers from perfkit.assess.targets and indicators)
# ---------------------------------------------------------------------------------------------



def _change_text(row) -> str:
    text = fmt.signed(row["change"], row["unit"])
    if row["unit"] == "%" or is_missing(row["change"]) or fmt.is_unchanged(row["change"]):
        return text
    if row["change_note"] or is_missing(row["change_pct"]):
        return f"{text}（{row['change_note']}）" if row["change_note"] else text
    return f"{text}（{'+' if row['change_pct'] > 0 else '-'}{fmt.pct(abs(row['change_pct']))}）"


def _target_rows(frame: pd.DataFrame, *, judged: bool) -> pd.DataFrame:
    out = pd.DataFrame({
        "指标": frame["label_zh"],
        "目标": frame.apply(target_text, axis=1),
    })
    if not judged:
        out["目标年度"] = frame["target_year"].map(lambda y: f"{int(y)}年")
    out["实际值"] = [fmt.with_unit(v, u, qualifier=q) for v, u, q in
                  zip(frame["actual"], frame["unit"], frame["qualifier"], strict=True)]
    if judged:
        out["实际/目标"] = [fmt.pct(v, missing=n or "—")
                        for v, n in zip(frame["ratio_pct"], frame["ratio_note"], strict=True)]
        out["状态"] = frame["status"]
    if frame["prior"].notna().any():
        out["上年值"] = [fmt.with_unit(v, u) for v, u in zip(frame["prior"], frame["unit"], strict=True)]
        out["较上年"] = frame.apply(_change_text, axis=1)
    out["说明"] = [("；".join(p for p in (tn, n) if p))
                 for tn, n in zip(frame["target_note"], frame["note"], strict=True)]
    out["实际值单元格"] = frame["actual_cell"]
    return out


def attainment_table(ev: Evaluation, domain: str):
    """This year's targets of a domain: target, actual, 实际/目标, status (达成/超额/…), change."""
    frame = targets.attainment(ev, domain)
    if frame.empty:  # attainment_summary says that there are none
        return Blocks()
    caption = None if frame["prior"].notna().any() else "上年值均未提供，无法计算较上年变化。"
    return styled(_target_rows(frame, judged=True), caption)


def next_year_table(ev: Evaluation, domain: str):
    """Targets set for a later year (the plan), listed but not judged."""
    frame = targets.next_year_targets(ev, domain)
    if frame.empty:  # next_year_targets_text says that there are none
        return Blocks()
    return styled(_target_rows(frame, judged=False))


def topic_table(ev: Evaluation, domain: str, topic: str):
    """The indicators of one topic of a domain's catalog: value, 口径, source cells.

    Figures the report states are marked 报告数; figures perfkit computes are marked 计算 and
    show their formula.
    """
    ids = ev.registry.topics(domain)[topic].indicators
    notes = targets.metrics(ev, domain).set_index("code")["note"]
    notes = notes[~notes.index.duplicated()]
    ind = ev.indicators
    rows = []
    for i in ids:
        r = ind.loc[i]
        stated = bool(r["reported"])
        rows.append({
            "指标": r["label_zh"],
            "数值": fmt.with_unit(r["value"], r["unit"], int(r["decimals"]),
                                 qualifier=r["qualifier"], missing=r["note"] or MISSING),
            "类型": "报告数" if stated else "计算",
            "口径/说明": (notes.get(i, "") or "") if stated else r["definition_zh"],
            "数据来源单元格": r["source_cells"],
        })
    return styled(pd.DataFrame(rows))


def data_gap_table(ev: Evaluation, domain: str):
    """Every data gap of a domain: targets without actual value, indicators not computable."""
    g = targets.gaps(ev, domain)
    if g.empty:
        return styled(pd.DataFrame({"指标": ["（无）"], "类型": [""], "原因": ["无数据缺口"]}))
    return styled(pd.DataFrame({"指标": g["label_zh"], "类型": g["kind"], "原因": g["reason"],
                                "单元格": g["cells"]}))


def domain_check_table(ev: Evaluation, domain: str):
    """The checks a domain's data implies (parts = totals, per-person aid vs standard, units)."""
    c = run_domain_checks(ev.data, ev.settings, domain, ev.registry)
    if c.empty:
        return styled(pd.DataFrame({"核对项": ["（无）"], "结论": [""], "说明": ["本领域没有可核对的勾稽关系"]}))

    def num(v, u):
        return fmt.with_unit(v, u) if u != "万元" else fmt.amount(v)

    frame = pd.DataFrame({
        "核对项": c["label_zh"],
        "应为": [num(v, u) for v, u in zip(c["expected"], c["unit"], strict=True)],
        "实际": [num(v, u) for v, u in zip(c["actual"], c["unit"], strict=True)],
        DIFFERENCE_HEADER: [num(v, u) for v, u in zip(c["difference"], c["unit"], strict=True)],
        "结论": c["verdict"],
        "说明": c["explanation"],
        "单元格": c["source_cells"],
    })
    return styled(frame)


def aid_programme_table(ev: Evaluation):
    """学生资助 by programme: persons (in its 计数单位), amount, per-person aid, standard,
    share of the total."""
    p = programme_frame(ev.data)
    if p.empty:
        return styled(pd.DataFrame({"资助项目": ["（无）"], "说明": ["学生资助表未填写"]}))

    def head(key: str) -> str:
        label, unit = PROGRAMME_FIELDS[key]
        return f"{label}（{unit}）" if unit else label

    frame = pd.DataFrame({
        head("program"): p["program"],
        head("stage"): p["stage"],
        head("group"): p["group"],
        head("persons"): p["persons"].map(fmt.count),
        head("count_unit"): [u if v == v else "" for u, v in
                             zip(p["count_unit"], p["persons"], strict=True)],
        head("amount_wan_yuan"): p["amount_wan_yuan"].map(fmt.num),
        head("per_capita_yuan"): [fmt.num(v, missing=n or MISSING)
                                  for v, n in zip(p["per_capita_yuan"], p["per_capita_note"],
                                                  strict=True)],
        head("standard_yuan"): p["standard_yuan"].map(lambda v: fmt.num(v, missing="—")),
        head("per_capita_to_standard_pct"): p["per_capita_to_standard_pct"].map(
            lambda v: fmt.num(v, missing="—")),
        head("flag"): p["flag"],
        head("amount_share_pct"): p["amount_share_pct"].map(fmt.num),
        "金额单元格": p["amount_cell"],
    })
    return styled(frame)


# ---------------------------------------------------------------------------------------------
# Summary report: targets, the score sheet (自评表), claimed vs computed, PEFA, data dictionary
# ---------------------------------------------------------------------------------------------




def pefa_table(ev: Evaluation):
    """PEFA 2016 PI-1, PI-2.1, PI-2.2, PI-3.1 with values, grades and the basis of the grade."""
    a = assess(ev)
    frame = pd.DataFrame({
        "PEFA维度": a["label_zh"],
        "计算方法": a["definition_zh"],
        f"{ev.year}年": [fmt.pct(v, missing="无法计算") for v in a["value_pct"]],
        "各年数值": a["values"],
        "评级": a["grade"].replace("", NOT_RATED),
        "评级口径": a["basis"],
        "评级标准": a["bands_zh"],
    })
    return styled(frame)


def data_dictionary(ev: Evaluation | None = None):
    """Every indicator as a reader knows it: domain, label, unit, direction, formula and source,
    with indicator codes written as their Chinese names (the codes themselves are in
    ``tables/indicators.csv`` and ``perfkit codes``).

    With ``ev``, the indicators of finance and of the domains it covers (``ev.domains``);
    without, every indicator of every catalog in use in the current project.
    """
    reg = registry() if ev is None else ev.registry
    keep = None if ev is None else {"finance", *ev.domains}
    labels = {i.id: i.label_zh for i in reg.indicators.values()}
    frame = pd.DataFrame([{
        "领域": reg.domain_label(i.domain), "指标": i.label_zh, "单位": i.unit,
        "方向": i.direction.value, "计算方法": _codes_as_names(i.definition_zh, labels),
        "数据来源": _codes_as_names(i.source, labels),
    } for i in reg.indicators.values() if keep is None or i.domain in keep])
    return styled(frame)


_CODE_RE = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")


def _codes_as_names(text: str, labels: dict[str, str]) -> str:
    """``绩效指标: 实际值（按指标代码 teacher_recruited_count）`` → ``…（指标“全市招聘考录教师”）``."""
    text = str(text).replace("按指标代码 ", "指标")
    return _CODE_RE.sub(lambda m: f"“{labels[m.group()]}”" if m.group() in labels else m.group(),
                        text)


def _signed(value: float, unit: str) -> str:
    """A change with its sign: percentage points for % indicators, else the indicator's unit."""
    return fmt.signed(value, unit)


def change_table(ev: Evaluation, domain: str = "finance"):
    """Each indicator this year against the latest earlier year with a value (perfkit.assess.history).

    Earlier years come from their runs' ``tables/indicators.csv``. Without any earlier year the
    result is one line of text saying so.
    """
    years = earlier_years(ev)
    if not years:
        return par(f"没有{ev.year}年以前年度的评价结果（此前年度尚未用本工具评价，或其结果未保存），"
                   "本节不作历年比较。")
    c = changes(ev, domain)
    # Never computable in any year: the gap table lists those.
    c = c[c["value"].notna() | c["prior_value"].notna()].reset_index(drop=True)
    unit = c["unit"]
    frame = pd.DataFrame({
        "指标": c["label_zh"],
        "比较年度": [MISSING if math.isnan(y) else f"{int(y)}年" for y in c["prior_year"]],
        "上期数值": [fmt.with_unit(v, u) for v, u in zip(c["prior_value"], unit, strict=True)],
        f"{ev.year}年": [fmt.with_unit(v, u) for v, u in zip(c["value"], unit, strict=True)],
        "变动": [_signed(v, u) for v, u in zip(c["change"], unit, strict=True)],
        "变动率": [n or fmt.pct(v)
                for v, n in zip(c["change_pct"], c["change_note"], strict=True)],
        "方向": c["direction"],
    })
    caption = f"与此前年度比较（此前有结果的年度：{'、'.join(str(y) for y in years)}）"
    return styled(frame, caption)
