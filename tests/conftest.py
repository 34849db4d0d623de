"""Shared fixtures: the 2019 sample, and workbooks built from it with changes."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import importlib.util
from pathlib import Path

import pytest

import perfkit as pk
from perfkit import config

SAMPLE_WORKBOOK = config.DATA_DIR / "yiyang-edu" / "2019.xlsx"


def sample_content() -> dict:
    """A deep copy of the sample's transcribed content (data/yiyang-edu/transcribe_2019.py)."""
    path = config.DATA_DIR / "yiyang-edu" / "transcribe_2019.py"
    spec = importlib.util.spec_from_file_location("transcribe_2019", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return copy.deepcopy(module.CONTENT)


@pytest.fixture(scope="session")
def sample_ev() -> pk.Evaluation:
    """The validated 2019 sample evaluation."""
    return pk.load("yiyang-edu", 2019)


@pytest.fixture
def make_workbook(tmp_path):
    """Write a workbook from the sample content after applying ``change(content)``."""

    def make(change=None, name: str = "wb.xlsx") -> Path:
        content = sample_content()
        if change:
            change(content)
        return pk.write_workbook(tmp_path / name, content)

    return make


@pytest.fixture
def make_ev(make_workbook):
    """Build an Evaluation from a changed sample workbook and optional settings overrides."""
    from perfkit.assess.evaluation import Evaluation
    from perfkit.data.params import settings_from_dict

    def make(change=None, **settings) -> pk.Evaluation:
        path = make_workbook(change)
        data = pk.load_workbook(path)
        return Evaluation(data, settings_from_dict({"department": "test", "year": data.year,
                                                    **settings}))

    return make


@pytest.fixture
def use_project():
    """``use_project(root, outputs=None)`` makes the project in folder ``root`` the current one
    (:func:`perfkit.config.current`) until the test ends, and returns it."""
    with contextlib.ExitStack() as stack:
        def use(root, outputs=None) -> config.Project:
            return stack.enter_context(config.using(config.Project.at(root, outputs)))

        yield use


def with_outputs(ev: pk.Evaluation, outputs: Path) -> pk.Evaluation:
    """``ev`` in a project whose outputs folder is ``outputs`` (the same data and settings)."""
    return dataclasses.replace(ev, project=config.Project.at(ev.project.root, outputs))


@pytest.fixture
def sample_project(tmp_path, use_project):
    """A copy of the sample's data and settings, the current project for the test."""
    import shutil

    root = tmp_path / "proj"
    shutil.copytree(config.DATA_DIR / "yiyang-edu", root / "data" / "yiyang-edu")
    shutil.copytree(config.PARAMS_DIR / "yiyang-edu", root / "params" / "yiyang-edu")
    use_project(root)
    return root
