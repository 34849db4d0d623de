"""Font subsets for PDF embedding: the characters a document uses, cut from its CJK face.

What a library does and where perfkit does it by hand, measured on the sample's 复核意见 (711
characters; Noto Sans CJK SC; CPU seconds on the development machine):

- **Subsetting: HarfBuzz's hb-subset, through cffi.** fontTools' subsetter (``fontTools.subset``,
  the fallback here when ``libharfbuzz-subset0`` is missing) takes 0.40 s per face against
  0.003 s for hb-subset: with a regular and a bold face for each of a department-year's six
  PDFs, 4.8 CPU-s against 0.04 s of a run's 17. Leaving it to WeasyPrint (which embeds the system
  face and subsets it with hb-subset itself, without desubroutinizing) makes the review PDF twice
  the size (576 kB against 291 kB: 867 kB of regular and 795 kB of bold glyph data instead of 112
  kB and 41 kB) and its typesetting slower (2.39 against 2.16 CPU-s). The binding is the few
  hb-subset calls in ``_HB_CDEF``.
- **Bold: the font's own bold face** (``NotoSansCJK-Bold.ttc``) whenever the family has one.
- **Synthetic bold (:func:`embolden`, a port of FreeType's ``FT_Outline_EmboldenXY``) only for a
  family without a bold face** (WenQuanYi Micro Hei): WeasyPrint (70) draws the glyphs of the
  file it embeds and synthesises no bold, and fontTools has no emboldening, so without it bold
  text (headings, verdicts) would print as regular.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import time
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.pens.recordingPen import RecordingPen
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

from perfkit.report.fonts import CjkFont

log = logging.getLogger(__name__)


_PDF_DROP_TABLES = ("GSUB", "GPOS", "BASE", "JSTF", "MATH", "VORG", "vhea", "vmtx", "DSIG", "meta")

#: Synthetic bold adds this fraction of the em to stroke width (FreeType uses 1/24).
SYNTHETIC_BOLD_STRENGTH = 1 / 28


_HB_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create_from_file (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
unsigned int hb_face_get_glyph_count (const hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_set_add (hb_set_t *set, uint32_t codepoint);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
_HB_SUBSET_SETS_DROP_TABLE_TAG = 3
_HB_SUBSET_FLAGS_NO_HINTING = 0x1
_HB_SUBSET_FLAGS_DESUBROUTINIZE = 0x4
_HB_SUBSET_FLAGS_NOTDEF_OUTLINE = 0x40


@functools.cache
def _harfbuzz() -> Any:
    """``(ffi, libharfbuzz, libharfbuzz-subset)`` via cffi, or None when not installed."""
    try:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef(_HB_CDEF)
        hb = ffi.dlopen("libharfbuzz.so.0")
        hb_subset = ffi.dlopen("libharfbuzz-subset.so.0")
    except (ImportError, OSError, AttributeError) as exc:
        log.debug("HarfBuzz-subset not available (%s); subsetting with fontTools", exc)
        return None
    return ffi, hb, hb_subset


@functools.lru_cache(maxsize=4)
def _hb_face(path: Path, index: int) -> Any:
    """A HarfBuzz face kept for the life of the process (parsing it is the slow part)."""
    _ffi, hb, _ = _harfbuzz()
    blob = hb.hb_blob_create_from_file(str(path).encode())
    face = hb.hb_face_create(blob, index)
    hb.hb_blob_destroy(blob)  # the face holds its own reference
    if hb.hb_face_get_glyph_count(face) == 0:
        hb.hb_face_destroy(face)
        return None
    return face


def _tag(name: str) -> int:
    return int.from_bytes(name.ljust(4).encode("ascii"), "big")


def _subset_harfbuzz(path: Path, index: int, codepoints: list[int]) -> bytes | None:
    """Subset with HarfBuzz (milliseconds); None when it is unavailable or fails."""
    if _harfbuzz() is None:
        return None
    ffi, hb, hb_subset = _harfbuzz()
    face = _hb_face(path, index)
    if face is None:
        return None
    plan = hb_subset.hb_subset_input_create_or_fail()
    if plan == ffi.NULL:
        return None
    try:
        unicodes = hb_subset.hb_subset_input_unicode_set(plan)
        for cp in codepoints:
            hb.hb_set_add(unicodes, cp)
        drop = hb_subset.hb_subset_input_set(plan, _HB_SUBSET_SETS_DROP_TABLE_TAG)
        for name in _PDF_DROP_TABLES:
            hb.hb_set_add(drop, _tag(name))
        hb_subset.hb_subset_input_set_flags(
            plan,
            _HB_SUBSET_FLAGS_NO_HINTING
            | _HB_SUBSET_FLAGS_DESUBROUTINIZE
            | _HB_SUBSET_FLAGS_NOTDEF_OUTLINE,
        )
        result = hb_subset.hb_subset_or_fail(face, plan)
    finally:
        hb_subset.hb_subset_input_destroy(plan)
    if result == ffi.NULL:
        log.warning("HarfBuzz could not subset %s#%d; using fontTools", path, index)
        return None
    try:
        blob = hb.hb_face_reference_blob(result)
        length = ffi.new("unsigned int *")
        data = hb.hb_blob_get_data(blob, length)
        out = None if data == ffi.NULL else ffi.unpack(data, int(length[0]))
        hb.hb_blob_destroy(blob)
    finally:
        hb.hb_face_destroy(result)
    return out or None


def _subset_fonttools(path: Path, index: int, codepoints: list[int]) -> bytes:
    """Subset with fontTools (about 0.5 s for a CJK face)."""
    tt = TTFont(str(path), fontNumber=index, lazy=True)
    for tag in _PDF_DROP_TABLES:
        if tag in tt:
            del tt[tag]
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.ignore_missing_glyphs = True
    options.ignore_missing_unicodes = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(tt)
    out = io.BytesIO()
    tt.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=8)
def pdf_subset(font: CjkFont, glyphs: frozenset[str], bold: bool) -> bytes:
    """A small OpenType font with just ``glyphs`` of the regular or bold face.

    Embedding a whole CJK face would make WeasyPrint subset a 65,535-glyph font itself
    (about 15 s per face without HarfBuzz-subset, and a larger PDF with it). Subsetting
    here first takes milliseconds with ``libharfbuzz-subset0`` and about half a second per
    face with fontTools otherwise. The face is taken from its collection by index, so the
    simplified-Chinese face of ``NotoSansCJK-*.ttc`` is used, not the Japanese one at
    index 0.

    Args:
        font: the font found by :func:`find_cjk_fonts`.
        glyphs: characters the document uses.
        bold: subset the bold face; emboldened from the regular face when there is none.

    Returns:
        The subset font file (``OTTO`` or TrueType), family name unchanged.
    """
    synthetic = bold and font.bold is None
    if bold and font.bold is not None:
        path, index = font.bold, font.bold_index
    else:
        path, index = font.regular, font.regular_index
    started = time.perf_counter()
    codepoints = sorted({ord(ch) for ch in glyphs})
    data = _subset_harfbuzz(path, index, codepoints)
    engine = "harfbuzz"
    if data is None:
        data = _subset_fonttools(path, index, codepoints)
        engine = "fonttools"
    if synthetic:
        tt = TTFont(io.BytesIO(data))
        embolden(tt, SYNTHETIC_BOLD_STRENGTH)
        out = io.BytesIO()
        tt.save(out)
        data = out.getvalue()
    log.debug(
        "subset %s#%d%s with %s: %d chars, %d bytes in %.2f s",
        path.name,
        index,
        " (synthetic bold)" if synthetic else "",
        engine,
        len(glyphs),
        len(data),
        time.perf_counter() - started,
    )
    return data


def _signed_area(contours: list[list[tuple[float, float]]]) -> float:
    area = 0.0
    for pts in contours:
        for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
            area += x0 * y1 - x1 * y0
    return area / 2


def _embolden_contour(
    pts: list[tuple[float, float]], strength: float, clockwise: bool
) -> list[tuple[float, float]]:
    """Move each control point outwards so every edge shifts by ``strength / 2``.

    A port of FreeType's ``FT_Outline_EmboldenXY`` (same strength in x and y).
    """
    n = len(pts)
    half = strength / 2
    moved = []
    for i, (x, y) in enumerate(pts):
        # Previous and next distinct points.
        j = (i - 1) % n
        while j != i and pts[j] == (x, y):
            j = (j - 1) % n
        k = (i + 1) % n
        while k != i and pts[k] == (x, y):
            k = (k + 1) % n
        if j == i or k == i:
            moved.append((x, y))
            continue
        ix, iy = x - pts[j][0], y - pts[j][1]
        ox, oy = pts[k][0] - x, pts[k][1] - y
        il, ol = math.hypot(ix, iy), math.hypot(ox, oy)
        if il == 0 or ol == 0:
            moved.append((x, y))
            continue
        ix, iy, ox, oy = ix / il, iy / il, ox / ol, oy / ol
        d = ix * ox + iy * oy
        sx = sy = 0.0
        if d > -0.9375:
            d += 1
            sx, sy = iy + oy, ix + ox
            if clockwise:
                sx = -sx
            else:
                sy = -sy
            q = ox * iy - oy * ix
            if clockwise:
                q = -q
            # Shift along the bisector, capped for sharp corners.
            if half * q <= half * d:
                sx, sy = sx * half / d, sy * half / d
            else:
                sx, sy = sx * half / q, sy * half / q
        moved.append((x + sx, y + sy))
    return moved


def embolden(tt: Any, strength: float) -> None:
    """Thicken every glyph of ``tt`` in place (synthetic bold), keeping advance widths.

    Works on CFF and TrueType outlines; glyphs whose outlines cannot be read are left as
    they are. Marks the font bold (``OS/2.usWeightClass`` 700).

    Args:
        tt: a ``fontTools.ttLib.TTFont``.
        strength: added stroke width as a fraction of the em.
    """
    units = strength * tt["head"].unitsPerEm
    glyph_set = tt.getGlyphSet()
    cff = "CFF " in tt
    if cff:
        top = tt["CFF "].cff.topDictIndex[0]
        charstrings = top.CharStrings
    else:
        glyf = tt["glyf"]
    for name in tt.getGlyphOrder():
        rec = RecordingPen()
        try:
            glyph_set[name].draw(rec)
        except Exception:  # an unreadable glyph keeps its outline
            continue
        if not rec.value:
            continue
        # Flatten into contours of control points, remembering the operator layout.
        contours: list[list[tuple[float, float]]] = []
        layout: list[list[tuple[str, int]]] = []
        ok = True
        for op, args in rec.value:
            if op == "moveTo":
                contours.append([args[0]])
                layout.append([("moveTo", 1)])
            elif op in ("lineTo", "curveTo", "qCurveTo") and contours:
                if any(p is None for p in args):
                    ok = False
                    break
                contours[-1].extend(args)
                layout[-1].append((op, len(args)))
            elif op in ("closePath", "endPath") and contours:
                layout[-1].append((op, 0))
            else:
                ok = False
                break
        if not ok:
            continue
        clockwise = _signed_area(contours) < 0
        width = glyph_set[name].width
        pen = T2CharStringPen(width, glyph_set) if cff else TTGlyphPen(glyph_set)
        for pts, ops in zip(contours, layout, strict=True):
            new = _embolden_contour(pts, units, clockwise)
            pos = 0
            for op, count in ops:
                chunk = [(round(x, 2), round(y, 2)) for x, y in new[pos : pos + count]]
                pos += count
                if op == "moveTo":
                    pen.moveTo(chunk[0])
                elif op == "lineTo":
                    pen.lineTo(chunk[0])
                elif op == "curveTo":
                    pen.curveTo(*chunk)
                elif op == "qCurveTo":
                    pen.qCurveTo(*chunk)
                elif op == "closePath":
                    pen.closePath()
                else:
                    pen.endPath()
        if cff:
            old = charstrings[name]
            new_cs = pen.getCharString(private=old.private, globalSubrs=old.globalSubrs)
            charstrings[name] = new_cs
        else:
            glyph = pen.glyph()
            glyph.recalcBounds(glyf)
            glyf[name] = glyph
            tt["hmtx"][name] = (width, getattr(glyph, "xMin", 0))
    if "OS/2" in tt:
        tt["OS/2"].usWeightClass = 700
        tt["OS/2"].fsSelection = (tt["OS/2"].fsSelection & ~0b1000000) | 0b100000
    tt["head"].macStyle |= 1
