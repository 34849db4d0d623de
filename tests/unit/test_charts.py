"""Charts: only rows with values are drawn (else a text says what is missing), print-legible
type, value labels not struck through by gridlines, Chinese labels wrapped at sensible points."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text as MplText

from perfkit.report import chartkit
from perfkit.report import charts as _charts
from perfkit.report.blocks import Chart, Paragraph


class Text(str):
    """The text of a chart function's note (what it shows instead of an empty chart)."""


class _Shown:
    """perfkit.report.charts as these tests inspect it: a chart's Figure (the block keeps the
    Figure it drew its PNG from), a note's text; everything else as it is."""

    def __getattr__(self, name):
        attr = getattr(_charts, name)
        if not callable(attr) or name.startswith("_") or name[0].isupper():
            return attr

        def call(*args, **kwargs):
            result = attr(*args, **kwargs)
            if isinstance(result, Chart):
                assert result.png.startswith(b"\x89PNG") and result.figure is not None
                return result.figure
            if isinstance(result, Paragraph):
                assert result.role == "note"
                return Text(result.plain_text())
            return result

        return call


charts = _Shown()

#: Smallest type a reader may be given on paper, in points.
MIN_PRINTED_PT = 8.0

CHARTS = {
    "budget_vs_actual": lambda ev: charts.budget_vs_actual(ev),
    "spending_structure": lambda ev: charts.spending_structure(ev),
    "three_public_change": lambda ev: charts.three_public_change(ev),
    "attainment_quality": lambda ev: charts.attainment_overview(ev, "quality"),
    "attainment_safety": lambda ev: charts.attainment_overview(ev, "safety"),
    "aid_amounts": lambda ev: charts.aid_amounts(ev),
    "aid_persons": lambda ev: charts.aid_persons(ev),
    "aid_per_capita": lambda ev: charts.aid_per_capita(ev),
    "topic_quality_teachers": lambda ev: charts.topic_chart(ev, "quality", "teachers"),
    "topic_quality_class_size": lambda ev: charts.topic_chart(ev, "quality", "class_size"),
    "topic_safety_inspection": lambda ev: charts.topic_chart(ev, "safety", "inspection"),
    "topic_safety_drills": lambda ev: charts.topic_chart(ev, "safety", "drills"),
    "score_by_level1": lambda ev: charts.score_by_level1(ev),
}
#: Charts that show nothing at all when there is nothing to draw, because the text above them
#: says so: the targets chart without targets, a topic chart without two figures of one unit.
SILENT_WHEN_EMPTY = {"attainment_quality", "attainment_safety", "topic_quality_teachers",
                     "topic_quality_class_size", "topic_safety_inspection", "topic_safety_drills"}


def _no_business_data(content):
    for key in ("targets", "aid", "qualitative", "stated"):
        content[key] = []


def _no_actuals(content):
    for row in content["targets"]:
        row["actual"] = None
    for row in content["aid"]:
        row["persons"] = None


@pytest.fixture(scope="module")
def evs(sample_ev, tmp_path_factory):
    from conftest import sample_content

    import perfkit as pk
    from perfkit.assess.evaluation import Evaluation
    from perfkit.data.params import settings_from_dict

    out = {"sample": sample_ev}
    cases = (("no business data", _no_business_data), ("no actual values", _no_actuals))
    for name, change in cases:
        content = sample_content()
        change(content)
        path = pk.write_workbook(tmp_path_factory.mktemp("wb") / "wb.xlsx", content)
        data = pk.load_workbook(path)
        # The sample's settings name its domains: their indicators are there, without values.
        out[name] = Evaluation(data, settings_from_dict({"department": "test", "year": data.year,
                                                         "domains": sample_ev.domains}))
    return out


def _drawn(fig: Figure):
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _rows_with_marks(ax) -> list[float]:
    """y centres of drawn bars (width > 0) and of plotted markers."""
    ys = [p.get_y() + p.get_height() / 2 for p in ax.patches
          if isinstance(p, Rectangle) and p.get_width() > 0 and p.get_height() > 0]
    for line in ax.lines:
        if line.get_marker() not in (None, "None", ""):
            ys += [float(y) for y in line.get_ydata()]
    return ys


def _check_only_rows_with_values(name: str, fig: Figure) -> None:
    for ax in fig.axes:
        marks = _rows_with_marks(ax)
        for tick, label in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True):
            if not label.get_text() or not ax.get_yaxis().get_visible():
                continue
            if ax.get_yscale() != "linear" or not ax.patches:
                continue
            assert any(abs(tick - y) <= 0.45 for y in marks), (
                f"{name}: row “{label.get_text()}” is drawn without a value")


