import json

import pytest

from environments import Theorem, make_environment
from train.trace import coq_root, main, read_steps, trace_file, trace_library

pytestmark = pytest.mark.requires_coq

SOURCE = """Require Import Arith.
Lemma good : forall n : nat, n + 0 = n /\\ True.
Proof.
  intros n. split.
  - (* bullets are not steps *) induction n; simpl; auto.
  - exact I.
Qed.
Lemma bad : 1 = 1.
Proof. apply no_such_lemma. reflexivity. Qed.
Definition d : nat.
Proof. exact 3. Defined.
"""


def test_trace_records_steps_and_failures(tmp_path, no_leaked_provers):
    path = tmp_path / "T.v"
    path.write_text(SOURCE)
    trace, steps = trace_file(path, tmp_path)
    assert (trace.proofs, trace.traced) == (3, 2)
    assert [s["tactic"] for s in steps] == ["intros n.", "split.", "induction n; simpl; auto.", "exact I.", "exact 3."]
    assert [s["theorem"] for s in steps] == ["good"] * 4 + ["d"]
    assert steps[1]["goals_after"].startswith("2 goals") and steps[3]["goals_after"] == ""
    assert len(trace.failures) == 1 and "line 9" in trace.failures[0] and "no_such_lemma" in trace.failures[0]


def test_traced_goals_are_the_backends_goals(tmp_path, no_leaked_provers):
    """Training prompts must be inference prompts: the Coq backend shows the same text."""
    path = tmp_path / "T.v"
    path.write_text(SOURCE)
    _, steps = trace_file(path, tmp_path)
    with make_environment("coq") as env:
        state = env.open(Theorem("good", "coq", "Lemma good : forall n : nat, n + 0 = n /\\ True.",
                                 context="Require Import Arith."))
        assert state.goals == steps[0]["goals_before"]
        after = env.step(state, steps[0]["tactic"])
        assert after.state.goals == steps[0]["goals_after"] == steps[1]["goals_before"]


def test_library_trace_is_resumable_and_reported(tmp_path, no_leaked_provers):
    root = coq_root()
    files = [root / "theories" / "Init" / "Tactics.v", root / "theories" / "Bool" / "Sumbool.v"]
    report = trace_library(tmp_path, files, root, workers=2, progress=False)
    assert report["files"] == 2 and report["proofs"] > 5
    assert report["proofs_traced"] == report["proofs"] and report["coverage"] == 1.0
    assert report["steps"] == sum(1 for _ in read_steps(tmp_path)) > 0
    done = tmp_path / "steps" / "theories" / "Bool" / "Sumbool.done.json"
    stamp = done.stat().st_mtime_ns
    again = trace_library(tmp_path, files, root, workers=1, progress=False)
    assert done.stat().st_mtime_ns == stamp  # finished files are skipped
    assert again["steps"] == report["steps"]
    assert json.loads((tmp_path / "report.json").read_text())["proofs"] == report["proofs"]


def test_cli_rejects_bad_input(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--workers", "0"]) == 2
    assert main(["--out", str(tmp_path), "--files", str(tmp_path / "elsewhere.v")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and all(e.startswith("error: ") for e in errors)
