"""What the command line prints: data is never rich markup, control characters never reach the
terminal as such (issue 21 item 7; issue 28 item 6)."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfkit import cli, cliparts, terminal
from perfkit.cli import app
from perfkit.terminal import say, shown

runner = CliRunner()

#: What a hostile report or workbook carries: OSC (set the window title), clear screen, cursor
#: home, a CR that would overwrite the line, backspaces, 8-bit CSI, a right-to-left override.
ESCAPES = "\x1b]0;已被篡改\x07\x1b[2J\x1b[H\r\x08\x08\x9b31m\u202e"
#: Rich markup that a parser would act on (or choke on: "[/]" closes nothing).
MARKUP = "[/][red]红[/red][link=http://x]链接[/link][bold"
#: The characters of ESCAPES a terminal acts on, and NUL, VT, FF, DEL, the C1 range's end and an
#: isolate.
CONTROLS = "\x1b\x07\r\x08\x9b\u202e\x00\x0b\x0c\x7f\x9f\u2066"


def _no_controls(text: str) -> None:
    bad = sorted({f"U+{ord(c):04X}" for c in text if c in CONTROLS})
    assert not bad, f"control characters reached the terminal: {bad}"


@pytest.mark.parametrize("char", list(CONTROLS))
def test_every_control_character_is_shown_escaped(char):
    out = shown(f"前{char}后")
    assert char not in out and out.startswith("前") and out.endswith("后")
    assert out == shown(out)  # shown text shows as itself


def test_tabs_newlines_and_chinese_stay():
    assert shown("一\t二\n三（四）[五]") == "一\t二\n三（四）[五]"


def test_say_never_parses_markup():
    text = say(("结论", "red"), MARKUP, ESCAPES)
    assert text.plain == "结论" + MARKUP + shown(ESCAPES)


def _hostile_report(tmp_path: Path) -> Path:
    report = tmp_path / "report.txt"
    report.write_text(
        f"2019年度部门决算收入24192.45万元{ESCAPES}，为年初预算18122.94万元的133.49%。{MARKUP}\n"
        f"{MARKUP}“三公”经费支出合计46.10万元，其中公务接待费20.00万元、公务用车运行维护费"
        f"20.00万元{ESCAPES}。\n" + "本年度各项工作有序推进，按计划完成了年度任务。\n" * 60,
        encoding="utf-8")  # ordinary text around it: a file of mostly control bytes is refused
    return report


def test_audit_report_prints_hostile_sentences_as_text(tmp_path):
    report = _hostile_report(tmp_path)
    result = runner.invoke(app, ["audit", "--report", str(report)],
                           env={"COLUMNS": "400", "NO_COLOR": "1"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    _no_controls(result.output)
    assert "\\x1b" in result.output and "\\u202e" in result.output  # shown, not hidden
    assert "[/][red]红[/red]" in result.output  # markup printed as typed


def _city(c):
    """A city-level "三公" total of 1.9亿元: real, but beyond the plausibility bound."""
    tp = c["three_public"]
    tp["total"]["actual"] = 19000
    tp["reception"]["actual"] = round(19000 - tp["abroad"]["actual"]
                                      - tp["vehicle_operation"]["actual"], 2)


def test_audit_with_a_confirmed_value_prints_its_verdict(make_workbook, tmp_path, monkeypatch,
                                                         use_project):
    """Issue 21.7: a confirmed value's verdict (已核实) had no style, so the table printed
    "[]已核实[/]" as markup and rich died with MarkupError: closing tag '[/]'."""
    import perfkit as pk
    from perfkit.errors import WorkbookError

    path = make_workbook(_city)
    with pytest.raises(WorkbookError) as refused:
        pk.load_workbook(path)
    refs = [f"{p.sheet}!{p.cell}" for p in refused.value.problems]
    use_project(tmp_path)
    settings = tmp_path / "city.yaml"
    settings.write_text("department: city\nyear: 2019\nconfirmed_values:\n"
                        + "".join(f"  - {r}\n" for r in refs), encoding="utf-8")
    result = runner.invoke(app, ["audit", str(path), "--params", str(settings)],
                           env={"COLUMNS": "300", "NO_COLOR": "1"})
    assert result.exit_code in (0, 1), result.output + repr(result.exception)
    assert "已核实" in result.output and "[/]" not in result.output


def test_check_prints_hostile_workbook_text_as_text(make_workbook):
    def hostile(c):
        # An .xlsx cannot hold C0 controls (openpyxl and Excel refuse them); these it can.
        c["info"]["department_name"] = f"某局{MARKUP}\x9b2J\u202e\x7f"

    path = make_workbook(hostile)
    result = runner.invoke(app, ["check", str(path)], env={"COLUMNS": "300", "NO_COLOR": "1"})
    _no_controls(result.output)
    assert MARKUP in result.output


def test_log_lines_show_control_characters(caplog):
    handler = logging.StreamHandler()
    handler.setFormatter(terminal.ShownFormatter("%(message)s"))
    record = logging.LogRecord("perfkit", logging.WARNING, __file__, 1, "报告 %s", (ESCAPES,), None)
    _no_controls(handler.format(record))


#: Calls that hand rich something to render: their text arguments must be Text built by say()
#: (or a literal without markup), never an f-string or a variable string rich would parse.
_RICH_CALLS = {"print", "add_row", "add_column", "Table"}


def test_cli_hands_rich_no_string_to_parse():
    """Every argument of console.print, Table(title=), add_column, add_row in cli.py (and the
    modules it prints through, cliparts.py and terminal.py) is a say()
    or shown() call, a Table, or a constant without "[": the whole file, so a new message cannot
    reintroduce the bug."""
    bad = []
    nodes = [node for module in (cli, cliparts, terminal)
             for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8")))]
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        if name not in _RICH_CALLS:
            continue
        args = [*node.args, *(k.value for k in node.keywords if k.arg == "title")]
        if name == "print" and not (isinstance(node.func, ast.Attribute)
                                    and getattr(node.func.value, "id", "") in ("console", "err")):
            continue
        for arg in args:
            if isinstance(arg, ast.Starred):
                arg = arg.value
            if isinstance(arg, ast.Call) and getattr(arg.func, "id", "") in ("say", "shown"):
                continue
            if isinstance(arg, ast.Constant) and "[" not in str(arg.value):
                continue
            if isinstance(arg, ast.Name) and arg.id in ("table", "note"):
                continue  # a Table, or a Text made by say() above
            if isinstance(arg, ast.ListComp):
                elt = arg.elt
                if isinstance(elt, ast.IfExp):
                    elts = [elt.body, elt.orelse]
                else:
                    elts = [elt]
                if all(isinstance(e, ast.Call) and getattr(e.func, "id", "") == "say"
                       for e in elts):
                    continue
            bad.append(f"line {node.lineno}: {ast.unparse(arg)[:60]}")
    assert not bad, bad


def test_a_defect_s_traceback_shows_control_characters(monkeypatch, capsys):
    """An unexpected exception (a defect) quoting report text: its traceback is printed with the
    control characters shown, and the exit status is 1."""
    def broken() -> None:
        raise RuntimeError(f"报告文字{ESCAPES}")

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 1
    err = capsys.readouterr().err
    assert "RuntimeError" in err and "\\x1b" in err
    _no_controls(err)
