"""One department-year under evaluation: the validated workbook, its settings, its project and
the results computed from them."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from perfkit import config
from perfkit.assess.checks import run_checks
from perfkit.data.params import Settings, load_settings, safe_path
from perfkit.data.reader import load_workbook
from perfkit.data.workbook import WorkbookData
from perfkit.indicators.registry import Registry, registry

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The inputs of one department-year and the results computed from them.

    Attributes:
        data: the validated workbook.
        settings: the run settings.
        project: the project it belongs to (default: the current one when made): its catalogs,
            score sheets and folders are the ones every result of this evaluation uses.
        results: what the assess stage computed on it (:meth:`result`).
    """

    data: WorkbookData
    settings: Settings
    project: config.Project = field(default_factory=config.current)
    results: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False)

    @functools.cached_property
    def registry(self) -> Registry:
        """The indicators and catalogs in use in :attr:`project` (as they were when first asked:
        one evaluation never mixes two versions of a catalog)."""
        return registry(self.project)

    @property
    def year(self) -> int:
        return self.settings.year

    @property
    def department_name(self) -> str:
        return self.data.department_name

    @functools.cached_property
    def domains(self) -> list[str]:
        """The catalog domains of this department-year, in the catalogs' order (finance is
        always on and not listed).

        The run settings' ``domains`` when given; otherwise those the workbook covers: a 绩效指标
        row of the domain's 领域, or rows in an optional sheet its catalog reads (学生资助 for aid).
        """
        if self.settings.domains is not None:
            return list(self.settings.domains)

        return self.registry.domains_in_use(self.data)

    @property
    def target_domains(self) -> list[str]:
        """The 领域 whose 绩效指标 rows count as this department-year's: finance, :attr:`domains`
        and 其他 (the department's own)."""
        return ["finance", *self.domains, "other"]

    @functools.cached_property
    def indicators(self) -> pd.DataFrame:
        """The indicators of this department-year, computed on its workbook and indexed by
        ``id``: finance, those of :attr:`domains` and the department's own 绩效指标 rows (any
        领域, 其他 included). Other catalogs' indicators are not here: a health bureau's holds
        no education indicator.
        """
        return self.registry.compute(self.data, self.settings, self.domains)

    def indicators_on(self, budget_basis: str) -> pd.DataFrame:
        """:attr:`indicators` with completion rates over another budget (``initial`` 年初预算,
        ``adjusted`` 调整预算), for a score-sheet item whose 复核口径 fixes its basis."""
        if not budget_basis or budget_basis == self.settings.budget_basis:
            return self.indicators
        other = dataclasses.replace(self.settings, budget_basis=budget_basis)  # type: ignore[arg-type]
        return self.result(("indicators", budget_basis),
                           lambda: self.registry.compute(self.data, other, self.domains))

    def not_covered(self, indicator_id: str) -> str:
        """Why a registered indicator is not in :attr:`indicators` (its domain is not one of
        this department-year's), to say so where a score sheet or a 报告数值 row names it."""
        try:
            ind = self.registry.get(indicator_id)
        except KeyError:
            return f"没有指标“{indicator_id}”（perfkit codes 列出全部指标代码）"
        c = self.registry.catalog(ind.domain)
        return (f"指标“{ind.label_zh}”属于领域“{c.label_zh if c else ind.domain}”，不是本部门"
                f"本年度的领域（运行设置 domains：{', '.join(self.domains) or '无'}）")

    def result(self, key: Hashable, build: Callable[[], T]) -> T:
        """What ``build()`` returns, computed once for this evaluation and kept under ``key`` (a
        score sheet's result by sheet and policy, the audit)."""
        if key not in self.results:
            self.results[key] = build()
        return self.results[key]

    def domain_indicators(self, domain: str) -> pd.DataFrame:
        """The indicators of one domain."""
        frame = self.indicators
        return frame[frame["domain"] == domain]

    @functools.cached_property
    def checks(self) -> pd.DataFrame:
        """Finance cross-checks (totals = parts, carry-over identity)."""
        return run_checks(self.data, self.settings)

    def value(self, indicator_id: str) -> float:
        """The value of one indicator (NaN when it cannot be computed)."""
        return float(self.indicators.at[indicator_id, "value"])

    def stated(self, check: str) -> str | None:
        """The text a report states for ``check`` in the 报告数值 sheet, if any."""
        frame = self.data.frames.get("stated")
        if frame is None or frame.empty:
            return None
        hits = frame[frame["check"] == check]
        return None if hits.empty else str(hits.iloc[0]["stated"])


def load(
    department: str = "",
    year: int = 0,
    workbook: str | Path = "",
    params_file: str | Path = "",
    *,
    project: config.Project | str | Path | None = None,
) -> Evaluation:
    """Load and validate one department-year.

    Args:
        department: department code (folder under data/); empty → the project's one department.
        year: evaluation year; 0 → the department's latest year with a workbook
            (:func:`perfkit.config.default_department_year`).
        workbook: workbook path; empty → the settings' workbook or ``data/<dept>/<year>.xlsx``.
        params_file: settings YAML; empty → ``params/<dept>/<year>.yaml`` when present.
        project: the project (a :class:`~perfkit.config.Project` or its folder); default the
            current one (found from the current folder, as the command line finds it). Relative
            paths are relative to its root.

    Returns:
        The :class:`Evaluation`.

    Raises:
        WorkbookError: the workbook has problems (all listed, each located).
        ParamsError: the settings are invalid.
    """
    project = config.project_of(project)
    if not department or not year:
        department, year = config.default_department_year(department, int(year or 0), project)
    settings = load_settings(department, int(year), params_file or None, project)
    path = safe_path(workbook, "workbook", project) if workbook else settings.workbook_path(project)
    data = load_workbook(path, expected_year=int(year), confirmed=settings.confirmed_values,
                         limits=settings.read_limits, project=project)
    return Evaluation(data, settings, project)
