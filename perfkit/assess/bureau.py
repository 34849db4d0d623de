"""A finance bureau's year across departments: each department-year's record for the 复核汇总,
and the flags only a comparison of departments shows (全部满分, identical passages, vague targets).

A record (:func:`department_record`) is plain JSON, written next to the reports
(``tables/bureau.json``) so that the bureau's documents are made from files, without loading any
workbook again, and a cluster worker can send it back with the documents. The settings are
``perfkit/resources/bureau.yaml``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from perfkit import config
from perfkit.assess.claims import claimed_items
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.problems import find_problems, problem_types
from perfkit.assess.reviewstage import ReviewOutcome, review_outcome
from perfkit.assess.scoring import record_score, score
from perfkit.cells import as_text, is_missing
from perfkit.errors import PerfkitError

SETTINGS = config.PACKAGE_DIR / "resources" / "bureau.yaml"
#: Problem levels in order of gravity (the 复核问题清单's P0/P1/P2).
LEVELS = ("P0", "P1", "P2")
#: Version of the record's shape: a record of another version is not read (the run rewrites it).
RECORD_VERSION = config.BUREAU_RECORD_VERSION
_SENTENCE_END = re.compile(r"[。！？；;!?\n]+")


@functools.cache
def bureau_settings() -> dict[str, Any]:
    """The bureau settings (``perfkit/resources/bureau.yaml``)."""
    return dict(yaml.safe_load(SETTINGS.read_text(encoding="utf-8")))


def problem_level(problem_type: str) -> str:
    """The P-level of a problem type in the 复核问题清单 (``resources/problems.yaml``: P0 must
    be corrected, P1 explained or rectified, P2 noted); a type it does not list is P2."""
    found = problem_types().get(problem_type)
    return found.level if found is not None else "P2"


def deviation(claimed: float | None, total: float | None) -> float:
    """偏离度 in points: 自评得分 − 复核得分 (the 复核底稿's 偏离度 summed over its items), to
    two decimals; NaN without both."""
    if claimed is None or total is None or is_missing(claimed) or is_missing(total):
        return math.nan
    return record_score(float(claimed) - float(total), 2)


def deadline(settings: Any) -> str:
    """整改期限 as the 复核意见 states it: a date (review date + rectify_days), else in days."""
    days = int(settings.rectify_days)
    if settings.review_date:
        end = dt.date.fromisoformat(settings.review_date) + dt.timedelta(days=days)
        return f"{end.year}年{end.month}月{end.day}日前"
    return f"复核意见印发之日起{days}日内"


def normalize_passage(text: str) -> str:
    """A sentence compared across departments: width-folded, without spaces and punctuation."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if not ch.isspace()
                   and not unicodedata.category(ch).startswith("P"))


def _passages(ev: Evaluation) -> list[dict[str, str]]:
    """The report text's sentences long enough to compare (section, the sentence as typed)."""
    s = bureau_settings()["copying"]
    frame = ev.data.frames.get("text")
    if frame is None or frame.empty:
        return []
    out, seen = [], set()
    for _, r in frame.iterrows():
        section = as_text(r.get("section"))
        if section in s["skip_sections"]:
            continue
        for sentence in _SENTENCE_END.split(as_text(r.get("content"))):
            key = normalize_passage(sentence)
            if len(key) >= int(s["min_chars"]) and key not in seen:
                seen.add(key)
                out.append({"section": section, "text": sentence.strip(), "key": key})
    return out


def _vague_phrases(ev: Evaluation) -> list[str]:
    """The vague phrases of the settings this department's targets use (names, 年度绩效目标)."""
    s = bureau_settings()["vague"]
    texts = []
    targets = ev.data.frames.get("targets")
    if targets is not None and not targets.empty:
        texts += [as_text(v) for v in targets["name"]]
    frame = ev.data.frames.get("text")
    if frame is not None and not frame.empty:
        texts += [as_text(r.get("content")) for _, r in frame.iterrows()
                  if as_text(r.get("section")) in s["sections"]]
    joined = "\n".join(texts)
    return [p for p in s["phrases"] if p in joined]


def _self_items(ev: Evaluation, total_points: float) -> dict[str, Any]:
    """How the department scored itself: items given, items at full points, a full total."""
    items = claimed_items(ev)
    scored = items[items["score"].notna() & items["points"].notna()] if not items.empty else items
    full = int(((scored["points"] - scored["score"]).abs() <= 1e-9).sum()) if len(scored) else 0
    claimed = ev.data.info.get("claimed_score")
    claimed_full = (claimed is not None and not is_missing(claimed)
                    and abs(float(claimed) - total_points) <= 1e-9)
    return {"items": len(scored), "full": full, "claimed_full": bool(claimed_full)}


