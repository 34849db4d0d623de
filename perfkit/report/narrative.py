"""Generated Chinese text: every number comes from the evaluation, none is typed."""

from __future__ import annotations

import datetime as dt

from perfkit import __version__, fmt
from perfkit.assess import targets
from perfkit.assess.audit import audit, verdict_counts
from perfkit.assess.checks import run_domain_checks
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.figures import INTERNAL, SCORES, STATED
from perfkit.assess.pefa import NOT_RATED, assess
from perfkit.assess.problems import execution_deviations, find_problems, problem_types
from perfkit.assess.reviewrules import BUDGET_BASIS, NO_EVIDENCE
from perfkit.assess.scoresheet import load_sheet
from perfkit.assess.scoring import POLICY_ZH
from perfkit.assess.targets import target_text
from perfkit.atomic import sha256_file
from perfkit.cells import is_missing
from perfkit.indicators.aid import BELOW_STANDARD, programme_frame
from perfkit.indicators.finance import sheet_lines
from perfkit.report.blocks import Blocks, Heading, Paragraph, Table, b, bullets, numbered, par, run_in
from perfkit.verdicts import CONSISTENT, INCONSISTENT, UNEXPLAINED, VERDICTS


def _total_clause(ev: Evaluation, sheet: str, indicator_id: str, noun: str) -> str | None:
    """"<year>年度部门决算<noun>X万元，为年初预算Y万元的Z%", or None when the total is missing."""
    d, basis = ev.data, ev.settings.budget_label_zh
    actual = d.value(sheet, "total", "actual")
    if is_missing(actual):
        return None
    rate = ev.value(indicator_id)
    if is_missing(rate):
        return (f"{ev.year}年度部门决算{noun}{fmt.amount(actual)}"
                f"（{basis}未提供或为0，无法计算完成率）")
    budget = d.value(sheet, "total", ev.settings.budget_column)
    return f"{ev.year}年度部门决算{noun}{fmt.amount(actual)}，为{basis}{fmt.amount(budget)}的{fmt.pct(rate)}"


def revenue_sentence(ev: Evaluation) -> str:
    """决算收入 and its completion rate, as the seed writes it."""
    d, basis, col = ev.data, ev.settings.budget_label_zh, ev.settings.budget_column
    s = _total_clause(ev, "income", "revenue_execution_pct", "收入")
    if s is None:
        return f"{ev.year}年度部门决算收入未提供（收入表“本年收入合计”决算数为空）。"
    parts = []
    sv, sb = d.value("income", "service", "actual"), d.value("income", "service", col)
    if not is_missing(sv):
        p = f"事业收入{fmt.amount(sv)}"
        srate = ev.value("service_revenue_execution_pct")
        if not is_missing(srate):
            p += f"，为{basis}{fmt.amount(sb)}的{fmt.pct(srate)}"
        parts.append(p)
    for key, label in (("fiscal", "财政拨款收入"), ("superior_subsidy", "上级补助收入"),
                       ("business", "经营收入"), ("affiliated", "附属单位上缴收入"),
                       ("other", "其他收入")):
        v = d.value("income", key, "actual")
        if not is_missing(v):
            parts.append(f"{label}{fmt.amount(v)}")
    if parts:
        s += "。决算收入总额中" + "；".join(parts)
    return s + "。"


def expenditure_sentence(ev: Evaluation) -> str:
    """决算支出, completion rate and its structure, naming any unexplained remainder."""
    d = ev.data
    s = _total_clause(ev, "expenditure", "expenditure_execution_pct", "支出总额")
    if s is None:
        return f"{ev.year}年度部门决算支出未提供（支出表“本年支出合计”决算数为空）。"
    basic, project = d.value("expenditure", "basic", "actual"), d.value("expenditure", "project", "actual")
    parts = [f"基本支出{fmt.amount(basic)}" if not is_missing(basic) else "",
             f"项目支出{fmt.amount(project)}" if not is_missing(project) else ""]
    parts = [p for p in parts if p]
    if parts:
        s += "，其中" + "，".join(parts)
    s += "。"
    check = ev.checks.set_index("check").loc["expenditure_parts"]
    if check["verdict"] in (UNEXPLAINED, INCONSISTENT):
        s += f"经核对：{check['explanation']}。"
    return s


