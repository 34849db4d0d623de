"""Relations a report's sentences state among its figures: ratios, changes, sums.

The catalog's sentence patterns find each relation and the operands its sentence prints; what a
sentence leaves out is looked for by structure (the base a ratio names printed earlier in the
sentence, the quantity a rate of change is of, the parts of a "其中" list read as the list is
written). Called by :func:`perfkit.assess.reporttext.extract`.
"""

from __future__ import annotations

import bisect
import re

from perfkit.assess.reportcatalog import CLOSE, OPEN, Catalog, Pattern
from perfkit.assess.reportfigures import Figure, Relation
from perfkit.assess.reportparagraph import (
    LABEL_CHARS,
    NUMBERING,
    Paragraph,
    blank,
    find_phrase,
    fold_label,
)
from perfkit.data.printed import AuditParseError, parse_printed

_DIRECTION_BEFORE = re.compile("(增加|减少|增长|下降|提高|降低|上升|节约|超支)了?$")


def changes_without_comparison(figures: list[Figure]) -> None:
    """"公务接待费支出决算增加56,716.00元": a figure printed after a direction word is a change,
    not the quantity's value, even where no pattern reads what it is compared with."""
    for fig in figures:
        if fig.role != "value":
            continue
        m = _DIRECTION_BEFORE.search(fig.label.rstrip(" 为是"))
        if not m or m.group(1) in ("节约", "超支"):
            if m:
                fig.role = "difference"
            continue
        try:
            fig.printed = parse_printed(m.group(1) + fig.text)
        except AuditParseError:
            continue
        fig.text = m.group(1) + fig.text
        fig.role = "change"


def parts_take_the_total_qualifier(relations: list[Relation]) -> None:
    """"部门预算收入X，其中：一般公共预算财政拨款收入a…": the parts of a budget are budgets."""
    for rel in relations:
        if rel.kind == "sum" and rel.result.qualifier:
            for part in rel.parts:
                if not part.qualifier:
                    part.qualifier = rel.result.qualifier


def _group_figure(m: re.Match, name: str, figures: list[Figure]) -> Figure | None:
    if name not in m.re.groupindex or m.group(name) is None:
        return None
    return figures[int(m.group(name))]


def match_relations(para, pattern, figures, relations, catalog) -> list[Relation]:
    out: list[Relation] = []
    result_role = "change" if pattern.kind == "change" else "result"
    roles = {"ratio": ("part", "base"), "change": ("now", "base", "delta"),
             "difference": ("a", "b"), "product": ("a", "b")}[pattern.kind]
    taken = {id(r.result) for r in relations}  # every relation is a ratio, change or sum
    part_of_base: dict[int, Figure] = {}  # a ratio's base → its part (the first such ratio)
    for r in relations:
        if r.kind == "ratio" and "base" in r.operands and "part" in r.operands:
            part_of_base.setdefault(id(r.operands["base"]), r.operands["part"])
    for m in pattern.regex.finditer(para.skeleton):
        result = _group_figure(m, result_role, figures)
        if result is None or id(result) in taken:
            continue
        operands = {}
        for role in roles:
            fig = _group_figure(m, role, figures)
            if fig is not None and fig is not result:
                operands[role] = fig
        base_label = (m.group("base_label") or "") if "base_label" in m.re.groupindex else ""
        base_label = base_label.strip().removesuffix("的").strip()
        inferred = ""
        if pattern.kind == "product" and not _counted_per(operands, m, catalog):
            continue
        if "delta" in operands:
            inferred = _operands_of_delta(operands, relations + out, para, catalog)
        elif "base" not in operands and base_label and (operands.get("part") or operands.get("now")):
            inferred = _base_named_before(operands, base_label, para, catalog)
        if pattern.kind == "change":
            direction = m.group("direction")
            try:
                result.printed = parse_printed(direction + result.text)
            except AuditParseError:
                continue
            result.text = direction + result.text
            _now_is_the_subject(operands, part_of_base)
            _drop_incompatible_change(operands, result)
            base = operands.get("base")
            if base is not None and not base.qualifier and pattern.base_qualifier:
                base.qualifier = pattern.base_qualifier
        result.role = pattern.kind
        sentence, at = para.sentence(*m.span())
        out.append(Relation(pattern.kind, pattern, result, operands, [], base_label,
                            sentence, False, result.start - at, inferred))
        taken.add(id(result))
    return out


