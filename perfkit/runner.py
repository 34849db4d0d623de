"""Execute the report notebooks with papermill per (department, year) and record a manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, config
from .atomic import write_text_atomic
from .errors import PerfkitError
from .params import Settings, check_department, load_settings
from .workbook import load_workbook, sha256_file

log = logging.getLogger(__name__)

OK, FAILED, SKIPPED = "ok", "failed", "skipped"


@dataclass
class NotebookResult:
    """What happened to one notebook of one department-year."""

    department: str
    year: int
    notebook: str
    status: str
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    failed_copy: str | None = None
    input_hash: str = ""


@dataclass(frozen=True)
class Task:
    """One (department, year, notebook) to execute and render."""

    department: str
    year: int
    notebook: str
    workbook: str
    params_file: str
    out_dir: str
    input_hash: str
    meta: dict[str, Any]


def input_hash(settings: Settings, workbook: Path, params_file: Path | None, notebook: Path) -> str:
    """Hash everything a notebook's output depends on: inputs, settings, code version."""
    h = hashlib.sha256()
    h.update(sha256_file(workbook).encode())
    h.update(json.dumps(asdict(settings), sort_keys=True, default=str).encode())
    h.update(sha256_file(notebook).encode())
    sheet = config.PARAMS_DIR / "score_sheets" / f"{settings.score_sheet}.yaml"
    if sheet.exists():
        h.update(sha256_file(sheet).encode())
    h.update(__version__.encode())
    return h.hexdigest()


