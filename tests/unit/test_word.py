"""The Word renderer: page and styles per GB/T 9704-2012 (wordpage), a document's blocks mapped to Word (word)."""

from __future__ import annotations

import io

import docx
import nbformat.v4 as v4
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from perfkit.report import blocks as bk
from perfkit.report import word, wordpage


def _render(*blocks: bk.Block) -> docx.document.Document:
    return docx.Document(io.BytesIO(word.blocks_docx(blocks)))


def _outputs(*blocks: bk.Block) -> list:
    """The notebook outputs that display ``blocks`` (as IPython displays them)."""
    return [v4.new_output("display_data", b._repr_mimebundle_()) for b in blocks]


def _east_asia(style) -> str:
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def _mm(length) -> float:
    return round(length / Mm(1), 1)


# ---------------------------------------------------------------------------------------------
# Page, grid, styles
# ---------------------------------------------------------------------------------------------


def test_page_is_a4_with_the_official_margins():
    doc = _render()
    section = doc.sections[0]
    assert (_mm(section.page_width), _mm(section.page_height)) == (210.0, 297.0)
    assert (_mm(section.top_margin), _mm(section.bottom_margin)) == (37.0, 35.0)
    assert (_mm(section.left_margin), _mm(section.right_margin)) == (28.0, 26.0)


def test_a_page_holds_22_lines_of_28_characters():
    # Fixed line pitch: 22 lines fit the 225 mm type area and a 23rd does not.
    assert 22 * wordpage.LINE_PITCH_TWIPS <= 225 / 25.4 * 1440 < 23 * wordpage.LINE_PITCH_TWIPS
    # 3号 characters condensed by the character spacing: 28 fit 156 mm, 29 do not.
    advance = 16 + wordpage.CHAR_SPACING_TWIPS / 20
    width = (11906 - round(28 * 1440 / 25.4) - round(26 * 1440 / 25.4)) / 20
    assert 28 * advance <= width < 29 * advance
    normal = _render().styles["Normal"]
    spacing = normal.element.pPr.find(qn("w:spacing"))
    assert spacing.get(qn("w:lineRule")) == "exact"
    assert int(spacing.get(qn("w:line"))) == wordpage.LINE_PITCH_TWIPS == 579
    assert int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val"))) == -5


def test_styles_declare_the_official_fonts():
    styles = _render().styles
    assert _east_asia(styles["Normal"]) == "仿宋_GB2312"
    assert styles["Normal"].font.size == Pt(16)
    assert styles["Normal"].element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert _east_asia(styles["Title"]) == "方正小标宋简体" and styles["Title"].font.size == Pt(22)
    assert styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert _east_asia(styles["Heading 1"]) == "黑体" and not styles["Heading 1"].font.bold
    assert _east_asia(styles["Heading 2"]) == "楷体_GB2312"
    assert _east_asia(styles["Heading 3"]) == "仿宋_GB2312" and styles["Heading 3"].font.bold
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        fonts = styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:ascii")) == "Times New Roman", name
        assert fonts.get(qn("w:asciiTheme")) is None, name  # no theme font overrides them


def test_font_table_names_fallbacks():
    doc = wordpage.new_document()
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    table = doc.part.part_related_by(RT.FONT_TABLE).blob.decode("utf-8")
    for name, alt in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"),
                      ("方正小标宋简体", "华文中宋"), ("黑体", "SimHei")):
        assert f'w:name="{name}"><w:altName w:val="{alt}"/>' in table


def test_page_numbers_outside_odd_right_even_left():
    doc = _render()
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = doc.sections[0].footer.paragraphs[0], doc.sections[0].even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    # one character in from the edge of the type area
    assert odd.paragraph_format.right_indent == even.paragraph_format.left_indent == Pt(14)
    for p in (odd, even):
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert _east_asia(p.style) == "宋体" and p.style.font.size == Pt(14)


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def test_headings_map_to_title_and_heading_styles():
    doc = _render(bk.Heading(1, "某局2019年度部门整体支出绩效自评报告"),
                  bk.Heading(2, "一、部门基本情况"), bk.Heading(3, "（一）部门职能"),
                  bk.Heading(4, "1.职能"), bk.par("正文。"))
    got = [(p.style.name, p.text) for p in doc.paragraphs]
    assert got == [("Title", "某局2019年度部门整体支出绩效自评报告"),
                   ("Heading 1", "一、部门基本情况"), ("Heading 2", "（一）部门职能"),
                   ("Heading 3", "1.职能"), ("Normal", "正文。")]
    assert doc.core_properties.title == "某局2019年度部门整体支出绩效自评报告"