#: "各是A1,A2万元。…各减少C1,C2万元,各下降D1%、D2%": lists read in order (respectively).
_EACH_LEVEL = re.compile(f"(?:各|分别)(?:是|为)(?P<items>{OPEN}A:\\d+{CLOSE}(?:[，,、]{OPEN}A:\\d+{CLOSE})+)")
_EACH_CHANGE = re.compile(
    f"(?:各|分别)(?P<d1>增加|减少)了?(?P<deltas>{OPEN}A:\\d+{CLOSE}(?:[，,、]{OPEN}A:\\d+{CLOSE})+)"
    f"[，,](?:各|分别)(?P<d2>增长|下降)了?(?P<rates>{OPEN}P:\\d+{CLOSE}(?:[，,、]{OPEN}P:\\d+{CLOSE})+)")
RESPECTIVELY = Pattern("respectively", "change", _EACH_CHANGE, "", "",
                       "各是A1、A2…各减少C1、C2，各下降D1%、D2%（按列出顺序一一对应）")


def match_respectively(para: Paragraph, figures: list[Figure],
                       relations: list[Relation]) -> list[Relation]:
    """"收、支总计各是A1,A2万元。与上年相比,收、支总计各减少C1,C2万元,各下降D1%、D2%": each rate
    is its change over its level's prior value, the lists paired in the order printed; the
    levels, printed in an earlier sentence, only confirm (:attr:`Relation.inferred`)."""
    def items(m: re.Match, group: str) -> list[Figure]:
        return [figures[int(t.group(1))] for t in _TOKEN.finditer(m.group(group))]

    taken = {id(r.result) for r in relations}
    levels = [items(m, "items") for m in _EACH_LEVEL.finditer(para.skeleton)]
    out = []
    for m in _EACH_CHANGE.finditer(para.skeleton):
        deltas, rates = items(m, "deltas"), items(m, "rates")
        before = [lv for lv in levels if lv[-1].end <= deltas[0].start and len(lv) == len(deltas)]
        if len(rates) != len(deltas) or not before or any(id(r) in taken for r in rates):
            continue
        nows = before[-1]
        sentence, at = para.sentence(*m.span())
        for now, delta, rate in zip(nows, deltas, rates, strict=True):
            try:
                delta.printed = parse_printed(m.group("d1") + delta.text)
                rate.printed = parse_printed(m.group("d2") + rate.text)
            except AuditParseError:
                continue
            delta.text, rate.text = m.group("d1") + delta.text, m.group("d2") + rate.text
            delta.role, rate.role = "change", "change"
            inferred = "" if now.sentence_span == rate.sentence_span else (
                f"本年数按列出顺序取自前句“{now.text}”")
            out.append(Relation("change", RESPECTIVELY, rate, {"delta": delta, "now": now}, [],
                                "", sentence, False, rate.start - at, inferred))
    return out


def _counted_per(operands: dict[str, Figure], m: re.Match, catalog: Catalog) -> bool:
    """A product's count is of what its amount is per ("150人 × 200元/人"; not 150户 × 200元/人)."""
    count, per = operands.get("a"), m.groupdict().get("per") or ""
    return count is not None and count.kind == "count" and bool(per) and (
        count.printed.unit == per or catalog.same_count_family(count.printed.unit, per))


