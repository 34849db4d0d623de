"""The sample as its readers get it: file modes, lock placement, reader text and PDF pages.

One run of every notebook of the 2019 sample (HTML and PDF) under umask 022, then checks of
what a colleague on a shared folder, a reviewer reading the HTML and a reader of the PDF see.
"""

from __future__ import annotations

import os
import stat
import subprocess

import pytest

from perfkit.runner import run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    previous = os.umask(0o022)
    try:
        results = run([("yiyang-edu", 2019)], outputs=out, pdf=True)
    finally:
        os.umask(previous)
    assert results and all(r.status == "ok" for r in results), results
    return out


@pytest.fixture(scope="module")
def folder(sample_run):
    return sample_run / "yiyang-edu" / "2019"


def test_every_output_file_is_readable_by_others_under_umask_022(sample_run):
    files = [p for p in sample_run.rglob("*") if p.is_file()]
    assert len(files) > 20
    private = [str(p.relative_to(sample_run)) for p in files
               if not p.stat().st_mode & stat.S_IROTH]
    assert not private, private
    folders = [p for p in sample_run.rglob("*") if p.is_dir()]
    closed = [str(p.relative_to(sample_run)) for p in folders
              if not p.stat().st_mode & stat.S_IXOTH]
    assert not closed, closed
    # umask 022 grants nothing more than 0644 to a file.
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) & 0o133 == 0, p


def test_no_lock_file_among_the_reports(sample_run, folder):
    hidden = sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
    assert hidden == [], hidden
    assert (sample_run / ".locks" / "yiyang-edu" / "2019.lock").is_file()
