"""Hostile and huge inputs (issue 28): built at test time from the 2019 sample, never committed.

Each builder writes one file into a folder and returns its path. The workbooks are the sample
with one hostile change, made the way it happens (a key typed at the last row of a sheet in
Excel, a formatted cell far away, a workbook whose shared-strings part is huge, a million rows
pasted in, a cell a program wrote as infinity) or by editing the package's XML directly where
that is what a program would write. The same builders serve the tests
(``tests/unit/test_hostile.py``, small sizes) and the benchmark (``benchmarks/hostile_bench.py``,
the sizes of the issue).

Write every workbook case to a folder to open it in Excel/WPS::

    .venv/bin/python tests/corpus/hostile.py /tmp/hostile
"""

from __future__ import annotations

import io
import random
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
from openpyxl.styles import PatternFill

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from conftest import sample_content  # noqa: E402  (tests/ is not a package)

import perfkit as pk  # noqa: E402

TARGETS = "绩效指标"


def sample(path: Path, change: Callable[[dict], None] | None = None) -> Path:
    """The sample written by perfkit's writer (inline strings), after ``change(content)``."""
    content = sample_content()
    if change:
        change(content)
    return pk.write_workbook(path, content)


def excel_saved(path: Path, edit: Callable[[openpyxl.Workbook], None] | None = None) -> Path:
    """The sample opened and saved by openpyxl, as Excel saves it (a shared-strings part)."""
    sample(path)
    book = openpyxl.load_workbook(path)
    if edit:
        edit(book)
    book.save(path)
    return path


def far_space(path: Path) -> Path:
    """One space typed at 绩效指标!A1048576 (Ctrl+↓ and a key, in Excel)."""
    return excel_saved(path, lambda b: b[TARGETS].__setitem__("A1048576", " "))


def far_styled(path: Path) -> Path:
    """A formatted empty cell at 绩效指标!XFD1048576 (the last cell of a sheet)."""

    def edit(book: openpyxl.Workbook) -> None:
        book[TARGETS]["XFD1048576"].fill = PatternFill("solid", fgColor="FFFF00")

    return excel_saved(path, edit)


def far_value(path: Path, cell: str = "B30000") -> Path:
    """Text typed far below the data of 绩效指标 (a real row beyond any department's size)."""
    return excel_saved(path, lambda b: b[TARGETS].__setitem__(cell, "多余的一行"))


Part = Callable[[bytes], bytes | Iterator[bytes]]


def _rewrite(path: Path, parts: dict[str, Part], add: dict[str, Part] | None = None) -> Path:
    """Rewrite parts of the package at ``path`` (others copied as they are); ``add`` new ones."""
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            change = parts.get(info.filename)
            if change is None:
                dst.writestr(info, body)
                continue
            _write(dst, info.filename, change(body))
        for name, make in (add or {}).items():
            _write(dst, name, make(b""))
    return path


def _write(dst: zipfile.ZipFile, name: str, new: bytes | Iterator[bytes]) -> None:
    with dst.open(name, "w", force_zip64=True) as out:
        for chunk in ([new] if isinstance(new, bytes) else new):
            out.write(chunk)


def _sheet_part(path: Path, title: str) -> str:
    """The package part of the sheet titled ``title``."""
    book = openpyxl.load_workbook(path, read_only=True)
    index = book.sheetnames.index(title) + 1
    book.close()
    return f"xl/worksheets/sheet{index}.xml"


def huge_shared_strings(path: Path, strings: int = 1_200_000) -> Path:
    """The sample with a shared-strings part (as Excel writes one) holding ``strings`` unique
    strings no cell uses: 1.2 million make a 9 MB workbook, as in the issue."""
    sample(path)
    rng = random.Random(28)

    def strings_part(_: bytes) -> Iterator[bytes]:
        yield (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
               b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        batch = []
        for n in range(strings):
            batch.append(b"<si><t>%08x%d</t></si>" % (rng.getrandbits(32), n))
            if len(batch) == 10000:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch) + b"</sst>"

    def types(body: bytes) -> bytes:
        return body.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                            b'ContentType="application/vnd.openxmlformats-officedocument.'
                            b'spreadsheetml.sharedStrings+xml"/></Types>')

    def rels(body: bytes) -> bytes:
        return body.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://'
                            b"schemas.openxmlformats.org/officeDocument/2006/relationships/"
                            b'sharedStrings" Target="sharedStrings.xml"/></Relationships>')

    return _rewrite(path, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
                    add={"xl/sharedStrings.xml": strings_part})


