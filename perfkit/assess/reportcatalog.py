"""The report catalog: how a report's sentences state figures, and what each figure is (data).

A catalog is YAML. perfkit ships ``perfkit/resources/report_catalog/*.yaml`` (the sentence
patterns in ``patterns.yaml``, and one phrase file per domain: ``finance.yaml``, ``quality.yaml``,
``aid.yaml``). A bureau adds its own phrasing without touching Python, either by placing files in
``params/report_catalog/*.yaml`` of the project or by passing ``perfkit audit --catalog FILE``.
A later source overrides an earlier one: package, then ``params/report_catalog/``, then
``--catalog`` files in the order given. A pattern with the id of an earlier one replaces it; a
subject phrase listed by a later file is mapped by that file's entry.

Every file may hold any of these sections (unknown keys are refused, naming file, entry and key):

``units``
    ``amount`` / ``percent`` / ``count``: the printed units that make a number a figure
    ("万元", "%", "人次"); ``count_families``: lists of count units that may be added together
    (名 and 人).
``qualifiers``
    canonical qualifier → ``phrases`` (and optionally ``budget_basis``: initial/adjusted, and
    ``not``: longer phrases holding one that are no qualifier, 一般公共预算), e.g.
    ``年初预算: {phrases: [年初预算, 预算数, 预算], budget_basis: initial}``. A figure whose label
    carries such a phrase (outside its subject) is that quantity's 年初预算/上年… value.
``patterns``
    sentence patterns, tried in order, each with ``id``, ``kind`` (``ratio`` = part ÷ base ×
    100, ``change`` = now − base or its rate, ``sum`` = total = Σ parts, ``difference`` = |a − b|
    of two figures a sentence prints, "支出2.05万元，年初预算为2.95万元，差值为0.9万元", ``product``
    = a × b of a count and a per-unit amount, "150人，标准200元/人，共发放3万元"),
    ``regex``, ``example``
    (a sentence the pattern must match: checked on load) and optional ``text`` (what it reads),
    ``base_qualifier`` (the qualifier a base figure gets when its label has none, e.g. 上年 for
    "较…增加"), ``base_from_sum`` (a ratio without a base inside a "其中" list is a share of that
    list's total) and ``complete`` (a sum whose parts are known to be all of them, "分别为").
    A regex is matched against the paragraph with each figure replaced by a token; write
    ``{amount:NAME}``, ``{percent:NAME}``, ``{count:NAME}`` or ``{figure:NAME}`` for a figure
    captured in role NAME, ``{gap}`` for text without figures (up to 80 characters), ``{gap:amount}`` for text without
    amounts, and ``{any}`` for any text up to the end of the sentence. Roles: ratio ``result``
    (required), ``part``, ``base``, text group ``base_label``; change ``change`` and text group
    ``direction`` (required), ``now``, ``base``, ``base_label``, ``delta`` (the amount of the change a rate
    follows: "减少2万元，下降0.46%" is 2 ÷ (now − change) or 2 ÷ base); sum ``total`` and text group
    ``parts`` (required) and ``between`` (text between the total and its list in which every
    figure must be a change of the total or what it is compared with); difference ``result``,
    ``a`` and ``b`` (required); product ``result``, ``a`` (the count), ``b`` (the amount per
    unit) and text group ``per`` (the unit it is per: 人, 户 …, which must be the count's).
``phrases``
    phrase → 核对对象 entries: ``subject`` (phrases naming one quantity, e.g. [决算收入, 收入总额])
    and what a figure about it is checked against, in the 核对对象 language of
    :mod:`perfkit.assess.audit`: ``value`` (a plain figure), ``qualified`` (qualifier → 核对对象, e.g.
    ``年初预算: cell(收入:本年收入合计:年初预算数)``), ``ratio`` (a ratio's result: one 核对对象, or
    qualifier → 核对对象; a 核对对象 may be ``{check: ID, budget_basis: initial}`` when it only
    holds under that budget basis) and ``change`` (``amount``/``percent``/``count`` → 核对对象).
    ``not`` lists longer phrases that contain a subject but name something else (生均公用经费
    is not the department's 公用经费). A domain's phrases belong in its own file.
``fillers``
    words that say nothing about which quantity a figure is (为, 本年数, 金额 …): a figure whose
    label holds only these and qualifiers is about the quantity named before it in the clause
    group ("公务接待费本年数为36.71万元，上年数为23.95万元").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfkit import config, yamlcheck
from perfkit.assess.checkspec import check_syntax
from perfkit.data.printed import AuditParseError
from perfkit.errors import CatalogError, ProjectNotFoundError

PACKAGE_CATALOG_DIR = config.PACKAGE_DIR / "resources" / "report_catalog"
#: Where a project places its own catalog files (after the package's, before --catalog), under
#: its params/.
PROJECT_CATALOG_DIR_NAME = "report_catalog"

KINDS = ("ratio", "change", "sum", "difference", "product")
ROLES = {
    "ratio": ({"result"}, {"part", "base", "base_label"}),
    "change": ({"change", "direction"}, {"now", "base", "base_label", "delta"}),
    "sum": ({"total", "parts"}, {"between"}),
    "difference": ({"result", "a", "b"}, set()),
    "product": ({"result", "a", "b"}, {"per"}),
}
FIGURE_KINDS = ("amount", "percent", "count", "rate")
CODES = {"amount": "A", "percent": "P", "count": "C", "rate": "R"}
#: Marks around a figure token in the matched text (never in a report: replaced on reading).
OPEN, CLOSE = "\u27e8", "\u27e9"
SENTENCE_END = "。！？!?"
#: How far a ``{gap}`` reaches (characters or figures): the words between two figures of one
#: statement, never a run-on sentence of thousands of figures (which would make matching
#: quadratic).
GAP_CHARS = 80

_PATTERN_KEYS = {"id", "kind", "regex", "example", "text", "base_qualifier", "base_from_sum",
                 "complete"}
_PHRASE_KEYS = {"subject", "not", "value", "qualified", "ratio", "change", "note"}
_SECTIONS = {"units", "qualifiers", "fillers", "patterns", "phrases"}


@dataclass(frozen=True)
class Pattern:
    """One sentence pattern of the catalog, compiled."""

    id: str
    kind: str
    regex: re.Pattern
    source: str  # the regex as written
    example: str
    text: str = ""
    base_qualifier: str = ""
    base_from_sum: bool = False
    complete: bool = False
    file: str = ""


@dataclass(frozen=True)
class Target:
    """A 核对对象 a figure maps to, valid only under ``budget_basis`` when that is set."""

    check: str
    budget_basis: str = ""


@dataclass(frozen=True)
class PhraseEntry:
    """What figures about one quantity (its subject phrases) are checked against."""

    subject: tuple[str, ...]
    value: Target | None = None
    qualified: dict[str, Target] = field(default_factory=dict)
    ratio: dict[str, Target] = field(default_factory=dict)  # "" = any qualifier
    change: dict[str, Target] = field(default_factory=dict)  # figure kind → target
    file: str = ""


@dataclass
class Catalog:
    """Units, qualifiers, patterns and phrase entries, merged from every catalog file."""

    units: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in FIGURE_KINDS})
    count_families: list[set[str]] = field(default_factory=list)
    qualifiers: dict[str, str] = field(default_factory=dict)  # phrase → canonical
    budget_basis: dict[str, str] = field(default_factory=dict)  # canonical → initial/adjusted
    patterns: list[Pattern] = field(default_factory=list)
    subjects: dict[str, PhraseEntry | None] = field(default_factory=dict)  # phrase → entry
    fillers: list[str] = field(default_factory=list)
    #: Longer phrases holding a qualifier phrase that qualify nothing (一般公共预算 is a kind of
    #: budget, not the 年初预算 of a figure).
    qualifier_not: list[str] = field(default_factory=list)
    ratio_bases: list[tuple[str, Path, str]] = field(default_factory=list)  # to check at the end
    files: list[str] = field(default_factory=list)

    def unit_kind(self, unit: str) -> str:
        """``amount``, ``percent``, ``count`` or ``rate`` for a printed unit ("" if none)."""
        return next((k for k, units in self.units.items() if unit in units), "")

    def same_count_family(self, a: str, b: str) -> bool:
        """Whether counts in units ``a`` and ``b`` may be added (equal, or listed together)."""
        return a == b or any(a in f and b in f for f in self.count_families)


def expand(regex: str) -> str:
    """Replace the catalog's placeholders by the token syntax (see the module docstring).

    Raises:
        ValueError: an unknown placeholder.
    """
    no_end = f"[^{SENTENCE_END}{OPEN}]"

    def one(m: re.Match) -> str:
        kind, name = m.group(1), m.group(2)
        if kind == "gap":  # bounded: tried from every figure, a gap must not read a whole run-on sentence
            if not name:
                return f"{no_end}{{0,{GAP_CHARS}}}?"
            if name not in CODES:
                raise ValueError(f"{{gap:{name}}}：应为 {{gap:amount}}、{{gap:percent}} 或 {{gap:count}}")
            others = "".join(c for k, c in CODES.items() if k != name)
            return f"(?:{no_end}|{OPEN}[{others}]:\\d+{CLOSE}){{0,{GAP_CHARS}}}?"
        if kind == "any":
            if name:
                raise ValueError("{any} 不带名称")
            return f"[^{SENTENCE_END}]*?"
        codes = "".join(CODES.values()) if kind == "figure" else CODES[kind]
        group = f"(?P<{name}>\\d+)" if name else "\\d+"
        return f"(?:{OPEN}[{codes}]:{group}{CLOSE})"

    out = re.sub(r"\{(amount|percent|count|rate|figure|gap|any)(?::(\w+))?\}", one, regex)
    leftover = re.search(r"\{(?!\d)[^{}]*\}", out)
    if leftover:
        raise ValueError(f"未知的占位符 {leftover.group(0)}（可用 {{amount:名称}}、{{percent:名称}}、"
                         "{count:名称}、{figure:名称}、{gap}、{gap:amount}、{any}）")
    return out


def catalog_files(extra: list[str | Path] | tuple = (),
                  project: config.Project | None = None) -> list[Path]:
    """The catalog files in order of precedence (lowest first): package, the project's (default:
    the current one) ``params/report_catalog/``, ``extra``."""
    files = sorted(PACKAGE_CATALOG_DIR.glob("*.yaml"))
    own = _project_catalog_dir(project)
    if own is not None and own.is_dir():
        files += sorted(own.glob("*.yaml"))
    return files + [Path(p) for p in extra]


def _project_catalog_dir(project: config.Project | None = None) -> Path | None:
    """``project``'s (default: the current one's) ``params/report_catalog/``; None outside any
    project (a bureau auditing a report it received needs no project: the README's "Auditing a
    report file")."""
    try:
        return (project or config.current()).params_dir / PROJECT_CATALOG_DIR_NAME
    except ProjectNotFoundError:
        return None


def read_catalog(files: list[Path]) -> Catalog:
    """Read, validate and merge catalog files (later files override earlier ones).

    Raises:
        CatalogError: a file is missing, not YAML, or an entry is malformed.
    """
    catalog = Catalog()
    raws = [(path, _load_yaml(path)) for path in files]
    for path, raw in raws:  # units and qualifiers first: any file's phrases may use them
        catalog.files.append(str(path))
        _merge_units(catalog, path, raw.get("units"))
        _merge_qualifiers(catalog, path, raw.get("qualifiers"))
        if raw.get("fillers") is not None:
            catalog.fillers += _strings(path, "fillers ", "fillers", raw["fillers"])
    for path, raw in raws:
        _merge_patterns(catalog, path, raw.get("patterns"))
        _merge_phrases(catalog, path, raw.get("phrases"))
    for name, path, where in catalog.ratio_bases:
        if name not in catalog.subjects:
            known = "、".join(sorted(set(catalog.qualifiers.values())))
            raise _fail(path, where, f"ratio.{name}",
                        f"既不是限定词（{known}）也不是任何一条的 subject 短语")
    for kind in FIGURE_KINDS:
        catalog.units[kind].sort(key=len, reverse=True)
    if not all(catalog.units.values()):
        missing = [k for k, v in catalog.units.items() if not v]
        raise CatalogError(f"报告核对目录没有定义单位：units 缺少 {'、'.join(missing)}"
                           f"（目录文件：{'、'.join(catalog.files)}）")
    return catalog


def _load_yaml(path: Path) -> dict:
    if not path.is_file():
        raise CatalogError(f"找不到报告核对目录文件：{path}（--catalog 应指向一个 .yaml 文件）")
    raw, _ = yamlcheck.load(path, CatalogError, "报告核对目录")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}：应为映射，可含 {'、'.join(sorted(_SECTIONS))} 几节")
    unknown = sorted(set(raw) - _SECTIONS)
    if unknown:
        raise CatalogError(f"{path}：未知的节 {'、'.join(map(str, unknown))}；"
                           f"可用的节：{'、'.join(sorted(_SECTIONS))}")
    return raw


