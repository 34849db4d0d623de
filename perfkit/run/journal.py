"""The journal of a notebook being executed: what lets a failed worker's notebook be kept.

Before the first cell the executing engine (:mod:`perfkit.run.inprocess`) writes the
parameterized notebook to its partial path, and after each cell appends that cell's outputs, one
JSON line, to a journal beside it. If the process ends in the middle (``os._exit`` in a cell, a
crash in C code), :func:`recover` puts the two together into the notebook as far as it ran.
Standard library only: the runner uses it without importing the engine's IPython.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def journal_path(partial_path: str | os.PathLike) -> str:
    """The cell journal beside a partial notebook."""
    return f"{os.fspath(partial_path)}.cells"


def recover(partial_path: str | os.PathLike) -> bool:
    """Merge the cell journal into the partial notebook left by a process that ended while
    executing it (the journal is removed). Returns whether there was a journal to merge.

    The merged notebook replaces the partial one atomically, so a full disk leaves the partial
    notebook as it was, never cut short. A partial notebook that is not valid JSON itself (its
    first write was cut short) is left alone.
    """
    journal = Path(journal_path(partial_path))
    if not journal.exists():
        return False
    try:
        nb = json.loads(Path(partial_path).read_text(encoding="utf-8"))
        for line in journal.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:  # the last line, cut off mid-write
                break
            cell = nb["cells"][entry["index"]]
            cell["execution_count"], cell["outputs"] = entry["execution_count"], entry["outputs"]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return False
    tmp = Path(f"{os.fspath(partial_path)}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, partial_path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    journal.unlink()
    return True
