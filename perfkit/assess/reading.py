"""What a reviewer reads a department's report for: findings in its words, by resources/reading.yaml.

A finance-bureau reviewer reading a 自评报告 stops at things no arithmetic check finds: the same
quantity stated twice with different values, a date outside the period it describes, an amount
larger than the department's own spending with no word on its scope, a 变动原因 outside the
department's remit, every item self-scored full marks, targets quantitative only in form, and
text shared with another department's report. The phrases, patterns and thresholds are data
(``perfkit/resources/reading.yaml``); each finding quotes the words it rests on, so that the
reviewer who signs the opinion can see it is one: a false alarm costs more than ten misses.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from perfkit import config, fmt
from perfkit.assess.evaluation import Evaluation
from perfkit.cells import is_missing
from perfkit.data.printed import AuditParseError, parse_printed
from perfkit.data.reader import load_workbook
from perfkit.errors import PerfkitError

log = logging.getLogger(__name__)

SPEC = config.PACKAGE_DIR / "resources" / "reading.yaml"

#: Columns of :func:`read_report`: the check (a problem type of resources/problems.yaml, which
#: gives its heading, suggestion and level), what it is about, the finding, the words quoted,
#: where they stand (a section of the report, for the body of the opinion) and the workbook
#: cells (for its 附件).
COLUMNS = ["type", "item_zh", "detail_zh", "quote", "place", "cells"]

_CLAUSE = re.compile(r"[^，,；;。！？!?\n]+")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_DATE = re.compile(r"(\d{4})年(\d{1,2})月")
_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:亿元|万元)")
QUOTE_CHARS = 80


def spec() -> dict[str, Any]:
    """The reading catalog (``perfkit/resources/reading.yaml``)."""
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def _quote(text: str, start: int = 0, end: int | None = None) -> str:
    """“…” around a passage, cut to :data:`QUOTE_CHARS` characters."""
    part = text[start:end].strip().rstrip("。；;，,")
    return "“" + (part if len(part) <= QUOTE_CHARS else part[:QUOTE_CHARS] + "…") + "”"


def paragraphs(ev: Evaluation) -> list[tuple[str, str, str]]:
    """The department's own words: (text, section, cell) of every paragraph of 报告文字."""
    frame = ev.data.frames.get("text")
    if frame is None:
        return []
    out = []
    for i, r in frame.iterrows():
        if is_missing(r["content"]) or not str(r["content"]).strip():
            continue
        section = "" if is_missing(r.get("section")) else str(r["section"]).strip()
        out.append((str(r["content"]), section, ev.data.cell("text", i, "content")))
    return out


def _place(section: str) -> str:
    return f"报告“{section}”部分" if section else "报告文字"


def _clauses(text: str) -> Iterator[re.Match[str]]:
    return _CLAUSE.finditer(text)


def _row(kind: str, item: str, detail: str, quote: str = "", place: str = "",
         cells: str = "") -> dict[str, str]:
    return {"type": kind, "item_zh": item, "detail_zh": detail, "quote": quote,
            "place": place, "cells": cells}


# ---- the same quantity stated twice ----------------------------------------------------------

def same_quantity(ev: Evaluation, rule: dict[str, Any]) -> list[dict[str, str]]:
    """Counts of one kind of object (学校 …) each claimed as full coverage, with different values."""
    units = "|".join(map(re.escape, rule["units"]))
    number = re.compile(r"(近|约)?(\d+)(余|多)?(" + units + ")")
    found: dict[tuple[str, str], list[tuple[int, str, str, str]]] = defaultdict(list)
    for text, section, cell in paragraphs(ev):
        for clause in _clauses(text):
            words = clause.group()
            if not any(w in words for w in rule["claim_words"]):
                continue
            for m in number.finditer(words):
                if m.group(1) or m.group(3):  # 近、约、余、多: not a count to compare
                    continue
                after = words[m.end():m.end() + int(rule["window"])]
                kind = next((k for k, ws in rule["objects"].items()
                             if any(after.startswith(w) or w in after for w in ws)), None)
                if kind:
                    found[(kind, m.group(4))].append((int(m.group(2)), words.strip(), section, cell))
    rows = []
    for (kind, unit), hits in found.items():
        values = sorted({v for v, *_ in hits})
        if len(values) < 2:
            continue
        first = {v: next(h for h in hits if h[0] == v) for v in values}
        shown = "、".join(f"{v}{unit}" for v in values)
        quotes = "；".join(_quote(first[v][1]) for v in values)
        rows.append(_row("same_quantity", f"{kind}数量",
                         f"报告两处都称覆盖全部{kind}，数量却不同（{shown}）：{quotes}",
                         quotes, "、".join(dict.fromkeys(_place(first[v][2]) for v in values)),
                         "; ".join(dict.fromkeys(first[v][3] for v in values))))
    return rows


