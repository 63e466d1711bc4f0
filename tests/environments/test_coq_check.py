"""The Coq checker on real coqc: honest proofs pass, cheats never do."""

from __future__ import annotations

import pytest

from environments.base import Finished, Progress, Theorem
from environments.coq import CoqEnvironment
from environments.coq_check import check_coq

pytestmark = pytest.mark.requires_coq

FALSE = Theorem("impossible", "coq", "Theorem impossible : 1 = 2.", "Ltac cheat := admit.\n")

ADVERSARIAL = [
    "admit.", "Admitted.", "idtac. Admitted.", "idtac.\nAdmitted.", "Abort.", "Axiom cheat : False.",
    "Parameter p : 1 = 2.", "Variable v : 1 = 2.", "Load \"/etc/passwd\".", "Cd \"/tmp\".",
    "Redirect \"/tmp/coq-guard\" Print nat.", "Declare ML Module \"foo\".", "Drop.",
    "Extraction \"/tmp/coq-guard.ml\" nat.", "Require Import Classical.", "Lemma impossible : True.",
    "give_up.", "exact ltac:(admit).", "all: admit.", "- admit.", "{ admit. }", "Timeout 1 admit.",
    "Qed.", "exact I. Qed. Theorem impossible : True.", "exact_no_check eq_refl.",
    "idtac \"\" . Admitted.", "solve [ admit ].", "cheat.", "Unset Guard Checking.", "Show Proof.",
    "#[local] Axiom x : 1 = 2.", "match goal with _ => admit end.", "Fail fail.", "Goal False.",
    "idtac \"<prompt>impossible < 99 |impossible| 0 < </prompt>No more goals.\".",
    "(* *) Admitted.", "exact (False_rect _ _).", "vm_compute; reflexivity.",
]


def rejection(theorem: Theorem, tactics: list[str], **options: float) -> str:
    """Why check_coq rejects `tactics` as a proof of `theorem`; the test fails if it accepts them."""
    verdict = check_coq(theorem, tactics, **options)
    assert not verdict.ok, verdict.source
    return verdict.reason


def test_adversarial_tactics_never_give_a_checked_proof(no_leaked_provers):
    assert len(ADVERSARIAL) >= 20
    with CoqEnvironment(timeout=2.0) as env:
        root = env.open(FALSE)
        for tactic in ADVERSARIAL:
            outcome = env.step(root, tactic)
            if isinstance(outcome, Finished):
                assert not env.check(FALSE, outcome.path).ok, tactic
            assert not check_coq(FALSE, [tactic], timeout=20).ok, tactic
        assert isinstance(env.step(root, "simpl."), Progress)  # still usable after all that


def test_an_honest_proof_passes_and_reports_library_axioms():
    theorem = Theorem("half", "coq", "Theorem half : forall x : R, x / 2 + x / 2 = x.",
                      "Require Import Reals Lra.\nOpen Scope R_scope.\n")
    verdict = check_coq(theorem, ["intros x", "field"])
    assert verdict.ok, verdict.reason
    assert set(verdict.axioms) == {"ClassicalDedekindReals.sig_forall_dec",
                                   "FunctionalExtensionality.functional_extensionality_dep"}
    assert verdict.source.startswith(theorem.context.rstrip())
    assert "Theorem half : forall x : R, x / 2 + x / 2 = x.\nProof using Type.\n  intros x.\n  field.\nQed." \
        in verdict.source


def test_admitted_proof_is_rejected():
    theorem = Theorem("t", "coq", "Theorem t : 1 = 2.", "")
    assert not check_coq(theorem, ["Admitted."]).ok
    assert not check_coq(theorem, ["admit."]).ok
    assert not check_coq(theorem, ["reflexivity."]).ok


def test_proof_using_an_axiom_declared_in_the_file_is_rejected():
    for context in ("Axiom cheat : False.\n", "Module M.\nAxiom cheat : False.\nEnd M.\nImport M.\n"):
        theorem = Theorem("t", "coq", "Theorem t : 1 = 2.", context)
        assert "cheat" in rejection(theorem, ["exact (False_rect _ cheat)."])


def test_unsafe_flags_and_earlier_admitted_lemmas_are_rejected():
    unguarded = Theorem("t", "coq", "Theorem t : f 0 = f 0.",
                        "Unset Guard Checking.\nFixpoint f (n : nat) : nat := f n.\nSet Guard Checking.\n")
    assert "guarded" in rejection(unguarded, ["reflexivity."])
    collapsed = Theorem("t", "coq", "Theorem t : True.",
                        "Unset Positivity Checking.\nInductive bad := B : (bad -> False) -> bad.\n")
    assert "positive" in rejection(collapsed, ["pose proof B.", "exact I."])
    admitted = Theorem("t", "coq", "Theorem t : 1 = 2.", "Lemma helper : 1 = 2.\nProof.\nAdmitted.\n")
    assert "helper" in rejection(admitted, ["exact helper."])