def carryover_sentence(ev: Evaluation) -> str:
    """本年结转结余 (computed) and the cumulative balance."""
    y = ev.year
    current = ev.value("carryover_current_wan_yuan")
    closing = ev.value("carryover_closing_wan_yuan")
    if is_missing(current):
        s = f"{y}年度结转结余无法计算（收入或支出合计未提供）"
    else:
        s = f"{y}年度结转结余{fmt.amount(current)}（本年收入合计减本年支出合计）"
    if not is_missing(closing):
        s += f"，累计结转结余{fmt.amount(closing)}"
    s += "。"
    if not is_missing(current) and current < 0:
        s += f"本年支出大于本年收入{fmt.amount(-current)}，动用了以前年度结转结余。"
    return s


def three_public_sentence(ev: Evaluation) -> str:
    """"三公"经费: total, control rate (or the report's stated rate when no budget), change."""
    d, y = ev.data, ev.year
    total = ev.value("three_public_total_wan_yuan")
    if is_missing(total):
        return f"{y}年度“三公”经费决算数未提供。"
    s = f"{y}年度“三公”经费支出共计{fmt.amount(total)}"
    control = ev.value("three_public_control_pct")
    if not is_missing(control):
        s += f"，为预算{fmt.amount(d.value('three_public', 'total', 'budget'))}的{fmt.pct(control)}"
    prior = d.value("three_public", "total", "prior_actual")
    change = ev.value("three_public_change_wan_yuan")
    if fmt.is_unchanged(change):
        s += f"，与{y - 1}年度“三公”经费{fmt.amount(prior)}持平"
    elif not is_missing(change):
        s += f"，较{y - 1}年度“三公”经费{fmt.amount(prior)}{fmt.change(change)}"
        rate = ev.value("three_public_change_pct")
        if not is_missing(rate):
            s += f"（{fmt.change(rate, '%', up='增长', down='下降')}）"
    s += "。"
    stated = ev.stated("three_public_control_pct")
    if is_missing(control) and stated:
        s += (f"工作簿未提供“三公”经费预算数，控制率无法由数据计算；报告称其为年初预算的"
              f"{stated.strip()}，无法核对。")
    items = three_public_items(ev)
    if items:
        s += "其中：" + "；".join(items) + "。"
    return s


#: The 三公 items as reports list them, in that order.
THREE_PUBLIC_ITEMS = ("reception", "abroad", "vehicle_purchase", "vehicle_operation")


def three_public_items(ev: Evaluation, *, same: str = "与上年持平",
                       reasons: bool = False) -> list[str]:
    """Each 三公 item's 本年数, 上年数 and change (perfkit.indicators.finance.sheet_lines), with
    the department's own 变动原因 when ``reasons``; items without a 本年数 are left out."""
    lines = sheet_lines(ev.data, ev.settings, "three_public").set_index("item")
    frame = ev.data.frames["three_public"]
    out = []
    for key in THREE_PUBLIC_ITEMS:
        line = lines.loc[key]
        if is_missing(line["actual"]):
            continue
        p = f"{line['label']}本年数{fmt.amount(line['actual'])}"
        if not is_missing(line["prior_actual"]):
            p += f"，上年数{fmt.amount(line['prior_actual'])}，{fmt.change(line['change_wan_yuan'], same=same)}"
        if reasons:
            reason = frame.at[key, "reason"] if "reason" in frame else None
            p += "。" + (str(reason).strip() if not is_missing(reason) and str(reason).strip() else "")
        out.append(p)
    return out


def staffing_sentence(ev: Evaluation) -> str:
    """在职人员控制率, or the gap when staffing is not provided."""
    rate = ev.value("staff_control_pct")
    if is_missing(rate):
        note = str(ev.indicators.at["staff_control_pct", "note"]).removeprefix("数据缺失：")
        return f"在职人员控制率无法计算：{note}。"
    s = f"在职人员控制率为{fmt.pct(rate)}（在职人数 / 编制数）"
    return s + ("，超过编制，需说明原因。" if rate > 100 else "。")


def finance_overview(ev: Evaluation) -> Blocks:
    """The 部门整体支出概况 paragraphs."""
    return Blocks(par(s) for s in (revenue_sentence(ev), expenditure_sentence(ev),
                                   carryover_sentence(ev), three_public_sentence(ev),
                                   staffing_sentence(ev)))


