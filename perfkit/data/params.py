"""Run settings for one department-year (params/<dept>/<year>.yaml); unknown keys are refused."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StrictInt, StrictStr, TypeAdapter
from pydantic import ValidationError as _ValidationError
from pydantic.dataclasses import dataclass

from perfkit import config, reads, yamlcheck
from perfkit.atomic import write_text_atomic
from perfkit.data.limits import MAX_COLUMNS, MAX_ROWS, MAX_WORKBOOK_MB, ReadLimits
from perfkit.data.sheets import SHEET_BY_NAME
from perfkit.domains import catalogs
from perfkit.errors import ParamsError

#: A department code, score-sheet name or notebook name: a folder or file name, never a path.
#: Matched with ``fullmatch`` (``$`` would accept a trailing newline).
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: A cell as perfkit names it in messages: ``三公经费!C5`` (sheet name, then A1 reference).
CELL_REF = re.compile(
    r"^\s*(?P<sheet>[^!！\s]+)\s*[!！]\s*(?P<cell>[A-Za-z]{1,3}[1-9][0-9]{0,6})\s*$")


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(f"“{_shown(value)}”无效：只能包含字母、数字、- 和 _，例如 yiyang-edu")
    return value


def _shown(value: object) -> str:
    """A name as typed, control characters visible (a trailing newline shows as \\n)."""
    text = str(value)
    return repr(text)[1:-1] if any(not ch.isprintable() for ch in text) else text


def _sheet_name(value: str) -> str:
    if not _SLUG.fullmatch(value):  # a file stem under params/score_sheets/, never a path
        raise ValueError(f"“{_shown(value)}”无效：应为 params/score_sheets/ 下评分表的文件名（不含 "
                         ".yaml），只能包含字母、数字、- 和 _")
    return value


def _workbook(value: str) -> str:
    if value:
        try:
            safe_path(value, "workbook")
        except ParamsError as exc:
            raise ValueError(str(exc)) from None
    return value


def _catalog_keys() -> dict[str, str]:
    """Domain key → 领域 label of every catalog in use (perfkit's and the project's)."""
    return {k: c.label_zh for k, c in catalogs().items()}


def _known_domains() -> str:
    return "、".join(f"{k}（{label}）" for k, label in _catalog_keys().items())


def _domain(value: str) -> str:
    """A domain key, or the 领域 label as the workbook writes it (教育质量 → quality)."""
    keys = _catalog_keys()
    if value in keys or value in ("finance", "other"):
        return value
    by_label = {label: k for k, label in keys.items()} | {"财务": "finance", "其他": "other"}
    if value in by_label:
        return by_label[value]
    raise ValueError(f"未知的领域“{value}”；可用的领域：{_known_domains()}（领域代码即领域目录的"
                     "文件名；本部门自己的领域目录放在 domains/<领域代码>.yaml；财务总是包含，不必列出）")


def _domains(values: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The catalog domains listed, without finance and other (always on), each once, in the
    catalogs' order."""
    if values is None:
        return None
    order = list(_catalog_keys())
    listed = {v for v in values if v not in ("finance", "other")}
    return tuple(k for k in order if k in listed)


def _notebook(value: str) -> str:
    if value not in config.DOCUMENTS and value not in _catalog_keys():
        raise ValueError(f"未知的笔记本“{value}”；可用：{', '.join(config.DOCUMENTS)}，"
                         f"或一个领域的代码（{_known_domains()}）")
    return value


def _cell(value: str) -> str:
    m = CELL_REF.match(value)
    if not m or m["sheet"] not in SHEET_BY_NAME:
        raise ValueError(f"“{value}”不是工作簿单元格：应写作 表名!单元格，如 三公经费!C5"
                         "（照抄 perfkit 提示中的位置）")
    return f"{m['sheet']}!{m['cell'].upper()}"


Amount = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]


