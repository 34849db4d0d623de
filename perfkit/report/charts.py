"""Charts with Chinese labels: each function returns a matplotlib Figure built from the data.

Rules every chart keeps (tests check them on the sample and on a workbook without business data):

- **Only what has a value is drawn.** Rows without a value are left out of the chart and named
  in a note under it (未绘出…); when nothing has a value the function returns a short Chinese
  note (a :class:`perfkit.report.blocks.Paragraph`) saying what is missing instead of an empty chart.
- **Legible in print.** Figures are as wide as the A4 text column (:data:`WIDTH_IN`), so a
  point in the figure is a point on paper; no text is smaller than :data:`SMALL_PT`.
  Chinese labels wrap at punctuation and particles (:func:`wrap_label`), never mid-number.
- **Value labels are never struck through**: a label outside a bar sits on a white box above
  the gridlines.
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from perfkit import fmt
from perfkit.assess import targets
from perfkit.assess.claims import claimed_items
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.history import earlier_years, series
from perfkit.assess.scoring import score
from perfkit.assess.targets import target_text
from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.indicators.aid import BELOW_STANDARD, PROGRAMME_FIELDS, programme_frame
from perfkit.indicators.finance import sheet_lines
from perfkit.report.blocks import Paragraph
from perfkit.report.chartkit import (
    LABEL_BOX,
    PALETTE,
    SMALL_PT,
    STATUS_COLORS,
    TREND_MIN_SPAN_PP,
    chart,
    fit_height,
    grouped_hbars,
    hbar_axes,
    legend,
    new_figure,
    note_missing,
    nothing,
    value_text,
    wrap_label,
)


@chart
def budget_vs_actual(ev: Evaluation) -> Figure | Paragraph:
    """Budget vs actual for every income and spending line that has an actual figure."""
    col, basis = ev.settings.budget_column, ev.settings.budget_label_zh
    labels, budget, actual = [], [], []
    for sheet, prefix in (("income", "收入"), ("expenditure", "支出")):
        for item in SHEET_BY_KEY[sheet].items:
            value = ev.data.value(sheet, item.key, "actual")
            if math.isnan(value):
                continue
            labels.append(wrap_label(item.label if item.key != "total" else f"{prefix}合计", 8))
            budget.append(ev.data.value(sheet, item.key, col))
            actual.append(value)
    if not labels:
        return nothing(f"{ev.year}年度收入、支出决算数均未提供，未绘制收支预算与决算对比图。")
    fig = new_figure(1.0 + 0.36 * len(labels))  # two bars and two labels a group
    ax = fig.subplots()
    grouped_hbars(ax, labels, [(basis, budget, PALETTE["budget"]),
                                ("决算", actual, PALETTE["actual"])])
    ax.set_xlabel("万元")
    ax.set_title(f"{ev.year}年度收支预算与决算对比（{basis}未提供的项目只显示决算）")
    legend(fig)
    return fig


@chart
def spending_structure(ev: Evaluation) -> Figure | Paragraph:
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
    if math.isnan(total) or not parts:
        what = "本年支出合计决算数" if math.isnan(total) else "支出分项决算数"
        return nothing(f"{ev.year}年度{what}未提供，未绘制支出结构图。")
    import seaborn as sns

    fig = new_figure(2.2)
    ax = fig.subplots()
    colors = sns.color_palette("Blues_r", n_colors=max(len(parts), 3))
    left = 0.0
    for i, (label, value) in enumerate(parts):
        is_gap = label == "未说明差额"
        ax.barh([0], [value], left=left, color="white" if is_gap else colors[i],
                edgecolor=PALETTE["gap"] if is_gap else "white", hatch="//" if is_gap else None,
                label=f"{label} {fmt.amount(value)}（{fmt.pct(value / total * 100)}）")
        if value / total >= 0.06:  # narrower segments are named in the legend only
            ax.text(left + value / 2, 0, fmt.pct(value / total * 100), ha="center", va="center",
                    fontsize=9, color="black" if is_gap or i else "white", zorder=5)
        left += value
    ax.set_yticks([])
    ax.set_xlim(0, max(left, total) * 1.02)
    ax.set_xlabel("万元")
    ax.set_title(f"{ev.year}年度支出结构（本年支出合计{fmt.amount(total)}）")
    legend(fig, ncol=2)
    return fig


@chart
def three_public_change(ev: Evaluation) -> Figure | Paragraph:
    """"三公"经费 this year vs last year, by item (items without either figure are left out)."""
    lines = sheet_lines(ev.data, ev.settings, "three_public")
    labels, before, now = [], [], []
    # The 三公经费 sheet's rows in its order, a row with parts (公务用车购置及运行维护费) by its parts.
    for _, line in lines[~lines["item"].isin(set(lines["parent"]))].iterrows():
        prior, actual = line["prior_actual"], line["actual"]
        if math.isnan(prior) and math.isnan(actual):
            continue
        labels.append(wrap_label(line["label"], 8))
        before.append(prior)
        now.append(actual)
    if not labels:
        return nothing(f"“三公”经费{ev.year - 1}年、{ev.year}年决算数均未提供，未绘制对比图。")
    fig = new_figure(1.0 + 0.36 * len(labels))  # two bars and two labels a group
    ax = fig.subplots()
    grouped_hbars(ax, labels, [(f"{ev.year - 1}年", before, PALETTE["prior"]),
                                (f"{ev.year}年", now, PALETTE["actual"])])
    ax.set_xlabel("万元")
    ax.set_title(f"“三公”经费 {ev.year - 1}年与{ev.year}年对比")
    legend(fig)
    return fig


# ---------------------------------------------------------------------------------------------
# Targets and the domain reports (any catalog's); the 学生资助 sheet
# ---------------------------------------------------------------------------------------------


@chart
def attainment_overview(ev: Evaluation, domain: str) -> Figure | Paragraph | None:
    """实际/目标 for each of this year's targets that has an actual value, coloured by status;
    targets without an actual value are named under the chart, not drawn. None when the domain
    has no target this year (:func:`perfkit.report.narrative.attainment_summary` says so)."""
    a = targets.attainment(ev, domain)
    name = ev.registry.domain_label(domain)
    if a.empty:
        return None  # attainment_summary says that there are none
    missing = a[a["actual"].isna()]
    a = a[a["actual"].notna()]
    if a.empty:
        return nothing(f"{ev.year}年度{name}目标{len(missing)}项均未提供实际值"
                        f"（{'、'.join(missing['label_zh'])}），无法判断完成情况，未绘制目标完成情况图。")
    labels = [wrap_label(t) for t in a["label_zh"]]
    fig = new_figure(fit_height(labels, base=1.4) + (0.35 if len(missing) else 0))
    ax, ys = hbar_axes(fig, labels)
    finite = a["ratio_pct"].dropna()
    top = max(130.0, float(finite.max()) * 1.6) if not finite.empty else 130.0
    for y, (_, r) in zip(ys, a.iterrows(), strict=True):
        color = STATUS_COLORS.get(r["status"], PALETTE["prior"])
        actual = fmt.with_unit(r["actual"], r["unit"], qualifier=r["qualifier"])
        if not math.isnan(r["ratio_pct"]):
            ax.barh(y, r["ratio_pct"], color=color, height=0.6)
            value_text(ax, r["ratio_pct"] + top * 0.01, y,
                        f"{fmt.pct(r['ratio_pct'])}（实际{actual}，目标{target_text(r)}）")
        else:
            ax.plot([0], [y], marker="|", color=color, markersize=10)
            why = f"，实际/目标{r['ratio_note']}" if r["ratio_note"] else ""
            value_text(ax, top * 0.01, y,
                        f"{r['status']}：实际{actual}，目标{target_text(r)}{why}",
                        color="#333333")
    ax.axvline(100, color="black", linestyle="--", linewidth=0.8)
    ax.set_xlim(0, top)
    ax.set_xlabel("实际值 / 目标值（%），虚线为100%")
    present = [s for s in STATUS_COLORS if s in set(a["status"])]
    legend(fig, handles=[Patch(color=STATUS_COLORS[s], label=s) for s in present])
    ax.set_title(f"{ev.year}年度{name}目标完成情况")
    note_missing(ax, "无实际值，见“数据缺口”", list(missing["label_zh"]))
    return fig


def _aid_bars(ev: Evaluation, column: str, title: str, unit_label: str, what: str,
              scale: float = 1.0):
    """Bars of one 学生资助 column for the programmes that have a value; (fig|text, ax, rows)."""
    p = programme_frame(ev.data)
    if p.empty:
        return nothing(f"{ev.year}年度学生资助表未填写，未绘制{title}图。"), None, p
    missing = list(p.loc[p[column].isna(), "program"])
    p = p[p[column].notna()]
    if p.empty:
        return nothing(f"学生资助表各项目的{what}均未提供（{'、'.join(missing)}），"
                        f"未绘制{title}图。"), None, p
    p = p.reset_index(drop=True)
    labels = [wrap_label(t) for t in p["program"]]
    fig = new_figure(fit_height(labels) + (0.35 if missing else 0))
    ax, ys = hbar_axes(fig, labels)
    colors = [PALETTE["actual"] if g else PALETTE["budget"] for g in p["group"]]
    values = p[column] / scale
    ax.barh(ys, values, color=colors, height=0.6)
    ax.set_xlabel(unit_label)
    ax.set_title(f"{ev.year}年度学生资助：{title}")
    ax.set_xlim(0, float(values.max()) * 1.45)
    note_missing(ax, f"{what}未提供", missing)
    p["y"] = ys
    return fig, ax, p


@chart
def aid_amounts(ev: Evaluation) -> Figure | Paragraph:
    """Aid amount by programme (万元), with each programme's share of the total."""
    label, unit = PROGRAMME_FIELDS["amount_wan_yuan"]
    fig, ax, p = _aid_bars(ev, "amount_wan_yuan", f"{label}（按项目）", unit, label)
    if ax is None:
        return fig
    for _, r in p.iterrows():
        value_text(ax, r["amount_wan_yuan"], r["y"],
                    f"{fmt.amount(r['amount_wan_yuan'])}"
                    f"（{fmt.pct(r['amount_share_pct'], missing='—')}）")
    groups = sorted({g for g in p["group"] if g})
    if groups:
        legend(fig, handles=[Patch(color=PALETTE["actual"], label="、".join(groups)),
                              Patch(color=PALETTE["budget"], label="其他资助项目")])
    return fig


