"""Where the runner's tasks execute: local worker processes, or a Dask cluster.

Local workers are processes of ``concurrent.futures.ProcessPoolExecutor``, forked from a server
that imported what they need once (``forkserver`` with :mod:`perfkit.run.preload`; spawned where
there is no forkserver, Windows). Each worker is an executor of its own (``max_workers=1``), fed
from one queue of tasks: a worker is sent the next task as soon as it reports the last one, from
the thread that receives the report, so no worker idles while the runner validates the next
department-year and no task waits behind a long notebook while another worker is free.

One executor per worker because of what an executor does when one of its processes dies: it
fails every task it holds and terminates its other processes (``BrokenProcessPool``). With one
process each, a notebook that ends its worker (``os._exit``, a crash in C code, the kernel's
out-of-memory killer) fails alone: the pool keeps the cells that ran (:mod:`perfkit.run.journal`),
fails that notebook with the process's exit code and gives the slot a new executor; no other
notebook is touched. A worker retires after ``MAX_NOTEBOOKS_PER_WORKER`` notebooks, or after a
failure outside a notebook's cells, by saying so in its reply (:class:`~perfkit.run.engine.TaskDone`):
its executor is shut down, and the slot gets a new one for its next task. Not the executor's own
``max_tasks_per_child``: on Python 3.11 and 3.12 a process retired that way is not always
replaced, and the tasks queued behind it wait for ever (CPython gh-115634).

Nothing outlives the runner: the workers watch its lifeline, a pipe only the runner holds open
(:mod:`perfkit.run.lifeline`), and end as soon as it closes, however the runner ended;
:meth:`LocalPool.stop` closes it to stop them at once (Ctrl-C, SIGTERM, a closed terminal).
"""

from __future__ import annotations

import functools
import logging
import multiprocessing as mp
import multiprocessing.connection
import os
import queue
import shutil
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, cast

from perfkit import config
from perfkit.errors import PerfkitError
from perfkit.run import engine, remote
from perfkit.run.engine import (
    FAILED,
    NotebookResult,
    Scratch,
    Task,
    TaskDone,
    describe,
    execute_on_dask_worker,
    keep_failed,
    run_task,
    start_worker,
    worker_started,
)
from perfkit.run.journal import recover
from perfkit.run.lifeline import remove_worker_temp

log = logging.getLogger(__name__)

#: How often a task is sent again when its worker ended before the task began (the process was
#: killed while idle, or failed to start): beyond that, the task fails.
SEND_ATTEMPTS = 3
LOST = "执行笔记本时工作进程意外退出（退出码 {exitcode}）"


def _failed(task: Task, error: str, failed_copy: str | None = None) -> NotebookResult:
    return NotebookResult(task.department, task.year, task.notebook, FAILED,
                          input_hash=task.input_hash, inputs=task.inputs, error=error,
                          failed_copy=failed_copy)


class _Context:
    """A multiprocessing context that keeps the processes it makes.

    An executor keeps its processes to itself; the pool needs its worker's process for the
    exit code when it dies, and to end it if it does not end when told to.
    """

    def __init__(self, context: Any):
        self._context = context
        self.processes: list[BaseProcess] = []

    def Process(self, *args: Any, **kwargs: Any) -> BaseProcess:  # the context's name
        process = self._context.Process(*args, **kwargs)
        self.processes.append(process)
        return process

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class _Worker:
    """One local worker: an executor with one process."""

    def __init__(self, context: Any, initargs: tuple[Any, dict[str, str], int, str, int]):
        self._context = _Context(context)
        self.executor = ProcessPoolExecutor(max_workers=1,
                                            mp_context=cast(BaseContext, self._context),
                                            initializer=start_worker, initargs=initargs)

    def processes(self) -> list[BaseProcess]:
        """The worker's process, once the executor has started it."""
        return [p for p in self._context.processes if p.pid is not None]

    def exitcode(self) -> int | None:
        return next((p.exitcode for p in self.processes()), None)

    def ended(self) -> bool:
        return all(p.exitcode is not None for p in self.processes())


