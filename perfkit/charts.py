"""Charts with Chinese labels: each function returns a matplotlib Figure built from the data."""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure

from . import fmt
from .evaluation import Evaluation

#: Print-resolution figures: 7.5 in wide fills an A4 text block at 150 dpi.
WIDTH_IN, DPI = 7.5, 150
PALETTE = {"budget": "#9DB4CF", "actual": "#2F5D8A", "prior": "#BFBFBF", "gap": "#D9534F"}
STATUS_COLORS = {"达成": "#2E8B57", "超额": "#1F6FB2", "未达成": "#D9534F", "无实际值": "#BFBFBF"}


def theme() -> dict:
    """Apply the seaborn theme with the CJK font passed through ``rc`` (set_theme resets fonts)."""
    import seaborn as sns

    from .fonts import configure_matplotlib

    rc = configure_matplotlib()
    sns.set_theme(style="whitegrid", rc=rc)
    return rc


def new_figure(height_in: float = 4.0) -> Figure:
    """A Figure not registered with pyplot (no global state; shown when returned in a cell)."""
    _load_backend()  # first: loading the inline backend resets the Figure display formatter
    theme()
    return Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")


def _load_backend() -> None:
    """Load pyplot's backend once: in a kernel, the inline backend registers the PNG display of
    Figure on load. Charts that never touch pyplot (no seaborn call) would otherwise show as text.
    """
    import matplotlib.pyplot as plt

    plt.switch_backend(plt.get_backend())


def _bar_labels(ax, fmt_func=fmt.num) -> None:
    for container in ax.containers:
        labels = [fmt_func(b.get_height()) if b.get_height() == b.get_height() and b.get_height()
                  else "" for b in container]
        ax.bar_label(container, labels=labels, fontsize=7, padding=2)


def budget_vs_actual(ev: Evaluation) -> Figure:
    """Budget vs actual for every income and spending line that has an actual figure."""
    import seaborn as sns

    from .workbook import SHEET_BY_KEY

    col, basis = ev.settings.budget_column, ev.settings.budget_label_zh
    rows = []
    for sheet, prefix in (("income", "收入"), ("expenditure", "支出")):
        for item in SHEET_BY_KEY[sheet].items:
            actual = ev.data.value(sheet, item.key, "actual")
            if math.isnan(actual):
                continue
            label = item.label if item.key != "total" else f"{prefix}合计"
            rows.append({"项目": label, "口径": basis, "金额（万元）": ev.data.value(sheet, item.key, col)})
            rows.append({"项目": label, "口径": "决算", "金额（万元）": actual})
    fig = new_figure(4.2)
    ax = fig.subplots()
    frame = pd.DataFrame(rows)
    if frame.empty:
        ax.text(0.5, 0.5, "收入、支出决算数均未提供", ha="center", va="center")
        ax.set_axis_off()
        return fig
    sns.barplot(frame, x="项目", y="金额（万元）", hue="口径", ax=ax,
                palette=[PALETTE["budget"], PALETTE["actual"]])
    _bar_labels(ax)
    ax.set_title(f"{ev.year}年度收支预算与决算对比（{basis}未提供的项目只显示决算）")
    ax.set_xlabel("")
    ax.legend(title="")
    return fig


def spending_structure(ev: Evaluation) -> Figure:
    """Spending by type as one stacked bar, with the unexplained remainder shown as such."""
    d = ev.data
    total = d.value("expenditure", "total", "actual")
    parts = [("基本支出", d.value("expenditure", "basic", "actual")),
             ("项目支出", d.value("expenditure", "project", "actual")),
             ("上缴上级支出", d.value("expenditure", "remit", "actual")),
             ("经营支出", d.value("expenditure", "business", "actual")),
             ("对附属单位补助支出", d.value("expenditure", "subsidy", "actual"))]
    parts = [(k, v) for k, v in parts if not math.isnan(v) and v > 0]
    gap = ev.value("unexplained_expenditure_wan_yuan")
    if not math.isnan(gap) and gap > ev.settings.tolerance_wan_yuan:
        parts.append(("未说明差额", gap))
    fig = new_figure(3.3)
    ax = fig.subplots()
    if math.isnan(total) or not parts:
        ax.text(0.5, 0.5, "支出决算数未提供", ha="center", va="center")
        ax.set_axis_off()
        return fig
    import seaborn as sns

    colors = sns.color_palette("Blues_r", n_colors=max(len(parts), 3))
    left = 0.0
    for i, (label, value) in enumerate(parts):
        is_gap = label == "未说明差额"
        ax.barh([0], [value], left=left, color="white" if is_gap else colors[i],
                edgecolor=PALETTE["gap"] if is_gap else "white", hatch="//" if is_gap else None,
                label=f"{label} {fmt.amount(value)}（{fmt.pct(value / total * 100)}）")
        ax.text(left + value / 2, 0, fmt.pct(value / total * 100), ha="center", va="center",
                fontsize=8, color="black" if is_gap else "white")
        left += value
    ax.set_yticks([])
    ax.set_xlabel("万元")
    ax.set_title(f"{ev.year}年度支出结构（本年支出合计{fmt.amount(total)}）")
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return fig


