"""The 复核汇总 page of a year (``outputs/<year>/复核汇总.html``): the summary table, sortable
without scripts, the distribution of 自评得分 and 复核得分, the departments ranked by 偏离度,
the flags across departments and the departments left out."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from perfkit import config, fmt
from perfkit.assess.bureau import bureau_settings
from perfkit.report.blocks import Chart
from perfkit.report.bureau import (
    GAP,
    BureauYear,
    ranked_by_deviation,
    ranking_note,
    sort_value,
    summary_rows,
)
from perfkit.report.chartkit import new_figure
from perfkit.report.fonts import PRINT_DPI
from perfkit.report.sanitize import with_csp

TEMPLATES = config.PACKAGE_DIR / "templates"
#: Score bands of the distribution chart: the grade bands, 中 split in two (lower bound, label).
BANDS: tuple[tuple[float, str], ...] = (
    (0, "60分以下"), (60, "60–70分"), (70, "70–80分"), (80, "80–90分"), (90, "90分及以上"))
#: The columns a reader may sort by: (key, header, column of summary_rows, numeric).
SORTS: tuple[tuple[str, str, str, bool], ...] = (
    ("dept", "部门", "部门代码", False), ("claimed", "自评得分", "自评得分", True),
    ("total", "复核得分", "复核得分", True), ("dev", "偏离度（分）", "偏离度（分）", True),
    ("p0", "P0问题数", "P0问题数", True), ("p1", "P1问题数", "P1问题数", True))
#: Columns of the page's table (the workbook's, less 部门代码, shown under the name).
PAGE_COLUMNS = ("部门", "复核阶段", "自评得分", "自评等级", "复核得分", "复核等级", "偏离度（分）", "P0问题数",
                "P1问题数", "主要问题", "整改期限", "结果应用", "上年问题复发")
RANKED = ("复核阶段", "自评得分", "复核得分", "偏离度（分）", "排序依据（分）")
NUMERIC = frozenset({"自评得分", "复核得分", "偏离度（分）", "P0问题数", "P1问题数"})


def band_counts(values: Sequence[float]) -> list[int]:
    """How many scores fall in each of :data:`BANDS` (a band includes its lower bound)."""
    counts = [0] * len(BANDS)
    for v in values:
        k = max(i for i, (low, _) in enumerate(BANDS) if v >= low or i == 0)
        counts[k] += 1
    return counts


def score_distribution(year: BureauYear) -> Chart | None:
    """Grouped bars: departments per score band, by 自评得分 and by 复核得分 (None: no score).

    A first reading's 复核得分 is a range, not a score: its lows (已核实部分) and highs (with
    every 待补充资料 point) are two series of their own, so no single 初审 score is charted.
    """
    claimed = [float(r["claimed"]) for r in year.records if r.get("claimed") is not None]
    totals = [float(r["total"]) for r in year.records if r.get("total") is not None]
    spans = [r["range"] for r in year.records if r.get("range") is not None]
    if not claimed and not totals and not spans:
        return None
    series = [(f"自评得分（{len(claimed)}个部门）", claimed, "#9DB4CF")]
    if totals or not spans:
        series.append((f"复核得分（{len(totals)}个部门）", totals, "#2F5D8A"))
    if spans:
        series += [(f"初审区间下限：已核实部分（{len(spans)}个部门）",
                    [float(lo) for lo, _ in spans], "#E3A66F"),
                   (f"初审区间上限：含待补充资料（{len(spans)}个部门）",
                    [float(hi) for _, hi in spans], "#B5651D")]
    fig = new_figure(3.4 if spans else 3.2)
    ax = fig.add_subplot()
    xs = range(len(BANDS))
    width = 0.76 / len(series)
    for k, (name, values, color) in enumerate(series):
        counts = band_counts(values)
        pos = [x + (k - (len(series) - 1) / 2) * width for x in xs]
        ax.bar(pos, counts, width=width * 0.95, color=color, label=name)
        for x, c in zip(pos, counts, strict=True):
            if c:
                ax.annotate(str(c), (x, c), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=8.5)
    ax.set_xticks(list(xs), [label for _, label in BANDS])
    ax.set_ylabel("部门数（个）")
    ax.set_title(f"{year.year}年度自评得分与复核得分分布"
                 + ("（初审得分为区间，按下限和上限分别统计）" if spans else ""))
    top = max([1, *(c for _, values, _ in series for c in band_counts(values))])
    ax.set_ylim(0, top * 1.18 + 0.5)
    ax.grid(axis="x", visible=False)
    fig.legend(loc="outside lower center", ncol=2, frameon=False)
    alt = f"{year.year}年度各部门自评得分与复核得分按分数段的分布" + (
        "；初审阶段的复核得分为区间，分别统计区间下限和上限" if spans else "")
    return Chart.from_figure(fig, alt=alt, dpi=PRINT_DPI)


@dataclass(frozen=True)
class _Cell:
    text: str
    numeric: bool


def _text(v: Any) -> str:
    """A numeric column's cell: a number at two decimals, a count, a range as worded."""
    if v is None:
        return GAP
    return str(v) if isinstance(v, (int, str)) else fmt.num(float(v))


