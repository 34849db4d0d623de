"""Run the report notebooks over (department, year, notebook): incremental, parallel, safe.

For each department-year the runner takes the output folder's lock, validates the workbook
(skipped when its bytes are those of the last good run), writes the tidy tables, and lists the
notebooks whose inputs changed. Inputs of a notebook: workbook bytes, run settings and their
file, the notebook, the score sheet, perfkit's version, the output formats, and every file the
notebook read when it last ran (earlier years' workbooks and indicator tables …), as recorded
where it was read (:mod:`perfkit.reads`). Their hashes go to ``manifest.json`` next to the
reports; an unchanged notebook is skipped unless ``force``. The tables are cached the same way.

Notebooks execute inside worker processes, without a kernel (see :mod:`perfkit.run.engine`), or
on a Dask cluster (:mod:`perfkit.run.pool`). A failure stays with its notebook: the batch goes on,
the previous good reports stay in place and the partially executed copy is kept in ``failed/``.
Ctrl-C stops the workers, removes temporary files and records what finished.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
import signal
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfkit import __version__, config, reads
from perfkit.atomic import sha256_file
from perfkit.data.params import Settings, check_department, load_settings
from perfkit.domains import catalogs
from perfkit.errors import PerfkitError, write_problem
from perfkit.run.engine import (
    FAILED,
    INTERRUPTED,
    OK,
    SKIPPED,
    NotebookResult,
    Task,
    describe,
)
from perfkit.run.locking import OutputLock
from perfkit.run.manifest import project_relative, read_manifest, score_entry, write_manifest

if TYPE_CHECKING:
    from perfkit.run.pool import DaskPool, LocalPool

log = logging.getLogger(__name__)

__all__ = ["FAILED", "INTERRUPTED", "OK", "SKIPPED", "NotebookResult", "Task", "plan", "run"]

#: Expected cost order when no earlier run says otherwise: the longest first, so that one big
#: notebook does not run alone at the end of a department-year (domain reports after these).
COST_ORDER = ("review", "report", "finance")


NOT_A_DOMAIN = "不是本年度的领域（运行设置 domains），未运行"

#: Whose document a notebook is: ``department`` (the 自评报告 a department submits: its cover
#: carries the report date, no generator facts), ``review`` (the reviewer's) or ``analysis``.
NOTEBOOK_KINDS = {"report": "department", "review": "review"}

#: Notebooks also written as an editable Word file in the official-document layout
#: (:mod:`perfkit.report.word`): the 自评报告 a department edits and submits, and the 复核意见 for
#: reviewers who annotate in Word.
WORD_NOTEBOOKS = frozenset({"report", "review"})

INPUT_CHECK = "（输入检查）"
#: The notebook name of a result about the department-year's manifest, and the outputs index.
MANIFEST = "（运行记录 manifest.json）"
INDEX = "（索引 index.html）"
SUMMARY = "（监控汇总）"
MONITOR_ONLY = "运行监控只由 perfkit run --monitor 月份 运行（读监控工作簿），未运行"
INTERRUPTED_NOTE = "运行被中断（Ctrl-C、终止信号或终端关闭），保留上次的报告"


def _version() -> str:
    return __version__


def _sha_or_none(path: Path | None) -> str | None:
    return sha256_file(path) if path is not None and path.is_file() else None


def _digest(components: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(components, sort_keys=True, default=str).encode()).hexdigest()


def _settings_components(settings: Settings, workbook: Path, params_file: Path | None
                         ) -> dict[str, Any]:
    sheet = config.score_sheet_path(settings.score_sheet)
    return {
        "workbook_sha256": sha256_file(workbook),
        "params_sha256": _sha_or_none(params_file),
        "settings_sha256": hashlib.sha256(
            json.dumps(asdict(settings), sort_keys=True, default=str).encode()).hexdigest(),
        "score_sheet_sha256": _sha_or_none(sheet),
        # The domain catalogs in use (perfkit's and the project's domains/*.yaml): an edited
        # catalog changes indicators, so it reruns.
        "catalogs_sha256": {k: sha256_file(p) for k, p in config.catalog_files().items()},
        "perfkit_version": _version(),
        "bureau_record_version": config.BUREAU_RECORD_VERSION,
    }


def input_hash(settings: Settings, workbook: Path, params_file: Path | None, notebook: Path) -> str:
    """Hash of what a notebook's output depends on (without earlier years or formats)."""
    return _digest({**_settings_components(settings, workbook, params_file),
                    "notebook_sha256": sha256_file(notebook)})