def three_public_change(ev: Evaluation) -> Figure:
    """"三公"经费 this year vs last year, by item."""
    import seaborn as sns

    d = ev.data
    rows = []
    for key, label in (("abroad", "因公出国（境）费"), ("vehicle_purchase", "公务用车购置费"),
                       ("vehicle_operation", "公务用车运行维护费"), ("reception", "公务接待费"),
                       ("total", "合计")):
        for col, year in (("prior_actual", ev.year - 1), ("actual", ev.year)):
            v = d.value("three_public", key, col)
            if not math.isnan(v):
                rows.append({"项目": label, "年度": f"{year}年", "金额（万元）": v})
    fig = new_figure(3.8)
    ax = fig.subplots()
    if not rows:
        ax.text(0.5, 0.5, "“三公”经费未提供", ha="center", va="center")
        ax.set_axis_off()
        return fig
    sns.barplot(pd.DataFrame(rows), x="项目", y="金额（万元）", hue="年度", ax=ax,
                palette=[PALETTE["prior"], PALETTE["actual"]])
    _bar_labels(ax)
    ax.set_title(f"“三公”经费 {ev.year - 1}年与{ev.year}年对比")
    ax.set_xlabel("")
    ax.legend(title="")
    return fig


# ---------------------------------------------------------------------------------------------
# Targets and the quality / aid / safety domains
# ---------------------------------------------------------------------------------------------


def _domain_zh(domain: str) -> str:
    from .workbook import DOMAIN_CHOICES

    return {v: k for k, v in DOMAIN_CHOICES.items()}.get(domain, domain)


def _message(fig: Figure, text: str) -> Figure:
    ax = fig.subplots() if not fig.axes else fig.axes[0]
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True)
    ax.set_axis_off()
    return fig


def _wrap(text: str, width: int = 14) -> str:
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


def _label(indicator_id: str) -> str:
    from .indicators import get

    return get(indicator_id).label_zh


def attainment_overview(ev: Evaluation, domain: str) -> Figure:
    """实际/目标 for each of this year's targets, bars coloured by status; gaps named, not drawn."""
    from matplotlib.patches import Patch

    from . import targets
    from .tables import target_text

    a = targets.attainment(ev, domain)
    fig = new_figure(max(2.4, 0.45 * len(a) + 1.3))
    if a.empty:
        return _message(fig, f"{_domain_zh(domain)}：工作簿未列出{ev.year}年度目标")
    ax = fig.subplots()
    finite = a["ratio_pct"].dropna()
    top = max(130.0, float(finite.max()) * 1.5) if not finite.empty else 130.0
    ys = list(range(len(a)))[::-1]
    for y, (_, r) in zip(ys, a.iterrows(), strict=True):
        color = STATUS_COLORS.get(r["status"], PALETTE["prior"])
        actual = fmt.with_unit(r["actual"], r["unit"])
        if not math.isnan(r["ratio_pct"]):
            ax.barh(y, r["ratio_pct"], color=color, height=0.6)
            ax.text(r["ratio_pct"] + top * 0.01, y,
                    f"{fmt.pct(r['ratio_pct'])}（实际{actual}，目标{target_text(r)}）",
                    va="center", fontsize=7)
        else:
            ax.plot([0], [y], marker="|", color=color, markersize=10)
            detail = f"实际{actual}，" if not math.isnan(r["actual"]) else ""
            why = f"，实际/目标{r['ratio_note']}" if r["ratio_note"] else ""
            ax.text(top * 0.01, y, f"{r['status']}：{detail}目标{target_text(r)}{why}",
                    va="center", fontsize=7, color="#555555" if r["status"] != "达成" else color)
    ax.axvline(100, color="black", linestyle="--", linewidth=0.8)
    ax.set_yticks(ys, [_wrap(t) for t in a["label_zh"]], fontsize=7)
    ax.set_xlim(0, top)
    ax.set_xlabel("实际值 / 目标值（%），虚线为100%")
    present = [s for s in STATUS_COLORS if s in set(a["status"])]
    ax.legend(handles=[Patch(color=STATUS_COLORS[s], label=s) for s in present], fontsize=7,
              loc="lower right")
    ax.set_title(f"{ev.year}年度{_domain_zh(domain)}目标完成情况")
    return fig


