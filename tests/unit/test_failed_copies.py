"""A failed notebook's partial copy is a whole notebook or nothing, even on a full disk
(issue 28.11): the journal merge replaces it atomically, and a cut-short copy is not kept."""

from __future__ import annotations

import errno
import json
import pathlib

import pytest

from perfkit.run.engine import keep_failed
from perfkit.run.journal import journal_path, recover


def _partial(tmp_path):
    partial = tmp_path / ".finance.x.partial.ipynb"
    nb = {"cells": [{"cell_type": "code", "source": "1", "outputs": [], "execution_count": None,
                     "metadata": {}}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    partial.write_text(json.dumps(nb), encoding="utf-8")
    out = {"index": 0, "execution_count": 1, "outputs": [{"output_type": "stream",
                                                          "name": "stdout", "text": "x" * 5000}]}
    pathlib.Path(journal_path(partial)).write_text(json.dumps(out) + "\n", encoding="utf-8")
    return partial


def _disk_fills_after(monkeypatch, size):
    """Writes of text stop after ``size`` characters with ENOSPC, as on a full disk."""
    real = pathlib.Path.write_text

    def write_text(self, data, *args, **kwargs):
        real(self, data[:size], *args, **kwargs)
        if len(data) > size:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(pathlib.Path, "write_text", write_text)


def test_merging_the_journal_on_a_full_disk_leaves_the_partial_notebook_whole(tmp_path,
                                                                              monkeypatch):
    partial = _partial(tmp_path)
    before = partial.read_text(encoding="utf-8")
    _disk_fills_after(monkeypatch, 1000)
    try:
        recover(partial)
    except OSError as exc:  # the merge may fail; the notebook must not be cut short
        assert exc.errno == errno.ENOSPC
    assert partial.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [partial.name, pathlib.Path(journal_path(partial)).name])


def test_a_damaged_partial_notebook_is_left_alone_by_the_merge(tmp_path):
    partial = _partial(tmp_path)
    partial.write_text('{"cells": [', encoding="utf-8")
    assert recover(partial) is False
    assert partial.read_text(encoding="utf-8") == '{"cells": ['


def test_a_cut_short_copy_is_not_kept_and_an_earlier_one_stays(tmp_path):
    out = tmp_path / "out"
    (out / "failed").mkdir(parents=True)
    earlier = out / "failed" / "finance.ipynb"
    earlier.write_text('{"cells": []}', encoding="utf-8")
    cut = out / ".finance.x.partial.ipynb"
    cut.write_text('{"cells": [{"cell_type": "co', encoding="utf-8")
    assert keep_failed(cut, out, "finance") is None
    assert not cut.exists()
    assert earlier.read_text(encoding="utf-8") == '{"cells": []}'
    whole = out / ".finance.y.partial.ipynb"
    whole.write_text('{"cells": [1]}', encoding="utf-8")
    assert keep_failed(whole, out, "finance") == "failed/finance.ipynb"


@pytest.mark.parametrize("name", ["ENOSPC", "EDQUOT"])
def test_an_atomic_write_on_a_full_disk_keeps_the_old_file(tmp_path, monkeypatch, name):
    import os

    from perfkit.atomic import write_text_atomic

    target = write_text_atomic(tmp_path / "manifest.json", '{"old": true}')

    def full(fd):
        raise OSError(getattr(errno, name), os.strerror(getattr(errno, name)))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError):
        write_text_atomic(target, '{"new": true}' * 1000)
    assert target.read_text(encoding="utf-8") == '{"old": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]
