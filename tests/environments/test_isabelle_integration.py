"""The PISA backend against a real Isabelle through a running PISA server: one small theorem
proved by a fixed policy, then re-checked in a fresh session. Runs where `isabelle` is on
PATH and PISA_ADDRESS (host:port) names a PISA server (ISABELLE_PATH: the installation the
server uses, default ~/Isabelle2022); see environments/LEAN_ISABELLE.md."""

from __future__ import annotations

import os

import pytest

from environments.base import Theorem
from environments.pisa import PisaEnvironment
from prover.policies.fixed import FixedPolicy
from search.best_first import SearchConfig, best_first_search

pytestmark = [
    pytest.mark.requires_isabelle,
    pytest.mark.skipif("PISA_ADDRESS" not in os.environ, reason="PISA_ADDRESS (host:port of a PISA server) is not set"),
]

THEORY = 'theory Llemma_Integration imports Main\nbegin\n\ntheorem llemma_integration: "(n::nat) + 0 = n"\n  sorry\n\nend\n'


def test_fixed_policy_proves_a_small_theorem_for_real(tmp_path):
    path = tmp_path / "Llemma_Integration.thy"
    path.write_text(THEORY)
    theorem = Theorem("llemma_integration", "isabelle", 'theorem llemma_integration: "(n::nat) + 0 = n"',
                      "theory Llemma_Integration imports Main\nbegin\n\n", path=path)
    with PisaEnvironment(address=os.environ["PISA_ADDRESS"],
                         isabelle_path=os.environ.get("ISABELLE_PATH", "~/Isabelle2022"), timeout=60.0) as env:
        root = env.open(theorem)
        assert "n + 0 = n" in root.goals
        result = best_first_search(env, FixedPolicy(["by (rule refl)", "by simp"]), theorem,
                                   SearchConfig(samples_per_expansion=2, max_expansions=3, wall_time_s=900,
                                                tactic_timeout_s=60))
        assert result.status == "proved", result.message
        assert result.proof == ("by simp",)
        assert not env.check(theorem, ["by (rule refl)"]).ok
