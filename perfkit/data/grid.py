"""The cells of one sheet, read within bounds: what a workbook costs to read depends on what it
holds, not on how far its last formatted cell is.

openpyxl's read-only mode parses a sheet's XML as a stream; this module drives its parser
(:class:`openpyxl.worksheet._reader.WorkSheetParser`, the one ``ReadOnlyWorksheet`` uses) itself,
so that

- rows absent from the file cost nothing (a space typed at A1048576 is one row, not a million),
  and so do cells that only carry formatting (no value element);
- only the first :attr:`~perfkit.data.limits.ReadLimits.max_columns` columns are kept; a value
  further right, or below :attr:`~perfkit.data.limits.ReadLimits.max_rows`, is reported with
  its cell and ends the reading;
- a run of :data:`~perfkit.data.limits.BLANK_RUN_ROWS` empty rows that are in the file (a
  formatted range) ends the parse; a byte scan of the part (fast, no XML objects) says whether
  any value follows, and only then is the sheet parsed to its end;
- a cell whose stored value cannot be read (``inf`` or ``nan`` written by a program, an empty
  number, a shared string that does not exist) is reported with its cell instead of read as
  empty or raising, and a formula without a cached result is reported with its text.

Merged cells are listed by the same byte scan (they follow the rows in the file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any

from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from perfkit.data.limits import BLANK_RUN_ROWS, ReadLimits

#: Value and formula elements (``<v>``, ``<is>``, ``<f>``), merged ranges and sheet protection,
#: with or without a namespace prefix: what the byte scan looks for.
_SCAN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:(?P<value>v|is|f)\b|mergeCell\b[^<>]*?\bref=\"(?P<ref>"
                   rb"[^\"]{1,32})\"|(?P<protection>sheetProtection)\b)")
_SCAN_CHUNK = 1 << 20
_SCAN_OVERLAP = 512
_VALUE_NAMES = frozenset({"v", "is", "f"})


@dataclass(frozen=True)
class Unreadable:
    """A stored cell value that cannot be read as what its type says; ``why`` says what it is."""

    raw: str
    why: str

    def __str__(self) -> str:
        return self.raw


@dataclass
class Grid:
    """The values of one sheet within the limits it was read under.

    Attributes:
        title: the sheet's name.
        rows: row number → {column number: value}, only rows that hold a value, only columns
            up to the limit; values as openpyxl gives them (str, int, float, bool, datetime).
        hidden: rows marked hidden.
        merged: merged ranges (``A1:B2``), in file order.
        uncached: (cell, formula text) of formulas whose result the file does not hold.
        unreadable: (cell, what is wrong) of values that cannot be read; not in ``rows``.
        beyond_rows: the first cell holding a value below the row limit (reading stopped there).
        beyond_columns: the first cell holding a value right of the column limit.
        protected: the sheet is protected against editing (reading is unaffected).
    """

    title: str
    rows: dict[int, dict[int, Any]] = field(default_factory=dict)
    hidden: set[int] = field(default_factory=set)
    merged: list[str] = field(default_factory=list)
    uncached: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    beyond_rows: str = ""
    beyond_columns: str = ""
    protected: bool = False

    @property
    def max_row(self) -> int:
        return max(self.rows, default=0)

    def value(self, row: int, column: int) -> Any:
        return self.rows.get(row, {}).get(column)


def is_blank(value: Any) -> bool:
    """Empty, or text of spaces only: not data."""
    return value is None or (isinstance(value, str) and value.strip() == "")


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, cached values only, that skips formatting-only cells and
    reports what it cannot read instead of raising."""

    def __init__(self, src: IO[bytes], book: Any, shared_strings: list, grid: Grid):
        super().__init__(src, shared_strings, data_only=True, epoch=book.epoch,
                         date_formats=book._date_formats,
                         timedelta_formats=book._timedelta_formats)
        self.grid = grid
        self.row_counter: int = 0
        self.col_counter: int = 0
        self.values_seen = 0  # value and formula elements parsed: compared with the byte scan

    def parse_row(self, row: Any) -> tuple[int, list[dict[str, Any]]]:
        r = row.get("r")
        try:
            self.row_counter = int(r) if r is not None else self.row_counter + 1
        except ValueError:
            self.row_counter += 1  # a damaged row number: count on, as Excel would
        self.col_counter = 0
        if row.get("hidden") in ("1", "true"):
            self.grid.hidden.add(self.row_counter)
        cells = []
        for element in row:
            children = [child.tag.rpartition("}")[2] for child in element]
            if not children:  # formatting only: no value, no formula
                ref = element.get("r")
                self.col_counter = _column(ref) if ref else self.col_counter + 1
                continue
            self.values_seen += sum(1 for name in children if name in _VALUE_NAMES)
            cells.append(self.parse_cell(element))
        return self.row_counter, cells

    def parse_cell(self, element: Any) -> dict[str, Any]:
        ref = element.get("r")
        raw = element.findtext(VALUE_TAG)
        try:
            cell = super().parse_cell(element)
        except (ValueError, OverflowError, IndexError, KeyError, TypeError) as exc:
            row, column = _position(ref, self.row_counter, self.col_counter + 1)
            self.col_counter = column
            why = _unreadable(element.get("t", "n"), raw, exc)
            return {"row": row, "column": column, "value": Unreadable(str(raw), why)}
        formula = element.find(FORMULA_TAG)
        if formula is not None:
            text = self.parse_formula(element)  # keeps shared formulas translatable
            if cell["value"] is None:
                shown = text if isinstance(text, str) else getattr(text, "text", None) or str(text)
                self.grid.uncached.append((_ref(cell), shown))
        elif cell["value"] is None and raw is not None and element.get("t", "n") == "n":
            cell["value"] = Unreadable("", "数值单元格中没有数（程序把无穷大或非数值 NaN 写成了空值）")
        elif isinstance(cell["value"], float) and cell["value"] != cell["value"]:
            cell["value"] = Unreadable(str(raw), f"非数值 {raw}")
        return cell


