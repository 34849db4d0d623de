"""Clearly synthetic department-year workbooks for tests and benchmarks (never real data).

Test code, not part of perfkit (the wheel leaves it out): the tests import it as ``synthetic``
(pytest puts tests/ on the path), benchmarks/run_bench.py the same way.

Every department is named "合成测试部门NN" with code ``synthetic-NN``, every 数据来源 cell and
填报人 says the figures are synthetic, and the files go to a project folder you pass (its
``data/``), never into this repository's ``data/``. Figures are drawn from a seeded generator,
so the same call writes the same bytes; they are internally consistent (totals equal their parts,
last year's figures equal the previous year's), so a synthetic workbook passes ``perfkit check``
and its cross-checks. The sheet layout is the sample's (:mod:`perfkit.data.workbook`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl

from perfkit import config
from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.data.template import write_cell, write_workbook
from perfkit.data.values import normalize_label
from perfkit.domains import domain_names
from perfkit.errors import PerfkitError
from perfkit.run.project import init_project

log = logging.getLogger(__name__)

NAME = "合成测试部门{:02d}"
CODE = "synthetic-{:02d}"
SOURCE = "合成数据（tests/synthetic.py，非真实数据）"
BASE_YEAR = 2015


def department_code(index: int) -> str:
    """The code of synthetic department ``index`` (1-based): ``synthetic-01`` …"""
    return CODE.format(index)


def _figures(index: int, year: int, seed: int) -> dict[str, float]:
    """One department-year's base figures (万元 unless named otherwise)."""
    size = random.Random(f"{seed}/{index}").uniform(3000, 30000)
    growth = random.Random(f"{seed}/{index}/g").uniform(-0.03, 0.08)
    rng = random.Random(f"{seed}/{index}/{year}")
    scale = size * (1 + growth) ** (year - BASE_YEAR) * rng.uniform(0.95, 1.05)

    def r2(x: float) -> float:
        return round(x, 2)

    budget = r2(scale)
    income = {"fiscal": r2(scale * rng.uniform(0.70, 0.90)),
              "service": r2(scale * rng.uniform(0.05, 0.15)),
              "other": r2(scale * rng.uniform(0.0, 0.05))}
    personnel = r2(scale * rng.uniform(0.35, 0.50))
    public = r2(scale * rng.uniform(0.08, 0.15))
    project = r2(scale * rng.uniform(0.25, 0.45))
    abroad = r2(rng.uniform(0, 15))
    purchase = r2(rng.choice([0.0, 0.0, rng.uniform(10, 30)]))
    operation = r2(rng.uniform(20, 60))
    reception = r2(rng.uniform(10, 50))
    return {
        "budget": budget, **{f"income_{k}": v for k, v in income.items()},
        "personnel": personnel, "public": public, "project": project,
        "abroad": abroad, "purchase": purchase, "operation": operation, "reception": reception,
        "three_budget": r2((abroad + purchase + operation + reception) * rng.uniform(1.0, 1.4)),
        "service_budget": r2(income["service"] * rng.uniform(0.85, 1.1)),
        "staff_authorized": float(int(scale / 60)),
        "staff_actual": float(int(scale / 60 * rng.uniform(0.85, 1.02))),
        "retention_pct": r2(rng.uniform(96.5, 99.8)),
        "enrollment_pct": r2(rng.uniform(85, 96)),
        "big_class_pct": r2(rng.uniform(3, 14)),
        "training": float(int(rng.uniform(2000, 20000))),
        "inspected": float(int(rng.uniform(100, 1500))),
        "aid_persons": float(int(rng.uniform(5000, 80000))),
        "score": r2(rng.uniform(80, 98)),
        "met": rng.random(),
    }


#: Fields a synthetic department can work in: its 绩效指标 rows (and 学生资助 sheet) follow it.
FIELDS = ("education", "health")


