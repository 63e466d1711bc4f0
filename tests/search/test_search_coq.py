"""Best-first search on real Coq: a cheating policy never yields a reported proof; an honest
one does, de-duplicating states that two tactics reach."""

from __future__ import annotations

import pytest

from environments import Theorem, make_environment
from prover.policies.fixed import FixedPolicy
from search import SearchConfig, best_first_search, search_many

pytestmark = pytest.mark.requires_coq

CONFIG = SearchConfig(samples_per_expansion=64, max_expansions=6, wall_time_s=60, tactic_timeout_s=3,
                      check_invariants=True)

CHEATS = [
    "admit", "admit.", "Admitted", "Admitted.", "give_up", "all: admit", "idtac. Admitted.", "exact I. Admitted.",
    "Abort.", "Axiom cheat2 : False.", "Parameter p : False.", "Local Axiom c : 1 = 2.", "Hypothesis h : False.",
    "Variable v : False.", "Load \"/etc/passwd\".", "Cd \"/tmp\".", "Redirect \"x\" Print nat.", "Drop.",
    "Declare ML Module \"evil\".", "Extraction \"f\" nat.", "Require Import Bogus.", "Lemma x : False.",
    "Timeout 1 admit", "Qed.", "exact cheat", "apply cheat", "exact (False_ind _ cheat)", "destruct cheat",
    "elim cheat", "exfalso; exact cheat", "apply (False_rect _ cheat)",
]

THEOREMS = [
    # cheat is an axiom of the file itself: tactics using it finish in coqtop, and the
    # checker must refuse every such proof
    Theorem("false_eq", "coq", "Lemma false_eq : 1 = 2.", context="Axiom cheat : False.\n"),
    Theorem("true_eq", "coq", "Lemma true_eq : forall n : nat, n + 0 = n.", context="Axiom cheat : False.\n"),
    Theorem("plain", "coq", "Lemma plain : forall P : Prop, P.", context=""),
]


def test_a_policy_of_only_cheats_never_yields_a_reported_proof(no_leaked_provers):
    results = list(search_many(THEOREMS, lambda: make_environment("coq", timeout=3), FixedPolicy(CHEATS), CONFIG,
                               workers=2))
    assert len(results) == len(THEOREMS)
    for result in results:
        assert result.status == "failed", (result.theorem.name, result.status, result.proof)
        assert result.proof is None
        assert result.to_record()["proof"] is None
    kinds = {k for r in results for k in r.error_kinds}
    assert "rejected" in kinds  # the guard refused vernacular and admits before Coq
    by_name = {r.theorem.name: r for r in results}
    # the axiom tactics did finish in coqtop; only the checker stood between them and a report
    assert by_name["false_eq"].error_kinds.get("checker", 0) >= 1
    assert not by_name["false_eq"].verdict.ok


def test_an_honest_policy_proves_and_the_proof_is_checked(no_leaked_provers):
    theorem = Theorem("swap", "coq", "Lemma swap : forall P Q : Prop, P /\\ Q -> Q /\\ P.")
    # "intros P Q H" and "intro P; intro Q; intro H" reach one state: it is expanded once
    policy = FixedPolicy([
        {"tactic": "intros P Q H", "logprob": -0.1}, {"tactic": "intro P; intro Q; intro H", "logprob": -0.2},
        {"tactic": "destruct H as [HP HQ]", "logprob": -0.3}, {"tactic": "split", "logprob": -0.4},
        {"tactic": "exact (conj HQ HP)", "logprob": -0.5}])
    with make_environment("coq") as env:
        result = best_first_search(env, policy, theorem, CONFIG)
    assert result.status == "proved", result.message
    assert result.verdict.ok and "Qed." in result.verdict.source
    assert [t.rstrip(".") for t in result.proof] == ["intros P Q H", "destruct H as [HP HQ]", "exact (conj HQ HP)"]
    root = next(n for n, d in result.graph.nodes(data=True) if d.get("root"))
    after_intros = {v for _, v, d in result.graph.out_edges(root, data=True) if d["tactic"].startswith("intro")}
    assert len(after_intros) == 1  # both intro tactics lead to the same node
