"""The run settings as a reader meets them: the README's table of settings and the commented
settings file ``perfkit template`` writes, both generated from the fields of
:class:`perfkit.data.params.Settings` (what each setting decides is written once, on its field)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from pydantic.fields import FieldInfo

from perfkit import config
from perfkit.atomic import write_text_atomic
from perfkit.data.params import Settings, check_department, load_settings
from perfkit.errors import ParamsError

#: Where a reader finds every setting: the comments of the settings files perfkit writes say so.
SETTINGS_HELP_ZH = "全部设置项的取值、默认值、作用和示例见 perfkit README 的“Run settings（运行设置）”表"


@dataclass(frozen=True)
class SettingDoc:
    """One row of the settings table: a setting as the README documents it."""

    key: str
    values: str
    default: str
    effect: str
    example: str
    zh: str


def _fields() -> dict[str, FieldInfo]:
    """The fields of :class:`Settings` with their metadata, in declaration order."""
    return Settings.__pydantic_fields__  # type: ignore[attr-defined]  # set by pydantic


def _extra(info: FieldInfo, key: str) -> str:
    extra = info.json_schema_extra
    return str(extra.get(key, "")) if isinstance(extra, dict) else ""


def _values_text(info: FieldInfo) -> str:
    return _extra(info, "values") or " / ".join(f"`{v}`" for v in get_args(info.annotation))


def _default_text(info: FieldInfo) -> str:
    return _extra(info, "default") or f"`{info.default}`"


def settings_reference() -> list[SettingDoc]:
    """Every run setting with its values, default, effect and example, in declaration order
    (from the fields of :class:`Settings`)."""
    return [SettingDoc(key, _values_text(info), _default_text(info), info.description or "",
                       (info.examples or [""])[0], info.title or "")
            for key, info in _fields().items()]


def settings_table() -> str:
    """The README's table of run settings, as Markdown (generated: edit the fields instead)."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    rows = ["| key | values | default | effect | example |", "|---|---|---|---|---|"]
    rows += [f"| `{d.key}` | {cell(d.values)} | {cell(d.default)} | {cell(d.effect)} | "
             f"`{cell(d.example)}` |" for d in settings_reference()]
    return "\n".join(rows) + "\n"


def _other_settings_comment(written: set[str], department: str, year: int) -> str:
    """Every setting a new settings file leaves at its default, commented out: what it decides,
    then the key with its default (or, when the default is to leave it out, an example)."""
    lines = ["# 以下设置项取默认值，不写亦同；要改时删去行首的“# ”再改值。"]
    for d in settings_reference():
        if d.key in written:
            continue
        default = _fields()[d.key].default
        if d.key == "workbook":  # the default spelled out: this department-year's workbook
            shown, example = f"workbook: data/{department}/{year}.xlsx", False
        elif isinstance(default, str | int | float) and default != "":
            shown, example = f"{d.key}: {default}", False
        else:
            shown, example = d.example, True
        lines += [f"# {d.zh}" + ("（下行为示例）" if example else ""), f"# {shown}"]
    return "\n".join(lines) + "\n"


def write_settings_file(department: str, year: int, domains: tuple[str, ...],
                        project: config.Project | None = None) -> Path:
    """Write a new ``params/<dept>/<year>.yaml`` naming the department-year's domains, and
    every other setting commented out with what it decides.

    Raises:
        ParamsError: the file exists (never overwritten), or the result is not valid.
    """
    check_department(department)
    path = config.params_path(department, year, project)
    if path.exists():
        raise ParamsError(f"运行设置 {path} 已存在，未覆盖。")
    listed = ", ".join(domains)
    text = (f"# 运行设置：{department} {year}年度（perfkit template 生成）。{SETTINGS_HELP_ZH}。\n"
            f"department: {department}\n"
            f"year: {year}\n"
            "# 本年度的业务领域（领域代码，perfkit codes 列出）：只运行这些领域的报告，自评报告、复核意见和\n"
            "# 数据字典只包括这些领域；财务总是包括。\n"
            f"domains: [{listed}]\n"
            + _other_settings_comment({"department", "year", "domains"}, department, year))
    write_text_atomic(path, text)
    load_settings(department, year, project=project)  # what was written must load
    return path
