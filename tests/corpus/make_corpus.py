"""The bad-input corpus: malformed workbooks built from the 2019 sample, each with its messages.

Every case is the sample (``tests/conftest.py`` ``sample_content``) with one reviewable change,
as a hand-made or exported workbook would have it; nothing here is a binary blob. Each case
declares the problems the loader must report (sheet, cell, a substring of the message), or,
for inputs perfkit accepts on purpose (half-width brackets, trailing blank rows, a protected
sheet, a formula with a cached value), that it loads and what it reads.

Write every case to a folder to open them in Excel/WPS::

    .venv/bin/python tests/corpus/make_corpus.py /tmp/corpus
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from conftest import sample_content  # noqa: E402  (tests/ is not a package)

import perfkit as pk  # noqa: E402
from perfkit.data.sheets import SHEET_BY_KEY  # noqa: E402


@dataclass(frozen=True)
class Expect:
    """One message the loader must give: in ``sheet`` at ``cell``, containing ``text``."""

    sheet: str
    cell: str
    text: str


@dataclass(frozen=True)
class Case:
    """One input file and what perfkit must say about it.

    Attributes:
        name: short id (also the test id).
        about: the defect, in words.
        build: writes the file to the given path and returns it.
        problems: every problem it must report, no more (empty: the file loads).
        warnings: notes it must give when the file loads.
        filename: the file name (``2019.xlsx`` so that ``perfkit check`` expects 2019).
        reads: (sheet key, row, column) → value the loaded workbook must hold.
    """

    name: str
    about: str
    build: Callable[[Path], Path]
    problems: tuple[Expect, ...] = ()
    warnings: tuple[Expect, ...] = ()
    filename: str = "2019.xlsx"
    reads: dict = field(default_factory=dict)

    @property
    def loads(self) -> bool:
        return not self.problems


# --- building blocks ---------------------------------------------------------------------------


def sample(change: Callable[[dict], None] | None = None) -> Callable[[Path], Path]:
    """The sample written by perfkit's own writer, after ``change(content)``."""

    def build(path: Path) -> Path:
        content = sample_content()
        if change:
            change(content)
        return pk.write_workbook(path, content)

    return build


def edited(edit: Callable[[openpyxl.Workbook], None],
           change: Callable[[dict], None] | None = None) -> Callable[[Path], Path]:
    """The sample, then edited with openpyxl the way a person edits it in Excel."""

    def build(path: Path) -> Path:
        sample(change)(path)
        book = openpyxl.load_workbook(path)
        edit(book)
        book.save(path)
        return path

    return build


def raw(make: Callable[[Path], bytes]) -> Callable[[Path], Path]:
    """A file whose bytes are made from the sample's bytes (or from nothing)."""

    def build(path: Path) -> Path:
        path.write_bytes(make(path))
        return path

    return build


def sample_bytes(path: Path) -> bytes:
    tmp = path.with_name(f".sample-{path.name}.xlsx")
    sample()(tmp)
    data = tmp.read_bytes()
    tmp.unlink()
    return data


def set_cell(sheet: str, cell: str, value) -> Callable[[openpyxl.Workbook], None]:
    def edit(book):
        book[sheet][cell] = value

    return edit


def several(*edits: Callable[[openpyxl.Workbook], None]) -> Callable[[openpyxl.Workbook], None]:
    def edit(book):
        for e in edits:
            e(book)

    return edit


def target_row(code: str) -> int:
    """Row of a 绩效指标 record in the written sample (header is row 1)."""
    return 2 + [t["code"] for t in sample_content()["targets"]].index(code)


def aid_row(program: str) -> int:
    return 2 + [a["program"] for a in sample_content()["aid"]].index(program)


def item_row(sheet: str, item: str) -> int:
    return 2 + [i.key for i in SHEET_BY_KEY[sheet].items].index(item)


