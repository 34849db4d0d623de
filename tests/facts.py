"""Facts that several rendered documents of one department-year state, read back from what a
reader sees (the HTML body text and the Word files), so that a test can find each fact with one
value everywhere (issue #21: "one fact has one value, computed once").

Each collector returns ``{fact: {(document, value), …}}``; a fact stated with two values is a
disagreement between documents (or within one).
"""

from __future__ import annotations

import html as html_lib
import re
from collections import defaultdict
from pathlib import Path

VERDICT = r"(一致|不一致|舍入差异|未解释差额|无法核对|已核实)"


def html_text(path: Path) -> str:
    """The text a reader sees in an HTML document (no style sheets, entities decoded): a table
    row on one line, its cells separated by " | ", a caption on a line of its own before it."""
    page = path.read_text(encoding="utf-8")
    body = page[page.index("<body"):] if "<body" in page else page
    body = re.sub(r"<(style|script)\b.*?</\1>", "", body, flags=re.S)
    body = re.sub(r"<tr\b.*?</tr>",
                  lambda m: re.sub(r"\s*\n\s*", " ", m.group(0)) + "\n", body, flags=re.S)
    body = re.sub(r"<br\s*/?>", "\n", body)
    body = re.sub(r"</(td|th)>", " | ", body)
    body = re.sub(r"</(tr|p|li|h\d|div|caption)>", "\n", body)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", body))


def docx_text(path: Path) -> str:
    import docx

    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        parts += [" | ".join(c.text for c in row.cells) for row in t.rows]
    return "\n".join(parts)


def documents(folder: Path) -> dict[str, str]:
    """Every rendered document of a department-year folder: ``name.html`` and ``name.docx``."""
    out = {p.name: html_text(p) for p in sorted(folder.glob("*.html"))}
    out |= {p.name: docx_text(p) for p in sorted(folder.glob("*.docx"))}
    return out


def _add(facts, fact: str, doc: str, value) -> None:
    facts[fact].add((doc, value))


def collect(docs: dict[str, str]) -> dict[str, set]:
    """The shared facts of a department-year's documents.

    - ``claimed_score``: every "自评得分X分" (the department's claim).
    - ``claimed_grade``: the grade printed right after the claimed score ("（优）") or none.
    - ``review_score``: every "复核得分为X分" / "复核为X分", and in a first reading (初审)
      "已核实部分X分".
    - ``targets_set``: the targets the department set: the 自评报告's "设定量化绩效目标N项" and
      the review's scored count less those perfkit inferred; ``targets_set 教育质量`` …: those of
      one field, in its domain report and in the rows of the 自评报告's target table.
    - ``audit_counts``: the number of 报告数值 and 勾稽关系 rows, as the audit summary and the
      基础信息完善性 reason state it.
    - ``missing_evidence``: the points lost for 缺少佐证 (decomposition and problems).
    - ``verdict “X”``: the verdict of each figure quoted as “X” in a row with a verdict.
    """
    facts: dict[str, set] = defaultdict(set)
    for doc, text in docs.items():
        for m in re.finditer(r"自评得分\**(\d+\.\d{2})分\**(（[^）]*）)?", text):
            _add(facts, "claimed_score", doc, m.group(1))
            grade = m.group(2) or ""
            if "未填报等级" in grade:
                _add(facts, "claimed_grade", doc, "未填报")
            elif len(grade) == 3:
                _add(facts, "claimed_grade", doc, grade[1])
        for m in re.finditer(r"自评得分\**\d+\.\d{2}分\**，等级为“(.)”", text):
            _add(facts, "claimed_grade", doc, m.group(1))
        if "部门未填报自评等级" in text:
            _add(facts, "claimed_grade", doc, "未填报")
        # A first reading (review_stage initial) states what the examined evidence earns.
        for m in re.finditer(r"(?:复核(?:得分)?为|已核实部分)\**(\d+\.\d{2})分", text):
            if "口径" not in text[max(0, m.start() - 12):m.start()]:  # not the alternative 口径
                _add(facts, "review_score", doc, m.group(1))
        for m in re.finditer(r"设定量化绩效目标(\d+)项", text):
            _add(facts, "targets_set", doc, int(m.group(1)))
        for m in re.finditer(r"纳入计分的目标(\d+)项(?:（其中(\d+)项的目标值由perfkit推算）)?", text):
            _add(facts, "targets_set", doc, int(m.group(1)) - int(m.group(2) or 0))
        for m in re.finditer(r"\d{4}年度(\S{2,8}?)共列出年度目标(\d+)项"
                             r"(?:（其中(\d+)项的目标值由perfkit推算）)?", text):
            _add(facts, f"targets_set {m.group(1)}", doc, int(m.group(2)) - int(m.group(3) or 0))
        if doc.startswith("report."):
            rows = [line.split(" | ")[0].strip() for line in _table(text, "年度量化绩效目标")[1:]]
            for label in set(rows):
                if label != "其他":
                    _add(facts, f"targets_set {label}", doc, rows.count(label))
        m = re.search(r"核对报告所列数值(\d+)项.*?核对工作簿内部勾稽关系(\d+)项", text, re.S)
        if m:
            _add(facts, "audit_counts", doc, int(m.group(1)) + int(m.group(2)))
        for m in re.finditer(r"报告数值和勾稽关系共(\d+)项|核对(\d+)项勾稽关系和报告数值", text):
            _add(facts, "audit_counts", doc, int(m.group(1) or m.group(2)))
        for m in re.finditer(r"缺少佐证（[^）]*）\s*\|?\s*(\d+\.\d{2})", text):
            _add(facts, "missing_evidence", doc, m.group(1))
        for m in re.finditer(r"因缺少评分所需的数据或佐证失分(\d+\.\d{2})分", text):
            _add(facts, "missing_evidence", doc, m.group(1))
        for line in text.splitlines():
            verdicts = set(re.findall(r"\|\s*" + VERDICT + r"\s*\|", line))
            verdicts |= set(re.findall(r"^\S+?（" + VERDICT + r"）：", line))
            if len(verdicts) != 1:
                continue
            verdict = verdicts.pop()
            for quoted in set(re.findall(r"“([-+]?[\d.,]+(?:万|亿)?(?:元|%))”", line)):
                _add(facts, f"verdict “{quoted}”", doc, verdict)
    return dict(facts)


def _table(text: str, caption: str) -> list[str]:
    """The rows (header first) of the table whose caption ends with ``caption``."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines)
                  if re.fullmatch(r"\s*\d{4}" + caption + r"\s*", line)), None)
    if start is None:
        return []
    rows = []
    for line in lines[start + 1:]:
        if " | " in line:
            rows.append(line)
        elif line.strip() and rows:
            break
    return rows


def disagreements(facts: dict[str, set]) -> dict[str, set]:
    """The facts stated with more than one value."""
    return {k: v for k, v in facts.items() if len({value for _, value in v}) > 1}
