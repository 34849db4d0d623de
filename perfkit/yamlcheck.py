"""Read a YAML file and validate it against a typed (pydantic) model, naming file, key and line.

The data is loaded with PyYAML's safe loader; the same text is composed into nodes, which keep
their line numbers, so that each validation error can say where in the file it is. Messages are
Chinese: the people who edit run settings and score sheets read them.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

Loc = Sequence[int | str]


#: Nesting deeper than this is refused before the tree is built (building it recurses): run
#: settings nest 2 levels, score sheets and catalogs 5.
MAX_DEPTH = 64
#: Values a file may hold once its aliases (``*name``) are expanded: a few anchors can stand for
#: billions of values, which validation would walk one by one.
MAX_NODES = 1_000_000
#: Size of a YAML file perfkit reads (a score sheet has 10 KB, a catalog 20 KB).
MAX_BYTES = 10 * 1024 * 1024

#: libyaml's loader when PyYAML was built with it (15 times faster; PyYAML's wheels are);
#: PyYAML's own otherwise. Both are safe loaders: no tag constructs a Python object.
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TOO_DEEP = (f"嵌套超过 {MAX_DEPTH} 层（列表或映射套列表或映射），不是有效的设置；"
             "检查括号 [ ] { } 是否配对，或是否选错了文件")
_SAVE_AS_UTF8 = ("用记事本打开该文件，“另存为”时把“编码”选为 UTF-8 后保存（VS Code：点右下角的编码，"
                 "选“通过编码保存”→ UTF-8）")


def load(path: Path, error: type[Exception], what: str) -> tuple[Any, yaml.Node | None]:
    """The data of a YAML file and its node tree (for line numbers).

    The file is UTF-8 (with or without a BOM) or UTF-16 with a BOM (Windows Notepad's
    "Unicode"); GBK and other encodings are refused with how to save as UTF-8. The file is
    parsed once; before its tree is built, its nesting depth is checked on the event stream
    (which needs no recursion), and after, its duplicate keys and the size its aliases expand
    to.

    Raises:
        error: the file cannot be decoded, is not valid YAML (with the line of the problem),
            nests deeper than :data:`MAX_DEPTH`, repeats a key (both lines named), expands
            beyond :data:`MAX_NODES` values, or uses a tag that would construct a Python object.
    """
    text = decode(path, error, what)
    try:
        _check_depth(text, path, error, what)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, None
            _check_tree(node, path, error, what)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" 第 {mark.line + 1} 行" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        if "nesting depth" in reason:  # libyaml's own limit, met while scanning ahead
            raise error(f"{what} {path}{where}: {_TOO_DEEP}") from None
        raise error(f"{what} {path}{where}: 不是有效的 YAML（{reason}）") from None
    return data, node


def decode(path: Path, error: type[Exception], what: str) -> str:
    """The text of ``path``: UTF-8 (a BOM is dropped), or UTF-16/32 when a BOM says so.

    Raises:
        error: another encoding (GBK, UTF-16 without BOM …), naming the line and how to save
            the file as UTF-8; or a file larger than :data:`MAX_BYTES`.
    """
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise error(f"{what} {path}: 文件有 {size / 1024 / 1024:.1f} MB，超过 "
                    f"{MAX_BYTES // 1024 // 1024} MB（设置文件只有几 KB）：检查是否选错了文件")
    data = path.read_bytes()
    # UTF-32 first: its little-endian BOM begins with UTF-16's.
    boms = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
            (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16"))
    encoding = next((e for bom, e in boms if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].decode(encoding, "replace").count("\n") + 1
        kind = "不是 UTF-8 编码的文本"
        if encoding == "utf-8" and b"\x00" in data[:4096]:
            kind = "是不带 BOM 的 UTF-16 文本"
        elif encoding == "utf-8":
            try:
                data.decode("gb18030")
                kind = "是 GBK（GB2312/GB18030，记事本的“ANSI”）编码，不是 UTF-8"
            except UnicodeDecodeError:
                pass
        raise error(f"{what} {path} 第 {line} 行: 文件{kind}；perfkit 读取 UTF-8 文本。"
                    f"修改方法：{_SAVE_AS_UTF8}") from None


def _check_depth(text: str, path: Path, error: type[Exception], what: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = f" 第 {event.start_mark.line + 1} 行" if event.start_mark else ""
                raise error(f"{what} {path}{line}: {_TOO_DEEP}")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _check_tree(root: yaml.Node, path: Path, error: type[Exception], what: str) -> None:
    """Duplicate keys (each mapping), aliases that contain themselves, and the number of values
    aliases expand to; without recursion (the tree may be as deep as :data:`MAX_DEPTH`)."""
    sizes: dict[int, int] = {}  # id(node) → values it stands for, once its children are done
    open_: set[int] = set()  # nodes whose children are being walked
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack[-1]
        if id(node) in sizes:
            stack.pop()
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            stack.pop()
            continue
        children = [x for pair in node.value for x in pair] if isinstance(
            node, yaml.MappingNode) else list(node.value)
        if id(node) not in open_:
            open_.add(id(node))
            if isinstance(node, yaml.MappingNode):
                _duplicates(node, path, error, what)
            for child in children:
                if id(child) in open_:
                    raise error(f"{what} {path} 第 {child.start_mark.line + 1} 行: 别名（*名称）"
                                "引用了包含它自己的内容，展开后无穷无尽；不要用锚点和别名引用自身")
                if id(child) not in sizes:
                    stack.append(child)
            continue
        open_.discard(id(node))
        sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
        stack.pop()
        if sizes[id(node)] > MAX_NODES:
            raise error(f"{what} {path} 第 {node.start_mark.line + 1} 行: 别名（*名称）展开后超过 "
                        f"{MAX_NODES:,} 个值，不是有效的设置；不要用锚点和别名层层引用")


def _duplicates(node: yaml.MappingNode, path: Path, error: type[Exception], what: str) -> None:
    seen: dict[tuple[str, str], int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        line = key.start_mark.line + 1
        if (key.tag, key.value) in seen:
            first = seen[(key.tag, key.value)]
            lines = f"第 {first} 行和第 {line} 行" if first != line else f"第 {line} 行"
            raise error(f"{what} {path} {lines}: 键“{_shown(key.value)}”写了两次（YAML 只保留后写"
                        "的一个，前一个会被静默忽略）；删去其中一个，或把两处合并为一处")
        seen[(key.tag, key.value)] = line


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
