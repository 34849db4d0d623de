"""Collects a workbook's problems so that the user sees all of them at once."""

from __future__ import annotations

from perfkit.errors import Problem


class Collector:
    """Collects problems for one file so that the user sees all of them at once.

    ``flagged`` holds the cells already reported, so that one wrong cell gives one message even
    when several checks would trip over it.
    """

    def __init__(self, file: str, confirmed: tuple[str, ...] = ()):
        self.file = file
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.flagged: set[tuple[str, str]] = set()
        #: Cells (``三公经费!C5``) the user confirmed as real despite a plausibility finding.
        self.to_confirm: dict[str, bool] = dict.fromkeys(confirmed, False)
        self.confirmed: list[Problem] = []

    def add(self, sheet: str, cell: str, found: str, expected: str, fix: str) -> None:
        self.problems.append(Problem(self.file, sheet, cell, found, expected, fix))
        if cell:
            self.flagged.add((sheet, cell))

    def warn(self, sheet: str, cell: str, found: str, expected: str, fix: str) -> None:
        self.warnings.append(Problem(self.file, sheet, cell, found, expected, fix))

    def implausible(self, sheet: str, cell: str, found: str, expected: str, fix: str) -> None:
        """A plausibility finding: a problem, or a note when the user confirmed the cell."""
        ref = f"{sheet}!{cell}"
        if ref not in self.to_confirm:
            self.add(sheet, cell, found, expected, fix + CONFIRM_HINT.format(ref=ref))
            return
        if not self.to_confirm[ref]:
            self.to_confirm[ref] = True
            note = Problem(self.file, sheet, cell, found, "经部门核实的实际数",
                           f"已按运行设置 confirmed_values 确认为实际数（{ref}）；"
                           "复核时请核对原始凭证")
            self.confirmed.append(note)
            self.warnings.append(note)


#: How to accept a genuine outlier that a plausibility check flags (appended to its fix).
CONFIRM_HINT = ("；若经核实确为实际数，在运行设置（params/<部门>/<年度>.yaml）的 "
                "confirmed_values 中列出该单元格（confirmed_values: [\"{ref}\"]），"
                "报告和复核意见将注明“已核实”")
