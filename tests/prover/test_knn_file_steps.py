"""Learning from the file itself: the Coq backend records the steps of the finished proofs in a
theorem's context while loading it (not those of an `Admitted` proof), and the kNN policy with
`file_weight` proposes them, which proves a lemma the training index knows nothing of."""

from __future__ import annotations

import pytest

from environments.base import ProofState, Theorem
from environments.coq import CoqEnvironment
from environments.coq_steps import CONTEXT_STEPS
from prover.policies.knn import KnnIndex, KnnPolicy, Step
from search.best_first import SearchConfig, best_first_search

pytestmark = pytest.mark.requires_coq

CONTEXT = """Definition double (n : nat) := n + n.
Lemma double_S : forall n, double (S n) = S (S (double n)).
Proof.
  intros n. unfold double. (* the sum's successor *) simpl.
  rewrite <- plus_n_Sm. reflexivity.
Qed.
Lemma skipped : forall n, double n = 2 * n.
Proof. intros n. Admitted.
"""
TARGET = Theorem("double_S'", "coq", "Lemma double_S' : forall m, double (S m) = S (S (double m)).", CONTEXT)
# a training index about something else: its tactics cannot prove TARGET
UNRELATED_GOAL = "1 goal\n\n  l : list nat\n  ============================\n  rev (rev l) = l"
UNRELATED = KnnIndex([UNRELATED_GOAL], [Step("apply rev_involutive", "B.v", "b")])
CONFIG = SearchConfig(samples_per_expansion=4, max_expansions=12, wall_time_s=60.0)


def test_the_context_proofs_steps_come_with_the_opened_theorem(no_leaked_provers):
    with CoqEnvironment() as env:
        state = env.open(TARGET)
    steps = state.theorem.meta[CONTEXT_STEPS]
    assert [(s["theorem"], s["tactic"]) for s in steps] == [
        ("double_S", "intros n."), ("double_S", "unfold double."), ("double_S", "simpl."),
        ("double_S", "rewrite <- plus_n_Sm."), ("double_S", "reflexivity.")]
    assert "double (S n) = S (S (double n))" in steps[0]["goals_before"]
    assert "n + n" in steps[2]["goals_before"] and "double" not in steps[2]["goals_before"].split("=====")[-1]


def test_file_steps_prove_what_the_training_index_cannot(no_leaked_provers):
    with CoqEnvironment() as env:
        alone = best_first_search(env, KnnPolicy(UNRELATED), TARGET, CONFIG)
        with_file = best_first_search(env, KnnPolicy(UNRELATED, file_weight=0.5), TARGET, CONFIG)
    assert alone.status == "failed"
    assert with_file.status == "proved"
    assert with_file.proof[:2] == ("intros n.", "unfold double.")


def test_a_theorem_without_context_proofs_gets_the_training_tactics_only():
    policy = KnnPolicy(UNRELATED, file_weight=0.5)
    bare = Theorem("t", "coq", "Lemma t : True.", "Definition x := 1.", meta={CONTEXT_STEPS: ()})
    [found] = policy.propose([ProofState(UNRELATED_GOAL, bare)], 4)
    assert [c.tactic for c in found] == ["apply rev_involutive"]
    with pytest.raises(ValueError, match="file_weight"):
        KnnPolicy(UNRELATED, file_weight=1.0)