@chart
def aid_persons(ev: Evaluation) -> Figure | Paragraph:
    """Persons aided by programme, in the 计数单位 the sheet gives for each (人次 or 人);
    programmes without a count are named, not drawn."""
    label, _ = PROGRAMME_FIELDS["persons"]
    fig, ax, p = _aid_bars(ev, "persons", f"{label}（按项目）", "", label, scale=10_000)
    if ax is None:
        return fig
    for _, r in p.iterrows():
        value_text(ax, r["persons"] / 10_000, r["y"], f"{fmt.count(r['persons'], r['count_unit'])}")
    units = list(dict.fromkeys(p["count_unit"]))
    ax.set_xlabel("、".join(f"万{u}" for u in units) + ("（各项目按其计数单位）" if len(units) > 1 else ""))
    return fig


@chart
def aid_per_capita(ev: Evaluation) -> Figure | Paragraph:
    """Per-person aid (元) by programme; the standard as a black mark; below standard in red."""
    label, _ = PROGRAMME_FIELDS["per_capita_yuan"]
    p = programme_frame(ev.data)
    missing = list(p.loc[p["per_capita_yuan"].isna(), "program"])
    p = p[p["per_capita_yuan"].notna()].reset_index(drop=True)
    if p.empty:
        return nothing(f"没有可计算{label}的资助项目（受助人次/人数或金额未提供），未绘制{label}图。")
    labels = [wrap_label(t) for t in p["program"]]
    fig = new_figure(fit_height(labels) + (0.35 if missing else 0))
    ax, ys = hbar_axes(fig, labels)
    colors = [STATUS_COLORS["未达成"] if f == BELOW_STANDARD else PALETTE["actual"]
              for f in p["flag"]]
    ax.barh(ys, p["per_capita_yuan"], color=colors, height=0.6)
    std_label = PROGRAMME_FIELDS["standard_yuan"][0]
    for y, (_, r) in zip(ys, p.iterrows(), strict=True):
        text = f"{fmt.num(r['per_capita_yuan'])}元/{r['count_unit']}"
        if not math.isnan(r["standard_yuan"]):
            ax.plot([r["standard_yuan"]] * 2, [y - 0.4, y + 0.4], color="black", linewidth=2)
            text += (f"（{std_label}{fmt.num(r['standard_yuan'], 0)}元，"
                     f"为标准的{fmt.pct(r['per_capita_to_standard_pct'])}）")
        standard = 0 if math.isnan(r["standard_yuan"]) else r["standard_yuan"]
        right = max(r["per_capita_yuan"], standard)
        value_text(ax, right, y, text)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlim(p["per_capita_yuan"].min() * 0.5, p["per_capita_yuan"].max() * 40)
    units = "、".join(f"元/{u}" for u in dict.fromkeys(p["count_unit"]))
    ax.set_xlabel(f"{label}（{units}，对数刻度）；黑色竖线为{std_label}，红色为低于标准")
    ax.set_title(f"{ev.year}年度各资助项目{label}与{std_label}")
    note_missing(ax, "受助人次/人数或金额未提供，无法计算", missing)
    return fig


