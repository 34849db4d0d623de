"""Read a YAML file and validate it against a typed (pydantic) model, naming file, key and line.

The data is loaded with PyYAML's safe loader; the same text is composed into nodes, which keep
their line numbers, so that each validation error can say where in the file it is. Messages are
Chinese: the people who edit run settings and score sheets read them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

Loc = Sequence[int | str]


def load(path: Path, error: type[Exception], what: str) -> tuple[Any, yaml.Node | None]:
    """The data of a YAML file and its node tree (for line numbers).

    Raises:
        error: the file is not valid YAML (with the line of the problem), or uses a tag that
            would construct a Python object.
    """
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" 第 {mark.line + 1} 行" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise error(f"{what} {path}{where}: 不是有效的 YAML（{reason}）") from None
    return data, node


def line_of(node: yaml.Node | None, loc: Loc) -> int | None:
    """1-based line of the value at ``loc`` (of its key when the key itself is the problem)."""
    line = None if node is None else node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            hit = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if hit is None:
                break
            line, node = hit[0].start_mark.line + 1, hit[1]
            if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value:
                continue
            line = node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def where(loc: Loc) -> str:
    """A location as people read it: ``items 第3项 rule bands 第2项``."""
    return " ".join(f"第{p + 1}项" if isinstance(p, int) else str(p) for p in loc) or "顶层"


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:40] + "…"


def describe(error: dict[str, Any]) -> str:
    """One pydantic error in Chinese."""
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return "不认识的键"
    if kind in ("missing", "missing_keyword_argument"):
        return "缺少此项"
    if kind == "literal_error":
        options = str(ctx.get("expected", "")).replace("'", "").replace(" or ", " / ")
        return f"值“{_shown(given)}”无效，应为 {options}"
    if kind == "union_tag_invalid":
        tags = str(ctx.get("expected_tags", "")).replace("'", "")
        return f"未知的类型“{_shown(ctx.get('tag'))}”；可用：{tags}"
    if kind == "union_tag_not_found":
        return f"缺少 {ctx.get('discriminator', 'kind').strip(chr(39))}"
    simple = {
        "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
        "float_type": "应为数字", "float_parsing": "应为数字", "finite_number": "应为有限的数字",
        "string_type": "应为文字", "bool_type": "应为 true 或 false", "bool_parsing":
        "应为 true 或 false", "list_type": "应为列表", "tuple_type": "应为列表",
        "dict_type": "应为映射（键: 值）", "model_type": "应为映射（键: 值）",
        "model_attributes_type": "应为映射（键: 值）", "dataclass_type": "应为映射（键: 值）",
    }
    if kind in simple:
        return f"{simple[kind]}，得到“{_shown(given)}”"
    bounds = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<",
              "less_than_equal": "≤"}
    if kind in bounds:
        limit = next(iter(ctx.values()), "")
        return f"应 {bounds[kind]} {limit}，得到“{_shown(given)}”"
    if kind == "too_short":
        return "不能为空"
    return str(error["msg"])


def located(node: yaml.Node | None, loc: Loc, message: str,
            label: Callable[[Loc], str] = where) -> tuple[int, str]:
    """(line, ``第 N 行 key: message``) for a problem at ``loc``."""
    line = line_of(node, loc)
    return line or 0, f"{f'第 {line} 行 ' if line else ''}{label(loc)}: {message}"


def errors(exc: ValidationError, node: yaml.Node | None, prefix: Loc = (),
           label: Callable[[Loc], str] = where,
           hint: Callable[[list[int | str], dict[str, Any]], str] | None = None
           ) -> list[tuple[int, str]]:
    """Each error of ``exc`` located (see :func:`located`); ``prefix`` is prepended to every
    location, ``hint(loc, error)`` may add a sentence (the keys a mapping accepts …)."""
    out = []
    for e in exc.errors():
        loc = [*prefix, *(p for p in e["loc"] if not str(p).startswith("function-"))]
        error = dict(e)
        out.append(located(node, loc, describe(error) + (hint(loc, error) if hint else ""),
                           label))
    return out


def problems(exc: ValidationError, node: yaml.Node | None, prefix: Loc = ()) -> list[str]:
    """Each error of ``exc`` as ``第 N 行 key: 说明``, in file order."""
    return [text for _, text in sorted(errors(exc, node, prefix), key=lambda e: e[0])]


def report(path: Path, what: str, items: list[str]) -> str:
    """The message of an error listing every problem of one file."""
    if len(items) == 1:
        return f"{what} {path} {items[0]}"
    return "\n".join([f"{what} {path} 有 {len(items)} 个问题：",
                      *(f"  {i}. {p}" for i, p in enumerate(items, 1))])
