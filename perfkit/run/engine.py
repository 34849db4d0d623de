"""Warm Jupyter kernels and the worker processes that execute and render notebooks for the runner.

Why warm kernels: starting a kernel and importing pandas, matplotlib, seaborn and perfkit costs
about 3 s, more than executing a report notebook. A worker keeps one kernel, preloads those
imports once, and gives every notebook a fresh namespace (``InteractiveShell.reset``, figures
closed, matplotlib settings, working directory and warning filters restored), so a notebook sees
the same state as in a new kernel. A kernel is replaced after a failed notebook and after
``MAX_NOTEBOOKS_PER_KERNEL`` notebooks, which bounds memory over a long batch.

Nothing half-written: a notebook executes into a hidden temporary file and renders into a hidden
staging folder; only when both succeed are the files moved over the previous reports (each move
atomic). A failed notebook's partially executed copy goes to ``failed/<notebook>.ipynb``.

Module top level imports the standard library only: kernels import this module to restore their
state between notebooks, and the runner imports it on every run, an unchanged rerun too (0.26 s
in all); papermill (0.16 s), jupyter_client (0.08 s), nbformat (0.06 s), matplotlib (0.11 s) and
perfkit's renderer are imported by the functions that use them, in the worker.
"""

from __future__ import annotations

import atexit
import gc
import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field
from multiprocessing import util
from pathlib import Path
from typing import Any

from perfkit.atomic import file_mode
from perfkit.errors import PerfkitError

log = logging.getLogger(__name__)

OK, FAILED, SKIPPED, INTERRUPTED = "ok", "failed", "skipped", "interrupted"

#: Notebooks one kernel executes before it is replaced (bounds slow leaks in long batches).
MAX_NOTEBOOKS_PER_KERNEL = 40
#: Longest a single cell may run (seconds) before the notebook fails; a hung cell must not
#: stall a batch of many departments.
CELL_TIMEOUT_S = 1800
#: Folder (inside a department-year's output folder) holding partially executed copies.
FAILED_DIR = "failed"

_PRELOAD = """
import perfkit as pk
import perfkit.report.tables, perfkit.report.charts, perfkit.report.narrative
import perfkit.run.engine as __pk_engine
__pk_engine.snapshot_kernel_state()
del __pk_engine, pk
"""

_RESET = """
get_ipython().reset(new_session=True)
import perfkit.run.engine as __pk_engine
__pk_engine.restore_kernel_state()
del __pk_engine
import perfkit.reads as __pk_reads
__pk_reads.start()
del __pk_reads
"""


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


# ---------------------------------------------------------------------------------------------
# Inside the kernel
# ---------------------------------------------------------------------------------------------

_KERNEL_STATE: dict[str, Any] = {}


def snapshot_kernel_state() -> None:
    """Record the kernel's pristine state (called once, right after the preload imports)."""
    import matplotlib

    _KERNEL_STATE.update(
        rc=dict(matplotlib.rcParams), cwd=os.getcwd(), filters=list(warnings.filters),
        path=list(sys.path),
    )
    _freeze_imports()


def _freeze_imports() -> None:
    """Move everything allocated so far (the preloaded modules) out of the garbage collector's
    sight: it lives as long as the process, and every full collection would walk it again
    (about a tenth of a notebook's execution time, and 4 % of a PDF's typesetting)."""
    gc.collect()
    gc.freeze()


def restore_kernel_state() -> None:
    """Undo what a notebook may have changed outside its namespace."""
    import matplotlib
    import matplotlib.pyplot as plt

    plt.close("all")
    if _KERNEL_STATE:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecated rc keys warn on update
            matplotlib.rcParams.update(_KERNEL_STATE["rc"])
        filters: Any = warnings.filters  # a list, typed as a sequence
        filters[:] = _KERNEL_STATE["filters"]
        sys.path[:] = _KERNEL_STATE["path"]
        os.chdir(_KERNEL_STATE["cwd"])
    gc.collect()


# ---------------------------------------------------------------------------------------------
# In the worker process
# ---------------------------------------------------------------------------------------------