def _column(ref: str) -> int:
    try:
        return coordinate_to_tuple(ref)[1]
    except (ValueError, TypeError):
        return 0


def _position(ref: str | None, row: int, column: int) -> tuple[int, int]:
    try:
        return coordinate_to_tuple(ref) if ref else (row, column)
    except (ValueError, TypeError):
        return row, column


def _ref(cell: dict[str, Any]) -> str:
    return f"{get_column_letter(cell['column'])}{cell['row']}"


def _unreadable(kind: str, raw: str | None, exc: Exception) -> str:
    text = (raw or "").strip()
    shown = text if len(text) <= 20 else text[:20] + "…"
    if kind == "s":
        return f"引用了不存在的共享文字（编号 {shown}），文件已损坏"
    if kind == "n" and text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
        return f"非有限的数值“{shown}”（程序写入的无穷大或非数值）"
    if kind == "n":
        return f"无法读取的数值“{shown}”"
    return f"值“{shown}”与单元格类型（{kind}）不符（{type(exc).__name__}），文件已损坏"


def read_grid(book: Any, title: str, limits: ReadLimits) -> Grid:
    """Read the sheet ``title`` of ``book`` (opened by openpyxl in read-only mode).

    Raises:
        xml.etree.ElementTree.ParseError, zipfile.BadZipFile, zlib.error, OSError: the sheet's
            part is damaged (the reader reports the file as damaged).
    """
    ws = book[title]
    grid = Grid(title)
    seen, stopped = _parse(book, ws, grid, limits, stop_on_blank=True)
    with ws._get_source() as src:
        values, merged, protected = _scan(src)
    grid.merged, grid.protected = merged, protected
    if stopped and values > seen:  # values below the empty run: read the sheet to its end
        grid = Grid(title, merged=merged, protected=protected)
        _parse(book, ws, grid, limits, stop_on_blank=False)
    return grid


def _parse(book: Any, ws: Any, grid: Grid, limits: ReadLimits,
           stop_on_blank: bool) -> tuple[int, bool]:
    """Fill ``grid`` from the sheet's rows; (value elements parsed, stopped at an empty run)."""
    last = 0
    with ws._get_source() as src:
        parser = _Parser(src, book, ws._shared_strings, grid)
        for row, cells in parser.parse():
            kept: dict[int, Any] = {}
            for cell in cells:
                value = cell["value"]
                if is_blank(value):
                    continue
                if cell["row"] > limits.max_rows:
                    grid.beyond_rows = _ref(cell)
                    return parser.values_seen, False
                if cell["column"] > limits.max_columns:
                    grid.beyond_columns = grid.beyond_columns or _ref(cell)
                    continue
                if isinstance(value, Unreadable):
                    grid.unreadable.append((_ref(cell), value.why))
                    continue
                kept[cell["column"]] = value
            if any(not is_blank(c["value"]) for c in cells):
                last = row
                if kept:
                    grid.rows[row] = kept
            elif stop_on_blank and row - last > BLANK_RUN_ROWS:
                return parser.values_seen, True
        return parser.values_seen, False


def _scan(src: IO[bytes]) -> tuple[int, list[str], bool]:
    """Byte scan of a sheet part: (value elements, merged ranges, protected)."""
    values, merged, protected = 0, [], False
    buf = b""
    while True:
        chunk = src.read(_SCAN_CHUNK)
        buf += chunk
        end = len(buf) if not chunk else len(buf) - _SCAN_OVERLAP
        cut = end
        for m in _SCAN.finditer(buf):
            if m.start() >= end:
                break
            if m["value"]:
                values += 1
            elif m["ref"]:
                merged.append(m["ref"].decode("ascii", "replace"))
            else:
                protected = True
            cut = max(cut, m.end())
        if not chunk:
            return values, merged, protected
        buf = buf[cut:]
