"""The perfkit command line (typer): argument parsing only; the work is in the package."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from perfkit import config
from perfkit.cliparts import audit_report, check_monitor, check_month, monitor_template, print_audit
from perfkit.errors import PerfkitError
from perfkit.terminal import ShownFormatter, console, err, fail, say, shown

# Each command imports the stages it uses when it runs, not here: `perfkit --help` takes 0.13 s and
# an unchanged `perfkit run` 0.25 s, and importing the assessment and report stages up front would
# add pandas, pandera, pydantic models and matplotlib (0.5-0.9 s) to both.

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="perfkit：部门整体支出绩效自评（工作簿 → 指标 → 评分 → 报告）")
#: Commands that work outside a project (every other one needs one: see _project). ``audit``
#: reads a report a bureau received wherever it lies (README "Auditing a report file"); what it
#: needs of a project (a workbook's settings) it asks for itself.
_NO_PROJECT = {"init", "audit"}


@app.callback()
def _project(ctx: typer.Context) -> None:
    """perfkit：部门整体支出绩效自评（工作簿 → 指标 → 评分 → 报告）"""
    if ctx.invoked_subcommand in _NO_PROJECT:
        return
    try:
        # Found as git finds .git (the message says how to start one otherwise): the command
        # works on it throughout.
        ctx.with_resource(config.using(config.current()))
    except PerfkitError as exc:
        fail(exc)


def _years(spec: str | None) -> list[int]:
    """Parse ``--years`` (``2018-2020``, ``2018,2019``, or both); a bad spec is a PerfkitError."""
    if not spec:
        return []
    years: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        bounds = [b.strip() for b in part.split("-", 1)] if part else []
        if not all(re.fullmatch(r"(19|20)\d\d", b) for b in bounds):
            raise PerfkitError(f"--years 的值“{spec}”无效：“{part}”不是四位年份或年份范围。"
                               "写作 2018-2020（范围）或 2018,2019（列举），例如 --years 2018-2020")
        if len(bounds) == 2 and int(bounds[0]) > int(bounds[1]):
            raise PerfkitError(f"--years 的值“{spec}”无效：范围“{part}”的起始年份大于结束年份，"
                               f"应写作 {bounds[1]}-{bounds[0]}")
        if bounds:
            years.extend(range(int(bounds[0]), int(bounds[-1]) + 1))
    return years


@app.command()
def run(
    year: Annotated[int | None, typer.Option(help="评价年度，如 2019")] = None,
    years: Annotated[str | None, typer.Option(
        help="多个年度：2018-2020 或 2018,2019；默认全部")] = None,
    dept: Annotated[str | None, typer.Option(help="部门代码（data/ 下的文件夹名）")] = None,
    depts: Annotated[str | None, typer.Option(help="多个部门，逗号分隔；默认全部")] = None,
    notebook: Annotated[list[str] | None, typer.Option(
        "--notebook", "-n", help="只运行这些笔记本（report、review、finance、领域代码或名称）")] = None,
    params: Annotated[str, typer.Option(help="运行设置 YAML（单个部门年度时）")] = "",
    jobs: Annotated[int, typer.Option(help="并行进程数；默认 CPU 核数")] = 0,
    force: Annotated[bool, typer.Option(help="输入未变也重新运行")] = False,
    outputs: Annotated[Path | None, typer.Option(help="输出目录；默认 outputs/")] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="是否生成 PDF")] = True,
    official_pdf: Annotated[bool, typer.Option(
        "--official-pdf", help="PDF 按党政机关公文格式（GB/T 9704-2012）排版，以免费字体近似公文字体；"
        "也可在运行设置中写 pdf_layout: official")] = False,
    scheduler: Annotated[str | None, typer.Option(
        help="在 Dask 集群上运行：调度器地址（tcp://主机:8786），或 local 在本机启动")] = None,
    analyst_copy: Annotated[bool, typer.Option(
        "--analyst-copy", help="同时生成含代码的分析人员副本（<笔记本>.code.html）；"
        "默认不生成，分析人员可打开执行后的 <笔记本>.ipynb")] = False,
    monitor: Annotated[int | None, typer.Option(
        help="截至月份（1-11）：运行年度中的绩效运行监控（读 data/<部门>/<年度>-monitor-<月份>.xlsx，"
             "生成绩效监控表和监控情况；多个部门时另生成监控汇总），不运行年度报告")] = None,
) -> None:
    """执行笔记本并渲染报告到 outputs/<部门>/<年度>/（输入未变的跳过）。"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from perfkit.data.params import check_department
    from perfkit.run.runner import run as run_all

    dept_list = [d.strip() for d in (depts or dept or "").split(",") if d.strip()]
    try:  # names become folders and files: refused before anything starts
        year_list = _years(years) or ([year] if year else [])
        notebook = [_notebook_name(n) for n in notebook] if notebook else None
        for d in dept_list:
            if d != "all":
                check_department(d)
        if monitor is not None:
            check_month(monitor)
    except PerfkitError as exc:
        fail(exc)
    if monitor is not None:
        from perfkit.data.monitorbook import monitored

        found = monitored(monitor)
    else:
        found = config.department_years()
    if not dept_list or dept_list == ["all"]:
        dept_list = sorted({d for d, _ in found})
    if not year_list:
        year_list = sorted({y for d, y in found if d in dept_list})
    pairs = [(d, y) for d in dept_list for y in year_list
             if (d, y) in found or len(dept_list) * len(year_list) == 1]
    if not pairs:
        where = (f"data/<部门>/<年度>-monitor-{monitor:02d}.xlsx；用 perfkit template --year 年度 "
                 f"--dept 部门 --monitor {monitor} 生成" if monitor is not None
                 else "data/<部门>/<年度>.xlsx")
        err.print(say(f"没有找到要运行的部门年度（{where}）。"))
        raise typer.Exit(2)
    jobs = jobs or os.cpu_count() or 1
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        bar = progress.add_task("运行笔记本", total=None)

        def advance(r) -> None:
            progress.update(bar, advance=1,
                            description=shown(f"{r.department} {r.year} {r.notebook}"))

        try:
            results = run_all(pairs, notebooks=notebook or None, outputs=outputs, jobs=jobs,
                              force=force, params_file=params, pdf=pdf, scheduler=scheduler,
                              pdf_layout="official" if official_pdf else None,
                              analyst_copy=analyst_copy, monitor=monitor,
                              on_start=lambda n: progress.update(bar, total=n),
                              on_result=advance)
        except KeyboardInterrupt:
            # Cleanup is done; a late or repeated signal must not turn exit 130 into a crash
            # during interpreter teardown (seen once in CI as a -2 exit).
            for name in ("SIGINT", "SIGTERM", "SIGHUP"):
                if hasattr(signal, name):
                    signal.signal(getattr(signal, name), signal.SIG_IGN)
            with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
                progress.stop()
                err.print(say(("已中断", "yellow"), "：工作进程和内核已停止，临时文件已清除；已完成的报告已记录，"
                              "未完成的保留上次的报告。重新运行将从中断处继续。"))
            raise typer.Exit(130) from None
    _summary(results, outputs)
    unscorable = _score_errors(sorted({(r.department, r.year) for r in results}), outputs)
    if any(r.status == "failed" for r in results) or unscorable:
        raise typer.Exit(1)