def _noun_key(label: str, catalog: Catalog) -> str:
    """What a label names once years, numbering, qualifiers and fillers are taken out: "2024年
    民政局预算支出" and "民政局实际支出" are both 民政局支出 (budget and actual of one quantity)."""
    folded = fold_label(re.split(r"[，,。；;：:、]", label)[-1])
    kept = {}
    for i, phrase in enumerate(catalog.qualifier_not):  # 一般公共预算 is a name, not a qualifier
        token = "Q" + "".join(chr(65 + int(d)) for d in str(i)) + "Q"
        kept[token] = fold_label(phrase)
        folded = folded.replace(kept[token], token)
    for phrase in sorted([*catalog.qualifiers, *catalog.fillers, "实际", "完成", "各", "均",
                          "增加", "减少", "增长", "下降"], key=len, reverse=True):
        folded = folded.replace(fold_label(phrase), "")
    for token, phrase in kept.items():
        folded = folded.replace(token, phrase)
    return NUMBERING.sub("", folded)


def _same_quantity(a: Figure, b: Figure, catalog: Catalog, loose: bool = False) -> bool:
    """Whether two figures are of one quantity: the same catalog subject, else the same words
    (``loose``: or one's words opening the other's, four characters at least — "一般公共预算财政
    拨款" and "一般公共预算财政拨款支出"; for operands that only confirm a figure)."""
    if a.entry is not None or b.entry is not None:
        return a.entry is b.entry
    key, other = _noun_key(a.label, catalog), _noun_key(b.label, catalog)
    if loose and min(len(key), len(other)) >= 4:
        return key.startswith(other) or other.startswith(key)
    return len(key) >= 2 and key == other


#: How many figures back an operand is looked for: the words of one statement, never a whole
#: run-on sentence of thousands of figures (which would make the reading quadratic).
NEAR_FIGURES = 40


def _earlier(para: Paragraph, fig: Figure, same_sentence: bool) -> list[Figure]:
    """The figures of ``fig``'s paragraph before it, nearest first (its sentence only), at most
    :data:`NEAR_FIGURES`."""
    out: list[Figure] = []
    for f in para.before(fig, NEAR_FIGURES):
        if same_sentence and f.sentence_span != fig.sentence_span:
            break
        out.append(f)
    return out


def _base_named_before(operands: dict[str, Figure], base_label: str, para: Paragraph,
                       catalog: Catalog) -> str:
    """"支出预算为A，支出决算为B，完成年初预算的X%": the base the ratio names (年初预算) is printed
    earlier in the same sentence, as the figure of that qualifier; "实际支出B，比预算增加X%" with
    the 预算 of the same quantity in an earlier sentence of the paragraph."""
    q = find_phrase(blank(fold_label(base_label), catalog.qualifier_not), catalog.qualifiers)
    if not q:
        return ""
    qualifier = catalog.qualifiers[q[0]]
    ref = operands.get("part") or operands["now"]
    for same_sentence in (True, False):
        for fig in _earlier(para, ref, same_sentence):
            near = same_sentence and not para.breaks_between(fig.end, ref.start)
            if fig.kind == ref.kind and fig.qualifier == qualifier and fig.role == "value" and (
                    near or _same_quantity(fig, ref, catalog)):
                operands["base"] = fig
                return "" if same_sentence else f"“{base_label}”取自前句“{fig.text}”"
    return ""


def _operands_of_delta(operands: dict[str, Figure], relations: list[Relation],
                       para: Paragraph, catalog: Catalog) -> str:
    """"…减少2万元，下降0.46%": the rate's operands are the change and what the change is of —
    the now and base its own sentence prints, else the quantity's value printed before it
    (the same quantity: its catalog subject, or the same words)."""
    delta = operands["delta"]
    own = next((r for r in relations if r.result is delta and r.kind == "change"), None)
    for role in ("now", "base"):
        if own is not None and role in own.operands and role not in operands:
            operands[role] = own.operands[role]
    if "now" in operands or "base" in operands:
        return ""
    for same_sentence in (True, False):
        for fig in _earlier(para, delta, same_sentence):
            if fig.kind != delta.kind or fig.role != "value" or fig.qualifier or fig.printed.bound:
                continue
            if same_sentence and (delta.entry is None or fig.entry is delta.entry):
                operands["now"] = fig
                return ""
            if not same_sentence and _same_quantity(fig, delta, catalog, loose=True):
                operands["now"] = fig
                return f"本年数取自前句“{fig.text}”"
    return ""