def _check_printed_type(name: str, fig: Figure, renderer) -> None:
    width_in = fig.get_tightbbox(renderer).width  # the PNG is cropped to this (bbox_inches)
    scale = chartkit.WIDTH_IN / width_in  # img.chart is printed as wide as the text column
    assert width_in <= chartkit.WIDTH_IN * 1.15, f"{name}: {width_in:.2f} in wide, printed smaller"
    for text in fig.findobj(MplText):
        if text.get_visible() and text.get_text().strip():
            printed = text.get_fontsize() * scale
            assert printed >= MIN_PRINTED_PT, (
                f"{name}: “{text.get_text()[:20]}” printed at {printed:.1f} pt")


def _check_labels_not_struck_through(name: str, fig: Figure, renderer) -> None:
    for ax in fig.axes:
        grid = [g for g in ax.get_xgridlines() + ax.get_ygridlines() if g.get_visible()]
        grid = [g for g in grid if g.get_linestyle() not in ("None", "")]
        if not grid:
            continue
        grid_z = max(ax.xaxis.get_zorder(), ax.yaxis.get_zorder())  # gridlines draw with their axis
        for text in ax.texts:
            if not text.get_visible() or not text.get_text().strip():
                continue
            box = text.get_window_extent(renderer)
            crossed = any(box.overlaps(g.get_window_extent(renderer)) for g in grid)
            if not crossed:
                continue
            on_bar = any(  # a label inside a bar: the bar hides the gridlines behind it
                p.get_zorder() > grid_z
                and p.get_window_extent(renderer).contains(box.x0, box.y0)
                and p.get_window_extent(renderer).contains(box.x1, box.y1)
                for p in ax.patches)
            if on_bar:
                continue
            patch = text.get_bbox_patch()
            assert patch is not None and patch.get_facecolor()[:3] == (1.0, 1.0, 1.0) and \
                text.get_zorder() > grid_z, (
                    f"{name}: a gridline runs through “{text.get_text()}”")


def _check_wrapping(name: str, fig: Figure) -> None:
    for ax in fig.axes:
        for label in ax.get_yticklabels() + ax.get_xticklabels():
            lines = label.get_text().split("\n")
            for before, after in pairwise(lines):
                assert not (before[-1:].isascii() and before[-1:].isalnum()
                            and after[:1].isascii() and after[:1].isalnum()), (
                    f"{name}: “{label.get_text()}” wrapped inside a number or word")
                assert after[:1] not in "，。、；：）」”", f"{name}: line starts with punctuation"


@pytest.mark.parametrize("case", ["sample", "no business data", "no actual values"])
@pytest.mark.parametrize("name", list(CHARTS))
def test_chart_draws_only_what_has_values_or_says_what_is_missing(evs, case, name):
    result = CHARTS[name](evs[case])
    if result is None:
        assert name in SILENT_WHEN_EMPTY and case != "sample", name
        return
    if isinstance(result, Text):
        assert re.search("未提供|未填写|未列出|无实际值|均无|没有", result), result
        assert "未绘制" in result and len(result) < 300
        return
    assert isinstance(result, Figure), type(result)
    renderer = _drawn(result)
    _check_only_rows_with_values(name, result)
    _check_printed_type(name, result, renderer)
    _check_labels_not_struck_through(name, result, renderer)
    _check_wrapping(name, result)


def test_sample_charts_without_values_are_texts_naming_the_missing(evs):
    safety = charts.attainment_overview(evs["sample"], "safety")
    assert isinstance(safety, Text)  # none of the three 2019 safety targets has an actual value
    for target in ("中小学封闭化管理比例", "城市中小学专职保安员配备率"):
        assert target in safety
    empty = charts.aid_amounts(evs["no business data"])
    assert isinstance(empty, Text) and "学生资助表未填写" in empty


def test_quality_targets_chart_draws_the_three_with_actual_values(evs):
    fig = charts.attainment_overview(evs["sample"], "quality")
    ax = fig.axes[0]
    rows = [t.get_text().replace("\n", "") for t in ax.get_yticklabels()]
    # 12 targets in 2019, 3 with an actual value (392名, 703个, 0个); the 9 others are named.
    assert rows == ["市级定向培养农村中小学教师", "消除义务教育大班额", "剩余超大班额"]
    note = "".join(t.get_text() for t in ax.texts).replace("\n", "")
    for text in ("未绘出（无实际值", "九年义务教育巩固率", "56人以上大班额比例"):
        assert text in note


