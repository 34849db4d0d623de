"""What is read from a report's sentences: each figure, each relation among figures, the whole.

:func:`perfkit.assess.reporttext.extract` reads them with the report catalog and maps each figure
to its 核对对象 (:attr:`Figure.target`); :mod:`perfkit.assess.textaudit` judges them.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from perfkit import config
from perfkit.assess.checkspec import CheckSpec, check_syntax
from perfkit.assess.reportcatalog import Catalog, Pattern, PhraseEntry, Target
from perfkit.data.printed import PrintedValue
from perfkit.indicators.registry import Registry, registry

#: Quotation marks and spaces, which never tell two quantities apart (“三公”经费 is 三公经费).
QUOTES = re.compile(r"[“”‘’\"'「」『』《》〈〉\s]")


@dataclass
class Figure:
    """One figure as the report prints it, where, and what it is about.

    ``text`` is the printed figure ("133.49%"; a change with its direction word, "增加16.69万元");
    ``role`` is ``value``, or ``ratio`` / ``change`` when a pattern reads it as one; ``target``
    the catalog's 核对对象 for it (None when unmapped).
    """

    id: str
    paragraph: int
    start: int
    end: int
    text: str
    printed: PrintedValue
    kind: str
    unit: str
    label: str
    location: str
    sentence: str
    sentence_span: tuple[int, int] = (0, 0)  # where the sentence stands in its paragraph
    sentence_at: int = 0  # where the figure stands in ``sentence``
    after: str = ""  # the clause after the figure ("56名教师受到行政处理" → 教师受到行政处理)
    subject: str = ""
    entry: PhraseEntry | None = None
    inherited: bool = False
    qualifier: str = ""
    role: str = "value"
    target: Target | None = None
    spec: CheckSpec | None = None  # the target's 核对对象, parsed
    #: The printed figure whose unit this one takes, when it is printed without a unit
    #: ("较上年2.08减少0.03万元": 2.08 takes 万元 from "0.03万元").
    unit_from: str = ""

    @property
    def check(self) -> str:
        return self.target.check if self.target else ""

    def describe(self) -> str:
        """A short Chinese name of the figure: its quantity and qualifier, else its clause."""
        label = re.split(r"其中|[（(]", self.label)[-1].strip("，,。：:；;、 ")
        name = QUOTES.sub("", self.subject) or label or self.after or self.text
        return f"{name}（{self.qualifier}）" if self.qualifier and self.role == "value" else name


@dataclass
class Relation:
    """A ratio, change or sum a sentence states, with the operands it prints."""

    kind: str
    pattern: Pattern
    result: Figure
    operands: dict[str, Figure] = field(default_factory=dict)  # part/base or now/base
    parts: list[Figure] = field(default_factory=list)
    base_label: str = ""
    sentence: str = ""
    base_from_sum: bool = False
    sentence_at: int = 0  # where the result stands in ``sentence``
    #: Where an operand the sentence does not print was found by its name elsewhere in the
    #: text ("本年数取自第1段“390,118.10元”"); "" when every operand is the sentence's own.
    #: Such a relation confirms a figure, or is 无法核对: never 不一致.
    inferred: str = ""


@dataclass
class Extraction:
    """Everything read from a report: figures in document order and the relations among them."""

    figures: list[Figure]
    relations: list[Relation]
    paragraphs: list[tuple[str, str]]
    catalog: Catalog
    #: Where the report is checked: its indicators are those a 核对对象 may name.
    project: config.Project
    specs: dict[str, CheckSpec] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def registry(self) -> Registry:
        """The indicators in use in :attr:`project`."""
        return registry(self.project)

    def spec(self, check: str) -> CheckSpec:
        """A 核对对象 parsed (once per text: the catalog maps thousands of figures to a few)."""
        spec = self.specs.get(check)
        if spec is None:
            spec = self.specs[check] = check_syntax(check, self.registry.indicators)
        return spec

    def relation_of(self, figure: Figure) -> Relation | None:
        """The first relation whose result ``figure`` is (None when it is no relation's)."""
        index = self.__dict__.get("_by_result")
        if index is None or index[0] != len(self.relations):
            by_result: dict[int, Relation] = {}
            for r in self.relations:
                by_result.setdefault(id(r.result), r)
            index = self.__dict__["_by_result"] = (len(self.relations), by_result)
        return index[1].get(id(figure))

    def counts(self) -> dict[str, int]:
        """Figures by kind and relations by kind (for the command line's summary)."""
        out = Counter(f.kind for f in self.figures)
        out.update(f"relation_{r.kind}" for r in self.relations)
        return dict(out)