#: The score sheet of a department-year whose settings name none.
DEFAULT_SCORE_SHEET = "input-process-output-outcome"


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Settings:
    """Settings of one department-year run (validated on construction; unknown keys refused).

    Attributes:
        department: department code, the folder name under data/ (letters, digits, - and _).
        year: evaluation year.
        workbook: workbook path relative to the project root; empty → data/<dept>/<year>.xlsx.
        budget_basis: ``initial`` (年初预算) or ``adjusted`` (调整预算) for completion rates
            (口径, domain.md §3: varies by locality).
        carryover_rate_basis: denominator of 结转结余率, ``budget`` or ``actual`` spending.
        three_public_change_basis: ``actual`` or ``budget`` figures for the "三公" change.
        tolerance_wan_yuan: tolerance for amount cross-checks (万元).
        tolerance_pp: tolerance for ratio checks (percentage points).
        score_sheet: score-sheet YAML under params/score_sheets/ (file stem).
        missing_policy: how a score-sheet item with missing input scores.
        domains: the catalog domains of this department-year (``[quality, aid, safety]``;
            keys or 领域 labels): their reports run, and they are what the 自评报告, the 复核意见
            and the data dictionary cover. Finance is always on. None (the key absent): the
            domains the workbook covers (a 绩效指标 row of the 领域, or rows in a sheet the
            catalog reads).
        notebooks: which notebooks to run (report, review, finance, domain keys); None: all of
            them, one domain report per domain of :attr:`domains`.
        confirmed_values: cells (``三公经费!C5``) whose size the plausibility checks flag but
            that the department confirmed as real figures; the check still reports them, as a
            note, and the audit lists them as 已核实 instead of refusing the workbook.
        pdf_layout: ``web`` (perfkit's print style) or ``official`` (PDFs in the layout of
            GB/T 9704-2012, free fonts approximating the official ones).
        pdf_engine: what typesets the ``web`` layout: ``typst`` (13 times faster) or
            ``weasyprint`` (perfkit/templates/PDF_CHOICE.md); the official layout is always
            typeset by WeasyPrint.
        max_rows: rows of one workbook sheet read at most; a value below is refused with its
            cell (:mod:`perfkit.data.limits`).
        max_columns: columns of one sheet read at most; a value further right is refused.
        max_workbook_mb: decompressed size (MB) of the workbook parts perfkit parses (the
            template's sheets and all the text); a larger workbook is refused before parsing.
    """

    department: Annotated[StrictStr, AfterValidator(_slug)]
    year: Annotated[StrictInt, Field(ge=1990, le=2100)]
    workbook: Annotated[StrictStr, AfterValidator(_workbook)] = ""
    budget_basis: Literal["initial", "adjusted"] = "initial"
    carryover_rate_basis: Literal["budget", "actual"] = "budget"
    three_public_change_basis: Literal["actual", "budget"] = "actual"
    tolerance_wan_yuan: Amount = 0.5
    tolerance_pp: Amount = 0.1
    score_sheet: Annotated[StrictStr, AfterValidator(_sheet_name)] = DEFAULT_SCORE_SHEET
    missing_policy: Literal["zero", "exclude"] = "zero"
    domains: Annotated[tuple[Annotated[StrictStr, AfterValidator(_domain)], ...] | None,
                       AfterValidator(_domains)] = None
    notebooks: tuple[Annotated[StrictStr, AfterValidator(_notebook)], ...] | None = None
    confirmed_values: tuple[Annotated[StrictStr, AfterValidator(_cell)], ...] = ()
    pdf_layout: Literal["web", "official"] = "web"
    pdf_engine: Literal["typst", "weasyprint"] = "typst"
    max_rows: Annotated[StrictInt, Field(ge=100, le=1_000_000)] = MAX_ROWS
    max_columns: Annotated[StrictInt, Field(ge=20, le=16_384)] = MAX_COLUMNS
    max_workbook_mb: Annotated[float, Field(strict=True, gt=0, le=2048,
                                            allow_inf_nan=False)] = MAX_WORKBOOK_MB

    @property
    def read_limits(self) -> ReadLimits:
        """What of the workbook is read (rows, columns, decompressed size)."""
        return ReadLimits(self.max_rows, self.max_columns, self.max_workbook_mb)

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
            return safe_path(config.workbook_path(self.department, self.year), "workbook")
        return safe_path(self.workbook, "workbook")