def finance_findings(ev: Evaluation) -> Paragraph | Blocks:
    """Bulleted findings from cross-checks and execution rates (the problems to explain; the
    deviations beyond the problem template's threshold, :func:`perfkit.assess.problems.execution_deviations`)."""
    items: list = []
    for _, c in ev.checks.iterrows():
        if c["verdict"] in (UNEXPLAINED, INCONSISTENT):
            items.append((b(c["label_zh"]), f"（{c['verdict']}）：{c['explanation']}。"))
    for _, d in execution_deviations(ev).iterrows():
        items.append((b(f"{d['label_zh']}{fmt.pct(d['value_pct'])}"),
                      f"，偏离100%达{fmt.num(d['deviation_pp'])}个百分点，预算编制的准确性有待提高。"))
    gaps = ev.domain_indicators("finance")
    n = int(gaps["value"].isna().sum())
    if n:
        items.append(f"有{n}项财务指标因数据缺失或基数为0无法计算，见“数据缺口”。")
    return Blocks(bullets(items)) if items else par("未发现需要说明的问题。")


def title(ev: Evaluation, section: str) -> Heading:
    """The report heading: department, year and section."""
    return Heading(1, f"{ev.department_name}{ev.year}年度{section}绩效自评")


def audit_summary(ev: Evaluation) -> Blocks:
    """The audit in prose: counts by verdict per part, then every figure that is not 一致."""
    a = audit(ev)
    parts = ((STATED, "报告所列数值"), (INTERNAL, "工作簿内部勾稽关系"), (SCORES, "部门自评得分"))
    lines = []
    for category, label in parts:
        rows = a[a["category"] == category]
        if rows.empty:
            continue
        counts = verdict_counts(rows)
        detail = "、".join(f"{v}{counts[v]}项" for v in VERDICTS if counts[v])
        lines.append(f"核对{label}{len(rows)}项：{detail}。")
    if not lines:
        return Blocks(par("工作簿“报告数值”表为空，且没有可核对的勾稽关系。"))
    flagged = a[a["verdict"] != CONSISTENT]
    items = [(b((r["ref"] + " " if r["category"] == STATED else "") + r["figure"]),
              f"（{r['verdict']}）：{r['explanation']}。") for _, r in flagged.iterrows()]
    wrong = int((a["verdict"] == INCONSISTENT).sum())
    close = (f"有{wrong}项与数据不一致，需部门更正或书面说明。" if wrong
             else "未发现与数据不一致的数值；舍入差异、未解释差额和无法核对的项目见上。")
    return Blocks(par("".join(lines)), bullets(items) if items else None, par(close))


# ---------------------------------------------------------------------------------------------
# Targets and the domain reports (any catalog's)
# ---------------------------------------------------------------------------------------------


def _v(ev: Evaluation, indicator_id: str) -> str:
    """An indicator's value with its declared unit (and 数值修饰), or 未提供."""
    row = ev.indicators.loc[indicator_id]
    return fmt.with_unit(row["value"], row["unit"], int(row["decimals"]),
                         qualifier=row["qualifier"])


def _lv(ev: Evaluation, indicator_id: str) -> str:
    """Declared label followed by the value, e.g. 普高一本上线率17.35%."""
    return f"{ev.indicators.at[indicator_id, 'label_zh']}{_v(ev, indicator_id)}"


