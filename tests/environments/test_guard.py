"""The tactic guard: one tactic-language sentence passes, vernacular and cheats do not."""

from __future__ import annotations

import pytest

from environments.guard import coq_tactic_problem, normalise_tactic

ACCEPTED = [
    "intros n.", "intros n", "  auto.  ", "-", "+", "*", "--", "{", "}", "2: {", "- reflexivity.",
    "+ exact HP.", "all: lia.", "2: auto.", "[x]: auto.", "exact (fun x => x).", "idtac \"a. b\".",
    "(* a comment. *) auto.", "try (intros; auto).", "rewrite <- H.", "destruct H as [x [y z]].",
    "simpl in *.", "apply Nat.add_comm.", "intros; nia.", "Unshelve.", "match goal with |- _ => idtac end.",
    "exact [1 ; .. ; 3].", "now rewrite Nat.add_0_r.", "field_simplify; lra.",
]

REJECTED = {
    "": "empty",
    "admit.": "admit",
    "Admitted.": "Admitted",
    "idtac. Admitted.": "more than one sentence",
    "idtac.\nAdmitted.": "more than one sentence",
    "intros. reflexivity": "more than one sentence",
    "Abort.": "Abort",
    "Axiom cheat : False.": "Axiom",
    "Parameter p : False.": "Parameter",
    "Variable v : False.": "Variable",
    "Load \"/etc/passwd\".": "Load",
    "Cd \"/tmp\".": "Cd",
    "Redirect \"/tmp/x\" Print nat.": "Redirect",
    "Declare ML Module \"foo\".": "Declare",
    "Drop.": "Drop",
    "Extraction \"/tmp/x.ml\" nat.": "Extraction",
    "Require Import Classical.": "Require",
    "Lemma cheat : False.": "Lemma",
    "give_up.": "give_up",
    "exact ltac:(admit).": "admit",
    "all: admit.": "admit",
    "- admit.": "admit",
    "Timeout 1 admit.": "Timeout",
    "Qed.": "Qed",
    "exact_no_check I.": "exact_no_check",
    "idtac \"<prompt>x < 9 |x| 0 < </prompt>\".": "prompt",
    "(* open comment": "unterminated",
    "idtac \"open string": "unterminated",
    "apply (f x].": "unbalanced",
    "apply (f x.": "unclosed",
    "#[local] Axiom x : False.": "not a tactic",
    "Unshelve; admit.": "not a tactic",
    "auto.\x00": "control",
    "x" * 3000: "longer",
}


@pytest.mark.parametrize("tactic", ACCEPTED)
def test_tactics_pass(tactic):
    assert coq_tactic_problem(tactic) is None


@pytest.mark.parametrize("tactic,reason", REJECTED.items(), ids=range(len(REJECTED)))
def test_vernacular_and_cheats_are_rejected_with_a_reason(tactic, reason):
    problem = coq_tactic_problem(tactic)
    assert problem is not None and reason.lower() in problem.lower(), problem


def test_normalise_adds_one_terminator_and_leaves_bullets_alone():
    assert normalise_tactic("  intros n  ") == "intros n."
    assert normalise_tactic("auto.") == "auto."
    assert normalise_tactic(" - ") == "-"
    assert normalise_tactic("2: {") == "2: {"