def check_domains(keys: list[str]) -> tuple[str, ...]:
    """Catalog domain keys (or 领域 labels) as typed on the command line, validated.

    Raises:
        ParamsError: a key names no catalog in use (the message lists those that do).
    """
    try:
        return _domains(tuple(_domain(k.strip()) for k in keys if k.strip())) or ()
    except ValueError as exc:
        raise ParamsError(str(exc)) from None


def write_settings_file(department: str, year: int, domains: tuple[str, ...]) -> Path:
    """Write a new ``params/<dept>/<year>.yaml`` naming the department-year's domains.

    Raises:
        ParamsError: the file exists (never overwritten), or the result is not valid.
    """
    check_department(department)
    path = config.params_path(department, year)
    if path.exists():
        raise ParamsError(f"运行设置 {path} 已存在，未覆盖。")
    listed = ", ".join(domains)
    text = (f"# 运行设置：{department} {year}年度（perfkit template 生成）。设置项见 perfkit 的 README。\n"
            f"department: {department}\n"
            f"year: {year}\n"
            "# 本年度的业务领域（领域代码，perfkit codes 列出）：只运行这些领域的报告，自评报告、复核意见和\n"
            "# 数据字典只包括这些领域；财务总是包括。\n"
            f"domains: [{listed}]\n")
    write_text_atomic(path, text)
    load_settings(department, year)  # what was written must load
    return path


def check_notebooks(names: list[str]) -> tuple[str, ...]:
    """Notebook names as typed on the command line (``-n``), validated as the settings'
    ``notebooks`` are: a document (report, review, finance) or a domain key.

    Raises:
        ParamsError: a name is none of those (a path such as ``../../x`` included).
    """
    out = []
    for name in names:
        try:
            if not _SLUG.fullmatch(name):
                raise ValueError(f"“{_shown(name)}”不是笔记本名称（不能含路径、空白或 / \\ . 等字符）"
                                 f"；可用：{', '.join(config.DOCUMENTS)}，或一个领域的代码"
                                 f"（{_known_domains()}）")
            out.append(_notebook(name))
        except ValueError as exc:
            raise ParamsError(f"--notebook（-n）的值{exc}") from None
    return tuple(out)


def check_department(dept: str) -> str:
    """Return ``dept`` if it is a safe department code, else raise ParamsError."""
    if not isinstance(dept, str) or not _SLUG.fullmatch(dept):
        raise ParamsError(
            f"部门代码“{_shown(dept)}”无效：只能包含字母、数字、- 和 _（它是 data/ 下的文件夹名），"
            "例如 yiyang-edu。"
        )
    return dept


def safe_path(value: str | Path, what: str) -> Path:
    """Resolve ``value`` against the project root and refuse anything outside it, symbolic
    links included (a link inside the project to a file or folder outside is refused)."""
    given = Path(value)
    given = given if given.is_absolute() else config.ROOT / given
    p = given.resolve()
    allowed = [config.ROOT, config.OUTPUTS_DIR]
    if not any(p == a or a in p.parents for a in allowed):
        inside = Path(os.path.abspath(given))
        if any(inside == a or a in inside.parents for a in allowed):
            raise ParamsError(
                f"{what} 路径“{value}”是（或经过）指向项目文件夹 {config.ROOT} 之外（{p}）的符号"
                "链接，已拒绝：perfkit 只读写项目文件夹内的文件。把文件复制到项目中，替换该链接。")
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
    path = safe_path(params_file or config.params_path(department, year), "params")
    reads.file(path)  # absent too: writing the file later changes the settings
    raw: dict[str, Any] = {}
    node = None
    if path.exists():
        raw, node = _read(path)
    elif params_file:
        raise ParamsError(f"运行设置文件不存在：{path}")
    _check_identity(raw, department, year, path, node)
    return settings_from_dict({"department": department, "year": year, **raw}, str(path), node)


