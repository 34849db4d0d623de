"""PerfkitError and its subclasses: every message names the place and the fix."""

from __future__ import annotations

import errno
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


class OutputWriteError(PerfkitError):
    """An output file or folder cannot be written: no permission, a read-only folder, a full
    disk. The message names the path, the cause and the fix (:func:`write_problem`)."""


#: Why a write failed and what to do, by errno name (the rest: the system's own words).
_WRITE_CAUSES = {
    "ENOSPC": ("磁盘已满", "请清理磁盘空间后重新运行"),
    "EDQUOT": ("超出磁盘配额", "请清理空间或请管理员增加配额后重新运行"),
    "EFBIG": ("文件超出系统允许的大小", "请检查磁盘和系统的文件大小限制后重新运行"),
    "EACCES": ("没有权限", "请检查该位置的权限，或用 --outputs 指定一个可写的目录"),
    "EPERM": ("没有权限", "请检查该位置的权限，或用 --outputs 指定一个可写的目录"),
    "EROFS": ("所在的文件系统是只读的", "请用 --outputs 指定一个可写的目录"),
    "ENOTDIR": ("路径中有一段是文件而不是目录", "请移走该文件，或用 --outputs 指定另一个目录"),
}

#: Errors only a write raises: said "无法写入"; others "无法访问" (a read or a write).
_WRITE_ONLY = frozenset({"ENOSPC", "EDQUOT", "EFBIG", "EROFS"})


def write_problem(exc: OSError, path: object = None, *, writing: bool = True) -> str:
    """One Chinese sentence: which file or folder could not be written, why, and what to do.

    Args:
        exc: the error the write raised.
        path: the file or folder being written (default: the one the error names).
        writing: known to be a write (else the verb depends on the error: a read may have
            raised it).
    """
    name = errno.errorcode.get(exc.errno or 0, "")
    cause, fix = _WRITE_CAUSES.get(name, (exc.strerror or type(exc).__name__,
                                          "请检查该位置后重新运行"))
    where = path if path is not None else (exc.filename or "输出目录")
    verb = "写入" if writing or name in _WRITE_ONLY else "访问"
    return f"无法{verb} {where}：{cause}。{fix}。"
