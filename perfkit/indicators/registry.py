"""The indicators in use in a project (Python and catalog ones) and the catalog lookups the stages
read: a :class:`Registry`, built once per version of the project's catalogs and kept on it.

``pk.indicators`` is this module: ``pk.indicators.registry()`` (the current project's),
``pk.indicators.get(id)``, ``pk.indicators.for_domain(key)``, ``pk.indicators.codes()``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from perfkit import config, domains
from perfkit.data.params import Settings
from perfkit.data.sheets import SHEET_BY_NAME
from perfkit.data.workbook import WorkbookData
from perfkit.domains import Catalog, SumCheck, TargetRule, Topic
from perfkit.errors import CatalogError, ProjectNotFoundError

# Imported for their @indicator functions: finance (收入, 支出 …) and the 学生资助 sheet's.
from perfkit.indicators import aid, finance  # noqa: F401
from perfkit.indicators.base import (
    DECLARED,
    Direction,
    Indicator,
    evaluate,
    indicator,
    own_rows,
    qualifiers,
)
from perfkit.indicators.catalog import build_registry

__all__ = ["DECLARED", "Direction", "Indicator", "Registry", "codes", "compute", "for_domain", "get",
           "indicator", "registry"]


@dataclass(frozen=True, eq=False)
class Registry:
    """The indicators and catalogs in use in one project.

    Attributes:
        indicators: id → indicator, in domain order: finance, then per catalog its entries and
            its Python ones.
        catalogs: the project's domain catalogs by key (:func:`perfkit.domains.catalogs`).
        target_rules: 指标代码 → the rule giving its target when the workbook leaves 目标值 empty.
    """

    indicators: Mapping[str, Indicator]
    catalogs: Mapping[str, Catalog]
    target_rules: Mapping[str, TargetRule]

    def get(self, indicator_id: str) -> Indicator:
        """An indicator by id (KeyError if there is none)."""
        return self.indicators[indicator_id]

    def label(self, code: str) -> str:
        """An indicator's 指标 name, or ``code`` itself when it names none."""
        ind = self.indicators.get(code)
        return ind.label_zh if ind else code

    def for_domain(self, domain: str) -> list[Indicator]:
        """The indicators of one domain, in declaration order."""
        return [i for i in self.indicators.values() if i.domain == domain]

    def computed(self, code: str) -> bool:
        """True when ``code`` is an indicator perfkit computes from other figures (a catalog
        entry with a formula, or a Python indicator), False for a reported figure or an unknown
        code.

        A 绩效指标 row with a computed code carries a target (and maybe a typed 实际值); the value
        judged against the target is the computed one (:func:`perfkit.assess.targets.metrics`).
        """
        ind = self.indicators.get(code)
        return ind is not None and not ind.reported

    @functools.cached_property
    def domain_names(self) -> dict[str, str]:
        """Domain key → 领域 label: finance 财务, the catalogs', other 其他."""
        return domains.names_of(dict(self.catalogs))

    def domain_label(self, key: str) -> str:
        """A domain's 领域 label (health → 卫生健康), or ``key`` itself when it names none."""
        return self.domain_names.get(key, key)

    def catalog(self, domain: str) -> Catalog | None:
        """The catalog of a domain, or None (finance, other, an unknown key)."""
        return self.catalogs.get(domain)

    def topics(self, domain: str) -> dict[str, Topic]:
        """Topic key → indicators shown together, in the catalog's order."""
        c = self.catalog(domain)
        return dict(c.topics) if c else {}

    def sum_checks(self, domain: str) -> list[SumCheck]:
        """The parts-equal-total checks a domain declares."""
        c = self.catalog(domain)
        return list(c.sum_checks) if c else []

    def headlines(self, domain: str) -> list[str]:
        """Indicator codes in the order 主要绩效 lists them."""
        c = self.catalog(domain)
        return list(c.headlines) if c else []

    def compute(self, data: WorkbookData, settings: Settings,
                domains: Iterable[str] | None = None) -> pd.DataFrame:
        """The indicators of finance and of ``domains``, then the department's own rows, by
        ``id``.

        ``qualifier`` is the 数值修饰 of a reported figure's 绩效指标 row (1000余所: 余), to print
        with its value (``fmt.with_unit(..., qualifier=)``); empty for computed indicators.

        Args:
            data: the workbook.
            settings: the run settings.
            domains: the catalog domains to compute; None for every domain in use (finance
                always).
        """
        keep = None if domains is None else {"finance", *domains}
        stated = qualifiers(data)
        rows = [evaluate(i, data, settings, self)
                | {"qualifier": stated.get(i.id, "") if i.reported else ""}
                for i in self.indicators.values() if keep is None or i.domain in keep]
        rows += own_rows(data, self.indicators)
        columns = ["id", "domain", "label_zh", "value", "unit", "direction", "note", "source_cells",
                   "definition_zh", "decimals", "reported", "qualifier"]
        return pd.DataFrame(rows, columns=columns).set_index("id")

    def compute_prior(self, data: WorkbookData, settings: Settings, code: str) -> dict:
        """A catalog indicator computed on last year's figures: the 上年值 of its 绩效指标 inputs.

        Only catalog indicators are computed this way (their inputs are 绩效指标 rows); a finance
        indicator's prior-year value needs last year's workbook and comes out undefined here.

        Returns:
            The tidy row of :func:`perfkit.indicators.base.evaluate` (``value`` NaN when an
            input's 上年值 is missing).
        """
        ind = self.indicators[code]
        if ind.domain == domains.FINANCE:
            return {"value": float("nan"), "note": "财务指标的上年值取自上年工作簿", "source_cells": ""}
        return evaluate(ind, data, settings, self, metric_column="prior")

    def domains_in_use(self, data: WorkbookData) -> list[str]:
        """The catalog domains a workbook covers, in order: those with a 绩效指标 row of their
        领域, or with rows in one of the optional sheets their catalog names (``sheets``)."""
        frame = data.frames.get("targets")
        listed = set() if frame is None or frame.empty else set(frame["domain"].dropna())
        used = []
        for key, c in self.catalogs.items():
            sheets = [data.frames.get(SHEET_BY_NAME[n].key) for n in c.sheets]
            if key in listed or any(f is not None and not f.empty for f in sheets):
                used.append(key)
        return used

    def outside_domains(self, data: WorkbookData, domains: list[str]) -> list[str]:
        """Notes on the workbook rows that belong to a catalog domain not among ``domains`` (the
        run settings'): they are left out of every document, which a department may not intend.

        Returns:
            One note per such domain, naming the rows' cells and how to include them.
        """
        notes = []
        frame = data.frames.get("targets")
        for key, c in self.catalogs.items():
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

    def codes(self, domain: str | None = None) -> pd.DataFrame:
        """Every indicator code in use with its domain, label, unit and kind (what 指标代码
        takes).

        Args:
            domain: one domain key (``health``, ``finance`` …); None for all.

        Returns:
            A DataFrame with columns code, domain, domain_zh, label_zh, unit, reported.

        Raises:
            CatalogError: ``domain`` is not a domain in use (the message lists those that are).
        """
        keys = [domains.FINANCE, *self.catalogs]
        if domain is not None and domain not in keys:
            raise CatalogError(f"没有领域“{domain}”；可用的领域：{'、'.join(keys)}"
                               "（项目自己的领域目录放在 domains/<领域代码>.yaml）")
        rows = [{"code": i.id, "domain": i.domain, "domain_zh": self.domain_label(i.domain),
                 "label_zh": i.label_zh, "unit": i.unit, "reported": i.reported}
                for i in self.indicators.values() if domain in (None, i.domain)]
        return pd.DataFrame(rows, columns=["code", "domain", "domain_zh", "label_zh", "unit",
                                           "reported"])


