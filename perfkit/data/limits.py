"""How much of a workbook perfkit reads: the limits beyond which no department's workbook goes.

They are run settings (``max_rows``, ``max_columns``, ``max_workbook_mb`` in
``params/<dept>/<year>.yaml``, :class:`perfkit.data.params.Settings`), so that a department
whose workbook is genuinely larger raises one and says so in its settings. This module imports
nothing heavy: the settings model reads its defaults from here.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Rows of one sheet, header included. The sample's longest sheet (绩效指标) has 130; a
#: county's 支出功能分类 (类/款/项) a few hundred.
MAX_ROWS = 10_000
#: Columns of one sheet: the template's widest sheet has 12, a department's own notes add a few.
MAX_COLUMNS = 50
#: Decompressed size (MB) of the package parts perfkit parses: the workbook, its styles, its
#: shared strings (all the text of every sheet) and the template's sheets. The sample has
#: 0.3 MB; a department with long 报告文字 and a thousand 绩效指标 rows stays under 5 MB.
MAX_WORKBOOK_MB = 20.0
#: A run of this many empty rows (present in the file, formatted but holding nothing) ends the
#: reading of a sheet: what follows is only searched for values (fast), and read when there
#: are any. Not a setting: it changes the time taken, never what is read.
BLANK_RUN_ROWS = 1_000


@dataclass(frozen=True)
class ReadLimits:
    """The limits one workbook is read under (see the module constants for what each means)."""

    max_rows: int = MAX_ROWS
    max_columns: int = MAX_COLUMNS
    max_workbook_mb: float = MAX_WORKBOOK_MB

    @property
    def max_bytes(self) -> int:
        return int(self.max_workbook_mb * 1024 * 1024)