def _notebook_name(name: str) -> str:
    """A --notebook value: a domain's 领域 label becomes its key (卫生健康 → health); a project
    notebook's name goes to the runner as typed (it reports a notebook that does not exist);
    anything else (a path, ``../../x``) is refused (:func:`perfkit.data.params.check_notebooks`)."""
    from perfkit.data.params import check_notebooks

    return check_notebooks([name])[0]


def _score_errors(pairs: list[tuple[str, int]], outputs: Path | None) -> bool:
    """Print the department-years whose score sheet could not be applied (a rule raised);
    return True when there is any: the run then exits non-zero (the score is 无法评分)."""
    from perfkit.run.manifest import read_manifest

    found = False
    for d, y in pairs:
        score = read_manifest(config.output_dir(d, y, outputs)).get("score") or {}
        for error in score.get("errors") or []:
            console.print(say(("无法评分", "red"), f" {d} {y}：{error}"))
            found = True
    return found


def _summary(results, outputs: Path | None) -> None:
    """Print one row per department-year: what succeeded, failed and was skipped."""
    by_dy: dict[tuple[str, int], dict[str, list]] = {}
    for r in results:
        by_dy.setdefault((r.department, r.year), {"ok": [], "failed": [], "skipped": [],
                                                  "interrupted": []})[r.status].append(r)
    table = Table(title="运行结果")
    for col in ("部门", "年度", "成功", "失败", "跳过", "用时(秒)"):
        table.add_column(say(col))
    missing = sorted({r.notebook for r in results if r.error == "笔记本不存在"})
    for (d, y), g in sorted(by_dy.items()):
        if not d:  # the outputs index, not a department-year: its failure is listed below
            continue
        skipped = [r.notebook for r in g["skipped"] if r.error != "笔记本不存在"]
        table.add_row(say(d), say(str(y)), say("、".join(r.notebook for r in g["ok"])),
                      say(("、".join(r.notebook for r in g["failed"]), "red")),
                      say("、".join(skipped)),
                      say(f"{sum(r.seconds for r in g['ok'] + g['failed']):.1f}"))
    console.print(table)
    counts = {s: sum(len(g[s]) for g in by_dy.values()) for s in ("ok", "failed", "skipped")}
    counts["skipped"] -= sum(1 for r in results if r.error == "笔记本不存在")
    why = "（输入未变，沿用上次结果）" if counts["skipped"] else ""
    console.print(say(f"成功 {counts['ok']}，失败 {counts['failed']}，跳过 {counts['skipped']}{why}。"))
    if missing:
        console.print(say(f"未找到的笔记本（notebooks/ 下没有）：{'、'.join(missing)}"))
    for r in results:
        if r.status != "failed":
            continue
        who = f"{r.department} {r.year} {r.notebook}" if r.department else r.notebook
        note = say(("失败", "red"), f" {who}：{r.error or ''}")
        if r.failed_copy:
            path = config.output_dir(r.department, r.year, outputs) / r.failed_copy
            note.append(shown(f"\n    执行到出错处的笔记本副本：{path}"))
        console.print(note)
    out_root = outputs or config.current().outputs_dir
    console.print(say(f"报告目录：{out_root}（索引：{out_root / 'index.html'}）"))