def test_long_title_breaks_after_a_word_into_balanced_lines():
    assert word.title_lines("益阳市教育局2019年度部门整体支出绩效自评报告", 20) == [
        "益阳市教育局2019年度", "部门整体支出绩效自评报告"]
    assert word.title_lines("短标题", 20) == ["短标题"]
    doc = _render(bk.Heading(1, "益阳市教育局2019年度部门整体支出绩效自评报告"))
    assert doc.paragraphs[0].text == "益阳市教育局2019年度\n部门整体支出绩效自评报告"


@pytest.mark.parametrize(("parts", "style", "title"), [
    ((bk.run_in("（一）队伍结构不合理"), "教师学历结构不合理。"), "文内二级标题", "（一）队伍结构不合理。"),
    ((bk.b("1.意识形态工作"), "。全面强化。"), "文内三级标题", "1.意识形态工作。"),
    ((bk.run_in("一、总体情况"), "总体良好。"), "文内一级标题", "一、总体情况。"),
])
def test_bold_run_in_titles_take_the_style_of_their_level(parts, style, title):
    block = bk.par(*parts)
    paragraph = _render(block).paragraphs[0]
    assert paragraph.style.name == "Normal"
    first = paragraph.runs[0]
    assert (first.style.name, first.text) == (style, title)
    assert paragraph.text == block.plain_text()


def test_bold_that_is_not_a_title_stays_bold():
    runs = _render(bk.par("自评得分", bk.b("96.80分", "评分!F30"), "，等级为“优”。")).paragraphs[0].runs
    assert [(r.text, bool(r.bold)) for r in runs] == [
        ("自评得分", False), ("96.80分", True), ("，等级为“优”。", False)]


def test_text_prints_as_typed():
    doc = _render(bk.par("工作簿中的*星号*、_下划线_、<尖括号>与 & 原样显示；1. 不是列表"))
    expected = "工作簿中的*星号*、_下划线_、<尖括号>与 & 原样显示；1. 不是列表"
    assert doc.paragraphs[0].text == expected
    assert not any(r.bold for r in doc.paragraphs[0].runs)


def test_a_line_break_in_a_run_is_a_line_break_and_a_cell_is_not_printed():
    paragraph = _render(bk.par("第一行中文\n第二行", bk.fig("3470.41", "收入!D8"), "万元")).paragraphs[0]
    assert paragraph.text == "第一行中文\n第二行3470.41万元"
    assert paragraph._p.findall(f".//{qn('w:br')}")


def test_lists():
    doc = _render(bk.par(bk.b("（一）问题。")), bk.bullets(["甲：一项", ["乙：", bk.b("二项")]]),
                  bk.numbered(["第一", "第二"]))
    got = [(p.style.name, p.text) for p in doc.paragraphs]
    assert got == [("Normal", "（一）问题。"), ("List Bullet", "甲：一项"),
                   ("List Bullet", "乙：二项"), ("Normal", "1.第一"), ("Normal", "2.第二")]
    assert doc.paragraphs[0].runs[0].style.name == "文内二级标题"
    assert [bool(r.bold) for r in doc.paragraphs[2].runs] == [False, True]


def test_notes_are_smaller_and_centred_lines_centred():
    doc = _render(bk.note("注：决算数为部门决算报表数。"), bk.par("居中一行", role="center"),
                  bk.par("引言。", role="lead"))
    note, centre, lead = doc.paragraphs
    assert note.style.name == "注" and note.style.font.size == Pt(14)
    assert note.style.element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "0"
    assert centre.style.name == "居中"
    assert centre.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert lead.style.name == "Normal"


