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
    theme()
    return Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")


def _bar_labels(ax, fmt_func=fmt.num) -> None:
    for container in ax.containers:
        labels = [fmt_func(b.get_height()) if b.get_height() == b.get_height() and b.get_height()
                  else "" for b in container]
        ax.bar_label(container, labels=labels, fontsize=7, padding=2)


def budget_vs_actual(ev: Evaluation) -> Figure:
    """Budget vs actual for every income and spending line that has an actual figure."""
    import seaborn as sns

    from .workbook import SHEET_BY_KEY

    col = "budget_adjusted" if ev.settings.budget_basis == "adjusted" else "budget_initial"
    basis = "调整预算" if col == "budget_adjusted" else "年初预算"
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
