"""The worker processes that execute and render notebooks for the runner.

Why no kernel: a Jupyter kernel is a second process per worker that imports pandas, matplotlib
and perfkit again and exchanges every output with papermill over ZeroMQ. For perfkit's short
report notebooks that cost more CPU than the notebooks' own code (issue 15: one kernel, six
notebooks, 5.6 CPU-s against 1.6 for the code). A worker therefore executes notebooks itself,
with papermill's ``perfkit-inprocess`` engine (:mod:`perfkit.run.inprocess`): the same
parameters cell, outputs, per-cell status and error handling as with a kernel, in the
interpreter that already holds the imports. Local workers are the processes of
:mod:`perfkit.run.pool` (``concurrent.futures``), forked from a server that has imported them once
(``forkserver`` with :mod:`perfkit.run.preload`), so two workers do not pay for them twice: the
pool calls :func:`start_worker` in each, then :func:`run_task` per notebook, and a worker answers
with a :class:`TaskDone`.

Every notebook gets a fresh namespace (the shell's ``reset``); what a notebook may change outside
it (matplotlib settings and open figures, working directory, warning filters, ``sys.path``) is
put back before the next one. A worker retires after ``MAX_NOTEBOOKS_PER_WORKER`` notebooks and
after a notebook that failed outside its cells (``TaskDone.retire``); the pool starts a new one,
which bounds memory over a long batch. A notebook that ends its worker (``os._exit``, a crash in
C code) fails alone: its cells so far are kept and the pool starts a new worker.

Nothing half-written: a notebook executes into a hidden temporary file and renders into a hidden
staging folder (their names, :class:`Scratch`, chosen by the runner, which keeps the cells that
ran if the worker dies); only when both succeed are the files moved over the previous reports
(each move atomic). A failed notebook's partially executed copy goes to
``failed/<notebook>.ipynb``.

Nothing after the runner: a local worker watches a pipe only the runner holds open (its
lifeline, :mod:`perfkit.run.lifeline`) and ends as soon as the runner has, however it ended
(SIGKILL too), writing nothing more.

Module top level imports the standard library and perfkit's base modules only: the runner
imports it on every run, an unchanged rerun too; papermill, nbformat, IPython and perfkit's
renderer are imported by the functions that use them, in the worker.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import secrets
import shutil
import signal
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfkit import config
from perfkit.atomic import file_mode, write_text_atomic
from perfkit.errors import PerfkitError, write_problem
from perfkit.run.journal import journal_path
from perfkit.run.lifeline import (
    IN_PROGRESS,
    committing,
    detach_stdout,
    on_term,
    own_temp_folder,
    watch_runner,
)

log = logging.getLogger(__name__)

OK, FAILED, SKIPPED, INTERRUPTED = "ok", "failed", "skipped", "interrupted"

#: Notebooks one worker executes before it retires (bounds slow leaks in long batches).
MAX_NOTEBOOKS_PER_WORKER = 40
#: Longest a single cell may run (seconds) before the notebook fails; a hung cell must not
#: stall a batch of many departments.
CELL_TIMEOUT_S = 1800
#: Folder (inside a department-year's output folder) holding partially executed copies.
FAILED_DIR = "failed"

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
    inputs: dict[str, Any] = field(default_factory=dict)
    #: Files the notebook read, with their SHA-256 (None: absent), see :mod:`perfkit.reads`.
    reads: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Task:
    """One (department, year, notebook) to execute and render; every path absolute."""

    department: str
    year: int
    notebook: str
    source: str
    workbook: str
    params_file: str
    out_dir: str
    root: str
    outputs_root: str
    input_hash: str
    meta: dict[str, Any]
    pdf: bool = True
    inputs: dict[str, Any] = field(default_factory=dict)
    docx: bool = False
    #: Notebook parameters besides department, year, workbook and params_file (``domain`` for
    #: a domain report, whose outputs are named after the domain: ``notebook``).
    parameters: dict[str, Any] = field(default_factory=dict)
    #: Also write the analyst copy with code (``<notebook>.code.html``).
    analyst_copy: bool = False


@dataclass(frozen=True)
class Scratch:
    """Where one notebook executes (``notebook``, its cell journal beside it) and renders
    (``staging``) before its files are moved into place: hidden names in its output folder,
    chosen before the task is sent, so that the runner knows them if the worker dies."""

    notebook: str
    staging: str

    @classmethod
    def for_task(cls, task: Task) -> Scratch:
        """New, unused names for ``task`` (``.finance.<random>.partial.ipynb`` …)."""
        token = secrets.token_hex(6)
        out = Path(task.out_dir)
        return cls(str(out / f".{task.notebook}.{token}.partial.ipynb"),
                   str(out / f".{task.notebook}.staging.{token}"))

    def create(self) -> None:
        """Create both, the notebook readable as the umask allows (it becomes the report's
        ``<notebook>.ipynb``); an existing file or folder of these names is an error."""
        fd = os.open(self.notebook, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, file_mode())
        finally:
            os.close(fd)
        try:
            os.mkdir(self.staging, 0o700)
        except OSError:
            Path(self.notebook).unlink(missing_ok=True)
            raise


@dataclass(frozen=True)
class TaskDone:
    """What a local worker sends back for a task."""

    result: NotebookResult
    #: The worker takes no more tasks: it has executed ``MAX_NOTEBOOKS_PER_WORKER`` notebooks,
    #: or a failure outside a notebook's cells may have left it in a state a fresh process
    #: would not have. The pool replaces it.
    retire: bool = False


# ---------------------------------------------------------------------------------------------
# Executing notebooks in the worker
# ---------------------------------------------------------------------------------------------

_STATE: dict[str, Any] = {}


def snapshot_state() -> None:
    """Record the worker's pristine state (once, after the imports, before any notebook)."""
    import matplotlib

    _STATE.update(
        rc=dict(matplotlib.rcParams), cwd=os.getcwd(), filters=list(warnings.filters),
        path=list(sys.path),
    )
    from perfkit.run.preload import freeze_imports

    freeze_imports()