def _health_figures(index: int, year: int, seed: int) -> dict[str, float]:
    """A health bureau's statistics for one year (counts of people, rates in %, 万元)."""
    size = random.Random(f"{seed}/{index}/health").uniform(300_000, 1_200_000)
    rng = random.Random(f"{seed}/{index}/{year}/health")
    pop = float(int(size * (1 + 0.004) ** (year - BASE_YEAR)))
    births = float(int(pop * rng.uniform(0.008, 0.011)))
    signed = float(int(pop * rng.uniform(0.33, 0.48)))
    key_groups = float(int(signed * rng.uniform(0.55, 0.7)))
    elderly = float(int(pop * rng.uniform(0.12, 0.16)))
    registered = float(int(rng.uniform(800, 2000)))
    funds = round(pop * 79 / 10_000 * rng.uniform(0.97, 1.03), 2)
    central = round(funds * 0.6, 2)
    provincial = round(funds * 0.25, 2)
    return {
        "pop": pop, "births": births, "maternal_deaths": float(rng.randint(0, 3)),
        "infant_deaths": float(int(births * rng.uniform(0.002, 0.006))), "signed": signed,
        "key_groups": key_groups, "others": signed - key_groups,
        "ehr": float(int(pop * rng.uniform(0.78, 0.92))), "elderly": elderly,
        "elderly_managed": float(int(elderly * rng.uniform(0.6, 0.78))),
        "registered": registered, "reported": registered - float(rng.randint(0, 12)),
        "immunization_pct": round(rng.uniform(94, 99.5), 2),
        "literacy_pct": round(rng.uniform(19, 29), 2),
        "funds": funds, "central": central, "provincial": provincial,
        "local": round(funds - central - provincial, 2),
        "inspections": float(int(rng.uniform(300, 900))),
        "mediation_pct": round(rng.uniform(85, 97), 2),
    }


def _health_targets(index: int, year: int, seed: int) -> list[dict[str, Any]]:
    """绩效指标 rows of a health bureau: the 卫生健康 catalog's figures, its own targets (其他)."""
    h, p = _health_figures(index, year, seed), _health_figures(index, year - 1, seed)

    def row(code: str, name: str, unit: str, key: str, direction: str | None = None,
            target: float | None = None) -> dict[str, Any]:
        return _target("health", code, name, unit, direction, target, h[key], p[key])

    return [
        row("resident_population_count", "常住人口", "人", "pop"),
        row("live_births_count", "活产数", "人", "births"),
        row("maternal_deaths_count", "孕产妇死亡数", "人", "maternal_deaths"),
        row("infant_deaths_count", "婴儿死亡数", "人", "infant_deaths"),
        row("family_doctor_signed_count", "家庭医生签约服务人数", "人", "signed"),
        row("family_doctor_signed_key_groups_count", "重点人群签约人数", "人", "key_groups"),
        row("family_doctor_signed_others_count", "其他人群签约人数", "人", "others"),
        row("ehr_established_count", "建立电子健康档案人数", "人", "ehr"),
        row("elderly_population_count", "65岁及以上常住居民数", "人", "elderly"),
        row("elderly_health_managed_count", "接受健康管理的65岁及以上老年人", "人",
            "elderly_managed"),
        row("notifiable_disease_registered_count", "登记的法定传染病病例", "例", "registered"),
        row("notifiable_disease_reported_count", "网络直报的法定传染病病例", "例", "reported"),
        row("immunization_coverage_pct", "适龄儿童国家免疫规划疫苗接种率", "%", "immunization_pct",
            "≥", 90),
        row("health_literacy_pct", "居民健康素养水平", "%", "literacy_pct", "≥", 22),
        row("basic_public_health_funds_wan_yuan", "基本公共卫生服务补助资金", "万元", "funds"),
        row("basic_public_health_central_funds_wan_yuan", "其中：中央补助", "万元", "central"),
        row("basic_public_health_provincial_funds_wan_yuan", "其中：省级补助", "万元",
            "provincial"),
        row("basic_public_health_local_funds_wan_yuan", "其中：市县配套", "万元", "local"),
        _target("health", "basic_public_health_standard_yuan", "人均基本公共卫生服务经费补助标准",
                "元/人", None, None, 79.0, 74.0),
        # The bureau's own targets, in no catalog (领域 其他, no 指标代码).
        _target("other", None, "卫生健康监督执法检查", "户次", "≥", 500, h["inspections"],
                p["inspections"]),
        _target("other", None, "医疗纠纷人民调解成功率", "%", "≥", 90, h["mediation_pct"],
                p["mediation_pct"]),
        _target("other", None, "基层医疗卫生机构标准化建设达标率", "%", "≥", 95, None, None),
    ]