@app.command()
def check(file: Annotated[Path, typer.Argument(help="要检查的工作簿 .xlsx")],
          year: Annotated[int | None,
                          typer.Option(help="期望的评价年度；默认取文件名中的年度")] = None,
          strict: Annotated[bool, typer.Option(help="有提醒时也以非零状态(1)退出")] = False,
          params: Annotated[str, typer.Option(
              help="运行设置 YAML（其中 confirmed_values 列出经核实的异常数值）；"
                   "默认 params/<部门>/<年度>.yaml")] = "",
          ) -> None:
    """检查一个工作簿，一次列出全部问题（有问题时退出状态为 2）。"""
    from perfkit.assess.checkspec import unknown_checks
    from perfkit.assess.evaluation import Evaluation
    from perfkit.assess.figures import typed_computed_notes
    from perfkit.data.params import settings_for_workbook, settings_from_dict
    from perfkit.data.reader import load_workbook
    from perfkit.data.values import year_from_filename
    from perfkit.errors import WorkbookError
    from perfkit.report.selfreport import placeholder_problems

    if re.search(r"-monitor-\d\d\.xlsx$", file.name):  # a 监控 workbook (template --monitor)
        check_monitor(file, year)
        return
    try:  # a year in the file name is checked too
        settings = settings_for_workbook(file, year or year_from_filename(file), params)
        data = load_workbook(file.resolve(), expected_year=year,
                             confirmed=settings.confirmed_values if settings else (),
                             limits=settings.read_limits if settings else None)
        if settings is None and params:  # the settings file states no year: the workbook does
            settings = settings_for_workbook(file, data.year, params)
            data = load_workbook(file.resolve(), expected_year=year,
                                 confirmed=settings.confirmed_values if settings else (),
                                 limits=settings.read_limits if settings else None)
        unusable = unknown_checks(data)  # 报告数值 rows the audit would call 无法核对
        own = settings if settings is not None and settings.year == data.year else \
            settings_from_dict({"department": "audit", "year": data.year})
        unusable += placeholder_problems(Evaluation(data, own))  # {code} in 报告文字
        if unusable:
            raise WorkbookError(unusable)
    except PerfkitError as exc:
        fail(exc)
    console.print(say(("通过", "green"), f"：{file}（{data.department_name}，{data.year}年度）"))
    from perfkit.run.newyear import unreviewed_targets

    notes = [str(n) for n in data.warnings] + unreviewed_targets(data)
    notes += typed_computed_notes(data, settings)
    if settings is not None and settings.domains is not None:
        from perfkit.indicators.registry import registry

        notes += registry().outside_domains(data, list(settings.domains))
    for i, note in enumerate(notes, 1):
        console.print(say(("提醒", "yellow"), f" {i}. {note}"))
    if notes and strict:
        raise typer.Exit(1)