def _now_is_the_subject(operands: dict[str, Figure], part_of_base: dict[int, Figure]) -> None:
    """"A，为预算B的X%，较上年C减少D": the figure just before 较 is B, the base of a ratio whose
    part is A; the change is of A (the sentence's subject), not of the budget B."""
    now = operands.get("now")
    if now is not None and id(now) in part_of_base:
        operands["now"] = part_of_base[id(now)]


def _drop_incompatible_change(operands: dict[str, Figure], change: Figure) -> None:
    """Keep now/base only when they can give the printed change (same kind, or a rate)."""
    for role, fig in list(operands.items()):
        same = fig.kind == change.kind and (fig.kind != "count" or fig.unit == change.unit)
        rate = change.kind == "percent" and change.printed.suffix == "%" and fig.kind != "percent"
        if not (same or rate):
            del operands[role]


def match_sums(para, pattern, figures, relations, catalog) -> list[Relation]:
    out: list[Relation] = []
    claimed = {id(r.result) for r in relations if r.kind != "sum"}
    bases = {id(r.operands["base"]) for r in relations if "base" in r.operands}
    totals = {id(r.result) for r in relations if r.kind == "sum"}
    for m in pattern.regex.finditer(para.skeleton):
        total = _group_figure(m, "total", figures)
        if total is None or id(total) in claimed or id(total) in totals:
            continue
        start, end = m.span("parts")
        if end <= m.start("total") and _COMPARING.search(para.skeleton[start:end]):
            continue  # a total after a sentence of changes: its amounts are no list of parts
        if "between" in m.re.groupindex and not _only_its_comparisons(
                m, total, para, figures, relations):
            continue
        parts = _list_parts(para.skeleton[start:end], total, figures, claimed | bases, catalog)
        if parts is None or len(parts) < 2 or _levels(parts):
            continue
        sentence, at = para.sentence(*m.span())
        out.append(Relation("sum", pattern, total, {}, parts, "", sentence, False,
                            total.start - at))
        totals.add(id(total))
    return out


_LEVEL = re.compile("([一二三四五六七八九])级")


def _levels(parts: list[Figure]) -> bool:
    """"共设置绩效指标15个，其中一级指标3个、二级指标5个、三级指标15个": parts naming levels of one
    hierarchy count the same things again at each level — they are no parts of the total."""
    levels = [_LEVEL.findall(p.label) for p in parts]
    return sum(bool(lv) for lv in levels) >= 2 and len({lv[-1] for lv in levels if lv}) >= 2


def _only_its_comparisons(m: re.Match, total: Figure, para: Paragraph, figures: list[Figure],
                          relations: list[Relation]) -> bool:
    """"S万元，比上年B减少C，下降D%。其中，a；b": S opens its sentence and every figure between it
    and the list (``between``) is a change of S or what it is compared with — so the list's
    parts are S's."""
    used = {id(r.result) for r in relations}
    used.update(id(f) for r in relations for f in r.operands.values() if f is not total)
    if id(total) in {id(f) for r in relations for f in r.operands.values()
                     if r.operands.get("now") is not f}:
        return False  # a base or a part of something else: no total of its own
    if any(f.sentence_span == total.sentence_span and f.end <= total.start
           for f in para.figures):
        return False
    a, b = m.span("between")
    return all(id(figures[int(t.group(1))]) in used for t in _TOKEN.finditer(para.skeleton[a:b]))


_TOKEN = re.compile(f"{OPEN}[A-Z]:(\\d+){CLOSE}")


_COMPARING = re.compile("较|比上年|同比|上年|增长|下降")


#: A part whose label holds one of these is a total of its own (", 全年累计下达…共1.82亿元").
_TOTAL_WORDS = re.compile("(?:共计|合计|总计|累计|总额|共)(?:为|达|约)?$")


