"""The papermill engine that executes notebooks without a kernel (perfkit.run.inprocess)."""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from papermill.exceptions import PapermillExecutionError

from perfkit.run import inprocess
from perfkit.run.journal import journal_path, recover


def _notebook(path, *sources, parameters="x = 1"):
    cells = [new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    cells += [new_markdown_cell(s[3:]) if s.startswith("md:") else new_code_cell(s)
              for s in sources]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def _run(tmp_path, *sources, **kwargs):
    src = _notebook(tmp_path / "in.ipynb", *sources)
    out = tmp_path / "out.ipynb"
    inprocess.shell().reset(new_session=True)
    pm.execute_notebook(src, out, engine_name=inprocess.ENGINE_NAME, progress_bar=False,
                        kernel_name="python3", **kwargs)
    return nbformat.read(out, as_version=4)


def test_outputs_are_those_a_kernel_sends(tmp_path):
    nb = _run(
        tmp_path,
        "print('一'); print('二')",
        "import sys; print('警告', file=sys.stderr)",
        "from IPython.display import Markdown, display\ndisplay(Markdown('**甲**'))\nMarkdown('乙')",
        "x * 21",
        "md:文字",
        "from matplotlib.figure import Figure\nfig = Figure(figsize=(2, 1))\n"
        "fig.subplots().plot([1, 2])\nfig",
        parameters={"x": 2})
    code = [c for c in nb.cells if c.cell_type == "code"]
    injected = code[1]
    assert "injected-parameters" in injected.metadata.tags and "x = 2" in injected.source
    printed, warned, shown, result, figure = code[2:]
    assert [(o.output_type, o.name, o.text) for o in printed.outputs] == [
        ("stream", "stdout", "一\n二\n")]  # consecutive prints are one output, as from a kernel
    assert [(o.output_type, o.name) for o in warned.outputs] == [("stream", "stderr")]
    assert [o.output_type for o in shown.outputs] == ["display_data", "execute_result"]
    assert shown.outputs[0].data["text/markdown"] == "**甲**"
    assert result.outputs[0].data["text/plain"] == "42"
    assert result.outputs[0].execution_count == result.execution_count
    png = base64.b64decode(figure.outputs[0].data["image/png"])
    assert png.startswith(b"\x89PNG")
    assert all(c.metadata.papermill.status == "completed" for c in code)


def test_a_failing_cell_stops_the_notebook_and_papermill_raises(tmp_path):
    with pytest.raises(PapermillExecutionError) as caught:
        _run(tmp_path, "y = 1", "1 / 0", "z = 3")
    assert caught.value.ename == "ZeroDivisionError"
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    failing = next(c for c in code if c.source == "1 / 0")
    assert failing.outputs[-1].output_type == "error"
    assert failing.metadata.papermill.exception is True
    last = next(c for c in code if c.source == "z = 3")
    assert last.execution_count is None and last.outputs == []  # not run


@pytest.mark.slow  # waits for cell timeouts
def test_a_cell_over_the_timeout_is_interrupted(tmp_path):
    with pytest.raises(PapermillExecutionError) as caught:
        _run(tmp_path, "import time\nwhile True: time.sleep(0.01)", execution_timeout=0.5)
    assert caught.value.ename == "CellTimeout"


@pytest.mark.slow  # waits for cell timeouts
def test_the_timeout_holds_outside_the_main_thread_too(tmp_path):
    """A Dask worker runs tasks in a thread of its own, where SIGALRM cannot reach."""
    import threading

    caught = []

    def task():
        try:
            _run(tmp_path, "import time\nwhile True: time.sleep(0.01)", execution_timeout=0.5)
        except PapermillExecutionError as exc:
            caught.append(exc.ename)

    thread = threading.Thread(target=task)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive() and caught == ["CellTimeout"]


def test_a_notebook_that_ends_the_process_leaves_what_ran(tmp_path):
    """Before the first cell the parameterized notebook is on disk, and each executed cell is
    journalled beside it; recover() puts them together (what the runner does when a worker died
    in a notebook)."""
    partial = tmp_path / "partial.ipynb"
    snapshot = tmp_path / "seen"
    src = _notebook(tmp_path / "in.ipynb", "print('已运行')",
                    "import shutil\n"
                    f"shutil.copy({str(partial)!r}, {str(snapshot)!r})\n"
                    f"shutil.copy({journal_path(partial)!r}, {str(snapshot) + '.cells'!r})")
    pm.execute_notebook(src, tmp_path / "out.ipynb", engine_name=inprocess.ENGINE_NAME,
                        progress_bar=False, kernel_name="python3", partial_path=str(partial),
                        parameters={"x": 5})
    assert not Path(journal_path(partial)).exists()  # finished: no journal left
    assert recover(snapshot)  # what a process ending in the second cell left
    seen = nbformat.read(snapshot, as_version=4)
    assert "injected-parameters" in seen.cells[1].metadata.tags
    assert seen.cells[2].outputs[0].text == "已运行\n"
    assert seen.cells[3].outputs == []  # the cell that was running when the process ended
    assert not recover(snapshot)  # merged once


def test_a_new_notebook_sees_a_fresh_namespace(tmp_path):
    _run(tmp_path, "leftover = 1")
    with pytest.raises(PapermillExecutionError) as caught:
        _run(tmp_path, "leftover")
    assert caught.value.ename == "NameError"