def column_letter(sheet: str, column: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(1 + [c.key for c in SHEET_BY_KEY[sheet].columns].index(column))


def at(sheet: str, row_key, column: str) -> str:
    """Cell reference of a value in the written sample, e.g. ``at("income", "total", "actual")``."""
    s = SHEET_BY_KEY[sheet]
    if s.layout == "items":
        row = item_row(sheet, row_key)
    elif sheet == "targets":
        row = target_row(row_key)
    elif sheet == "aid":
        row = aid_row(row_key)
    else:
        row = 2 + ["department_name", "year", "unit"].index(row_key)
    return f"{column_letter(sheet, column)}{row}"


def in_yuan(content: dict) -> None:
    """Every amount typed in 元 while 基本信息 still says 万元."""
    for key in ("income", "expenditure", "balance", "three_public"):
        for cols in content[key].values():
            for c, v in cols.items():
                if isinstance(v, (int, float)):
                    cols[c] = round(v * 10000)
    for rec in content["aid"]:
        if rec.get("amount") is not None:
            rec["amount"] = round(rec["amount"] * 10000)


def with_formula_cache(cell: str, sheet_index: int, cached: float) -> Callable[[bytes], bytes]:
    """Give a formula cell a cached value, as Excel does when it saves (openpyxl does not)."""

    def patch(data: bytes) -> bytes:
        src = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                body = src.read(info.filename)
                if info.filename == f"xl/worksheets/sheet{sheet_index}.xml":
                    body, n = re.subn(
                        rf'(<c r="{cell}"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?'.encode(),
                        rb"\1<f>\2</f><v>" + repr(cached).encode() + b"</v>", body)
                    assert n == 1, "formula cell not found"
                dst.writestr(info, body)
        return out.getvalue()

    return patch


def sheet_index(name: str) -> int:
    """1-based position of a sheet in perfkit's template (填表说明 is first)."""
    from perfkit.data.sheets import SHEETS

    return 2 + [s.name for s in SHEETS].index(name)


def formula_with_cache(path: Path) -> Path:
    edited(set_cell("收入", at("income", "total", "actual"), "=1+1"))(path)
    path.write_bytes(with_formula_cache(at("income", "total", "actual"), sheet_index("收入"),
                                        24192.45)(path.read_bytes()))
    return path


def xls_bytes(_path: Path) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("收入")
    for j, header in enumerate(("项目", "年初预算数", "决算数")):
        ws.write(0, j, header)
    ws.write(1, 0, "本年收入合计")
    ws.write(1, 1, 18122.94)
    ws.write(1, 2, 24192.45)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def encrypted_bytes(path: Path) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(sample_bytes(path))).encrypt("益阳2019", out)
    return out.getvalue()


def csv_bytes(_path: Path) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["项目", "年初预算数", "决算数"])
    w.writerow(["本年收入合计", "18122.94", "24192.45"])
    return buf.getvalue().encode("utf-8-sig")


def html_bytes(_path: Path) -> bytes:
    return ("<html><body><table><tr><td>项目</td><td>决算数</td></tr>"
            "<tr><td>本年收入合计</td><td>24192.45</td></tr></table></body></html>").encode()