def teacher_supply(ev: Evaluation) -> Figure:
    """Teacher supply: 定向培养 as 省级 + 市级 (with the 市级 target), and 招聘考录."""
    from . import targets

    prov, muni = ev.value("teacher_directed_provincial_count"), ev.value("teacher_directed_municipal_count")
    recruited = ev.value("teacher_recruited_count")
    fig = new_figure(3.0)
    if all(math.isnan(v) for v in (prov, muni, recruited)):
        return _message(fig, "定向培养与招聘教师数均未提供")
    ax = fig.subplots()
    colors = ["#2F5D8A", "#7FA7D0", "#E0A458"]
    unit = "名"
    if not math.isnan(prov):
        ax.barh(1, prov, color=colors[0], label=f"{_label('teacher_directed_provincial_count')}")
        ax.text(prov / 2, 1, fmt.with_unit(prov, unit), ha="center", va="center", color="white",
                fontsize=8)
    left = 0.0 if math.isnan(prov) else prov
    if not math.isnan(muni):
        ax.barh(1, muni, left=left, color=colors[1],
                label=f"{_label('teacher_directed_municipal_count')}")
        ax.text(left + muni / 2, 1, fmt.with_unit(muni, unit), ha="center", va="center", fontsize=8)
        att = targets.attainment(ev, "quality").set_index("code")
        if "teacher_directed_municipal_count" in att.index:
            target = att.at["teacher_directed_municipal_count", "target"]
            if not math.isnan(target):
                ax.plot([left + target] * 2, [0.62, 1.38], color="black", linewidth=1.5)
                ax.text(left + target, 1.42, f"市级目标{fmt.with_unit(target, unit)}", ha="center",
                        fontsize=7)
    if not math.isnan(recruited):
        ax.barh(0, recruited, color=colors[2], label=_label("teacher_recruited_count"))
        ax.text(recruited / 2, 0, fmt.with_unit(recruited, unit), ha="center", va="center",
                fontsize=8)
    total = ev.value("teacher_directed_total_count")
    ax.set_yticks([0, 1], [_label("teacher_recruited_count"),
                           f"{_wrap(_label('teacher_directed_total_count'), 6)}\n"
                           f"{fmt.with_unit(total, unit)}"], fontsize=8)
    ax.set_ylim(-0.6, 1.8)
    ax.set_xlabel(unit)
    ax.set_title(f"{ev.year}年度教师补充构成")
    fig.legend(loc="outside lower center", ncol=3, fontsize=7, frameon=False)
    return fig


def _aid_bars(ev: Evaluation, column: str, title: str, unit_label: str, scale: float = 1.0):
    from .indicators.aid import programme_frame

    p = programme_frame(ev.data)
    fig = new_figure(max(2.6, 0.38 * len(p) + 1.2))
    if p.empty:
        return _message(fig, "学生资助表未填写"), None, p
    p = p.iloc[::-1].reset_index(drop=True)
    ax = fig.subplots()
    colors = [PALETTE["actual"] if g else PALETTE["budget"] for g in p["group"]]
    values = p[column] / scale
    ax.barh(range(len(p)), values.fillna(0), color=colors, height=0.6)
    ax.set_yticks(range(len(p)), [_wrap(t, 10) for t in p["program"]], fontsize=7)
    ax.set_xlabel(unit_label)
    ax.set_title(title)
    ax.set_xlim(0, float(values.max()) * 1.35 if values.notna().any() else 1)
    return fig, ax, p


def aid_amounts(ev: Evaluation) -> Figure:
    """Aid amount by programme (万元), with each programme's share of the total."""
    from matplotlib.patches import Patch

    from .indicators.aid import PROGRAMME_FIELDS

    label, unit = PROGRAMME_FIELDS["amount_wan_yuan"]
    fig, ax, p = _aid_bars(ev, "amount_wan_yuan", f"{ev.year}年度学生资助：{label}（按项目）", unit)
    if ax is None:
        return fig
    for y, (v, s) in enumerate(zip(p["amount_wan_yuan"], p["amount_share_pct"], strict=True)):
        ax.text(0 if math.isnan(v) else v, y, f" {fmt.amount(v)}（{fmt.pct(s, missing='—')}）",
                va="center", fontsize=7)
    groups = sorted({g for g in p["group"] if g})
    if groups:
        ax.legend(handles=[Patch(color=PALETTE["actual"], label="、".join(groups)),
                           Patch(color=PALETTE["budget"], label="其他资助项目")], fontsize=7,
                  loc="lower right")
    return fig


