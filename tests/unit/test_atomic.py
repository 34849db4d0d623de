"""Atomic writes give the file the mode the process umask allows (not the temp-file 0600)."""

from __future__ import annotations

import os
import stat

import pytest

from perfkit.atomic import current_umask, write_bytes_atomic


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX modes")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600),
                                             (0o002, 0o664)])
def test_written_file_gets_the_umask_mode(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        assert current_umask() == umask
        path = write_bytes_atomic(tmp_path / "r.html", b"<html></html>")
        replaced = write_bytes_atomic(path, b"<html>2</html>")  # over an existing file too
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert stat.S_IMODE(replaced.stat().st_mode) == mode
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temp file left
