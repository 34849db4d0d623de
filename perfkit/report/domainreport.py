"""The domain report of any catalog: one notebook (``notebooks/domain.ipynb``) for every domain.

What a domain report shows comes from its catalog (:mod:`perfkit.domains`): the title from its
label, one section per topic (a sentence of its figures, the table, a chart) in the catalog's
order, and — for a catalog that reads an optional sheet (``sheets``) — that sheet's own section
first (学生资助: programmes, per-person aid against the standard). A health bureau, or a
project's own catalog, gets its report without any Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from perfkit import fmt
from perfkit.assess.evaluation import Evaluation
from perfkit.errors import PerfkitError
from perfkit.report import charts, tables
from perfkit.report.blocks import Blocks, Heading, Paragraph, par
from perfkit.report.narrative import aid_sheet_text, topic_summary
from perfkit.report.narrative import title as _title


def resolve_domain(ev: Evaluation, domain: str = "") -> str:
    """The domain a domain report shows: ``domain``, or the department-year's first domain when
    it is empty (the notebook's default, so that it opens on the project's own field).

    Raises:
        PerfkitError: ``domain`` is not one of the department-year's domains, or it has none
            (the message says which parameter or setting to change).
    """
    if not domain and ev.domains:
        return ev.domains[0]
    if domain and domain in ev.domains:
        return domain
    have = "、".join(f"{d}（{ev.registry.domain_label(d)}）" for d in ev.domains) or "无"
    if not domain:
        raise PerfkitError(f"{ev.department_name}{ev.year}年度没有业务领域（运行设置 domains 为空，"
                           "工作簿也没有领域目录的指标）：没有领域报告可显示")
    raise PerfkitError(f"领域“{domain}”不是{ev.department_name}{ev.year}年度的领域（{have}）："
                       "请在 parameters 单元格中把 domain 改为其中之一（留空即第一个），"
                       f"或在运行设置 domains 中加上 {domain}")


def title(ev: Evaluation, domain: str) -> Heading:
    """The report heading: department, year and the domain's label."""
    return _title(ev, ev.registry.domain_label(domain))


def intro(ev: Evaluation, domain: str) -> Paragraph:
    """What the domain covers (the catalog's description) and where its definitions are."""
    c = ev.registry.catalog(domain)
    if c is None:
        return par(f"领域“{domain}”没有领域目录。")
    groups = "、".join(f"“{t.label_zh}”" for t in ev.registry.topics(domain).values())
    text = c.description_zh or ""
    text += (f"本报告按领域目录“{c.label_zh}”列示{ev.year}年度的指标"
             + (f"，分为{groups}" if groups else "")
             + "。每个指标的名称、单位和计算方法见数据字典；下文数字均由工作簿计算，"
             "单元格（如“绩效指标!G5”）即数据出处。")
    return par(text)


def _aid_sheet(ev: Evaluation) -> list[tuple[str, list[Any]]]:
    return [
        ("资助项目", [par(
            "按工作簿“学生资助”表逐项列示受助人次（或人数，按“计数单位”）、资助金额、人均资助金额"
            "（金额 × 10000 ÷ 受助人次或人数，元）和占资助资金合计的比例。有资助标准的项目，人均金额"
            "与标准比较；低于或高于标准的标为“需说明”，不隐去。"), aid_sheet_text(ev),
            tables.aid_programme_table(ev), charts.aid_amounts(ev), charts.aid_persons(ev)]),
        ("人均资助金额与资助标准", [par(
            "横轴为对数刻度（各项目人均金额相差百倍）；黑色竖线为资助标准，红色为低于标准的项目。"),
            charts.aid_per_capita(ev)]),
    ]


#: The sections of the optional sheets a catalog may read (its ``sheets``), by sheet name: the
#: sheet's layout is part of the workbook contract, so its display is Python.
SHEET_SECTIONS: dict[str, Callable[[Evaluation], list[tuple[str, list[Any]]]]] = {
    "学生资助": _aid_sheet,
}


def sheet_sections(ev: Evaluation, domain: str) -> list[tuple[str, list[Any]]]:
    """(heading, displays) of the sheets the domain's catalog reads; none for most domains."""
    c = ev.registry.catalog(domain)
    out: list[tuple[str, list[Any]]] = []
    for name in (c.sheets if c else []):
        if name in SHEET_SECTIONS:
            out += SHEET_SECTIONS[name](ev)
    return out


def topic_sections(ev: Evaluation, domain: str) -> list[tuple[str, list[Any]]]:
    """(heading, displays) of each catalog topic: its figures in a sentence, its table and,
    where its figures compare (:func:`perfkit.report.charts.topic_chart`), its chart."""
    return [(t.label_zh, [topic_summary(ev, domain, key), tables.topic_table(ev, domain, key),
                          charts.topic_chart(ev, domain, key)])
            for key, t in ev.registry.topics(domain).items()]


def sections(ev: Evaluation, domain: str) -> Blocks:
    """主要工作与成效 of a domain: the sheet sections, then one per topic, numbered （一）…,
    shown by one notebook cell whatever the catalog declares."""
    found = sheet_sections(ev, domain) + topic_sections(ev, domain)
    if not found:
        return Blocks(par(f"领域目录“{ev.registry.domain_label(domain)}”未声明指标分组（topics），"
                          "指标见数据字典和下文各节。"))
    out: list[Any] = []
    for n, (heading, parts) in enumerate(found, 1):
        out.append(Heading(3, f"{fmt.numbering(n)}{heading}"))
        out += [p for p in parts if p is not None]
    return Blocks(out)
