"""A mixture of tactic policies: each member's candidates are weighted by the member's
share of the total weight and summed per tactic, so a tactic several members propose gets
the sum of their masses and the scores stay log-probabilities. The automation merge
(`prover.policies.automation`) is the same mixture with automation as one member.

A member's candidate keeps `weight * exp(logprob)`: a model's sampled tactics keep their
sequence probabilities, a kNN member's distribution sums to one, and nothing is
renormalised, so a member that proposes little does not gain mass from it.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from environments.base import ProofState
from prover.policies.candidates import prefixes_for, rank
from search.policy import Candidate, TacticPolicy


def mix(weighted: Iterable[tuple[float, Sequence[Candidate]]], k: int, prefix: str = "") -> list[Candidate]:
    """The `k` best tactics of the weighted candidate lists, masses summed per tactic."""
    mass: dict[str, float] = {}
    tokens: dict[str, int] = {}
    for weight, candidates in weighted:
        for c in candidates:
            mass[c.tactic] = mass.get(c.tactic, 0.0) + weight * math.exp(c.logprob)
            tokens.setdefault(c.tactic, c.tokens)
    return rank((Candidate(math.log(m) if m > 0 else -math.inf, t, tokens[t]) for t, m in mass.items()), k, prefix)


class MixturePolicy:
    """Several policies' candidates for each state, mixed with the members' weights."""

    def __init__(self, members: Sequence[tuple[TacticPolicy, float]]) -> None:
        if not members:
            raise ValueError("a mixture needs at least one member")
        if any(not weight > 0 for _, weight in members):
            raise ValueError(f"mixture weights must be > 0, got {[w for _, w in members]}")
        total = sum(weight for _, weight in members)
        self.members = [(policy, weight / total) for policy, weight in members]

    def propose(self, states: Sequence[ProofState], k: int,
                prefixes: Sequence[str | None] | None = None) -> list[list[Candidate]]:
        heads = prefixes_for(states, prefixes)
        proposals = [(weight, policy.propose(states, k, heads)) for policy, weight in self.members]
        return [mix(((w, found[i]) for w, found in proposals), k, head) for i, head in enumerate(heads)]