def corrupt_member(path: Path) -> bytes:
    """A whole zip whose 收入 sheet XML is cut mid-way (a damaged save)."""
    src = zipfile.ZipFile(io.BytesIO(sample_bytes(path)))
    out = io.BytesIO()
    victim = f"xl/worksheets/sheet{sheet_index('收入')}.xml"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info, body[: len(body) // 2] if info.filename == victim else body)
    return out.getvalue()


def empty_book(path: Path) -> Path:
    openpyxl.Workbook().save(path)
    return path


def duplicate_row(sheet: str, source_row: int) -> Callable[[openpyxl.Workbook], None]:
    def edit(book):
        ws = book[sheet]
        new = ws.max_row + 1
        for cell in ws[source_row]:
            ws.cell(row=new, column=cell.column, value=cell.value)

    return edit


def title_row(book) -> None:
    ws = book["支出"]
    ws.insert_rows(1)
    ws["A1"] = "2019年度支出决算表（单位：万元）"


def hide_row(sheet: str, row: int) -> Callable[[openpyxl.Workbook], None]:
    def edit(book):
        book[sheet].row_dimensions[row].hidden = True

    return edit


def merge(sheet: str, rng: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(book):
        book[sheet].merge_cells(rng)

    return edit


def delete_column(sheet: str, column: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(book):
        from openpyxl.utils import column_index_from_string

        book[sheet].delete_cols(column_index_from_string(column))

    return edit


def trailing_spaces(book) -> None:
    for name in ("收入", "绩效指标", "学生资助"):
        ws = book[name]
        last = ws.max_row
        for r in range(last + 1, last + 200):
            for c in range(1, 7):
                ws.cell(row=r, column=c, value=" " * (1 + (r + c) % 3))


def protect(book) -> None:
    for name in ("收入", "支出"):
        book[name].protection.sheet = True
        book[name].protection.password = "益阳2019"


def halfwidth(book) -> None:
    ws = book["三公经费"]
    ws[f"A{item_row('three_public', 'abroad')}"] = "因公出国(境)费"
    aid = book["学生资助"]
    col = column_letter("aid", "standard_yuan")
    aid[f"{col}1"] = "标准(元/人)"


def set_info(key: str, value) -> Callable[[dict], None]:
    def change(c):
        c["info"][key] = value

    return change


def set_value(sheet: str, row, column: str, value) -> Callable[[dict], None]:
    def change(c):
        if sheet in ("targets", "aid"):
            field_ = "code" if sheet == "targets" else "program"
            rec = next(r for r in c[sheet] if r[field_] == row)
            rec[column] = value
        else:
            c[sheet].setdefault(row, {})[column] = value

    return change


def changes(*fs: Callable[[dict], None]) -> Callable[[dict], None]:
    def change(c):
        for f in fs:
            f(c)

    return change


# --- the corpus --------------------------------------------------------------------------------

INC_TOTAL = at("income", "total", "actual")  # 收入!D8
SERVICE = at("income", "service", "actual")
BASIC = at("expenditure", "basic", "actual")
ABROAD = at("three_public", "abroad", "actual")
RECEPTION = at("three_public", "reception", "actual")
TP_TOTAL = at("three_public", "total", "actual")
RETENTION = "compulsory_retention_rate_pct"
BASELINE = "compulsory_schools_baseline_pct"

CASES: tuple[Case, ...] = (
    # --- structure ---
    Case("missing_sheet", "三公经费 sheet deleted",
         edited(lambda b: b.remove(b["三公经费"])),
         (Expect("三公经费", "", "缺少工作表"),)),
    Case("missing_column", "支出 决算数 column deleted",
         edited(delete_column("支出", column_letter("expenditure", "actual"))),
         (Expect("支出", "第1行", "缺少列“决算数”"),)),
    Case("header_renamed", "收入 header 年初预算数 typed as 预算数",
         edited(set_cell("收入", "B1", "预算数")),
         (Expect("收入", "B1", "列名“预算数”应为“年初预算数”"),)),
    Case("header_halfwidth", "half-width brackets in a label and a header: equal after NFKC",
         edited(halfwidth), reads={("three_public", "abroad", "actual"): 11.0,
                                   ("aid", 3, "standard_yuan"): 800.0}),
    Case("title_row_above_header", "a title line inserted above the 支出 header",
         edited(title_row),
         (Expect("支出", "A2", "表头在第2行"),)),
    Case("merged_header", "收入 A1:B1 merged (the 年初预算数 header is lost)",
         edited(merge("收入", "A1:B1")),
         (Expect("收入", "A1:B1", "合并单元格"),)),
    Case("merged_values", "two 三公经费 value cells merged",
         edited(merge("三公经费", f"C{item_row('three_public', 'vehicle_purchase')}:"
                                   f"C{item_row('three_public', 'vehicle_operation')}")),
         (Expect("三公经费", "C4:C5", "合并单元格"),)),
    Case("hidden_row", "the 项目支出 row of 支出 hidden but still holding data",
         edited(hide_row("支出", item_row("expenditure", "project"))),
         (Expect("支出", f"A{item_row('expenditure', 'project')}", "隐藏"),)),
    Case("trailing_blank_rows", "200 rows of spaces after the data of three sheets: ignored",
         edited(trailing_spaces), reads={("income", "total", "actual"): 24192.45}),
    Case("protected_sheets", "收入 and 支出 protected with a password: readable, no message",
         edited(protect), reads={("expenditure", "total", "actual"): 24788.37}),
    Case("unknown_item", "a 收入 label that is not a template row",
         edited(set_cell("收入", f"A{item_row('income', 'service')}", "事业收入（含学费）")),
         (Expect("收入", f"A{item_row('income', 'service')}", "未知项目“事业收入（含学费）”"),)),
    # --- text where a number belongs ---
    Case("text_chinese_numeral", "事业收入 决算数 written 二千",
         sample(set_value("income", "service", "actual", "二千")),
         (Expect("收入", SERVICE, "二千"),)),
    Case("text_thousands", "本年收入合计 written with a thousands comma",
         sample(set_value("income", "total", "actual", "24,192.45")),
         (Expect("收入", INC_TOTAL, "千分位"),)),
    Case("text_wan_suffix", "基本支出 written 13738.19万",
         sample(set_value("expenditure", "basic", "actual", "13738.19万")),
         (Expect("支出", BASIC, "去掉单位"),)),
    Case("text_dash", "出国费 决算数 written —",
         sample(set_value("three_public", "abroad", "actual", "—")),
         (Expect("三公经费", ABROAD, "占位符"),)),
    Case("text_na", "a target actual written N/A",
         sample(set_value("targets", "tier1_admission_rate_pct", "actual", "N/A")),
         (Expect("绩效指标", at("targets", "tier1_admission_rate_pct", "actual"), "N/A"),)),
    Case("excel_error_value", "a cached #DIV/0! in 接待费",
         sample(set_value("three_public", "reception", "actual", "#DIV/0!")),
         (Expect("三公经费", RECEPTION, "Excel 错误值"),)),
    Case("date_in_number", "事业收入 cell formatted as a date",
         sample(set_value("income", "service", "actual", dt.datetime(2019, 3, 1))),
         (Expect("收入", SERVICE, "日期"),)),
    # --- scale and sign ---
    Case("percent_as_fraction", "巩固率 actual 0.985 next to its target 98",
         sample(set_value("targets", RETENTION, "actual", 0.985)),
         (Expect("绩效指标", at("targets", RETENTION, "actual"), "0.985"),)),
    Case("percent_full_as_one", "a 全面 (100%) target written 1",
         sample(set_value("targets", BASELINE, "target", 1)),
         (Expect("绩效指标", at("targets", BASELINE, "target"), "改为 100"),)),
    Case("yuan_declared_wan", "every amount typed in 元, 基本信息 says 万元",
         sample(in_yuan),
         (Expect("基本信息", "B4", "金额单位声明为“万元”"),)),
    Case("one_row_in_yuan", "公务接待费 typed in 元 (367100) among 万元",
         sample(set_value("three_public", "reception", "actual", 367100)),
         (Expect("三公经费", RECEPTION, "三公"),)),
    Case("aid_row_in_yuan", "one aid amount typed in 元",
         sample(set_value("aid", "普通高中免学费", "amount", 7691600)),
         (Expect("学生资助", at("aid", "普通高中免学费", "amount"), "每人"),)),
    Case("wan_declared_yuan", "amounts in 万元, 基本信息 says 元",
         sample(set_info("unit", "元")),
         (Expect("基本信息", "B4", "金额单位声明为“元”"),)),
    Case("unit_invalid", "金额单位 千元",
         sample(set_info("unit", "千元")),
         (Expect("基本信息", "B4", "金额单位“千元”"),)),
    Case("negative_amount", "基本支出 negative",
         sample(set_value("expenditure", "basic", "actual", -13738.19)),
         (Expect("支出", BASIC, "负数"),)),
    # --- totals, duplicates, identity ---
    Case("total_gross_mismatch", "接待费 36.71 typed 136.71: parts exceed the 三公 total by 100",
         sample(set_value("three_public", "reception", "actual", 136.71)),
         (Expect("三公经费", TP_TOTAL, "多100.00万元"),)),
    Case("total_small_mismatch", "三公 total 90.53 against parts 88.53: loads, with a warning",
         sample(set_value("three_public", "total", "actual", 90.53)),
         warnings=(Expect("三公经费", TP_TOTAL, "少2.00万元"),)),
    Case("duplicate_item", "a second 事业收入 row in 收入",
         edited(duplicate_row("收入", item_row("income", "service"))),
         (Expect("收入", f"A{len(SHEET_BY_KEY['income'].items) + 2}", "重复"),)),
    Case("duplicate_target", "the same indicator code twice in 绩效指标",
         edited(duplicate_row("绩效指标", target_row("tier1_admission_rate_pct"))),
         (Expect("绩效指标", f"A{len(sample_content()['targets']) + 2}", "重复"),)),
    Case("wrong_year", "基本信息 says 2018 in the file for 2019",
         sample(set_info("year", 2018)),
         (Expect("基本信息", "B3", "评价年度 2018"),)),
    Case("department_empty", "部门名称 left empty",
         sample(set_info("department_name", None)),
         (Expect("基本信息", "B2", "部门名称为空"),)),
    Case("three_problems", "three independent problems: all reported in one pass",
         sample(changes(set_value("income", "service", "actual", "二千"),
                        set_value("three_public", "abroad", "actual", "—"),
                        set_info("year", 2018))),
         (Expect("基本信息", "B3", "评价年度 2018"), Expect("收入", SERVICE, "二千"),
          Expect("三公经费", ABROAD, "占位符"))),
    # --- formulas ---
    Case("formula_no_cache", "a formula written by a tool that does not calculate",
         edited(set_cell("收入", INC_TOTAL, "=D4+D7")),
         (Expect("收入", INC_TOTAL, "soffice --headless --convert-to xlsx"),)),
    Case("formula_cached", "a formula =1+1 whose cached value is 24192.45: the cache is read",
         formula_with_cache, reads={("income", "total", "actual"): 24192.45}),
    # --- not a usable file ---
    Case("empty_workbook", "a workbook with one empty sheet", empty_book,
         (Expect("", "", "没有任何模板工作表"),)),
    Case("zero_bytes", "a 0-byte file", raw(lambda p: b""),
         (Expect("", "", "0 字节"),)),
    Case("truncated", "the first half of the sample's bytes",
         raw(lambda p: (d := sample_bytes(p))[: len(d) // 2]),
         (Expect("", "", "截断"),)),
    Case("corrupt_member", "a zip whose 收入 sheet XML is cut", raw(corrupt_member),
         (Expect("收入", "", "损坏"),)),
    Case("old_xls", "an Excel 97-2003 file", raw(xls_bytes),
         (Expect("", "", "(.xls)"),), filename="2019.xls"),
    Case("xls_renamed_xlsx", "an Excel 97-2003 file renamed .xlsx", raw(xls_bytes),
         (Expect("", "", "(.xls)"),)),
    Case("csv_renamed_xlsx", "a CSV export renamed .xlsx", raw(csv_bytes),
         (Expect("", "", "CSV"),)),
    Case("html_as_xls", "an HTML table a system exported as .xls", raw(html_bytes),
         (Expect("", "", "HTML"),), filename="2019.xls"),
    Case("encrypted", "the sample saved with a password to open", raw(encrypted_bytes),
         (Expect("", "", "打开密码"),)),
)


def write_all(folder: Path) -> list[Path]:
    """Write every case as ``<folder>/<name>/<filename>``."""
    paths = []
    for case in CASES:
        target = folder / case.name
        target.mkdir(parents=True, exist_ok=True)
        paths.append(case.build(target / case.filename))
    return paths


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    for p in write_all(out):
        sys.stdout.write(f"{p}\n")