def _cells(row: Mapping[str, Any]) -> list[_Cell]:
    out = []
    for c in PAGE_COLUMNS:
        v = row[c]
        if c in NUMERIC:
            text = _text(v)
        else:
            text = str(v)
        out.append(_Cell(text, c in NUMERIC))
    return out


def _sort_key(column: str, numeric: bool):
    def key(row: Mapping[str, Any]) -> tuple:
        v = sort_value(row, column)
        if numeric:  # a gap sorts last either way
            return (v is None, 0.0 if v is None else float(v), row["部门代码"])
        return (False, str(v), "")
    return key


def _views(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table once per sort order (column × direction): the page shows the one its address
    names (``#sort-dev-desc``), the first by default: sorting by CSS ``:target``, no script."""
    views = []
    for key, _, column, numeric in SORTS:
        for desc in (False, True):
            ordered = sorted(rows, key=_sort_key(column, numeric), reverse=desc)
            if numeric and desc:  # gaps last when descending too
                ordered = [r for r in ordered if sort_value(r, column) is not None] + [
                    r for r in ordered if sort_value(r, column) is None]
            views.append({"id": f"sort-{key}-{'desc' if desc else 'asc'}", "key": key,
                          "desc": desc, "rows": [(r, _cells(r)) for r in ordered]})
    return views


def render_page(year: BureauYear, chart: Chart | None = None) -> str:
    """The page's HTML (static: no script, no external resource; a CSP says so)."""
    import jinja2
    from markupsafe import Markup

    rows = summary_rows(year)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    totals = [r["复核得分"] for r in rows if isinstance(r["复核得分"], (int, float))]
    claimed = [r["自评得分"] for r in rows if r["自评得分"] is not None]
    ranked = ranked_by_deviation(rows)
    return with_csp(env.get_template("bureau.html.j2").render(
        year=year.year, rows=rows, views=_views(rows), sorts=SORTS, columns=PAGE_COLUMNS,
        numeric=NUMERIC, ranked=[(i, r["部门"], *(_text(r[c]) for c in RANKED))
                                 for i, r in enumerate(ranked, 1)],
        ranking_zh=ranking_note(year), first=sum(1 for r in year.records if r.get("range") is not None),
        flags=year.flags, failed=year.failed, chart=chart,
        mean_claimed=fmt.num(math.fsum(claimed) / len(claimed)) if claimed else GAP,
        mean_total=fmt.num(math.fsum(totals) / len(totals)) if totals else GAP,
        deviation_zh=bureau_settings()["deviation_zh"], last_ledger=year.last_ledger,
        css=Markup((TEMPLATES / "index.css").read_text(encoding="utf-8")
                   + (TEMPLATES / "bureau.css").read_text(encoding="utf-8")),
        generated_at=fmt.display_time(datetime.now(UTC).astimezone().isoformat(
            timespec="seconds"))))


__all__ = ["BANDS", "band_counts", "render_page", "score_distribution"]