def skip_slow_imports() -> None:
    """Keep jsonschema from building the rfc3987-syntax grammar at import (about 3 s).

    jsonschema registers an ``iri`` format checker when ``rfc3987_syntax`` is importable (it is
    when jupyterlab is installed), and that import compiles a grammar. nbformat validates
    notebooks without format checks, so perfkit's own worker processes do without it.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


class WarmKernel:
    """One python3 kernel with perfkit preloaded, reused notebook after notebook."""

    def __init__(self, root: str, outputs_root: str):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.root, self.outputs_root = root, outputs_root
        self.used = 0
        env = {**os.environ, "PERFKIT_ROOT": root, "PERFKIT_OUTPUTS": outputs_root,
               "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        quiet = log.getEffectiveLevel() > logging.DEBUG
        self.km = AsyncKernelManager(kernel_name="python3")
        self.started = time.perf_counter()
        run_sync(self.km.start_kernel)(
            env=env, cwd=root,
            **({"stdout": _devnull(), "stderr": _devnull()} if quiet else {}),
        )
        self.pid = getattr(self.km.provisioner, "pid", None)
        _LIVE_KERNELS.add(self.pid)
        if self.pid and _ON_KERNEL_START:
            _ON_KERNEL_START[0](self.pid)
        self.kc: Any = None  # the kernel client, once connected

    def _ensure_ready(self) -> None:
        """Connect and preload on first use (the kernel boots while the worker does other work)."""
        if self.kc is not None:
            return
        from jupyter_core.utils import run_sync

        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=60)
        self._run(_PRELOAD)
        log.debug("warm kernel %s ready in %.2f s", self.pid, time.perf_counter() - self.started)

    def _run(self, code: str) -> None:
        from jupyter_core.utils import run_sync

        reply = run_sync(self.kc.execute_interactive)(
            code, store_history=False, allow_stdin=False, timeout=120,
            output_hook=lambda msg: None,
        )
        if reply["content"].get("status") != "ok":
            c = reply["content"]
            raise RuntimeError(f"kernel setup failed: {c.get('ename')}: {c.get('evalue')}")

    def reset(self) -> None:
        """Give the next notebook a fresh namespace."""
        self._ensure_ready()
        self._run(_RESET)

    def execute(self, source: str, output: str, parameters: dict[str, Any]
                ) -> dict[str, str | None]:
        """Execute ``source`` into ``output`` with papermill on this kernel.

        Returns:
            The files the notebook read (:mod:`perfkit.reads`).
        """
        import papermill as pm

        _register_engine()
        self.reset()
        self.used += 1
        # One save at the end (and on error, with the outputs up to the failing cell): saving
        # after every cell re-serialises and re-validates the whole notebook each time.
        pm.execute_notebook(
            source, output, parameters=parameters, engine_name=_ENGINE_NAME,
            request_save_on_cell_execute=False,
            kernel_name="python3", progress_bar=False, log_output=False,
            execution_timeout=CELL_TIMEOUT_S, km=self.km, warm_kc=self.kc, partial_path=output,
        )
        return self.recorded_reads()

    def recorded_reads(self) -> dict[str, str | None]:
        """What the last notebook read, as the kernel recorded it."""
        fd, path = tempfile.mkstemp(prefix="perfkit-reads.", suffix=".json")
        os.close(fd)
        try:
            self._run(f"import perfkit.reads as __pk_reads\n__pk_reads.dump({path!r})\n"
                      "del __pk_reads")
            return json.loads(Path(path).read_text(encoding="utf-8"))
        finally:
            Path(path).unlink(missing_ok=True)

    def shutdown(self) -> None:
        """Stop the kernel (and anything it started)."""
        from jupyter_core.utils import run_sync

        try:
            if self.kc is not None:
                self.kc.stop_channels()
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # already gone
            log.debug("kernel shutdown", exc_info=True)
        kill_kernel(self.pid)


_LIVE_KERNELS: set[int | None] = set()
#: Called with the pid of each kernel a worker starts (the runner waits for them at the end).
_ON_KERNEL_START: list[Any] = []


def _devnull():
    return subprocess.DEVNULL


def kill_kernel(pid: int | None, wait: float = 10.0) -> None:
    """Kill a kernel's process group (kernels run in their own session) and wait until the
    kernel has ended, so that no kernel outlives the run that started it."""
    if not pid:
        return
    _LIVE_KERNELS.discard(pid)
    try:
        if hasattr(os, "killpg"):
            os.killpg(pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            os.kill(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    wait_ended(pid, wait)


def wait_ended(pid: int, timeout: float = 10.0) -> bool:
    """Wait until process ``pid`` has ended: reaped when it is our child, else gone or a zombie
    (whose reaping is its new parent's business). Returns whether it ended in time."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return True
        except ChildProcessError:  # not our child (or already reaped): watch it instead
            if not process_running(pid):
                return True
        except OSError:  # pragma: no cover - Windows
            return True
        if time.monotonic() >= deadline:
            log.warning("process %s still running %.0f s after it was killed", pid, timeout)
            return False
        time.sleep(0.02)


def process_running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return not os.path.isdir("/proc")  # gone meanwhile, or no /proc on this system
    except OSError:
        return True


_ENGINE_NAME = "perfkit-warm"
_ENGINE_REGISTERED = False


def _register_engine() -> None:
    """Register a papermill engine that runs on an already started kernel and client."""
    global _ENGINE_REGISTERED
    if _ENGINE_REGISTERED:
        return
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, **kwargs):
            kc = kwargs.pop("warm_kc")
            partial = kwargs.pop("partial_path", None)
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log=logging.getLogger("papermill"),
                                 log_output=log_output, stdout_file=stdout_file,
                                 stderr_file=stderr_file)
            client = PapermillNotebookClient(nb_man, **final)
            client.kc = kc  # reuse the warm client; the kernel is not ours to stop
            try:
                return client.execute(cleanup_kc=False)
            except Exception:
                # Cells are not saved one by one (slow); keep what ran when the kernel died or
                # a cell timed out. (Cell errors are saved by papermill itself.)
                if partial:
                    import nbformat

                    nbformat.write(nb_man.nb, partial)
                raise

    papermill_engines.register(_ENGINE_NAME, WarmEngine)
    _ENGINE_REGISTERED = True


