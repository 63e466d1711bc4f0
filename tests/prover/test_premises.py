"""Premise selection (prover.premises): declarations read from a Coq file's text, only those
before the theorem offered, and BM25 ranking of them for a goal."""

from __future__ import annotations

import pytest

from prover.cursor import BadPosition
from prover.premises import Premise, PremiseRanker, premises_at, premises_of

FILE = """Require Import Arith.

(* a comment: Lemma hidden : True. *)
Definition double (n : nat) : nat := n + n.

Lemma app_nil_r' : forall (A : Type) (l : list A), l ++ nil = l.
Proof. intros. apply app_nil_r. Qed.

#[local] Theorem mul_comm' : forall a b : nat,
  a * b = b * a.
Proof. intros. apply Nat.mul_comm. Qed.

Fixpoint evenb (n : nat) : bool := match n with 0 => true | 1 => false | S (S m) => evenb m end.

Lemma double_twice : forall n, double n = 2 * n.
Proof.
  intros n. unfold double.
Qed.

Lemma rev_involutive' : forall (A : Type) (l : list A), rev (rev l) = l.
Proof. intros. apply rev_involutive. Qed.
"""


def test_declarations_are_read_with_their_statements() -> None:
    assert premises_of(FILE) == [
        Premise("double", "(n : nat) : nat := n + n"),
        Premise("app_nil_r'", "forall (A : Type) (l : list A), l ++ nil = l"),
        Premise("mul_comm'", "forall a b : nat, a * b = b * a"),
        Premise("evenb", "(n : nat) : bool := match n with 0 => true | 1 => false | S (S m) => evenb m end"),
        Premise("double_twice", "forall n, double n = 2 * n"),
        Premise("rev_involutive'", "forall (A : Type) (l : list A), rev (rev l) = l"),
    ]


def test_the_lemma_whose_symbols_the_goal_mentions_ranks_first() -> None:
    ranker = PremiseRanker(premises_of(FILE))
    ranked = ranker.rank("A : Type\nl : list A\n============================\nrev (rev l) = l", 3)
    assert ranked[0][1].name == "rev_involutive'"
    assert [s for s, _ in ranked] == sorted((s for s, _ in ranked), reverse=True) and ranked[0][0] > 0
    ranked = ranker.rank("x y : nat\n============================\nx * y = y * x", 3)
    assert ranked[0][1].name == "mul_comm'"
    assert len(ranker.rank("a b : nat\n============================\na * b = b * a", 1)) == 1


def test_a_goal_sharing_no_token_gets_nothing() -> None:
    assert PremiseRanker(premises_of(FILE)).rank("============================\nFalse", 5) == []


def test_only_declarations_before_the_theorem_are_offered() -> None:
    cursor = FILE.index("unfold double")
    names = [p.name for p in premises_at(FILE, cursor)]
    assert names == ["double", "app_nil_r'", "mul_comm'", "evenb"]  # not double_twice itself, nor later ones
    ranked = PremiseRanker(premises_at(FILE, cursor)).rank("l : list nat\n============================\n"
                                                         "rev (rev l) = l", 5)
    assert "rev_involutive'" not in {p.name for _, p in ranked}
    with pytest.raises(BadPosition):
        premises_at(FILE, FILE.index("Definition double"))  # not inside a proof


def test_an_empty_context_gives_an_empty_list() -> None:
    assert premises_of("") == [] and premises_of("Require Import Arith.\n(* Lemma x : True. *)") == []
    assert PremiseRanker([]).rank("============================\nTrue", 5) == []
    with pytest.raises(ValueError, match="k must be at least 1"):
        PremiseRanker([]).rank("True", 0)