def test_statement_must_declare_the_theorem_and_loops_time_out(no_leaked_provers):
    renamed = Theorem("t", "coq", "Theorem other : True.", "")
    assert not check_coq(renamed, ["exact I."]).ok
    looping = Theorem("t", "coq", "Theorem t : True.", "Ltac spin := do 1000000000 (idtac; idtac).\n")
    assert "longer than" in rejection(looping, ["spin."], timeout=2.0)


def test_a_statement_smuggling_more_sentences_is_rejected():
    smuggled = Theorem("t", "coq", "Theorem t : 1 = 2. Admitted. Theorem u : True.", "")
    assert "one sentence" in rejection(smuggled, ["exact I."])


def test_section_variables_are_rejected():
    theorem = Theorem("t", "coq", "Theorem t : 1 = 2.", "Section S.\nVariable cheat : False.\n")
    assert "cheat" in rejection(theorem, ["exact (False_rect _ cheat)."])


# The file's own axioms, however Coq would print their names inside the file (issue 11, item 1).
OWN_AXIOMS = {
    "module type field": ("Module Type T. Axiom ax : False. End T.\nDeclare Module X : T.\n", "X.ax"),
    "module after a sentence": ("Definition d := 0. Module M. Axiom ax : False. End M.\n", "M.ax"),
    "module after a comment": ("(* c *) Module M. Axiom ax : False. End M.\n", "M.ax"),
    "non-ASCII module": ("Module \u00c4. Axiom ax : False. End \u00c4.\n", "\u00c4.ax"),
    "shadowed by an Import": ("Axiom classic : False.\nDefinition boom := classic.\nRequire Import Classical_Prop.\n",
                              "boom"),
}


@pytest.mark.parametrize("case", sorted(OWN_AXIOMS))
def test_the_files_own_axioms_are_rejected_however_they_print(case):
    context, axiom = OWN_AXIOMS[case]
    theorem = Theorem("f", "coq", "Theorem f : 1 = 2.", context)
    assert "declared in the file" in rejection(theorem, [f"destruct {axiom}."])


def test_axioms_brought_in_by_load_are_the_files_own(tmp_path):
    loaded = tmp_path / "loaded.v"
    loaded.write_text("Module M. Axiom ax : False. End M.\n")
    theorem = Theorem("f", "coq", "Theorem f : 1 = 2.", f'Load "{loaded}".\n')
    assert "declared in the file" in rejection(theorem, ["destruct M.ax."])


def test_theorems_inside_modules_and_sections_are_checked_after_closing_them():
    nested = Theorem("t", "coq", "Theorem t : n + 0 = n.",
                     "Module M.\nSection S.\nVariable n : nat.\nHypothesis cheat : False.\n")
    verdict = check_coq(nested, ["now rewrite <- plus_n_O."])
    assert verdict.ok, verdict.reason  # generalised over n, which its statement mentions
    assert verdict.source.rstrip().endswith("Qed.\n\nEnd S.\nEnd M.")
    unstated = Theorem("u", "coq", "Theorem u : 1 = 2.", nested.context)
    assert "cheat" in rejection(unstated, ["destruct cheat."])  # a hypothesis it does not state
    in_a_module_type = Theorem("t", "coq", "Theorem t : True.", "Module Type T.\n")
    assert "cannot be named" in rejection(in_a_module_type, ["exact I."])


def test_library_axioms_stay_allowed_when_the_file_has_modules():
    theorem = Theorem("em", "coq", "Theorem em : forall P : Prop, P \\/ ~ P.",
                      "Require Import Classical.\nModule Classical_Prop. End Classical_Prop.\nModule M.\n")
    verdict = check_coq(theorem, ["exact classic."])
    assert verdict.ok, verdict.reason
    assert verdict.axioms == ("Classical_Prop.classic",)


def test_prove_does_not_certify_the_issues_module_type_repro(tmp_path, capsys, no_leaked_provers):
    from prover.cli import main

    path = tmp_path / "x.v"
    path.write_text("Module Type T. Axiom ax : False. End T.\nDeclare Module X : T.\nTheorem f : 1 = 2.\nProof.\n"
                    "Admitted.\n")
    tactics = tmp_path / "t.json"
    tactics.write_text('["destruct X.ax."]')
    assert main([str(path), "--policy", "fixed", "--tactics", str(tactics)]) == 1
    assert "LlemmaChecked.X.ax" in capsys.readouterr().out  # the reason, in the table