#: Temporary paths of the task in progress, removed if the worker is told to stop.
_IN_PROGRESS: set[str] = set()


def execute_task(task: Task, kernel: WarmKernel | None) -> tuple[NotebookResult, WarmKernel | None]:
    """Execute and render one notebook; never raises (the failure is the result).

    Returns:
        The result and the kernel to use next (None when it should be replaced).
    """
    start = time.perf_counter()
    out_dir = Path(task.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = NotebookResult(task.department, task.year, task.notebook, FAILED,
                            input_hash=task.input_hash, inputs=task.inputs)
    fd, tmp = tempfile.mkstemp(prefix=f".{task.notebook}.", suffix=".partial.ipynb", dir=out_dir)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, file_mode())  # becomes <notebook>.ipynb: readable as the umask allows
    os.close(fd)
    stage = tempfile.mkdtemp(prefix=f".{task.notebook}.staging.", dir=out_dir)
    _IN_PROGRESS.update((tmp, stage))
    try:
        if kernel is not None and (kernel.root, kernel.outputs_root) != (task.root,
                                                                         task.outputs_root):
            kernel.shutdown()
            kernel = None
        if kernel is None:
            kernel = WarmKernel(task.root, task.outputs_root)
        try:
            result.reads = kernel.execute(task.source, tmp, {
                "department": task.department, "year": task.year,
                "workbook": task.workbook, "params_file": task.params_file, **task.parameters,
            })
        except Exception as exc:  # papermill raises PapermillExecutionError and kernel errors
            from papermill.exceptions import PapermillExecutionError

            result.error = describe(exc)
            result.failed_copy = _keep_failed(Path(tmp), out_dir, task.notebook)
            if not isinstance(exc, PapermillExecutionError):
                kernel.shutdown()  # dead, timed out or confused: start a new one next time
                kernel = None
            return result, kernel
        try:
            from perfkit.report.html import ReportMeta
            from perfkit.report.render import render_notebook

            with _RENDER_LOCK:
                staged = render_notebook(Path(tmp), Path(stage), task.notebook,
                                         ReportMeta(**task.meta), pdf=task.pdf,
                                         docx=task.docx, analyst_copy=task.analyst_copy)
        except Exception as exc:
            result.error = f"渲染失败：{describe(exc)}"
            result.failed_copy = _keep_failed(Path(tmp), out_dir, task.notebook)
            log.debug("render failed", exc_info=True)
            return result, kernel
        outputs = {}
        for fmt_key, path in staged.items():
            os.replace(path, out_dir / Path(path).name)
            outputs[fmt_key] = Path(path).name
        if not task.analyst_copy:  # an earlier run's copy would show outdated results
            (out_dir / f"{task.notebook}.code.html").unlink(missing_ok=True)
        final_nb = out_dir / f"{task.notebook}.ipynb"
        os.replace(tmp, final_nb)
        result.outputs = {"ipynb": final_nb.name, **outputs}
        result.status = OK
        (out_dir / FAILED_DIR / f"{task.notebook}.ipynb").unlink(missing_ok=True)
        _remove_empty(out_dir / FAILED_DIR)
    except Exception as exc:  # kernel would not start, disk full …
        result.error = describe(exc)
        log.debug("task failed", exc_info=True)
        if kernel is not None:
            kernel.shutdown()
        kernel = None
    finally:
        Path(tmp).unlink(missing_ok=True)
        shutil.rmtree(stage, ignore_errors=True)
        _IN_PROGRESS.difference_update((tmp, stage))
        result.seconds = time.perf_counter() - start
    if kernel is not None and kernel.used >= MAX_NOTEBOOKS_PER_KERNEL:
        kernel.shutdown()
        kernel = None
    return result, kernel


