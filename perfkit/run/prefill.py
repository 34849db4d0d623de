"""What a new workbook is pre-filled with: text sections, score-sheet items, the domains' indicators.

A department starts from a template that already lists the 报告文字 sections with what each
should say (填写说明), the 定性评价 conditions of its score sheet's checklist items, the
自评表 rows of that sheet (编号, 指标, 分值) and, for the domains it names, one 绩效指标 row per
figure their catalogs read (领域, 指标代码, 指标, 单位) — so it answers, reports and scores
exactly what the reviewer will check. Nothing is answered, reported or scored for it.
"""

from __future__ import annotations

from typing import Any

from perfkit import config
from perfkit.assess.rules import Checklist
from perfkit.assess.scoresheet import ScoreSheet
from perfkit.data.sheets import TEXT_SECTIONS
from perfkit.domains import catalogs


def text_rows() -> list[dict[str, Any]]:
    """One 报告文字 row per section, with its 填写说明 and empty 内容."""
    return [{"section": t.label, "guidance": t.guidance} for t in TEXT_SECTIONS]


def qualitative_rows(sheet: ScoreSheet) -> list[dict[str, Any]]:
    """One 定性评价 row per condition of every checklist item of ``sheet`` (是否满足 empty)."""
    rows = []
    for item in sheet.items:
        if isinstance(item.rule, Checklist):
            rows += [{"item": item.rule.item, "condition": c} for c in item.rule.conditions_zh]
    return rows


def self_score_rows(sheet: ScoreSheet) -> list[dict[str, Any]]:
    """One 自评表 row per item of ``sheet`` with its 分值 (自评得分 empty)."""
    return [{"item": i.id, "level1": i.level1, "level2": i.level2, "level3": i.level3,
             "points": i.points} for i in sheet.items]


def target_rows(domains: list[str], project: config.Project | None = None) -> list[dict[str, Any]]:
    """One 绩效指标 row per reported indicator of these domains' catalogs, in catalog order:
    领域, 指标代码, 指标, 单位 from the catalog, and 方向 where the catalog gives the target's
    direction (its ``targets`` rules); values empty. Computed indicators have no row (perfkit
    computes them from these). ``project``: whose catalogs (default: the current one).
    """
    cats = catalogs(project)
    rows = []
    for key in domains:
        c = cats[key]
        directions = {t.code: t.direction for t in c.targets}
        rows += [{"domain": key, "code": i.code, "name": i.label_zh, "unit": i.unit,
                  "direction": directions.get(i.code)}
                 for i in c.indicators if i.formula is None]
    return rows


def template_content(sheet: ScoreSheet, *, year: int | None = None,
                     qualitative: list[dict[str, Any]] | None = None,
                     domains: list[str] | None = None,
                     project: config.Project | None = None) -> dict[str, Any]:
    """Content for :func:`perfkit.data.template.write_workbook`: the pre-filled sheets.

    Args:
        sheet: the score sheet the department-year will be reviewed against.
        year: the evaluation year for 基本信息 (and 万元 as the unit).
        qualitative: 定性评价 rows to keep (e.g. last year's); the sheet's conditions not among
            them are added.
        domains: catalog keys whose indicators get a 绩效指标 row each (:func:`target_rows`).
        project: the project whose catalogs those are; default the current one.
    """
    kept = list(qualitative or [])
    have = {(r.get("item"), r.get("condition")) for r in kept}
    kept += [r for r in qualitative_rows(sheet) if (r["item"], r["condition"]) not in have]
    content: dict[str, Any] = {"text": text_rows(), "qualitative": kept,
                               "self_scores": self_score_rows(sheet)}
    if domains:
        content["targets"] = target_rows(domains, project)
    if year is not None:
        content["info"] = {"year": year, "unit": "万元"}
    return content
