"""Importing one perfkit module loads what it imports and nothing else (ARCHITECTURE.md).

Each module is imported alone in a fresh interpreter — forked, one per module, from an interpreter
that has imported the third-party packages perfkit uses but no perfkit module, so that the whole
package takes seconds — and the perfkit modules it loaded are compared with what its import
statements reach (tests/contracts/test_imports.py's graph: the modules it imports at its top,
theirs, and the packages above each, whose ``__init__`` runs first). A stage's ``__init__`` that
imports its modules, or a module importing a sibling through its package, shows up here: the
module pulls in more than it names. No module pulls in one of a later stage.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap

import pytest
from test_imports import LAZY, PACKAGE, _layer, _module_name, _targets

# Slow tier (a fresh interpreter per module): CI runs it (.ci/run); pytest alone leaves it out.
pytestmark = pytest.mark.slow

#: Runs in the fresh interpreter: imports the third-party packages named on stdin, then forks one
#: child per perfkit module, which imports it and prints the perfkit modules loaded (as JSON).
CHILD = textwrap.dedent("""
    import importlib, json, os, sys, warnings
    warnings.simplefilter("ignore")
    wanted = json.loads(sys.stdin.read())
    for name in wanted["third_party"]:
        try:
            importlib.import_module(name)
        except Exception:
            pass
    assert not [m for m in sys.modules if m == "perfkit" or m.startswith("perfkit.")]
    for module in wanted["modules"]:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                importlib.import_module(module)
                out = {"loaded": sorted(m for m in sys.modules
                                        if m == "perfkit" or m.startswith("perfkit."))}
            except BaseException as exc:
                out = {"error": f"{type(exc).__name__}: {exc}"}
            os.write(write, json.dumps(out).encode())
            os._exit(0)
        os.close(write)
        chunks = []
        while chunk := os.read(read, 65536):
            chunks.append(chunk)
        os.close(read)
        os.waitpid(pid, 0)
        print(json.dumps({"module": module, **json.loads(b"".join(chunks) or b"{}")}))
""")


#: Every perfkit module by name, with its file.
PACKAGES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _third_party() -> list[str]:
    """Top-level names of the non-perfkit packages perfkit's modules import at their top."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.split(".")[0])
    return sorted(names - {"perfkit", "__future__"})


def _imports(module: str) -> set[str]:
    """The perfkit modules ``module`` names in its import statements: those at its top, and for
    the modules test_imports.LAZY lists those in its functions too (perfkit.run.preload imports
    everything a worker needs when it is imported)."""
    path = PACKAGES[module]
    out: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom) and (
                    not in_function or module in LAZY):
                out.update(_targets(module, path.name == "__init__.py", child, set(PACKAGES)))
            visit(child, in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return out


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _reached(module: str) -> set[str]:
    """The perfkit modules importing ``module`` may load: it and what it imports, transitively,
    and the packages above each (their ``__init__`` runs first; a stage's holds a docstring only,
    so what it might import is not reached). The package ``perfkit`` itself is followed: its
    public API imports display formatting and the errors."""
    followed: set[str] = set()
    todo = [module, "perfkit"]
    while todo:
        m = todo.pop()
        if m not in followed:
            followed.add(m)
            todo += _imports(m)
    return followed | {p for m in followed for p in _parents(m)}


@pytest.fixture(scope="module")
def loaded() -> dict[str, dict]:
    """Module → what importing it alone loaded (or the error it raised)."""
    if not hasattr(__import__("os"), "fork"):
        pytest.skip("needs os.fork")
    modules = sorted(PACKAGES)
    done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(
        {"third_party": _third_party(), "modules": modules}), capture_output=True, text=True,
        timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = {r["module"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert set(found) == set(modules)
    return found


def test_every_module_imports_alone(loaded):
    failed = {m: r["error"] for m, r in loaded.items() if "error" in r}
    assert not failed, failed


def test_a_module_loads_only_what_its_imports_reach(loaded):
    """Issue 22 item 7: ``import perfkit.indicators.base`` loaded the registry, the catalogs and
    every indicator module, because the stage's ``__init__`` imported them."""
    extra = {m: sorted(set(r["loaded"]) - _reached(m))
             for m, r in loaded.items() if "loaded" in r}
    extra = {m: e for m, e in extra.items() if e}
    assert not extra, extra


def test_no_module_loads_one_of_a_later_stage(loaded):
    later = {m: [x for x in r["loaded"] if _layer(x) > _layer(m) and m != "perfkit"]
             for m, r in loaded.items() if "loaded" in r}
    later = {m: x for m, x in later.items() if x}
    assert not later, later


def test_a_stage_init_holds_a_docstring_only():
    """ARCHITECTURE.md: the stage folders' ``__init__.py`` hold a docstring only."""
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        body = ast.parse(init.read_text(encoding="utf-8")).body
        if init.parent.name == "domains":  # the catalogs' loader is the package itself
            continue
        code = [n for n in body if not (isinstance(n, ast.Expr)
                                        and isinstance(n.value, ast.Constant))]
        assert not code, f"{init.relative_to(PACKAGE.parent)}: {ast.unparse(code[0])}"