def plan(
    department: str,
    year: int,
    *,
    notebooks: Iterable[str] | None = None,
    outputs: Path | None = None,
    force: bool = False,
    params_file: str = "",
    pdf: bool = True,
    on_work: Callable[[], None] | None = None,
    pdf_layout: str | None = None,
    analyst_copy: bool = False,
) -> tuple[list[Task], list[NotebookResult], dict[str, Any]]:
    """Validate one department-year, write its tables and list the notebooks to run.

    The caller should hold the output folder's lock (:class:`perfkit.run.locking.OutputLock`).
    ``on_work`` is called as soon as it is clear that something must be computed (before the
    workbook is validated), so that workers can start meanwhile. ``pdf_layout`` (``web`` or
    ``official``) overrides the run settings' ``pdf_layout``; ``analyst_copy`` also writes the
    copies with code (``<notebook>.code.html``).

    Returns:
        (tasks to run, skipped results, manifest header).

    Raises:
        WorkbookError, ParamsError: the inputs are invalid; nothing is run.
    """
    check_department(department)
    outputs_root = Path(outputs or config.OUTPUTS_DIR).resolve()
    settings = load_settings(department, year, params_file or None)
    workbook = settings.workbook_path()
    out_dir = config.output_dir(department, year, outputs_root)
    params_path = Path(params_file) if params_file else config.params_path(department, year)
    if not params_path.is_absolute():
        params_path = config.ROOT / params_path
    if not workbook.is_file():
        from perfkit.data.reader import load_workbook

        load_workbook(workbook, expected_year=year)  # raises the located "file missing" error
    previous = read_manifest(out_dir)
    base = _settings_components(settings, workbook, params_path if params_path.exists() else None)
    tables_hash = _digest(base)
    # score.json too: the manifest's score entry is read from it (absent after older runs).
    tables = [out_dir / "tables" / n for n in ("indicators.csv", "checks.csv", "score.json",
                                               config.BUREAU_RECORD)]
    tables.append(out_dir / config.WORKPAPER)
    digests: dict[str, str | None] = {}  # files hashed during this plan, shared by its checks
    cached = (not force and previous.get("tables_hash") == tables_hash
              and previous.get("department_name") is not None
              and isinstance(previous.get("tables_reads"), dict)
              and not reads.changed(previous["tables_reads"], digests)
              and all(p.exists() for p in tables))
    cached = cached and isinstance(previous.get("domains"), list)
    if cached:
        # These exact bytes were validated by the run that wrote the manifest.
        department_name = previous["department_name"]
        claimed = previous.get("claimed_score")
        tables_reads = previous["tables_reads"]
        report_date = previous.get("report_date") or ""
        domains = [str(d) for d in previous["domains"]]
    else:
        from perfkit.assess.evaluation import load
        from perfkit.run.tidy import write_tables

        if on_work:
            on_work()

        with reads.recording() as tables_reads:  # PEFA reads earlier years' workbooks too
            ev = load(department, year, params_file=params_file)  # fail fast, all problems
            department_name, claimed = ev.department_name, ev.data.info.get("claimed_score")
            date = ev.data.info.get("report_date")
            report_date = f"{date.year}年{date.month}月{date.day}日" if date else ""
            domains = list(ev.domains)
            write_tables(department, year, out_dir, params_file=params_file, ev=ev)
    titles = {**config.DOCUMENT_TITLES, **{d: domain_title(d) for d in domains}}
    header = {
        "department": department,
        "department_name": department_name,
        "year": year,
        "workbook": project_relative(workbook),
        "workbook_sha256": base["workbook_sha256"],
        "perfkit_version": _version(),
        "claimed_score": claimed,
        "report_date": report_date,
        "tables_hash": tables_hash,
        "tables_reads": tables_reads,
        "score": score_entry(out_dir),
        # The domains of this department-year: their reports run and are listed; a domain
        # no longer among them loses its entry and files (:func:`_current`).
        "domains": domains,
        "titles": {k: v for k, v in titles.items() if k in (*config.DOCUMENTS, *domains)},
    }
    meta = {
        "department": department_name,
        "year": year,
        "title": "",
        "generated_at": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        "perfkit_version": _version(),
        "workbook_sha256": base["workbook_sha256"],
        "report_date": report_date,
        "pdf_layout": pdf_layout or settings.pdf_layout,
    }
    tasks, skipped = [], []
    catalog_keys = set(_catalog_keys())
    for nb in notebooks or settings.notebooks or (*config.DOCUMENTS, *domains):
        if nb == config.MONITOR_NOTEBOOK:  # on the 监控 workbook, with its month
            skipped.append(NotebookResult(department, year, nb, SKIPPED, error=MONITOR_ONLY))
            continue
        if nb in catalog_keys and nb not in domains:
            skipped.append(NotebookResult(department, year, nb, SKIPPED, error=NOT_A_DOMAIN))
            continue
        parameters = {"domain": nb} if nb in domains else {}
        source = config.notebook_path(config.DOMAIN_NOTEBOOK if parameters else nb)
        if not source.exists():
            skipped.append(NotebookResult(department, year, nb, SKIPPED, error="笔记本不存在"))
            continue
        docx = nb in WORD_NOTEBOOKS
        # The 自评报告 is the department's: its PDF is in the layout it submits (公文) unless
        # the settings or the command line say otherwise.
        layout = (pdf_layout or settings.report_pdf_layout if nb == "report"
                  else meta["pdf_layout"])
        inputs = {**base, "notebook_sha256": sha256_file(source), "pdf": pdf, "docx": docx,
                  "pdf_layout": layout,
                  "analyst_copy": analyst_copy, **parameters}
        digest = _digest(inputs)
        prev = (previous.get("notebooks") or {}).get(nb) or {}
        if (not force and prev.get("status") == OK and prev.get("input_hash") == digest
                and all((out_dir / f).exists() for f in (prev.get("outputs") or {}).values())
                and isinstance(prev.get("reads"), dict)
                and not reads.changed(prev["reads"], digests)):
            skipped.append(NotebookResult(department, year, nb, SKIPPED, outputs=prev["outputs"],
                                          input_hash=digest, inputs=inputs,
                                          error="输入未变，沿用上次结果"))
            continue
        if on_work:
            on_work()
        tasks.append(Task(
            department, year, nb, str(source), settings.workbook, params_file, str(out_dir),
            str(config.ROOT), str(outputs_root), digest,
            {**meta, "title": titles.get(nb, nb), "pdf_layout": layout,
             "kind": NOTEBOOK_KINDS.get(nb, "analysis")}, pdf, inputs, docx=docx,
            parameters=parameters, analyst_copy=analyst_copy))
    return tasks, skipped, header


