"""A project's notebooks/ copy that ``perfkit init`` made from an earlier perfkit, never edited,
gives way to perfkit's current notebook; an edited copy runs as the project wrote it."""

from __future__ import annotations

import json
import shutil

from perfkit import config


def _copy(tmp_path, name="review"):
    shipped = config.package_notebooks_dir() / f"{name}.ipynb"
    own = tmp_path / "notebooks" / f"{name}.ipynb"
    own.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shipped, own)
    return shipped, own


def _edit(path, source, restamp):
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"][-1]["source"] = source
    if restamp:  # as an earlier perfkit shipped it: its stamp matches its cells
        nb["metadata"]["perfkit"]["cells_sha256"] = config.cells_stamp(nb)
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def test_perfkits_notebooks_carry_the_stamp_of_their_cells():
    for path in config.package_notebooks_dir().glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["metadata"]["perfkit"]["cells_sha256"] == config.cells_stamp(nb), path.name


def test_an_unedited_copy_of_an_earlier_version_gives_way(tmp_path, use_project):
    project = use_project(tmp_path)
    shipped, own = _copy(tmp_path)
    assert config.notebook_path("review", project) == own  # the current version, copied
    _edit(own, "pk.review.conclusion(ev)", restamp=True)  # what an earlier perfkit shipped
    assert config.notebook_path("review", project) == shipped
    # Opened and run in JupyterLab (outputs, execution counts): still unedited.
    nb = json.loads(own.read_text(encoding="utf-8"))
    nb["cells"][-1]["outputs"], nb["cells"][-1]["execution_count"] = [{"output_type": "stream",
                                                                       "name": "stdout",
                                                                       "text": "x"}], 3
    own.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    assert config.notebook_path("review", project) == shipped


def test_an_edited_copy_is_the_projects_own(tmp_path, use_project):
    project = use_project(tmp_path)
    _, own = _copy(tmp_path)
    _edit(own, "pk.review.main_problems(ev)  # 我们自己的版本", restamp=False)
    assert config.notebook_path("review", project) == own
    own.write_text("not a notebook", encoding="utf-8")  # unreadable: the project's, as it is
    assert config.notebook_path("review", project) == own
