"""Nothing injected: hostile workbook text is shown as text in every HTML output, never run."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from perfkit import config

pytestmark = pytest.mark.slow

NAME = "<script>alert(1)</script>"
#: Each payload carries "alert(": none may reach a place where a browser would run it.
PAYLOADS = {
    "department_name": NAME,
    "markdown_link": "[点我](javascript:alert(2))",
    "img": "<img src=x onerror=alert(3)>",
    "attr": '"><svg onload=alert(4)>',
    "closing": "</script><script>alert(5)</script>",
    "style": "<style>body{background:url(javascript:alert(6))}</style>",
}
JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data"}


class _Audit(HTMLParser):
    """Collects what a browser would execute, and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.executable: list[str] = []
        self.text: list[str] = []
        self._in: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v or "") for k, v in attrs}
        for k, v in attrs.items():
            if k.startswith("on") and "alert(" in v:
                self.executable.append(f"<{tag} {k}={v!r}>")
            if k in URL_ATTRS and v.strip().lower().startswith("javascript:"):
                self.executable.append(f"<{tag} {k}={v!r}>")
            if k == "style" and "javascript:" in v.lower():
                self.executable.append(f"<{tag} style={v!r}>")
        if tag in ("script", "style"):
            js = tag == "script" and attrs.get("type", "").lower() in JS_TYPES
            self._in.append((tag, js or tag == "style"))

    def handle_endtag(self, tag):
        if self._in and self._in[-1][0] == tag:
            self._in.pop()

    def handle_data(self, data):
        if self._in:
            tag, active = self._in[-1]
            if active and ("alert(" in data or "javascript:" in data.lower()):
                self.executable.append(f"<{tag}>{data[:120]}")
        else:
            self.text.append(data)


def _audit(path: Path) -> _Audit:
    parser = _Audit()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """The finance notebook run by the runner on the sample with hostile text everywhere."""
    from conftest import sample_content

    import perfkit as pk
    from perfkit.runner import run
    from perfkit.synthetic import prepare_project

    root = prepare_project(tmp_path_factory.mktemp("hostile") / "project")
    content = sample_content()
    content["info"]["department_name"] = NAME + PAYLOADS["markdown_link"]
    hostile = list(PAYLOADS.values())
    for i, rec in enumerate(content["targets"][:12]):
        rec["name"] = rec["name"] + hostile[i % len(hostile)]
        rec["note"] = hostile[(i + 1) % len(hostile)]
    for key in ("income", "expenditure", "three_public"):
        for i, cols in enumerate(content[key].values()):
            cols["source"] = hostile[i % len(hostile)]
    for i, rec in enumerate(content["qualitative"]):
        rec["evidence"] = hostile[i % len(hostile)]
    for i, rec in enumerate(content["stated"]):
        rec["statement"] = rec["statement"] + hostile[i % len(hostile)]
    pk.write_workbook(root / "data" / "hostile" / "2019.xlsx", content)

    out = root / "outputs"
    mp = pytest.MonkeyPatch()
    mp.setenv("PERFKIT_ROOT", str(root))
    mp.setenv("PERFKIT_OUTPUTS", str(out))
    for name, value in (("ROOT", root), ("DATA_DIR", root / "data"),
                        ("PARAMS_DIR", root / "params"), ("NOTEBOOKS_DIR", root / "notebooks"),
                        ("OUTPUTS_DIR", out)):
        mp.setattr(config, name, value)
    try:
        results = run([("hostile", 2019)], notebooks=["finance"], outputs=out, pdf=False)
    finally:
        mp.undo()
    return out, results


def test_hostile_workbook_runs(hostile_run):
    _, results = hostile_run
    assert [r.status for r in results] == ["ok"], [(r.notebook, r.error) for r in results]


def test_no_html_output_can_execute_workbook_text(hostile_run):
    out, _ = hostile_run
    pages = sorted(out.rglob("*.html"))
    assert out / "index.html" in pages
    assert any(p.name.startswith("finance") for p in pages)
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        assert "<script>alert" not in raw, page
        assert _audit(page).executable == [], page


@pytest.mark.parametrize("page", ["hostile/2019/finance.html", "index.html"])
def test_department_name_is_shown_as_text(hostile_run, page):
    out, _ = hostile_run
    text = "".join(_audit(out / page).text)
    assert NAME in text, page
