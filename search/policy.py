"""What search needs from a tactic policy, defined here so that search never imports
`prover/`: a batch of proof states in, ranked tactic candidates with log-probs out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

from environments.base import ProofState


@dataclass(frozen=True, order=True)
class Candidate:
    logprob: float  # log-probability of the whole tactic (of its continuation, given a prefix) (<= 0)
    tactic: str
    tokens: int = 0  # generated tokens, for throughput statistics


@runtime_checkable
class TacticPolicy(Protocol):
    def propose(self, states: Sequence[ProofState], k: int,
                prefixes: Sequence[str | None] | None = None) -> list[list[Candidate]]:
        """At most `k` distinct candidates per state, best (highest log-prob) first.

        `prefixes`, one per state (None or "" for none), is tactic text an editor user has
        already typed: every candidate of that state then starts with its prefix (leading
        whitespace aside, as tactics are whitespace-stripped), generated as a continuation
        of it, and its `logprob` and `tokens` cover only the continuation, given the prefix.
        Search passes no prefixes."""
        ...
