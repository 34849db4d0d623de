"""perfkit: departmental overall-expenditure performance self-evaluation (部门整体支出绩效自评)."""

from __future__ import annotations

__version__ = "0.1.0"

from . import fmt
from .errors import PerfkitError, WorkbookError

#: Names loaded on first use: pandas costs about 1 s to import, and the command line's quick
#: paths (an unchanged rerun, ``--help``) do not need it.
_LAZY = {"Evaluation": "evaluation", "load": "evaluation", "load_workbook": "workbook",
         "write_workbook": "workbook"}


def __getattr__(name: str):
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    # Presentation modules import matplotlib/seaborn; load them on first use only.
    if name in {"tables", "charts", "narrative", "checks", "indicators", "history", "selfreport",
                "review", "domainreport"}:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(name)


__all__ = [
    "Evaluation", "PerfkitError", "WorkbookError", "__version__", "fmt", "load", "load_workbook",
    "write_workbook",
]