def attainment_summary(ev: Evaluation, domain: str) -> Blocks:
    """How many of this year's targets were exceeded, met, missed or have no actual value."""
    att = targets.attainment(ev, domain)
    name = ev.registry.domain_label(domain)
    if att.empty:
        return Blocks(par(f"工作簿未列出{ev.year}年度{name}目标。"))
    c = targets.status_counts(ev, domain)
    parts = [f"超额完成{c[targets.EXCEEDED]}项", f"达成{c[targets.ACHIEVED]}项",
             f"未达成{c[targets.NOT_ACHIEVED]}项", f"无实际值{c[targets.NO_ACTUAL]}项"]
    parts += [f"{s}{c[s]}项" for s in (targets.NO_TARGET, targets.NO_DIRECTION) if c[s]]
    derived = int(att["target_derived"].sum())
    inferred = f"（其中{derived}项的目标值由perfkit推算）" if derived else ""
    out: list = [par(f"{ev.year}年度{name}共列出年度目标{len(att)}项{inferred}：{'，'.join(parts)}。")]
    judged = att[att["status"].isin([targets.EXCEEDED, targets.ACHIEVED, targets.NOT_ACHIEVED])]
    items = []
    for _, r in judged.iterrows():
        s = (f"：实际{fmt.with_unit(r['actual'], r['unit'], qualifier=r['qualifier'])}，"
             f"目标{target_text(r)}")
        if not is_missing(r["ratio_pct"]):
            s += f"，为目标的{fmt.pct(r['ratio_pct'])}"
        s += f"（{r['status']}）。"
        if r["target_derived"]:
            s += f"（目标数为{r['target_note']}）"
        items.append((b(r["label_zh"]), s))
    if items:
        out.append(bullets(items))
    missing = att[att["status"] == targets.NO_ACTUAL]
    if not missing.empty:
        out.append(par(f"另有{len(missing)}项目标（{'、'.join(missing['label_zh'])}）"
                       "工作簿未提供实际完成值，无法判断是否完成，列入“数据缺口”，不以0或100%代替。"))
    return Blocks(out)


def next_year_targets_text(ev: Evaluation, domain: str) -> Paragraph:
    """The targets set for a later year, listed as the plan (not judged this year)."""
    nxt = targets.next_year_targets(ev, domain)
    if nxt.empty:
        return par(f"工作簿未列出{ev.registry.domain_label(domain)}的下年度目标。")
    years = "、".join(f"{y}年" for y in sorted(set(nxt["target_year"])))
    items = "；".join(f"{r['label_zh']}{target_text(r)}" for _, r in nxt.iterrows())
    return par(f"{years}目标：{items}。这些目标在相应年度评价时判断是否完成。")


def domain_findings(ev: Evaluation, domain: str) -> Paragraph | Blocks:
    """Bulleted findings of a domain: checks to explain, missed targets, the data gaps."""
    items: list = []
    checks = run_domain_checks(ev.data, ev.settings, domain, ev.registry)
    for _, c in checks[checks["verdict"] != CONSISTENT].iterrows():
        items.append((b(c["label_zh"]), f"（{c['verdict']}）：{c['explanation']}。"))
    ok = checks[checks["verdict"] == CONSISTENT]
    if not ok.empty:
        items.append(f"核对一致：{'；'.join(ok['label_zh'])}。")
    att = targets.attainment(ev, domain)
    missed = att[att["status"] == targets.NOT_ACHIEVED]
    if not missed.empty:
        items.append(f"未达成目标{len(missed)}项：{'、'.join(missed['label_zh'])}，需说明原因。")
    gaps = targets.gaps(ev, domain)
    if not gaps.empty:
        items.append(f"数据缺口{len(gaps)}项：{'、'.join(gaps['label_zh'])}，见“数据缺口”。")
    return Blocks(bullets(items)) if items else par("未发现需要说明的问题。")


def topic_summary(ev: Evaluation, domain: str, topic: str) -> Paragraph:
    """One sentence of a catalog topic's figures, in the catalog's order: each indicator with its
    value (and 数值修饰), its year target and status where it has one; those without a value
    are named after them."""
    spec = ev.registry.topics(domain)[topic]
    att = targets.attainment(ev, domain)
    judged = att[att["status"].isin([targets.EXCEEDED, targets.ACHIEVED, targets.NOT_ACHIEVED])]
    goals = {r["code"]: r for _, r in judged.iterrows() if r["code"]}
    ind = ev.indicators
    have, missing = [], []
    for code in spec.indicators:
        r = ind.loc[code]
        if is_missing(r["value"]):
            missing.append(r["label_zh"])
            continue
        s = r["label_zh"] + fmt.with_unit(r["value"], r["unit"], int(r["decimals"]),
                                               qualifier=r["qualifier"])
        if code in goals:
            s += f"（目标{target_text(goals[code])}，{goals[code]['status']}）"
        have.append(s)
    parts = []
    if have:
        parts.append(f"{ev.year}年，" + "；".join(have) + "。")
    if missing:
        parts.append(f"{'另有' if have else ''}{'、'.join(missing)}未提供或无法计算，见“数据缺口”。")
    return par("".join(parts))


