"""The wheel's contents: every package folder is listed, and the data a project needs ships."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from perfkit import config

REPO = Path(__file__).resolve().parents[2]
SETUPTOOLS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "setuptools"]


def test_every_package_folder_is_listed():
    """Code folders and data folders alike (an unlisted data folder makes setuptools warn)."""
    dirs = SETUPTOOLS["package-dir"]
    found = {".".join(p.relative_to(REPO).parts)
             for p in [REPO / "perfkit", *(REPO / "perfkit").rglob("*")]
             if p.is_dir() and "__pycache__" not in p.parts}
    found |= {name for name, folder in dirs.items() if (REPO / folder / "__init__.py").is_file()}
    assert set(SETUPTOOLS["packages"]) == found


def test_notebooks_catalogs_and_score_sheets_ship_as_package_data():
    data = SETUPTOOLS["package-data"]
    assert SETUPTOOLS["package-dir"]["perfkit.notebooks"] == "notebooks"
    assert "*.ipynb" in data["perfkit.notebooks"]
    assert "*.yaml" in data["perfkit.domains"]
    assert "*.yaml" in data["perfkit.score_sheets"]
    assert data["perfkit.templates"] == ["*"] and "*.yaml" in data["perfkit.resources"]
    assert config.package_notebooks_dir() == (REPO / "notebooks").resolve()
    assert sorted(p.stem for p in config.PACKAGE_DOMAINS_DIR.glob("*.yaml")) == [
        "aid", "health", "quality", "safety"]
    assert {p.stem for p in config.PACKAGE_SCORE_SHEETS_DIR.glob("*.yaml")} == {
        "input-process-output-outcome", "cz-2020-10", "decision-process-output-benefit"}


def test_config_imports_from_a_plain_checkout(tmp_path):
    """Issue 22 item 7: ``import perfkit.config`` with nothing but the checkout on the path (no
    install, no site-packages: ``-I -S``) works; perfkit's own notebooks (the installed package
    perfkit.notebooks) are then looked for only when asked, and their absence is said."""
    code = (f"import sys; sys.path.insert(0, {str(REPO)!r}); import perfkit.config as c; "
            "print(c.__file__); print(c.notebook_path('report'))\n"
            "try:\n    c.package_notebooks_dir()\nexcept c.PerfkitError as exc:\n    print(exc)")
    done = subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    module, notebook, missing = done.stdout.splitlines()
    assert Path(module) == REPO / "perfkit" / "config.py"
    assert Path(notebook) == REPO / "notebooks" / "report.ipynb"  # the checkout's own project
    assert "pip install -e ." in missing
