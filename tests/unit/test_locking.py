"""Where the output lock lives (apart from the reports) and the cleanup of the old location."""

from __future__ import annotations

import os

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


def test_an_unwritable_outputs_folder_gets_a_located_message(tmp_path):
    """Issue 28.7: no traceback from filelock or mkdir; the message names the place and the
    fix (a file where the lock folder should be fails as a read-only folder does, even for
    root)."""
    from perfkit.errors import OutputWriteError, PerfkitError

    outputs = tmp_path / "outputs"
    outputs.mkdir()
    (outputs / ".locks").write_text("not a folder")
    with pytest.raises(OutputWriteError) as caught:
        OutputLock(outputs / "d" / "2019").acquire()
    assert isinstance(caught.value, PerfkitError)
    message = str(caught.value)
    assert str(outputs / ".locks") in message and "--outputs" in message
    assert "跳过该部门年度" in message


def _writes_into_read_only_folders(tmp_path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir(mode=0o555)
    try:
        (probe / "x").write_text("")
        return True  # root (CAP_DAC_OVERRIDE)
    except OSError:
        return False
    finally:
        probe.chmod(0o755)


def test_a_read_only_outputs_folder_gets_a_located_message(tmp_path):
    from perfkit.errors import OutputWriteError

    if _writes_into_read_only_folders(tmp_path):
        pytest.skip("this user writes into read-only folders")
    outputs = tmp_path / "outputs"
    (outputs / "d" / "2019").mkdir(parents=True)
    OutputLock(outputs / "d" / "2019").acquire().release()
    lock_path(outputs / "d" / "2019").chmod(0o444)
    for folder in (outputs / ".locks" / "d", outputs / ".locks", outputs / "d", outputs):
        folder.chmod(0o555)
    try:
        with pytest.raises(OutputWriteError, match="没有权限"):
            OutputLock(outputs / "d" / "2019").acquire()
        with pytest.raises(OutputWriteError, match="没有权限"):
            OutputLock(outputs / "e" / "2019").acquire()
    finally:
        for folder in (outputs, outputs / "d", outputs / ".locks", outputs / ".locks" / "d"):
            folder.chmod(0o755)


@pytest.mark.parametrize(("code", "words"), [("ENOSPC", "磁盘已满"), ("EACCES", "没有权限"),
                                              ("EROFS", "只读")])
def test_write_problems_say_where_why_and_what_to_do(code, words):
    import errno

    from perfkit.errors import write_problem

    exc = OSError(getattr(errno, code), os.strerror(getattr(errno, code)), "/x/manifest.json")
    message = write_problem(exc)
    assert message.startswith("无法写入 /x/manifest.json：") and words in message
    assert "请" in message  # what to do