def aid_persons(ev: Evaluation) -> Figure:
    """Persons (人次) aided by programme; programmes without a count say so."""
    from .indicators.aid import PROGRAMME_FIELDS

    label, unit = PROGRAMME_FIELDS["persons"]
    fig, ax, p = _aid_bars(ev, "persons", f"{ev.year}年度学生资助：{label}（按项目）", f"万{unit}",
                           scale=10_000)
    if ax is None:
        return fig
    for y, v in enumerate(p["persons"]):
        text = f" {fmt.num(v / 10_000)}万{unit}" if not math.isnan(v) else f" {label}未提供"
        ax.text(0 if math.isnan(v) else v / 10_000, y, text, va="center", fontsize=7)
    return fig


def aid_per_capita(ev: Evaluation) -> Figure:
    """Per-person aid (元) by programme; the standard as a black mark; below standard in red."""
    from .indicators.aid import BELOW_STANDARD, PROGRAMME_FIELDS, programme_frame

    label, unit = PROGRAMME_FIELDS["per_capita_yuan"]
    p = programme_frame(ev.data)
    p = p[p["per_capita_yuan"].notna()].iloc[::-1].reset_index(drop=True)
    fig = new_figure(max(2.6, 0.38 * len(p) + 1.2))
    if p.empty:
        return _message(fig, "没有可计算人均资助金额的项目（受助人次或金额未提供）")
    ax = fig.subplots()
    colors = [STATUS_COLORS["未达成"] if f == BELOW_STANDARD else PALETTE["actual"] for f in p["flag"]]
    ax.barh(range(len(p)), p["per_capita_yuan"], color=colors, height=0.6)
    std_label = PROGRAMME_FIELDS["standard_yuan"][0]
    for y, (_, r) in enumerate(p.iterrows()):
        text = f" {fmt.num(r['per_capita_yuan'])}元"
        if not math.isnan(r["standard_yuan"]):
            ax.plot([r["standard_yuan"]] * 2, [y - 0.4, y + 0.4], color="black", linewidth=2)
            text += (f"（{std_label}{fmt.num(r['standard_yuan'], 0)}元，"
                     f"为标准的{fmt.pct(r['per_capita_to_standard_pct'])}）")
        right = max(r["per_capita_yuan"], 0 if math.isnan(r["standard_yuan"]) else r["standard_yuan"])
        ax.text(right, y, text, va="center", fontsize=7)
    ax.set_yticks(range(len(p)), [_wrap(t, 10) for t in p["program"]], fontsize=7)
    from matplotlib.ticker import FuncFormatter

    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlim(p["per_capita_yuan"].min() * 0.5, p["per_capita_yuan"].max() * 12)
    ax.set_xlabel(f"{label}（{unit}，对数刻度）；黑色竖线为{std_label}，红色为低于标准")
    ax.set_title(f"{ev.year}年度各资助项目{label}与{std_label}")
    return fig


def safety_coverage(ev: Evaluation) -> Figure:
    """Schools reached by each safety action, against the total number of schools when given."""
    ids = ("safety_inspected_schools_count", "protection_schools_count", "drill_schools_count",
           "spot_check_schools_count")
    rows = [(_label(i), ev.value(i), ev.indicators.at[i, "unit"]) for i in ids]
    fig = new_figure(2.9)
    if all(math.isnan(v) for _, v, _ in rows):
        return _message(fig, "校园安全各项行动覆盖学校数均未提供")
    ax = fig.subplots()
    ys = list(range(len(rows)))[::-1]
    values = [0 if math.isnan(v) else v for _, v, _ in rows]
    ax.barh(ys, values, color=PALETTE["actual"], height=0.6)
    for y, (_, v, u) in zip(ys, rows, strict=True):
        ax.text(0 if math.isnan(v) else v, y, f" {fmt.with_unit(v, u)}", va="center", fontsize=7)
    ax.set_yticks(ys, [_wrap(t, 12) for t, _, _ in rows], fontsize=7)
    total = ev.value("schools_total_count")
    if math.isnan(total):
        note = f"{_label('schools_total_count')}未提供，覆盖率无法计算"
    else:
        ax.axvline(total, color="black", linestyle="--", linewidth=0.8)
        note = f"虚线为{_label('schools_total_count')}{fmt.with_unit(total, '所')}"
    ax.set_xlim(0, max([*values, 0 if math.isnan(total) else total]) * 1.25)
    ax.set_xlabel(f"所（{note}）")
    ax.set_title(f"{ev.year}年度校园安全行动覆盖学校数")
    return fig