@app.command()
def audit(
    file: Annotated[Path | None, typer.Argument(
        help="工作簿 .xlsx（“报告数值”表照录报告原文）；与 --report 同用时为核对所依据的数据")] = None,
    report: Annotated[Path | None, typer.Option(
        "--report", help="直接核对一份报告文件（.txt、.docx 或 .pdf）中陈述的数值")] = None,
    catalog: Annotated[list[Path] | None, typer.Option(
        "--catalog", help="补充的报告核对目录 YAML（句式、短语），可多次给出")] = None,
    write_sheet: Annotated[bool, typer.Option(
        "--write-sheet", help="把从报告中提取的数值写入工作簿副本的“报告数值”表，供人工复核")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="核对结果另存为 CSV 文件")] = None,
    params: Annotated[str, typer.Option(help="运行设置 YAML（预算口径、容差）")] = "",
    tol_pp: Annotated[float | None,
                      typer.Option("--tol-pp", help="比率容差（百分点）；默认 0.1")] = None,
    tol_wan_yuan: Annotated[float | None, typer.Option(
        "--tol-wan-yuan", help="金额容差（万元）；默认 0.5")] = None,
) -> None:
    """核对报告所列数值：由原始数据（或报告自身所列的运算数）重新计算，逐项给出结论。

    perfkit audit 工作簿.xlsx 核对“报告数值”表；perfkit audit --report 报告.docx [工作簿.xlsx]
    直接读报告文字。有“不一致”时退出状态为 1，输入不可用时为 2。
    """
    from perfkit.assess.audit import audit as audit_all
    from perfkit.assess.audit import exit_status, load_for_audit, verdict_counts, write_audit_csv
    from perfkit.report.tables import audit_frame

    if report is not None:
        audit_report(report, file, catalog or [], write_sheet, out, params, tol_pp, tol_wan_yuan)
        return
    if file is None or write_sheet or catalog:
        err.print(say("用法：perfkit audit 工作簿.xlsx，或 perfkit audit --report 报告文件 [工作簿.xlsx]"
                      "（--write-sheet、--catalog 须与 --report 同用）"))
        raise typer.Exit(2)
    try:
        ev = load_for_audit(file.resolve(), params_file=params, tolerance_pp=tol_pp,
                            tolerance_wan_yuan=tol_wan_yuan)
        frame = audit_all(ev)
    except PerfkitError as exc:
        fail(exc)
    table = audit_frame(ev)
    print_audit(table, f"{ev.department_name}{ev.year}年度", out)
    counts = verdict_counts(frame)
    console.print(say("合计：" + "、".join(f"{v}{n}项" for v, n in counts.items() if n)))
    if out is not None:
        console.print(say(f"核对结果已写出：{write_audit_csv(frame, out)}"))
    raise typer.Exit(exit_status(frame))


