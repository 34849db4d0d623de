"""The perfkit command line (typer): argument parsing only; the work is in the package."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import config
from .errors import PerfkitError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="perfkit：部门整体支出绩效自评（工作簿 → 指标 → 评分 → 报告）")
console = Console(stderr=False, highlight=False)
err = Console(stderr=True, highlight=False)

STATUS_ZH = {"ok": "[green]成功[/]", "failed": "[red]失败[/]", "skipped": "[dim]跳过[/]"}


def _fail(exc: PerfkitError) -> None:
    # Messages quote workbook text: escape it so "[...]" in a cell is shown, not parsed as markup.
    err.print(f"[red]错误[/]：{escape(str(exc))}", markup=True, highlight=False)
    raise typer.Exit(2)


def _years(spec: str | None) -> list[int]:
    if not spec:
        return []
    years: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-", 1)
            years.extend(range(int(a), int(b) + 1))
        elif part:
            years.append(int(part))
    return years


def _discover() -> list[tuple[str, int]]:
    found = []
    if config.DATA_DIR.exists():
        for path in sorted(config.DATA_DIR.glob("*/*.xlsx")):
            if path.stem.isdigit() and not path.name.startswith("~$"):
                found.append((path.parent.name, int(path.stem)))
    return found


@app.command()
def run(
    year: Annotated[int | None, typer.Option(help="评价年度，如 2019")] = None,
    years: Annotated[str | None, typer.Option(help="多个年度：2018-2020 或 2018,2019")] = None,
    dept: Annotated[str | None, typer.Option(help="部门代码（data/ 下的文件夹名）；默认样例部门")] = None,
    depts: Annotated[str | None, typer.Option(help="多个部门，逗号分隔；all 表示全部")] = None,
    notebook: Annotated[list[str] | None, typer.Option("--notebook", "-n", help="只运行这些笔记本")] = None,
    params: Annotated[str, typer.Option(help="运行设置 YAML（单个部门年度时）")] = "",
    jobs: Annotated[int, typer.Option(help="并行进程数；默认 CPU 核数")] = 0,
    force: Annotated[bool, typer.Option(help="输入未变也重新运行")] = False,
    outputs: Annotated[Path | None, typer.Option(help="输出目录；默认 outputs/")] = None,
) -> None:
    """执行笔记本并渲染报告到 outputs/<部门>/<年度>/。"""
    from .runner import run as run_all

    year_list = _years(years) or ([year] if year else [])
    dept_list = [d.strip() for d in (depts or dept or "").split(",") if d.strip()]
    found = _discover()
    if not dept_list:
        dept_list = [config.SAMPLE_DEPT] if (year_list and not depts) else sorted({d for d, _ in found})
    if dept_list == ["all"]:
        dept_list = sorted({d for d, _ in found})
    if not year_list:
        year_list = sorted({y for d, y in found if d in dept_list})
    pairs = [(d, y) for d in dept_list for y in year_list
             if (d, y) in found or len(dept_list) * len(year_list) == 1]
    if not pairs:
        err.print("没有找到要运行的部门年度（data/<部门>/<年度>.xlsx）。")
        raise typer.Exit(2)
    jobs = jobs or os.cpu_count() or 1
    total = len(pairs) * len(notebook or config.DOMAINS)
    from rich.progress import Progress

    with Progress(console=err, transient=True) as progress:
        bar = progress.add_task("运行笔记本", total=total)
        results = run_all(pairs, notebooks=notebook or None, outputs=outputs, jobs=jobs, force=force,
                          params_file=params, on_result=lambda r: progress.advance(bar))
    table = Table(title="运行结果")
    for col in ("部门", "年度", "笔记本", "状态", "用时(秒)", "说明"):
        table.add_column(col)
    for r in results:
        note = r.error or ""
        if r.failed_copy:
            note += f"\n失败的笔记本副本：{config.output_dir(r.department, r.year, outputs) / r.failed_copy}"
        table.add_row(escape(r.department), str(r.year), r.notebook, STATUS_ZH[r.status],
                      f"{r.seconds:.1f}", escape(note))
    console.print(table)
    out_root = outputs or config.OUTPUTS_DIR
    console.print(f"报告目录：{out_root}（索引：{out_root / 'index.html'}）")
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@app.command()
def check(file: Annotated[Path, typer.Argument(help="要检查的工作簿 .xlsx")],
          year: Annotated[int | None,
                          typer.Option(help="期望的评价年度；默认取文件名中的年度")] = None,
          strict: Annotated[bool, typer.Option(help="有提醒时也以非零状态(1)退出")] = False,
          ) -> None:
    """检查一个工作簿，一次列出全部问题（有问题时退出状态为 2）。"""
    from .workbook import load_workbook, year_from_filename

    try:
        expected = year if year is not None else year_from_filename(file)
        data = load_workbook(file, expected_year=expected)
    except PerfkitError as exc:
        _fail(exc)
    console.print(f"[green]通过[/]：{escape(str(file))}"
                  f"（{escape(data.department_name)}，{data.year}年度）")
    for i, note in enumerate(data.warnings, 1):
        console.print(f"[yellow]提醒[/] {i}. {escape(str(note))}")
    if data.warnings and strict:
        raise typer.Exit(1)


@app.command()
def template(
    out: Annotated[Path | None, typer.Argument(help="输出文件；默认 data/<部门>/<年度>.xlsx")] = None,
    year: Annotated[int | None, typer.Option(help="新工作簿的年度")] = None,
    dept: Annotated[str, typer.Option(help="部门代码")] = config.SAMPLE_DEPT,
) -> None:
    """生成一个空白的、带填写说明和下拉选项的工作簿模板。"""
    from .workbook import write_workbook

    if out is None:
        if year is None:
            err.print("请给出输出文件名，或用 --year（及 --dept）写到 data/<部门>/<年度>.xlsx。")
            raise typer.Exit(2)
        from .params import check_department

        out = config.workbook_path(check_department(dept), year)
    if out.exists():
        err.print(f"{out} 已存在，未覆盖。请先改名或删除。")
        raise typer.Exit(2)
    write_workbook(out, {"info": {"year": year, "unit": "万元"}} if year else None)
    console.print(f"已生成模板：{out}")


def main() -> None:
    """Entry point with logging configured from PERFKIT_LOG."""
    logging.basicConfig(level=os.environ.get("PERFKIT_LOG", "WARNING"),
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except PerfkitError as exc:
        err.print(f"错误：{escape(str(exc))}")
        sys.exit(2)


if __name__ == "__main__":
    main()
