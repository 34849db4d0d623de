"""State a module keeps between calls is listed here, each with why no project's data is in it.

What perfkit reads from a project (catalogs, the indicators in use, score sheets, workbooks) is
kept on that project (:class:`perfkit.config.Project`), and what is computed for a department-year
on its :class:`~perfkit.assess.evaluation.Evaluation`: two projects in one process never see each
other's (issue 22 item 4; tests/unit/test_two_projects.py shows it). A module-level container
created empty and filled at run time, a context variable or a memoized function is state that
could hold a project's data; each one perfkit has is named below with what it holds instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "perfkit"

#: Modules exempt from the listing (none: the rewrites of issue 22 have landed).
REWRITTEN: set[str] = set()

#: (module, name) → what it holds, and why that is no project's data.
ALLOWED: dict[tuple[str, str], str] = {
    ("config.py", "_CURRENT"): "the project chosen for a context (a command, a test)",
    ("config.py", "_FOUND"): "the one project this process found: a Project, which holds its data",
    ("reads.py", "_ACTIVE"): "the recordings of files read that are in progress",
    ("indicators/base.py", "DECLARED"): "the indicators declared in Python: code",
    ("indicators/metrics.py", "CHECK_HOOKS"): "domain checks declared in Python: code",
    ("indicators/metrics.py", "GAP_HOOKS"): "domain gap finders declared in Python: code",
    ("assess/rulebase.py", "RULE_KINDS"): "the score-sheet rule classes: code",
    ("assess/problems.py", "problem_types"): "perfkit's own resources/problems.yaml",
    ("assess/bureau.py", "bureau_settings"): "perfkit's own resources/bureau.yaml",
    ("assess/reportparagraph.py", "fold_label"): "a pure function of a text",
    ("data/schema.py", "sheet_schema"): "the pandera schema of a sheet of the workbook contract",
    ("report/html.py", "_exporter"): "nbconvert's exporter, the same for every document",
    ("report/html.py", "_jinja_env"): "perfkit's page templates",
    ("report/html.py", "asset"): "a file of perfkit's templates",
    ("report/html.py", "_pygments_css"): "the code highlighting style sheet",
    ("report/layout.py", "_advances"): "the widths of the installed CJK font's Latin glyphs",
    ("run/inprocess.py", "_SHELL"): "the process's notebook shell",
    ("run/inprocess.py", "_EXECUTED"): "the notebook executed last (to save it after an error)",
    ("run/preload.py", "_LOADED"): "whether this process has imported what a worker needs",
    ("run/engine.py", "_STATE"): "the worker's pristine state (rcParams, cwd, warnings), restored per notebook",
    ("run/lifeline.py", "IN_PROGRESS"): "temporary paths of the task this worker is running",
    ("run/lifeline.py", "_LIFELINE"): "the read end of this worker's lifeline to the runner",
    ("run/lifeline.py", "_DEFERRED_TERM"): "a SIGTERM that came while files were moved into place",
    ("run/lifeline.py", "_TEMP_FOLDER"): "the finalizer of this worker's temporary folder",
    ("report/fonts.py", "find_cjk_fonts"): "the CJK font installed on the machine",
    ("report/fonts.py", "find_family"): "an installed font family by name",
    ("report/fonts.py", "latin_advances"): "the widths of an installed font's Latin glyphs",
    ("report/fonts.py", "_register_with_matplotlib"): "matplotlib's name of an installed font",
    ("report/typstpdf.py", "_typst"): "the Typst compiler with the installed fonts",
}

_CONTAINERS = {"dict", "list", "set", "defaultdict", "OrderedDict", "deque",
               "WeakKeyDictionary", "WeakValueDictionary"}
_MEMOIZERS = ("cache", "lru_cache", "cached")


def _state(tree: ast.Module) -> list[str]:
    """Module-level names bound to an empty container or a context variable, and memoized
    module-level functions."""
    found = []
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, ast.AnnAssign) else [])
        called = ""
        if isinstance(value, ast.Call):
            func = value.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        empty = (isinstance(value, ast.Dict) and not value.keys
                 or isinstance(value, ast.List | ast.Set) and not value.elts
                 or called in _CONTAINERS and isinstance(value, ast.Call) and not value.args
                 or called == "ContextVar")
        if empty:
            found += [ast.unparse(t) for t in targets]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                ast.unparse(d).split("(")[0].split(".")[-1] in _MEMOIZERS
                for d in node.decorator_list):
            found.append(node.name)
    return found


def test_module_state_is_listed_with_what_it_holds():
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        if module not in REWRITTEN:
            found |= {(module, name) for name in _state(ast.parse(path.read_text("utf-8")))}
    assert found - set(ALLOWED) == set(), "state not listed in ALLOWED (what does it hold?)"
    assert set(ALLOWED) - found == set(), "listed in ALLOWED but gone: remove it"


def test_the_check_finds_state(tmp_path):
    source = ("import functools, weakref\nfrom contextvars import ContextVar\n"
              "_CACHE: dict = {}\nSEEN = set()\nBY_EV = weakref.WeakKeyDictionary()\n"
              "CURRENT = ContextVar('x')\nWORDS = {'a': 1}\nNAMES = set('ab')\n"
              "@functools.lru_cache(maxsize=8)\ndef load(path): ...\n")
    assert _state(ast.parse(source)) == ["_CACHE", "SEEN", "BY_EV", "CURRENT", "load"]
