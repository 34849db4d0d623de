"""A loaded workbook: typed frames, and the input cell behind every value."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from perfkit.cells import as_number
from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.errors import Problem


@dataclass
class WorkbookData:
    """A validated workbook: typed frames plus the input cell behind every value.

    Attributes:
        path: the workbook file.
        sha256: its hash, for provenance.
        info: 基本信息 as a dict (``year`` int, amounts converted).
        frames: sheet key → DataFrame. Item sheets are indexed by item key; record sheets by a
            0-based row number. Amount columns are in 万元; missing values are NaN.
        cells: (sheet key, row key, column key) → cell reference such as ``收入!D7``.
        unit_factor: multiplier that converted the declared unit to 万元.
        warnings: located notes that do not block loading (for example a total that differs
            from its parts by more than rounding but less than a tenth of the total).
        confirmed: plausibility findings (implausible magnitudes) on cells the run settings'
            ``confirmed_values`` list as real figures: kept as notes (also in ``warnings``)
            for the check, the reports and the audit, instead of refusing the workbook.
    """

    path: Path
    sha256: str
    info: dict[str, Any]
    frames: dict[str, pd.DataFrame]
    cells: dict[tuple[str, Any, str], str] = field(default_factory=dict)
    unit_factor: float = 1.0
    warnings: list[Problem] = field(default_factory=list)
    confirmed: list[Problem] = field(default_factory=list)

    @property
    def department_name(self) -> str:
        return str(self.info.get("department_name") or "")

    @property
    def year(self) -> int:
        return int(self.info["year"])

    def value(self, sheet: str, row: Any, column: str) -> float:
        """Return one number (NaN when not provided)."""
        frame = self.frames.get(sheet)
        if frame is None or row not in frame.index:
            return math.nan
        return as_number(frame.at[row, column])

    def cell(self, sheet: str, row: Any, column: str) -> str:
        """Return the cell reference of one value, e.g. ``收入!D7``."""
        ref = self.cells.get((sheet, row, column))
        if ref:
            return ref
        return f"{SHEET_BY_KEY[sheet].name}!{SHEET_BY_KEY[sheet].column(column).header}"
