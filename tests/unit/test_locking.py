"""Where the output lock lives (apart from the reports) and the cleanup of the old location."""

from __future__ import annotations

import pytest

from perfkit.run.locking import LEGACY_LOCK_NAME, OutputLock, OutputLocked, lock_path


def test_lock_of_a_department_year_is_under_outputs_locks(tmp_path):
    folder = tmp_path / "outputs" / "yiyang-edu" / "2019"
    assert lock_path(folder) == (tmp_path / "outputs" / ".locks" / "yiyang-edu" / "2019.lock")
    assert lock_path(tmp_path / "other") == tmp_path / ".locks" / "other.lock"


def test_lock_leaves_the_report_folder_clean_and_still_excludes(tmp_path):
    folder = tmp_path / "outputs" / "d" / "2019"
    with OutputLock(folder):
        assert list(folder.iterdir()) == []  # nothing among the reports
        assert lock_path(folder).exists()
        assert lock_path(folder).with_name("2019.lock.json").exists()  # who holds it
        with pytest.raises(OutputLocked, match="进程"):
            OutputLock(folder).acquire()
    assert not lock_path(folder).with_name("2019.lock.json").exists()


def test_an_old_lock_file_among_the_reports_is_removed(tmp_path):
    folder = tmp_path / "outputs" / "d" / "2019"
    folder.mkdir(parents=True)
    (folder / LEGACY_LOCK_NAME).write_text("")
    (folder / (LEGACY_LOCK_NAME + ".json")).write_text("{}")
    (folder / "finance.html").write_text("<html></html>")
    OutputLock(folder).acquire().release()
    assert sorted(p.name for p in folder.iterdir()) == ["finance.html"]