def restore_state() -> None:
    """Undo what a notebook may have changed outside its namespace."""
    import matplotlib
    import matplotlib.pyplot as plt

    plt.close("all")
    if _STATE:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecated rc keys warn on update
            matplotlib.rcParams.update(_STATE["rc"])
        filters: Any = warnings.filters  # a list, typed as a sequence
        filters[:] = _STATE["filters"]
        sys.path[:] = _STATE["path"]
        os.chdir(_STATE["cwd"])
    gc.collect()


class NotebookExecutor:
    """Executes notebooks of one project in this process, one after another, each in a fresh
    namespace of the process's notebook shell (:mod:`perfkit.run.inprocess`)."""

    def __init__(self, root: str, outputs_root: str):
        from perfkit import config
        from perfkit.run import inprocess, preload

        self.root, self.outputs_root = root, outputs_root
        self.used = 0
        os.environ.update(PERFKIT_ROOT=root, PERFKIT_OUTPUTS=outputs_root)
        config.forget_project()  # found again from the variables above
        preload.load()
        self.shell = inprocess.shell()
        if not _STATE:
            os.chdir(root)
            snapshot_state()

    def execute(self, source: str, output: str, parameters: dict[str, Any],
                shown: dict[str, str] | None = None) -> dict[str, str | None]:
        """Execute ``source`` into ``output`` with papermill (in this process).

        Args:
            source: the notebook to execute.
            output: where the executed notebook goes (written atomically, also after a cell's
                error: a full disk leaves the engine's earlier copy, never a truncated one).
            parameters: the notebook's parameters.
            shown: ``input_path`` and ``output_path`` as the executed notebook's papermill
                metadata should show them (paths in the project, not the temporary file).

        Returns:
            The files the notebook read (:mod:`perfkit.reads`).
        """
        import nbformat
        import papermill as pm

        from perfkit import reads
        from perfkit.run import inprocess

        self.reset()
        self.used += 1
        inprocess.forget_executed()
        # papermill writes nothing (no output path): the engine writes the parameterized
        # notebook to ``output`` before the first cell and journals each cell; the notebook as
        # executed is written here once, on success or after a cell's error.
        with reads.recording() as recorded:
            try:
                pm.execute_notebook(
                    source, None, parameters=parameters, engine_name=inprocess.ENGINE_NAME,
                    request_save_on_cell_execute=False, kernel_name="python3",
                    progress_bar=False, log_output=False, execution_timeout=CELL_TIMEOUT_S,
                    partial_path=output, metadata_paths=shown or {},
                )
            finally:
                nb = inprocess.executed()
                inprocess.forget_executed()
                if nb is not None:
                    write_text_atomic(Path(output), nbformat.writes(nb), sync=False)
        return dict(recorded)

    def reset(self) -> None:
        """Give the next notebook a fresh namespace and the pristine process state."""
        self.shell.reset(new_session=True)
        restore_state()