def settings_for_workbook(workbook: str | Path, year: int | None,
                          params_file: str | Path = "") -> Settings | None:
    """The run settings that apply to a workbook given by its path (``check``, ``audit``).

    ``params_file`` when given (its own department and year, else those below); otherwise
    ``params/<folder>/<year>.yaml`` when the workbook's folder is a department code, the year is
    known (from the request or the file name) and that file exists. None when none applies.
    """
    department = Path(workbook).resolve().parent.name
    if params_file:
        path = safe_path(params_file, "params")
        if path.is_file():
            raw, node = _read(path)
            if "year" in raw and (not isinstance(raw["year"], int) or isinstance(raw["year"], bool)):
                # A year written as text ("2019") is an error in the file, named with its line.
                settings_from_dict({"department": "audit", **raw}, str(path), node)
            if not isinstance(raw.get("year", year), int):
                return None  # the year is known once the workbook is read (the caller retries)
        return load_settings_file(params_file,
                                  department if _SLUG.fullmatch(department) else "audit",
                                  year)
    if not isinstance(year, int) or not _SLUG.fullmatch(department) \
            or not config.params_path(department, year).exists():
        return None
    return load_settings(department, year)


def load_settings_file(params_file: str | Path, department: str = "audit",
                       year: int | None = None) -> Settings:
    """A settings file in its own name: the department and year it states, else those given.

    Raises:
        ParamsError: the file is invalid, or states no year and none is given.
    """
    path = safe_path(params_file, "params")
    if not path.is_file():
        raise ParamsError(f"运行设置文件不存在：{path}")
    raw = read_settings_file(path)
    named, stated = raw.get("department", department), raw.get("year", year)
    if not isinstance(stated, int):
        raise ParamsError(f"运行设置 {path}: 无法确定年度：在文件中写明 year（如 year: 2019）")
    return load_settings(named if isinstance(named, str) else department, stated, params_file)


def _read(path: Path) -> tuple[dict[str, Any], Any]:
    raw, node = yamlcheck.load(path, ParamsError, "运行设置")
    if raw is None:
        return {}, None
    if not isinstance(raw, dict):
        raise ParamsError(f"运行设置 {path}: 应为“键: 值”形式的映射")
    return raw, node


def read_settings_file(path: Path) -> dict[str, Any]:
    """The mapping a settings file holds (unvalidated)."""
    return _read(path)[0]


def _check_identity(raw: dict[str, Any], department: str, year: int, path: Path,
                    node: Any = None) -> None:
    """Refuse a settings file written for another department or year than the one requested."""
    for key, wanted, what in (("department", department, "部门"), ("year", year, "年度")):
        if key in raw and raw[key] != wanted:
            line = yamlcheck.line_of(node, [key])
            raise ParamsError(
                f"运行设置 {path}{f' 第 {line} 行' if line else ''}: 这是{what}“{_shown(raw[key])}”的运行"
                f"设置（{key}: {_shown(raw[key])}），但要处理的是{what}“{wanted}”。请改用该{what}自己的运行"
                f"设置文件，或更正文件中的 {key}。")


def settings_from_dict(raw: dict[str, Any], where: str = "params",
                       node: Any = None) -> Settings:
    """Build :class:`Settings` from a mapping, naming every unknown key or bad value.

    Args:
        raw: the settings.
        where: the file (or what else) they come from, for the message.
        node: the YAML node tree of that file (:func:`perfkit.yamlcheck.load`), for line numbers.
    """
    try:
        return _ADAPTER.validate_python(raw)
    except _ValidationError as exc:
        items = yamlcheck.problems(exc, node)
        known = ", ".join(Settings.__dataclass_fields__)
        items = [f"{p}（可用的设置项：{known}）" if p.endswith("不认识的键") else p
                 for p in items]
        raise ParamsError(yamlcheck.report(Path(where), "运行设置", items)) from None


_ADAPTER = TypeAdapter(Settings)
