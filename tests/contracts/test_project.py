"""Project contracts: dependency lists agree, README commands match CI, registry is complete."""

from __future__ import annotations

import re
import tomllib

import yaml

from perfkit import config, domains
from perfkit.indicators import REGISTRY, load_all

ROOT = config.ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["lab"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pip_part = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert conda == wanted
    assert "-e ." in pip_part


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = re.findall(r"^\s*(bash \.ci/install.*)$", readme, flags=re.M)
    assert len(set(commands)) == 2, commands
    test_cmd = next(c for c in commands if "pytest" in c)
    assert test_cmd.strip() in ci


def test_every_indicator_is_fully_declared():
    load_all()
    assert REGISTRY
    units = ("_pct", "_wan_yuan", "_yuan", "_count", "_person_times", "_ratio", "_per_school",
             "_yi_yuan", "_per_capita_yuan", "_persons", "_score", "_points", "_per_100k",
             "_permille", "_years")
    for ind in REGISTRY.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", ind.id), ind.id
        assert ind.id.endswith(units), f"{ind.id}: id should end with its unit suffix"
        assert ind.label_zh and ind.unit and ind.definition_zh and ind.source, ind.id
        assert ind.domain in ("finance", *domains.catalogs()), ind.id
