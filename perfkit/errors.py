"""PerfkitError and its subclasses: every message names the place and the fix."""

from __future__ import annotations

from dataclasses import dataclass


class PerfkitError(Exception):
    """Base class of every error perfkit raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file.

    Attributes:
        file: file name as the user knows it.
        sheet: sheet name, or "" for file-level problems.
        cell: cell or column reference such as ``D7`` or ``列 决算数``; "" if none.
        found: what was found.
        expected: what was expected.
        fix: how to fix it.
    """

    file: str
    sheet: str
    cell: str
    found: str
    expected: str
    fix: str

    @property
    def location(self) -> str:
        loc = self.file
        if self.sheet:
            loc += f" [{self.sheet}!{self.cell}]" if self.cell else f" [{self.sheet}]"
        return loc

    def __str__(self) -> str:
        return f"{self.location}: 发现 {self.found}；应为 {self.expected}；修改方法：{self.fix}"


class WorkbookError(PerfkitError):
    """The input workbook cannot be used; carries every problem found in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [f"输入工作簿有 {len(self.problems)} 个问题："]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        super().__init__("\n".join(lines))


class ParamsError(PerfkitError):
    """A params/ YAML file or a command-line value is invalid."""


class ScoreSheetError(PerfkitError):
    """A score sheet (评分表) is malformed."""


class FontMissingError(PerfkitError):
    """No CJK font is installed, so Chinese text would render as boxes."""


class ProjectNotFoundError(PerfkitError):
    """No project folder: no perfkit.toml above the current folder and no PERFKIT_ROOT."""


class ReportFileError(PerfkitError):
    """A report file (.txt, .docx, .pdf) cannot be read; the message names the file and fix."""


class CatalogError(PerfkitError):
    """A catalog file (a domain catalog, domains/<key>.yaml, or the report-text catalog) cannot
    be used; the message names the file, the entry and the key."""