def _catalog_keys() -> list[str]:
    return list(catalogs())


def domain_title(domain: str) -> str:
    """A domain report's title: its catalog's label (教育质量, 卫生健康 …), else its key."""
    c = catalogs().get(domain)
    return c.label_zh if c else domain


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------


def run(
    departments_years: Iterable[tuple[str, int]],
    *,
    notebooks: Iterable[str] | None = None,
    outputs: Path | None = None,
    jobs: int = 1,
    force: bool = False,
    params_file: str = "",
    pdf: bool = True,
    scheduler: str | None = None,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[NotebookResult], None] | None = None,
    pdf_layout: str | None = None,
    analyst_copy: bool = False,
    monitor: int | None = None,
) -> list[NotebookResult]:
    """Run every notebook of every department-year; keep going past failures.

    Args:
        departments_years: (department, year) pairs; earlier years are prepared first so that
            later years' reports can compare with them.
        notebooks: subset of notebooks; default each department-year's settings.
        outputs: output root; default ``outputs/``.
        jobs: worker processes, or Dask workers for ``local``.
        force: rerun notebooks whose inputs are unchanged.
        params_file: settings file for a single department-year.
        pdf: also typeset PDFs.
        scheduler: None for local worker processes; ``local`` for a Dask LocalCluster; or the
            address of a Dask scheduler (the workers must see the same files).
        on_start: called with the number of results to expect so far, each time it grows
            (department-years are planned while earlier ones already run).
        on_result: called with each result as it arrives.
        pdf_layout: ``official`` typesets the PDFs in the official-document layout
            (GB/T 9704-2012), ``web`` in perfkit's print style; None: each run settings'
            ``pdf_layout``.
        analyst_copy: also write each notebook's analyst copy with code
            (``<notebook>.code.html``); off by default (analysts open the executed
            ``<notebook>.ipynb``, and the copy costs a sixth of the rendering).

    Returns:
        One result per notebook (ok, failed or skipped). Invalid inputs of a department-year,
        or an output folder locked by another run, give one failed result for it.

    Raises:
        KeyboardInterrupt: after stopping workers, removing temporary files and
            recording in the manifests what had finished.
    """
    outputs_root = Path(outputs or config.OUTPUTS_DIR).resolve()
    notebooks = list(notebooks) if notebooks else None
    results: list[NotebookResult] = []
    planned: dict[tuple[str, int], dict[str, Any]] = {}
    locks: list[OutputLock] = []
    pool: LocalPool | DaskPool | None = None
    running: dict[int, Task] = {}

    def emit(r: NotebookResult) -> None:
        results.append(r)
        if on_result:
            on_result(r)

    pairs = sorted(set(departments_years))
    expected = 0
    counter = iter(range(1 << 62))

    def ensure_pool() -> None:
        # Started as soon as some work is certain, so workers start while the rest is planned.
        nonlocal pool
        if pool is None:
            from perfkit.run.pool import DaskPool, LocalPool

            n = max(1, min(jobs, len(pairs) * len(notebooks or (*config.DOCUMENTS, "", "", ""))))
            pool = DaskPool(scheduler, n) if scheduler else LocalPool(n, outputs_root)

    def grow(n: int) -> None:
        nonlocal expected
        expected += n
        if on_start:
            on_start(expected)

    def pump(timeout: float) -> None:
        """Collect the results that are in (waiting up to ``timeout`` for the first)."""
        assert pool is not None  # started before anything is submitted
        got = pool.next_result(timeout=timeout)
        while got is not None:
            tid, r = got
            running.pop(tid, None)
            emit(r)
            got = pool.next_result(timeout=0.0)

    if monitor:  # the assessment and report stages it imports load only for a monitoring run
        from perfkit.run import monitorrun
    previous_term = _term_as_interrupt()
    try:
        for dept, year in pairs:
            try:
                out_dir = config.output_dir(dept, year, outputs_root)
                check_department(dept)
                lock = OutputLock(out_dir).acquire()
            except PerfkitError as exc:
                grow(1)
                emit(NotebookResult(dept, year, INPUT_CHECK, FAILED, error=str(exc)))
                continue
            locks.append(lock)
            try:
                _sweep(out_dir)
                before = read_manifest(out_dir).get("tables_hash")
                tasks, skipped, header = monitorrun.plan_monitor(
                    dept, year, monitor, outputs=outputs_root, force=force,
                    params_file=params_file, pdf=pdf, pdf_layout=pdf_layout,
                    analyst_copy=analyst_copy, previous=read_manifest(out_dir),
                    on_work=ensure_pool) if monitor else plan(dept, year, notebooks=notebooks,
                                              outputs=outputs_root, force=force,
                                              params_file=params_file, pdf=pdf,
                                              on_work=ensure_pool, pdf_layout=pdf_layout,
                                              analyst_copy=analyst_copy)
                ordered = _longest_first(tasks, read_manifest(out_dir))
            except (PerfkitError, OSError) as exc:  # OSError: unreadable file, disk full …
                grow(1)
                emit(NotebookResult(dept, year, INPUT_CHECK, FAILED,
                                    error=describe(exc, out_dir)))
                continue
            except Exception as exc:  # a defect, or a value nothing checked: this one fails
                log.debug("planning %s %s failed", dept, year, exc_info=True)
                grow(1)
                emit(NotebookResult(dept, year, INPUT_CHECK, FAILED, error=_unexpected(exc)))
                continue
            # fresh: tables (and the bureau record) written from other inputs than last time
            planned[(dept, year)] = {"header": header, "tasks": tasks, "out_dir": out_dir,
                                     "fresh": header.get("tables_hash") != before}
            grow(len(tasks) + len(skipped))
            for r in skipped:
                emit(r)
            for t in ordered:
                assert pool is not None  # plan() started it before listing a task
                running[tid := next(counter)] = t
                pool.submit(tid, t)
            if pool is not None and running:
                pump(0.0)
        while running:
            pump(0.5)
        if pool is not None:
            pool.close()
            pool = None
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut cleanup
        try:
            if pool is not None:
                pool.stop()
            # Every planned task without a result: running, queued, or not queued yet.
            done = {(r.department, r.year, r.notebook) for r in results}
            for t in (t for p in planned.values() for t in p["tasks"]):
                if (t.department, t.year, t.notebook) not in done:
                    results.append(NotebookResult(t.department, t.year, t.notebook,
                                                  INTERRUPTED, input_hash=t.input_hash,
                                                  inputs=t.inputs, error=INTERRUPTED_NOTE))
            for problem in _finish(planned, results, outputs_root, bureau=False):
                log.warning("%s", problem.error)  # the run ends with "interrupted" only
        finally:
            for lock in locks:
                lock.release()
            signal.signal(signal.SIGINT, signal.default_int_handler)
            _restore_term(previous_term)
        raise
    except BaseException:  # a defect in the runner itself: no worker or lock outlives it
        try:
            if pool is not None:
                pool.stop()
        finally:
            for lock in locks:
                lock.release()
            _restore_term(previous_term)
        raise
    try:
        for problem in _finish(planned, results, outputs_root):
            emit(problem)
        for year in sorted({y for _, y in planned}) if monitor else ():
            try:
                monitorrun.write_summary(outputs_root, year)
            except OSError as exc:
                emit(NotebookResult("", year, SUMMARY, FAILED, error=write_problem(
                    exc, outputs_root / monitorrun.SUMMARY_NAME.format(year=year))))
    finally:
        for lock in locks:
            lock.release()
        _restore_term(previous_term)
    return results


