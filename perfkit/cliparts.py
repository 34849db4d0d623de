"""The longer command bodies of the perfkit command line (:mod:`perfkit.cli` parses the
arguments and calls these): a 监控 workbook checked or written, an audit printed, a report file
audited. Every message goes through :func:`perfkit.terminal.say`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from perfkit import config
from perfkit.errors import PerfkitError
from perfkit.terminal import console, err, fail, say
from perfkit.verdicts import (
    CONFIRMED,
    CONSISTENT,
    EXPLAIN,
    INCONSISTENT,
    ROUNDING,
    UNEXPLAINED,
    UNVERIFIABLE,
)


def check_month(month: int) -> int:
    """A --monitor month: 1 to 11 (December is the year-end self-evaluation)."""
    if not 1 <= month <= 11:
        raise PerfkitError(f"--monitor 的值 {month} 无效：截至月份应为 1 到 11 的整数"
                           "（全年情况由年度自评反映），例如 --monitor 7")
    return month




def check_monitor(file: Path, year: int | None) -> None:
    from perfkit.data.monitorbook import load_monitor
    from perfkit.data.values import year_from_filename

    try:
        mon = load_monitor(file.resolve(), expected_year=year or year_from_filename(file))
    except PerfkitError as exc:
        fail(exc)
    console.print(say(("通过", "green"), f"：{file}（{mon.department_name}，{mon.year}年1-{mon.month}月"
                      f"运行监控，目标{len(mon.targets)}项）"))


#: Rows of one audit table printed at most: a report with thousands of checked figures is read in
#: the CSV (--out); the terminal stays readable and its output bounded.
TERMINAL_ROWS = 200
#: The colour of each verdict in the terminal (a verdict without one is printed plain).
AUDIT_STYLE = {CONSISTENT: "green", ROUNDING: "yellow", INCONSISTENT: "bold red", UNEXPLAINED: "yellow",
               UNVERIFIABLE: "dim", CONFIRMED: "cyan", EXPLAIN: "yellow"}




def print_audit(frame, title: str, out: Path | None) -> None:
    """One table per category (its first :data:`TERMINAL_ROWS` rows); cells are plain Text (data
    is never markup), verdicts coloured."""
    for category in dict.fromkeys(frame["类别"]):
        part = frame[frame["类别"] == category].drop(columns="类别")
        hidden = len(part) - TERMINAL_ROWS
        part = part.iloc[:TERMINAL_ROWS]
        if not part["编号"].any():
            part = part.drop(columns="编号")
        table = Table(title=say(f"{title} · {category}"), show_lines=True)
        for col in part.columns:
            table.add_column(say(col), overflow="fold", ratio=3 if col in ("说明", "原句") else None)
        for _, row in part.iterrows():
            verdict = str(row["结论"])
            table.add_row(*[say((verdict, AUDIT_STYLE.get(verdict, ""))) if col == "结论"
                            else say(str(v)) for col, v in row.items()])
        console.print(table)
        if hidden > 0:
            where = f"见 {out}" if out is not None else "用 --out 文件.csv 写出全部核对结果"
            console.print(say(f"（{category}另有{hidden}项未在此列出，{where}）"))


def audit_report(report: Path, workbook: Path | None, catalogs: list[Path], write_sheet: bool,
                  out: Path | None, params: str, tol_pp: float | None,
                  tol_wan_yuan: float | None) -> None:
    """perfkit audit --report: read the file, extract, judge, print; optionally write a sheet."""
    from perfkit.assess.audit import exit_status, load_for_audit, verdict_counts, write_audit_csv
    from perfkit.assess.reportfile import read_report
    from perfkit.assess.reporttext import extract, load_catalog
    from perfkit.assess.textaudit import (
        SENTENCE_CHARS,
        SENTENCE_FULL,
        TEXT_AUDIT_COLUMNS,
        audit_text,
        text_settings,
        write_stated_sheet,
    )
    from perfkit.report.tables import audit_display

    if write_sheet and workbook is None:
        err.print(say("--write-sheet 需要给出工作簿：perfkit audit --report 报告文件 工作簿.xlsx --write-sheet"))
        raise typer.Exit(2)
    try:
        text = read_report(report)
        cat = load_catalog(catalogs)
        ev = None
        if workbook is not None:
            ev = load_for_audit(workbook, params_file=params, tolerance_pp=tol_pp,
                                tolerance_wan_yuan=tol_wan_yuan)
            settings = ev.settings
        extraction = extract(text.paragraphs, cat)
        if ev is None:
            settings = text_settings(extraction, params, tol_pp, tol_wan_yuan)
        frame = audit_text(extraction, settings, ev)
    except PerfkitError as exc:
        fail(exc)
    notes = "；".join(text.notes)
    counts = extraction.counts()
    console.print(say(
        f"报告：{report}（{len(text.paragraphs)}段{'，' + notes if notes else ''}）；"
        f"提取数值{len(extraction.figures)}项（金额{counts.get('amount', 0)}、"
        f"百分比{counts.get('percent', 0)}、人数等{counts.get('count', 0)}），其中比率"
        f"{counts.get('relation_ratio', 0)}处、增减{counts.get('relation_change', 0)}处、"
        f"合计与分项{counts.get('relation_sum', 0)}处；对应到核对对象"
        f"{sum(1 for f in extraction.figures if f.target)}项"))
    if frame.empty:
        console.print(say("没有可以核对的数值（报告未在同一句中列出运算数，也没有可对应到核对对象的数值）。"))
    else:
        table = audit_display(frame, every_ref=True)
        table["位置"] = frame["location"].to_numpy()
        # A long sentence is printed once, after the tables; its rows quote the part around
        # their figure and name it (长句N), so the output grows with the rows, not rows × sentence.
        long: dict[int, tuple[int, str, str]] = {}  # id(sentence) → (number, location, sentence)
        quotes = []
        for short, whole, where in zip(frame["sentence"], frame[SENTENCE_FULL], frame["location"],
                                       strict=True):
            if isinstance(whole, str) and len(whole) > SENTENCE_CHARS:
                n = long.setdefault(id(whole), (len(long) + 1, str(where), whole))[0]
                short = f"{short}（长句{n}）"
            quotes.append(short)
        table["原句"] = quotes
        print_audit(table, report.name, out)
        if long:
            console.print(say(f"长句（超过{SENTENCE_CHARS}字，表中只引数值前后的文字），各列一次："))
            for n, where, whole in long.values():
                console.print(say((f"长句{n}", "bold"), f"（{where}）：{whole}"), soft_wrap=True)
    counts = verdict_counts(frame)
    console.print(say("合计：" + ("、".join(f"{v}{n}项" for v, n in counts.items() if n) or "无")))
    if out is not None:
        path = write_audit_csv(frame, out, TEXT_AUDIT_COLUMNS)
        console.print(say(f"核对结果已写出：{path}"))
    if write_sheet and workbook is not None:  # (a missing workbook was refused above)
        try:
            copy, rows = write_stated_sheet(workbook, extraction)
        except PerfkitError as exc:
            fail(exc)
        console.print(say(f"已把{rows}项报告数值写入工作簿副本 {copy} 的“报告数值”表"
                          "（原工作簿未改动）；请逐项复核“核对对象”后再用 perfkit audit 核对该副本。"))
    raise typer.Exit(exit_status(frame))




def monitor_template(out: Path | None, year: int | None, dept: str | None, month: int) -> None:
    """``template --monitor N``: the 监控 workbook, its targets from the year's workbook."""
    from perfkit.assess.monitor import template_targets
    from perfkit.data.monitorbook import monitor_content, monitor_path, write_monitor
    from perfkit.data.params import check_department, load_settings
    from perfkit.data.reader import load_workbook

    if year is None or not dept:
        err.print(say("用法：perfkit template --year 2019 --dept 部门代码 --monitor 7"))
        raise typer.Exit(2)
    try:
        check_month(month)
        dept = check_department(dept)
        out = (out or monitor_path(dept, year, month)).resolve()
        if out.exists():
            err.print(say(f"{out} 已存在，未覆盖。请先改名或删除。"))
            raise typer.Exit(2)
        book = config.workbook_path(dept, year)
        data = load_workbook(book, expected_year=year) if book.is_file() else None
        content = monitor_content(data, month, year=year,
                                  targets=template_targets(data, load_settings(dept, year))
                                  if data else None)
        write_monitor(out, content, month)
    except PerfkitError as exc:
        fail(exc)
    rows = len(content.get("monitor_targets") or [])
    source = (f"监控表已列出 {book.name}“绩效指标”表中的{rows}项年度目标" if data is not None
              else f"没有找到 {book}，监控表未预列目标，请逐项填写")
    console.print(say(f"已生成监控工作簿：{out}（截至{month}月；{source}）"))
    console.print(say(f"下一步：填写预算执行和1-{month}月执行情况，然后运行 perfkit run --year {year} "
                      f"--dept {dept} --monitor {month}"))
