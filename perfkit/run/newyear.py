"""A new year's workbook and run settings carried over from the year before (template --from).

What is carried over, and nothing else:

- 收入/支出: last year's 决算数 → 上年决算数; 三公经费: 决算数 → 上年决算数, 预算数 → 上年预算数.
- 绩效指标: every row, its own 实际值 last year → 上年值 (a computed indicator's row: its value
  computed from last year's workbook). Targets that applied to last year are copied for editing
  (marked 未核改 in 填写说明 until the department deletes the mark); targets last year's report set
  for the new year become the new year's targets (目标年度 cleared, it is the evaluation year);
  targets for later years stay. What perfkit says about a row is in 填写说明, never in the
  department's 备注: reports do not read 填写说明.
- 定性评价 and 支出功能分类: the items (评价指标/评价要点, 科目) without answers or amounts.
- 基本信息: department name and amount unit.
- The sheets and the 领域 drop-down of last year's domains (no 学生资助 sheet for a health bureau).

Everything the department reports for the new year stays empty (it shows as a data gap until
filled). Amounts are written in the unit the old workbook declared.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any

from perfkit import config
from perfkit.assess.scoresheet import ScoreSheet, load_sheet
from perfkit.atomic import write_text_atomic
from perfkit.cells import is_missing
from perfkit.data.params import (
    Settings,
    check_department,
    load_settings,
    settings_from_dict,
)
from perfkit.data.reader import load_workbook
from perfkit.data.settingsdoc import SETTINGS_HELP_ZH
from perfkit.data.sheets import UNREVIEWED
from perfkit.data.template import write_workbook
from perfkit.errors import PerfkitError
from perfkit.indicators.base import evaluate, row_key
from perfkit.indicators.registry import Registry, registry
from perfkit.run.prefill import template_content

log = logging.getLogger(__name__)


def _v(x: Any) -> Any:
    """A cell value for the new workbook: None for NaN/None, whole floats as int."""
    if is_missing(x):
        return None
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return int(x)
    return x


def next_year_content(data, year: int, score_sheet: ScoreSheet,
                      settings: Settings | None = None,
                      project: config.Project | None = None) -> dict[str, Any]:
    """Content (for :func:`perfkit.data.template.write_workbook`) of the workbook for ``year``.

    Args:
        data: last year's validated :class:`~perfkit.data.workbook.WorkbookData`.
        year: the new evaluation year (after ``data.year``).
        score_sheet: the score sheet of the new year's settings (its conditions and items are
            pre-filled in 定性评价 and 自评表).
        settings: last year's run settings, to compute last year's values of the computed
            indicators 绩效指标 names (default settings when None).
        project: the project whose indicators those are; default the current one.

    Returns:
        The content mapping described in the module docstring.
    """
    old = data.year
    if year <= old:
        raise PerfkitError(f"新年度 {year} 应晚于来源年度 {old}。")
    per_unit = 1.0 / data.unit_factor  # amounts are held in 万元; write them in the old unit
    unit = data.info.get("unit_declared") or "万元"

    def amount(x: Any) -> Any:
        v = _v(x)
        return None if v is None else _v(round(float(v) * per_unit, 6))

    content: dict[str, Any] = {
        "info": {"department_name": data.department_name, "year": year, "unit": unit},
    }
    for sheet in ("income", "expenditure"):
        frame = data.frames[sheet]
        rows = {}
        for key, r in frame.iterrows():
            prior = amount(r["actual"])
            if prior is not None:
                cell = data.cell(sheet, key, "actual")
                rows[key] = {"prior_actual": prior, "source": f"上年决算数：{old}年度工作簿 {cell}"}
        content[sheet] = rows
    rows = {}
    for key, r in data.frames["three_public"].iterrows():
        entry = {"prior_actual": amount(r["actual"]), "prior_budget": amount(r["budget"])}
        if any(v is not None for v in entry.values()):
            entry["source"] = f"上年数：{old}年度工作簿 三公经费表"
            rows[key] = {k: v for k, v in entry.items() if v is not None}
    content["three_public"] = rows
    settings = settings or settings_from_dict({"department": "next-year", "year": old},
                                              project=project)
    content["targets"] = _next_targets(data.frames["targets"], old, year,
                                       _computed_priors(data, settings, registry(project)))
    qual = data.frames.get("qualitative")
    last_year = [] if qual is None else [
        {"item": r["item"], "condition": r["condition"]} for _, r in qual.iterrows()]
    content.update(template_content(score_sheet, qualitative=last_year))
    func = data.frames.get("functional")
    content["functional"] = [] if func is None else [
        {"code": r["code"], "name": r["name"]} for _, r in func.iterrows()]
    content["aid"], content["stated"], content["balance"] = [], [], {}
    return content


def _computed_priors(data, settings: Settings, reg: Registry) -> dict[str, tuple[float, str]]:
    """指标代码 → (last year's value, definition) of every computed indicator a 绩效指标 row names.

    Such a row (a target on 孕产妇死亡率, say) has no typed 实际值: perfkit computes the value
    from other rows, so last year's computed value is the new year's 上年值.
    """
    out = {}
    for code in dict.fromkeys(row_key(r) for _, r in data.frames["targets"].iterrows()):
        ind = reg.indicators.get(code)
        if ind is not None and not ind.reported:
            out[code] = (evaluate(ind, data, settings, reg)["value"], ind.definition_zh)
    return out


def _next_targets(frame, old: int, year: int,
                  computed: dict[str, tuple[float, str]] | None = None) -> list[dict[str, Any]]:
    """The new year's 绩效指标 rows (see the module docstring).

    A row is matched across years by :func:`perfkit.indicators.base.row_key` (its 指标代码, or
    its 领域 and 指标 when it has none); its 上年值 is that row's own 实际值 last year, or last
    year's computed value (``computed``, from :func:`_computed_priors`) for a computed indicator.
    What perfkit says about a row goes into 填写说明 (``guidance``), which no report reads; the
    department's 备注 stays its own.
    """
    computed = computed or {}
    rows = [r for _, r in frame.iterrows()]
    keys = [row_key(r) for r in rows]
    priors: dict[str, tuple[Any, str]] = {}
    for k, r in zip(keys, rows, strict=True):
        if k in priors or _year_of(r, old) > old:
            continue  # the first row of an indicator is the one reports read (own_rows)
        value, definition = computed.get(k, (math.nan, ""))
        if not math.isnan(value):
            priors[k] = (_v(round(value, 6)), f"上年值为{old}年度计算值：{definition}")
        elif _v(r["actual"]) is not None:
            priors[k] = (_v(r["actual"]), f"上年值为{old}年度实际值")
    promoted = {k for k, r in zip(keys, rows, strict=True) if _year_of(r, old) == year}
    out = []
    for k, r in zip(keys, rows, strict=True):
        ty = _year_of(r, old)
        if ty <= old and k in promoted:
            continue  # last year's report set a target for the new year: that one wins
        rec = {c: _v(r[c]) for c in ("domain", "code", "name", "unit", "direction")}
        rec["prior"], prior_note = priors.get(k, (None, ""))
        notes = []
        if ty <= old:
            rec["target"] = _v(r["target"])
            if rec["target"] is not None:
                notes.append(f"{UNREVIEWED}：目标值沿用{old}年度，按{year}年度计划核改后删去本句")
        elif ty == year:
            rec["target"] = _v(r["target"])
            notes.append(f"目标来自{old}年度报告提出的{year}年目标")
        else:
            rec["target"], rec["target_year"] = _v(r["target"]), int(ty)
        if prior_note:
            notes.append(prior_note)
        rec["guidance"] = "；".join(notes) or None
        out.append(rec)
    return out


def _year_of(r, old: int) -> int:
    ty = _v(r["target_year"])
    return old if ty is None else int(ty)


def next_year_params(text: str, department: str, old: int, year: int) -> str:
    """Rewrite last year's settings YAML for ``year``, keeping its comments and choices."""
    out = [f"# 由 perfkit template 从 {old}.yaml 生成；请核对各项口径是否仍适用。"]
    dropping = False
    for line in text.splitlines():
        if dropping and (line[:1] in (" ", "\t", "-") or not line.strip()):
            continue  # the dropped key's list continues
        dropping = False
        if re.match(r"^confirmed_values\s*:", line):
            # A confirmation vouches for one year's figure, never for next year's.
            out.append(f"# confirmed_values 未沿用：{old}年度核实的数值不适用于{year}年度")
            dropping = True
            continue
        if re.match(r"^year\s*:", line):
            line = f"year: {year}"
        elif re.match(r"^workbook\s*:", line):
            line = line.replace(f"{old}.xlsx", f"{year}.xlsx")
        elif line.lstrip().startswith("#"):
            line = re.sub(rf"(?<!\d){old}(?!\d)", str(year), line)
        out.append(line)
    return "\n".join(out) + "\n"


def write_next_year(department: str, year: int, from_year: int,
                    project: config.Project | None = None) -> tuple[Path, Path]:
    """Write ``data/<dept>/<year>.xlsx`` and ``params/<dept>/<year>.yaml`` from ``from_year``, in
    ``project`` (default: the current one).

    Returns:
        (workbook path, settings path).

    Raises:
        PerfkitError: a target file exists already (nothing is overwritten), or the source
            workbook or settings are invalid.
    """
    check_department(department)
    project = project or config.current()
    out = config.workbook_path(department, year, project)
    params_out = config.params_path(department, year, project)
    for p in (out, params_out):
        if p.exists():
            raise PerfkitError(f"{p} 已存在，未覆盖。请先改名或删除。")
    settings = load_settings(department, from_year, project=project)
    data = load_workbook(settings.workbook_path(project), expected_year=from_year,
                         confirmed=settings.confirmed_values, limits=settings.read_limits,
                         project=project)
    # The new workbook holds last year's domains: the settings' (carried over), else the workbook's.
    domains = (list(settings.domains) if settings.domains is not None
               else registry(project).domains_in_use(data))
    content = next_year_content(data, year, load_sheet(settings.score_sheet, project), settings,
                                project)
    write_workbook(out, content, domains=domains, project=project)
    src = config.params_path(department, from_year, project)
    if src.exists():
        text = next_year_params(src.read_text(encoding="utf-8"), department, from_year, year)
    else:
        text = (f"# {year}年度运行设置（由 perfkit template 生成）。{SETTINGS_HELP_ZH}。\n"
                f"department: {department}\nyear: {year}\n")
    write_text_atomic(params_out, text)
    load_settings(department, year, project=project)  # the rewritten settings must still be valid
    log.info("wrote %s and %s from %s", out, params_out, from_year)
    return out, params_out


#: What ``template --from`` wrote into 备注 before 填写说明 existed: reports print 备注, so a
#: workbook made then still carries it into them until the department deletes it.
_OLD_GUIDANCE = re.compile(r"(目标值沿用\d{4}年度，请按\d{4}年度计划核改|目标来自\d{4}年度报告提出的"
                           r"\d{4}年目标|上年值为\d{4}年度实际值)(；|$)")


def unreviewed_targets(data) -> list[str]:
    """Notes on the 绩效指标 rows whose 填写说明 still says :data:`UNREVIEWED` (a target copied
    from last year that nobody has reviewed), each naming the target's cell and the fix; and on
    rows whose 备注 holds what an older ``template --from`` wrote there (printed in reports).

    Args:
        data: a validated :class:`~perfkit.data.workbook.WorkbookData`.
    """
    frame = data.frames.get("targets")
    if frame is None or frame.empty:
        return []
    notes = []
    for i, r in frame.iterrows():
        guidance = r.get("guidance")
        said = next((s for s in guidance.split("；") if UNREVIEWED in s), None) if isinstance(
            guidance, str) else None
        if said is not None:
            notes.append(f"{data.cell('targets', i, 'target')} “{r['name']}”目标值{UNREVIEWED}"
                         f"（{data.cell('targets', i, 'guidance')} 填写说明：{said}）")
        if isinstance(r["note"], str) and _OLD_GUIDANCE.match(r["note"]):
            notes.append(f"{data.cell('targets', i, 'note')} “{r['name']}”的备注是旧版 perfkit "
                         f"模板写的说明（{r['note']}），报告会照印备注：核改目标值后删除该备注")
    return notes
