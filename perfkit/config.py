"""Where things are: the project (found as git finds .git: perfkit.toml), its folders and files."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from perfkit.errors import PerfkitError, ProjectNotFoundError

T = TypeVar("T")

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
#: What a finance bureau's year-wide documents read of a department-year (tables/, JSON:
#: :func:`perfkit.assess.bureau.department_record`).
BUREAU_RECORD = "bureau.json"
#: Version of its shape: part of the tables' hash, so a new shape is written by the next run.
BUREAU_RECORD_VERSION = 3

#: The documents every department-year has, in reading order: the department's 自评报告
#: (report), the reviewer's 复核意见 (review) and the finance analysis. Each computes from the
#: workbook; none reads another's outputs.
DOCUMENTS = ("report", "review", "finance")
#: The reviewer's workpaper the runner writes beside the 复核意见 (outputs/<dept>/<year>/).
WORKPAPER = "复核底稿.xlsx"
#: Titles of the documents; a domain report's title is its catalog's label (教育质量, 卫生健康 …).
DOCUMENT_TITLES = {
    "finance": "部门整体支出（财务）",
    "report": "部门整体支出绩效自评报告",
    "review": "部门整体支出绩效自评复核意见",
    "monitor": "绩效运行监控情况",
}
#: The one notebook of every domain analysis: run once per domain of the department-year (its
#: ``domain`` parameter the catalog key), its outputs named after the domain (``health.html``).
DOMAIN_NOTEBOOK = "domain"
#: The notebook files perfkit ships, in reading order.
#: The mid-year monitoring (绩效运行监控): run only by ``perfkit run --monitor N``, on the
#: department-year's 监控 workbook, never in a default run.
MONITOR_NOTEBOOK = "monitor"
NOTEBOOK_FILES = (*DOCUMENTS, DOMAIN_NOTEBOOK, MONITOR_NOTEBOOK)

@dataclass(frozen=True, eq=False)
class Project:
    """One project folder, and what perfkit has read from it.

    Everything perfkit reads from a project — its catalogs, the registry built from them, its
    score sheets, recently read workbooks — is kept on its :class:`Project` (:meth:`cached`),
    never in a module: two projects in one process never see each other's. An
    :class:`~perfkit.assess.evaluation.Evaluation` carries the project it was loaded from, and
    what it computes reads that project's; code given no project uses :func:`current`.

    Attributes:
        root: the folder holding perfkit.toml.
        outputs_dir: where documents go (``root/outputs`` unless ``PERFKIT_OUTPUTS`` or the
            caller says otherwise).
    """

    root: Path
    outputs_dir: Path
    _memo: dict[str, tuple[object, Any]] = field(default_factory=dict, repr=False)

    @classmethod
    def at(cls, root: str | Path, outputs: str | Path | None = None) -> Project:
        """The project in folder ``root`` (outputs in ``outputs``, default ``root/outputs``)."""
        folder = Path(root).expanduser().resolve()
        return cls(folder, Path(outputs).expanduser().resolve() if outputs else folder / "outputs")

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def params_dir(self) -> Path:
        return self.root / "params"

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def domains_dir(self) -> Path:
        return self.root / "domains"

    def cached(self, key: str, stamp: object, build: Callable[[], T]) -> T:
        """What ``build()`` returns, kept on this project under ``key`` and built again when
        ``stamp`` (what it was built from: file versions, the catalogs) changes."""
        held = self._memo.get(key)
        if held is None or (held[0] is not stamp and held[0] != stamp):
            held = (stamp, build())
            self._memo[key] = held
        return held[1]


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


def discover() -> Project:
    """The project this process is in: :func:`project_root`, its outputs in ``PERFKIT_OUTPUTS``
    when set.

    Raises:
        ProjectNotFoundError: there is none (the message says how to start one).
    """
    return Project.at(project_root(), os.environ.get("PERFKIT_OUTPUTS") or None)


#: The project code given none works on, when one is chosen (:func:`use`, :func:`using`: the
#: command line for its command, a test, a tool handling several projects). A context variable:
#: a choice holds in its own thread or task only.
_CURRENT: ContextVar[Project | None] = ContextVar("perfkit_project", default=None)
#: Otherwise the project this process found on first use (:func:`discover`), kept: a later
#: change of directory does not move it. At most one.
_FOUND: list[Project] = []


def current() -> Project:
    """The project in use where none is given: the one chosen (:data:`_CURRENT`), else the one
    this process found (:data:`_FOUND`).

    Raises:
        ProjectNotFoundError: none was chosen and there is none to find.
    """
    project = _CURRENT.get()
    if project is not None:
        return project
    if not _FOUND:
        _FOUND.append(discover())
    return _FOUND[0]


def outside() -> Project:
    """The project of code run outside any project (a bureau auditing a report it received, the
    README's "Auditing a report file"): a folder that does not exist, so that perfkit's own
    catalogs and the default settings are all that is read."""
    return Project.at(PACKAGE_DIR / "outside-any-project")


def current_or_outside() -> Project:
    """:func:`current`, else (no project chosen or found) :func:`outside`."""
    try:
        return current()
    except ProjectNotFoundError:
        return outside()


def use(project: Project | None) -> Token:
    """Work on ``project`` where none is given, from now on in this context (None: on the one
    this process finds). Returns the token :func:`restore` takes."""
    return _CURRENT.set(project)


def restore(token: Token) -> None:
    """Undo a :func:`use`."""
    _CURRENT.reset(token)


@contextlib.contextmanager
def using(project: Project) -> Iterator[Project]:
    """Work on ``project`` inside the ``with`` block (tests, a tool handling several projects)."""
    token = use(project)
    try:
        yield project
    finally:
        restore(token)


def forget_project() -> None:
    """Find the project again on next use (a worker about to run another project's notebooks)."""
    _FOUND.clear()
    use(None)


def project_of(project: Project | str | Path | None) -> Project:
    """``project`` as a :class:`Project`: as given, the one in folder ``project``, or (None) the
    current one."""
    if project is None:
        return current()
    return project if isinstance(project, Project) else Project.at(project)


#: The current project's folders by their former names (``config.ROOT`` …), read on each use
#: from :func:`current` and never stored here.
_FOLDERS = {"ROOT": "root", "DATA_DIR": "data_dir", "PARAMS_DIR": "params_dir",
            "NOTEBOOKS_DIR": "notebooks_dir", "DOMAINS_DIR": "domains_dir",
            "OUTPUTS_DIR": "outputs_dir"}


def __getattr__(name: str) -> Path:
    if name not in _FOLDERS:
        raise AttributeError(name)
    return getattr(current(), _FOLDERS[name])


def resolve(path: str | Path, project: Project | None = None) -> Path:
    """An absolute path; a relative one is taken relative to the project root (in every API)."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (project or current()).root / p


def package_notebooks_dir() -> Path:
    """The report notebooks shipped with perfkit: the package ``perfkit.notebooks``, which
    pyproject.toml maps onto the checkout's ``notebooks/`` when perfkit is installed (looked up
    on use, so that perfkit.config imports from a plain checkout too).

    Raises:
        PerfkitError: perfkit is imported from a checkout that was never installed (there the
            checkout's notebooks/ are the sample project's own, which :func:`notebook_path`
            finds first).
    """
    spec = importlib.util.find_spec("perfkit.notebooks")
    if spec is None or not spec.origin:
        raise PerfkitError("perfkit 自带的报告笔记本（perfkit.notebooks）未安装：perfkit 是从未安装的"
                           "源代码目录导入的。请在该目录运行 pip install -e . 后再试")
    return Path(spec.origin).resolve().parent


def cells_stamp(nb: dict[str, Any]) -> str:
    """SHA-256 of a notebook's cells (type and source, in order): what perfkit's notebooks
    record of themselves in ``metadata.perfkit.cells_sha256`` (notebooks/build_notebooks.py).
    Outputs, execution counts and metadata do not count: running or opening a notebook leaves
    it unchanged."""
    digest = hashlib.sha256()
    for cell in nb.get("cells") or []:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        digest.update(f"{cell.get('cell_type', '')}\0{source}\0".encode())
    return digest.hexdigest()


def _stamp(nb: dict[str, Any]) -> str | None:
    meta = nb.get("metadata")
    own = meta.get("perfkit") if isinstance(meta, dict) else None
    return own.get("cells_sha256") if isinstance(own, dict) else None


def _earlier_copy(own: Path, shipped: Path) -> bool:
    """Whether ``own`` is perfkit's notebook as an earlier version shipped it (``perfkit init``
    copied it) and nobody has edited it since: its cells still match the stamp it was copied
    with, and perfkit's notebook has another stamp now."""
    try:
        mine = json.loads(own.read_text(encoding="utf-8"))
        theirs = json.loads(shipped.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(mine, dict) or not isinstance(theirs, dict):
        return False
    stamp = _stamp(mine)
    return bool(stamp) and cells_stamp(mine) == stamp and _stamp(theirs) not in (None, stamp)


def notebook_path(name: str, project: Project | None = None) -> Path:
    """A report notebook: the project's ``notebooks/<name>.ipynb`` if any, else perfkit's.

    A project's copy that ``perfkit init`` made from an earlier perfkit and nobody edited is
    not the project's own: perfkit's current notebook runs instead (an edited copy always runs
    as the project wrote it)."""
    own = (project or current()).notebooks_dir / f"{name}.ipynb"
    if not own.is_file():
        return package_notebooks_dir() / f"{name}.ipynb"
    with contextlib.suppress(PerfkitError):  # a plain checkout: the project's copy is perfkit's
        shipped = package_notebooks_dir() / f"{name}.ipynb"
        if shipped.resolve() != own.resolve() and shipped.is_file() and _earlier_copy(own, shipped):
            logging.getLogger(__name__).info(
                "%s is an unedited copy of an earlier perfkit's notebook: running %s", own, shipped)
            return shipped
    return own


#: Former names of the score sheets perfkit ships, still accepted in run settings: ``hunan-53``
#: named the 投入/过程/产出/效果 sheet after a province and a national document it only follows
#: in style; it is ``input-process-output-outcome`` now (a project's own ``hunan-53.yaml`` still wins).
SCORE_SHEET_ALIASES = {"hunan-53": "input-process-output-outcome"}


def score_sheet_path(name: str, project: Project | None = None) -> Path:
    """A score sheet: the project's ``params/score_sheets/<name>.yaml`` if any, else perfkit's
    (under its current name when ``name`` is a former one, :data:`SCORE_SHEET_ALIASES`)."""
    project = project or current()
    own = project.params_dir / "score_sheets" / f"{name}.yaml"
    if own.is_file():
        return own
    shipped = PACKAGE_SCORE_SHEETS_DIR / f"{name}.yaml"
    if not shipped.is_file() and name in SCORE_SHEET_ALIASES:
        return score_sheet_path(SCORE_SHEET_ALIASES[name], project)
    return shipped


def score_sheet_names(project: Project | None = None) -> list[str]:
    """Every score sheet a project can use (its own and perfkit's), sorted."""
    found = {p.stem for p in PACKAGE_SCORE_SHEETS_DIR.glob("*.yaml")}
    found |= {p.stem for p in ((project or current()).params_dir / "score_sheets").glob("*.yaml")}
    return sorted(found)


def workbook_path(dept: str, year: int, project: Project | None = None) -> Path:
    """Return the conventional workbook location ``data/<dept>/<year>.xlsx``."""
    return (project or current()).data_dir / dept / f"{year}.xlsx"


def department_years(project: Project | None = None) -> list[tuple[str, int]]:
    """Every (department, year) with a workbook at its conventional place, data/<dept>/<year>.xlsx,
    sorted (Excel's ``~$`` lock files aside)."""
    data = (project or current()).data_dir
    if not data.is_dir():
        return []
    return sorted((p.parent.name, int(p.stem)) for p in data.glob("*/*.xlsx")
                  if p.stem.isdigit() and not p.name.startswith("~$"))


def default_department_year(department: str = "", year: int = 0,
                            project: Project | None = None) -> tuple[str, int]:
    """What a notebook shows when its parameters leave them empty: the project's one
    department (``department`` empty) and that department's latest year with a workbook
    (``year`` 0). A notebook copied by ``perfkit init`` opens on the project's own data.

    Raises:
        PerfkitError: the project has no workbook, or several departments; the message says in
            one line which parameter to set.
    """
    found = department_years(project)
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


def params_path(dept: str, year: int, project: Project | None = None) -> Path:
    """Return the conventional run-settings file ``params/<dept>/<year>.yaml``."""
    return (project or current()).params_dir / dept / f"{year}.yaml"


def output_dir(dept: str, year: int, outputs: Path | None = None) -> Path:
    """Return ``outputs/<dept>/<year>/`` (``outputs``: the current project's outputs folder)."""
    return (outputs or current().outputs_dir) / dept / str(year)


def catalog_files(project: Project | None = None) -> dict[str, Path]:
    """Domain key → catalog file in use: perfkit's, then the project's ``domains/*.yaml`` (a
    project file replaces perfkit's of the same key). Outside any project: perfkit's only."""
    files = {p.stem: p for p in sorted(PACKAGE_DOMAINS_DIR.glob("*.yaml"))}
    try:
        own = (project or current()).domains_dir
    except ProjectNotFoundError:  # library use outside any project
        return files
    if own.is_dir():
        files.update({p.stem: p for p in sorted(own.glob("*.yaml"))})
    return files
