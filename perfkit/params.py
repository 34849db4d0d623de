"""Run settings for one department-year (params/<dept>/<year>.yaml); unknown keys are refused."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import config, reads
from .errors import ParamsError

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

_CHOICES = {
    # 口径: which budget a completion rate divides by (domain.md §3: varies by locality).
    "budget_basis": ("initial", "adjusted"),
    # 结转结余率 denominator: 支出预算数 or 支出完成数.
    "carryover_rate_basis": ("budget", "actual"),
    # "三公"经费变动率 basis: 决算数 (actual) or 预算数 (budget) of both years.
    "three_public_change_basis": ("actual", "budget"),
    "missing_policy": ("zero", "exclude"),
}


@dataclass(frozen=True)
class Settings:
    """Settings of one department-year run.

    Attributes:
        department: department code, the folder name under data/ (letters, digits, - and _).
        year: evaluation year.
        workbook: workbook path relative to the project root; empty → data/<dept>/<year>.xlsx.
        budget_basis: ``initial`` (年初预算) or ``adjusted`` (调整预算) for completion rates.
        carryover_rate_basis: denominator of 结转结余率, ``budget`` or ``actual`` spending.
        three_public_change_basis: ``actual`` or ``budget`` figures for the "三公" change.
        tolerance_wan_yuan: tolerance for amount cross-checks (万元).
        tolerance_pp: tolerance for ratio checks (percentage points).
        score_sheet: score-sheet YAML under params/score_sheets/ (file stem).
        missing_policy: how a score-sheet item with missing input scores.
        notebooks: which notebooks to run, in order.
    """

    department: str = config.SAMPLE_DEPT
    year: int = config.SAMPLE_YEAR
    workbook: str = ""
    budget_basis: str = "initial"
    carryover_rate_basis: str = "budget"
    three_public_change_basis: str = "actual"
    tolerance_wan_yuan: float = 0.5
    tolerance_pp: float = 0.1
    score_sheet: str = "hunan-53"
    missing_policy: str = "zero"
    notebooks: tuple[str, ...] = field(default=config.DOMAINS)

    @property
    def budget_column(self) -> str:
        """The workbook column completion rates divide by (年初预算数 or 调整预算数)."""
        return "budget_adjusted" if self.budget_basis == "adjusted" else "budget_initial"

    @property
    def budget_label_zh(self) -> str:
        """How reports name that budget: 年初预算 or 调整预算."""
        return "调整预算" if self.budget_basis == "adjusted" else "年初预算"

    def workbook_path(self) -> Path:
        """Return the absolute workbook path, refusing paths outside the project."""
        if not self.workbook:
            return config.workbook_path(self.department, self.year)
        return safe_path(self.workbook, "workbook")


def check_department(dept: str) -> str:
    """Return ``dept`` if it is a safe department code, else raise ParamsError."""
    if not isinstance(dept, str) or not _SLUG.match(dept):
        raise ParamsError(
            f"部门代码“{dept}”无效：只能包含字母、数字、- 和 _（它是 data/ 下的文件夹名），"
            "例如 yiyang-edu。"
        )
    return dept


def safe_path(value: str | Path, what: str) -> Path:
    """Resolve ``value`` against the project root and refuse anything outside it."""
    p = Path(value)
    p = (p if p.is_absolute() else config.ROOT / p).resolve()
    allowed = [config.ROOT, config.OUTPUTS_DIR]
    if not any(p == a or a in p.parents for a in allowed):
        raise ParamsError(f"{what} 路径“{value}”在项目文件夹 {config.ROOT} 之外，已拒绝。")
    return p


def load_settings(department: str, year: int, params_file: str | Path | None = None) -> Settings:
    """Load settings for a department-year.

    Reads ``params_file`` or, when empty, ``params/<dept>/<year>.yaml`` if it exists; missing
    keys take defaults.

    Raises:
        ParamsError: unknown key, wrong type, bad choice, or a path outside the project.
    """
    check_department(department)
    path = safe_path(params_file, "params") if params_file else config.params_path(department, year)
    reads.file(path)  # absent too: writing the file later changes the settings
    raw: dict[str, Any] = {}
    if path.exists():
        raw = read_settings_file(path)
    elif params_file:
        raise ParamsError(f"运行设置文件不存在：{path}")
    _check_identity(raw, department, year, path)
    return settings_from_dict({"department": department, "year": year, **raw}, str(path))


def read_settings_file(path: Path) -> dict[str, Any]:
    """The mapping a settings file holds (unvalidated)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: 不是有效的 YAML：{exc}") from None
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: 应为“键: 值”形式的映射")
    return raw


def _check_identity(raw: dict[str, Any], department: str, year: int, path: Path) -> None:
    """Refuse a settings file written for another department or year than the one requested."""
    for key, wanted, what in (("department", department, "部门"), ("year", year, "年度")):
        if key in raw and raw[key] != wanted:
            raise ParamsError(
                f"{path}: 这是{what}“{raw[key]}”的运行设置（{key}: {raw[key]}），但要处理的是"
                f"{what}“{wanted}”。请改用该{what}自己的运行设置文件，或更正文件中的 {key}。")


def settings_from_dict(raw: dict[str, Any], where: str = "params") -> Settings:
    """Build :class:`Settings` from a mapping, naming any unknown key or bad value."""
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ParamsError(
            f"{where}: 未知的设置项 {', '.join(unknown)}；可用的设置项：{', '.join(fields)}"
        )
    values: dict[str, Any] = {}
    for key, v in raw.items():
        default = getattr(Settings, key, None) if key != "notebooks" else config.DOMAINS
        if key in _CHOICES and v not in _CHOICES[key]:
            raise ParamsError(f"{where}: {key} 的值“{v}”无效，应为 {' / '.join(_CHOICES[key])}")
        if key == "notebooks":
            if not isinstance(v, (list, tuple)) or not set(v) <= set(config.DOMAINS):
                raise ParamsError(f"{where}: notebooks 应为 {list(config.DOMAINS)} 中若干项的列表")
            v = tuple(v)
        elif isinstance(default, bool) or not isinstance(v, type(default)):
            if isinstance(default, float) and isinstance(v, int) and not isinstance(v, bool):
                v = float(v)
            else:
                raise ParamsError(f"{where}: {key} 应为 {type(default).__name__}，得到“{v!r}”")
        values[key] = v
    s = Settings(**values)
    check_department(s.department)
    if not _SLUG.match(s.score_sheet):  # a file stem under params/score_sheets/, never a path
        raise ParamsError(f"{where}: score_sheet 的值“{s.score_sheet}”无效：应为 "
                          "params/score_sheets/ 下评分表的文件名（不含 .yaml），"
                          "只能包含字母、数字、- 和 _")
    if s.workbook:
        s.workbook_path()
    return s
