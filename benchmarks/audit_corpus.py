"""Recall and precision of ``perfkit audit --report`` on real published reports (issue #25).

Usage: ``.venv/bin/python benchmarks/audit_corpus.py [--corpus FILE] [--list]``

Reads ``tests/corpus/real/passages.yaml`` (real passages with every checkable claim verified by
hand), audits each passage from its text alone as ``perfkit audit --report`` does (its lines read
as a .txt is, run settings of a folder without a project), and prints:

- per class and in total: claims, found (perfkit gave the figure a 本句核对 or 全文核对 row),
  right verdicts, recall of right verdicts over the verifiable claims (those a reviewer checks
  to 一致, 舍入差异, 不一致 or 未解释差额) and precision (right verdicts among the claims found);
- false 不一致: every 不一致 row that is not a claim whose expected verdict is 不一致 — a false
  alarm, whether or not the corpus lists the figure;
- missed errors: claims marked ``error: true`` not judged 不一致;
- with ``--list``, each claim not given its right verdict.

A trap (expected 无法核对) is right when perfkit says 无法核对 or nothing. To measure the code
before a change, run this file with another checkout first on the path:
``PYTHONPATH=/work/main .venv/bin/python benchmarks/audit_corpus.py``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "real" / "passages.yaml"
VERIFIABLE = ("一致", "舍入差异", "不一致", "未解释差额")
SEVERITY = ("不一致", "未解释差额", "舍入差异", "一致", "无法核对")
SILENT = "（未列出）"
_DIRECTION = re.compile(r"^(?:增加|减少|增长|下降|提高|降低|上升)了?")


def _bare(text: str) -> str:
    return _DIRECTION.sub("", re.sub(r"\s+", "", str(text)))


def audit_passage(passage: dict, catalog=None):
    """The audit frame of one passage's text, read as a .txt report is (:func:`text_paragraphs`)."""
    from perfkit.assess import reporttext as rt
    from perfkit.assess import textaudit as ta
    from perfkit.assess.reportfile import text_paragraphs
    from perfkit.data.params import settings_from_dict

    extraction = rt.extract(text_paragraphs(passage["text"]), catalog)
    settings = settings_from_dict({"department": "audit", "year": 2020})
    frame = ta.audit_text(extraction, settings)
    if frame.empty:
        return frame
    return frame[frame["category"].isin((ta.SENTENCE, ta.DOCUMENT))]


def _rows_of(frame, claim: dict) -> list[int]:
    if frame.empty:
        return []
    want = _bare(claim["stated"])
    near = claim.get("near", "")
    out = []
    for i, row in frame.iterrows():
        if _bare(row["stated"]) != want:
            continue
        if near and near not in str(row.get("sentence_full") or row["sentence"]):
            continue
        out.append(i)
    return out


def judge_claims(passages: list[dict], catalog=None) -> dict:
    """Every claim with perfkit's verdict, and the false 不一致 rows."""
    results, false_alarms = [], []
    for passage in passages:
        frame = audit_passage(passage, catalog)
        claimed_errors: set[int] = set()
        for claim in passage["claims"]:
            rows = _rows_of(frame, claim)
            verdicts = [frame.at[i, "verdict"] for i in rows]
            got = min(verdicts, key=SEVERITY.index) if verdicts else SILENT
            expected = claim["verdict"]
            right = got == expected if expected in VERIFIABLE else got in ("无法核对", SILENT)
            if expected == "不一致":
                claimed_errors.update(rows)
            explanation = next((frame.at[i, "explanation"] for i in rows
                                if frame.at[i, "verdict"] == got), "")
            results.append({"passage": passage["id"], "claim": claim, "got": got,
                            "right": right, "found": bool(rows), "explanation": explanation})
        if not frame.empty:
            for i, row in frame.iterrows():
                if row["verdict"] == "不一致" and i not in claimed_errors:
                    false_alarms.append({"passage": passage["id"], "stated": row["stated"],
                                         "sentence": row["sentence"],
                                         "explanation": row["explanation"]})
    return {"results": results, "false_alarms": false_alarms}


def summary(judged: dict) -> dict:
    """Counts by class and in total (the figures the benchmark prints)."""
    by_class: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in judged["results"]:
        c = r["claim"]
        for key in (c["class"], "全部"):
            s = by_class[key]
            s["claims"] += 1
            s["verifiable"] += c["verdict"] in VERIFIABLE
            s["found"] += r["found"]
            s["right"] += r["right"]
            s["right_verifiable"] += r["right"] and c["verdict"] in VERIFIABLE
            s["right_found"] += r["right"] and r["found"]
            s["errors"] += bool(c.get("error"))
            s["missed_errors"] += bool(c.get("error")) and r["got"] != "不一致"
    return by_class


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--list", action="store_true", help="list every claim not judged right")
    args = parser.parse_args(argv)
    passages = yaml.safe_load(args.corpus.read_text(encoding="utf-8"))
    from perfkit.assess import reporttext as rt

    judged = judge_claims(passages, rt.load_catalog())
    by_class = summary(judged)
    departments = {p["department"] for p in passages}
    fields = {p["field"] for p in passages}
    print(f"语料：{len(passages)}段文本，{len(departments)}个部门，{len(fields)}个领域，"
          f"{by_class['全部']['claims']}项陈述（可核对{by_class['全部']['verifiable']}项）")
    head = f"{'类别':<20}{'陈述':>5}{'可核对':>6}{'列出':>5}{'正确':>5}{'召回率':>8}{'精确率':>8}{'漏错':>5}"
    print(head)
    for name in sorted(by_class, key=lambda k: (k == "全部", k)):
        s = by_class[name]
        recall = s["right_verifiable"] / s["verifiable"] if s["verifiable"] else float("nan")
        precision = s["right_found"] / s["found"] if s["found"] else float("nan")
        print(f"{name:<20}{s['claims']:>6}{s['verifiable']:>7}{s['found']:>6}{s['right']:>6}"
              f"{recall:>9.1%}{precision:>9.1%}{s['missed_errors']:>5}")
    total = by_class["全部"]
    print(f"真实错误：{total['errors']}项，发现{total['errors'] - total['missed_errors']}项；"
          f"误报“不一致”：{len(judged['false_alarms'])}行")
    for fa in judged["false_alarms"]:
        print(f"  误报 {fa['passage']}：{fa['stated']} — {fa['explanation']}")
    if args.list:
        for r in judged["results"]:
            if not r["right"]:
                c = r["claim"]
                print(f"  {r['passage']} {c['stated']}（{c['class']}）：应为{c['verdict']}，"
                      f"得到{r['got']} {r['explanation'][:80]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