def test_aid_persons_leaves_out_the_programme_without_a_count(evs):
    fig = charts.aid_persons(evs["sample"])
    ax = fig.axes[0]
    rows = [t.get_text().replace("\n", "") for t in ax.get_yticklabels()]
    assert "免除学杂费补助公用经费" not in rows and len(rows) == 9
    labels = [t.get_text() for t in ax.texts]
    # Exact counts, scaled where exact, each in its 计数单位 (the report states 贷款人数3847人).
    assert "75.22万人次" in labels and "3847人" in labels and "56000人" in labels
    assert "万人次、万人" in ax.get_xlabel()


def test_topic_chart_draws_each_unit_shared_by_two_figures_with_targets_and_qualifiers(evs):
    """教师队伍建设: 名 (six figures, 市级 with its target 350名) and % (two) — a panel each."""
    fig = charts.topic_chart(evs["sample"], "quality", "teachers")
    counts, shares = fig.axes
    rows = [t.get_text().replace("\n", "") for t in counts.get_yticklabels()]
    # 2 of 9 are % (other panel), 招聘考录教师 20000人次 is alone in its unit, and 引进硕士研究生
    # 5名 is 400 times smaller than 2018名: left out of the bars, named under the chart.
    assert rows[0] == "定向培养农村中小学教师" and len(rows) == 5 and "引进硕士研究生" not in rows
    labels = [t.get_text() for t in counts.texts]
    assert "392名（目标350名）" in labels and "857名" in labels
    assert counts.get_xlabel() == "名；黑色竖线为本年度目标" and shares.get_xlabel() == "%"
    note = "".join(t.get_text() for t in shares.texts).replace("\n", "")
    assert "未绘出（与同单位的其他指标相差100倍以上，数值见上表）：机关引进硕士研究生" in note
    drills = charts.topic_chart(evs["sample"], "safety", "drills")
    assert "1000余所" in [t.get_text() for t in drills.axes[0].texts]  # 数值修饰 kept
    assert charts.topic_chart(evs["sample"], "quality", "special_ed") is None  # 个 and %: one each


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("一键式紧急报警及视频监控系统与公安机关联网率", 2),
        ("家庭经济困难学生生活费补助", 2),
        ("达到办学条件20条底线要求的义务教育学校比例", 2),
        ("五大护苗行动覆盖学校（幼儿园）", 2),
        ("普通高中国家助学金", 1),
    ],
)
def test_wrap_label_breaks_at_sensible_points(text, lines):
    wrapped = chartkit.wrap_label(text)
    parts = wrapped.split("\n")
    assert "".join(parts) == text and len(parts) == lines
    assert all(len(p) <= chartkit.LABEL_CHARS for p in parts)
    assert "20条" in wrapped or "20" not in text  # never "2\n0条"


def test_wrap_label_examples():
    assert chartkit.wrap_label("家庭经济困难学生生活费补助") == "家庭经济困难\n学生生活费补助"
    assert chartkit.wrap_label("五大护苗行动覆盖学校（幼儿园）") == "五大护苗行动覆盖学校\n（幼儿园）"
    wrapped = chartkit.wrap_label("有省、市、县、校级科研课题的学校比例")
    assert wrapped == "有省、市、县、\n校级科研课题的学校比例"


def _offsets(fig: Figure) -> list[str]:
    """The offset or exponent text each axis prints beside its ticks ("+1.052e2", "1e6")."""
    _drawn(fig)
    return [t for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
            if (t := axis.get_offset_text().get_text())]


def test_trend_panels_print_plain_numbers_and_no_offset(sample_ev, tmp_path):
    """Issue 21.9: a trend panel of two close percentages printed "+1.052e2" above its axis
    (matplotlib's offset), and one of 26.31% and 26.31% (equal as printed) was drawn as a fall
    across the panel under "1e-5+2.63081e1"."""
    from conftest import with_outputs

    sample_ev = with_outputs(sample_ev, tmp_path)  # earlier years' tables are read from there
    earlier = sample_ev.indicators.reset_index(names="id")
    earlier = earlier[["id", "label_zh", "domain", "unit", "direction", "value"]].copy()
    percent = earlier["unit"] == "%"
    close = {"revenue_execution_pct": 0.02, "basic_expenditure_share_pct": 0.000013}
    earlier.loc[percent, "value"] = [v + close.get(i, 3.0) for i, v in
                                     zip(earlier.loc[percent, "id"], earlier.loc[percent, "value"],
                                         strict=True)]
    table = tmp_path / "yiyang-edu" / "2018" / "tables" / "indicators.csv"
    table.parent.mkdir(parents=True)
    earlier.to_csv(table, index=False)
    fig = charts.indicator_trend(sample_ev, "finance")
    assert isinstance(fig, Figure)
    assert _offsets(fig) == []
    panels = {ax.get_title().replace("\n", ""): ax for ax in fig.axes if ax.get_title()}
    for name in ("收入预算完成率", "基本支出占比"):
        low, high = panels[name].get_ylim()
        assert high - low >= charts.TREND_MIN_SPAN_PP, name  # not a cliff of 0.00001 points
        labels = [t.get_text() for t in panels[name].get_yticklabels()]
        assert all(re.fullmatch(r"−?\d+(\.\d{1,2})?", t) for t in labels if t), labels


