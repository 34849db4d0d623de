"""The outputs index page: one table of every department-year's reports, scores and status."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from perfkit import config, fmt
from perfkit.atomic import write_text_atomic
from perfkit.fmt import num
from perfkit.report.sanitize import with_csp
from perfkit.report.stagetext import grade_text, score_text

log = logging.getLogger(__name__)

TEMPLATES = config.PACKAGE_DIR / "templates"

#: Run status as the index shows it.
STATUS_ZH = {"ok": "成功", "failed": "失败", "skipped": "跳过", "interrupted": "已中断"}

#: Link labels per output kind, in display order (keys of a manifest notebook entry or of
#: its ``outputs`` mapping).
LINKS: tuple[tuple[str, str], ...] = (("html", "网页"), ("pdf", "PDF"), ("docx", "Word"),
                                      ("code.html", "含代码版"))


@dataclass
class _Link:
    label: str
    href: str
    missing: bool


@dataclass
class _Notebook:
    key: str
    title: str
    status: str
    status_class: str
    error: str = ""
    failed_copy: str = ""
    links: list[_Link] = field(default_factory=list)


@dataclass
class _Row:
    department: str
    year: str
    manifest: str
    broken: bool = False
    error: str = ""
    department_name: str = ""
    status: str = ""
    status_class: str = "other"
    total: str = ""
    grade: str = ""
    claimed: str = ""
    claimed_grade: str = ""
    score_error: bool = False
    generated_at: str = ""
    notebooks: list[_Notebook] = field(default_factory=list)
    #: The latest 运行监控 (``perfkit run --monitor N``): one line, and its 绩效监控表.
    monitor: str = ""
    monitor_level: str = ""
    monitor_sheet: _Link | None = None

    @property
    def reports(self) -> list[_Notebook]:
        """Notebooks with at least one rendered file to link to."""
        return [nb for nb in self.notebooks if nb.links]

    @property
    def problems(self) -> list[_Notebook]:
        """Notebooks that did not run successfully (failed, skipped, unknown status)."""
        return [nb for nb in self.notebooks if nb.status_class != "ok"]


class _Malformed(ValueError):
    """A manifest that parses as JSON but does not have the expected shape."""


def _status(value: Any) -> tuple[str, str]:
    text = str(value or "").strip()
    if text in STATUS_ZH:
        return STATUS_ZH[text], text
    return (text or "未知"), "other"


def _notebook_titles() -> dict[str, str]:
    return dict(config.DOCUMENT_TITLES)


def _href(root: Path, folder: Path, target: Any) -> tuple[str, bool] | None:
    """Relative, URL-quoted link from the index to ``folder/target``; None if unusable."""
    if not isinstance(target, str) or not target.strip():
        return None
    rel = PurePosixPath(target.replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts:
        log.warning("index: ignoring link %r outside %s", target, folder)
        return None
    path = folder / Path(*rel.parts)
    link = PurePosixPath(*folder.relative_to(root).parts, *rel.parts).as_posix()
    return quote(link, safe="/"), not path.is_file()


def _score_text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        return num(value, 2, missing="")
    return str(value)


def _row(root: Path, manifest_path: Path, titles: dict[str, str]) -> _Row:
    folder = manifest_path.parent
    dept_dir, year_dir = folder.parent.name, folder.name
    row = _Row(
        department=dept_dir,
        year=year_dir,
        manifest=manifest_path.relative_to(root).as_posix(),
    )
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise _Malformed("不是 JSON 对象")
        notebooks = data.get("notebooks") or {}
        if not isinstance(notebooks, dict):
            raise _Malformed("notebooks 不是对象")
        score = data.get("score") or {}
        if not isinstance(score, dict):
            raise _Malformed("score 不是对象")
        row.department_name = str(data.get("department_name") or data.get("department") or dept_dir)
        row.year = str(data.get("year") or year_dir)
        row.status, row.status_class = _status(data.get("status"))
        row.total = _score_text(score.get("total"))
        row.grade = str(score.get("grade") or "")
        span = score.get("range")
        if isinstance(span, list) and len(span) == 2:  # a first reading: 补充资料 pending
            row.total = score_text(None, (float(span[0]), float(span[1])))
            possible = score.get("possible_grades")
            row.grade = grade_text("", [str(g) for g in possible] if isinstance(possible, list)
                                   else [])
        row.claimed = _score_text(score.get("claimed"))
        row.claimed_grade = str(score.get("claimed_grade") or "")
        row.score_error = bool(score.get("errors"))
        row.generated_at = fmt.display_time(str(data.get("generated_at") or ""))
        _monitor(row, data.get("monitor"), root, folder)
        listed = data.get("domains")
        domains = [str(d) for d in listed] if isinstance(listed, list) else []
        order = {k: i for i, k in enumerate([*config.DOCUMENTS, *domains])}
        titled = data.get("titles")
        named: dict[str, Any] = titled if isinstance(titled, dict) else {}
        for key, entry in sorted(notebooks.items(), key=lambda kv: order.get(kv[0], len(order))):
            if not isinstance(entry, dict):
                raise _Malformed(f"notebooks.{key} 不是对象")
            outputs = entry.get("outputs") or {}
            if not isinstance(outputs, dict):
                raise _Malformed(f"notebooks.{key}.outputs 不是对象")
            status, status_class = _status(entry.get("status"))
            nb = _Notebook(
                key=str(key),
                title=str(entry.get("title") or named.get(str(key)) or titles.get(str(key))
                          or key),
                status=status,
                status_class=status_class,
                error=str(entry.get("error") or ""),
            )
            for kind, label in LINKS:
                link = _href(root, folder, entry.get(kind) or outputs.get(kind))
                if link is not None:
                    nb.links.append(_Link(label, link[0], link[1]))
            copy = _href(root, folder, entry.get("failed_copy"))
            nb.failed_copy = copy[0] if copy else ""
            row.notebooks.append(nb)
    except Exception as exc:  # one manifest must not take down the index of every other
        reason = str(exc) if isinstance(exc, _Malformed) else type(exc).__name__
        log.warning("index: manifest %s is unreadable (%s); listed as 清单损坏", manifest_path, exc)
        return _Row(
            department=dept_dir,
            year=year_dir,
            manifest=row.manifest,
            broken=True,
            error=reason,
        )
    return row


#: Index classes of the warning levels (red, yellow, green).
LEVEL_CLASS = {"红色": "failed", "黄色": "skipped", "绿色": "ok"}


def _monitor(row: _Row, entry: Any, root: Path, folder: Path) -> None:
    """The index's monitoring line of a department-year: execution, level, targets at risk."""
    if not isinstance(entry, dict):
        return
    if entry.get("execution_pct") is None:
        execution = "执行率无法计算"
    else:
        execution = (f"执行{fmt.pct(entry.get('execution_pct'))}，调整后"
                     f"{fmt.pct(entry.get('adjusted_pct'))}")
    floor = "，未达进度节点" if entry.get("below_floor") else ""
    row.monitor = (f"1-{entry.get('month')}月：{execution}{floor}；有风险目标{entry.get('at_risk')}项，"
                   f"未说明偏差{entry.get('unexplained')}项")
    row.monitor_level = LEVEL_CLASS.get(str(entry.get("level") or ""), "")
    link = _href(root, folder, entry.get("sheet"))
    if link is not None:
        row.monitor_sheet = _Link(f"绩效监控表（{entry.get('level') or '未分级'}）", link[0], link[1])


