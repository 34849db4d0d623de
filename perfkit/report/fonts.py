"""CJK fonts: discovery (fontconfig, matplotlib's list as a fallback) and matplotlib's set-up."""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfkit.errors import FontMissingError

log = logging.getLogger(__name__)

# matplotlib (0.11 s) and IPython are imported by the functions that use them: the PDF renderer
# finds fonts through fontconfig without matplotlib, and nothing imports IPython outside a kernel.

#: Families tried first, best first. Noto Sans CJK SC (Debian ``fonts-noto-cjk``) has a true
#: bold face; WenQuanYi Micro Hei (``fonts-wqy-microhei``) has none.
PREFERRED_FAMILIES: tuple[str, ...] = ("Noto Sans CJK SC", "WenQuanYi Micro Hei")

#: Among other fonts covering Chinese, names containing these hints rank higher (simplified
#: Chinese, sans-serif, not monospace).
_NAME_HINTS: tuple[tuple[str, int], ...] = (
    (" SC", 8),
    ("Hans", 8),
    (" CN", 6),
    ("GB", 4),
    ("Sans", 3),
    ("Hei", 3),
    ("Mono", -5),
    ("Serif", -1),
    ("Song", -1),
)

#: Characters a font must have to be accepted by the matplotlib fallback scan.
_PROBE_TEXT = "部门整体支出绩效自评得分"

_INSTALL_HINT = "sudo apt-get install fonts-noto-cjk"

#: fontconfig weights: 80 is regular, 200 is bold (``fc-list`` prints these numbers).
_FC_REGULAR = 80
_FC_BOLD = 200

#: Resolution of figures in notebooks and reports: sharp in print at full text width.
PRINT_DPI = 200


@dataclass(frozen=True)
class CjkFont:
    """A font family able to render Chinese, with the files that hold it.

    Attributes:
        family: family name as fontconfig and matplotlib know it, e.g. ``Noto Sans CJK SC``.
        regular: file holding the regular face (may be a ``.ttc`` collection).
        bold: file holding a true bold face, or None when the family has none.
        regular_index: face index of the regular face inside ``regular``.
        bold_index: face index of the bold face inside ``bold``.
    """

    family: str
    regular: Path
    bold: Path | None
    regular_index: int = 0
    bold_index: int = 0

    @property
    def has_bold(self) -> bool:
        """Whether a true bold face exists (otherwise bold must be synthesised)."""
        return self.bold is not None


@dataclass(frozen=True)
class _Face:
    families: tuple[str, ...]
    weight: int
    italic: bool
    index: int
    file: Path


def _missing_error() -> FontMissingError:
    return FontMissingError(
        "未找到可显示中文的字体，报告中的中文会显示为方框。"
        f"请安装 Noto Sans CJK 字体：{_INSTALL_HINT}（Debian/Ubuntu），然后重新运行。\n"
        "No CJK font found; Chinese text would render as empty boxes. "
        f"Install one with: {_INSTALL_HINT}"
    )


def _split_fc_list(value: str) -> tuple[str, ...]:
    """Split a fontconfig multi-value field (``a,b``; commas inside names are ``\\,``)."""
    parts, current, escaped = [], [], False
    for ch in value:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return tuple(p for p in parts if p)


