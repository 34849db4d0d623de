"""perfkit held to real published report passages (issue #25): tests/corpus/real/passages.yaml,
each claim verified by hand with its source. Precision first: no 不一致 where the report is
right, every real error found; recall of right verdicts at least 90 % of the verifiable claims.
The figures by class are printed by benchmarks/audit_corpus.py, which these tests share."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from perfkit import config
from perfkit.assess import reporttext as rt

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "corpus" / "real" / "passages.yaml"
PASSAGES = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
VERDICTS = {"一致", "舍入差异", "不一致", "未解释差额", "无法核对"}


def _bench():
    spec = importlib.util.spec_from_file_location("audit_corpus", REPO / "benchmarks" / "audit_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


@pytest.fixture(scope="module")
def judged():
    """The corpus audited as a bureau outside any project audits a report it received."""
    with config.using(config.outside()):
        return BENCH.judge_claims(PASSAGES, rt.load_catalog())


def test_the_corpus_is_real_and_wide():
    assert len(PASSAGES) >= 30
    assert len({p["department"] for p in PASSAGES}) >= 10
    assert len({p["field"] for p in PASSAGES}) >= 5
    assert len({p["id"] for p in PASSAGES}) == len(PASSAGES)
    for p in PASSAGES:
        assert re.match(r"https?://", p["source"]), p["id"]
        for claim in p["claims"]:
            assert claim["verdict"] in VERDICTS and claim["class"] and claim["why"], (p["id"], claim)
            assert BENCH._bare(claim["stated"]) in re.sub(r"\s+", "", p["text"]), (p["id"], claim)


def test_no_false_alarm(judged):
    """A 不一致 only where the published text is wrong: a correct report exits 0."""
    assert judged["false_alarms"] == []


def test_every_real_error_is_found(judged):
    errors = [r for r in judged["results"] if r["claim"].get("error")]
    assert len(errors) >= 3
    missed = [(r["passage"], r["claim"]["stated"], r["got"]) for r in errors if r["got"] != "不一致"]
    assert missed == []


def test_no_trap_is_judged(judged):
    """Claims that look checkable and are not: 无法核对 or silence, never a verdict."""
    wrong = [(r["passage"], r["claim"]["stated"], r["got"]) for r in judged["results"]
             if r["claim"]["verdict"] == "无法核对" and not r["right"]]
    assert wrong == []


def test_recall_of_right_verdicts(judged):
    total = BENCH.summary(judged)["全部"]
    assert total["right_verifiable"] / total["verifiable"] >= 0.90, total


def test_a_received_report_is_audited_outside_any_project(tmp_path):
    """README "Auditing a report file": a bureau's own folder, no perfkit.toml anywhere above."""
    passage = next(p for p in PASSAGES if p["id"] == "daying-unit-2023-final")
    report = tmp_path / "received.txt"
    report.write_text(passage["text"] + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PERFKIT_ROOT", "PERFKIT_OUTPUTS")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env["COLUMNS"] = "220"
    out = tmp_path / "out.csv"
    done = subprocess.run([sys.executable, "-m", "perfkit.cli", "audit", "--report", str(report),
                           "--out", str(out)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr  # the two real errors
    assert "不一致2项" in done.stdout and "不在 perfkit 项目中" not in done.stdout + done.stderr
    assert not (tmp_path / "outputs").exists()
