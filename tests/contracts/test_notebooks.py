"""Notebook hygiene: committed without outputs, one typed parameters cell, no logic in cells."""

from __future__ import annotations

import ast
import json

import pytest

from perfkit import config

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


def test_finance_notebook_exists():
    assert config.NOTEBOOKS_DIR / "finance.ipynb" in NOTEBOOKS


def test_one_notebook_serves_every_domain():
    """No notebook per domain: domain.ipynb takes the catalog key as its ``domain`` parameter."""
    assert sorted(p.stem for p in NOTEBOOKS) == sorted(config.NOTEBOOK_FILES)
    nb = json.loads((config.NOTEBOOKS_DIR / "domain.ipynb").read_text(encoding="utf-8"))
    params = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    assert "domain: str = " in _src(params)
    calls = "".join(_src(c) for c in _code(nb))
    assert "quality" not in calls.replace('domain: str = "quality"', "")  # nothing domain-specific


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def nb(request):
    return json.loads(request.param.read_text(encoding="utf-8"))


def _code(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _src(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_committed_without_outputs(nb):
    for cell in _code(nb):
        assert cell.get("outputs") == [] and cell.get("execution_count") is None


def test_first_cell_imports_perfkit_and_one_parameters_cell(nb):
    code = _code(nb)
    assert _src(code[0]).strip() == "import perfkit as pk"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code[1]
    tree = ast.parse(_src(tagged[0]))
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), "parameters are typed assignments"
        assert isinstance(node.value, ast.Constant), "parameters are literals"
    for line in _src(tagged[0]).splitlines():
        assert "#" in line, f"every parameter has a Chinese comment: {line}"


_FORBIDDEN = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While,
              ast.Lambda, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.If,
              ast.Import, ast.ImportFrom, ast.Subscript, ast.With, ast.Try)


def test_cells_only_call_the_package(nb):
    for cell in _code(nb)[2:]:
        tree = ast.parse(_src(cell))
        for node in ast.walk(tree):
            assert not isinstance(node, _FORBIDDEN), f"logic in a notebook cell: {_src(cell)}"
        for stmt in tree.body:
            value = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
            assert isinstance(value, ast.Call), f"a cell statement must be a pk.* call: {_src(cell)}"
            root = value.func
            while isinstance(root, ast.Attribute):
                root = root.value
            assert isinstance(root, ast.Name) and root.id == "pk", _src(cell)


def _generator():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "notebooks" / "build_notebooks.py"
    spec = importlib.util.spec_from_file_location("build_notebooks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_writes_every_committed_notebook():
    """notebooks/build_notebooks.py is the one source of the cells: each committed notebook is
    exactly what it writes (run ``python notebooks/build_notebooks.py`` after editing it)."""
    generator = _generator()
    assert sorted(generator.NOTEBOOKS) == sorted(p.stem for p in NOTEBOOKS)
    stale = [p.name for p in NOTEBOOKS
             if p.read_text(encoding="utf-8") != generator.text(p.stem)]
    assert not stale, (f"{stale} differ from what notebooks/build_notebooks.py writes: edit the "
                       "generator, run it, and commit both")