def _execute(task: Task) -> NotebookResult:
    """Run and render one notebook; never raises (the failure is the result)."""
    import time

    import papermill as pm

    from .render import ReportMeta, render_notebook

    start = time.perf_counter()
    out_dir = Path(task.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    source = config.NOTEBOOKS_DIR / f"{task.notebook}.ipynb"
    fd, tmp = tempfile.mkstemp(prefix=f".{task.notebook}.", suffix=".ipynb", dir=out_dir)
    os.close(fd)
    result = NotebookResult(task.department, task.year, task.notebook, FAILED,
                            input_hash=task.input_hash)
    try:
        pm.execute_notebook(
            str(source), tmp,
            parameters={"department": task.department, "year": task.year,
                        "workbook": task.workbook, "params_file": task.params_file},
            kernel_name="python3", progress_bar=False, log_output=False, cwd=str(config.ROOT),
        )
    except Exception as exc:  # papermill raises PapermillExecutionError and kernel errors
        failed_dir = out_dir / "failed"
        failed_dir.mkdir(exist_ok=True)
        copy = failed_dir / f"{task.notebook}.ipynb"
        if Path(tmp).exists() and Path(tmp).stat().st_size:
            os.replace(tmp, copy)
            result.failed_copy = str(copy.relative_to(out_dir))
        result.error = _describe(exc)
        result.seconds = time.perf_counter() - start
        Path(tmp).unlink(missing_ok=True)
        return result
    try:
        meta = ReportMeta(**task.meta)
        staged = render_notebook(Path(tmp), out_dir, task.notebook, meta)
        final_nb = out_dir / f"{task.notebook}.ipynb"
        os.replace(tmp, final_nb)
        result.outputs = {"ipynb": final_nb.name, **{k: Path(v).name for k, v in staged.items()}}
        result.status = OK
        stale = out_dir / "failed" / f"{task.notebook}.ipynb"
        stale.unlink(missing_ok=True)
    except Exception as exc:
        result.error = f"渲染失败：{_describe(exc)}"
        log.debug("render failed", exc_info=True)
    finally:
        Path(tmp).unlink(missing_ok=True)
    result.seconds = time.perf_counter() - start
    return result


def _describe(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    if ename:
        return f"{ename}: {getattr(exc, 'evalue', '')}".strip()
    if isinstance(exc, PerfkitError):
        return str(exc)
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def plan(
    department: str,
    year: int,
    *,
    notebooks: Iterable[str] | None = None,
    outputs: Path | None = None,
    force: bool = False,
    params_file: str = "",
) -> tuple[list[Task], list[NotebookResult], dict[str, Any]]:
    """Validate one department-year and list the notebooks that need running.

    Returns:
        (tasks to run, skipped results, manifest header).

    Raises:
        WorkbookError, ParamsError: the inputs are invalid; nothing is run.
    """
    check_department(department)
    settings = load_settings(department, year, params_file or None)
    workbook = settings.workbook_path()
    data = load_workbook(workbook, expected_year=year)  # fail fast, all problems at once
    out_dir = config.output_dir(department, year, outputs)
    params_path = Path(params_file) if params_file else config.params_path(department, year)
    previous = read_manifest(out_dir)
    header = {
        "department": department,
        "department_name": data.department_name,
        "year": year,
        "workbook": _rel(workbook),
        "workbook_sha256": data.sha256,
        "perfkit_version": __version__,
        "claimed_score": data.info.get("claimed_score"),
    }
    meta = {
        "department": data.department_name,
        "year": year,
        "title": "",
        "generated_at": dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds"),
        "perfkit_version": __version__,
        "workbook_sha256": data.sha256,
    }
    tasks, skipped = [], []
    for nb in notebooks or settings.notebooks:
        source = config.NOTEBOOKS_DIR / f"{nb}.ipynb"
        if not source.exists():
            skipped.append(NotebookResult(department, year, nb, SKIPPED, error="笔记本不存在"))
            continue
        digest = input_hash(settings, workbook, params_path if params_path.exists() else None,
                            source)
        prev = (previous.get("notebooks") or {}).get(nb) or {}
        if (not force and prev.get("status") == OK and prev.get("input_hash") == digest
                and all((out_dir / f).exists() for f in (prev.get("outputs") or {}).values())):
            skipped.append(NotebookResult(department, year, nb, SKIPPED, outputs=prev["outputs"],
                                          input_hash=digest, error="输入未变，沿用上次结果"))
            continue
        tasks.append(Task(department, year, nb, settings.workbook, params_file, str(out_dir),
                          digest, {**meta, "title": NOTEBOOK_TITLES.get(nb, nb)}))
    return tasks, skipped, header


NOTEBOOK_TITLES = {
    "finance": "部门整体支出（财务）",
    "quality": "教育质量",
    "aid": "学生资助",
    "safety": "校园安全",
    "summary": "部门整体支出绩效自评报告",
}


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(config.ROOT))
    except ValueError:
        return str(path)


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """Return the manifest of a department-year output folder ({} when absent or unreadable)."""
    path = out_dir / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_manifest(out_dir: Path, header: dict[str, Any], results: list[NotebookResult]) -> Path:
    """Merge results into ``manifest.json`` (atomically), keeping earlier good entries."""
    manifest = read_manifest(out_dir)
    notebooks = manifest.get("notebooks") or {}
    for r in results:
        entry = {"status": r.status, "outputs": r.outputs, "error": r.error,
                 "failed_copy": r.failed_copy, "input_hash": r.input_hash,
                 "seconds": round(r.seconds, 2)}
        if r.status == SKIPPED and notebooks.get(r.notebook, {}).get("status") == OK:
            entry = {**notebooks[r.notebook], "status": OK}
        elif r.status == FAILED and notebooks.get(r.notebook, {}).get("status") == OK:
            # The previous good report stays in place; say so.
            entry["previous_outputs"] = notebooks[r.notebook].get("outputs")
        entry["html"] = entry.get("outputs", {}).get("html") or (entry.get("previous_outputs") or {}).get("html")
        entry["pdf"] = entry.get("outputs", {}).get("pdf") or (entry.get("previous_outputs") or {}).get("pdf")
        notebooks[r.notebook] = entry
    statuses = {v["status"] for v in notebooks.values()}
    manifest.update(header)
    manifest["notebooks"] = notebooks
    manifest["status"] = FAILED if FAILED in statuses else OK
    manifest["generated_at"] = dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")
    return write_text_atomic(out_dir / "manifest.json",
                             json.dumps(manifest, ensure_ascii=False, indent=2, default=str))


def run(
    departments_years: Iterable[tuple[str, int]],
    *,
    notebooks: Iterable[str] | None = None,
    outputs: Path | None = None,
    jobs: int = 1,
    force: bool = False,
    params_file: str = "",
    on_result: Callable[[NotebookResult], None] | None = None,
) -> list[NotebookResult]:
    """Run every notebook of every department-year; keep going past failures.

    Args:
        departments_years: (department, year) pairs.
        notebooks: subset of notebooks; default each department-year's settings.
        outputs: output root; default ``outputs/``.
        jobs: worker processes executing notebooks in parallel.
        force: rerun notebooks whose inputs are unchanged.
        params_file: settings file for a single department-year.
        on_result: called with each result as it arrives (progress display).

    Returns:
        One result per notebook (failed, ok or skipped). Invalid inputs of a department-year
        give one failed result with the located problems.
    """
    from .tidy import write_tables

    all_results: list[NotebookResult] = []
    planned: dict[tuple[str, int], tuple[list[Task], dict[str, Any]]] = {}
    for dept, year in departments_years:
        try:
            tasks, skipped, header = plan(dept, year, notebooks=notebooks, outputs=outputs,
                                          force=force, params_file=params_file)
        except PerfkitError as exc:
            r = NotebookResult(dept, year, "（输入检查）", FAILED, error=str(exc))
            all_results.append(r)
            if on_result:
                on_result(r)
            continue
        planned[(dept, year)] = (tasks, header)
        for r in skipped:
            all_results.append(r)
            if on_result:
                on_result(r)
    tasks = [t for ts, _ in planned.values() for t in ts]
    results: list[NotebookResult] = []
    if jobs <= 1 or len(tasks) <= 1:
        for t in tasks:
            r = _execute(t)
            results.append(r)
            if on_result:
                on_result(r)
    else:
        import multiprocessing as mp

        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as pool:
            futures = {pool.submit(_execute, t): t for t in tasks}
            for fut in as_completed(futures):
                r = fut.result()
                results.append(r)
                if on_result:
                    on_result(r)
    all_results.extend(results)
    for (dept, year), (_tasks, header) in planned.items():
        out_dir = config.output_dir(dept, year, outputs)
        mine = [r for r in all_results if (r.department, r.year) == (dept, year)]
        try:
            write_tables(dept, year, out_dir, params_file=params_file)
        except PerfkitError as exc:  # inputs validated above; keep the run going regardless
            log.warning("tables for %s %s not written: %s", dept, year, exc)
        write_manifest(out_dir, header, mine)
    try:
        from .index import write_index

        write_index(outputs or config.OUTPUTS_DIR)
    except ImportError:
        pass
    return all_results


def clean_failed(out_dir: Path) -> None:
    """Remove the diagnostic copies of failed notebooks of one output folder."""
    shutil.rmtree(out_dir / "failed", ignore_errors=True)