@app.command()
def template(
    out: Annotated[Path | None, typer.Argument(help="输出文件；默认 data/<部门>/<年度>.xlsx")] = None,
    year: Annotated[int | None, typer.Option(help="新工作簿的年度")] = None,
    dept: Annotated[str | None, typer.Option(
        help="部门代码；不给输出文件时必填（写到 data/<部门>/<年度>.xlsx）")] = None,
    from_year: Annotated[int | None, typer.Option(
        "--from", help="从该年度结转：上年决算数、上年值、目标，并复制运行设置")] = None,
    domains: Annotated[str | None, typer.Option(
        help="本部门的业务领域（逗号分隔的领域代码，如 health 或 quality,aid,safety）："
             "“绩效指标”表预列这些领域的指标，并写入运行设置 domains")] = None,
    monitor: Annotated[int | None, typer.Option(
        help="截至月份（1-11）：生成绩效运行监控工作簿 data/<部门>/<年度>-monitor-<月份>.xlsx，"
             "监控表预列本年度工作簿“绩效指标”表中的年度目标")] = None,
) -> None:
    """生成工作簿模板；加 --from 时生成新年度工作簿和运行设置（上年数已填）。"""
    if monitor is not None:
        monitor_template(out, year, dept, monitor)
        return
    from perfkit.data.params import check_domains
    from perfkit.data.template import write_workbook

    try:
        keys = check_domains(domains.split(",")) if domains is not None else None
    except PerfkitError as exc:
        fail(exc)

    if from_year is not None:
        from perfkit.run.newyear import write_next_year

        if year is None or out is not None or not dept or keys is not None:
            err.print(say("用法：perfkit template --year 2020 --from 2019 --dept 部门代码"
                          "（领域随上年运行设置结转，不用 --domains）"))
            raise typer.Exit(2)
        try:
            book, params_out = write_next_year(dept, year, from_year)
        except PerfkitError as exc:
            fail(exc)
        console.print(say(f"已生成 {year} 年度工作簿：{book}（上年数取自 {from_year} 年度）"))
        console.print(say(f"已生成运行设置：{params_out}"))
        console.print(say(f"下一步：填写 {year} 年度的决算数、实际值并核改目标，然后运行 "
                          f"perfkit check {book}"))
        return
    if out is None:
        if year is None or not dept:
            err.print(say("请给出输出文件名（perfkit template 文件名.xlsx），或用 --year 和 --dept "
                          "写到 data/<部门>/<年度>.xlsx。"))
            raise typer.Exit(2)
        from perfkit.data.params import check_department

        out = config.workbook_path(check_department(dept), year)
    out = out.resolve()
    if out.exists():
        err.print(say(f"{out} 已存在，未覆盖。请先改名或删除。"))
        raise typer.Exit(2)
    from perfkit.assess.scoresheet import load_sheet
    from perfkit.data.params import DEFAULT_SCORE_SHEET, load_settings
    from perfkit.run.prefill import template_content

    known = bool(dept and year and config.params_path(dept, year).exists())
    try:
        settings = load_settings(dept, year) if dept and year and known else None
        sheet = load_sheet(settings.score_sheet if settings else DEFAULT_SCORE_SHEET)
    except PerfkitError as exc:
        fail(exc)
    # The 领域 drop-down and optional sheets of the department's domains (all when unknown).
    in_use = keys if keys is not None else (settings.domains if settings else None)
    write_workbook(out, template_content(sheet, year=year, domains=list(keys or ())),
                   domains=in_use)
    listed = ""
    if keys:
        from perfkit.domains import catalogs

        listed = f"；绩效指标已列出{'、'.join(catalogs()[k].label_zh for k in keys)}的指标"
    console.print(say(f"已生成模板：{out}（评分表：{sheet.title_zh}；定性评价、自评表、报告文字已按评分表"
                      f"和报告结构列出{listed}，请逐项填写）"))
    if keys is not None and dept and year:
        from perfkit.data.settingsdoc import write_settings_file

        if known:
            console.print(say(f"运行设置 {config.params_path(dept, year)} 已存在，未改动；领域以其中的 "
                              "domains 为准（未写 domains 时为工作簿填报的领域）。"))
        else:
            try:
                written = write_settings_file(dept, year, keys)
            except PerfkitError as exc:
                fail(exc)
            console.print(say(f"已生成运行设置：{written}（domains: {', '.join(keys) or '无'}）"))


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="项目文件夹（不存在则新建）")] = Path("."),
    name: Annotated[str, typer.Option(help="项目名称，写入 perfkit.toml；默认取文件夹名")] = "",
) -> None:
    """新建项目：perfkit.toml、data/、params/（含评分表）、notebooks/（报告笔记本）、outputs/。"""
    from perfkit.run.project import init_project

    try:
        result = init_project(folder, name)
    except PerfkitError as exc:
        fail(exc)
    console.print(say(f"已新建 perfkit 项目：{result.root}（写入 {len(result.written)} 个文件）"),
                  soft_wrap=True)
    if result.kept:
        console.print(say("以下文件已存在，未覆盖：" + "、".join(
            str(p.relative_to(result.root)) for p in result.kept)), soft_wrap=True)
    console.print(say("下一步：进入该文件夹，运行 perfkit template --year 年度 --dept 部门代码 "
                      "生成工作簿；填好后 perfkit check 检查，perfkit run 生成报告。"
                      "perfkit codes 列出指标代码。"),
                  soft_wrap=True)


