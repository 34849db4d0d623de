"""Allowlist HTML sanitizer for report bodies (nh3, the Python binding of Rust's ammonia), and
the Content-Security-Policy of every page perfkit writes.

Workbook text is HTML-escaped where it enters a table or a paragraph; this is the second line of
defence, applied to every rendered notebook body before layout: only the elements and
attributes a report uses survive, URLs are parsed (so ``java<TAB>script:`` is ``javascript:``)
and only these survive: ``#fragment`` and relative links to other local reports, ``http(s)``
and ``mailto`` links, and inline raster images (``data:image/png;base64,…``) on ``<img>`` only.

The third line is the browser's: :func:`with_csp` puts a ``Content-Security-Policy`` meta element
first in the page's head. A report needs nothing from outside itself (charts are ``data:`` PNGs,
fonts are the reader's own, styles are in the page), so the policy allows no script at all, no
network request of any kind, no form, no ``<base>``; images only as ``data:``; the page's own
``<style>`` elements by their SHA-256 (an element that slipped past the sanitizer would not
apply), and ``style`` attributes (the print column widths, ``--pw``, that html.py writes on
``<col>``; the sanitizer keeps a few properties in a body's attributes, none of which can load
anything).
"""

from __future__ import annotations

import base64
import hashlib
import re

import nh3

#: Elements a report body is made of (nbconvert's basic template, Markdown, pandas Styler
#: tables, pygments-highlighted code in the analyst copy). Everything else is removed, its text
#: kept; script-like elements go with their content (:data:`DROP_WITH_CONTENT`).
TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
})
#: Elements removed together with everything inside them.
DROP_WITH_CONTENT = frozenset({
    "script", "iframe", "object", "embed", "noscript", "template", "frame", "frameset", "applet",
    "svg", "math", "form", "textarea", "select", "button", "audio", "video", "canvas", "title",
    "style",
})
#: Attributes kept, per element ("*": on every element). ``class`` and ``id`` carry the table
#: layout the report CSS relies on (``pk-table``, heading ids, Styler's cell ids). A report is
#: styled by the templates' CSS through classes: ``<style>`` elements are dropped (a stylesheet
#: cannot be checked property by property) and inline styles keep :data:`STYLE_PROPERTIES` only.
ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type"},
    "table": {"border"},
    "time": {"datetime"},
}
#: Inline CSS properties kept (pandas writes ``text-align`` on table headers); none takes a URL.
STYLE_PROPERTIES = frozenset({
    "text-align", "vertical-align", "white-space", "width", "min-width", "max-width",
    "color", "background-color", "font-weight", "font-style", "text-decoration",
    "border-collapse", "padding", "padding-left", "padding-right",
})
URL_SCHEMES = frozenset({"http", "https", "mailto", "data"})

_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$")
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):")


def _filter(tag: str, attribute: str, value: str) -> str | None:
    """Keep inline images only on ``<img src>``; no ``data:`` anywhere else."""
    if attribute == "src":
        return value if tag == "img" and _IMAGE_DATA.match(value) else None
    if attribute == "href":
        scheme = _SCHEME.match(value)
        if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
            return None
    return value


def sanitize(body: str) -> str:
    """Return ``body`` with everything outside the allowlist removed (comments too)."""
    return nh3.clean(
        body, tags=set(TAGS), clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()}, attribute_filter=_filter,
        url_schemes=set(URL_SCHEMES), filter_style_properties=set(STYLE_PROPERTIES),
        strip_comments=True, link_rel=None,
    )


#: The policy of every page, less the hashes of its own ``<style>`` elements (see the module
#: docstring). ``style-src`` is what a browser without CSP level 3's split directives uses.
CSP_BASE = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            "style-src-attr 'unsafe-inline'; base-uri 'none'; form-action 'none'")
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_CHARSET = re.compile(r"<meta charset=[\"']?utf-8[\"']?\s*/?>", re.I)


def content_security_policy(page: str) -> str:
    """The policy of ``page``: :data:`CSP_BASE` with its head's ``<style>`` elements allowed by
    hash (``style-src-elem``)."""
    head = page.split("</head>", 1)[0]
    hashes = dict.fromkeys(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest())
        .decode("ascii") + "'" for m in _STYLE_ELEMENT.finditer(head))
    return f"{CSP_BASE}; style-src-elem {' '.join(hashes) or chr(39) + 'none' + chr(39)}"


def with_csp(page: str) -> str:
    """``page`` with its Content-Security-Policy meta element right after ``<meta charset>``
    (a policy applies to what follows it)."""
    meta = (f'<meta http-equiv="Content-Security-Policy" '
            f'content="{content_security_policy(page)}">')
    found = _CHARSET.search(page)
    if found is None:
        raise ValueError("a perfkit page starts its head with <meta charset=\"utf-8\">")
    return page[:found.end()] + "\n" + meta + page[found.end():]
