"""Where things are: project discovery (perfkit.toml, found as git finds .git) and paths."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from perfkit.errors import PerfkitError, ProjectNotFoundError

PACKAGE_DIR = Path(__file__).resolve().parent
#: The file that marks a project folder (written by ``perfkit init``).
MARKER = "perfkit.toml"
#: Catalogs of the domains shipped with perfkit (quality, aid, safety, health …).
PACKAGE_DOMAINS_DIR = PACKAGE_DIR / "domains"
#: Score sheets shipped with perfkit; a project's params/score_sheets/<name>.yaml overrides one.
PACKAGE_SCORE_SHEETS_DIR = PACKAGE_DIR / "score_sheets"

#: tables/score.json: the score-sheet result in one object (sheet, total = 复核得分 or null when
#: 无法评分, grade, claimed = 自评得分, claimed_grade, missing_policy, errors); the run
#: manifest's "score" entry is read from it (here, not in perfkit.run.tidy, so that a run with
#: nothing to do does not import pandas).
SCORE_SUMMARY = "score.json"

#: The documents every department-year has, in reading order: the department's 自评报告
#: (report), the reviewer's 复核意见 (review) and the finance analysis. Each computes from the
#: workbook; none reads another's outputs.
DOCUMENTS = ("report", "review", "finance")
#: Titles of the documents; a domain report's title is its catalog's label (教育质量, 卫生健康 …).
DOCUMENT_TITLES = {
    "finance": "部门整体支出（财务）",
    "report": "部门整体支出绩效自评报告",
    "review": "部门整体支出绩效自评复核意见",
}
#: The one notebook of every domain analysis: run once per domain of the department-year (its
#: ``domain`` parameter the catalog key), its outputs named after the domain (``health.html``).
DOMAIN_NOTEBOOK = "domain"
#: The notebook files perfkit ships, in reading order.
NOTEBOOK_FILES = (*DOCUMENTS, DOMAIN_NOTEBOOK)

#: Project paths, found on first use (module ``__getattr__`` below), so that importing perfkit
#: does no I/O and a command run outside any project can say so instead of guessing.
_PROJECT_PATHS = ("ROOT", "DATA_DIR", "PARAMS_DIR", "NOTEBOOKS_DIR", "DOMAINS_DIR", "OUTPUTS_DIR")


def find_project(start: str | Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: the current one) holding perfkit.toml."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


def project_root() -> Path:
    """The project folder: ``PERFKIT_ROOT`` if set, else the nearest perfkit.toml upwards.

    Raises:
        ProjectNotFoundError: neither is there (the message says how to start a project).
    """
    env = os.environ.get("PERFKIT_ROOT")
    if env:
        root = Path(env).resolve()
        if not root.is_dir():
            raise ProjectNotFoundError(
                f"环境变量 PERFKIT_ROOT 指向的文件夹 {root} 不存在。请改为项目文件夹，"
                "或删除该变量，在项目文件夹内运行。")
        return root
    found = find_project()
    if found is None:
        raise ProjectNotFoundError(
            f"当前文件夹 {Path.cwd()} 不在 perfkit 项目中（向上各级文件夹都没有 {MARKER}）。"
            f"新建项目：perfkit init 项目文件夹，然后进入该文件夹运行命令；已有项目的，"
            f"请先进入项目文件夹（或其子文件夹），或设置环境变量 PERFKIT_ROOT=项目文件夹。")
    return found


def __getattr__(name: str) -> Path:
    if name not in _PROJECT_PATHS:
        raise AttributeError(name)
    root = globals().get("ROOT") or project_root()
    paths = {"ROOT": root, "DATA_DIR": root / "data", "PARAMS_DIR": root / "params",
             "NOTEBOOKS_DIR": root / "notebooks", "DOMAINS_DIR": root / "domains",
             "OUTPUTS_DIR": Path(os.environ.get("PERFKIT_OUTPUTS", root / "outputs")).resolve()}
    # Found once per process, all together (a later change of directory does not move the
    # project); tests may monkeypatch them one by one.
    for key, value in paths.items():
        globals().setdefault(key, value)
    return globals()[name]


def forget_project() -> None:
    """Find the project again on next use (a worker that ran another project's notebooks)."""
    for key in _PROJECT_PATHS:
        globals().pop(key, None)


def _get(name: str) -> Path:
    # Inside the module a bare name does not go through __getattr__.
    return globals()[name] if name in globals() else __getattr__(name)


def resolve(path: str | Path) -> Path:
    """An absolute path; a relative one is taken relative to the project root (in every API)."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else _get("ROOT") / p


def package_notebooks_dir() -> Path:
    """The report notebooks shipped with perfkit: the package ``perfkit.notebooks`` where perfkit
    is installed (pyproject.toml maps the checkout's ``notebooks/`` onto it), the checkout's
    ``notebooks/`` where perfkit is imported from a plain checkout (no such package there)."""
    spec = importlib.util.find_spec("perfkit.notebooks")
    if spec is not None and spec.origin:
        return Path(spec.origin).resolve().parent
    return PACKAGE_DIR.parent / "notebooks"


def notebook_path(name: str) -> Path:
    """A report notebook: the project's ``notebooks/<name>.ipynb`` if any, else perfkit's."""
    own = _get("NOTEBOOKS_DIR") / f"{name}.ipynb"
    return own if own.is_file() else package_notebooks_dir() / f"{name}.ipynb"


#: Former names of the score sheets perfkit ships, still accepted in run settings: ``hunan-53``
#: named the 投入/过程/产出/效果 sheet after a province and a national document it only follows
#: in style; it is ``input-process-output-outcome`` now (a project's own ``hunan-53.yaml`` still wins).
SCORE_SHEET_ALIASES = {"hunan-53": "input-process-output-outcome"}


def score_sheet_path(name: str) -> Path:
    """A score sheet: the project's ``params/score_sheets/<name>.yaml`` if any, else perfkit's
    (under its current name when ``name`` is a former one, :data:`SCORE_SHEET_ALIASES`)."""
    own = _get("PARAMS_DIR") / "score_sheets" / f"{name}.yaml"
    if own.is_file():
        return own
    shipped = PACKAGE_SCORE_SHEETS_DIR / f"{name}.yaml"
    if not shipped.is_file() and name in SCORE_SHEET_ALIASES:
        return score_sheet_path(SCORE_SHEET_ALIASES[name])
    return shipped


def score_sheet_names() -> list[str]:
    """Every score sheet a project can use (its own and perfkit's), sorted."""
    found = {p.stem for p in PACKAGE_SCORE_SHEETS_DIR.glob("*.yaml")}
    found |= {p.stem for p in (_get("PARAMS_DIR") / "score_sheets").glob("*.yaml")}
    return sorted(found)


def workbook_path(dept: str, year: int) -> Path:
    """Return the conventional workbook location ``data/<dept>/<year>.xlsx``."""
    return _get("DATA_DIR") / dept / f"{year}.xlsx"


def department_years() -> list[tuple[str, int]]:
    """Every (department, year) with a workbook at its conventional place, data/<dept>/<year>.xlsx,
    sorted (Excel's ``~$`` lock files aside)."""
    data = _get("DATA_DIR")
    if not data.is_dir():
        return []
    return sorted((p.parent.name, int(p.stem)) for p in data.glob("*/*.xlsx")
                  if p.stem.isdigit() and not p.name.startswith("~$"))


def default_department_year(department: str = "", year: int = 0) -> tuple[str, int]:
    """What a notebook shows when its parameters leave them empty: the project's one
    department (``department`` empty) and that department's latest year with a workbook
    (``year`` 0). A notebook copied by ``perfkit init`` opens on the project's own data.

    Raises:
        PerfkitError: the project has no workbook, or several departments; the message says in
            one line which parameter to set.
    """
    found = department_years()
    if not department:
        depts = sorted({d for d, _ in found})
        if len(depts) != 1:
            raise PerfkitError(
                (f"本项目有多个部门（{'、'.join(depts)}）：" if depts else
                 "本项目 data/ 下还没有工作簿（先运行 perfkit template --year 年度 --dept 部门代码）：")
                + "请在笔记本的 parameters 单元格中设置 department（部门代码）和 year（评价年度）")
        department = depts[0]
    if not year:
        years = [y for d, y in found if d == department]
        if not years:
            raise PerfkitError(f"部门 {department} 在 data/{department}/ 下还没有年度工作簿：请在笔记本的 "
                               "parameters 单元格中设置 year（评价年度），或先运行 perfkit template")
        year = max(years)
    return department, year


def params_path(dept: str, year: int) -> Path:
    """Return the conventional run-settings file ``params/<dept>/<year>.yaml``."""
    return _get("PARAMS_DIR") / dept / f"{year}.yaml"


def output_dir(dept: str, year: int, outputs: Path | None = None) -> Path:
    """Return ``outputs/<dept>/<year>/``."""
    return (outputs or _get("OUTPUTS_DIR")) / dept / str(year)


def catalog_files() -> dict[str, Path]:
    """Domain key → catalog file in use: perfkit's, then the project's ``domains/*.yaml`` (a
    project file replaces perfkit's of the same key). Outside any project: perfkit's only."""
    files = {p.stem: p for p in sorted(PACKAGE_DOMAINS_DIR.glob("*.yaml"))}
    try:
        own = _get("DOMAINS_DIR")
    except ProjectNotFoundError:  # library use outside any project
        return files
    if own.is_dir():
        files.update({p.stem: p for p in sorted(own.glob("*.yaml"))})
    return files
