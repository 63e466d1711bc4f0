"""The kNN tactic policy and its index: built by train.knn_index from trace files, without
held-out files' steps; a goal equal to a training goal gets that goal's tactic first; the
conclusion outweighs a long hypothesis; an index built with other features is refused."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from environments.base import ProofState, Theorem
from prover.policies import build_policy
from prover.policies.automation import AutomationPolicy
from prover.policies.knn import KnnIndex, KnnPolicy, Step, tactic_distribution
from train.knn_index import build_index, main

THEOREM = Theorem("t", "coq", "Lemma t : True.")
PLUS = "1 goal\n\n  n : nat\n  ============================\n  n + 0 = n"
ODD = "1 goal\n\n  p : nat\n  H : Nat.Odd p\n  ============================\n  Nat.Even (S p)"
LIST = "1 goal\n\n  l : list nat\n  ============================\n  rev (rev l) = l"
HELD = "1 goal\n\n  ============================\n  Qinv (Qinv q) == q"


def step(file: str, goals: str, tactic: str, line: int = 1) -> dict:
    return {"file": file, "theorem": f"thm{line}", "line": line, "step": 0,
            "goals_before": goals, "tactic": tactic, "goals_after": ""}


@pytest.fixture
def traces(tmp_path: Path) -> Path:
    """A traces root with one library: two training files and one held-out file."""
    steps = tmp_path / "traces" / "stdlib" / "steps" / "theories"
    steps.mkdir(parents=True)
    files = {"A.jsonl": [step("theories/A.v", PLUS, "lia.", 1), step("theories/A.v", PLUS, "-", 2),
                         step("theories/A.v", ODD, "apply Nat.Odd_succ.", 3), step("theories/A.v", PLUS, "lia.", 4)],
             "B.jsonl": [step("theories/B.v", LIST, "apply rev_involutive.", 1)],
             "H.jsonl": [step("theories/H.v", HELD, "apply Qinv_involutive.", 1)]}
    for name, rows in files.items():
        (steps / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "heldout.txt").write_text("# held out\nstdlib theories/H.v\n")
    return tmp_path


def test_index_never_holds_a_heldout_files_steps_nor_bullets_nor_duplicates(traces: Path):
    index = build_index(traces / "traces", ["stdlib"], traces / "heldout.txt")
    assert sorted((s.file, s.tactic) for s in index.steps) == [
        ("theories/A.v", "apply Nat.Odd_succ"), ("theories/A.v", "lia"), ("theories/B.v", "apply rev_involutive")]
    [found] = index.nearest([HELD], 10)
    assert all(s.file != "theories/H.v" for _, s in found)


def test_a_training_goal_gets_its_tactic_first_with_log_probabilities(traces: Path):
    assert main(["--traces", str(traces / "traces"), "--heldout", str(traces / "heldout.txt"),
                 "--out", str(traces / "index")]) == 0
    policy = KnnPolicy(KnnIndex.load(traces / "index"))
    odd, plus = policy.propose([ProofState(ODD, THEOREM), ProofState(PLUS, THEOREM)], 3)
    assert odd[0].tactic == "apply Nat.Odd_succ" and plus[0].tactic == "lia"
    for candidates in (odd, plus):
        assert all(c.logprob <= 0 for c in candidates)
        assert sum(math.exp(c.logprob) for c in candidates) == pytest.approx(1.0)
        assert [c.logprob for c in candidates] == sorted((c.logprob for c in candidates), reverse=True)
    # a prefix keeps only the tactics that continue it
    [only] = policy.propose([ProofState(ODD, THEOREM)], 3, ["apply rev"])
    assert [c.tactic for c in only] == ["apply rev_involutive"]


def test_build_policy_knn_mixes_with_automation_and_names_a_missing_index(traces: Path):
    build_index(traces / "traces", ["stdlib"], traces / "heldout.txt").save(traces / "index")
    policy = build_policy({"policy": "knn", "path": str(traces / "index"), "knn": {"neighbours": 4},
                           "automation": {"prior": 0.5, "tactics": ["lia", "auto"]}})
    assert isinstance(policy, AutomationPolicy) and isinstance(policy.inner, KnnPolicy)
    [[best, *rest]] = policy.propose([ProofState(PLUS, THEOREM)], 4)
    assert best.tactic == "lia" and best.logprob > math.log(0.5)  # kNN's "lia" and automation's merge
    with pytest.raises(FileNotFoundError, match="python -m train.knn_index"):
        build_policy({"policy": "knn", "path": str(traces / "nowhere")})


def test_the_command_rejects_missing_traces_in_one_line(traces: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["--traces", str(traces / "traces"), "--library", "nope", "--out", str(traces / "i")]) == 2
    assert capsys.readouterr().err == f"error: no traces for nope under {traces / 'traces'}\n"


def test_scores_far_below_the_best_drop_out_instead_of_breaking_the_logarithm():
    # BM25 scores of very long goals spread over thousands (seen on bignums' DoubleDiv.v): exp underflows to 0 past a spread of ~745
    far = [(2324.0, Step("ring", "a.v", "t")), (2324.0, Step("lia", "a.v", "t")), (1500.0, Step("auto", "a.v", "t"))]
    distribution = tactic_distribution(far, temperature=1.0)
    assert distribution == {"ring": 0.5, "lia": 0.5}
    assert all(math.log(p) <= 0 for p in distribution.values())


def test_the_conclusion_outweighs_a_long_hypothesis():
    # the state's hypothesis repeats `x +` a dozen times, as the training goal about sums has one;
    # its conclusion is the list goal's: the list lemma comes first
    sums = "1 goal\n\n  x : R\n  ============================\n  0 <= x + x"
    long = " + ".join(["x"] * 12)
    state = f"1 goal\n\n  x : R\n  l : list R\n  H : 0 <= {long}\n  ============================\n  rev (rev l) = l"
    index = KnnIndex([sums, LIST, PLUS], [Step("lra", "A.v", "a"), Step("apply rev_involutive", "B.v", "b"),
                                           Step("lia", "C.v", "c")])
    [found] = index.nearest([state], 3)
    assert found[0][1].tactic == "apply rev_involutive"


def test_an_index_built_with_other_features_is_refused_with_the_rebuild_command(traces: Path):
    build_index(traces / "traces", ["stdlib"], traces / "heldout.txt").save(traces / "index")
    meta = traces / "index" / "meta.json"
    meta.write_text(json.dumps({k: v for k, v in json.loads(meta.read_text()).items() if k != "features"}))
    with pytest.raises(ValueError, match="other features .*python -m train.knn_index --out"):
        KnnIndex.load(traces / "index")