def _list_parts(region: str, total: Figure, figures: list[Figure], excluded: set[int],
                catalog: Catalog) -> list[Figure] | None:
    """The parts a "其中" list names for ``total``: the figures of the total's kind in
    ``region`` (the list's text, with figure tokens), read as a list is written.

    - The list's separator is the punctuation before its second item: a list of items
      separated by "，" or "、" ends at the first "；" (what follows is another statement:
      "其中基本支出a，项目支出b；年末结转结余c"); one separated by "；" runs to the sentence end.
    - Figures in brackets opened inside the list, and everything after an inner "其中", are
      parts of a part ("40.27万元（村卫生室12.72万元、…）").
    - A figure labelled as a total of its own ("共1.82亿元") ends the list.
    - Items holding several such figures ("支出0万元，年初预算为0万元，差值为0万元；…") are
      parallel columns: the list is read only when the total is the first column (its first
      figure), taking the first figure of each item; otherwise None (which column sums to which
      total is not certain).
    """
    pieces = []  # (figure, position in region, item number)
    depth, item, sep = 0, 0, ""
    pos = 0
    first_part_seen = False
    while pos < len(region):
        m = _TOKEN.match(region, pos)
        if m:
            fig = figures[int(m.group(1))]
            if depth == 0:
                if fig.kind == total.kind and fig is not total and id(fig) not in excluded:
                    if first_part_seen and not sep:
                        sep = "，、,"  # a second part before any "；": a comma list
                    first_part_seen = True
                pieces.append((fig, item))
            pos = m.end()
            continue
        c = region[pos]
        if c in "（(":
            depth += 1
        elif c in "）)":
            depth = max(0, depth - 1)
        elif depth == 0 and region.startswith("其中", pos) and pos > 0 and first_part_seen:
            break
        elif depth == 0 and c in "；;":
            if sep == "，、,":
                break
            sep = sep or "；;"
            item += 1
        elif depth == 0 and c in "，,、" and sep == "，、,":
            item += 1
        pos += 1
    parts: list[Figure] = []
    per_item: dict[int, list[Figure]] = {}
    for fig, n in pieces:
        if fig is total or id(fig) in excluded:
            continue
        if _TOTAL_WORDS.search(fold_label(fig.label)):
            break
        if fig.kind != total.kind or (fig.kind == "count" and not catalog.same_count_family(
                fig.printed.unit, total.printed.unit)):
            continue
        per_item.setdefault(n, []).append(fig)
        parts.append(fig)
    if sum(len(v) > 1 for v in per_item.values()) >= 2:
        return None  # parallel columns
    return parts


def bases_from_sums(relations: list[Relation], catalog: Catalog) -> None:
    """"其中：A 1102.55万元，占73.58%": a share without a base is a share of the list's total;
    so is one whose base is named as the total ("…，其中：B 273,702.10元，占总支出决算的70.16%"
    after "支出决算为390,118.10元")."""
    sum_of_part: dict[int, Relation] = {}
    for s in relations:
        if s.kind == "sum":
            for p in s.parts:
                sum_of_part.setdefault(id(p), s)
    for rel in relations:
        if (rel.kind != "ratio" or not rel.pattern.base_from_sum or "base" in rel.operands
                or "part" not in rel.operands):
            continue
        whole = sum_of_part.get(id(rel.operands["part"]))
        if whole is not None and (not rel.base_label or _names_the_total(
                rel.base_label, whole.result, catalog)):
            rel.operands["base"] = whole.result
            rel.base_from_sum = True


_TOTAL = re.compile("总额|总计|合计|全部|总")


def _names_the_total(base_label: str, total: Figure, catalog: Catalog) -> bool:
    """Whether a ratio's base label ("总支出决算") names a list's total generically: a total word
    and nothing but the total's own noun ("支出决算为390,118.10元")."""
    if not _TOTAL.search(base_label):
        return False
    key = _noun_key(_TOTAL.sub("", base_label), catalog)
    return len(key) >= 2 and key == _noun_key(total.label, catalog)


