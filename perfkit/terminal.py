"""What perfkit prints on a terminal. Workbook cells, report sentences, file and folder names
are data: a message is a rich Text assembled from plain runs (never parsed as markup, so "[/]" or
"[red]" in a cell is printed as typed), and every run goes through :func:`shown`, so that an ESC
in a submitted report cannot retitle the window or clear the screen, a CR or backspace cannot
overwrite what was printed, and a bidirectional control cannot reorder the digits a reviewer
reads."""

from __future__ import annotations

import logging
import re

import typer
from rich.console import Console
from rich.text import Text

from perfkit.errors import PerfkitError

console = Console(stderr=False, highlight=False)
err = Console(stderr=True, highlight=False)

# What reaches the terminal. Workbook cells, report sentences, file and folder names are data: a
# message is a rich Text assembled from plain runs (never parsed as markup, so "[/]" or "[red]" in
# a cell is printed as typed), and every run goes through shown(), so that an ESC in a submitted
# report cannot retitle the window or clear the screen, a CR or backspace cannot overwrite what
# was printed, and a bidirectional control cannot reorder the digits a reviewer reads.

#: Characters a terminal acts on instead of showing: C0 controls but tab and line feed, DEL, C1
#: controls (U+009B is CSI), and the bidirectional marks, embeddings, overrides and isolates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown(value: object) -> str:
    """``value`` as text the terminal prints as it is: each control character written out as
    its escape (``\\x1b``, ``\\u202e``)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1] if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", str(value))


def say(*parts: object) -> Text:
    """A message of plain runs and ``(text, style)`` runs: never parsed as markup, every run
    :func:`shown`."""
    return Text.assemble(*[(shown(p[0]), p[1]) if isinstance(p, tuple) else shown(p)
                           for p in parts])


class ShownFormatter(logging.Formatter):
    """Log lines (which may quote workbook or report text) with control characters shown."""

    def format(self, record: logging.LogRecord) -> str:
        return shown(super().format(record))


def fail(exc: PerfkitError) -> None:
    err.print(say(("错误", "red"), "：", str(exc)))
    raise typer.Exit(2)