def execute_task(task: Task, executor: NotebookExecutor | None,
                 scratch: Scratch | None = None) -> tuple[NotebookResult, NotebookExecutor | None]:
    """Execute and render one notebook; never raises (the failure is the result).

    Args:
        task: what to run.
        executor: this process's executor from the previous task, or None.
        scratch: the temporary notebook and staging folder to use (the runner keeps the
            notebook for diagnosis if the worker dies meanwhile); new names when None.

    Returns:
        The result and the executor to use next (None when this process should retire: after
        ``MAX_NOTEBOOKS_PER_WORKER`` notebooks, or after a failure outside the notebook's
        cells, which may have left the process in a state a fresh one would not have).
    """
    start = time.perf_counter()
    out_dir = Path(task.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = NotebookResult(task.department, task.year, task.notebook, FAILED,
                            input_hash=task.input_hash, inputs=task.inputs)
    scratch = scratch or Scratch.for_task(task)
    scratch.create()
    tmp, stage = scratch.notebook, scratch.staging
    IN_PROGRESS.update((tmp, stage))
    try:
        if executor is None or (executor.root, executor.outputs_root) != (task.root,
                                                                          task.outputs_root):
            executor = NotebookExecutor(task.root, task.outputs_root)
        try:
            result.reads = executor.execute(task.source, tmp, {
                "department": task.department, "year": task.year,
                "workbook": task.workbook, "params_file": task.params_file, **task.parameters,
            }, shown=_shown_paths(task))
        except Exception as exc:  # papermill raises PapermillExecutionError for a cell's error
            from papermill.exceptions import PapermillExecutionError

            result.error = describe(exc, out_dir)
            with committing():
                result.failed_copy = keep_failed(Path(tmp), out_dir, task.notebook)
            if not isinstance(exc, PapermillExecutionError):
                log.debug("notebook failed outside its cells", exc_info=True)
                executor = None
            return result, executor
        try:
            from perfkit.report.meta import ReportMeta
            from perfkit.report.render import render_notebook

            staged = render_notebook(Path(tmp), Path(stage), task.notebook,
                                     ReportMeta(**task.meta), pdf=task.pdf, docx=task.docx,
                                     analyst_copy=task.analyst_copy)
        except Exception as exc:
            result.error = f"渲染失败：{describe(exc, out_dir)}"
            with committing():
                result.failed_copy = keep_failed(Path(tmp), out_dir, task.notebook)
            log.debug("render failed", exc_info=True)
            return result, executor
        outputs = {}
        final_nb = out_dir / f"{task.notebook}.ipynb"
        with committing():
            for fmt_key, path in staged.items():
                os.replace(path, out_dir / Path(path).name)
                outputs[fmt_key] = Path(path).name
            if not task.analyst_copy:  # an earlier run's copy would show outdated results
                (out_dir / f"{task.notebook}.code.html").unlink(missing_ok=True)
            os.replace(tmp, final_nb)
            (out_dir / FAILED_DIR / f"{task.notebook}.ipynb").unlink(missing_ok=True)
            _remove_empty(out_dir / FAILED_DIR)
        result.outputs = {"ipynb": final_nb.name, **outputs}
        result.status = OK
    except Exception as exc:  # disk full …
        result.error = describe(exc, out_dir)
        log.debug("task failed", exc_info=True)
        executor = None
    finally:
        Path(tmp).unlink(missing_ok=True)
        Path(journal_path(tmp)).unlink(missing_ok=True)
        shutil.rmtree(stage, ignore_errors=True)
        IN_PROGRESS.difference_update((tmp, stage))
        result.seconds = time.perf_counter() - start
    if executor is not None and executor.used >= MAX_NOTEBOOKS_PER_WORKER:
        executor = None
    return result, executor


def keep_failed(tmp: Path, out_dir: Path, notebook: str) -> str | None:
    """Move the partially executed copy to ``failed/<notebook>.ipynb``; return its path.

    A copy that is not a whole notebook (cut short by a full disk) is removed, not kept: an
    earlier failed copy stays, and nobody is pointed to a file that does not open.
    """
    if not tmp.exists() or not tmp.stat().st_size:
        return None
    try:
        with open(tmp, encoding="utf-8") as fh:
            json.load(fh)
    except (OSError, ValueError):
        log.warning("partial notebook %s is not valid JSON; not kept", tmp)
        tmp.unlink(missing_ok=True)
        return None
    folder = out_dir / FAILED_DIR
    folder.mkdir(exist_ok=True)
    copy = folder / f"{notebook}.ipynb"
    os.replace(tmp, copy)
    return str(copy.relative_to(out_dir))


def _shown_paths(task: Task) -> dict[str, str]:
    """The executed notebook's ``input_path`` and ``output_path`` as its metadata shows them,
    never the temporary file it is executed into nor a folder outside the project: the
    project's notebook as ``notebooks/finance.ipynb``, perfkit's own as
    ``perfkit/notebooks/finance.ipynb``; the output from the project folder (else from the
    outputs folder)."""
    source = Path(task.source)
    out = Path(task.out_dir) / f"{task.notebook}.ipynb"
    shown_source = _relative(source, task.root)
    if shown_source is None:
        shown_source = (f"perfkit/notebooks/{source.name}"
                        if source.resolve().parent == config.package_notebooks_dir()
                        else source.name)
    return {"input_path": shown_source,
            "output_path": (_relative(out, task.root) or _relative(out, task.outputs_root)
                            or out.name)}


def _relative(path: Path, base: str) -> str | None:
    try:
        return path.resolve().relative_to(Path(base).resolve()).as_posix()
    except ValueError:
        return None


def _remove_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def describe(exc: BaseException, folder: str | Path | None = None) -> str:
    """One line saying what went wrong (the notebook's exception when there is one).

    Args:
        exc: the exception.
        folder: where the work was being written, named when a file error names no file (a
            write to an open file: a full disk).
    """
    ename = getattr(exc, "ename", None)
    if ename:
        return f"{ename}: {getattr(exc, 'evalue', '')}".strip()
    if isinstance(exc, PerfkitError):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno is not None:  # disk full, read-only folder …
        where = Path(str(exc.filename or folder)) if exc.filename or folder else None
        while where is not None and where.name.startswith("."):  # hidden temporary files
            where = where.parent
        return write_problem(exc, where, writing=False)
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


#: This process's notebook executor, kept from one task to the next (None before the first and
#: after a failure outside a notebook's cells); one notebook at a time in it (a Dask worker runs
#: tasks in threads, and the shell is the process's).
_WORKER: list[NotebookExecutor | None] = [None]
_WORKER_LOCK = threading.Lock()


def start_worker(lifeline: Any, env: dict[str, str], log_level: int, temp: str,
                 max_notebooks: int = MAX_NOTEBOOKS_PER_WORKER) -> None:
    """Set up a local worker process (the pool's initializer; never raises).

    The worker ignores SIGINT and SIGHUP (the runner decides what a Ctrl-C or a closed terminal
    stops) and on SIGTERM removes its temporary files before exiting. ``lifeline`` is the read
    end of the runner's lifeline pipe: when the runner ends, the worker ends too, within a
    moment and without writing anything more (:func:`watch_runner`). Its standard output is
    /dev/null: a worker prints nothing, and must not keep the runner's output pipe open
    (``perfkit run | tee``). Its temporary folder is its own, in ``temp``, removed when it ends.

    Args:
        lifeline: read end of the runner's lifeline, or None.
        env: ``PERFKIT_ROOT`` and ``PERFKIT_OUTPUTS`` of the run.
        log_level: the runner's logging level.
        temp: the runner's temporary folder.
        max_notebooks: notebooks the worker executes before it retires (the runner's
            ``MAX_NOTEBOOKS_PER_WORKER``).
    """
    global MAX_NOTEBOOKS_PER_WORKER
    MAX_NOTEBOOKS_PER_WORKER = max_notebooks
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, on_term)
    if lifeline is not None:
        watch_runner(lifeline)
    detach_stdout()
    os.environ.update(env)
    logging.basicConfig(level=log_level, format="%(levelname)s %(name)s: %(message)s")
    try:
        own_temp_folder(temp)
    except OSError:
        log.debug("no temporary folder of its own", exc_info=True)
    try:
        _WORKER[0] = NotebookExecutor(env["PERFKIT_ROOT"], env["PERFKIT_OUTPUTS"])
    except Exception:
        log.debug("executor setup failed; retried with the first task", exc_info=True)


def run_task(task: Task, scratch: Scratch | None = None) -> TaskDone:
    """Execute and render one notebook in this worker process (never raises)."""
    with _WORKER_LOCK:
        result, _WORKER[0] = execute_task(task, _WORKER[0], scratch)
        return TaskDone(result, retire=_WORKER[0] is None)


def execute_on_dask_worker(task: Task) -> NotebookResult:
    """Run one task on a Dask worker, keeping that worker's executor between tasks (a Dask
    worker does not retire: a failure outside a notebook's cells gives it a new executor)."""
    return run_task(task).result


def worker_started() -> None:
    """Nothing: sent first so that the pool's executor starts its process now (it starts one
    when a task arrives), while the runner validates the department-year."""
