"""perfkit: departmental overall-expenditure performance self-evaluation (部门整体支出绩效自评)."""

from __future__ import annotations

__version__ = "0.1.0"

from . import fmt
from .errors import PerfkitError, WorkbookError
from .evaluation import Evaluation, load
from .workbook import load_workbook, write_workbook


def __getattr__(name: str):
    # Presentation modules import matplotlib/seaborn; load them on first use only.
    if name in {"tables", "charts", "narrative", "checks", "indicators"}:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(name)


__all__ = [
    "Evaluation", "PerfkitError", "WorkbookError", "__version__", "fmt", "load", "load_workbook",
    "write_workbook",
]
