"""perfkit: departmental overall-expenditure performance self-evaluation (部门整体支出绩效自评).

The public API, kept small (the stages and their folders: ARCHITECTURE.md):

- ``pk.load(department, year, workbook="", params_file="")`` → :class:`Evaluation`: one
  department-year, validated (``ev.indicators``, ``ev.checks``, ``ev.data``, ``ev.settings``);
  ``pk.load()`` alone loads the project's one department in its latest year;
- ``pk.load_workbook(path)`` → the validated workbook; ``pk.write_workbook(path, content)``
  writes the documented template (optionally filled);
- what the report notebooks call, one module each: ``pk.tables``, ``pk.charts``,
  ``pk.narrative``, ``pk.selfreport`` (自评报告), ``pk.review`` (复核意见),
  ``pk.domainreport`` (a domain's report), ``pk.monitor`` (the mid-year 绩效运行监控, its
  figures from ``pk.monitoring.load(department, year, month)``), ``pk.blocks`` (the document model: a notebook's own
  headings and text), and ``pk.checks``, ``pk.history``,
  ``pk.indicators`` for ad-hoc work;
- ``pk.fmt`` (display formatting), ``PerfkitError`` and ``WorkbookError``.
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib

from perfkit import fmt
from perfkit.errors import PerfkitError, WorkbookError

#: Public name → the module that defines it. Loaded on first use: they import pandas (0.2 s
#: warm, about 1 s cold), matplotlib and seaborn (0.4 s), which ``import perfkit`` (0.03 s), the
#: command line's ``--help`` and an unchanged rerun do without.
_LAZY = {
    "Evaluation": "perfkit.assess.evaluation",
    "load": "perfkit.assess.evaluation",
    "load_workbook": "perfkit.data.reader",
    "write_workbook": "perfkit.data.template",
}
#: Modules the notebooks call as ``pk.<name>``.
_MODULES = {
    "tables": "perfkit.report.tables",
    "charts": "perfkit.report.charts",
    "narrative": "perfkit.report.narrative",
    "selfreport": "perfkit.report.selfreport",
    "review": "perfkit.report.review",
    "reviewstage": "perfkit.report.reviewstage",
    "domainreport": "perfkit.report.domainreport",
    "blocks": "perfkit.report.blocks",
    "monitor": "perfkit.report.monitorreport",
    "monitoring": "perfkit.assess.monitor",
    "checks": "perfkit.assess.checks",
    "history": "perfkit.assess.history",
    "indicators": "perfkit.indicators.registry",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    raise AttributeError(name)


def __dir__() -> list[str]:
    # The lazy names are attributes too: dir(pk) and tab completion list them (not loaded here).
    return sorted({*globals(), *_LAZY, *_MODULES})


__all__ = [
    "Evaluation", "PerfkitError", "WorkbookError", "__version__", "fmt", "load", "load_workbook",
    "write_workbook",
]