def _year_key(text: str) -> tuple[int, str]:
    return (int(text), text) if text.isdigit() else (10**9, text)


def write_index(outputs_dir: Path) -> Path:
    """Write ``outputs_dir/index.html`` listing every ``<dept>/<year>/manifest.json``.

    The page is a Chinese table (部门, 年度, per-notebook HTML/PDF links, the department's
    自评得分 and the 复核得分 each with its grade, 运行状态 with links to failed notebook
    copies). It is static: no scripts, no external resources (its Content-Security-Policy says
    so to the browser), every text escaped. A manifest that cannot be read is listed as 清单损坏.

    Args:
        outputs_dir: the outputs root, e.g. ``outputs/``.

    Returns:
        Path of the written ``index.html``.
    """
    import jinja2  # the runner imports this module; an unchanged rerun writes no index
    from markupsafe import Markup

    root = Path(outputs_dir)
    titles = _notebook_titles()
    manifests = sorted(
        root.glob("*/*/manifest.json"),
        key=lambda p: (p.parent.parent.name, _year_key(p.parent.name)),
    )
    rows = [_row(root, path, titles) for path in manifests]
    counts = {"ok": 0, "failed": 0, "skipped": 0, "broken": 0}
    for row in rows:
        key = "broken" if row.broken else row.status_class
        if key in counts:
            counts[key] += 1
    bureau = [(p.parent.name, quote(PurePosixPath(p.relative_to(root)).as_posix(), safe="/"))
              for p in sorted(root.glob("*/复核汇总.html")) if p.parent.name.isdigit()]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    page = with_csp(env.get_template("index.html.j2").render(
        rows=rows,
        counts=counts,
        bureau=bureau,
        css=Markup((TEMPLATES / "index.css").read_text(encoding="utf-8")),
        generated_at=fmt.display_time(
            datetime.now(UTC).astimezone().isoformat(timespec="seconds")
        ),
    ))
    path = write_text_atomic(root / "index.html", page)
    log.info("index: %d department-years listed in %s", len(rows), path)
    return path


__all__ = ["STATUS_ZH", "write_index"]