@pytest.mark.slow  # draws every chart
def test_no_chart_prints_an_axis_offset_or_exponent(evs):
    """Plain tick numbers on every chart of the sample (counts up to 75.22万人次 included)."""
    for name, make in CHARTS.items():
        result = make(evs["sample"])
        if isinstance(result, Figure):
            assert _offsets(result) == [], name


def _health_ev(make_ev):
    """A health bureau's 妇幼健康 figures beside the sample's finance: 活产数 3215, deaths 1 and
    12, targets typed on the rates perfkit computes (31.10/10万 against ≤18, 3.73‰ against ≤5)."""
    def change(content):
        src = "合成测试数据"
        content["targets"] = [
            {"domain": "health", "code": c, "name": n, "unit": "人", "actual": v, "source": src}
            for c, n, v in (("live_births_count", "活产数", 3215),
                            ("maternal_deaths_count", "孕产妇死亡数", 1),
                            ("infant_deaths_count", "婴儿死亡数", 12))]
        content["targets"] += [
            {"domain": "health", "code": c, "name": n, "unit": u, "direction": "≤", "target": t,
             "source": src}
            for c, n, u, t in (("maternal_mortality_per_100k", "孕产妇死亡率", "/10万", 18),
                               ("infant_mortality_permille", "婴儿死亡率", "‰", 5))]

    return make_ev(change, domains=["health"])


def _rows(fig: Figure) -> list[list[str]]:
    return [[t.get_text().replace("\n", "") for t in ax.get_yticklabels()] for ax in fig.axes]


def test_the_maternal_chart_draws_the_rates_against_their_targets_not_the_counts(make_ev):
    """Issue 21.9: 活产数 3215 was drawn beside deaths of 1 and 12 on one axis. The catalog's
    topic charts the rates, each against its target."""
    ev = _health_ev(make_ev)
    fig = charts.topic_chart(ev, "health", "maternal_child")
    assert _rows(fig) == [["孕产妇死亡率"], ["婴儿死亡率"]]
    texts = ["".join(t.get_text() for t in ax.texts) for ax in fig.axes]
    assert "31.10/10万（目标18/10万）" in texts[0] and "3.73‰（目标5‰）" in texts[1]
    renderer = _drawn(fig)
    _check_printed_type("maternal_child", fig, renderer)
    _check_labels_not_struck_through("maternal_child", fig, renderer)


def test_figures_of_very_different_size_never_share_an_axis(make_ev, monkeypatch):
    """A catalog whose topic lists no ``chart`` (a project's own): counts two orders of
    magnitude apart are not drawn on one axis; the one left out is named under the chart."""
    from perfkit.domains import Topic
    from perfkit.indicators.registry import Registry

    ev = _health_ev(make_ev)
    topic = Topic(label_zh="妇幼健康", indicators=[
        "live_births_count", "maternal_deaths_count", "maternal_mortality_per_100k",
        "infant_deaths_count", "infant_mortality_permille"])
    monkeypatch.setattr(Registry, "topics", lambda self, domain: {"maternal_child": topic})
    fig = charts.topic_chart(ev, "health", "maternal_child")
    rows = _rows(fig)
    assert ["孕产妇死亡数", "婴儿死亡数"] in rows and not any("活产数" in r for r in rows)
    for ax in fig.axes:
        values = [p.get_width() for p in ax.patches if p.get_width()]
        assert not values or max(values) <= charts.COMPARABLE_RATIO * min(values)
    note = "".join(t.get_text() for ax in fig.axes for t in ax.texts).replace("\n", "")
    assert "未绘出（与同单位的其他指标相差100倍以上，数值见上表）：活产数" in note


@pytest.mark.slow  # draws every chart
def test_every_shipped_topic_chart_keeps_figures_of_one_size_on_an_axis(evs, make_ev):
    cases = [(evs["sample"], d) for d in ("quality", "aid", "safety")]
    cases.append((_health_ev(make_ev), "health"))
    for ev, domain in cases:
        for key in ev.registry.topics(domain):
            fig = charts.topic_chart(ev, domain, key)
            if fig is None:
                continue
            for ax in fig.axes:
                values = [abs(p.get_width()) for p in ax.patches if p.get_width()]
                assert not values or max(values) <= charts.COMPARABLE_RATIO * min(values), key