def _fail(path: Path, where: str, key: str, problem: str) -> CatalogError:
    return CatalogError(f"{path}：{where}的 {key}：{problem}")


def _strings(path: Path, where: str, key: str, value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(
            isinstance(x, str) and x.strip() for x in items):
        raise _fail(path, where, key, "应为非空的字符串列表，如 [决算收入, 收入总额]")
    return [x.strip() for x in items]


def _merge_units(catalog: Catalog, path: Path, units: Any) -> None:
    if units is None:
        return
    if not isinstance(units, dict):
        raise _fail(path, "units ", "units", "应为映射（amount、percent、count、count_families）")
    for key, value in units.items():
        if key == "count_families":
            if not isinstance(value, list):
                raise _fail(path, "units ", key, "应为单位列表的列表，如 [[名, 人]]")
            for i, fam in enumerate(value, 1):
                catalog.count_families.append(set(_strings(path, f"units 第{i}组", key, fam)))
            continue
        if key not in FIGURE_KINDS:
            raise _fail(path, "units ", str(key),
                        "未知；可用 amount、percent、count、rate、count_families")
        for unit in _strings(path, "units ", key, value):
            other = catalog.unit_kind(unit)
            if other and other != key:
                raise _fail(path, "units ", key, f"单位“{unit}”已在 {other} 中")
            if unit not in catalog.units[key]:
                catalog.units[key].append(unit)


def _merge_qualifiers(catalog: Catalog, path: Path, qualifiers: Any) -> None:
    if qualifiers is None:
        return
    if not isinstance(qualifiers, dict):
        raise _fail(path, "qualifiers ", "qualifiers", "应为映射：规范名 → {phrases: [...]}")
    for name, spec in qualifiers.items():
        where = f"qualifiers“{name}”"
        if isinstance(spec, list):
            spec = {"phrases": spec}
        if not isinstance(spec, dict) or set(spec) - {"phrases", "budget_basis", "not"}:
            raise _fail(path, where, "phrases",
                        "应为 {phrases: [...], not: [...], budget_basis: initial|adjusted}")
        if "not" in spec:
            catalog.qualifier_not += _strings(path, where, "not", spec["not"])
        basis = spec.get("budget_basis", "")
        if basis not in ("", "initial", "adjusted"):
            raise _fail(path, where, "budget_basis", f"“{basis}”应为 initial 或 adjusted")
        if basis:
            catalog.budget_basis[str(name)] = basis
        for phrase in _strings(path, where, "phrases", spec.get("phrases")):
            if catalog.qualifiers.get(phrase, name) != name:
                raise _fail(path, where, "phrases",
                            f"“{phrase}”已属于限定词“{catalog.qualifiers[phrase]}”")
            catalog.qualifiers[phrase] = str(name)


def _merge_patterns(catalog: Catalog, path: Path, patterns: Any) -> None:
    if patterns is None:
        return
    if not isinstance(patterns, list):
        raise _fail(path, "patterns ", "patterns", "应为列表，每条含 id、kind、regex、example")
    seen: set[str] = set()
    new: list[Pattern] = []
    for i, raw in enumerate(patterns, 1):
        where = f"patterns 第{i}条"
        if not isinstance(raw, dict):
            raise _fail(path, where, "id", "每条应为映射（id、kind、regex、example）")
        pid = str(raw.get("id") or "").strip()
        where = f"patterns 第{i}条（id: {pid or '无'}）"
        unknown = sorted(set(raw) - _PATTERN_KEYS)
        if unknown:
            raise _fail(path, where, unknown[0], f"未知的键；可用：{'、'.join(sorted(_PATTERN_KEYS))}")
        for key in ("id", "kind", "regex", "example"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise _fail(path, where, key, "必填，应为字符串")
        if pid in seen:
            raise _fail(path, where, "id", f"“{pid}”在本文件中重复")
        seen.add(pid)
        kind = raw["kind"]
        if kind not in KINDS:
            raise _fail(path, where, "kind", f"“{kind}”应为 {'、'.join(KINDS)} 之一")
        try:
            compiled = re.compile(expand(raw["regex"]))
        except (ValueError, re.error) as exc:
            raise _fail(path, where, "regex", f"无法编译：{exc}") from None
        groups = set(compiled.groupindex)
        required, optional = ROLES[kind]
        if required - groups:
            raise _fail(path, where, "regex", f"kind {kind} 须有命名组 {'、'.join(sorted(required - groups))}")
        if groups - required - optional:
            raise _fail(path, where, "regex", f"kind {kind} 不认识命名组 "
                        f"{'、'.join(sorted(groups - required - optional))}")
        qualifier = str(raw.get("base_qualifier") or "")
        for flag in ("base_from_sum", "complete"):
            if not isinstance(raw.get(flag, False), bool):
                raise _fail(path, where, flag, "应为 true 或 false")
        new.append(Pattern(pid, kind, compiled, raw["regex"], raw["example"].strip(),
                           str(raw.get("text") or ""), qualifier,
                           bool(raw.get("base_from_sum", False)),
                           bool(raw.get("complete", False)), str(path)))
    # A later file's patterns come first; one with an earlier id replaces it.
    ids = {p.id for p in new}
    catalog.patterns[:] = new + [p for p in catalog.patterns if p.id not in ids]


def _target(path: Path, where: str, key: str, value: Any) -> Target:
    basis = ""
    if isinstance(value, dict):
        if set(value) - {"check", "budget_basis"} or "check" not in value:
            raise _fail(path, where, key, "应为核对对象，或 {check: 核对对象, budget_basis: initial|adjusted}")
        basis = str(value.get("budget_basis") or "")
        if basis not in ("", "initial", "adjusted"):
            raise _fail(path, where, key, f"budget_basis“{basis}”应为 initial 或 adjusted")
        value = value["check"]
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, key, "应为核对对象（指标代码、cell(工作表:项目:列) 等）")
    try:
        check_syntax(value, indicators=())  # the syntax: which indicators exist is the project's
    except AuditParseError as exc:
        raise _fail(path, where, key, str(exc)) from None
    return Target(value.strip(), basis)


def _merge_phrases(catalog: Catalog, path: Path, phrases: Any) -> None:
    if phrases is None:
        return
    if not isinstance(phrases, list):
        raise _fail(path, "phrases ", "phrases", "应为列表，每条含 subject 及 value/qualified/ratio/change")
    mine: dict[str, PhraseEntry | None] = {}
    for i, raw in enumerate(phrases, 1):
        where = f"phrases 第{i}条"
        if not isinstance(raw, dict):
            raise _fail(path, where, "subject", "每条应为映射")
        subject = _strings(path, where, "subject", raw.get("subject"))
        where = f"phrases 第{i}条（{subject[0]}）"
        unknown = sorted(set(raw) - _PHRASE_KEYS)
        if unknown:
            raise _fail(path, where, unknown[0], f"未知的键；可用：{'、'.join(sorted(_PHRASE_KEYS))}")
        if not set(raw) & {"value", "qualified", "ratio", "change"}:
            raise _fail(path, where, "value", "至少给出 value、qualified、ratio、change 之一")
        value = _target(path, where, "value", raw["value"]) if "value" in raw else None
        qualified = _qualified(catalog, path, where, "qualified", raw.get("qualified", {}))
        ratio_raw = raw.get("ratio", {})
        ratio = ({"": _target(path, where, "ratio", ratio_raw)}
                 if isinstance(ratio_raw, str) or (isinstance(ratio_raw, dict) and "check" in ratio_raw)
                 else _qualified(catalog, path, where, "ratio", ratio_raw, subjects_too=True))
        change_raw = raw.get("change", {})
        if not isinstance(change_raw, dict) or set(change_raw) - set(FIGURE_KINDS):
            raise _fail(path, where, "change", "应为 {amount: 核对对象, percent: 核对对象, count: 核对对象}")
        change = {k: _target(path, where, f"change.{k}", v) for k, v in change_raw.items()}
        entry = PhraseEntry(tuple(subject), value, qualified, ratio, change, str(path))
        excluded = _strings(path, where, "not", raw["not"]) if "not" in raw else []
        for phrase in subject + excluded:
            if phrase in mine:
                other = known.subject[0] if (known := mine[phrase]) else "not"
                raise _fail(path, where, "subject", f"“{phrase}”已在本文件另一条（{other}）中")
            # A `not` phrase names something else that contains a subject (生均公用经费).
            mine[phrase] = entry if phrase in subject else None
    catalog.subjects.update(mine)


def _qualified(catalog: Catalog, path: Path, where: str, key: str, raw: Any,
               subjects_too: bool = False) -> dict[str, Target]:
    """Qualifier → target; for ratios a key may also be a subject phrase (the base's quantity,
    as in 占支出总额的X%), checked once every file is read (:func:`_check_ratio_bases`)."""
    if not isinstance(raw, dict):
        raise _fail(path, where, key, "应为映射：限定词 → 核对对象")
    out = {}
    for name, value in raw.items():
        if subjects_too and str(name) not in set(catalog.qualifiers.values()):
            catalog.ratio_bases.append((str(name), path, where))
        elif str(name) not in set(catalog.qualifiers.values()):
            known = "、".join(sorted(set(catalog.qualifiers.values()))) or "（尚无）"
            raise _fail(path, where, f"{key}.{name}", f"不是已定义的限定词（qualifiers：{known}）")
        out[str(name)] = _target(path, where, f"{key}.{name}", value)
    return out
