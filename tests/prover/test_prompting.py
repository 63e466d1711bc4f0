"""Prompting: one format for all, or one per system; the premises a format with premises
lists, ranked for the goal from the theorem's context; the stop strings of a batch."""

from __future__ import annotations

import pytest

from environments.base import ProofState, Theorem
from prover.policies.candidates import Prompting, cut_at_stop, samples_for
from prover.premises import Premise, PremiseRanker, premises_of
from prover.prompts import get_format
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


CONTEXT = """Require Import List.
Lemma app_nil_r' : forall (A : Type) (l : list A), l ++ nil = l.
Proof. intros. apply app_nil_r. Qed.
Lemma le_succ' : forall n : nat, n <= S n.
Proof. auto. Qed.
Lemma rev_app' : forall (A : Type) (l m : list A), rev (l ++ m) = rev m ++ rev l.
Proof. intros. apply rev_app_distr. Qed.
"""
REV = ProofState("A : Type\nl : list A\n============================\nrev (l ++ nil) = rev l",
                 Theorem("r", "coq", "Lemma r : forall (A : Type) (l : list A), rev (l ++ nil) = rev l.", context=CONTEXT))


def test_premises_are_listed_in_ranked_order_before_the_goal():
    ranked = PremiseRanker(premises_of(CONTEXT)).rank(REV.goals, 8)
    assert [p.name for _, p in ranked] == ["rev_app'", "app_nil_r'"]  # le_succ' shares no token with the goal
    assert ranked[0][0] > ranked[1][0]
    prompt = Prompting("proofstep-premises").prompt(REV, "rewrite")
    premises, goal = prompt.split("[GOAL]")
    lines = premises.splitlines()
    assert goal == "A : Type\nl : list A\n============================\nrev (l ++ nil) = rev l[PROOFSTEP]rewrite"
    assert lines[0] == "[PREMISES]" and len(lines) == 1 + 8
    # the context's own two, fused by rank with the imported libraries' (Coq.Lists.List's rev_eq_app first)
    assert lines[1] == "rev_app' : forall (A : Type) (l m : list A), rev (l ++ m) = rev m ++ rev l"
    assert lines[2] == "rev_eq_app : forall l l1 l2, rev l = l1 ++ l2 -> l = rev l2 ++ rev l1"
    assert lines[3] == "app_nil_r' : forall (A : Type) (l : list A), l ++ nil = l"
    assert Prompting("proofstep").prompt(REV) == f"[GOAL]{REV.goals}[PROOFSTEP]"  # the default: no premises


def test_premises_k_and_the_statement_bound():
    one = Prompting("proofstep-premises", premises_k=1).prompt(REV)
    assert one.startswith("[PREMISES]\nrev_app' : ") and "app_nil_r'" not in one
    fmt = get_format("proofstep-premises")
    long = Premise("big", "x" * (fmt.statement_chars + 50))
    assert fmt.prompt("g", premises=[long]) == f"[PREMISES]\nbig : {'x' * fmt.statement_chars}\n[GOAL]g[PROOFSTEP]"
    assert fmt.example("g", "auto.") == "[PREMISES]\n[GOAL]g[PROOFSTEP]auto.\n"  # a theorem with no premise before it
    with pytest.raises(ValueError, match="'proofstep' lists no premises"):
        Prompting("proofstep", premises_k=4)
    with pytest.raises(ValueError, match="at least 1"):
        get_format("proofstep-premises", 0)
