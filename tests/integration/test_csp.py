"""A strict Content-Security-Policy in every HTML page perfkit writes (issue 28 item 11).

A report needs nothing from outside itself: charts are ``data:`` PNGs, styles are in the page,
fonts are the reader's. The policy says so to the browser: no script, no request, images only as
``data:``, the page's own ``<style>`` elements only (by hash). A real browser shows the page as
without the policy, and refuses what the policy forbids.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import nbformat.v4 as v4
import pytest

from perfkit.report.html import ReportMeta
from perfkit.report.index import write_index
from perfkit.report.render import render_notebook
from perfkit.report.sanitize import content_security_policy, with_csp

# Slow tier (renders pages and opens them in a browser): CI runs it (.ci/run); pytest alone leaves it out.
pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNg"
       "YPj/HwADAgH/eL9GtQAAAABJRU5ErkJggg==")


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("csp")
    nb = v4.new_notebook(cells=[v4.new_code_cell("x", outputs=[
        v4.new_output("display_data", {"text/markdown": "## 一、收支\n\n决算收入24192.45万元。",
                                       "text/plain": "x"}),
        v4.new_output("display_data", {"text/html": (
            '<table class="pk-table"><thead><tr><th>项目</th><th>决算数</th></tr></thead>'
            '<tbody><tr><td>收入</td><td>24192.45</td></tr></tbody></table>'
            f'<img src="{PNG}" alt="图表">'), "text/plain": "x"})])])
    path = folder / "doc.ipynb"
    nbformat.write(nb, path)
    meta = ReportMeta(department="测试局", year=2019, title="测试", generated_at="2019-01-01",
                      perfkit_version="", workbook_sha256="")
    out = folder / "outputs" / "test" / "2019"
    written = render_notebook(path, out, "doc", meta, pdf=False, analyst_copy=True)
    index = write_index(folder / "outputs")
    return [Path(written["html"]), Path(written["code.html"]), index]


def _policy(page: Path) -> tuple[str, str]:
    text = page.read_text(encoding="utf-8")
    found = _META.findall(text)
    assert len(found) == 1, page.name
    return found[0], text


def test_every_page_has_one_strict_policy_first_in_its_head(pages):
    for page in pages:
        policy, text = _policy(page)
        head = text.split("</head>")[0]
        assert head.index("Content-Security-Policy") < min(
            head.index(t) for t in ("<style", "<title") if t in head), page.name
        directives = dict(d.partition(" ")[::2] for d in policy.split("; "))
        assert directives["default-src"] == "'none'"
        assert directives["img-src"] == "data:"
        assert directives["base-uri"] == "'none'" and directives["form-action"] == "'none'"
        assert "script-src" not in directives  # default-src 'none': no script of any kind
        assert "<script" not in text
        # Each <style> of the page is allowed by its hash, and nothing else is.
        styles = re.findall(r"<style\b[^>]*>(.*?)</style>", head, re.S)
        hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()
                  + "'" for s in styles}
        assert styles and set(directives["style-src-elem"].split()) == hashes, page.name


def test_policy_of_a_page_without_styles_allows_none():
    page = '<html><head><meta charset="utf-8"><title>x</title></head><body></body></html>'
    assert "style-src-elem 'none'" in content_security_policy(page)
    assert with_csp(page).startswith('<html><head><meta charset="utf-8">\n<meta http-equiv')


def _console(page: Path, profile: Path) -> str:
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    return done.stderr


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (bash .ci/install --dev)")
def test_a_browser_applies_the_page_and_refuses_what_is_injected(pages, tmp_path):
    report = pages[0]
    clean = _console(report, tmp_path / "p1")
    assert "Content Security Policy" not in clean, clean[-2000:]
    hostile = tmp_path / "hostile.html"
    hostile.write_text(report.read_text(encoding="utf-8").replace("</body>", (
        '<style>body{display:none}</style><img src="http://example.invalid/x.png">'
        '<script>document.title="ran"</script></body>')), encoding="utf-8")
    refused = _console(hostile, tmp_path / "p2")
    assert "Content Security Policy" in refused
    for what in ("inline style", "example.invalid", "script"):
        assert re.search(rf"(?i){what}[^\n]*Content Security Policy|Content Security Policy"
                         rf"[^\n]*{what}|{what}[^\n]*violates", refused), (what, refused[-3000:])
