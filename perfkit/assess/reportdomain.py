"""Rates a domain catalog defines, read from a report's text (issue #25).

A domain catalog (``perfkit/domains/*.yaml``, a project's ``domains/``) declares its rates with
their formula and wordings: 孕产妇死亡率 = 孕产妇死亡数 / 活产数 × 10万 (``phrases:
[孕产妇死亡率]``), 家庭医生签约服务覆盖率 = 签约人数 / 常住人口. A report sentence printing such a
rate and the counts it is made of ("当年活产数6411人，…孕产妇死亡3例，孕产妇死亡率46.79/10万")
states that relation: the rate is checked from those counts, in the unit it is printed in. The
counts are named by their own indicators' labels and phrases ("孕产妇死亡数" read as 孕产妇死亡);
a count printed in another sentence of the paragraph only confirms a rate (:attr:`Relation.inferred`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from perfkit import config, domains
from perfkit.assess.reportcatalog import Pattern
from perfkit.assess.reportfigures import Figure, Relation
from perfkit.assess.reportparagraph import Paragraph, fold_label
from perfkit.assess.reportrelations import NEAR_FIGURES

#: The printed unit of a rate with each scale.
UNIT_OF_SCALE = {100: "%", 1000: "‰", 100000: "/10万"}
#: Words that may end a count's label before its number ("活产数为6411人").
_LABEL_TAIL = re.compile("(?:为|是|达到?|共计?|约)+$")


@dataclass(frozen=True)
class DomainRate:
    """One rate of a domain catalog, as a report's text names it and its operands."""

    code: str
    phrases: tuple[str, ...]  # the rate's wordings, longest first
    numerator: tuple[str, ...]  # the wordings of the count it divides
    denominator: tuple[str, ...]  # the wordings of the count it divides by
    unit: str  # "%", "‰" or "/10万"
    pattern: Pattern


def _names(label: str, phrases: list[str]) -> tuple[str, ...]:
    """A count's wordings: its label and phrases, each also without a trailing 数/人数."""
    out: list[str] = []
    for name in (label, *phrases):
        key = fold_label(name)
        out += [key, re.sub("(?:人数|数)$", "", key)]
    return tuple(sorted({n for n in out if len(n) >= 2}, key=len, reverse=True))


def domain_rates(project: config.Project | None) -> list[DomainRate]:
    """Every share or ratio with phrases in the domain catalogs in use in ``project``."""
    out = []
    for key, cat in domains.catalogs(project).items():
        by_code = {i.code: i for i in cat.indicators}
        for ind in cat.indicators:
            f = ind.formula
            if f is None or f.kind not in ("share", "ratio") or not ind.phrases:
                continue
            num, den = domains.operands(f)
            scale = 100 if f.kind == "share" else int(getattr(f, "scale", 1))
            unit = UNIT_OF_SCALE.get(scale)
            if unit is None or num not in by_code or den not in by_code:
                continue
            pattern = Pattern(f"{key}:{ind.code}", "ratio", re.compile("(?!)"), "", "",
                              f"{ind.label_zh}（{ind.definition_zh or '领域目录公式'}）",
                              file=f"{key}.yaml")
            phrases = sorted({fold_label(p) for p in (ind.label_zh, *ind.phrases)}, key=len,
                             reverse=True)
            out.append(DomainRate(
                ind.code, tuple(phrases),
                _names(by_code[num].label_zh, by_code[num].phrases),
                _names(by_code[den].label_zh, by_code[den].phrases), unit, pattern))
    return out


def _rate_of(fig: Figure, rates: list[DomainRate]) -> DomainRate | None:
    clause = fold_label(re.split(r"[，,。；;：:、]", fig.label)[-1])
    for rate in rates:
        if any(p in clause for p in rate.phrases):
            return rate
    return None


def _count_named(para: Paragraph, fig: Figure, names: tuple[str, ...]) -> Figure | None:
    """The count before ``fig`` in its paragraph whose label ends with one of ``names``
    (nearest first, its own sentence before the others)."""
    near = [f for f in para.before(fig, NEAR_FIGURES)
            if f.kind == "count" and f.role == "value" and not f.printed.bound]
    earlier = sorted(near, key=lambda f: (f.sentence_span != fig.sentence_span, -f.start))
    for f in earlier:
        label = _LABEL_TAIL.sub("", fold_label(re.split(r"[，,。；;：:、]", f.label)[-1]))
        if any(label.endswith(n) for n in names):
            return f
    return None


def rate_relations(paras: list[Paragraph], relations: list[Relation],
                   rates: list[DomainRate]) -> list[Relation]:
    """The rates of ``rates`` the paragraphs print with both their counts."""
    if not rates:
        return []
    taken = {id(r.result) for r in relations}
    out = []
    for para in paras:
        for fig in para.figures:
            if fig.kind not in ("percent", "rate") or id(fig) in taken or fig.printed.bound:
                continue
            rate = _rate_of(fig, rates)
            if rate is None or (fig.printed.unit if fig.kind == "rate" else "%") != rate.unit:
                continue
            part = _count_named(para, fig, rate.numerator)
            base = _count_named(para, fig, rate.denominator)
            if part is None or base is None or part is base:
                continue
            sentence, at = fig.sentence, fig.sentence_at
            elsewhere = [f for f in (part, base) if f.sentence_span != fig.sentence_span]
            inferred = "、".join(f"“{f.text}”取自前句" for f in elsewhere)
            fig.role = "ratio"
            out.append(Relation("ratio", rate.pattern, fig, {"part": part, "base": base}, [],
                                base.label.strip(), sentence, False, at, inferred))
    return out