# ---- a date outside its period ---------------------------------------------------------------

def _report_date(ev: Evaluation) -> dt.date | None:
    value = ev.data.info.get("report_date")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def date_outside_period(ev: Evaluation, rule: dict[str, Any]) -> list[dict[str, str]]:
    """A 决算 of year Y dated before Y ends; a 预计 dated before the report was written."""
    events = "|".join(map(re.escape, rule["after_period_events"]))
    event = re.compile(r"(\d{4})年度?[^，,；;。\d]{0,8}?(" + events + ")")
    written = _report_date(ev)
    rows = []
    for text, section, cell in paragraphs(ev):
        for clause in _clauses(text):
            words = clause.group()
            why = []
            for d in _DATE.finditer(words):
                year, month = int(d.group(1)), int(d.group(2))
                acts = any(v in words for v in rule["event_verbs"])
                for e in event.finditer(words):
                    if acts and e.start() != d.start() and (year, month) <= (int(e.group(1)), 12):
                        why.append(f"{e.group(1)}年度{e.group(2)}要在该年度结束后才能编制，"
                                   f"不可能在{d.group()}")
                        break
                future = next((w for w in rule["future_words"]
                               if w in words[:d.start()]), None)
                if future and written and (year, month) < (written.year, written.month):
                    why.append(f"报告日期为{fmt.date_zh(written)}，“{future}”的{d.group()}"
                               "在报告写成时已经过去，应写明实际情况")
            if why:
                rows.append(_row("date_outside_period", "报告所述日期",
                                 f"报告称{_quote(words)}，{'；'.join(dict.fromkeys(why))}",
                                 _quote(words), _place(section), cell))
    return rows


# ---- an amount larger than the department ----------------------------------------------------

def _bound(ev: Evaluation) -> tuple[float, float] | None:
    """The department's own scale: its 本年支出合计 and the largest of its totals and budgets."""
    spend = ev.data.value("expenditure", "total", "actual")
    if is_missing(spend) or spend <= 0:
        return None
    values = [spend]
    for sheet in ("income", "expenditure"):
        for column in ("actual", "budget_initial", "budget_adjusted"):
            try:
                v = ev.data.value(sheet, "total", column)
            except (KeyError, PerfkitError):
                continue
            if not is_missing(v):
                values.append(float(v))
    return float(spend), max(values)


def scope(ev: Evaluation, rule: dict[str, Any]) -> list[dict[str, str]]:
    """Amounts in the text larger than the department's own totals, their scope unstated."""
    bound = _bound(ev)
    if bound is None:
        return []
    spend, largest = bound
    limit = largest * float(rule["ratio"])
    rows = []
    for text, section, cell in paragraphs(ev):
        big = []
        for clause in _clauses(text):
            words = clause.group()
            if any(w in words for w in rule["scope_words"]):
                continue
            for m in _AMOUNT.finditer(words):
                try:
                    v = parse_printed(m.group().replace(" ", ""))
                except AuditParseError:
                    continue
                if v.kind == "amount" and float(v.number) * v.scale > limit:
                    big.append((m.group().replace(" ", ""), words.strip()))
        if big:
            amounts = "、".join(dict.fromkeys(a for a, _ in big))
            quotes = "；".join(dict.fromkeys(_quote(w) for _, w in big))
            rows.append(_row("scope", f"金额口径（{amounts}）",
                             f"报告所列金额{amounts}大于部门{ev.year}年度本年支出合计"
                             f"{fmt.amount(spend)}，未说明是全市（全县）合计还是含其他部门、"
                             f"上级资金，口径不清：{quotes}", quotes, _place(section), cell))
    return rows


# ---- a 变动原因 outside the remit ------------------------------------------------------------

