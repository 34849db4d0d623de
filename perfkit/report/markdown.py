"""Markdown for the notebooks: Text, several displays per cell, Chinese-aware joining and escaping."""

from __future__ import annotations

import html
import re


class Text(str):
    """Markdown text that Jupyter displays as Markdown (no IPython import needed).

    It is displayed through :func:`cjk_markdown`, so ``**…。**`` is bold even next to Chinese
    punctuation and a line break inside a Chinese sentence leaves no space.
    """

    def _repr_markdown_(self) -> str:
        return cjk_markdown(str(self))


class Parts(list):
    """Several displays shown in order by one notebook cell (text, tables, charts), each as its
    own output, so a notebook cell stays a single ``pk.*`` call where the number of sections
    depends on the data (a catalog's topics). Empty: the cell shows nothing."""

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for part in self:
            if part is not None:
                display(part)

    def __repr__(self) -> str:
        return f"<Parts: {len(self)}>"


#: A line that starts a Markdown block (heading, list item, quote, table row, fence): it is
#: never joined to the line above, and a heading or table row never takes the line below.
_BLOCK_START = re.compile(r"^\s*(#|>|\||[-*+]\s|\d+[.)]\s|```|~~~)")
#: ``**strong**`` on one line, not escaped. CommonMark does not close ``**`` that follows
#: punctuation and precedes a letter (“。**建议”), so it would show literally: HTML does not.
_STRONG = re.compile(r"(?<![\\*])\*\*(?=\S)([^\n]+?)(?<=[^\s\\])\*\*(?!\*)")
_CODE_SPAN = re.compile(r"(`+)[^`]*?\1")
_SPACE_AFTER_STRONG = re.compile(r"(?<=[\u3000-\u303f\uff00-\uffef])</strong> (?=[\u4e00-\u9fff])")


def cjk_markdown(text: str) -> str:
    """Markdown that renders Chinese as written, whatever the renderer.

    - Lines of one paragraph are joined without a space (a soft line break between two
      Chinese characters renders as a stray space); two Latin words keep one space.
    - ``**bold**`` becomes ``<strong>bold</strong>``: CommonMark leaves ``**`` literal when it
      closes after Chinese punctuation and before a letter (“**（一）针对…。**对照…”); a
      space written after such a closing ``**`` to work around that is dropped.

    Code fences and code spans are left alone.

    Args:
        text: Markdown as written in a notebook cell or produced by :mod:`perfkit.report.narrative`.

    Returns:
        The Markdown to display.
    """
    out: list[str] = []
    fenced = False
    for line in str(text).split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            out.append(line)
            continue
        prev = out[-1] if out else ""
        joinable = (not fenced and prev.strip() and line.strip() and not _BLOCK_START.match(line)
                    and not re.match(r"^\s*(#|\|)", prev) and not prev.endswith(("  ", "\\")))
        if joinable:
            a, b = prev.rstrip()[-1], line.lstrip()[0]
            out[-1] = prev.rstrip() + (" " if a.isascii() and b.isascii() else "") + line.lstrip()
        else:
            out.append(line)
    joined = "\n".join(out)
    pieces, last = [], 0
    for code in _CODE_SPAN.finditer(joined):
        pieces += [_STRONG.sub(r"<strong>\1</strong>", joined[last:code.start()]), code.group()]
        last = code.end()
    pieces.append(_STRONG.sub(r"<strong>\1</strong>", joined[last:]))
    # “**评价依据。** 益阳…”: the space was only there to make CommonMark close the bold.
    return _SPACE_AFTER_STRONG.sub("</strong>", "".join(pieces))


def run_in(title: str) -> str:
    """A bold run-in title that leads a paragraph: ``**（一）队伍结构不合理**。``.

    The full stop stays outside the bold: a CommonMark parser (nbconvert's mistune, markdown-it)
    does not close ``**`` right after punctuation when a CJK character follows, so
    ``**（一）标题。**正文`` would print its asterisks.
    """
    return f"**{title}**。"


#: Characters that are Markdown syntax anywhere in a line (emphasis, code, links, tables,
#: strikethrough, math) and the backslash itself.
_INLINE_MARKERS = re.compile(r"([\\`*_\[\]|~$])")
#: ``\(…\)`` and ``\[…\]`` are math delimiters to nbconvert's Markdown (mistune with its math
#: rules): after a backslash, a bracket is escaped too.
_MATH_BRACKET = re.compile(r"(?<=\\\\)([()])")
#: A bare ``http://`` or ``https://`` becomes a link in nbconvert's Markdown, its target running on
#: over the Chinese text after it: the colon is escaped, so the address is text, as typed.
_BARE_URL = re.compile(r"(?i)(https?):(?=//)")
#: A line that would start a block: heading, quote, list item, setext underline, definition
#: (nbconvert's def_list), ordered list item.
_LINE_START = re.compile(r"^([ \t]*)([#>+\-=:])", re.M)
_ORDERED_START = re.compile(r"^([ \t]*\d+)([.)])", re.M)


def esc(text: object) -> str:
    """Workbook or report text as Markdown that displays exactly those characters.

    The department's words are printed as typed in HTML, PDF and Word: HTML is escaped; every
    Markdown marker (emphasis, code, links, tables, strikethrough, ``$…$`` and ``\\(…\\)`` math,
    autolinked addresses) and every marker that would start a block at the beginning of a line
    (heading, quote, list, setext underline, definition) is backslash-escaped; indentation at
    the start of a line is dropped (four spaces would make a code block; a paragraph shows no
    indentation anyway).
    """
    out = html.escape(str(text), quote=False)
    out = _INLINE_MARKERS.sub(r"\\\1", out)
    out = _MATH_BRACKET.sub(r"\\\1", out)
    out = _BARE_URL.sub(r"\1\\:", out)
    out = re.sub(r"(?m)^[ \t]+", "", out)
    out = _LINE_START.sub(r"\1\\\2", out)
    return _ORDERED_START.sub(r"\1\\\2", out)
