"""What every chart of perfkit is drawn with: the page-width figure and its theme, the palette,
Chinese labels wrapped at punctuation and particles (:func:`wrap_label`), value labels on white
boxes, notes of what was left out, and the :func:`chart` decorator that makes a Figure a
:class:`perfkit.report.blocks.Chart` (the charts themselves: :mod:`perfkit.report.charts`,
:mod:`perfkit.report.monitorreport`)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from matplotlib.figure import Figure

from perfkit import fmt
from perfkit.report.blocks import Chart, Paragraph, note
from perfkit.report.fonts import PRINT_DPI, configure_matplotlib, figure_alt

#: Width of the A4 portrait text column (210 mm less 25 + 20 mm margins, print.css) in inches:
#: charts are drawn at the size they are printed, so font sizes are printed sizes.
WIDTH_IN = (210 - 25 - 20) / 25.4
DPI = 150
#: Smallest type in a chart (tick labels, value labels, legends, notes), in points.
SMALL_PT = 8.5
#: Characters per line of a wrapped category label.
LABEL_CHARS = 12
PALETTE = {"budget": "#9DB4CF", "actual": "#2F5D8A", "prior": "#BFBFBF", "gap": "#D9534F"}
STATUS_COLORS = {"达成": "#2E8B57", "超额": "#1F6FB2", "未达成": "#D9534F", "无实际值": "#BFBFBF"}
#: Tick labels are plain numbers, as the report prints them: never an offset ("+1.052e2" above
#: the axis, which a reader takes for a figure) or scientific notation ("1e6").
PLAIN_NUMBERS = {"axes.formatter.useoffset": False, "axes.formatter.limits": (-15, 15)}
#: Smallest span of a trend panel's value axis, in percentage points: a change smaller than the
#: printed precision (26.31% to 26.31%) is drawn flat, not as a fall across the whole panel.
TREND_MIN_SPAN_PP = 1.0
#: A white box behind a value label, so gridlines do not run through it.
LABEL_BOX = {"boxstyle": "square,pad=0.12", "facecolor": "white", "edgecolor": "none"}


def chart(func: Callable[..., Any]) -> Callable[..., Any]:
    """A chart function's Figure as a :class:`~perfkit.report.blocks.Chart` block (drawn once,
    to PNG at its printed size; the Figure stays on the block as ``figure``); a note or None as
    it is."""

    @functools.wraps(func)
    def draw(*args: Any, **kwargs: Any) -> Any:
        result = func(*args, **kwargs)
        if isinstance(result, Figure):
            return Chart.from_figure(result, alt=figure_alt(result), dpi=PRINT_DPI)
        return result

    return draw


def theme() -> dict:
    """Apply the seaborn theme with the CJK font passed through ``rc`` (set_theme resets fonts)."""
    import seaborn as sns

    rc = configure_matplotlib()
    sizes = {"font.size": 9.5, "axes.titlesize": 10.5, "axes.labelsize": 9.5,
             "xtick.labelsize": SMALL_PT, "ytick.labelsize": SMALL_PT,
             "legend.fontsize": SMALL_PT, "legend.title_fontsize": SMALL_PT,
             "figure.titlesize": 10.5, "axes.axisbelow": True, **PLAIN_NUMBERS}
    sns.set_theme(style="whitegrid", rc={**rc, **sizes})
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
    # pyplot (0.30 s) and seaborn (0.42 s) are imported where a chart is drawn, not with the
    # module: pyplot chooses its backend when first imported, which must happen in the kernel.
    import matplotlib.pyplot as plt

    plt.switch_backend(plt.get_backend())


# -- text helpers --------------------------------------------------------------------------------

#: A label may break after these (punctuation, particles that end a phrase) …
_BREAK_AFTER = frozenset("，、；：。）)」』”’》/及与和的、")
#: … and before these (an opening bracket starts a new phrase).
_BREAK_BEFORE = frozenset("（(「『“‘《")
#: Common two-character words of government statistics that start a new word: a label may
#: break before them at a small cost (a line-breaking aid, not a dictionary).
_WORD_STARTS = frozenset((
    "比例", "比重", "计划", "补助", "经费", "资金", "投入", "建设", "管理", "系统", "学校", "学生",
    "教师", "教育", "人数", "人次", "总数", "合计", "项目", "支出", "收入", "预算", "决算", "目标",
    "完成", "覆盖", "排查", "行动", "会议", "保安", "专职", "联网", "公安", "幼儿", "中小", "义务",
    "营养", "生活", "困难", "助学", "贷款", "公用", "资助", "标准", "情况", "工作", "安全", "质量",
    "随机", "抽查", "配备", "改善", "要求", "底线", "条件", "课题", "科研",
))


def _glued(a: str, b: str) -> bool:
    """True when no line break may fall between characters ``a`` and ``b`` (a number, a Latin
    word, a number and its unit sign)."""
    def word(c: str) -> bool:
        return c.isascii() and (c.isalnum() or c in ".%-+_")

    closing = _BREAK_AFTER - {"及", "与", "和", "的"}  # a line never starts with these
    return (word(a) and word(b)) or (word(a) and b in "%％‰") or b in closing


def wrap_label(text: str, width: int = LABEL_CHARS) -> str:
    """Wrap a Chinese label into lines of at most ``width`` characters at sensible points.

    Breaks are preferred after punctuation and the particles 及/与/和/的 and before an opening
    bracket, then before a common word (``_WORD_STARTS``); a break elsewhere costs more than
    an extra line, and lines are kept about equally long, so "一键式紧急报警及视频监控系统与
    公安机关联网率" wraps as 一键式紧急报警及 / 视频监控系统与 / 公安机关联网率. Numbers and
    Latin words are never split; a line never starts with closing punctuation.

    Args:
        text: the label.
        width: characters per line (a CJK character counts 1, as does a Latin one).

    Returns:
        The label with ``\n`` between lines.
    """
    text = str(text)
    n = len(text)
    if n <= width:
        return text
    line_cost, word_break, bad_break, ragged = 4.0, 1.0, 6.0, 4.0

    def break_cost(i: int) -> float | None:  # break between text[i-1] and text[i]
        a, b = text[i - 1], text[i]
        if _glued(a, b):
            return None
        if a in _BREAK_AFTER or b in _BREAK_BEFORE:
            return 0.0
        return word_break if text[i:i + 2] in _WORD_STARTS else bad_break

    best: list[tuple[float, int] | None] = [None] * (n + 1)  # cost to wrap text[:i], last break
    best[0] = (0.0, -1)
    for end in range(1, n + 1):
        cost_at_end = 0.0 if end == n else break_cost(end)
        if cost_at_end is None:
            continue
        for start in range(max(0, end - width), end):
            before, here = best[start], best[end]
            if before is None:
                continue
            short = (width - (end - start)) / width  # balanced lines read better
            cost = before[0] + line_cost + cost_at_end + ragged * short * short
            if here is None or cost < here[0]:
                best[end] = (cost, start)
    if best[n] is None:  # nothing fits (a long number): plain slices
        return "\n".join(text[i:i + width] for i in range(0, n, width))
    cuts, i = [], n
    while i > 0:
        cuts.append(i)
        step = best[i]
        assert step is not None  # every cut on the best path has a predecessor
        i = step[1]
    bounds = [0, *reversed(cuts)]
    return "\n".join(text[a:b] for a, b in pairwise(bounds))


def value_text(ax, x, y, text: str, **kwargs):
    """A value label just right of ``(x, y)`` (a bar's end): small type on a white box above
    the gridlines, so no gridline runs through it."""
    kwargs.setdefault("fontsize", SMALL_PT)
    kwargs.setdefault("va", "center")
    offset = kwargs.pop("offset", (4, 0))
    return ax.annotate(text, (x, y), xytext=offset, textcoords="offset points", bbox=LABEL_BOX,
                       zorder=5, **kwargs)


def grouped_hbars(ax, labels: list[str], series: list[tuple[str, list[float], str]]) -> None:
    """Horizontal bars, one group per label (top to bottom), one bar per series; each bar with
    its value at its end. A missing value draws no bar and no label."""
    n = len(series)
    height = 0.8 / n
    ys = list(range(len(labels)))[::-1]
    for k, (name, values, color) in enumerate(series):
        offsets = [y + 0.4 - height * (k + 0.5) for y in ys]
        have = [(o, v) for o, v in zip(offsets, values, strict=True) if not math.isnan(v)]
        ax.barh([o for o, _ in have], [v for _, v in have], height=height * 0.92, color=color,
                label=name)
        for o, v in have:
            value_text(ax, v, o, fmt.num(v))
    ax.set_yticks(ys, labels)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.grid(axis="y", visible=False)
    top = max((v for _, values, _ in series for v in values if not math.isnan(v)), default=1)
    ax.set_xlim(0, top * 1.18)


def legend(fig: Figure, handles=None, ncol: int = 4) -> None:
    """The legend below the chart, outside the plot, so it never covers a bar or a label."""
    kwargs = {"handles": handles} if handles is not None else {}
    fig.legend(loc="outside lower center", ncol=ncol, frameon=False, **kwargs)


def nothing(text: str) -> Paragraph:
    """What a chart function returns when nothing has a value: the text instead of a chart."""
    return note(text)


def note_missing(ax, what: str, names: list[str], under=None):
    """Name under the chart (below the x-axis label, or the note ``under``) the rows left out
    for having no value, or for ``what`` else; returns the note (None without names)."""
    if not names:
        return None
    return ax.annotate(wrap_label(f"未绘出（{what}）：{'、'.join(names)}。", 40), xy=(0.5, 0),
                       xycoords=("axes fraction", under or ax.xaxis.label), xytext=(0, -4),
                       textcoords="offset points", ha="center", va="top", fontsize=SMALL_PT,
                       color="#444444", linespacing=1.4)


def fit_height(rows: list[str], per_line: float = 0.16, base: float = 1.0,
                least: float = 1.8) -> float:
    """Figure height for a horizontal bar chart whose category labels have these lines:
    0.26 in a row (a bar and an 8.5 pt label) plus ``per_line`` for each extra line."""
    extra = sum(label.count("\n") for label in rows)
    return max(least, base + 0.26 * len(rows) + per_line * extra)



def hbar_axes(fig: Figure, labels: list[str]):
    """Axes for horizontal bars, top to bottom in ``labels`` order; returns (ax, ys)."""
    ax = fig.subplots()
    ys = list(range(len(labels)))[::-1]
    ax.set_yticks(ys, labels)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.grid(axis="y", visible=False)
    return ax, ys
