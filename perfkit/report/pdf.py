"""The PDF: reviewer HTML typeset by Typst (perfkit's print layout) or WeasyPrint (the official
layout; the print layout too when asked, or when the CJK font has no bold face), A4, offline,
with the CJK font embedded. Why two engines: ``templates/PDF_CHOICE.md``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import typst

from perfkit.report.fonts import CjkFont, find_cjk_fonts, find_family
from perfkit.report.fontsubset import pdf_subset
from perfkit.report.html import asset, css_string, font_stack
from perfkit.report.typstpdf import typst_pdf

log = logging.getLogger(__name__)

#: PDF engines of the print (``web``) layout; the official layout is WeasyPrint's.
ENGINES = ("typst", "weasyprint")


#: Prefix of the family name the PDF stylesheet gives the embedded CJK subset; distinct from
#: system names so WeasyPrint never picks the full 20 MB system face instead of the subset.
PDF_FONT_PREFIX = "Perfkit "


#: Characters always put into the PDF font subset (page furniture, list markers, digits).
_ALWAYS_GLYPHS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "第页共年度目录·•◦▪\u2010\u2013\u2014…、，。：；（）％\u3000"
)


def _pdf_font_css(family: str) -> str:
    """Stylesheet that makes every element use the embedded subset of the CJK font."""
    alias = css_string(PDF_FONT_PREFIX + family)
    stack = f"{alias}, {font_stack(family)}"
    faces = "".join(
        f"@font-face {{ font-family: {alias}; src: url('perfkit-font:{name}'); "
        f"font-weight: {weight}; font-style: normal; }}\n"
        for name, weight in (("regular", 400), ("bold", 700))
    )
    margins = " ".join(
        f"@{box} {{ font-family: {stack}; }}" for box in ("top-left", "top-right", "bottom-center")
    )
    return (
        faces
        + f"{_PDF_FONT_SELECTORS} {{ font-family: {stack} !important; }}\n"
        + f"@page {{ {margins} }}\n"
    )


_FONT_URL_PREFIX = "perfkit-font:"

#: Faces of the official-layout PDF: CSS family, weight, the free family standing in for the
#: official font (GB/T 9704-2012) and whether its bold face is used, and the Debian package.
OFFICIAL_FACES: tuple[tuple[str, int, str, bool, str], ...] = (
    ("Perfkit FangSong", 400, "Noto Serif CJK SC", False, "fonts-noto-cjk"),  # 仿宋
    ("Perfkit FangSong", 700, "Noto Serif CJK SC", True, "fonts-noto-cjk"),  # 仿宋 bold
    ("Perfkit XiaoBiaoSong", 400, "Noto Serif CJK SC", True, "fonts-noto-cjk"),  # 小标宋
    ("Perfkit HeiTi", 400, "Noto Sans CJK SC", True, "fonts-noto-cjk"),  # 黑体
    ("Perfkit KaiTi", 400, "AR PL UKai CN", False, "fonts-arphic-ukai"),  # 楷体
    ("Perfkit SongTi", 400, "Noto Serif CJK SC", False, "fonts-noto-cjk"),  # 宋体 page numbers
)


def _official_css(fallback: CjkFont) -> tuple[str, dict[str, tuple[CjkFont, bool]]]:
    """The official-layout stylesheet with its @font-face rules, and the faces they fetch
    (a family that is not installed is replaced by ``fallback``, with a warning)."""
    faces: dict[str, tuple[CjkFont, bool]] = {}
    rules = []
    for n, (alias, weight, family, bold, package) in enumerate(OFFICIAL_FACES):
        font = find_family(family)
        if font is None:
            log.warning("official PDF: font %s not installed (Debian package %s); using %s",
                        family, package, fallback.family)
            font, bold = fallback, bold and fallback.has_bold
        faces[f"official-{n}"] = (font, bold)
        rules.append(f"@font-face {{ font-family: {css_string(alias)}; "
                     f"src: url('{_FONT_URL_PREFIX}official-{n}'); font-weight: {weight}; "
                     "font-style: normal; }\n")
    return "".join(rules) + asset("official.css"), faces

#: Elements that set their own font family (report.css, the UA stylesheet); everything else
#: inherits. A universal selector would cost style computation on every element.
_PDF_FONT_SELECTORS = (
    "html, body, pre, code, kbd, samp, tt, var, .sha256, input, button, select, textarea"
)


def _make_fetcher(font: CjkFont, glyphs: frozenset[str],
                  faces: dict[str, tuple[CjkFont, bool]] | None = None) -> Any:
    """A WeasyPrint URL fetcher serving font subsets and refusing the network.

    ``perfkit-font:regular`` and ``perfkit-font:bold`` return subsets of the CJK font;
    ``data:`` and ``file:`` URLs are fetched as usual; anything else (http, ftp, …) fails,
    so typesetting never downloads.
    """
    from weasyprint import urls

    def font_bytes(url: str) -> bytes:
        weight = url[len(_FONT_URL_PREFIX) :]
        if faces and weight in faces:  # a face of the official layout
            face, bold = faces[weight]
            return pdf_subset(face, glyphs, bold=bold)
        return pdf_subset(font, glyphs, bold=weight == "bold")

    def check(url: str) -> None:
        scheme = url.split(":", 1)[0].lower()
        if scheme not in ("data", "file"):
            raise ValueError(f"perfkit renders offline; refusing to fetch {url[:80]!r}")

    if hasattr(urls, "URLFetcher"):  # WeasyPrint >= 66

        class OfflineFetcher(urls.URLFetcher):
            def fetch(self, url: str, headers: Any = None) -> Any:
                if url.startswith(_FONT_URL_PREFIX):
                    return urls.URLFetcherResponse(
                        url, font_bytes(url), headers={"Content-Type": "font/otf"}
                    )
                check(url)
                return super().fetch(url, headers)

        return OfflineFetcher(allowed_protocols=("data", "file", "perfkit-font"))

    def legacy_fetcher(url: str) -> dict[str, Any]:  # pragma: no cover - older WeasyPrint
        if url.startswith(_FONT_URL_PREFIX):
            return {"string": font_bytes(url), "mime_type": "font/otf"}
        check(url)
        return urls.default_url_fetcher(url)

    return legacy_fetcher


def render_pdf(reviewer_html: str, base_dir: Path, *, official: bool = False,
               engine: str = "typst", font: CjkFont | None = None) -> bytes:
    """Typeset reviewer HTML into an A4 PDF.

    Args:
        reviewer_html: the complete reviewer HTML document.
        base_dir: folder relative URLs resolve against (WeasyPrint); nothing is fetched.
        official: the GB/T 9704-2012 page (WeasyPrint, :func:`layout_pdf`).
        engine: ``typst`` (:func:`perfkit.report.typstpdf.typst_pdf`, the default) or
            ``weasyprint`` (:func:`layout_pdf`) for perfkit's print layout.
        font: the CJK family (:func:`find_cjk_fonts` when None). A family without a bold face
            is typeset by WeasyPrint, which embeds a synthetic bold (Typst would print bold
            text in the regular face).

    Returns:
        The PDF bytes.

    Raises:
        FontMissingError: no CJK font is installed.
        ValueError: an unknown engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown PDF engine {engine!r}; one of {', '.join(ENGINES)}")
    if engine == "typst" and not official:
        font = font or find_cjk_fonts()
        if font.has_bold:
            try:
                return typst_pdf(reviewer_html, font)
            except typst.TypstError as exc:  # e.g. an image Typst cannot decode
                log.warning("PDF: Typst failed (%s); typeset by WeasyPrint instead", exc)
        log.info("PDF: %s has no bold face; typeset by WeasyPrint with a synthetic bold",
                 font.family)
    return layout_pdf(reviewer_html, base_dir, official=official).write_pdf()