@app.command()
def bureau(
    year: Annotated[int, typer.Option(help="评价年度，如 2019")],
    outputs: Annotated[Path | None, typer.Option(help="输出目录；默认 outputs/")] = None,
) -> None:
    """财政部门的年度复核汇总：由各部门已运行的结果重新生成 outputs/<年度>/ 下的复核汇总
    （xlsx、网页）、结果通报（Word）和整改台账（保留已填写的整改情况；对照上年台账标出复发问题）。"""
    from perfkit.report.index import write_index
    from perfkit.run.bureau import bureau_dir, gather, write_bureau

    root = outputs or config.current().outputs_dir
    try:
        written = write_bureau(root, year)
        found = gather(root, year)
    except PerfkitError as exc:
        fail(exc)
    write_index(root)
    console.print(say(f"{year}年度复核汇总：{len(found.records)} 个部门，未纳入 {len(found.failed)} 个，"
                      f"跨部门提示 {len(found.flags)} 条。文件在 {bureau_dir(root, year)}：",
                      "、".join(p.name for p in written)), soft_wrap=True)
    for f in found.failed:
        console.print(say(("未纳入 ", "yellow"), f"{f.department}：{f.error}"), soft_wrap=True)


@app.command()
def codes(
    domain: Annotated[str | None, typer.Option(
        help="只列出一个领域：领域代码或名称（如 health 或 卫生健康、finance 或 财务）")] = None,
) -> None:
    """列出全部指标代码（填“绩效指标”表“指标代码”用）：代码、领域、指标、单位。"""
    from perfkit.data.params import domain_key
    from perfkit.indicators.registry import codes as list_codes

    try:
        frame = list_codes(domain_key(domain) if domain is not None else None)
    except PerfkitError as exc:
        fail(exc)
    # Plain lines, codes never wrapped: they are copied into the workbook.
    width = int(frame["code"].str.len().max() or 0)
    for key, group in frame.groupby("domain", sort=False):
        console.print(say((str(group["domain_zh"].iloc[0]), "bold"), f"（{key}）"))
        for _, r in group.iterrows():
            kind = ("", "") if r["reported"] else ("  计算", "dim")
            console.print(say(f"  {r['code']:<{width}}  {r['label_zh']}（{r['unit']}）", kind),
                          soft_wrap=True)
    console.print(say(f"共 {len(frame)} 个指标代码。未标“计算”的在“绩效指标”表按代码填写实际值；"
                      "标“计算”的由 perfkit 按公式计算（计算方法见报告附录的数据字典），"
                      "也可在该表为其填写目标值。"))


def main() -> None:
    """Entry point with logging configured from PERFKIT_LOG."""
    handler = logging.StreamHandler()
    handler.setFormatter(ShownFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=os.environ.get("PERFKIT_LOG", "WARNING"), handlers=[handler])
    try:
        app()
    except PerfkitError as exc:
        err.print(say("错误：", str(exc)))
        sys.exit(2)
    except Exception:  # a defect: its traceback, with any quoted text shown, not acted on
        err.print(say(traceback.format_exc()), soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