def aid_sheet_text(ev: Evaluation) -> Blocks:
    """The 学生资助 sheet in words: programmes, totals, the policy groups against the total the
    report states, per-person aid (per 人 or 人次, as the sheet's 计数单位 says), and every
    programme below its standard."""
    p = programme_frame(ev.data)
    if p.empty:
        return Blocks(par(f"{ev.year}年度学生资助表未填写。"))
    paras: list = [par(f"{ev.year}年度学生资助表列出资助项目{len(p)}项，{_lv(ev, 'aid_total_wan_yuan')}。")]

    def item(r) -> str:
        s = f"{r['program']}{fmt.amount(r['amount_wan_yuan'])}"
        if not is_missing(r["persons"]):
            s += f"，受助{fmt.count(r['persons'], r['count_unit'])}"
            if not is_missing(r["per_capita_yuan"]):
                s += f"，人均{fmt.num(r['per_capita_yuan'])}元/{r['count_unit']}"
        return s

    checks = run_domain_checks(ev.data, ev.settings, "aid", ev.registry).set_index("check")
    grouped = p[p["group"] != ""]
    for group, rows in grouped.groupby("group", sort=False):
        s = f"“{group}”：{'；'.join(item(r) for _, r in rows.iterrows())}"
        key = f"aid_group_{group}"
        if key in checks.index:
            s += f"。与报告合计核对（{checks.at[key, 'verdict']}）：{checks.at[key, 'explanation']}"
        paras.append(par(s + "。"))
    others = p[p["group"] == ""]
    if not others.empty:
        label = "其他资助项目" if not grouped.empty else "各资助项目"
        paras.append(par(f"{label}：" + "；".join(item(r) for _, r in others.iterrows()) + "。"))
    for _, r in p[p["flag"] == BELOW_STANDARD].iterrows():
        share = fmt.pct(r["per_capita_to_standard_pct"])
        paras.append(par(b(f"{r['program']}人均{fmt.num(r['per_capita_yuan'])}元/{r['count_unit']}，"
                           f"低于资助标准{fmt.num(r['standard_yuan'], 0)}元/人·年（为标准的{share}）"),
                         "，需说明原因（如受助人数口径、补助月数），不应按标准金额推算。"))
    return Blocks(paras)


# ---------------------------------------------------------------------------------------------
# The reviewer's 复核意见: method, PEFA, problems, suggestions, provenance
# ---------------------------------------------------------------------------------------------






def evaluation_process(ev: Evaluation) -> Blocks:
    """复核依据和方法: what the review used and how, generated from the run's inputs."""
    sheet = load_sheet(ev.settings.score_sheet, ev.project)
    basis = f"{ev.settings.budget_label_zh}为分母"
    k07 = sheet.rules.get(BUDGET_BASIS)
    own = {i.id: i.level3 for i in sheet.items}
    other = [own[i] for i, b in (k07.items.items() if isinstance(k07.items, dict) else ())
             if i in own and b != ev.settings.budget_basis]
    if other:
        word = "调整预算" if ev.settings.budget_basis == "initial" else "年初预算"
        basis += f"，评分时{'、'.join(other)}按复核口径{k07.id}以{word}为分母"
    k01 = sheet.rules.id_of(NO_EVIDENCE)
    stage = (f"缺少佐证的评分项列为待补充资料（复核口径{k01}），不计0分，补充资料后终审"
             if ev.settings.review_stage == "initial"
             else f"补充资料后仍缺少佐证的，按复核口径{k01}计0分")
    return Blocks(numbered([
        (b("复核依据。"), f"{ev.department_name}报送的{ev.year}年度部门决算报表、业务统计和"
         f"自评报告文字，录入工作簿“{ev.data.path.name}”（文件指纹见附件6）；评分表为"
         f"《{sheet.title_zh}》（{sheet.basis_zh}）。"),
        (b("核实数据。"), "读入工作簿时逐表校验；对决算报表的勾稽关系（合计 = 分项之和、结转结余恒等式）"
         f"逐项核对，金额容差{fmt.num(ev.settings.tolerance_wan_yuan)}万元。"),
        (b("计算指标。"), "每个指标按数据字典中的公式由工作簿数据计算，并注明所用单元格；"
         f"预算完成率以{basis}。基数为0或数据未提供的指标注明“无法计算”，不以0或100%代替。"),
        (b("逐项复核评分。"), "按评分表的评分标准和复核口径逐项计分，写明得分理由和依据，"
         f"每项扣分注明所依口径和扣分比例；{stage}。复核得分与部门自评得分并列，差额按原因分解。"),
        (b("核对报告数值。"), "把部门报告中陈述的数值与由数据重新计算的结果逐项对照。"),
        (b("第二意见。"), "按PEFA 2016（公共支出与财政问责）框架支柱一“预算可靠性”"
         "对支出、收入的执行偏差评级，与本地评分对照。"),
    ]))