def _fc_faces() -> list[_Face] | None:
    """Faces covering Chinese according to ``fc-list``, or None when fontconfig is absent."""
    exe = shutil.which("fc-list")
    if exe is None:
        return None
    fmt = "%{family}\t%{weight}\t%{slant}\t%{index}\t%{file}\n"
    try:
        proc = subprocess.run(
            [exe, "-f", fmt, ":lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("fc-list failed (%s); falling back to matplotlib's font list", exc)
        return None
    faces = []
    for line in proc.stdout.splitlines():
        fields = line.split("\t")
        if len(fields) != 5 or not fields[4]:
            continue
        family, weight, slant, index, file = fields
        try:
            faces.append(
                _Face(
                    families=_split_fc_list(family),
                    weight=int(float(_split_fc_list(weight)[0])) if weight else _FC_REGULAR,
                    italic=bool(slant) and slant.strip() not in ("", "0"),
                    index=int(index) if index else 0,
                    file=Path(file),
                )
            )
        except (ValueError, IndexError):
            log.debug("ignoring unparsable fc-list line %r", line)
    return faces


def _covers_chinese(path: str, index: int) -> bool:
    from matplotlib import ft2font

    try:
        font = ft2font.FT2Font(path, face_index=index)
        charmap = font.get_charmap()
    except Exception:  # a broken font file must not stop the scan
        return False
    return all(ord(ch) in charmap for ch in _PROBE_TEXT)


def _matplotlib_faces() -> list[_Face]:
    """Faces covering Chinese among the fonts matplotlib knows (no fontconfig)."""
    from matplotlib import font_manager

    faces = []
    for entry in font_manager.fontManager.ttflist:
        index = getattr(entry, "index", 0) or 0
        if not _covers_chinese(entry.fname, index):
            continue
        # matplotlib weights are CSS numbers; map to fontconfig's scale used above.
        weight = entry.weight if isinstance(entry.weight, int) else 400
        faces.append(
            _Face(
                families=(entry.name,),
                weight=_FC_BOLD if weight >= 600 else _FC_REGULAR,
                italic=entry.style != "normal",
                index=index,
                file=Path(entry.fname),
            )
        )
    return faces


def _family_score(family: str) -> int:
    return sum(points for hint, points in _NAME_HINTS if hint.lower() in family.lower())


def _pick(faces: Iterable[_Face]) -> CjkFont | None:
    """Choose the best family among ``faces`` and its regular and bold faces."""
    by_family: dict[str, list[_Face]] = {}
    for face in faces:
        if face.italic or not face.file.is_file():
            continue
        for family in face.families:
            by_family.setdefault(family, []).append(face)
    if not by_family:
        return None
    folded = {name.casefold(): name for name in by_family}
    chosen = next(
        (folded[p.casefold()] for p in PREFERRED_FAMILIES if p.casefold() in folded), None
    )
    if chosen is None:
        chosen = max(sorted(by_family), key=_family_score)
    members = by_family[chosen]
    regular = min(members, key=lambda f: (abs(f.weight - _FC_REGULAR), str(f.file), f.index))
    bolds = [f for f in members if f.weight >= _FC_BOLD - 20]
    bold = min(bolds, key=lambda f: (abs(f.weight - _FC_BOLD), str(f.file), f.index), default=None)
    return CjkFont(
        family=chosen,
        regular=regular.file,
        bold=bold.file if bold else None,
        regular_index=regular.index,
        bold_index=bold.index if bold else 0,
    )


@functools.cache
def find_cjk_fonts() -> CjkFont:
    """Find the font family used for Chinese text in charts, HTML and PDF.

    Prefers Noto Sans CJK SC, then WenQuanYi Micro Hei, then any family covering Chinese.
    Uses ``fc-list`` when fontconfig is installed, else matplotlib's font list. The result is
    cached for the life of the process.

    Returns:
        The chosen family and its font files.

    Raises:
        FontMissingError: no installed font covers Chinese; the message names the package.
    """
    faces = _fc_faces()
    font = _pick(faces) if faces else None
    if font is None:
        font = _pick(_matplotlib_faces())
    if font is None:
        raise _missing_error()
    log.info(
        "CJK font: %s (regular %s#%d, bold %s)",
        font.family,
        font.regular,
        font.regular_index,
        f"{font.bold}#{font.bold_index}" if font.bold else "none, synthesised",
    )
    return font


@functools.cache
def find_family(family: str) -> CjkFont | None:
    """The regular and bold faces of one installed Chinese font family, or None.

    Used for the official-layout PDF, which sets each element in its own family (a serif for
    the 仿宋 body, a bold sans for 黑体 headings, AR PL UKai for 楷体).

    Args:
        family: family name as fontconfig knows it, e.g. ``Noto Serif CJK SC``.
    """
    faces = _fc_faces()
    if faces is None:
        faces = _matplotlib_faces()
    wanted = family.casefold()
    mine = [f for f in faces if wanted in (name.casefold() for name in f.families)]
    font = _pick(_Face((family,), f.weight, f.italic, f.index, f.file) for f in mine)
    return font


@functools.cache
def latin_advances(font: CjkFont) -> dict[str, float]:
    """Advance widths, in em, of the printable ASCII characters of ``font``'s regular face
    (digits, Latin letters, punctuation): what the print layout needs to estimate the width of
    a table column's text before typesetting it (:mod:`perfkit.report.render`).

    Returns:
        Character → advance in em; empty when the face cannot be read.
    """
    from matplotlib import ft2font

    try:
        face = ft2font.FT2Font(str(font.regular), face_index=font.regular_index)
        face.set_size(100, 72)  # 100 px per em
        flags = ft2font.LoadFlags.NO_HINTING
        return {chr(c): face.load_char(c, flags=flags).linearHoriAdvance / 65536 / 100
                for c in range(0x20, 0x7F)}
    except Exception:  # a damaged face: the caller falls back to its estimate
        log.debug("cannot read advance widths of %s", font.regular, exc_info=True)
        return {}


@functools.cache
def _register_with_matplotlib(font: CjkFont) -> str:
    """Add the font files to matplotlib's font manager; return the family matplotlib uses."""
    from matplotlib import font_manager, ft2font

    for path in (font.regular, font.bold):
        if path is not None:
            font_manager.fontManager.addfont(str(path))
    if any(entry.name == font.family for entry in font_manager.fontManager.ttflist):
        return font.family
    # The name inside the file may differ from fontconfig's (e.g. a localised family name).
    face = ft2font.FT2Font(str(font.regular), face_index=font.regular_index)
    return font_manager.ttfFontProperty(face).name


def matplotlib_rc(font: CjkFont | None = None) -> dict[str, Any]:
    """rc settings that make matplotlib and seaborn render Chinese with ``font``.

    Args:
        font: the font to use; ``find_cjk_fonts()`` when None.

    Returns:
        A dict for ``matplotlib.rcParams.update`` or ``seaborn.set_theme(rc=...)``.
    """
    font = font or find_cjk_fonts()
    family = _register_with_matplotlib(font)
    # DejaVu Sans (shipped with matplotlib) is the per-glyph fallback for symbols the CJK
    # font lacks, so no glyph can be missing.
    sans = [family, "DejaVu Sans"]
    return {
        "font.family": "sans-serif",
        "font.sans-serif": sans,
        "axes.unicode_minus": False,
        "savefig.dpi": PRINT_DPI,
        "pdf.fonttype": 42,
        "svg.fonttype": "none",
    }


def figure_alt(fig) -> str:
    """A text description of a chart: its titles, or a generic word when it has none."""
    titles = [fig.get_suptitle()] if hasattr(fig, "get_suptitle") else []
    titles += [ax.get_title() for ax in fig.axes]
    return "；".join(t for t in titles if t) or "图表"


def _enable_inline_png(dpi: int) -> bool:
    """In a Jupyter kernel, show matplotlib Figures as PNG at ``dpi``.

    IPython registers its Figure formatter only when pyplot's inline backend starts, so a
    ``matplotlib.figure.Figure`` made without pyplot would otherwise show as the text
    ``<Figure size ...>``. The inline backend's own ``dpi=fig.dpi`` is overridden too.

    Returns:
        Whether a kernel was found and configured.
    """
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    kwargs: dict[str, Any] = {"bbox_inches": "tight", "dpi": dpi}
    select_figure_formats(shell, {"png"}, **kwargs)
    try:  # keep the setting when the inline backend (re)configures itself later
        from matplotlib_inline.config import InlineBackend

        with warnings.catch_warnings():  # matplotlib-inline uses a deprecated traitlets hook
            warnings.simplefilter("ignore", DeprecationWarning)
            backend = InlineBackend.instance(parent=shell)
            backend.figure_formats = {"png"}
            backend.print_figure_kwargs = kwargs
    except Exception as exc:  # optional: only the first registration matters
        log.debug("could not configure matplotlib-inline: %s", exc)
    # Last: changing InlineBackend's settings above re-registers its own formatter.
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    def png_with_alt(fig: Figure):
        # The chart's title becomes the image's alt text (readers, and nbconvert's a11y check).
        # A figure with a layout engine (perfkit's charts: constrained) already fits its
        # canvas: cropping it to the tight bounding box would draw it twice (15 % of the time).
        crop = fig.get_layout_engine() is None
        data = print_figure(fig, "png", **{**kwargs, "bbox_inches": "tight" if crop else None})
        return (data, {"alt": figure_alt(fig)}) if data else None

    shell.display_formatter.formatters["image/png"].for_type(Figure, png_with_alt)
    return True


def configure_matplotlib() -> dict[str, Any]:
    """Make matplotlib render Chinese text at print resolution, and return the rc for seaborn.

    Registers the CJK font file with matplotlib's font manager, updates ``rcParams``
    (family, sans-serif list with DejaVu Sans as glyph fallback, ``axes.unicode_minus=False``,
    200 dpi saved figures) and returns the same settings. ``seaborn.set_theme()`` resets
    fonts, so pass them through: ``sns.set_theme(rc=configure_matplotlib())``. Inside a
    Jupyter kernel it also makes Figures display as 200 dpi PNG, with or without pyplot.

    Returns:
        The rc dict that was applied; its ``font.sans-serif[0]`` is the CJK family name.

    Raises:
        FontMissingError: no installed font covers Chinese.
    """
    import matplotlib

    rc = matplotlib_rc()
    rc_params: Any = matplotlib.rcParams  # typed with literal keys; ours are checked names
    rc_params.update(rc)
    _enable_inline_png(PRINT_DPI)
    return rc
