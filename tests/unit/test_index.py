"""outputs/index.html: every department-year listed, links relative, text escaped, offline."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from perfkit.report.index import write_index

EVIL = "<script>alert(1)</script>"


def _manifest(root: Path, dept: str, year: int, **overrides) -> Path:
    folder = root / dept / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "department": dept,
        "department_name": "益阳市教育局",
        "year": year,
        "workbook": f"data/{dept}/{year}.xlsx",
        "workbook_sha256": "ab" * 32,
        "perfkit_version": "0.1.0",
        "generated_at": "2026-11-28T18:00:00+00:00",
        "status": "ok",
        "notebooks": {
            "finance": {
                "status": "ok",
                "html": "finance.html",
                "pdf": "finance.pdf",
                "error": None,
                "failed_copy": None,
            },
        },
        "score": {"total": 85.3, "grade": "良", "claimed": 96.8},
    }
    data.update(overrides)
    for entry in data["notebooks"].values():
        for key in ("html", "pdf", "failed_copy"):
            if entry.get(key):
                (folder / entry[key]).parent.mkdir(parents=True, exist_ok=True)
                (folder / entry[key]).write_text("x", encoding="utf-8")
    path = folder / "manifest.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_lists_every_report_with_relative_links(tmp_path):
    _manifest(tmp_path, "yiyang-edu", 2019)
    _manifest(tmp_path, "yiyang-edu", 2020, score=None)
    _manifest(
        tmp_path,
        "changsha-fin",
        2019,
        department_name="长沙市财政局",
        status="failed",
        notebooks={
            "finance": {"status": "ok", "html": "finance.html", "pdf": "finance.pdf"},
            "summary": {
                "status": "failed",
                "html": None,
                "pdf": None,
                "error": "KeyError: 'x'",
                "failed_copy": "failed/summary.ipynb",
            },
        },
    )
    out = write_index(tmp_path)
    assert out == tmp_path / "index.html"
    page = out.read_text(encoding="utf-8")
    for href in (
        "yiyang-edu/2019/finance.html",
        "yiyang-edu/2019/finance.pdf",
        "yiyang-edu/2020/finance.html",
        "changsha-fin/2019/finance.pdf",
        "changsha-fin/2019/failed/summary.ipynb",
    ):
        assert f'href="{href}"' in page
    for text in ("部门", "年度", "部门自评得分", "复核得分", "运行状态", "益阳市教育局", "长沙市财政局"):
        assert text in page
    assert "85.30" in page and "良" in page and "96.80" in page
    assert "成功" in page and "失败" in page
    assert "KeyError: &#39;x&#39;" in page
    # Department order, then year order.
    assert page.index("changsha-fin/2019") < page.index("yiyang-edu/2019")
    assert page.index("yiyang-edu/2019/") < page.index("yiyang-edu/2020/")
    assert "<script" not in page.lower()
    assert not re.search(r"(src|href)=\"(https?:)?//", page)


def test_escapes_every_text(tmp_path):
    _manifest(
        tmp_path,
        "evil",
        2019,
        department_name=EVIL,
        score={"total": 1, "grade": EVIL},
        notebooks={
            "finance": {"status": "failed", "error": EVIL, "failed_copy": None, "title": EVIL},
        },
        status=EVIL,
    )
    page = write_index(tmp_path).read_text(encoding="utf-8")
    assert EVIL not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()


def test_skipped_and_missing_files(tmp_path):
    path = _manifest(
        tmp_path,
        "yiyang-edu",
        2021,
        status="skipped",
        notebooks={"finance": {"status": "skipped", "error": "笔记本不存在"}},
    )
    (path.parent / "gone.html").unlink(missing_ok=True)
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["notebooks"]["quality"] = {"status": "ok", "html": "gone.html", "pdf": None}
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    page = write_index(tmp_path).read_text(encoding="utf-8")
    assert "跳过" in page and "笔记本不存在" in page
    assert "文件缺失" in page


def test_links_cannot_leave_the_outputs_folder(tmp_path):
    _manifest(
        tmp_path,
        "yiyang-edu",
        2019,
        notebooks={"finance": {"status": "ok", "html": "../../../etc/passwd", "pdf": "/etc/x"}},
    )
    page = write_index(tmp_path).read_text(encoding="utf-8")
    assert "passwd" not in page and "/etc/x" not in page


def test_malformed_manifest_is_listed_not_fatal(tmp_path, caplog):
    _manifest(tmp_path, "yiyang-edu", 2019)
    bad = tmp_path / "broken-dept" / "2019" / "manifest.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json", encoding="utf-8")
    wrong_shape = tmp_path / "shape-dept" / "2020" / "manifest.json"
    wrong_shape.parent.mkdir(parents=True)
    wrong_shape.write_text(json.dumps({"notebooks": ["finance"]}), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="perfkit.report.index"):
        page = write_index(tmp_path).read_text(encoding="utf-8")
    assert page.count("清单损坏") >= 2
    assert "broken-dept/2019/manifest.json" in page
    assert "shape-dept/2020/manifest.json" in page
    assert 'href="yiyang-edu/2019/finance.html"' in page
    assert any("broken-dept" in r.getMessage() for r in caplog.records)


def test_empty_outputs_folder(tmp_path):
    page = write_index(tmp_path).read_text(encoding="utf-8")
    assert "尚无报告" in page
    assert list(tmp_path.iterdir()) == [tmp_path / "index.html"]


def test_every_runner_status_has_its_chinese_word():
    """The index never shows a runner status untranslated ("interrupted" after Ctrl-C)."""
    from perfkit.report.index import STATUS_ZH
    from perfkit.run import engine

    assert {engine.OK, engine.FAILED, engine.SKIPPED, engine.INTERRUPTED} <= set(STATUS_ZH)


def test_a_first_reading_is_listed_as_its_opinion_states_it(tmp_path):
    """score.json of a first reading (range, possible grades): the index words it as the
    复核意见's conclusion table does (perfkit.report.stagetext)."""
    _manifest(tmp_path, "yiyang-edu", 2019, score={
        "total": 24.0, "grade": "差", "claimed": 96.8, "stage": "initial",
        "range": [24.0, 92.0], "possible_grades": ["优", "良", "中", "差"]})
    page = write_index(tmp_path).read_text(encoding="utf-8")
    assert "24.00–92.00（初审）" in page and "优、良、中、差之一" in page