#: Figures of one unit share an axis only when the largest is at most this many times the
#: smallest (by absolute value): beyond two orders of magnitude a bar is a sliver beside the
#: other (活产数 3215 beside 12 and 1 deaths) and the chart compares nothing.
COMPARABLE_RATIO = 100.0


def _comparable(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Figures of one unit: (those drawn, those left out for their size). Sorted by size, they
    fall into groups whose largest is at most :data:`COMPARABLE_RATIO` times each of its
    members; the group with the most figures (then the larger ones) is drawn, in the topic's
    order, with every zero (a zero is marked, never a sliver)."""
    groups: list[list[dict]] = []
    for r in sorted((r for r in rows if r["value"] != 0), key=lambda r: -abs(r["value"])):
        if groups and abs(groups[-1][0]["value"]) <= COMPARABLE_RATIO * abs(r["value"]):
            groups[-1].append(r)
        else:
            groups.append([r])
    kept = max(groups, key=lambda g: (len(g), abs(g[0]["value"])), default=[])
    drawn = [r for r in rows if r["value"] == 0 or any(r is k for k in kept)]
    return drawn, [r for r in rows if not any(r is d for d in drawn)]


@chart
def topic_chart(ev: Evaluation, domain: str, topic: str) -> Figure | None:
    """The figures of one catalog topic as bars: those its ``chart`` lists (all of them when it
    lists none), one panel per unit (a bar of 万元 beside one of 个 compares nothing) holding
    figures of comparable size (:data:`COMPARABLE_RATIO`: 活产数 3215 beside 1 death neither).
    A panel holds two or more figures, or one with its target. The year target of an indicator
    is a black mark on its bar, 100% dashed on a % panel. Values print with their 数值修饰.
    Figures left out for their size are named under the chart; the topic's table lists all.

    Returns None when no panel has anything to compare (the topic's table says everything then).
    """
    spec = ev.registry.topics(domain)[topic]
    ind = ev.indicators
    att = targets.attainment(ev, domain)
    goal = {r["code"]: float(r["target"]) for _, r in att.iterrows()
            if r["code"] and not math.isnan(r["target"])}
    drawn = spec.indicators if spec.chart is None else spec.chart
    rows = [{**ind.loc[c].to_dict(), "id": c} for c in drawn]
    missing = [str(r["label_zh"]) for r in rows if math.isnan(r["value"])]
    units: dict[str, list] = {}
    for r in rows:
        if not math.isnan(r["value"]):
            units.setdefault(str(r["unit"]), []).append(r)
    panels, out_of_scale = [], []
    for unit, figures in units.items():
        shown, left_out = _comparable(figures)
        if len(shown) >= 2 or any(r["id"] in goal for r in shown):
            panels.append((unit, shown))
            out_of_scale += [str(r["label_zh"]) for r in left_out]
    if not panels:
        return None
    labels = [[wrap_label(str(r["label_zh"])) for r in g] for _, g in panels]
    # A panel of one figure (a rate against its target) needs no more than a row's height.
    heights = [fit_height(lab, base=0.45, least=1.8 if len(lab) > 1 else 1.2) for lab in labels]
    notes = bool(missing) + bool(out_of_scale)
    fig = new_figure(sum(heights) + 0.7 + 0.35 * notes)
    axes = fig.subplots(len(panels), 1, squeeze=False, height_ratios=heights).ravel()
    for ax, (unit, g), lab in zip(axes, panels, labels, strict=True):
        ys = list(range(len(g)))[::-1]
        values = [float(r["value"]) for r in g]
        ax.barh(ys, values, color=PALETTE["actual"], height=0.6)
        for y, v in zip(ys, values, strict=True):
            if v == 0:  # a zero is a value: marked, not an empty row
                ax.plot([0], [y], marker="|", color=PALETTE["actual"], markersize=10)
        ax.set_yticks(ys, lab)
        ax.set_ylim(-0.6, len(g) - 0.4)
        ax.grid(axis="y", visible=False)
        marks = [goal[r["id"]] for r in g if r["id"] in goal]
        for y, r in zip(ys, g, strict=True):
            if r["id"] in goal:
                ax.plot([goal[r["id"]]] * 2, [y - 0.4, y + 0.4], color="black", linewidth=2)
        top = max([*values, *marks, 100.0 if unit == "%" else 0.0])
        low = min([*values, *marks, 0.0])
        for y, r, v in zip(ys, g, values, strict=True):
            text = fmt.with_unit(v, unit, int(r["decimals"]), qualifier=r["qualifier"])
            if r["id"] in goal:
                text += f"（目标{fmt.with_unit(goal[r['id']], unit)}）"
            value_text(ax, max(v, goal.get(r["id"], v)), y, text)
        if unit == "%":
            ax.axvline(100, color="#555555", linestyle="--", linewidth=0.8)
        ax.set_xlim(low * 1.5, top * 1.5 if top > 0 else 1)
        ax.set_xlabel(unit + ("；黑色竖线为本年度目标" if marks else ""))
    axes[0].set_title(f"{ev.year}年度{spec.label_zh}")
    note = note_missing(axes[-1], "未提供或无法计算，见“数据缺口”", missing)
    note_missing(axes[-1], f"与同单位的其他指标相差{COMPARABLE_RATIO:g}倍以上，数值见上表",
                  out_of_scale, under=note)
    return fig


@chart
def score_by_level1(ev: Evaluation) -> Figure | Paragraph:
    """The reviewed score sheet by 一级 indicator: points available against the 复核得分, and the
    department's own item scores summed by 一级 indicator when it gave them."""
    r = score(ev)
    subs = r.subtotals
    if subs.empty:
        return nothing("评分表没有一级指标，未绘制得分图。")
    if not r.scorable:
        return nothing("评分规则执行出错，复核得分无法计算，未绘制得分图。")
    items = claimed_items(ev, r.sheet)
    level1 = {i.id: i.level1 for i in r.sheet.items}
    claimed = ({} if items.empty or items["score"].isna().all() else
               items[items["matched"]].assign(level1=lambda f: f["item"].map(level1))
               .groupby("level1")["score"].sum().to_dict())
    labels = [wrap_label(t, 8) for t in subs["level1"]]
    fig = new_figure(fit_height(labels, base=1.3))
    ax, y = hbar_axes(fig, labels)
    ax.barh(y, subs["points_adjusted"], color=PALETTE["budget"], label="分值")
    if claimed:
        ax.barh([v + 0.22 for v in y], [claimed.get(k, 0.0) for k in subs["level1"]],
                height=0.3, color=PALETTE["prior"], label="部门自评得分")
    ax.barh(y, subs["score"], height=0.4 if not claimed else 0.3, color=PALETTE["actual"],
            label="复核得分")
    for yi, (_, s) in zip(y, subs.iterrows(), strict=True):
        value_text(ax, s["points_adjusted"], yi,
                    f"{fmt.num(s['score'])} / {fmt.num(s['points_adjusted'])}")
    ax.set_xlim(0, float(subs["points_adjusted"].max()) * 1.3)
    ax.set_xlabel("分")
    ax.set_title(f"{ev.year}年度复核得分（按一级指标）：合计{fmt.num(r.total)}分，等级“{r.grade}”")
    legend(fig)
    return fig


@chart
def indicator_trend(ev: Evaluation, domain: str = "finance", max_panels: int = 9):
    """Small multiples: each percentage indicator of ``domain`` over every year present.

    Earlier years are read from their runs' indicator tables (perfkit.assess.history). Returns None
    when there is no earlier year (the change table says so in words), and a text when no
    percentage indicator has values in two years.
    """
    if not earlier_years(ev):
        return None
    s = series(ev, domain)
    s = s[(s["unit"] == "%") & s["value"].notna()]
    ids = [i for i, g in s.groupby("id", sort=False) if len(g) >= 2][:max_panels]
    if not ids:
        return nothing("没有在两个及以上年度都有数值的百分比指标，未绘制历年变化图。")
    ncols = 3
    nrows = max(1, math.ceil(len(ids) / ncols))
    fig = new_figure(2.3 * nrows + 0.4)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, ind in zip(axes, ids, strict=False):  # spare axes are switched off below
        g = s[s["id"] == ind]
        ax.plot(g["year"], g["value"], marker="o", color=PALETTE["actual"])
        for x, y in zip(g["year"], g["value"], strict=True):
            ax.annotate(fmt.pct(y), (x, y), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=SMALL_PT, bbox=LABEL_BOX, zorder=5)
        ax.set_title(wrap_label(g["label_zh"].iloc[0], 11), fontsize=9)
        years = sorted(int(y) for y in g["year"].unique())
        ax.set_xticks(years, labels=[f"{y}年" for y in years])
        ax.margins(x=0.15, y=0.3)
        low, high = ax.get_ylim()
        if high - low < TREND_MIN_SPAN_PP:
            middle = (float(g["value"].min()) + float(g["value"].max())) / 2
            ax.set_ylim(middle - TREND_MIN_SPAN_PP / 2, middle + TREND_MIN_SPAN_PP / 2)
    for ax in axes[len(ids):]:
        ax.set_axis_off()
    fig.suptitle(f"主要百分比指标历年变化（%，{int(s['year'].min())}—{ev.year}年）")
    return fig
