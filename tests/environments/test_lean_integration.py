"""The Lean REPL backend against real Lean: one small theorem proved by a fixed policy, then
re-checked by `lake env lean`. Runs where `lake` is on PATH and LEAN_PROJECT names a Lake
project (Lean v4.24.0) in which the REPL is built (LEAN_REPL_COMMAND, default
`lake env repl`); see environments/LEAN_ISABELLE.md."""

from __future__ import annotations

import os
import shlex

import pytest

from environments.base import Theorem
from environments.lean_check import ALLOWED_AXIOMS
from environments.lean_repl import LeanReplEnvironment
from prover.policies.fixed import FixedPolicy
from search.best_first import SearchConfig, best_first_search

pytestmark = [
    pytest.mark.requires_lean,
    pytest.mark.skipif("LEAN_PROJECT" not in os.environ,
                       reason="LEAN_PROJECT (a Lake project with the Lean REPL built) is not set"),
]

THEOREM = Theorem("llemma_integration", "lean",
                  "theorem llemma_integration (a b : Nat) (h : a = b) : b + 0 = a := by")
TACTICS = ["rfl", "simp only [Nat.add_zero]", "exact h.symm"]


def test_fixed_policy_proves_a_small_theorem_for_real(no_leaked_provers):
    command = shlex.split(os.environ.get("LEAN_REPL_COMMAND", "lake env repl"))
    with LeanReplEnvironment(project=os.environ["LEAN_PROJECT"], repl_command=command, timeout=60.0,
                             memory_mb=None) as env:
        root = env.open(THEOREM)
        assert "⊢ b + 0 = a" in root.goals
        result = best_first_search(env, FixedPolicy(TACTICS), THEOREM,
                                   SearchConfig(samples_per_expansion=3, max_expansions=5, wall_time_s=600,
                                                tactic_timeout_s=60))
        assert result.status == "proved", result.message
        assert result.verdict.ok and set(result.verdict.axioms) <= ALLOWED_AXIOMS
        # the checker really compiles: a wrong proof is rejected
        assert not env.check(THEOREM, ["rfl"]).ok