def safety_reach(ev: Evaluation) -> Figure:
    """People reached by drills and the 护苗行动 (万人 / 万人次)."""
    ids = ("drill_participants_person_times", "protection_students_count", "protection_teachers_count")
    rows = [(_label(i), ev.value(i), ev.indicators.at[i, "unit"]) for i in ids]
    fig = new_figure(2.6)
    if all(math.isnan(v) for _, v, _ in rows):
        return _message(fig, "应急演练与护苗行动覆盖人数均未提供")
    ax = fig.subplots()
    ys = list(range(len(rows)))[::-1]
    values = [0 if math.isnan(v) else v / 10_000 for _, v, _ in rows]
    ax.barh(ys, values, color=PALETTE["budget"], height=0.6)
    for y, (_, v, u) in zip(ys, rows, strict=True):
        ax.text(0 if math.isnan(v) else v / 10_000, y,
                f" {fmt.num(v / 10_000)}万{u}" if not math.isnan(v) else " 未提供",
                va="center", fontsize=7)
    ax.set_yticks(ys, [_wrap(t, 12) for t, _, _ in rows], fontsize=7)
    ax.set_xlim(0, max(values) * 1.3)
    ax.set_xlabel("万人（次）")
    ax.set_title(f"{ev.year}年度应急演练与五大护苗行动覆盖人数")
    return fig



def score_by_level1(ev: Evaluation) -> Figure:
    """The score sheet by 一级 indicator: points available against points earned."""
    from .scoring import score

    r = score(ev)
    subs = r.subtotals
    fig = new_figure(0.6 + 0.55 * len(subs))
    ax = fig.subplots()
    y = list(range(len(subs)))[::-1]
    ax.barh(y, subs["points_adjusted"], color=PALETTE["budget"], label="分值")
    ax.barh(y, subs["score"], height=0.5, color=PALETTE["actual"], label="得分")
    for yi, (_, s) in zip(y, subs.iterrows(), strict=True):
        ax.text(s["points_adjusted"], yi, f" {fmt.num(s['score'])} / {fmt.num(s['points_adjusted'])}",
                va="center", fontsize=8)
    ax.set_yticks(y, subs["level1"])
    ax.set_xlim(0, float(subs["points_adjusted"].max()) * 1.25)
    ax.set_xlabel("分")
    ax.set_title(f"{ev.year}年度自评得分（按一级指标）：合计{fmt.num(r.total)}分，等级“{r.grade}”")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def indicator_trend(ev: Evaluation, domain: str = "finance", max_panels: int = 9):
    """Small multiples: each percentage indicator of ``domain`` over every year present.

    Earlier years are read from their runs' indicator tables (perfkit.history). Returns None
    when there is no earlier year (the change table says so in words).
    """
    from .history import earlier_years, series

    if not earlier_years(ev):
        return None
    s = series(ev, domain)
    s = s[(s["unit"] == "%") & s["value"].notna()]
    ids = [i for i, g in s.groupby("id", sort=False) if len(g) >= 2][:max_panels]
    ncols = 3
    nrows = max(1, math.ceil(len(ids) / ncols))
    fig = new_figure(2.2 * nrows + 0.4)
    if not ids:
        ax = fig.subplots()
        ax.text(0.5, 0.5, "没有在两个及以上年度都有数值的百分比指标", ha="center", va="center")
        ax.set_axis_off()
        return fig
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, ind in zip(axes, ids, strict=False):  # spare axes are switched off below
        g = s[s["id"] == ind]
        ax.plot(g["year"], g["value"], marker="o", color=PALETTE["actual"])
        for x, y in zip(g["year"], g["value"], strict=True):
            ax.annotate(fmt.pct(y), (x, y), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=7, backgroundcolor="white")
        ax.set_title(g["label_zh"].iloc[0], fontsize=9)
        years = sorted(int(y) for y in g["year"].unique())
        ax.set_xticks(years, labels=[f"{y}年" for y in years])
        ax.tick_params(labelsize=7)
        ax.margins(x=0.15, y=0.3)
    for ax in axes[len(ids):]:
        ax.set_axis_off()
    fig.suptitle(f"主要百分比指标历年变化（%，{int(s['year'].min())}—{ev.year}年）", fontsize=10)
    return fig