def review_fields(o: ReviewOutcome | None, total: float | None, grade: str,
                  claimed: float | None) -> dict[str, Any]:
    """The 复核得分 of a record as the department's 复核意见 states it (its conclusion table).

    Args:
        o: the stage's outcome (None when the score sheet could not be used).
        total: the score sheet's total under the run settings (None: 无法评分).
        grade: its grade.
        claimed: the 自评得分 (None: not given).

    Returns:
        ``stage``; ``total`` and ``grade``, a single score (None and "" in a first reading
        waiting for 补充资料, and when it cannot be scored); ``range`` [X, X + Z] of a first
        reading (else None) with its ``possible_grades``, ``verified`` (X) and ``pending`` (Z);
        ``deviation`` (自评 − 复核, a single score's) and ``deviation_range`` [自评 − (X + Z),
        自评 − X] of a range; ``deviation_rank``, the certain part that ranks departments:
        the deviation, or of a range 自评 − (X + Z), the least the department over-scored itself.
    """
    stage = o.stage if o is not None else ""
    out: dict[str, Any] = {"stage": stage, "total": total, "grade": grade if total is not None
                           else "", "range": None, "possible_grades": [], "verified": None,
                           "pending": None, "deviation_range": None,
                           "deviation": _json_num(deviation(claimed, total))}
    if o is not None and o.first_reading:
        low, high = o.score_range
        out |= {"total": None, "grade": "", "range": [low, high],
                "possible_grades": list(o.possible_grades), "verified": low,
                "pending": o.pending_points, "deviation": None}
        if claimed is not None and not is_missing(claimed):
            out["deviation_range"] = [float(claimed) - high, float(claimed) - low]
    rng = out["deviation_range"]
    out["deviation_rank"] = rng[0] if rng is not None else out["deviation"]
    return out


def department_record(ev: Evaluation) -> dict[str, Any]:
    """What the bureau's documents need of one department-year, as plain JSON.

    Keys: department, department_name, year, claimed, claimed_grade (stated, else the band of
    the claim), claimed_grade_stated (bool), the 复核得分 as the stage states it
    (:func:`review_fields`: stage, total, grade, range, possible_grades, verified, pending,
    deviation, deviation_range, deviation_rank), score_error, problems (key, type, level,
    heading_zh, item_zh, detail_zh, cells), self_items, passages, vague_phrases, deadline,
    result_use (of a single 复核 grade), result_use_by_grade, review_org, review_date.
    """
    types = problem_types()
    problems = [{"key": f"{p['type']}:{p['item_zh']}", "type": p["type"],
                 "level": str(p.get("level") or problem_level(p["type"])),
                 "heading_zh": types[p["type"]].heading_zh if p["type"] in types else p["type"],
                 "item_zh": p["item_zh"], "detail_zh": p["detail_zh"], "cells": p["cells"]}
                for _, p in find_problems(ev).iterrows()]
    try:
        r = score(ev)
        o: ReviewOutcome | None = review_outcome(ev)
    except PerfkitError as exc:
        total, grade, claimed, stated, band, o = None, "", None, "", "", None
        errors, points = [str(exc)], 100.0
    else:
        total = None if is_missing(r.total) or not r.scorable else float(r.total)
        grade, claimed, stated, band = r.grade or "", r.claimed, r.stated_grade, r.claimed_grade
        errors, points = list(r.errors), float(r.items["points"].sum())
    fields = review_fields(o, total, grade, claimed)
    uses = ev.settings.result_use_by_grade
    return {
        "version": RECORD_VERSION,
        "department": ev.settings.department, "department_name": ev.department_name,
        "year": ev.year, "claimed": claimed, "claimed_grade": stated or band or "",
        "claimed_grade_stated": bool(stated), **fields, "score_error": "；".join(errors),
        "problems": problems, "self_items": _self_items(ev, points),
        "passages": _passages(ev), "vague_phrases": _vague_phrases(ev),
        "deadline": deadline(ev.settings),
        "result_use": uses.get(fields["grade"], "") if fields["total"] is not None else "",
        "result_use_by_grade": uses, "review_org": ev.settings.review_org,
        "review_date": ev.settings.review_date,
    }


def _json_num(x: float) -> float | None:
    return None if is_missing(x) else x


