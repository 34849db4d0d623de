"""Print layout decided while processing report HTML: compact short tables, headings that go
with a landscape table together with their short introduction."""

from __future__ import annotations

from perfkit.report.html import COMPACT_MAX_ROWS, INTRO_MAX_CHARS
from perfkit.report.html import process_body

LONG = "这一列是较长的说明文字，超过二十四个字符的文本会被标为长文本并允许换行。"


def _table(rows: int, long_columns: int = 6) -> str:
    head = "<tr>" + "".join(f"<th>列{i}</th>" for i in range(long_columns + 2)) + "</tr>"
    body = "".join("<tr><td>甲</td><td>1.00</td>" + f"<td>{LONG}</td>" * long_columns + "</tr>"
                   for _ in range(rows))
    return f"<table><thead>{head}</thead><tbody>{body}</tbody></table>"


def test_a_short_wide_table_stays_portrait_in_compact_form():
    # 6 long columns need 6 × 11 em at 7 pt (over the portrait column); at 6 em they fit.
    short = process_body(_table(COMPACT_MAX_ROWS)).html
    assert "compact" in short and "landscape" not in short
    long = process_body(_table(COMPACT_MAX_ROWS + 1)).html
    assert "landscape" in long and "compact" not in long


def test_heading_and_short_introduction_go_with_a_landscape_table():
    intro = "<p>逐项列出评分标准、得分和扣分原因。</p>"
    html = process_body(f"<h3>（三）自评表</h3>{intro}{_table(20)}").html
    assert '<h3 id="sec-1" class="with-wide-table">' in html
    assert '<p class="with-wide-table">' in html


def test_a_long_introduction_stays_on_its_portrait_page():
    intro = f"<p>{'说明' * (INTRO_MAX_CHARS // 2 + 1)}</p>"
    html = process_body(f"<h3>（三）自评表</h3>{intro}{_table(20)}").html
    assert "with-wide-table" not in html


def test_a_chart_between_heading_and_table_keeps_the_heading_in_place():
    chart = '<img src="data:image/png;base64,AAAA" alt="图">'
    html = process_body(f"<h3>标题</h3><p>短</p>{chart}{_table(20)}").html
    assert "with-wide-table" not in html