@dataclass(frozen=True)
class _Job:
    """A task on its way to a worker."""

    task_id: int
    task: Task
    scratch: Scratch
    attempt: int = 1


@dataclass
class _Slot:
    """A place for one worker: the worker in it (None after it retired, until its next task),
    and the job it runs."""

    worker: _Worker | None = None
    job: _Job | None = None


@dataclass(frozen=True)
class _Finished:
    task_id: int
    result: NotebookResult


@dataclass(frozen=True)
class _Lost:
    """The worker running ``job`` ended before replying."""

    job: _Job
    exitcode: int | None
    pid: int | None


class LocalPool:
    """Worker processes on this machine taking tasks from one queue (see the module's text)."""

    def __init__(self, jobs: int, outputs_root: Path):
        if "forkserver" in mp.get_all_start_methods():
            self._mp: Any = mp.get_context("forkserver")
            self._mp.set_forkserver_preload(["perfkit.run.preload"])
        else:  # pragma: no cover - Windows
            self._mp = mp.get_context("spawn")
        # The lifeline: each worker watches the read end; the write end stays in this process
        # alone (not inheritable, never sent), so when the runner ends, however it ends, the
        # workers read end-of-file and end too, writing nothing more (lifeline.watch_runner).
        self._lifeline, self._lifeline_w = self._mp.Pipe(duplex=False)
        self._temp = tempfile.gettempdir()
        env = {"PERFKIT_ROOT": str(config.ROOT), "PERFKIT_OUTPUTS": str(outputs_root)}
        self._initargs: tuple[Any, dict[str, str], int, str, int] = (
            self._lifeline, env, logging.getLogger().getEffectiveLevel(), self._temp,
            engine.MAX_NOTEBOOKS_PER_WORKER)
        self._slots = [_Slot() for _ in range(jobs)]
        self._waiting: deque[_Job] = deque()
        #: Workers replaced, joined when the pool closes.
        self._retired: list[_Worker] = []
        self._replies: queue.SimpleQueue[_Finished | _Lost] = queue.SimpleQueue()
        # Held by the runner's thread and the executors' threads (their replies); re-entrant,
        # as a reply to a task that already ended is handled in the thread that sent it.
        self._lock = threading.RLock()
        self._started = self._stopping = False
        # Starting the first worker waits for the forkserver's imports (about 2 s): in a thread,
        # so that the runner validates the department-year meanwhile.
        self._starter = threading.Thread(target=self._start, name="perfkit-start-workers",
                                         daemon=True)
        self._starter.start()

    def _start(self) -> None:
        for slot in self._slots:
            worker = _Worker(self._mp, self._initargs)
            try:
                worker.executor.submit(worker_started)
            except Exception:  # its first task starts it again, or fails saying why
                log.debug("starting a worker", exc_info=True)
            with self._lock:
                slot.worker = worker
        with self._lock:
            self._started = True
            self._feed()

    def submit(self, task_id: int, task: Task) -> None:
        with self._lock:
            self._waiting.append(_Job(task_id, task, Scratch.for_task(task)))
            self._feed()

    def _feed(self) -> None:
        """Send the waiting tasks to the free workers (the lock held)."""
        if not self._started or self._stopping:
            return
        for slot in self._slots:
            while slot.job is None and self._waiting:
                self._send(slot, self._waiting.popleft())

    def _send(self, slot: _Slot, job: _Job) -> None:
        for _ in range(2):
            if slot.worker is None:
                slot.worker = _Worker(self._mp, self._initargs)
            worker = slot.worker
            try:
                future = worker.executor.submit(run_task, job.task, job.scratch)
            except BrokenProcessPool:  # its process ended while it had no task (killed)
                self._retire(slot)
                continue
            except Exception as exc:  # no process could be started (out of memory …)
                self._replies.put(_Finished(job.task_id, _failed(job.task, describe(exc))))
                return
            slot.job = job
            future.add_done_callback(functools.partial(self._on_reply, slot, worker, job))
            return
        self._replies.put(_Lost(job, worker.exitcode(), None))

    def _on_reply(self, slot: _Slot, worker: _Worker, job: _Job, future: Future) -> None:
        """The worker's reply to ``job``, or its end (in the executor's thread)."""
        with self._lock:
            if slot.job is job:
                slot.job = None
            if self._stopping or future.cancelled():
                return
            try:
                done: TaskDone = future.result()
            except BrokenProcessPool:
                pids = [p.pid for p in worker.processes()]
                self._replies.put(_Lost(job, worker.exitcode(), pids[0] if pids else None))
                self._retire(slot)
            except Exception as exc:  # the task or its result could not be sent
                self._replies.put(_Finished(job.task_id, _failed(job.task, describe(exc))))
            else:
                self._replies.put(_Finished(job.task_id, done.result))
                if done.retire:
                    self._retire(slot)
            self._feed()

    def _retire(self, slot: _Slot) -> None:
        """Shut the slot's executor down (its process ends once it has replied); the slot gets
        a new one with its next task."""
        if slot.worker is not None:
            slot.worker.executor.shutdown(wait=False)
            # Those that have ended are let go (each holds a file descriptor while kept).
            self._retired = [w for w in self._retired if not w.ended()] + [slot.worker]
            slot.worker = None

    def next_result(self, timeout: float) -> tuple[int, NotebookResult] | None:
        """The next result, waiting up to ``timeout`` seconds; None if none came."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self._replies.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if isinstance(reply, _Finished):
                return reply.task_id, reply.result
            result = self._lost(reply)
            if result is not None:
                return reply.job.task_id, result

    def _lost(self, lost: _Lost) -> NotebookResult | None:
        """The result of a task whose worker ended before replying: failed, with the cells that
        ran kept in ``failed/``; or None when it is sent again (it had not begun)."""
        job, task = lost.job, lost.job.task
        if lost.pid is not None:
            remove_worker_temp(self._temp, lost.pid)
        notebook = Path(job.scratch.notebook)
        if not notebook.exists() and job.attempt < SEND_ATTEMPTS:
            with self._lock:
                self._waiting.appendleft(_Job(job.task_id, task, Scratch.for_task(task),
                                              job.attempt + 1))
                self._feed()
            return None
        failed_copy = None
        if notebook.exists():
            try:
                recover(notebook)  # the cells that ran, from their journal
                failed_copy = keep_failed(notebook, Path(task.out_dir), task.notebook)
            except OSError:  # a full disk, a read-only folder: the failure stands
                log.debug("keeping %s", notebook, exc_info=True)
        shutil.rmtree(job.scratch.staging, ignore_errors=True)
        code = "未知" if lost.exitcode is None else lost.exitcode
        return _failed(task, LOST.format(exitcode=code), failed_copy)

    def close(self) -> None:
        """Let the workers finish their tasks and end; then the forkserver."""
        self._starter.join()
        workers = self._take_workers()
        for worker in workers:
            worker.executor.shutdown(wait=False)
        processes = [p for w in workers for p in w.processes()]
        for still in _ended(processes, 30):  # a thread a notebook left running …
            still.terminate()
        for still in _ended(processes, 5):
            still.kill()
        for worker in workers:
            worker.executor.shutdown(wait=True)
        self._cut_lifeline()
        _stop_forkserver()

    def stop(self) -> None:
        """Stop now: the lifeline closed, every worker removes its temporary files and ends (a
        notebook's files being moved into place are moved first, all of them)."""
        self._starter.join()
        with self._lock:
            self._stopping = True
            self._waiting.clear()
        workers = self._take_workers()
        self._cut_lifeline()
        processes = [p for w in workers for p in w.processes()]
        for still in _ended(processes, 10):  # stuck in C code that never lets Python run
            still.kill()
        _ended(processes, 5)
        for worker in workers:
            worker.executor.shutdown(wait=True, cancel_futures=True)
        _stop_forkserver()

    def _take_workers(self) -> list[_Worker]:
        with self._lock:
            workers = [s.worker for s in self._slots if s.worker is not None] + self._retired
            for slot in self._slots:
                slot.worker = None
            self._retired = []
        return workers

    def _cut_lifeline(self) -> None:
        """Close both ends: a worker still alive ends on reading end-of-file."""
        self._lifeline_w.close()
        self._lifeline.close()


def _ended(processes: list[BaseProcess], timeout: float) -> list[BaseProcess]:
    """Wait up to ``timeout`` seconds for ``processes`` to end; those still running."""
    deadline = time.monotonic() + timeout
    running: dict[Any, BaseProcess] = {p.sentinel: p for p in processes}
    while running and (left := deadline - time.monotonic()) > 0:
        for sentinel in multiprocessing.connection.wait(list(running), left):
            running.pop(sentinel)
    return list(running.values())


def _stop_forkserver() -> None:
    """End the server the workers were forked from, so that no process outlives the run (the
    next run starts one again, at the cost of its imports).

    The one private name the pool uses from the standard library: multiprocessing has no public
    way to stop its forkserver (CPython bpo-37507 asked for one and was declined), and without
    it a long-lived process (JupyterLab, a test session) keeps an idle server holding every
    preloaded module. Without the attribute (another Python), the server ends with this process.
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if stop is not None:
        try:
            stop()
        except OSError:  # already gone
            log.debug("forkserver stop", exc_info=True)


class DaskPool:
    """The same tasks on a Dask distributed cluster (an address, or a LocalCluster).

    On a cluster given by its address a worker may run on another machine with its own disk:
    each task carries its input files, by content (:mod:`perfkit.run.remote`; each content is
    scattered once), and the documents come back to the runner, which writes them. A
    LocalCluster shares this machine's folders: its tasks read and write them directly.
    """

    def __init__(self, scheduler: str, jobs: int):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise PerfkitError("未安装 Dask：pip install 'perfkit[dask]'，或不用 --scheduler。"
                               ) from None
        self.cluster = None
        if scheduler == "local":
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            self.client = Client(scheduler)
        self.remote = self.cluster is None
        self.scattered: dict[str, Any] = {}  # content hash → the cluster's copy
        self.futures: dict[Any, tuple[int, Task]] = {}

    def submit(self, task_id: int, task: Task) -> None:
        key = f"perfkit-{task.department}-{task.year}-{task.notebook}-{os.getpid()}-{task_id}"
        if not self.remote:
            fut = self.client.submit(execute_on_dask_worker, task, pure=False, key=key)
            self.futures[fut] = (task_id, task)
            return
        packed, by_hash = remote.pack(task)
        for sha, path in by_hash.items():
            if sha not in self.scattered:
                self.scattered[sha] = self.client.scatter(path.read_bytes(), hash=False,
                                                          broadcast=False)
        blobs = {sha: self.scattered[sha] for sha in set(packed.files.values())}
        fut = self.client.submit(cast(Any, remote.execute_remote), packed, blobs, pure=False, key=key)
        self.futures[fut] = (task_id, task)

    def next_result(self, timeout: float) -> tuple[int, NotebookResult] | None:
        from distributed import wait

        if not self.futures:
            return None
        try:
            done, _ = wait(list(self.futures), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return None
        for fut in done:
            task_id, t = self.futures.pop(fut)
            try:
                reply = fut.result()
                return task_id, (remote.unpack(reply, t) if self.remote else reply)
            except Exception as exc:  # the worker died or the task could not be sent
                return task_id, _failed(t, f"Dask：{describe(exc)}")
        return None

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def stop(self) -> None:
        try:
            self.client.cancel(list(self.futures))
        finally:
            self.close()