def _unexpected(exc: BaseException) -> str:
    """What a department-year's result says when planning it raised an unexpected error."""
    return (f"处理本部门年度时出现意外错误（{describe(exc)}），本部门年度未运行，其他部门年度照常运行。"
            "请检查该工作簿中异常的数值（如大得不合常理的数）并改正后重新运行；若仍无法确定原因，"
            "请把这条信息和工作簿交给 perfkit 的维护者。")


def _sweep(out_dir: Path) -> None:
    """Remove temporary files a killed run left (safe: we hold the folder's lock)."""
    for folder in (out_dir, out_dir / "tables"):
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            if not p.name.startswith(".") or p.name.startswith(".perfkit.lock"):
                continue
            if ".staging." in p.name and p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            elif ".partial." in p.name or p.suffix == ".tmp":
                p.unlink(missing_ok=True)


def _longest_first(tasks: list[Task], manifest: dict[str, Any]) -> list[Task]:
    """Order a department-year's tasks by the time they took last run (else COST_ORDER)."""
    last = {k: v.get("seconds") for k, v in (manifest.get("notebooks") or {}).items()}
    last = {k: v if isinstance(v, (int, float)) and v == v else 0 for k, v in last.items()}
    rank = {n: i for i, n in enumerate(COST_ORDER)}
    return sorted(tasks, key=lambda t: (-last.get(t.notebook, 0),
                                        rank.get(t.notebook, len(rank))))