def _outside(ev: Evaluation, rule: dict[str, Any]) -> dict[str, str]:
    """Activity → the label of the field whose remit it is, for fields the department is not in."""
    name = ev.department_name
    out: dict[str, str] = {}
    for field in rule["fields"].values():
        if set(field.get("domains", [])) & set(ev.domains) or any(
                n in name for n in field.get("names", [])):
            continue
        out |= {a: field["label"] for a in field["activities"]}
    return out


def _reasons(ev: Evaluation) -> Iterator[tuple[str, str, str, str]]:
    """(item, text, place, cell) of every 变动原因: the 三公经费 sheet's, then the report's."""
    frame = ev.data.frames.get("three_public")
    if frame is not None and "reason" in frame:
        for key, r in frame.iterrows():
            if not is_missing(r["reason"]) and str(r["reason"]).strip():
                yield (str(r["label"]), str(r["reason"]), "“三公”经费变动原因",
                       ev.data.cell("three_public", key, "reason"))
    for text, section, cell in paragraphs(ev):
        yield ("", text, _place(section), cell)


def remit(ev: Evaluation, rule: dict[str, Any]) -> list[dict[str, str]]:
    """A 变动原因 naming an activity of another field's remit (招商引资 at an education bureau)."""
    outside = _outside(ev, rule)
    if not outside:
        return []
    seen: dict[str, dict[str, str]] = {}
    for item, text, place, cell in _reasons(ev):
        for clause in _clauses(text):
            words = clause.group()
            if not any(w in words for w in rule["reason_words"]):
                continue
            for activity, label in outside.items():
                if activity not in words:
                    continue
                if activity in seen:
                    seen[activity]["cells"] += f"; {cell}"
                    continue
                # The sentence names its item ("公务接待费本年数为…") when the sheet's row does not.
                sentence = next((s.group() for s in _SENTENCE.finditer(text)
                                 if activity in s.group()), words)
                what = item or next((k for k in ("公务接待费", "公务用车运行维护费", "因公出国（境）费",
                                                 "“三公”经费") if k in sentence), "支出")
                seen[activity] = _row("remit", what,
                    f"{what}的变动原因为{_quote(sentence)}，而“{activity}”是{label}的职责，"
                    f"不在{ev.department_name}的职责范围内；支出的真实性和列支口径需要说明",
                    _quote(sentence), place, cell)
    return list(seen.values())


# ---- every item full marks -------------------------------------------------------------------

def full_marks(ev: Evaluation, rule: dict[str, Any]) -> list[dict[str, str]]:
    """Every item of the 自评表 at full marks (or a claimed 100): 自评流于形式."""
    frame = ev.data.frames.get("self_scores")
    scored = pd.DataFrame() if frame is None else frame[
        frame["score"].map(lambda v: not is_missing(v)) & frame["points"].map(
            lambda v: not is_missing(v))]
    if len(scored) >= int(rule["min_items"]) and (
            (scored["score"].astype(float) - scored["points"].astype(float)).abs() < 0.005).all():
        return [_row("full_marks", "自评表",
                     f"自评表{len(scored)}项指标全部自评为满分，没有一项扣分，自评流于形式",
                     "", "自评表", "自评表")]
    claimed = ev.data.info.get("claimed_score")
    if isinstance(claimed, int | float) and not is_missing(claimed) and claimed >= 100:
        return [_row("full_marks", "自评得分",
                     f"部门自评得分为满分{fmt.num(claimed)}分，自评流于形式", "", "自评结论",
                     "基本信息")]
    return []


# ---- targets quantitative only in form -------------------------------------------------------