def _keep_failed(tmp: Path, out_dir: Path, notebook: str) -> str | None:
    """Move the partially executed copy to ``failed/<notebook>.ipynb``; return its path."""
    if not tmp.exists() or not tmp.stat().st_size:
        return None
    folder = out_dir / FAILED_DIR
    folder.mkdir(exist_ok=True)
    copy = folder / f"{notebook}.ipynb"
    os.replace(tmp, copy)
    return str(copy.relative_to(out_dir))


def _remove_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def describe(exc: BaseException) -> str:
    """One line saying what went wrong (the notebook's exception when there is one)."""
    ename = getattr(exc, "ename", None)
    if ename:
        return f"{ename}: {getattr(exc, 'evalue', '')}".strip()
    if isinstance(exc, PerfkitError):
        return str(exc)
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def cleanup_in_progress() -> None:
    """Remove the current task's temporary files and kill live kernels (on stop)."""
    for path in list(_IN_PROGRESS):
        p = Path(path)
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    _IN_PROGRESS.clear()
    for pid in list(_LIVE_KERNELS):
        kill_kernel(pid)


def _on_term(signum, frame) -> None:  # pragma: no cover - exercised by the robustness test
    cleanup_in_progress()
    os._exit(128 + signum)


#: Renders one at a time per worker: the warm-up render below runs in a thread.
_RENDER_LOCK = threading.Lock()


def _warm_imports() -> None:
    """Import what executing and rendering need, once per worker process."""
    import papermill  # noqa: F401

    from perfkit.report import render  # noqa: F401

    _register_engine()


