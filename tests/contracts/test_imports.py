"""The import graph of perfkit: no cycle, stages import downwards only, imports at module top.

Built with the standard library's ``ast`` from the source files, so it sees every import statement,
those inside functions too (where a cycle hides until the function runs). ``if TYPE_CHECKING:``
blocks are left out: they never run. Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__``
first, so an import also depends on the packages above its target (ARCHITECTURE.md: keep stage
``__init__`` files free of imports).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "perfkit"

#: The stages, lowest first: a module may import its own stage and those before it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("perfkit", "perfkit.errors", "perfkit.config", "perfkit.cells", "perfkit.fmt", "perfkit.verdicts",
     "perfkit.atomic", "perfkit.reads", "perfkit.yamlcheck", "perfkit.rates",
     "perfkit.csvsafe", "perfkit.terminal"),
    ("perfkit.domains",),
    ("perfkit.data",),
    ("perfkit.indicators",),
    ("perfkit.assess",),
    ("perfkit.report",),
    ("perfkit.run",),
    ("perfkit.cli", "perfkit.cliparts"),
)

#: Imports of perfkit modules that stay inside functions, each for a measured start-up cost
#: (figures from ``python -X importtime`` and benchmarks/run_bench.py on the development machine).
LAZY: dict[str, str] = {
    # The command line imports what a command needs when it runs: `perfkit --help` takes 0.13 s;
    # the audit, template and report-text commands would add pandas (0.2 s warm, ~1 s cold).
    "perfkit.cli": "per-command imports",
    "perfkit.cliparts": "per-command imports (the longer command bodies of perfkit.cli)",
    # An unchanged rerun (0.26 s) checks hashes only: loading a workbook and writing tables
    # (pandas, pandera: 0.5 s) happen only when something changed.
    "perfkit.run.runner": "evaluation, tidy tables, the reader and the worker pool only when "
                          "inputs changed",
    # The runner imports the engine on every run, an unchanged rerun too; executing and
    # rendering (papermill, IPython, nbconvert) are imported in the worker.
    "perfkit.run.engine": "executing and rendering in the worker",
    # The forkserver imports it: a failing import must not stop the server (which forks every
    # worker), so the imports are in a function that catches the failure.
    "perfkit.run.preload": "imports guarded for the forkserver",
}


def _module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom,
             known: set[str]) -> list[str]:
    """The perfkit modules an import statement imports."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "perfkit"]
    if node.level:
        base = module.split(".")
        if not is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if source.split(".")[0] != "perfkit":
        return []
    out = []
    for alias in node.names:
        candidate = f"{source}.{alias.name}"
        out.append(candidate if candidate in known else source)
    return out


@functools.cache  # parsed once per run: each test of this module reads the same graph
def import_graph(package: Path = PACKAGE) -> dict[str, dict[str, list[tuple[int, bool]]]]:
    """module → imported module → [(line, inside a function)], perfkit-internal imports only.

    An import of ``a.b.c`` also counts as one of ``a`` and ``a.b`` where the importing module is
    not inside them (their ``__init__`` runs first).
    """
    files = {_module_name(p, package): p for p in sorted(package.rglob("*.py"))}
    known = set(files)
    graph: dict[str, dict[str, list[tuple[int, bool]]]] = {}
    for module, path in files.items():
        edges: dict[str, list[tuple[int, bool]]] = {}
        own = module.split(".")
        own_parents = {".".join(own[:i]) for i in range(1, len(own) + 1)}

        def visit(node: ast.AST, in_function: bool, module=module, path=path, edges=edges,
                  own_parents=own_parents) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                    continue
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    for target in _targets(module, path.name == "__init__.py", child, known):
                        parts = target.split(".")
                        for i in range(1, len(parts) + 1):
                            name = ".".join(parts[:i])
                            if name in known and name != module and (
                                    name == target or name not in own_parents):
                                edges.setdefault(name, []).append((child.lineno, in_function))
                visit(child, in_function or isinstance(
                    child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

        visit(ast.parse(path.read_text(encoding="utf-8")), False)
        graph[module] = edges
    return graph


def find_cycle(graph: dict[str, dict[str, list[tuple[int, bool]]]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, …, a]``, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = walk(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = walk(start)
            if found:
                return found
    return None


def _layer(module: str) -> int:
    best, level = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, level = len(p), i
    return level


def test_no_import_cycle_inside_perfkit():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_every_module_belongs_to_a_stage():
    unplaced = [m for m in import_graph() if _layer(m) < 0]
    assert not unplaced, f"modules outside every stage of LAYERS: {unplaced}"


def test_stages_import_downwards_only():
    upward = [f"{m} ({_layer(m)}) imports {t} ({_layer(t)}) at line {line}"
              for m, edges in import_graph().items() for t, places in edges.items()
              for line, _ in places if _layer(t) > _layer(m) and m != "perfkit"]
    assert not upward, "\n".join(upward)


def test_perfkit_imports_are_at_module_top():
    """Imports inside functions hide cycles; only LAZY modules keep some, for start-up time."""
    inside = [f"{m}:{line} imports {t}" for m, edges in import_graph().items() if m not in LAZY
              for t, places in edges.items() for line, in_function in places if in_function]
    assert not inside, "\n".join(inside)


# ---------------------------------------------------------------------------------------------
# The checks above can fail: on a small package written here
# ---------------------------------------------------------------------------------------------


def _package(root: Path, files: dict[str, str]) -> Path:
    pkg = root / "perfkit"
    for name, text in files.items():
        path = pkg / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return pkg


@pytest.mark.parametrize("files", [
    # a cycle at module top
    {"__init__.py": "", "a.py": "from perfkit import b\n", "b.py": "from perfkit.a import x\n"},
    # a cycle hidden in a function, through a relative import
    {"__init__.py": "", "data/__init__.py": "", "data/a.py": "def f():\n    from ..run import b\n",
     "run/__init__.py": "", "run/b.py": "from perfkit.data import a\n"},
    # a cycle through a package's __init__, which runs before any module of the package
    {"__init__.py": "", "assess/__init__.py": "from perfkit.report import tables\n",
     "assess/figures.py": "", "report/__init__.py": "",
     "report/tables.py": "from perfkit.assess.figures import f\n"},
], ids=["top", "in-function", "package-init"])
def test_a_cycle_is_found(tmp_path, files):
    assert find_cycle(import_graph(_package(tmp_path, files))) is not None


def test_no_cycle_is_found_where_there_is_none(tmp_path):
    files = {"__init__.py": "", "a.py": "import perfkit.b\n", "b.py": "from typing import TYPE_CHECKING\n"
             "if TYPE_CHECKING:\n    from perfkit import a\n"}
    assert find_cycle(import_graph(_package(tmp_path, files))) is None
