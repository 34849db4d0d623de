"""The run manifest keeps only notebooks the project still has (a retired one's reports go)."""

from __future__ import annotations

import json

from perfkit.run.engine import OK, NotebookResult
from perfkit.run.manifest import read_manifest, write_manifest


def test_retired_notebook_leaves_manifest_and_outputs(tmp_path, use_project):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "finance.ipynb").write_text("{}", encoding="utf-8")
    use_project(tmp_path)  # its notebooks/ is tmp_path / "notebooks"
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


def _header(claimed: float, tables_hash: str) -> dict:
    return {"department": "d", "department_name": "部门", "year": 2019,
            "claimed_score": claimed, "tables_hash": tables_hash, "domains": [],
            "score": {"total": claimed - 10, "claimed": claimed}}


def test_after_an_interruption_the_header_stays_that_of_the_reports_in_place(tmp_path):
    """Issue 28.11: Ctrl-C after the tables of changed inputs were written, before any report:
    the manifest (and the index made from it) must not show the new 自评得分 beside the old
    reports; the tables are no longer claimed as cached, so the next run validates again."""
    from perfkit.run.engine import INTERRUPTED

    out = tmp_path / "out"
    out.mkdir()
    first = [NotebookResult("d", 2019, nb, OK, outputs={"html": f"{nb}.html"})
             for nb in ("finance", "review")]
    write_manifest(out, _header(88.5, "old"), first)
    write_manifest(out, _header(77.25, "new"), [
        NotebookResult("d", 2019, nb, INTERRUPTED) for nb in ("finance", "review")])
    manifest = read_manifest(out)
    assert manifest["claimed_score"] == 88.5 and manifest["score"]["claimed"] == 88.5
    assert manifest["tables_hash"] is None
    assert manifest["notebooks"]["review"]["previous_outputs"] == {"html": "review.html"}
    write_manifest(out, _header(77.25, "new"), [  # a new report is in place: its header
        NotebookResult("d", 2019, "finance", OK, outputs={"html": "finance.html"}),
        NotebookResult("d", 2019, "review", INTERRUPTED)])
    manifest = read_manifest(out)
    assert manifest["claimed_score"] == 77.25 and manifest["tables_hash"] == "new"


def test_a_manifest_of_the_wrong_shape_counts_as_absent(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for text in ("[1, 2]", '{"notebooks": [1]}', '{"notebooks": {"finance": 3}}'):
        (out / "manifest.json").write_text(text, encoding="utf-8")
        manifest = read_manifest(out)
        assert isinstance(manifest, dict) and not manifest.get("notebooks")
        write_manifest(out, {"department": "d", "year": 2019}, [
            NotebookResult("d", 2019, "finance", OK, outputs={"html": "finance.html"})])
        assert read_manifest(out)["notebooks"]["finance"]["status"] == OK
