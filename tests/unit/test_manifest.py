"""The run manifest keeps only notebooks the project still has (a retired one's reports go)."""

from __future__ import annotations

import json

from perfkit import config
from perfkit.run.engine import OK, NotebookResult
from perfkit.run.runner import read_manifest, write_manifest


def test_retired_notebook_leaves_manifest_and_outputs(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "finance.ipynb").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("summary.html", "summary.pdf", "finance.html", "keep.txt"):
        (out / name).write_text("x", encoding="utf-8")
    old = {"notebooks": {
        "summary": {"status": OK, "outputs": {"html": "summary.html", "pdf": "summary.pdf"}},
        "escape": {"status": OK, "outputs": {"html": "../keep-me.txt"}},
    }}
    (tmp_path / "keep-me.txt").write_text("x", encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps(old), encoding="utf-8")
    result = NotebookResult("d", 2019, "finance", OK, outputs={"html": "finance.html"})
    write_manifest(out, {"department": "d", "year": 2019}, [result])
    assert set(read_manifest(out)["notebooks"]) == {"finance"}
    assert not (out / "summary.html").exists() and not (out / "summary.pdf").exists()
    assert (out / "finance.html").exists() and (out / "keep.txt").exists()
    assert (tmp_path / "keep-me.txt").exists()  # never outside the output folder


def test_a_domain_dropped_from_the_settings_leaves_manifest_and_outputs(tmp_path):
    """quality and aid were domains of the year; the settings now list quality only: aid's
    entry and reports go on the next run, quality's stay (the runner writes the domains)."""
    out = tmp_path / "out"
    out.mkdir()
    old = {"notebooks": {}}
    for name in ("quality", "aid", "report"):
        for ext in ("html", "pdf", "ipynb"):
            (out / f"{name}.{ext}").write_text("x", encoding="utf-8")
        old["notebooks"][name] = {"status": OK, "outputs": {
            ext: f"{name}.{ext}" for ext in ("html", "pdf", "ipynb")}}
    (out / "manifest.json").write_text(json.dumps(old), encoding="utf-8")
    result = NotebookResult("d", 2019, "report", OK, outputs={"html": "report.html"})
    write_manifest(out, {"department": "d", "year": 2019, "domains": ["quality"]}, [result])
    manifest = read_manifest(out)
    assert set(manifest["notebooks"]) == {"report", "quality"}
    assert manifest["domains"] == ["quality"]
    assert not list(out.glob("aid.*"))
    assert (out / "quality.html").exists() and (out / "quality.pdf").exists()
