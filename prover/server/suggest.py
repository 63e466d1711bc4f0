"""Tactic suggestions for an editor: a goal text and a tactic prefix in, ranked tactics that
start with the prefix out. The goal goes to the policy as a ProofState, so concurrent
editor requests meet in BatchingPolicy and share one model call."""

from __future__ import annotations

from environments.base import ProofState, Theorem
from search.policy import Candidate, TacticPolicy

# llmstep and LeanCopilot are Lean tools: their goal is a Lean goal (which picks the policy's
# Lean prompt format and automation), and it belongs to no theorem file
_EDITOR = Theorem(name="editor", system="lean", statement="")


class Suggester:
    def __init__(self, policy: TacticPolicy, max_samples: int) -> None:
        self.policy = policy
        self.max_samples = max_samples

    def suggest(self, goals: str, prefix: str, n: int) -> list[Candidate]:
        """Up to `n` distinct candidates for `goals` that start with `prefix`, best first."""
        state = ProofState(goals=goals, theorem=_EDITOR)
        # the policy does not condition on a prefix, so ask for more and keep the matches
        k = n if not prefix else self.max_samples
        return [c for c in self.policy.propose([state], k)[0] if c.tactic.startswith(prefix)][:n]
