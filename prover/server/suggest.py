"""Tactic suggestions for an editor: a goal text and a tactic prefix in, ranked tactics that
the policy generated as continuations of the prefix out. The goal goes to the policy as a
ProofState, so concurrent editor requests meet in BatchingPolicy and share one model call."""

from __future__ import annotations

from environments.base import ProofState, Theorem
from search.policy import Candidate, TacticPolicy

# llmstep and LeanCopilot are Lean tools: their goal is a Lean goal (which picks the policy's
# Lean prompt format and automation), and it belongs to no theorem file
_EDITOR = Theorem(name="editor", system="lean", statement="")


class Suggester:
    def __init__(self, policy: TacticPolicy) -> None:
        self.policy = policy

    def suggest(self, goals: str, prefix: str, n: int) -> list[Candidate]:
        """Up to `n` distinct candidates for `goals`, best first, each the policy's
        continuation of `prefix` (so each starts with it)."""
        state = ProofState(goals=goals, theorem=_EDITOR)
        return self.policy.propose([state], n, [prefix])[0][:n]