def test_signature_is_right_aligned_four_characters_in_with_the_unit_centred_on_the_date():
    doc = _render(bk.par("正文最后一段。"), bk.Signature(("益阳市教育局", "2020年4月28日")))
    paragraphs = doc.paragraphs
    unit, date = paragraphs[-2], paragraphs[-1]
    assert (unit.text, date.text) == ("益阳市教育局", "2020年4月28日")
    assert unit.style.name == date.style.name == "落款"
    assert date.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT

    def right_chars(p) -> int:
        return int(p._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")))

    # The date (6.5 characters wide: 7 half-width digits) is the longer line: 4 characters in;
    # the unit (6 characters) is centred on it.
    assert right_chars(date) == 400 and right_chars(unit) == 400 + 25
    assert [p.text for p in paragraphs[1:-2]] == ["", ""]  # two lines for the seal
    assert paragraphs[0].paragraph_format.keep_with_next  # the text's end goes with it


# ---------------------------------------------------------------------------------------------
# Tables and pictures
# ---------------------------------------------------------------------------------------------


def test_table_is_a_word_table_with_repeated_header_and_figures_right():
    doc = _render(bk.Table(("项目", "决算数（万元）", "结论"),
                           (("事业收入", "3470.41", "一致"), ("本年收入合计", "24192.45", "不一致")),
                           (False, True, False), "2019年度收入决算",
                           tones={"结论": {"不一致": "verdict-bad", "一致": "verdict-ok"}}))
    caption = doc.paragraphs[0]
    assert caption.style.name == "Caption" and caption.text == "表1\u30002019年度收入决算"
    assert "SEQ 表" in "".join(t.text for t in caption._p.iter(qn("w:instrText")))
    (table,) = doc.tables
    assert table.style.name == wordpage.TABLE_STYLE
    assert [c.text for c in table.rows[0].cells] == ["项目", "决算数（万元）", "结论"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
    body = table.rows[1].cells
    assert body[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert body[0].paragraphs[0].alignment != WD_ALIGN_PARAGRAPH.RIGHT
    assert body[0].paragraphs[0].style.name == "表格文字"  # 4号: this table fits at 4号
    flagged = table.rows[2].cells[2].paragraphs[0].runs[0]
    assert flagged.bold and str(flagged.font.color.rgb) == "B22222"
    fine = table.rows[1].cells[2].paragraphs[0].runs[0]
    assert not fine.bold and fine.font.color.rgb is None


@pytest.mark.parametrize(("tone", "color", "bold"), [
    ("verdict-bad", "B22222", True), ("verdict-note", "B8860B", False),
    ("verdict-na", "808080", False)])
def test_tones_take_the_verdict_colours(tone, color, bold):
    (table,) = _render(bk.Table(("结论",), (("x",),), (False,), tones={"结论": {"x": tone}})).tables
    run = table.rows[1].cells[0].paragraphs[0].runs[0]
    assert (str(run.font.color.rgb), bool(run.bold)) == (color, bold)


def test_table_layout_picks_the_largest_type_that_fits_then_landscape():
    narrow = word.table_layout(["项目", "决算数（万元）"], [["事业收入", "3470.41"]], [False, True])
    assert (narrow.size, narrow.landscape) == (14.0, False)
    assert sum(narrow.widths_pt) == pytest.approx(wordpage.TYPE_WIDTH_PT, abs=1)
    columns = [f"第{i}列说明" for i in range(12)]
    wide = word.table_layout(columns, [["很长的文字说明" * 2] * 12] * 3, [False] * 12)
    assert wide.landscape
    assert sum(wide.widths_pt) == pytest.approx(225 * 72 / 25.4, abs=1)


def test_a_table_blocks_orientation_bounds_its_page():
    columns = [f"第{i}列说明" for i in range(12)]
    rows = [["很长的文字说明" * 2] * 12] * 3
    kept = word.table_layout(columns, rows, [False] * 12, "portrait")
    assert not kept.landscape and kept.size == 10.5
    assert sum(kept.widths_pt) == pytest.approx(wordpage.TYPE_WIDTH_PT, abs=1)
    turned = word.table_layout(["项目"], [["事业收入"]], [False], "landscape")
    assert turned.landscape and turned.size == 12.0


def test_a_wide_table_gets_a_landscape_page_and_its_heading_goes_with_it():
    columns = tuple(f"第{i}列说明" for i in range(12))
    doc = _render(bk.Heading(2, "一、前文"), bk.par("正文。"), bk.Heading(2, "二、宽表"),
                  bk.Table(columns, (("很长的文字说明" * 2,) * 12,) * 3, (False,) * 12, "宽表"),
                  bk.par("正文继续。"))
    orientations = [s.orientation for s in doc.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    body = list(doc.element.body.iterchildren())
    heading = next(i for i, e in enumerate(body) if "二、宽表" in "".join(e.itertext()))
    first_break = next(i for i, e in enumerate(body) if e.find(f".//{qn('w:sectPr')}") is not None)
    assert first_break < heading  # the heading is on the landscape page, above its table


def test_picture_at_print_size_with_a_numbered_caption():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 3), dpi=200)
    fig.add_subplot().bar(["a", "b"], [1, 2])
    doc = _render(bk.Chart.from_figure(fig, "2019年度收支对比"))
    (shape,) = doc.inline_shapes
    assert _mm(shape.width) == 156.0  # 7.5 in at 200 dpi is wider than the type area
    caption = doc.paragraphs[-1]
    assert caption.style.name == "Caption" and caption.text == "图1\u30002019年度收支对比"


def test_notebook_outputs_code_never_shown():
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("## 笔记本自己的标题\n\n笔记本自己的说明。"),
        v4.new_code_cell("secret_code()", outputs=[
            *_outputs(bk.Heading(2, "一、标题"), bk.par("段落", bk.b("加粗"), "。"),
                      bk.Table(("a",), (("1",),), (True,))),
            v4.new_output("execute_result", {"text/markdown": "分析人员自己的输出",
                                             "text/plain": "'x'"}, execution_count=1),
            v4.new_output("stream", name="stderr", text="warning"),
        ]),
    ])
    doc = docx.Document(io.BytesIO(word.notebook_docx(nb)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "secret_code" not in text and "warning" not in text
    # The notebook's own text cell is part of the document (blocks.prose_blocks); an analyst's
    # other outputs, code and stderr are not.
    assert text == "笔记本自己的标题\n笔记本自己的说明。\n一、标题\n段落加粗。"
    assert len(doc.tables) == 1


def test_render_notebook_writes_the_reviewer_copy_as_word(tmp_path):
    import nbformat

    from perfkit.report.meta import ReportMeta
    from perfkit.report.render import render_notebook

    hidden = v4.new_code_cell("x", outputs=_outputs(bk.par("内部备注，不给审阅人看。")))
    hidden.metadata["tags"] = ["remove-cell"]
    quiet = v4.new_code_cell("x", outputs=_outputs(bk.par("只给分析人员看的输出。")))
    quiet.metadata["tags"] = ["remove-output"]
    nb = v4.new_notebook(cells=[v4.new_code_cell("x", outputs=_outputs(
        bk.Heading(1, "标题"), bk.par("正文。"))), hidden, quiet])
    nbformat.write(nb, tmp_path / "n.ipynb")
    meta = ReportMeta(department="某局", year=2019, title="报告", generated_at="2020-04-28",
                      perfkit_version="test", workbook_sha256="0" * 64)
    written = render_notebook(tmp_path / "n.ipynb", tmp_path, "n", meta, pdf=False, docx=True)
    assert written["docx"] == tmp_path / "n.docx"
    doc = docx.Document(written["docx"])
    assert [p.text for p in doc.paragraphs] == ["标题", "正文。"]
    assert doc.core_properties.author == "某局"
    assert "docx" not in render_notebook(tmp_path / "n.ipynb", tmp_path, "m", meta, pdf=False)