def synthetic_content(index: int, year: int, seed: int = 0,
                      field: str = "education") -> dict[str, Any]:
    """Workbook content (for :func:`perfkit.data.template.write_workbook`) of one department-year.

    Args:
        index: department number, 1-based.
        year: evaluation year (after 2015).
        seed: generator seed; the same arguments always give the same content.
        field: ``education`` (教育质量, 学生资助, 校园安全 rows and a 学生资助 sheet) or
            ``health`` (卫生健康 rows and the bureau's own targets under 其他, no 学生资助 sheet).
    """
    if field not in FIELDS:
        raise PerfkitError(f"合成数据的领域“{field}”无效，应为 {' / '.join(FIELDS)}")
    f, p = _figures(index, year, seed), _figures(index, year - 1, seed)
    closing_before = 0.0
    for y in range(BASE_YEAR, year):  # accumulated carry-over, consistent across years
        g = _figures(index, y, seed)
        closing_before += _income_total(g) - _spending_total(g)
    inc, spend = _income_total(f), _spending_total(f)
    three = f["abroad"] + f["purchase"] + f["operation"] + f["reception"]
    three_p = p["abroad"] + p["purchase"] + p["operation"] + p["reception"]

    def item(**values: Any) -> dict[str, Any]:
        return {**{k: round(v, 2) for k, v in values.items()}, "source": SOURCE}

    return {
        "info": {"department_name": NAME.format(index), "year": year, "unit": "万元",
                 "staff_authorized_count": f["staff_authorized"],
                 "staff_actual_count": f["staff_actual"], "claimed_score": f["score"],
                 "preparer": "tests/synthetic.py（合成数据，非真实部门）"},
        "income": {
            "fiscal": item(actual=f["income_fiscal"], prior_actual=p["income_fiscal"]),
            "service": item(budget_initial=f["service_budget"], actual=f["income_service"],
                            prior_actual=p["income_service"]),
            "other": item(actual=f["income_other"], prior_actual=p["income_other"]),
            "total": item(budget_initial=f["budget"], actual=inc, prior_actual=_income_total(p)),
        },
        "expenditure": {
            "basic": item(actual=f["personnel"] + f["public"],
                          prior_actual=p["personnel"] + p["public"]),
            "personnel": item(actual=f["personnel"], prior_actual=p["personnel"]),
            "public": item(budget_initial=f["public"] * 1.05, actual=f["public"],
                           prior_actual=p["public"]),
            "project": item(actual=f["project"], prior_actual=p["project"]),
            "total": item(budget_initial=f["budget"], actual=spend,
                          prior_actual=_spending_total(p)),
        },
        "balance": {
            "opening": item(amount=closing_before),
            "current": item(amount=inc - spend),
            "closing": item(amount=closing_before + inc - spend),
        },
        "three_public": {
            "abroad": item(actual=f["abroad"], prior_actual=p["abroad"]),
            "vehicle": item(actual=f["purchase"] + f["operation"],
                            prior_actual=p["purchase"] + p["operation"]),
            "vehicle_purchase": item(actual=f["purchase"], prior_actual=p["purchase"]),
            "vehicle_operation": item(actual=f["operation"], prior_actual=p["operation"]),
            "reception": item(actual=f["reception"], prior_actual=p["reception"]),
            "total": item(budget=f["three_budget"], actual=three, prior_actual=three_p,
                          prior_budget=p["three_budget"]),
        },
        "targets": [
            _target("quality", "teacher_training_person_times", "全市教师培训", "人次",
                    None, None, f["training"], p["training"]),
            _target("quality", "compulsory_retention_rate_pct", "九年义务教育巩固率", "%",
                    "≥", 98, f["retention_pct"], p["retention_pct"]),
            _target("quality", "high_school_gross_enrollment_pct", "高中阶段教育毛入学率", "%",
                    "≥", 90, f["enrollment_pct"], p["enrollment_pct"]),
            _target("quality", "big_class_ratio_pct", "56人以上大班额比例", "%", "≤", 10,
                    f["big_class_pct"], p["big_class_pct"]),
            _target("aid", "two_exemptions_beneficiaries_person_times", "“两免一补”受惠学生",
                    "人次", None, None, f["aid_persons"], p["aid_persons"]),
            _target("safety", "safety_inspected_schools_count", "校园安全排查的学校", "所",
                    None, None, f["inspected"], p["inspected"]),
            _target("safety", "closed_management_pct", "中小学封闭化管理", "%", "全面", 100,
                    None, None),
        ],
        "aid": [
            {"program": "家庭经济困难学生生活费补助", "stage": "义务教育", "group": "两免一补",
             "persons": f["aid_persons"], "amount": round(f["aid_persons"] * 0.1, 2),
             "standard_yuan": 1000, "source": SOURCE},
            {"program": "免费教科书", "stage": "义务教育", "group": "两免一补",
             "persons": f["aid_persons"], "amount": round(f["aid_persons"] * 0.009, 2),
             "source": SOURCE},
        ],
        "qualitative": [
            {"item": "管理制度健全性", "condition": "已制定内部控制制度", "met": "是",
             "evidence": "合成数据", "source": SOURCE},
            {"item": "预决算信息公开性", "condition": "按规定公开部门决算",
             "met": "是" if f["met"] > 0.3 else "否", "evidence": "合成数据", "source": SOURCE},
        ],
        "stated": [],
    } | ({"targets": _health_targets(index, year, seed), "aid": []} if field == "health" else {})