def _term_as_interrupt() -> dict[int, Any]:
    """While a run is on, treat SIGTERM, and SIGHUP (the terminal closed), like Ctrl-C: the
    workers are stopped, temporary files removed and what finished recorded. A SIGHUP the
    user chose to ignore (``nohup``) stays ignored. Returns the handlers replaced."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous: dict[int, Any] = {signal.SIGTERM: signal.signal(signal.SIGTERM, interrupt)}
    hup = getattr(signal, "SIGHUP", None)
    if hup is not None and signal.getsignal(hup) == signal.SIG_DFL:
        previous[hup] = signal.signal(hup, interrupt)
    return previous


def _restore_term(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _finish(planned: dict[tuple[str, int], dict[str, Any]], results: list[NotebookResult],
            outputs_root: Path, *, bureau: bool = True) -> list[NotebookResult]:
    """Write manifests of department-years where something ran, then (``bureau``, not after
    an interruption) the bureau's documents of each year with several departments, then the
    index.

    Each file is written atomically or not at all. One that cannot be written (disk full,
    read-only folder) does not stop the others: it is returned as a failed result saying
    which file, why and what to do.
    """
    problems = []
    changed = False
    for (dept, year), p in planned.items():
        mine = [r for r in results if (r.department, r.year) == (dept, year)]
        manifest = Path(p["out_dir"]) / "manifest.json"
        if p["tasks"] or not manifest.exists():
            try:
                write_manifest(p["out_dir"], p["header"], mine)
                changed = True
            except Exception as exc:
                log.debug("manifest %s", manifest, exc_info=True)
                why = (write_problem(exc, manifest) if isinstance(exc, OSError)
                       else f"无法写入 {manifest}：{describe(exc)}。")
                problems.append(NotebookResult(dept, year, MANIFEST, FAILED, error=(
                    why + "本部门年度这次运行的结果未记录（报告文件如已生成则已就位），"
                    "重新运行会重新生成。")))
    if bureau:  # a record rewritten without a notebook run (new settings) changes them too
        fresh = changed or any(p.get("fresh") for p in planned.values())
        problems += _bureau_years(planned, results, outputs_root, fresh)
    index = outputs_root / "index.html"
    if changed or not index.exists():
        try:
            from perfkit.report.index import write_index
        except ImportError:
            return problems
        try:
            write_index(outputs_root)
        except Exception as exc:
            log.debug("index %s", index, exc_info=True)
            why = (write_problem(exc, index) if isinstance(exc, OSError)
                   else f"无法生成 {index}：{describe(exc)}。")
            problems.append(NotebookResult("", 0, INDEX, FAILED, error=(
                why + "各部门年度的报告和运行记录不受影响；问题解决后重新运行即可更新索引。")))
    return problems



BUREAU = "（复核汇总 outputs/<年度>/）"


def _bureau_years(planned: dict[tuple[str, int], dict[str, Any]],
                  results: list[NotebookResult], outputs_root: Path, changed: bool
                  ) -> list[NotebookResult]:
    """The bureau's documents of each year with several departments in this run
    (:func:`perfkit.run.bureau.after_run`); a year that cannot be written is a failed result."""
    failures = [(r.department, r.year, r.error or "") for r in results
                if r.notebook == INPUT_CHECK and r.status == FAILED and r.department]
    if len(planned) + len(failures) < 2:
        return []
    from perfkit.run.bureau import after_run

    return [NotebookResult("", year, BUREAU, FAILED, error=error)
            for year, error in after_run(list(planned), failures, outputs_root, changed)]