def pefa_paragraph(ev: Evaluation) -> Paragraph:
    """PEFA 2016 pillar I as a second opinion beside the local score."""
    frame = assess(ev)
    parts: list = []
    for _, d in frame.iterrows():
        if parts:
            parts.append("；")
        if d["grade"]:
            value = fmt.pct(d["value_pct"], missing="（本年无数据）")
            parts += [f"{d['label_zh']}为{value}，评级", b(d["grade"])]
        else:
            parts.append(f"{d['label_zh']}{NOT_RATED}（{d['note']}）")
    years = sorted({int(y[:4]) for v in frame["values"] for y in v.split("；")})
    basis = next((b for b in frame["basis"] if b != NOT_RATED), NOT_RATED)
    end = f"。所用年度：{'、'.join(str(y) for y in years)}年；评级口径：{basis}。"
    if (frame["grade"] == "D").any():
        end += "评级D表示执行数与年初批准预算的偏差超出PEFA C级区间，年初预算对全年收支的约束力不足。"
    return par("以国际通行的PEFA 2016框架（支柱一：预算可靠性）作为本地评分的第二意见：", parts, end)



def problems_section(ev: Evaluation) -> Blocks:
    """四、存在的问题: every problem the data shows, grouped by type, with figures and cells."""
    found = find_problems(ev)
    if found.empty:
        return Blocks(par("数据中未发现需要说明的问题。"))
    out: list = []
    for n, (kind, group) in enumerate(found.groupby("type", sort=False)):
        heading = problem_types()[kind].heading_zh
        out.append(par(b(f"{fmt.numbering(n + 1)}{heading}。")))
        out.append(bullets(
            f"{g['item_zh']}：{g['detail_zh']}"
            + (f"（{g['cells']}）" if g["cells"] and kind != "score_unsupported" else "")
            for _, g in group.iterrows()))
    return Blocks(out)


def suggestions_section(ev: Evaluation) -> Blocks:
    """五、有关建议: one suggestion per problem type found, from the maintained template."""
    found = find_problems(ev)
    kinds = list(dict.fromkeys(found["type"]))
    if not kinds:
        return Blocks(par("数据中未发现需要改进的问题，建议保持现有预算和绩效管理做法。"))
    return Blocks(
        par(run_in(f"{fmt.numbering(i + 1)}针对“{problem_types()[k].heading_zh}”"),
            suggestion_text(k, found[found["type"] == k]["item_zh"]))
        for i, k in enumerate(kinds))


def suggestion_text(kind: str, items) -> str:
    """The suggestion of a problem type, its ``{items}`` naming the items of the problems found
    (never a fixed list: a suggestion to supply 编制数 that was supplied is not one to sign)."""
    names = list(dict.fromkeys(str(i) for i in items))
    shown = "、".join(names[:6]) + (f"等{len(names)}项" if len(names) > 6 else "")
    return problem_types()[kind].suggestion_zh.replace("{items}", shown)



def provenance(ev: Evaluation) -> Table:
    """附录 数据来源与版本: input file and hash, score sheet and hash, perfkit version, run time."""
    sheet = load_sheet(ev.settings.score_sheet, ev.project)
    now = fmt.display_time(dt.datetime.now(dt.UTC), seconds=True)
    rows = (
        ("输入工作簿", _rel_path(ev.data.path, ev.project.root)),
        ("工作簿 SHA-256", ev.data.sha256),
        ("评分表", f"《{sheet.title_zh}》"),
        ("评分表 SHA-256", sha256_file(sheet.path)),
        ("输入缺失处理", POLICY_ZH[ev.settings.missing_policy]),
        ("perfkit 版本", __version__),
        ("运行时间", now),
    )
    return Table(("项目", "内容"), rows, (False, False))


def _rel_path(path, root) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)
