"""The coqlib benchmark: held-out theorems opened with their file's text before them (no
preamble), the committed sample, a run through the miniF2F runner with checked proofs and
one report row per library."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.cli import main
from benchmarks.coqlib import (HAMMER_IMPORT, SAMPLE_SIZE, choose_sample, heldout_theorems, library_of_problem, load_coqlib,
                               read_sample, with_hammer)
from benchmarks.report import write_report
from benchmarks.results import read_manifest, read_records
from train.libraries import LIBRARIES, coq_root

pytestmark = pytest.mark.requires_coq

BOOL = "stdlib:theories/Bool/Bool.v:"
# Bool.v proves these with its own `destr_bool` (defined at the top of the file, so in the context)
BOOL_PROBLEMS = [BOOL + n for n in ("andb_diag", "negb_involutive", "negb_orb", "negb_andb", "eqb_reflx",
                                    "negb_sym", "eqb_prop", "not_true_is_false")]
SSR_PROBLEM = "mathcomp-ssreflect:user-contrib/mathcomp/ssreflect/eqtype.v:contra_not_eq"


def test_sample_is_committed_and_spread_over_the_libraries():
    sample = read_sample()
    per_library = Counter(map(library_of_problem, sample))
    assert len(sample) == len(set(sample)) == SAMPLE_SIZE
    assert len(per_library) >= 30 and max(per_library.values()) <= 11  # 32 libraries with held-out theorems
    installed = {name for name, lib in LIBRARIES.items() if lib.installed(coq_root())}
    names = [t.meta["problem"] for t in heldout_theorems()]
    assert {n for n in sample if library_of_problem(n) in installed} <= set(names)
    if installed == set(LIBRARIES):  # the corpus is installed: the sample is the seeded choice
        assert choose_sample(names) == sample


def test_a_problem_is_its_file_before_the_statement_without_preamble():
    theorems = {t.meta["problem"]: t for t in load_coqlib("heldout")}
    theorem = theorems[BOOL + "andb_diag"]
    source = (coq_root() / "theories/Bool/Bool.v").read_text()
    assert theorem.statement == "Lemma andb_diag : forall b, b && b = b."
    assert theorem.context == source[: source.index(theorem.statement)]  # earlier proofs kept, nothing added
    assert "Ltac destr_bool" in theorem.context and theorem.context.count("Qed.") > 40
    assert theorem.meta["coq_flags"] == () and theorem.meta["library"] == "stdlib"
    ssr = theorems[SSR_PROBLEM]
    assert "-R" in ssr.meta["coq_flags"] and ssr.context.startswith(
        (coq_root() / ssr.meta["file"]).read_text()[:200])
    hammered = with_hammer(theorem)
    assert hammered.context.startswith(theorem.context) and hammered.context.endswith(HAMMER_IMPORT)
    sample = load_coqlib("sample")
    assert all(t.meta["split"] == "sample" for t in sample) and len(sample) <= SAMPLE_SIZE
    with pytest.raises(ValueError):
        load_coqlib("test")


@pytest.mark.parametrize("argv, words", [
    (["--split", "test"], "not a split of coqlib"),
    (["--system", "lean"], "Coq tactic search"),
    (["--mode", "i2f"], "Coq tactic search"),
])
def test_bad_coqlib_input_is_one_line_and_exit_code_2(argv, words, capsys, tmp_path):
    assert main(["run", "--benchmark", "coqlib", "--out", str(tmp_path / "out"), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err
    assert main(["run", "--hammer", "--out", str(tmp_path / "out")]) == 2
    assert "--hammer" in capsys.readouterr().err


def coqlib_argv(out: Path, tactics: Path, problems: list[str], workers: int = 1) -> list[str]:
    quoted = ",".join(f"'{p}'" for p in problems)
    return ["run", "--benchmark", "coqlib", "--split", "heldout", "--policy", "fixed", "--tactics", str(tactics),
            "--budget", "1x2x2", "--wall-time", "30", "--workers", str(workers), "--no-progress",
            "--out", str(out), f"benchmark.problems=[{quoted}]"]


def test_coqlib_run_records_checked_proofs_and_a_row_per_library(tmp_path, no_leaked_provers):
    tactics = tmp_path / "tactics.json"
    tactics.write_text(json.dumps(["destr_bool", "easy"]))
    problems = BOOL_PROBLEMS[:2] + [SSR_PROBLEM]
    assert main(coqlib_argv(tmp_path / "out", tactics, problems)) == 0
    records = {r["name"]: r for r in read_records(tmp_path / "out")}
    assert sorted(records) == sorted(problems)
    for name in BOOL_PROBLEMS[:2]:
        assert records[name]["status"] == "proved" and "destr_bool" in records[name]["proof"]
        assert records[name]["source"].startswith("(*")  # the library file itself, from its first line
    assert records[SSR_PROBLEM]["status"] == "failed"  # opened with ssreflect's load path, not proved
    manifest = read_manifest(tmp_path / "out")
    assert manifest["benchmark"] == "coqlib" and manifest["split"] == "heldout"
    report = write_report([tmp_path / "out"], tmp_path / "report").read_text()
    assert "| stdlib | 2/2 (100.0%) |" in report and "| mathcomp-ssreflect | 0/1 (0.0%) |" in report


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("eprover") is None, reason="no eprover: bash .ci/setup --tests installs the ATPs")
def test_hammer_closes_a_goal_through_an_external_prover(no_leaked_provers):
    """`hammer` (imported after a held-out file's context) needs two library lemmas here,
    found by the ATP, and the reconstructed proof is accepted by the checker."""
    from environments.base import Finished
    from environments.coq import CoqEnvironment

    opened = next(t for t in load_coqlib("heldout", hammer=True) if t.meta["problem"] == BOOL + "andb_diag")
    theorem = replace(opened, name="app_length_comm", context=opened.context + "Require Import List Arith.\n",
                      statement="Lemma app_length_comm (l1 l2 : list nat) : length (l1 ++ l2) = length l2 + length l1.")
    with CoqEnvironment(timeout=180.0) as env:
        outcome = env.close_hole(env.open(theorem))  # the backend's hammer (Draft-Sketch-Prove's last resort)
        assert isinstance(outcome, Finished) and outcome.path == ("solve [ hammer ].",), outcome
        verdict = env.check(theorem, outcome.path)
        bare = replace(theorem, context=theorem.context.replace(HAMMER_IMPORT, ""))
        assert env.close_hole(env.open(bare)) is None  # no import, no hammer
    assert verdict.ok, verdict.reason
