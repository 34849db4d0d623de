"""Print layout decided from a document's blocks: compact short tables, headings that go with a
landscape table together with their short introduction (perfkit.report.layout, rendered by
perfkit.report.html.render_body)."""

from __future__ import annotations

from perfkit.report.blocks import Chart, Heading, Table, par
from perfkit.report.html import render_body
from perfkit.report.layout import COMPACT_MAX_ROWS, INTRO_MAX_CHARS

LONG = "这一列是较长的说明文字，超过二十四个字符的文本会被标为长文本并允许换行。"
PNG = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (400).to_bytes(4, "big")
       + (300).to_bytes(4, "big") + b"\x08\x02\x00\x00\x00")


def _table(rows: int, long_columns: int = 6) -> Table:
    columns = tuple(f"列{i}" for i in range(long_columns + 2))
    body = tuple(("甲", "1.00", *([LONG] * long_columns)) for _ in range(rows))
    return Table(columns, body, (False, True, *([False] * long_columns)))


def test_a_short_wide_table_stays_portrait_in_compact_form():
    # 6 long columns need 6 × 11 em at 7 pt (over the portrait column); at 6 em they fit.
    short = render_body([_table(COMPACT_MAX_ROWS)]).html
    assert "compact" in short and "landscape" not in short
    long = render_body([_table(COMPACT_MAX_ROWS + 1)]).html
    assert "landscape" in long and "compact" not in long


def test_heading_and_short_introduction_go_with_a_landscape_table():
    body = render_body([Heading(3, "（三）自评表"), par("逐项列出评分标准、得分和扣分原因。"),
                        _table(20)]).html
    assert '<h3 id="sec-1" class="with-wide-table">' in body
    assert '<p class="with-wide-table keep-next">' in body


def test_a_long_introduction_stays_on_its_portrait_page():
    body = render_body([Heading(3, "（三）自评表"), par("说明" * (INTRO_MAX_CHARS // 2 + 1)),
                        _table(20)]).html
    assert "with-wide-table" not in body


def test_a_chart_between_heading_and_table_keeps_the_heading_in_place():
    body = render_body([Heading(3, "标题"), par("短"), Chart(PNG, "图"), _table(20)]).html
    assert "with-wide-table" not in body


def test_a_sections_introduction_is_kept_with_what_follows_it():
    body = render_body([Heading(2, "一、收支概况"), par("本节根据部门决算表…"), par("第二段"),
                        _table(2, 1)]).html
    assert body.count("keep-next") == 2
