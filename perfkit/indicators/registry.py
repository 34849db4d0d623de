"""The registry in use (Python and catalog indicators) and the catalog lookups the stages read."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from perfkit import domains
from perfkit.data.params import Settings
from perfkit.data.sheets import SHEET_BY_NAME
from perfkit.data.workbook import WorkbookData
from perfkit.domains import Catalog, SumCheck, TargetRule, Topic
from perfkit.errors import CatalogError

# Imported for their @indicator functions: finance (收入, 支出 …) and the 学生资助 sheet's.
from perfkit.indicators import aid, finance  # noqa: F401
from perfkit.indicators.base import DECLARED, REGISTRY, Indicator, evaluate, own_rows, qualifiers
from perfkit.indicators.catalog import TARGET_RULES, build_registry

_built: list = [None, -1]  # the catalogs and the count of Python indicators REGISTRY was built from


def load_all() -> None:
    """Fill :data:`REGISTRY` from the Python indicators and the catalogs in use (once per version).

    Raises:
        CatalogError: a catalog is malformed or refers to an unknown indicator.
    """
    cats = domains.catalogs()
    if _built[0] is cats and _built[1] == len(DECLARED):
        return
    registry = build_registry(cats, DECLARED)
    REGISTRY.clear()
    REGISTRY.update(registry)
    _built[:] = [cats, len(DECLARED)]


def get(indicator_id: str) -> Indicator:
    """Return an indicator in use by id (KeyError if there is none)."""
    load_all()
    return REGISTRY[indicator_id]


def for_domain(domain: str) -> list[Indicator]:
    """Return the indicators of one domain, in declaration order."""
    load_all()
    return [i for i in REGISTRY.values() if i.domain == domain]



def compute(data: WorkbookData, settings: Settings, domains: Iterable[str] | None = None
            ) -> pd.DataFrame:
    """The indicators of finance and of ``domains``, then the department's own rows, by ``id``.

    ``qualifier`` is the 数值修饰 of a reported figure's 绩效指标 row (1000余所: 余), to print with
    its value (``fmt.with_unit(..., qualifier=)``); empty for computed indicators.

    Args:
        data: the workbook.
        settings: the run settings.
        domains: the catalog domains to compute; None for every domain in use (finance always).
    """
    load_all()
    keep = None if domains is None else {"finance", *domains}
    stated = qualifiers(data)
    rows = [evaluate(i, data, settings) | {"qualifier": stated.get(i.id, "") if i.reported else ""}
            for i in REGISTRY.values() if keep is None or i.domain in keep]
    rows += own_rows(data)
    columns = ["id", "domain", "label_zh", "value", "unit", "direction", "note", "source_cells",
               "definition_zh", "decimals", "reported", "qualifier"]
    return pd.DataFrame(rows, columns=columns).set_index("id")


def computed(code: str) -> bool:
    """True when ``code`` is an indicator perfkit computes from other figures (a catalog entry
    with a formula, or a Python indicator), False for a reported figure or an unknown code.

    A 绩效指标 row with a computed code carries a target (and maybe a typed 实际值); the value
    judged against the target is the computed one (:func:`perfkit.assess.targets.metrics`).
    """
    load_all()
    ind = REGISTRY.get(code)
    return ind is not None and not ind.reported


def compute_prior(data: WorkbookData, settings: Settings, code: str) -> dict:
    """A catalog indicator computed on last year's figures: the 上年值 of its 绩效指标 inputs.

    Only catalog indicators are computed this way (their inputs are 绩效指标 rows); a finance
    indicator's prior-year value needs last year's workbook and comes out undefined here.

    Returns:
        The tidy row of :func:`perfkit.indicators.base.evaluate` (``value`` NaN when an input's
        上年值 is missing).
    """
    load_all()
    ind = REGISTRY[code]
    if ind.domain == domains.FINANCE:
        return {"value": float("nan"), "note": "财务指标的上年值取自上年工作簿", "source_cells": ""}
    return evaluate(ind, data, settings, metric_column="prior")


# ---------------------------------------------------------------------------------------------
# What the rest of perfkit reads from the catalogs in use
# ---------------------------------------------------------------------------------------------


def _catalogs() -> dict[str, Catalog]:
    load_all()
    return domains.catalogs()


def catalog(domain: str) -> Catalog | None:
    """The catalog of a domain, or None (finance, other, an unknown key)."""
    return _catalogs().get(domain)


def domains_in_use(data: WorkbookData) -> list[str]:
    """The catalog domains a workbook covers, in order: those with a 绩效指标 row of their 领域,
    or with rows in one of the optional sheets their catalog names (``sheets``)."""
    frame = data.frames.get("targets")
    listed = set() if frame is None or frame.empty else set(frame["domain"].dropna())
    used = []
    for key, c in _catalogs().items():
        sheets = [data.frames.get(SHEET_BY_NAME[n].key) for n in c.sheets]
        if key in listed or any(f is not None and not f.empty for f in sheets):
            used.append(key)
    return used


def outside_domains(data: WorkbookData, domains: list[str]) -> list[str]:
    """Notes on the workbook rows that belong to a catalog domain not among ``domains`` (the run
    settings'): they are left out of every document, which a department may not intend.

    Returns:
        One note per such domain, naming the rows' cells and how to include them.
    """
    cats = _catalogs()
    notes = []
    frame = data.frames.get("targets")
    for key, c in cats.items():
        if key in domains:
            continue
        cells = [] if frame is None or frame.empty else [
            data.cell("targets", i, "domain") for i in frame.index[frame["domain"] == key]]
        for name in c.sheets:
            sheet = data.frames.get(SHEET_BY_NAME[name].key)
            if sheet is not None and not sheet.empty:
                cells.append(f"“{name}”表{len(sheet)}行")
        if cells:
            shown = "、".join(cells[:3]) + (f" 等{len(cells)}处" if len(cells) > 3 else "")
            notes.append(f"{shown}属于领域“{c.label_zh}”（{key}），不在运行设置 domains "
                         f"（{', '.join(domains) or '无'}）中，不进入报告；如属本年度的领域，"
                         f"在 domains 中加上 {key}")
    return notes


def topics(domain: str) -> dict[str, Topic]:
    """Topic key → indicators shown together, in the catalog's order."""
    c = catalog(domain)
    return dict(c.topics) if c else {}


def sum_checks(domain: str) -> list[SumCheck]:
    """The parts-equal-total checks a domain declares."""
    c = catalog(domain)
    return list(c.sum_checks) if c else []


def headlines(domain: str) -> list[str]:
    """Indicator codes in the order 主要绩效 lists them."""
    c = catalog(domain)
    return list(c.headlines) if c else []


def target_rules() -> dict[str, TargetRule]:
    """指标代码 → the rule giving its target when the workbook leaves 目标值 empty."""
    _catalogs()
    return dict(TARGET_RULES)


def codes(domain: str | None = None):
    """Every indicator code in use with its domain, label, unit and kind (what 指标代码 takes).

    Args:
        domain: one domain key (``health``, ``finance`` …); None for all.

    Returns:
        A DataFrame with columns code, domain, domain_zh, label_zh, unit, reported.

    Raises:
        CatalogError: ``domain`` is not a domain in use (the message lists those that are).
    """
    cats = _catalogs()
    keys = [domains.FINANCE, *cats]
    if domain is not None and domain not in keys:
        raise CatalogError(f"没有领域“{domain}”；可用的领域：{'、'.join(keys)}"
                           "（项目自己的领域目录放在 domains/<领域代码>.yaml）")
    zh = {v: k for k, v in domains.domain_labels().items()}
    rows = [{"code": i.id, "domain": i.domain, "domain_zh": zh.get(i.domain, i.domain),
             "label_zh": i.label_zh, "unit": i.unit, "reported": i.reported}
            for i in REGISTRY.values() if domain in (None, i.domain)]
    return pd.DataFrame(rows, columns=["code", "domain", "domain_zh", "label_zh", "unit",
                                       "reported"])
