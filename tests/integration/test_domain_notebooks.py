"""End to end: the sample's three domain reports — one notebook (domain.ipynb) run once per domain
by the runner, outputs named after the domain — executed and rendered."""

from __future__ import annotations

import json
import re

import pytest

from perfkit.run.runner import run

pytestmark = pytest.mark.slow

DOMAINS = ("quality", "aid", "safety")

#: Figures each reviewer copy must state, all computed from the 2019 sample workbook.
EXPECTED = {
    "quality": ("161.98%", "434个（推算）", "112.00%", "857名", "465名", "392名", "350名",
                "17.35%", "40.56%", "21.56%", "715个", "93.96%", "九年义务教育巩固率", "无实际值",
                "公办幼儿园占比", "≥50.00%", "近9000名", "3355人", "93.96%以上"),
    "aid": ("500.05", "588.61", "73.58%", "40347.00万元", "4.04亿元", "60073.01万元",
            "低于标准，需说明", "舍入误差", "72000人 = 588.61元/人",
            "受助75.22万人次，人均63.29元/人次", "受助3847人，人均8279.39元/人"),
    "safety": ("1468所", "450人次/所", "2.18%", "1461所", "中小学封闭化管理比例", "无实际值",
               "全市中小学幼儿园总数", "1000余所"),
}


@pytest.fixture(scope="module")
def domain_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    results = run([("yiyang-edu", 2019)], notebooks=list(DOMAINS), outputs=out, jobs=2)
    return out / "yiyang-edu" / "2019", results


def test_domain_notebooks_run(domain_run):
    folder, results = domain_run
    assert sorted((r.notebook, r.status) for r in results) == [(d, "ok") for d in sorted(DOMAINS)]
    for d in DOMAINS:
        nb = json.loads((folder / f"{d}.ipynb").read_text(encoding="utf-8"))
        injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
        assert f"domain = \"{d}\"" in "".join(injected[0]["source"])


@pytest.mark.parametrize("domain", DOMAINS)
def test_reviewer_html(domain_run, domain):
    folder, _ = domain_run
    html = (folder / f"{domain}.html").read_text(encoding="utf-8")
    assert len(re.findall(r"<img[^>]+src=\"data:image/png", html)) >= 2, "at least two charts"
    assert "数据缺口" in html and "数据核对" in html
    for figure in EXPECTED[domain]:
        assert figure in html, figure
    assert "pk.tables" not in html and "Traceback" not in html


@pytest.mark.parametrize("domain", DOMAINS)
def test_executed_notebook_has_no_errors(domain_run, domain):
    folder, _ = domain_run
    nb = json.loads((folder / f"{domain}.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    charts = [o for o in outputs
              if o.get("data", {}).get("application/vnd.perfkit.block+json", {}).get("t") == "chart"]
    assert len(charts) >= 2
