"""CJK font discovery, the missing-font error and matplotlib setup."""

from __future__ import annotations

import base64
import io
import warnings
from pathlib import Path

import pytest

from perfkit.errors import FontMissingError
from perfkit.report import fonts
from perfkit.report.fonts import CjkFont, _Face, _pick, _split_fc_list

CHINESE = "部门整体支出绩效自评预算执行率"


@pytest.fixture
def fresh_lookup():
    """Clear the cached lookup before and after the test."""
    fonts.find_cjk_fonts.cache_clear()
    yield
    fonts.find_cjk_fonts.cache_clear()


def _face(family: str, weight: int = 80, index: int = 0, file: Path | None = None) -> _Face:
    return _Face(
        families=(family,),
        weight=weight,
        italic=False,
        index=index,
        file=file or Path(fonts.__file__),  # any existing file
    )


def test_missing_font_error_names_the_package(monkeypatch, fresh_lookup):
    monkeypatch.setattr(fonts, "_fc_faces", lambda: [])
    monkeypatch.setattr(fonts, "_matplotlib_faces", lambda: [])
    with pytest.raises(FontMissingError) as info:
        fonts.find_cjk_fonts()
    message = str(info.value)
    assert "sudo apt-get install fonts-noto-cjk" in message
    assert "中文" in message and "CJK" in message


def test_missing_font_also_when_fontconfig_is_absent(monkeypatch, fresh_lookup):
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    monkeypatch.setattr(fonts, "_matplotlib_faces", lambda: [])
    with pytest.raises(FontMissingError, match="fonts-noto-cjk"):
        fonts.find_cjk_fonts()


def test_prefers_noto_sans_cjk_sc_with_its_bold():
    faces = [
        _face("WenQuanYi Micro Hei"),
        _face("Noto Sans CJK JP", index=0),
        _face("Noto Sans CJK SC", index=2),
        _face("Noto Sans CJK SC", weight=200, index=2),
        _face("Noto Serif CJK SC", index=2),
    ]
    font = _pick(faces)
    assert font.family == "Noto Sans CJK SC"
    assert font.regular_index == 2 and font.bold_index == 2
    assert font.has_bold


def test_then_wenquanyi_without_bold():
    font = _pick([_face("AR PL UMing CN"), _face("WenQuanYi Micro Hei")])
    assert font.family == "WenQuanYi Micro Hei"
    assert font.bold is None and not font.has_bold


def test_then_any_chinese_font_simplified_sans_first():
    font = _pick([_face("Some Mono CJK TC"), _face("Other Sans SC"), _face("Other Serif TC")])
    assert font.family == "Other Sans SC"


def test_nothing_usable():
    assert _pick([]) is None
    gone = _face("Noto Sans CJK SC", file=Path("/nonexistent/font.ttc"))
    assert _pick([gone]) is None


def test_fontconfig_list_splitting():
    assert _split_fc_list("Noto Sans CJK SC,Noto Sans CJK SC Regular") == (
        "Noto Sans CJK SC",
        "Noto Sans CJK SC Regular",
    )
    assert _split_fc_list(r"Odd\, Name,Other") == ("Odd, Name", "Other")


def test_installed_font_is_found(fresh_lookup):
    font = fonts.find_cjk_fonts()
    assert font.regular.is_file()
    assert fonts.find_cjk_fonts() is font  # cached


def test_configure_matplotlib_renders_chinese_without_missing_glyphs():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    with matplotlib.rc_context():  # leave global settings as other tests expect them
        rc = fonts.configure_matplotlib()
        family = fonts.find_cjk_fonts().family
        assert rc["font.sans-serif"][0] == family
        assert rc["axes.unicode_minus"] is False
        assert matplotlib.rcParams["font.sans-serif"][0] == family

        sns.set_theme(style="whitegrid", rc=rc)  # must keep the CJK font
        assert matplotlib.rcParams["font.sans-serif"][0] == family

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig, ax = plt.subplots()
            ax.bar(["财务", "项目"], [-12.5, 133.49])
            ax.set_title(f"{CHINESE}（%）")
            ax.set_ylabel("金额（万元）")
            fig.savefig(io.BytesIO(), format="png")
            plt.close(fig)
        missing = [str(w.message) for w in caught if "missing" in str(w.message).lower()]
        assert missing == []


@pytest.mark.slow
def test_figures_show_as_print_resolution_png_in_a_kernel():
    """A Figure made without pyplot (as perfkit.report.charts does) displays as a 200 dpi PNG."""
    import struct

    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    source = (
        "import warnings\n"
        "warnings.simplefilter('always')\n"
        "import seaborn as sns\n"
        "from perfkit.report.fonts import configure_matplotlib\n"
        "sns.set_theme(style='whitegrid', rc=configure_matplotlib())\n"
        "from matplotlib.figure import Figure\n"
        "fig = Figure(figsize=(6, 3), dpi=100)\n"
        "ax = fig.subplots()\n"
        "ax.bar(['财务', '项目'], [133.49, -5.0])\n"
        "ax.set_title('预算执行率（%）')\n"
        "fig"
    )
    nb = new_notebook(cells=[new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    streams = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "missing" not in streams.lower(), streams
    png = base64.b64decode(outputs[-1]["data"]["image/png"])
    width, _height = struct.unpack(">II", png[16:24])
    assert width > 6 * 100 * 1.5  # 6 in at 200 dpi (less the tight bbox trim), not at 100 dpi


def test_cjk_font_dataclass_defaults():
    font = CjkFont("X", Path("/x.ttf"), None)
    assert font.regular_index == 0 and not font.has_bold
