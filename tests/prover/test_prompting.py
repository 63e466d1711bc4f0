"""Prompting: one format for all, or one per system; the stop strings of a batch."""

from __future__ import annotations

import pytest

from environments.base import ProofState, Theorem
from prover.policies.candidates import Prompting, cut_at_stop, samples_for
from prover.sampling import SamplingParams

COQ = ProofState("n : nat\n====\nn = n", Theorem("c", "coq", "Lemma c : forall n, n = n."))
LEAN = ProofState("n : ℕ\n⊢ n = n", Theorem("l", "lean", "theorem l (n : ℕ) : n = n := by"))
ISA = ProofState("goal: n = n", Theorem("i", "isabelle", 'lemma i: "n = n"'))


def test_one_format_for_every_system():
    prompting = Prompting("proofstep")
    assert prompting.prompt(COQ) == "[GOAL]n : nat\n====\nn = n[PROOFSTEP]"
    assert prompting.prompt(LEAN).startswith("[GOAL]n : ℕ")
    assert prompting.stop([COQ, LEAN]) == ("\n",)


def test_a_format_per_system_and_the_union_of_stops():
    prompting = Prompting({"coq": "proofstep", "lean": "llemma-lean4-fewshot"})
    assert prompting.prompt(COQ).startswith("[GOAL]")
    assert prompting.prompt(LEAN).startswith("Given the Lean 4 tactic state")
    assert prompting.prompt(LEAN).endswith("Tactic state:\n---\nn : ℕ\n⊢ n = n\n---\nNext tactic:\n---\n")
    assert prompting.stop([COQ]) == ("\n",)
    assert prompting.stop([COQ, LEAN]) == ("\n", "\n---", "---")
    with pytest.raises(ValueError, match="no prompt format for system 'isabelle'"):
        prompting.prompt(ISA)


def test_sampling_stop_overrides_the_formats():
    prompting = Prompting("proofstep", stop=("<END>",))
    assert prompting.stop([COQ]) == ("<END>",)
    assert cut_at_stop("lia.<END>junk\n", ("<END>", "\n")) == "lia."


def test_samples_for_asks_k_or_one_when_greedy():
    assert samples_for(SamplingParams(temperature=0.7), 12).n == 12
    assert samples_for(SamplingParams(temperature=0.0), 12).n == 1
