"""Checked suggestions at a cursor: open the cursor's theorem, replay the proof up to the
cursor, ask the policy for tactics there and run each one against that state, marking it
closes the goal / leaves N goals / fails (with Coq's message), closing ones first."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from environments.base import Environment, Error, Finished, GivenUp, ProofState, Progress
from environments.coq import goal_count
from prover.cursor import Cursor
from search.policy import TacticPolicy


class BrokenPrefix(ValueError):
    """The proof before the cursor does not replay: the file is broken there."""


@dataclass(frozen=True)
class Checked:
    tactic: str
    status: str  # "closes" | "goals" | "fails"
    goals: int = 0  # goals left when status is "goals"
    message: str = ""  # Coq's message when status is "fails"

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        return {"closes": "closes the goal", "goals": f"leaves {self.goals} goal{'s' * (self.goals != 1)}",
                "fails": "fails"}[self.status]


_ORDER = {"closes": 0, "goals": 1, "fails": 2}


def replay(env: Environment, cursor: Cursor) -> ProofState:
    """The proof state at the cursor: the theorem opened, the sentences before it run."""
    state = env.open(cursor.theorem)
    for sentence in cursor.prefix:
        outcome = env.step(state, sentence)
        if isinstance(outcome, Error):
            raise BrokenPrefix(f"{sentence!r} before the cursor fails: {outcome.message.splitlines()[0]}")
        if not isinstance(outcome, Progress):
            raise BrokenPrefix("no goals left at the cursor: the proof is already complete")
        state = outcome.state
    return state


def check(env: Environment, state: ProofState, tactic: str) -> Checked:
    """`tactic` run against `state` and marked."""
    outcome = env.step(state, tactic)
    if isinstance(outcome, Finished):
        return Checked(tactic, "closes")
    if isinstance(outcome, Progress):
        return Checked(tactic, "goals", goals=goal_count(outcome.state.goals))
    if isinstance(outcome, GivenUp):
        return Checked(tactic, "fails", message="gives up (admit) instead of proving")
    return Checked(tactic, "fails", message=outcome.message)


def suggest(env: Environment, policy: TacticPolicy, state: ProofState, n: int) -> list[Checked]:
    """The policy's `n` best tactics at `state`, each checked; closing ones first, then by
    goals left, failing ones last (the policy's rank kept among equals)."""
    candidates = policy.propose([state], n)[0][:n]
    checked = [check(env, state, c.tactic) for c in candidates]
    return sorted(checked, key=lambda c: (_ORDER[c.status], c.goals))