def fill_workbook(path: str | Path, content: dict[str, Any]) -> Path:
    """Fill a template ``perfkit template`` wrote with ``content``, cell by cell, as a person
    would: values into the pre-listed rows (a 绩效指标 row with the same 领域 and 指标代码, a
    定性评价 row with the same 评价指标 and 评价要点 …), other records below them.

    Args:
        path: the template workbook (changed in place).
        content: as for :func:`perfkit.data.template.write_workbook` (``domain`` as key or label).

    Returns:
        ``path``.
    """
    zh = domain_names()
    book = openpyxl.load_workbook(path)
    for key, data in content.items():
        sheet = SHEET_BY_KEY[key]
        if not data and sheet.name not in book.sheetnames:
            continue  # nothing for a sheet the template left out (学生资助 for a health bureau)
        ws = book[sheet.name]
        col = {c.key: i for i, c in enumerate(sheet.columns, 1)}
        rows = {normalize_label(ws.cell(r, 1).value): r for r in range(2, ws.max_row + 1)}
        if sheet.layout == "keyvalue":
            for item, v in data.items():
                write_cell(ws, rows[normalize_label(sheet.item(item).label)], 2, v)
        elif sheet.layout == "items":
            for item, values in data.items():
                r = rows[normalize_label(sheet.item(item).label)]
                for k, v in values.items():
                    write_cell(ws, r, col[k], v)
        else:
            first, second = (c.key for c in sheet.columns[:2])
            for rec in data:
                wanted = (zh.get(rec.get(first), rec.get(first)), rec.get(second))
                same = [r for r in range(2, ws.max_row + 1) if None not in wanted
                        and (ws.cell(r, 1).value, ws.cell(r, 2).value) == wanted]
                n = same[0] if same else ws.max_row + 1
                for k, v in rec.items():
                    write_cell(ws, n, col[k], zh.get(v, v) if k == "domain" else v)
    book.save(path)
    return Path(path)


def _income_total(f: dict[str, float]) -> float:
    return round(f["income_fiscal"] + f["income_service"] + f["income_other"], 2)


def _spending_total(f: dict[str, float]) -> float:
    return round(f["personnel"] + f["public"] + f["project"], 2)