def layout_pdf(reviewer_html: str, base_dir: Path, *, official: bool = False) -> Any:
    """Typeset reviewer HTML into an A4 PDF with WeasyPrint, embedding the CJK font.

    Args:
        reviewer_html: the complete reviewer HTML document (it carries the print CSS).
        base_dir: folder relative URLs resolve against; nothing is fetched from the network.
        official: the GB/T 9704-2012 page (``templates/official.css``) in free fonts that
            approximate the official ones, instead of perfkit's print style.

    Returns:
        The laid-out WeasyPrint document (pages and boxes; ``write_pdf()`` gives the bytes).

    Raises:
        FontMissingError: no CJK font is installed.
    """
    # WeasyPrint (0.32 s) only when it typesets: the Typst print layout never loads it.
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font = find_cjk_fonts()
    font_css = _pdf_font_css(font.family)
    faces: dict[str, tuple[CjkFont, bool]] = {}
    if official:  # the document's own (author) style, after print.css: it takes precedence
        official_css, faces = _official_css(font)
        reviewer_html = reviewer_html.replace(
            "</head>", f'<style media="print">\n{official_css}</style>\n</head>', 1)
    glyphs = frozenset(reviewer_html) | frozenset(font_css) | frozenset(_ALWAYS_GLYPHS)
    fetcher = _make_fetcher(font, glyphs, faces)
    font_config = FontConfiguration()
    stylesheet = CSS(string=font_css, url_fetcher=fetcher, font_config=font_config)
    document = HTML(string=reviewer_html, base_url=str(base_dir), url_fetcher=fetcher)
    return document.render(stylesheets=[stylesheet], font_config=font_config)