def uniform_targets(ev: Evaluation, rule: dict[str, Any]) -> list[dict[str, str]]:
    """Most of the year's percentage targets one and the same value (≥95% everywhere)."""
    frame = ev.data.frames.get("targets")
    if frame is None or frame.empty:
        return []

    def this_year(v: Any) -> bool:
        return is_missing(v) or int(float(v)) == ev.year

    rows = frame[frame["unit"].astype(str).str.strip().isin(["%", "％"])
                 & frame["direction"].isin(["≥", "≤", ">", "<"])
                 & frame["target"].map(lambda v: not is_missing(v))
                 & frame["target_year"].map(this_year)]
    if rows.empty:
        return []
    pairs = Counter(zip(rows["direction"], rows["target"].astype(float), strict=True))
    (direction, value), count = pairs.most_common(1)[0]
    exempt = {float(v) for v in rule["exempt_values"]}
    if value in exempt or count < int(rule["min_same"]) or count / len(rows) < float(rule["share"]):
        return []
    names = rows[(rows["direction"] == direction) & (rows["target"].astype(float) == value)]["name"]
    shown = f"{direction}{fmt.num(value, 0 if value.is_integer() else 2)}%"
    listed = "、".join(map(str, list(names)[:5])) + ("等" if len(names) > 5 else "")
    return [_row("uniform_targets", "绩效目标",
                 f"本年度{len(rows)}项百分比目标中{count}项均为“{shown}”（{listed}），"
                 "目标值只在形式上量化，看不出依据历史水平、标准或规划测算",
                 "", "绩效目标", "绩效指标")]


# ---- text shared with another department -----------------------------------------------------

def _sentences(texts: list[str], rule: dict[str, Any]) -> set[str]:
    out = set()
    for text in texts:
        for s in _SENTENCE.finditer(text):
            words = re.sub(r"\s+", "", s.group()).rstrip("。！？!?")
            if len(words) >= int(rule["min_chars"]) and not words.startswith(
                    tuple(rule["boilerplate_starts"])):
                out.add(words)
    return out


def _report_texts(path: Path) -> tuple[str, list[str]] | None:
    """(department name, paragraphs of 报告文字) of a workbook, or None when it cannot be read."""
    try:
        other = load_workbook(path)
    except PerfkitError as exc:
        log.warning("copy check: %s not read: %s", path, exc)
        return None
    frame = other.frames.get("text")
    texts = [] if frame is None else [str(v) for v in frame["content"] if not is_missing(v)]
    return other.department_name or path.parent.name, texts


def _others(ev: Evaluation) -> Iterator[tuple[str, list[str]]]:
    """(department name, texts) of the other departments' workbooks of the same year in the
    project, each read once per version of its file (kept on the project: a batch run compares
    every department with every other)."""
    data_dir = Path(ev.project.data_dir)
    own = Path(ev.data.path).resolve()
    for path in sorted(data_dir.glob(f"*/{ev.year}.xlsx")):
        if path.resolve() == own or path.parent.name == ev.settings.department:
            continue
        stat = path.stat()
        found = ev.project.cached(f"reading:{path.resolve()}", (stat.st_mtime_ns, stat.st_size),
                                  functools.partial(_report_texts, path))
        if found is not None:
            yield found


def copying(ev: Evaluation, rule: dict[str, Any]) -> list[dict[str, str]]:
    """Sentences of the report found word for word in another department's report."""
    own = paragraphs(ev)
    mine = _sentences([t for t, _, _ in own], rule)
    if not mine:
        return []
    rows = []
    for name, texts in _others(ev):
        shared = sorted(mine & _sentences(texts, rule), key=len, reverse=True)
        if len(shared) < int(rule["min_sentences"]):
            continue
        cells = [c for t, _, c in own if any(s in re.sub(r"\s+", "", t) for s in shared)]
        rows.append(_row("copying", f"与{name}的自评报告",
                         f"报告有{len(shared)}句与{name}的自评报告逐字相同，如{_quote(shared[0])}："
                         "报告内容应反映本部门的实际情况", _quote(shared[0]), "报告文字",
                         "; ".join(dict.fromkeys(cells))))
    return rows


CHECKS = {"same_quantity": same_quantity, "date_outside_period": date_outside_period,
          "scope": scope, "remit": remit, "full_marks": full_marks,
          "uniform_targets": uniform_targets, "copying": copying}


def read_report(ev: Evaluation) -> pd.DataFrame:
    """Every finding of a reviewer's reading of the department's report, one row each.

    Returns:
        Columns :data:`COLUMNS`, in the order of resources/reading.yaml.
    """
    def build() -> pd.DataFrame:
        rows: list[dict[str, str]] = []
        for kind, rule in spec().items():
            rows += CHECKS[kind](ev, rule)
        return pd.DataFrame(rows, columns=COLUMNS)

    return ev.result("reading", build).copy()


__all__ = ["CHECKS", "COLUMNS", "paragraphs", "read_report", "spec"]