# ---------------------------------------------------------------------------------------------
# Across departments
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """A finding only the comparison of departments shows.

    Attributes:
        kind: ``full_marks``, ``copying`` or ``vague``.
        title_zh: what was found, in one line.
        detail_zh: the evidence (the passage, the phrase, the items).
        departments: the departments' names.
    """

    kind: str
    title_zh: str
    detail_zh: str
    departments: tuple[str, ...]


def ledger_problems(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The department's problems the 整改台账 lists (all but the settings' ``ledger_excluded``
    types), the gravest first."""
    excluded = set(bureau_settings().get("ledger_excluded") or ())
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    return sorted((p for p in record.get("problems") or [] if p["type"] not in excluded),
                  key=lambda p: rank.get(p["level"], 9))


def main_problems(record: Mapping[str, Any], n: int | None = None) -> list[dict[str, Any]]:
    """The department's first ``n`` problems by level (settings' main_problems by default)."""
    n = int(bureau_settings()["main_problems"]) if n is None else n
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    ordered = sorted(record.get("problems") or [], key=lambda p: rank.get(p["level"], 9))
    return ordered[:n]


def level_counts(record: Mapping[str, Any]) -> dict[str, int]:
    """Problems of each level (P0, P1, P2)."""
    counts = dict.fromkeys(LEVELS, 0)
    for p in record.get("problems") or []:
        if p["level"] in counts:
            counts[p["level"]] += 1
    return counts


def full_marks(record: Mapping[str, Any]) -> bool:
    """Whether the department gave every 自评表 item its full points (enough items to say so),
    or claimed the sheet's full score."""
    s = record.get("self_items") or {}
    given = int(s.get("items", 0))
    return bool(s.get("claimed_full")) or (
        given >= int(bureau_settings()["full_marks"]["min_items"]) and s.get("full") == given)


def cross_flags(records: Iterable[Mapping[str, Any]]) -> list[Flag]:
    """The flags across the year's departments: 全部满分, identical passages, vague phrasing.

    Each states a fact the reviewer can check in the workbooks (the items, the sentence, the
    phrase); whether a passage was copied, and from whom, is for the reviewer to decide.
    """
    records = list(records)
    flags = []
    full = [r["department_name"] for r in records if full_marks(r)]
    if full:
        flags.append(Flag("full_marks", f"自评全部满分（{len(full)}个部门）",
                          "自评表各项均按满分自评（或自评得分为满分），需核实是否有评分依据",
                          tuple(full)))
    copy = bureau_settings()["copying"]
    by_key: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for r in records:
        for p in r.get("passages") or []:
            by_key.setdefault(p["key"], []).append((r["department_name"], p))
    for _key, hits in by_key.items():
        names = tuple(dict.fromkeys(name for name, _ in hits))
        if 2 <= len(names) <= int(copy["max_departments"]):
            first = hits[0][1]
            sections = "、".join(dict.fromkeys(p["section"] for _, p in hits if p["section"]))
            flags.append(Flag("copying", f"报告文字中有一字不差的相同语句（{len(names)}个部门）",
                              f"“{first['text']}”（{sections or '报告文字'}）；除标点和空格外逐字相同，"
                              "是否照搬他人报告需人工核实", names))
    vague = bureau_settings()["vague"]
    counts: dict[str, list[str]] = {}
    for r in records:
        for phrase in r.get("vague_phrases") or []:
            counts.setdefault(phrase, []).append(r["department_name"])
    n = len(records)
    for phrase, users in counts.items():
        if len(users) >= int(vague["min_departments"]) and len(users) >= float(
                vague["min_share"]) * n:
            flags.append(Flag("vague", f"绩效目标使用同一笼统表述“{phrase}”（{len(users)}个部门）",
                              f"占本年度{n}个部门的{round(len(users) * 100 / n)}%；"
                              "该表述本身没有可衡量的目标值，需核实是否另有量化指标", tuple(users)))
    return flags


def recurred(record: Mapping[str, Any], last_year: Iterable[Mapping[str, Any]]
             ) -> list[dict[str, Any]]:
    """This year's problems of the department that last year's 整改台账 listed for it too.

    Args:
        record: this year's record.
        last_year: last year's 整改台账 rows of the department (key, 整改情况 as ``status``).

    Returns:
        The recurring problems, each with last year's ``status`` (整改情况, "" if not filled).
    """
    before = {str(row.get("key")): str(row.get("status") or "") for row in last_year}
    return [{**p, "status": before[p["key"]]} for p in ledger_problems(record)
            if p["key"] in before]


__all__ = ["LEVELS", "Flag", "bureau_settings", "cross_flags", "deadline", "department_record",
           "deviation", "full_marks", "ledger_problems", "level_counts", "main_problems",
           "problem_level", "recurred", "review_fields"]
