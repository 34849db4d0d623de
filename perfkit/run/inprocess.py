"""A papermill engine that executes a notebook in this Python process, without a kernel.

Why: a Jupyter kernel is a second process per worker that imports pandas, matplotlib and perfkit
again and talks to papermill over ZeroMQ; for perfkit's short report notebooks that costs more
CPU than the notebooks' own code (measured in issue 15: one kernel, six notebooks, 5.6 CPU-s
against 1.6 for the code). This engine runs the cells in an IPython ``InteractiveShell`` inside
the worker, which already holds those imports, and records what the cells print and display
as the same notebook outputs a kernel would send (``stream``, ``display_data``,
``execute_result``, ``error``), so the executed ``.ipynb`` and everything rendered from it are
unchanged. papermill still injects the parameters, records each cell's timing and status, and
raises :class:`papermill.exceptions.PapermillExecutionError` for a failing cell.

Each notebook gets a fresh namespace (``reset``), and what a notebook may change outside it
(matplotlib settings and open figures, working directory, warning filters, ``sys.path``) is put
back before the next one (:mod:`perfkit.run.engine`). A cell that runs longer than the timeout
is interrupted (``SIGALRM`` in the main thread, an asynchronous exception elsewhere). A
notebook that ends the process (``os._exit``, a crash in C code) still leaves what ran for
diagnosis: the parameterized notebook is written to ``partial_path`` before the first cell, and
each executed cell is appended to a journal beside it (``<partial_path>.cells``, one JSON line
per cell: appending costs only that cell's outputs, where rewriting the notebook after every
cell cost 7 % of the execution time); :func:`perfkit.run.journal.recover` puts the two together.

It registers itself with papermill when imported (``engine_name="perfkit-inprocess"``). It is
not a papermill entry point: papermill imports its entry points while it is itself being
imported, which would make importing this module first a circular import.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import json
import os
import signal
import sys
import threading
from typing import Any

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from nbformat.notebooknode import from_dict
from papermill.engines import Engine, papermill_engines
from traitlets import Type
from traitlets.config import Config

from perfkit.run.journal import journal_path


def _mime(bundle: Any) -> dict[str, Any]:
    """A format dict as a kernel sends it: binary data (PNG) base64-encoded text."""
    return {k: base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v
            for k, v in dict(bundle or {}).items()}


class _Outputs:
    """The outputs of the cell being executed (a list of nbformat output dicts)."""

    current: list[dict[str, Any]] | None = None
    #: The running cell's execution count (IPython has already counted it up meanwhile).
    count: int | None = None

    @classmethod
    def add(cls, output: dict[str, Any]) -> None:
        if cls.current is not None:
            cls.current.append(from_dict(output))

    @classmethod
    def stream(cls, name: str, text: str) -> None:
        if cls.current is None or not text:
            return
        last = cls.current[-1] if cls.current else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            cls.add({"output_type": "stream", "name": name, "text": text})


class _Publisher(DisplayPublisher):
    """``display(...)`` becomes a ``display_data`` output of the running cell."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False,
                **kwargs) -> None:
        _Outputs.add({"output_type": "display_data", "data": _mime(data),
                      "metadata": dict(metadata or {})})

    def clear_output(self, wait=False) -> None:
        if _Outputs.current is not None:
            _Outputs.current.clear()


class _Hook(DisplayHook):
    """A cell's last expression becomes its ``execute_result`` output."""

    def start_displayhook(self) -> None:
        pass

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        _Outputs.add({"output_type": "execute_result", "data": _mime(format_dict),
                      "metadata": dict(md_dict or {}),
                      "execution_count": _Outputs.count})

    def finish_displayhook(self) -> None:
        sys.stdout.flush()


class _Stream:
    """``sys.stdout`` / ``sys.stderr`` while a cell runs: text becomes ``stream`` outputs."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, name: str):
        self.name = name

    def write(self, text: str) -> int:
        _Outputs.stream(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class NotebookShell(InteractiveShell):
    """An IPython shell whose displays, results and tracebacks are notebook outputs."""

    displayhook_class = Type(_Hook)
    display_pub_class = Type(_Publisher)

    def _showtraceback(self, etype, evalue, stb) -> None:
        _Outputs.add({"output_type": "error", "ename": getattr(etype, "__name__", str(etype)),
                      "evalue": str(evalue), "traceback": list(stb)})

    def enable_gui(self, gui=None):  # no event loop to integrate with
        pass


_SHELL: list[NotebookShell] = []


def shell() -> NotebookShell:
    """The process's notebook shell, created on first use with matplotlib's inline backend (the
    one a kernel uses: figures become PNG outputs at the end of the cell)."""
    if not _SHELL:
        config = Config()
        # No history database: a kernel's history is of no use to a report run, and IPython
        # would write every cell of every notebook to ~/.ipython from a thread of its own.
        config.HistoryManager.enabled = False
        main = sys.modules.get("__main__")
        sh = NotebookShell.instance(config=config, colors="nocolor")
        if main is not None:
            # IPython puts the notebook's namespace in sys.modules as __main__ (notebook code
            # still sees __name__ == "__main__"); the process keeps its own, which
            # multiprocessing needs to start processes.
            sys.modules["__main__"] = main
        sh.enable_matplotlib("inline")
        _SHELL.append(sh)
    return _SHELL[0]


class CellTimeout(Exception):
    """A cell ran longer than the notebook's execution timeout."""