def operands_by_name(relations: list[Relation], figures: list[Figure], catalog: Catalog) -> None:
    """Operands a sentence names but does not print, found by the catalog subject that names
    them elsewhere in the text (after every figure is named):

    - a ratio's base named by a subject ("占“三公”经费的100%", "占本年支出合计的31.45%"): the
      figure of that subject earlier in the sentence (certain), else the one value of it printed
      earlier in the text (:attr:`Relation.inferred`);
    - a rate of change after its amount ("增加56,716.00元，增长95.00%") with no level of the
      quantity in its paragraph: the quantity's value printed earlier in the text (inferred).
    """
    order = {id(f): i for i, f in enumerate(figures)}
    # The plain values of each subject in document order (positions in ``figures``).
    values: dict[int, list[int]] = {}
    for i, f in enumerate(figures):
        if f.entry is not None and f.role == "value" and not f.qualifier and not f.printed.bound:
            values.setdefault(id(f.entry), []).append(i)

    def named_before(entry, fig: Figure) -> list[Figure]:
        """The plain values of ``entry`` before ``fig`` (at most :data:`NEAR_FIGURES`), latest
        last."""
        at = values.get(id(entry), [])
        n = bisect.bisect_left(at, order[id(fig)])
        return [figures[i] for i in at[max(0, n - NEAR_FIGURES):n] if figures[i].kind == fig.kind]

    for rel in relations:
        ops = rel.operands
        if rel.kind == "ratio" and not ops and rel.pattern.base_qualifier:
            n = order[id(rel.result)]
            _rate_after_amount(rel, figures[max(0, n - NEAR_FIGURES):n], catalog)
            continue
        if rel.kind == "ratio" and "part" in ops and "base" not in ops and rel.base_label:
            hit = find_phrase(fold_label(rel.base_label), catalog.subjects)
            entry = catalog.subjects[hit[0]] if hit else None
            if entry is None:
                continue
            part = ops["part"]
            named = named_before(entry, part)
            same = [f for f in named if f.paragraph == part.paragraph
                    and f.sentence_span == part.sentence_span]
            if same:
                ops["base"] = same[-1]
            elif named and len({f.printed.value for f in named}) == 1:
                ops["base"] = named[-1]
                rel.inferred = f"{_quoted(rel.base_label)}取自{named[-1].location}“{named[-1].text}”"
        elif rel.kind == "change" and "delta" in ops and "now" not in ops and "base" not in ops:
            delta = ops["delta"]
            if delta.entry is None:
                continue
            named = [f for f in named_before(delta.entry, delta) if f.paragraph != delta.paragraph]
            if named:
                ops["now"] = named[-1]
                rel.inferred = f"本年数取自{named[-1].location}“{named[-1].text}”"


def _rate_after_amount(rel: Relation, before: list[Figure], catalog: Catalog) -> None:
    """"…预算安排…资金3267.28万元。…执行金额2856.63万元，执行率87.43%": a rate printed right
    after an amount of its clause group is that amount over the quantity's budget — the amount
    printed earlier in the paragraph in a sentence naming the pattern's ``base_qualifier``
    (inferred: it only confirms the rate)."""
    fig = rel.result
    part = before[-1] if before else None
    if (part is None or part.kind != "amount" or part.role != "value" or part.printed.bound
            or part.paragraph != fig.paragraph or part.sentence_span != fig.sentence_span):
        return
    for base in reversed(before[:-1]):
        if base.paragraph != fig.paragraph:
            return
        if base.kind != "amount" or base.role != "value" or base.printed.bound:
            continue
        said = blank(fold_label(base.sentence[max(0, base.sentence_at - LABEL_CHARS):base.sentence_at]),
                     catalog.qualifier_not)
        q = find_phrase(said, catalog.qualifiers)
        if base.qualifier == rel.pattern.base_qualifier or (
                q and catalog.qualifiers[q[0]] == rel.pattern.base_qualifier):
            rel.operands.update(part=part, base=base)
            rel.inferred = f"分子取本句“{part.text}”，预算取自“{base.text}”"
            return


def _quoted(label: str) -> str:
    return "“" + label.strip("“”\"") + "”"
