"""What a worker imports before its first notebook, once.

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


def load() -> None:
    """Import everything executing and rendering a notebook needs (idempotent)."""
    if _LOADED:
        return
    _LOADED.append(True)
    if "jsonschema" not in sys.modules:  # see engine.skip_slow_imports
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    try:
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
    except Exception:
        log.debug("preload import failed", exc_info=True)
    gc.collect()
    gc.freeze()  # imported modules live as long as the process: keep them out of collections


if __name__ != "__main__":
    load()
