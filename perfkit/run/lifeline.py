"""How a local worker ends with the runner: the lifeline it watches, the files it removes.

A worker's parent is the forkserver, not the runner, so neither ``getppid`` nor a parent-death
signal (``PR_SET_PDEATHSIG``) would tell it that the runner has ended. It watches a pipe only the
runner holds open instead, its lifeline, and ends as soon as the pipe reads end-of-file, however
the runner ended (SIGKILL too), or when the runner closes it to stop the workers: the task's
temporary files and the worker's temporary folder (Typst's compiler folder inside) removed, no
report moved into place after (without the runner nobody holds the output folder's lock). The
forkserver then ends as well, once its last worker has (each holds its "alive" pipe).

Standard library only: the runner imports it with the engine on every run.
"""

from __future__ import annotations

import contextlib
import multiprocessing.util
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from perfkit.run.journal import journal_path

#: Temporary paths of the task in progress, removed if the worker is told to stop.
IN_PROGRESS: set[str] = set()
#: In a local worker, the read end of the runner's lifeline.
_LIFELINE: list[Any] = []
#: Held while a finished notebook's files are moved into place (:func:`committing`).
_COMMIT_LOCK = threading.Lock()
#: A SIGTERM that arrived while files were being moved into place (its number).
_DEFERRED_TERM: list[int] = []
_COMMITTING: list[bool] = [False]
#: How long the lifeline's watcher waits for the main thread to end the worker before it ends
#: the worker itself (the main thread is in C code that does not let Python run).
LIFELINE_GRACE_S = 1.0
#: Removes this worker's temporary folder: a multiprocessing finalizer, run when the worker ends
#: normally; :func:`exit_worker` calls it when the worker ends at once.
_TEMP_FOLDER: list[Any] = []
#: Name of a local worker's temporary folder, followed by the worker's process id.
WORKER_TEMP_PREFIX = "perfkit-worker-"


def cleanup_in_progress() -> None:
    """Remove the current task's temporary files (on stop)."""
    for path in list(IN_PROGRESS):
        p = Path(path)
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
            Path(journal_path(path)).unlink(missing_ok=True)
    IN_PROGRESS.clear()


def runner_alive() -> bool:
    """Whether the runner that started this worker still runs (always True without a lifeline:
    a Dask worker, or a test calling :func:`perfkit.run.engine.execute_task` directly)."""
    # The runner never writes to the lifeline, so "readable" means end-of-file.
    return not _LIFELINE or not _LIFELINE[0].poll()


@contextlib.contextmanager
def committing():
    """Move a notebook's files into place only while the runner lives, all or none of them.

    Without the runner nobody holds the output folder's lock any more (and another run may),
    so a worker that outlived it must not replace a report: the check and the moves happen
    under a lock the lifeline's watcher takes before ending the process, and a SIGTERM arriving
    meanwhile takes effect once the moves are done (a report is never left half old, half new).
    """
    with _COMMIT_LOCK:
        if not runner_alive():
            exit_worker(1)
        _COMMITTING[0] = True
        try:
            yield
        finally:
            _COMMITTING[0] = False
    if _DEFERRED_TERM:
        exit_worker(128 + _DEFERRED_TERM[0])


def exit_worker(code: int) -> None:
    """End this worker now: the task's temporary files and the worker's temporary folder
    (Typst's compiler folder inside, :mod:`perfkit.report.typstpdf`) removed, nothing else run
    (no atexit handler, no flushing of stdio, no queue waiting on a runner that is gone)."""
    try:
        cleanup_in_progress()
        for remove in _TEMP_FOLDER:
            remove()
    finally:
        os._exit(code)


def on_term(signum, frame) -> None:  # pragma: no cover - exercised by the robustness test
    """A local worker's SIGTERM handler: end now, or once the files being moved are moved."""
    if _COMMITTING[0]:
        _DEFERRED_TERM.append(signum)
        return
    exit_worker(128 + signum)


def watch_runner(lifeline: Any) -> None:
    """End this worker as soon as the runner has ended or closed the lifeline (it reads
    end-of-file).

    The main thread ends the worker, through its SIGTERM handler: it writes nothing more
    meanwhile (a cell's journal line, the executed notebook), which it could while another
    thread removed the task's files. Only if it does not within ``LIFELINE_GRACE_S`` does the
    watcher end the worker itself.
    """
    _LIFELINE[:] = [lifeline]
    kill_main = getattr(signal, "pthread_kill", None)  # interrupts a blocking read too

    def watch() -> None:
        try:
            lifeline.recv_bytes()  # the runner sends nothing: this returns only on EOF
        except (EOFError, OSError):
            pass
        if kill_main is not None:
            kill_main(threading.main_thread().ident, signal.SIGTERM)
            time.sleep(LIFELINE_GRACE_S)
        with _COMMIT_LOCK:  # files being moved into place began while the runner lived
            exit_worker(1)

    threading.Thread(target=watch, name="perfkit-runner-watch", daemon=True).start()


def own_temp_folder(base: str) -> None:
    """Give this worker a temporary folder of its own in ``base``, removed with the worker
    however it ends: what a library leaves there (Typst's compiler folder) goes with it."""
    folder = tempfile.mkdtemp(prefix=f"{WORKER_TEMP_PREFIX}{os.getpid()}-", dir=base)
    tempfile.tempdir = folder
    os.environ["TMPDIR"] = folder  # and processes the worker starts
    _TEMP_FOLDER[:] = [multiprocessing.util.Finalize(None, shutil.rmtree, args=(folder, True),
                                                     exitpriority=0)]


def remove_worker_temp(base: str, pid: int) -> None:
    """Remove the temporary folder of a local worker that ended without removing it (a notebook
    that ended the process, a crash in C code)."""
    for folder in Path(base).glob(f"{WORKER_TEMP_PREFIX}{pid}-*"):
        shutil.rmtree(folder, ignore_errors=True)


def detach_stdout() -> None:
    """Point file descriptor 1 at /dev/null (sys.stdout with it)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError):
        pass
    os.dup2(devnull, 1)
    os.close(devnull)