def _alarm(signum, frame):
    raise CellTimeout("单元格运行超时")


def _interrupt_thread(ident: int) -> None:
    """Raise :class:`CellTimeout` in thread ``ident`` (at its next Python instruction)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(CellTimeout))


def run_cell(cell: Any, timeout: float | None = None) -> bool:
    """Execute one code cell into its ``outputs``; whether it ran without an error.

    A cell running longer than ``timeout`` seconds is interrupted with :class:`CellTimeout`: by
    ``SIGALRM`` in the main thread (a worker process), by an asynchronous exception from a timer
    elsewhere (a Dask worker's task thread), which takes effect at the cell's next Python
    instruction.
    """
    sh = shell()
    cell.outputs = []
    _Outputs.current = cell.outputs
    in_main = threading.current_thread() is threading.main_thread()
    use_alarm = bool(timeout) and in_main and hasattr(signal, "setitimer")
    previous = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
    timer = None
    if timeout and not use_alarm:
        timer = threading.Timer(float(timeout), _interrupt_thread, (threading.get_ident(),))
        timer.daemon = True
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
    try:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, float(timeout))  # type: ignore[arg-type]
        elif timer is not None:
            timer.start()
        cell.execution_count = _Outputs.count = sh.execution_count
        result = sh.run_cell(cell.source, store_history=True, silent=False)
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        elif timer is not None:
            timer.cancel()
        sys.stdout, sys.stderr = saved
        _Outputs.current = None
    return result.success


class CellError(Exception):
    """A cell raised; its error output is in the notebook."""


class _Journal:
    """The partial notebook and its cell journal (nothing when there is no ``partial_path``)."""

    def __init__(self, nb: Any, path: str | None):
        self.fh = None
        if not path:
            return
        with open(path, "w", encoding="utf-8") as out:
            json.dump(nb, out, ensure_ascii=False)
        self.fh = open(journal_path(path), "w", encoding="utf-8")  # closed in close()

    def cell(self, index: int, cell: Any) -> None:
        if self.fh is not None:
            self.fh.write(json.dumps({"index": index, "execution_count": cell.execution_count,
                                      "outputs": cell.outputs}, ensure_ascii=False) + "\n")
            self.fh.flush()

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            os.unlink(self.fh.name)
            self.fh = None


#: The notebook the engine executes or executed last (papermill returns it on success only;
#: after a cell's error the caller saves it from here).
_EXECUTED: list[Any] = []


def executed() -> Any:
    """The notebook the engine executed last (None after :func:`forget_executed`)."""
    return _EXECUTED[0] if _EXECUTED else None


def forget_executed() -> None:
    """Drop the reference to the last executed notebook (call before executing the next)."""
    _EXECUTED.clear()


def _write_atomic(path: str, nb: Any) -> None:
    """Write ``nb`` as JSON to ``path`` through a temporary file beside it, so that a full disk
    leaves the earlier copy rather than a truncated one."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(nb, out, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class InProcessEngine(Engine):
    """papermill engine: the cells run in this process's :class:`NotebookShell`.

    Engine keyword arguments: ``partial_path`` (the parameterized notebook, then a journal of
    its cells, see the module docstring) and ``metadata_paths`` (``input_path`` and
    ``output_path`` for the notebook's papermill metadata instead of the paths papermill was
    given, which may be temporary files).
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None,
                                 **kwargs):
        partial = kwargs.get("partial_path")
        _EXECUTED[:] = [nb_man.nb]
        nb_man.nb.metadata.setdefault("papermill", {}).update(kwargs.get("metadata_paths") or {})
        journal = _Journal(nb_man.nb, partial)
        try:
            for index, cell in enumerate(nb_man.nb.cells):
                try:
                    nb_man.cell_start(cell, index)
                    if cell.cell_type == "code" and cell.source.strip():
                        if not run_cell(cell, execution_timeout):
                            raise CellError
                        journal.cell(index, cell)
                except CellError as exc:
                    nb_man.cell_exception(nb_man.nb.cells[index], cell_index=index,
                                          exception=exc)
                    break
                finally:
                    nb_man.cell_complete(nb_man.nb.cells[index], cell_index=index)
        except BaseException:
            if partial:  # keep what ran (papermill saves the notebook only after a cell error)
                _write_atomic(partial, nb_man.nb)
            raise
        finally:
            journal.close()
        return nb_man.nb


#: The engine's name for ``papermill.execute_notebook(engine_name=…)``.
ENGINE_NAME = "perfkit-inprocess"
papermill_engines.register(ENGINE_NAME, InProcessEngine)
