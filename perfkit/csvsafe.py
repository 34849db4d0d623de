"""CSV files a spreadsheet opens as data: text that Excel would run as a formula is neutralised.

Workbook and report text reaches every CSV perfkit writes (``tables/*.csv``, ``perfkit audit
--out``): a 指标 named ``=HYPERLINK("http://…","点此")`` or a report sentence starting with
``@SUM(…)`` would be a live formula in Excel or WPS, which open a UTF-8-BOM CSV directly. As
OWASP recommends (CSV Injection), a text cell whose first character is ``=``, ``+``, ``-``,
``@``, a tab or a carriage return (or the first after leading spaces) gets a leading ``'``, which
makes the spreadsheet read the cell as text. A text cell already starting with ``'`` gets one
too, so :func:`restore` gives back exactly what was written.

A carriage return inside a cell is written as a line feed (the line break Excel itself puts in
a cell): the csv module quotes a cell holding a line feed, but not one holding a lone carriage
return, which Excel would take as the end of the row (the text after it a new row, whose first
cell could be a formula). Separators and quotes inside a cell are quoted as usual.

Numbers stay numbers: only text cells are changed. A numeric column (``-595.92``) is written
as pandas writes it, and so is text that is a plain decimal number (``"-12.5"``), which a
spreadsheet reads as that number, not as a formula. A cell like ``-595.92万元`` is text (Excel
would call it a formula and show ``#NAME?``) and is written ``'-595.92万元``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: What a cell starting with one of these means to a spreadsheet: a formula (OWASP's list).
FORMULA_START = frozenset("=+-@\t\r")
#: The prefix that makes a spreadsheet read the cell as text.
PREFIX = "'"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """``value`` as it may stand in a CSV cell: text a spreadsheet would evaluate gets ``'``.

    Args:
        value: a cell; anything that is not a ``str`` (numbers, NaN, None) is returned as is.

    Returns:
        The cell to write.
    """
    if not isinstance(value, str) or not value:
        return value
    head = value.lstrip(" ")[:1] or value[:1]
    if value[0] == PREFIX or value[0] in FORMULA_START or head in FORMULA_START:
        if _NUMBER.fullmatch(value.strip(" ")):
            return value
        return PREFIX + value
    return value


def _cell(value: Any) -> Any:
    value = neutralise(value)
    if isinstance(value, str) and "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def restore(value: Any) -> Any:
    """The cell :func:`neutralise` was given (for reading perfkit's own CSV back)."""
    if isinstance(value, str) and value.startswith(PREFIX):
        return value[1:]
    return value


def to_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (no index) with every text cell and header neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if not _numeric(safe[column]):
            safe[column] = safe[column].map(_cell, na_action="ignore")
    safe.columns = [_cell(str(c)) for c in safe.columns]
    return str(safe.to_csv(index=False, lineterminator="\n"))


def read_csv(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV written by :func:`to_csv`, text cells as they were before neutralising."""
    import pandas as pd  # here: history reads tables only when a report shows earlier years

    frame = pd.read_csv(path, **kwargs)
    frame.columns = [restore(c) for c in frame.columns]
    for column in frame.columns:
        if not _numeric(frame[column]):
            frame[column] = frame[column].map(restore, na_action="ignore")
    return frame


def _numeric(series: pd.Series) -> bool:
    return series.dtype.kind in "biufcmM"


__all__ = ["FORMULA_START", "PREFIX", "neutralise", "read_csv", "restore", "to_csv"]
