"""What a worker imports and warms before its first notebook, once.

The forkserver that local workers are forked from imports this module (``set_forkserver_preload``)
and :func:`load` runs at its import, so every worker starts with pandas, matplotlib, IPython,
papermill and perfkit's computing and rendering modules already imported, their memory shared
with the server until written to. A Dask worker, or a worker started without a forkserver, calls
:func:`load` itself. A failed import is not fatal here: the notebook that needs the module
reports it.
"""

from __future__ import annotations

import gc
import logging
import sys

log = logging.getLogger(__name__)

_LOADED: list[bool] = []


def skip_slow_imports() -> None:
    """Keep jsonschema from building the rfc3987-syntax grammar at import (about 3 s).

    jsonschema registers an ``iri`` format checker when ``rfc3987_syntax`` is importable (it is
    when jupyterlab is installed), and that import compiles a grammar. nbformat validates
    notebooks without format checks, so perfkit's own worker processes do without it.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def freeze_imports() -> None:
    """Move everything allocated so far (the imported modules) out of the garbage collector's
    sight: it lives as long as the process, and every full collection would walk it again
    (about a tenth of a notebook's execution time, and 4 % of a PDF's typesetting)."""
    gc.collect()
    gc.freeze()


def load() -> None:
    """Import everything executing and rendering a notebook needs (idempotent)."""
    if _LOADED:
        return
    _LOADED.append(True)
    skip_slow_imports()
    try:
        import concurrent.futures.process  # noqa: F401 - the worker's loop (ProcessPoolExecutor)

        import matplotlib

        matplotlib.use("agg")  # the notebook shell switches to the inline backend
        import matplotlib.pyplot
        import papermill  # noqa: F401

        import perfkit
        import perfkit.report.charts
        import perfkit.report.narrative
        import perfkit.report.render
        import perfkit.report.tables
        import perfkit.run.inprocess  # noqa: F401
        warm()
    except Exception:
        log.debug("preload failed", exc_info=True)
    freeze_imports()  # imported modules live as long as the process: keep them out of collections


def warm() -> None:
    """Fill, once, the caches each worker's first notebook would fill: the CJK font registered
    with matplotlib and its glyphs drawn, nbconvert's exporter and templates, the page template,
    the Word writer's styles. Typesetting is not warmed here: a PDF engine may start threads,
    which a process that forks must not have."""
    import tempfile
    from pathlib import Path

    import nbformat
    import nbformat.v4 as v4

    from perfkit.report.blocks import Chart, Heading, Table, par
    from perfkit.report.chartkit import new_figure
    from perfkit.report.meta import ReportMeta
    from perfkit.report.render import render_notebook

    fig = new_figure(1.2)
    ax = fig.subplots()
    ax.barh(["部门整体支出（预热）"], [133.49])
    ax.set_title("2019年度预算执行率（%）")
    shown = [Heading(1, "预热"), par("部门整体支出绩效自评：收入、支出、“三公”经费。"),
             Table(("项目", "决算数（万元）"), (("合计", "24192.45"),), (False, True)),
             Chart.from_figure(fig, "预热")]
    nb = v4.new_notebook(cells=[v4.new_code_cell("x", outputs=[
        v4.new_output("display_data", block._repr_mimebundle_()) for block in shown])])
    meta = ReportMeta(department="预热", year=2000, title="预热", generated_at="2000-01-01",
                      perfkit_version="", workbook_sha256="")
    with tempfile.TemporaryDirectory(prefix="perfkit-warm-") as tmp:
        path = Path(tmp) / "warm.ipynb"
        nbformat.write(nb, path)
        render_notebook(path, Path(tmp), "warm", meta, pdf=False, docx=True, analyst_copy=False)


if __name__ != "__main__":
    load()