def _build(cats: dict[str, Catalog]) -> Registry:
    indicators, rules = build_registry(cats, DECLARED)
    return Registry(indicators, cats, rules)


def registry(project: config.Project | None = None) -> Registry:
    """The indicators in use in ``project`` (default: the current one): the Python indicators and
    the project's catalogs'. Built once per version of the catalogs (and of the Python
    indicators) and kept on the project; outside any project, perfkit's, built on each call.

    Raises:
        CatalogError: a catalog is malformed or refers to an unknown indicator.
    """
    cats = domains.catalogs(project)
    try:
        project = project or config.current()
    except ProjectNotFoundError:  # library use outside any project
        return _build(cats)
    return project.cached("registry", (cats, len(DECLARED)), lambda: _build(cats))


def get(indicator_id: str, project: config.Project | None = None) -> Indicator:
    """An indicator in use by id (KeyError if there is none)."""
    return registry(project).get(indicator_id)


def for_domain(domain: str, project: config.Project | None = None) -> list[Indicator]:
    """The indicators of one domain, in declaration order."""
    return registry(project).for_domain(domain)


def compute(data: WorkbookData, settings: Settings, domains: Iterable[str] | None = None,
            project: config.Project | None = None) -> pd.DataFrame:
    """:meth:`Registry.compute` with the registry of ``project`` (default: the current one)."""
    return registry(project).compute(data, settings, domains)


def codes(domain: str | None = None, project: config.Project | None = None) -> pd.DataFrame:
    """:meth:`Registry.codes` of ``project`` (default: the current one)."""
    return registry(project).codes(domain)
