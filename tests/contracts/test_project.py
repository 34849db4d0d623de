"""Project contracts: dependency lists agree, README commands match CI, registry is complete."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from perfkit import config, domains
from perfkit.indicators.registry import registry

ROOT = config.ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _spec(req: str) -> str:
    """The version bounds of a requirement, normalised (``>=2.5,<2.8``)."""
    from packaging.requirements import Requirement

    return str(Requirement(req.replace("_", "-")).specifier)


def test_environment_yml_matches_pyproject():
    project = _project()
    wanted = {_name(r): _spec(r) for r in project["dependencies"]}
    wanted |= {_name(r): _spec(r) for r in project["optional-dependencies"]["lab"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d): _spec(d) for d in env["dependencies"]
             if isinstance(d, str) and _name(d) not in ("python", "pip")}
    pip_part = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    # Packages conda-forge does not have (typst: its typst is the command-line program) come
    # from PyPI in the pip section, with the same bounds.
    from_pypi = {_name(d): _spec(d) for d in pip_part if d != "-e ."}
    assert not set(conda) & set(from_pypi)
    assert conda | from_pypi == wanted  # the same packages with the same bounds
    assert "-e ." in pip_part


#: Declared but not imported by perfkit's code: what it needs at run time all the same.
RUNTIME_ONLY = {"ipykernel": "the python3 kernel analysts open the notebooks with (JupyterLab)",
                "tzdata": "zone data zoneinfo reads where the system has none (北京时间)"}


def _imported_distributions() -> dict[str, set[str]]:
    """Distribution → perfkit modules importing it (every import, top level or inside code)."""
    import ast
    import importlib.metadata
    import sys

    owners = importlib.metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for path in (ROOT / "perfkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for top in {n.split(".")[0] for n in names}:
                if top in sys.stdlib_module_names or top == "perfkit":
                    continue
                for dist in owners.get(top, [top]):
                    found.setdefault(_name(dist), set()).add(path.name)
    return found


def test_every_import_is_declared_and_every_dependency_used():
    """Issue 12.6: jinja2, pygments, IPython, fontTools, cffi, jupyter_client … were imported
    but not declared; numpy was declared and never imported."""
    project = _project()
    declared = {_name(r) for r in project["dependencies"]}
    optional = {_name(r) for extra in project["optional-dependencies"].values() for r in extra}
    imported = _imported_distributions()
    undeclared = {d: sorted(m) for d, m in imported.items() if d not in declared | optional}
    assert undeclared == {}
    unused = declared - set(imported) - set(RUNTIME_ONLY)
    assert unused == set()


def test_declared_bounds_are_the_ones_the_code_needs():
    from packaging.specifiers import SpecifierSet

    project = _project()
    specs = {_name(r): SpecifierSet(_spec(r)) for r in project["dependencies"]}
    assert not specs["pandera"].contains("0.23.1")  # perfkit.data.schema imports pandera.pandas
    assert not SpecifierSet(project["requires-python"]).contains("3.10")  # tomllib in tests
    # perfkit.run.engine builds on papermill internals: a future papermill is not assumed to fit.
    assert not specs["papermill"].contains("99.0")
    constraints = (ROOT / ".ci" / "constraints.txt").read_text(encoding="utf-8")
    pinned = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", constraints, flags=re.M))
    pinned = {_name(k): v for k, v in pinned.items()}
    assert "perfkit" not in pinned
    for name, spec in specs.items():  # the tested versions satisfy the declared bounds
        assert name in pinned and spec.contains(pinned[name]), name


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = re.findall(r"^\s*(bash \.ci/install.*)$", readme, flags=re.M)
    assert len(set(commands)) == 2, commands
    test_cmd = next(c for c in commands if "pytest" in c)
    assert test_cmd.strip() in ci


def test_pytest_alone_runs_the_fast_tier_and_ci_runs_both():
    """Issue 22 item 8: ``pytest`` with no options leaves the tests marked ``slow`` out; the CI
    command (the README's) runs the fast tier, then the slow one."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["pytest"]["ini_options"]
    assert "-m 'not slow'" in options["addopts"]
    assert any(m.startswith("slow:") for m in options["markers"])
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    [line] = [line for line in ci.splitlines() if "pytest" in line and not line.startswith("#")]
    assert re.findall(r"python -m pytest((?: -m \S+)?)(?= |$)", line) == ["", " -m slow"]


def test_every_indicator_is_fully_declared():
    REGISTRY = registry().indicators
    assert REGISTRY
    units = ("_pct", "_wan_yuan", "_yuan", "_count", "_person_times", "_ratio", "_per_school",
             "_yi_yuan", "_per_capita_yuan", "_persons", "_score", "_points", "_per_100k",
             "_permille", "_years")
    for ind in REGISTRY.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", ind.id), ind.id
        assert ind.id.endswith(units), f"{ind.id}: id should end with its unit suffix"
        assert ind.label_zh and ind.unit and ind.definition_zh and ind.source, ind.id
        assert ind.domain in ("finance", *domains.catalogs()), ind.id


def test_building_perfkit_prints_no_setuptools_warning(tmp_path):
    """Issue 12.7: installing printed setuptools deprecation notices (license table, editable
    install). The editable wheel is built as pip builds it, with every warning shown."""
    import shutil
    import subprocess
    import sys

    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("perfkit", "notebooks"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    build = ("import sys, tempfile\nfrom setuptools import build_meta\n"
             "out = tempfile.mkdtemp()\n"
             "sys.stderr.write(build_meta.build_editable(out) + '\\n')\n")
    done = subprocess.run([sys.executable, "-W", "always", "-c", build], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "editable" in done.stderr  # the wheel's name: the build ran
    # One notice is information, not a warning: notebooks/ is mapped to perfkit.notebooks, so
    # the editable install uses an import finder, and setuptools says so (pip -qq does not show
    # it). Nothing else: no deprecation, no folder the configuration leaves out.
    notices = re.findall(r"^\S+:\d+: (\w+): (.*)$", done.stderr, flags=re.M)
    assert notices == [("InformationOnly", "Editable installation.")], done.stderr


def test_ci_lints_and_type_checks_perfkit_before_the_tests():
    """Issue 12.9: CI ran neither ruff nor a type checker (ruff found 190 problems, mypy 78).
    The lint itself runs here too (fast); mypy runs in .ci/run."""
    import shutil
    import subprocess
    import sys

    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    line = next(ln for ln in ci.splitlines() if "pytest" in ln)
    steps = [s.strip() for s in line.split("&&")]
    assert steps.index(".venv/bin/ruff check perfkit") < steps.index(".venv/bin/python -m pytest")
    assert steps.index(".venv/bin/mypy perfkit") < steps.index(".venv/bin/python -m pytest")
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    assert ruff, "ruff is in the dev extra"
    done = subprocess.run([ruff, "check", "perfkit"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_readme_says_how_to_add_an_extra_to_a_wheel_install():
    """Issue 21.9: a bureau installing from the wheel did not know how to get JupyterLab (the
    ``lab`` extra). The README names the command, quoted for the shell, with an extra that
    exists."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"pip install '(perfkit-[^'\s]*\.whl)\[(\w+)\]'", readme)
    assert ("lab" in {e for _, e in commands}), "README: no `pip install 'perfkit-….whl[lab]'`"
    project = _project()
    for wheel, extra in commands:  # the wheel's real name, an extra it has
        assert wheel == f"perfkit-{project['version']}-py3-none-any.whl", wheel
        assert extra in project["optional-dependencies"], extra