def _target(domain, code, name, unit, direction, target, actual, prior) -> dict[str, Any]:
    return {"domain": domain, "code": code, "name": name, "unit": unit, "direction": direction,
            "target": target, "actual": actual, "prior": prior, "source": SOURCE}


def _refuse_real(root: Path, *, mixing: bool = False) -> Path:
    root = Path(root).resolve()
    project = config.find_project(root.parent)
    if project is not None and (project / "data") in (root, *root.parents):
        raise PerfkitError(f"合成数据不能写入项目 {project} 的数据目录（{root}）；"
                           "请指定另一个文件夹。")
    real = []
    if (root / "data").is_dir():
        real = [d.name for d in (root / "data").iterdir()
                if d.is_dir() and not d.name.startswith("synthetic-")]
    if real and (root / config.MARKER).is_file():
        raise PerfkitError(f"合成数据不能写入项目 {root}：其 data/ 中已有真实部门"
                           f"（{'、'.join(sorted(real))}），合成数据不与真实数据混放；请指定另一个文件夹。")
    if real and mixing:
        raise PerfkitError(f"{root / 'data'} 中已有真实部门（{'、'.join(sorted(real))}），"
                           "合成数据不与真实数据混放；请指定另一个文件夹。")
    return root


def prepare_project(root: Path) -> Path:
    """Make ``root`` a project folder (as ``perfkit init`` does) for synthetic departments."""
    root = _refuse_real(root)
    if not (root / config.MARKER).is_file():
        init_project(root, "合成测试数据（tests/synthetic.py，非真实部门）")
    return root


def write_synthetic(
    root: Path,
    departments: int = 5,
    years: Iterable[int] = (2019,),
    *,
    seed: int = 0,
    broken: Iterable[tuple[int, int]] = (),
    field: str = "education",
) -> list[Path]:
    """Write synthetic workbooks ``<root>/data/synthetic-NN/<year>.xlsx``.

    Args:
        root: a project folder outside this repository's data (see :func:`prepare_project`).
        departments: how many departments (numbered from 1).
        years: evaluation years of each department.
        seed: generator seed.
        broken: (department index, year) pairs written with a text in a number cell, so that
            validation fails for exactly those (for tests of failure isolation).
        field: the departments' field, ``education`` or ``health`` (see :func:`synthetic_content`).

    Returns:
        The written workbook paths.
    """
    root = _refuse_real(root, mixing=True)
    broken = set(broken)
    written = []
    for i in range(1, departments + 1):
        for year in years:
            content = synthetic_content(i, year, seed, field)
            if (i, year) in broken:
                content["income"]["total"]["actual"] = "约一万（故意写错的合成数据）"
            path = root / "data" / department_code(i) / f"{year}.xlsx"
            written.append(write_workbook(path, content))
    log.info("wrote %d synthetic workbooks under %s", len(written), root / "data")
    return written


# ---------------------------------------------------------------------------------------------
# A synthetic finance bureau: many departments of one city, varied in field, size, missing data,
# self-scoring and report text, some with a broken workbook (issue #26).
# ---------------------------------------------------------------------------------------------

#: 年度绩效目标 wordings; most departments use the vague one (the flag "同一笼统表述").
VAGUE_GOAL = "年度各项重点工作有效提升，服务对象满意度明显提高。"
#: Departments whose 存在的问题 paragraph copies another's word for word (copy, original).
COPIED = ((11, 10), (31, 30))


def _default_sheet(project: config.Project | None):
    from perfkit.assess.scoresheet import load_sheet
    from perfkit.data.params import DEFAULT_SCORE_SHEET

    return load_sheet(DEFAULT_SCORE_SHEET, project or config.current())


def _self_scores(index: int, seed: int, full: bool, project: config.Project | None
                 ) -> list[dict[str, Any]]:
    rng = random.Random(f"{seed}/{index}/self")
    rows = []
    for item in _default_sheet(project).items:
        lost = 0.0 if full or rng.random() < 0.6 else round(item.points * rng.choice(
            [0.1, 0.2, 0.25, 0.5]), 1)
        rows.append({"item": item.id, "level1": item.level1, "level2": item.level2,
                     "level3": item.level3, "points": item.points, "score": item.points - lost,
                     "reason": "部分目标未完成（合成数据）" if lost else None})
    return rows