def many_rows(path: Path, rows: int = 1_000_000) -> Path:
    """``rows`` filled rows pasted into 绩效指标 below the sample's (other departments' data)."""
    excel_saved(path)
    part = _sheet_part(path, TARGETS)

    def grow(body: bytes) -> Iterator[bytes]:
        last = max(int(r) for r in re.findall(rb'<row r="(\d+)"', body))
        head, _, tail = body.partition(b"</sheetData>")
        head = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:L%d"/>'
                      % (last + rows), head)
        yield head
        batch = []
        for r in range(last + 1, last + rows + 1):
            batch.append(
                b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>\xe5\x85\xb6\xe4\xbb\x96</t></is></c>'
                b'<c r="C%d" t="inlineStr"><is><t>own indicator %d</t></is></c>'
                b'<c r="G%d"><v>%d</v></c></row>' % (r, r, r, r, r, r))
            if len(batch) == 10000:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch) + b"</sheetData>" + tail

    return _rewrite(path, {part: grow})


def styled_rows(path: Path, rows: int = 200_000, columns: int = 12) -> Path:
    """A formatted range of empty cells below the data of 绩效指标 (borders set on A1:L200000
    in Excel): every cell is in the file, none holds a value."""
    excel_saved(path)
    part = _sheet_part(path, TARGETS)
    letters = [openpyxl.utils.get_column_letter(c).encode() for c in range(1, columns + 1)]

    def grow(body: bytes) -> Iterator[bytes]:
        last = max(int(r) for r in re.findall(rb'<row r="(\d+)"', body))
        head, _, tail = body.partition(b"</sheetData>")
        yield head
        batch = []
        for r in range(last + 1, last + rows + 1):
            cells = b"".join(b'<c r="%s%d" s="1"/>' % (col, r) for col in letters)
            batch.append(b'<row r="%d">%s</row>' % (r, cells))
            if len(batch) == 5000:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch) + b"</sheetData>" + tail

    return _rewrite(path, {part: grow})


def cell_xml(path: Path, title: str, cell: str, xml: bytes) -> Path:
    """The sample with one cell's XML replaced (a program's output: ``<v>inf</v>`` …)."""
    excel_saved(path)
    part = _sheet_part(path, title)

    def patch(body: bytes) -> bytes:
        new, n = re.subn(rb'<c r="%s"[^>]*?(/>|>.*?</c>)' % cell.encode(), xml, body, count=1)
        if n != 1:  # an empty cell: add it to its row
            row = re.sub(r"\D", "", cell).encode()
            new, n = re.subn(rb'(<row r="%s"[^>]*>)' % row, rb"\1" + xml, body, count=1)
        assert n == 1, f"{cell} not found"
        return new

    return _rewrite(path, {part: patch})


def corrupt_part(path: Path) -> Path:
    """The sample with one compressed part damaged (bytes changed inside the deflate stream,
    the zip directory intact): what a broken download or disk gives."""
    sample(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = max(z.infolist(), key=lambda i: i.compress_size)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 20, start + info.compress_size - 20, 37):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def settings_yaml(path: Path, entries: int = 40_000) -> Path:
    """A 1.6 MB run-settings file: the sample's settings and a long confirmed_values list."""
    lines = ["department: yiyang-edu", "year: 2019", "confirmed_values:"]
    lines += [f'  - "三公经费!C{n}"' for n in range(2, entries + 2)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def nested_yaml(path: Path, depth: int = 100_000) -> Path:
    """YAML nested ``depth`` levels deep (``[[[[…]]]]``)."""
    path.write_text("department: yiyang-edu\nyear: 2019\ndomains: " + "[" * depth + "]" * depth
                    + "\n", encoding="utf-8")
    return path


WORKBOOKS = {
    "far_space": far_space,
    "far_styled": far_styled,
    "far_value": far_value,
    "huge_shared_strings": huge_shared_strings,
    "many_rows": many_rows,
    "styled_rows": styled_rows,
    "corrupt_part": corrupt_part,
}


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile")
    out.mkdir(parents=True, exist_ok=True)
    for name, build in WORKBOOKS.items():
        (out / name).mkdir(exist_ok=True)
        print(build(out / name / "2019.xlsx"))