def _warm_renderer(pdf: bool = True) -> None:
    """Render a small Chinese notebook once, in the background, while the kernel boots.

    The first render in a process finds and loads the CJK font, sets up WeasyPrint and the HTML
    templates (about 5 s, against 1-3 s for later ones); done here, it overlaps the kernel's
    start instead of delaying the first report.
    """
    def work() -> None:
        import nbformat.v4 as v4

        from perfkit.report.html import ReportMeta
        from perfkit.report.render import render_notebook

        table = ("<table><tr><th>项目</th><th>决算数（万元）</th></tr>"
                 "<tr><td>合计</td><td>1.00</td></tr></table>")
        nb = v4.new_notebook(cells=[
            v4.new_markdown_cell("# 预热\n\n部门整体支出绩效自评：收入、支出、“三公”经费。"),
            v4.new_code_cell("x", outputs=[v4.new_output(
                "execute_result", {"text/html": table, "text/plain": "x"}, execution_count=1)]),
        ])
        meta = ReportMeta(department="预热", year=2000, title="预热", generated_at="2000-01-01",
                          perfkit_version="", workbook_sha256="")
        with _RENDER_LOCK, tempfile.TemporaryDirectory(prefix="perfkit-warm-") as tmp:
            path = Path(tmp) / "warm.ipynb"
            nbformat.write(nb, path)
            started = time.perf_counter()
            try:
                render_notebook(path, Path(tmp), "warm", meta, pdf=pdf, analyst_copy=False)
            except Exception:  # no CJK font …: the real render will say so
                log.debug("render warm-up failed", exc_info=True)
            log.debug("render warm-up %.2f s", time.perf_counter() - started)
            _freeze_imports()

    import nbformat

    threading.Thread(target=work, name="perfkit-render-warmup", daemon=True).start()


def _watch_parent(parent: int) -> None:
    """Exit (kernel killed, temp files removed) as soon as the runner process is gone."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                cleanup_in_progress()
                os._exit(1)

    threading.Thread(target=watch, name="perfkit-parent-watch", daemon=True).start()


def worker_main(index: int, inbox, outbox, env: dict[str, str], log_level: int) -> None:
    """Body of one worker process: take tasks from ``inbox`` until None, report to ``outbox``.

    The worker ignores SIGINT (the parent decides what a Ctrl-C stops) and on SIGTERM removes
    its temporary files and kills its kernel before exiting.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_term)
    os.environ.update(env)
    logging.basicConfig(level=log_level, format="%(levelname)s %(name)s: %(message)s")
    skip_slow_imports()
    parent = os.getppid()
    _watch_parent(parent)
    _ON_KERNEL_START[:] = [lambda pid: outbox.put(("kernel", index, pid))]
    kernel: WarmKernel | None = None
    try:  # boot the kernel now; import the executing and rendering code while it starts
        kernel = WarmKernel(env["PERFKIT_ROOT"], env["PERFKIT_OUTPUTS"])
    except Exception:
        log.debug("kernel start failed; retried with the first task", exc_info=True)
    _warm_imports()
    _warm_renderer(pdf=env.get("PERFKIT_PDF", "1") == "1")
    outbox.put(("ready", index, os.getpid()))
    try:
        while True:
            try:
                item = inbox.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent:  # the runner died; do not linger
                    break
                continue
            if item is None:
                break
            task_id, task = item
            result, kernel = execute_task(task, kernel)
            outbox.put(("done", index, task_id, result))
    finally:
        if kernel is not None:
            kernel.shutdown()
        cleanup_in_progress()


# ---------------------------------------------------------------------------------------------
# Dask workers: the same task function, one warm kernel per worker process
# ---------------------------------------------------------------------------------------------

_DASK_KERNEL: list[WarmKernel | None] = [None]


def execute_on_dask_worker(task: Task) -> NotebookResult:
    """Run one task on a Dask worker, keeping that worker's kernel warm between tasks."""
    skip_slow_imports()
    if not getattr(execute_on_dask_worker, "_registered", False):
        atexit.register(_shutdown_dask_kernel)
        # A Dask worker started by a nanny is a multiprocessing child: it exits through
        # os._exit after running these finalizers, never through atexit.
        util.Finalize(None, _shutdown_dask_kernel, exitpriority=10)
        execute_on_dask_worker._registered = True  # type: ignore[attr-defined]
    result, _DASK_KERNEL[0] = execute_task(task, _DASK_KERNEL[0])
    return result


def _shutdown_dask_kernel() -> None:
    if _DASK_KERNEL[0] is not None:
        _DASK_KERNEL[0].shutdown()
        _DASK_KERNEL[0] = None