def _problems_text(index: int) -> str:
    original = dict(COPIED).get(index, index)
    return (f"部分项目资金拨付进度偏慢，第{original}号合成单位年末仍有{original * 3 + 7}个项目未完成"
            f"验收，预算执行与年初计划相差{original % 9 + 2}个百分点，绩效监控未覆盖全部项目。")


def bureau_content(index: int, year: int, seed: int = 0,
                   project: config.Project | None = None) -> dict[str, Any]:
    """One department-year of the synthetic bureau (see :func:`write_bureau`).

    Department ``index`` works in 卫生健康 when ``index % 4 == 0``, else in education; every
    fifth leaves target values and the 三公 budget empty (gaps to report); every seventh scores
    itself full marks on every 自评表 item; most state :data:`VAGUE_GOAL`; the departments of
    :data:`COPIED` share a sentence of 存在的问题 word for word.
    """
    field = "health" if index % 4 == 0 else "education"
    content = synthetic_content(index, year, seed, field)
    if index % 5 == 1:
        for t in content["targets"][::3]:
            t["actual"] = None
        content["three_public"]["total"].pop("budget", None)
    if index % 3:  # two in three keep the evidence of every qualitative item
        from perfkit.run.prefill import qualitative_rows

        content["qualitative"] = [
            {**r, "met": "是", "evidence": "见单位存档的制度文件（合成数据）", "source": SOURCE}
            for r in qualitative_rows(_default_sheet(project))]
    rows = _self_scores(index, seed, index % 7 == 0, project)
    content["self_scores"] = rows
    content["info"]["claimed_score"] = round(sum(r["score"] for r in rows), 2)
    name = NAME.format(index)
    goal = VAGUE_GOAL if index % 10 < 7 else (
        f"全年完成{index * 12 + 40}项重点工作，项目验收合格率不低于{90 + index % 8}%。")
    content["text"] = [
        {"section": "评价依据", "content": "根据市财政局关于开展部门整体支出绩效自评工作的通知"
         "（合成数据），本部门对本年度部门整体支出开展了绩效自评。", "source": SOURCE},
        {"section": "部门职能", "content": f"{name}负责第{index}号合成领域的公共服务（合成数据）。",
         "source": SOURCE},
        {"section": "年度绩效目标", "content": goal, "source": SOURCE},
        {"section": "存在的问题", "title": "项目管理", "content": _problems_text(index),
         "source": SOURCE},
        {"section": "自评结论", "content": f"{name}{year}年度部门整体支出自评得分"
         f"{content['info']['claimed_score']}分。", "source": SOURCE},
    ]
    return content


def write_bureau(
    root: Path,
    departments: int = 100,
    years: Iterable[int] = (2019,),
    *,
    seed: int = 0,
    broken: Iterable[int] = (13, 57),
) -> list[Path]:
    """Write a synthetic bureau's workbooks ``<root>/data/synthetic-NN/<year>.xlsx``.

    Args:
        root: a project folder (see :func:`prepare_project`).
        departments: how many departments (numbered from 1; up to 99).
        years: the years of every department.
        seed: generator seed.
        broken: departments whose workbook has a text in a number cell (their input check
            fails; the others run).

    Returns:
        The written workbook paths.
    """
    root = _refuse_real(root, mixing=True)
    project = config.Project.at(root)
    broken = set(broken)
    written = []
    for i in range(1, departments + 1):
        for year in years:
            content = bureau_content(i, year, seed, project)
            if i in broken:
                content["income"]["total"]["actual"] = "约一万（故意写错的合成数据）"
            path = root / "data" / department_code(i) / f"{year}.xlsx"
            written.append(write_workbook(path, content))
    log.info("wrote a synthetic bureau of %d workbooks under %s", len(written), root / "data")
    return written
