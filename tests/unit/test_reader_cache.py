"""load_workbook keeps recently read workbooks (on the project: perfkit.config.Project.cached) and
never shares them."""

from __future__ import annotations

import shutil

from conftest import SAMPLE_WORKBOOK

from perfkit.data import reader


def test_a_cached_workbook_is_a_copy_and_a_changed_file_is_read_again(tmp_path, monkeypatch,
                                                                       use_project):
    path = tmp_path / "2019.xlsx"
    shutil.copy(SAMPLE_WORKBOOK, path)
    reads = []
    real = reader._load
    monkeypatch.setattr(reader, "_load", lambda *a: reads.append(a) or real(*a))
    use_project(tmp_path)  # a project of its own: nothing kept yet

    first = reader.load_workbook(path, expected_year=2019)
    first.info["department_name"] = "改过的名字"  # a caller changing its copy
    second = reader.load_workbook(path, expected_year=2019)
    assert len(reads) == 1  # the second came from the cache …
    assert second.info["department_name"] != "改过的名字"  # … as a copy of what was read

    reader.load_workbook(path, expected_year=None)
    assert len(reads) == 2  # other arguments: read again

    path.write_bytes(SAMPLE_WORKBOOK.read_bytes())  # written again, same content: still cached
    reader.load_workbook(path, expected_year=2019)
    assert len(reads) == 2
    with open(path, "ab") as fh:  # new content (a zip ignores trailing bytes): read again
        fh.write(b"\0")
    reader.load_workbook(path, expected_year=2019)
    assert len(reads) == 3


def test_the_cache_keeps_a_bounded_number_of_workbooks(tmp_path, use_project):
    project = use_project(tmp_path)
    for n in range(reader.CACHE_SIZE + 3):
        path = tmp_path / f"copy{n}" / "2019.xlsx"
        path.parent.mkdir()
        shutil.copy(SAMPLE_WORKBOOK, path)
        reader.load_workbook(path, expected_year=2019)
    _, kept = project._memo["workbooks"]
    assert len(kept) == reader.CACHE_SIZE
