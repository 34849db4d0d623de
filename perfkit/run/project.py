"""A project folder of one's own: ``perfkit init`` lays it out from what the package ships."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from perfkit import config
from perfkit.data.settingsdoc import SETTINGS_HELP_ZH
from perfkit.errors import PerfkitError

log = logging.getLogger(__name__)

MARKER_TEXT = """\
# perfkit 项目：本文件夹存放 data/（工作簿）、params/（运行设置与评分表）、
# notebooks/（报告笔记本）、domains/（本部门自己的领域目录，可选）和 outputs/（生成的报告）。
# perfkit 从当前文件夹向上查找本文件来确定项目（如同 git 查找 .git）；环境变量 PERFKIT_ROOT 优先。
# 运行设置 params/<部门>/<年度>.yaml：{settings_help}。
[project]
name = "{name}"
"""

DOMAINS_README = """\
# 本部门的领域目录

perfkit 自带的领域（教育质量、学生资助、校园安全、卫生健康）之外，本部门的业务领域可以写成
一个领域目录：在本文件夹新建 `<领域代码>.yaml`（如 `water.yaml`），声明该领域的指标（代码、名称、
单位、方向、计算公式）、分组和主要绩效的顺序。写法见 perfkit 的 README“领域目录”，或参照
perfkit 自带的目录（`perfkit codes` 列出全部指标代码）。与自带目录同名的文件会替换自带目录。
"""

GITIGNORE = "outputs/\n.ipynb_checkpoints/\n~$*.xlsx\n"


@dataclass
class InitResult:
    """What :func:`init_project` wrote and what it left alone (files that existed)."""

    root: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def init_project(folder: str | Path, name: str = "") -> InitResult:
    """Create a project: perfkit.toml, data/, params/ with the score sheets, notebooks/ with
    the report notebooks, domains/, outputs/. Existing files are never overwritten.

    Args:
        folder: the project folder (created if missing).
        name: a name for the project, written into perfkit.toml (default: the folder name).

    Raises:
        PerfkitError: the folder is already a project, or is a file.
    """
    root = Path(folder).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise PerfkitError(f"{root} 是一个文件，不能作为项目文件夹。")
    if (root / config.MARKER).exists():
        raise PerfkitError(f"{root} 已是 perfkit 项目（已有 {config.MARKER}），未作改动。")
    result = InitResult(root)

    def put(path: Path, text: str | None = None, source: Path | None = None) -> None:
        if path.exists():
            result.kept.append(path)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if source is not None:
            shutil.copyfile(source, path)
        else:
            path.write_text(text or "", encoding="utf-8")
        result.written.append(path)

    for sub in ("data", "params", "outputs"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for sheet in sorted(config.PACKAGE_SCORE_SHEETS_DIR.glob("*.yaml")):
        put(root / "params" / "score_sheets" / sheet.name, source=sheet)
    for nb in sorted(config.package_notebooks_dir().glob("*.ipynb")):
        put(root / "notebooks" / nb.name, source=nb)
    put(root / "domains" / "README.md", DOMAINS_README)
    put(root / ".gitignore", GITIGNORE)
    # The marker last: a folder is a project only once everything else is in place.
    project_name = (name or root.name).replace("\\", "\\\\").replace('"', '\\"')
    put(root / config.MARKER, MARKER_TEXT.format(name=project_name, settings_help=SETTINGS_HELP_ZH))
    log.info("initialised project %s (%d files)", root, len(result.written))
    return result
