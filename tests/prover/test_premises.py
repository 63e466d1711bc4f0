"""Premise selection (prover.premises): declarations read from a Coq file's text, only those
before the theorem offered, the declarations of the libraries it imports (read from Coq's real
load path), and BM25 ranking of them for a goal."""

from __future__ import annotations

import pytest

from environments.coq_modules import coq_root, module_file
from prover.cursor import BadPosition
from prover.premises import FilePremises, Premise, PremiseRanker, library_sources, premises_at, premises_of, ranker_for

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


SIZE_REV = "s : seq nat\n============================\nsize (rev s) = size s"
SSREFLECT = coq_root() / "user-contrib" / "mathcomp" / "ssreflect"


def test_required_module_names_resolve_on_coqs_load_path() -> None:
    assert module_file("seq", "mathcomp") == SSREFLECT / "seq.v"
    assert module_file("ssreflect.seq") == SSREFLECT / "seq.v"
    assert module_file("Lia") == coq_root() / "theories" / "micromega" / "Lia.v"
    assert module_file("List") == coq_root() / "theories" / "Lists" / "List.v"  # the standard library's first
    assert module_file("List", "Ltac2") == coq_root() / "user-contrib" / "Ltac2" / "List.v"
    assert module_file("seq", "Coq") is None and module_file("NoSuchModule") is None
    # a partial name inside a library means its own file first: the prelude's `Logic` is Init's
    assert module_file("Logic", near="Coq.Init.Prelude") == coq_root() / "theories" / "Init" / "Logic.v"


def test_an_imported_librarys_lemma_is_offered_through_its_reexports() -> None:
    """all_ssreflect.v declares nothing and re-exports seq.v; size_rev is declared in seq.v."""
    ranked = ranker_for("From mathcomp Require Import all_ssreflect.\n").rank(SIZE_REV, 3)
    assert ranked[0][1] == Premise("size_rev", "s : size (rev s) = size s")
    not_imported = ranker_for("From mathcomp Require ssreflect.seq.\n").rank(SIZE_REV, 50)  # Require, no Import
    assert "size_rev" not in {p.name for _, p in not_imported}
    prelude = ranker_for("").rank("n : nat\n============================\nn = n + 0", 1)
    assert prelude[0][1].name == "plus_n_O"  # Coq.Init.Peano, through the prelude's re-exports


def test_a_name_declared_in_the_file_and_a_library_is_offered_once_with_the_files_statement() -> None:
    context = "Lemma plus_n_O : forall m : nat, m = m + 0.\nProof. auto. Qed.\n"
    ranked = ranker_for(context).rank("n : nat\n============================\nn = n + 0", 20)
    assert [p.statement for _, p in ranked if p.name == "plus_n_O"] == ["forall m : nat, m = m + 0"]
    assert [s for s, _ in ranked] == sorted((s for s, _ in ranked), reverse=True)


def test_a_traced_step_sees_the_libraries_imported_before_it_and_never_a_left_out_one() -> None:
    text = ("Lemma early : True.\nProof. exact I. Qed.\n"
            "From mathcomp Require Import all_ssreflect.\n"
            "Lemma late (s : seq nat) : size (rev s) = size s.\nProof. by rewrite size_rev. Qed.\n")
    steps = FilePremises(text)
    assert "size_rev" not in {p.name for _, p in steps.ranker_at(2, "early").rank(SIZE_REV, 50)}
    assert steps.ranker_at(5, "late").rank(SIZE_REV, 1)[0][1].name == "size_rev"
    held_out = FilePremises(text, leave_out=frozenset({SSREFLECT / "seq.v"}))
    assert "size_rev" not in {p.name for _, p in held_out.ranker_at(5, "late").rank(SIZE_REV, 50)}
    assert SSREFLECT / "seq.v" not in library_sources([SSREFLECT / "all_ssreflect.v"], frozenset({SSREFLECT / "seq.v"}))
