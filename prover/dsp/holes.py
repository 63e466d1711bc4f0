"""Closing a sketch's holes, and running a sketch step by step.

A hole is closed by the first tactic that proves exactly its goal: the system's automation
tactics (`prover.policies.automation.DECISION_PROCEDURES`, those whose library the theorem
imports; in Coq each as `solve [ T ]`) with `timeout` seconds each, then, when `hammer`
is on, the backend's hammer (`Environment.close_hole`), within what is left of the time.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Sequence

from environments.base import Environment, Error, Finished, GivenUp, ProofState, Progress
from prover.dsp.sketches import HOLE
from prover.policies.automation import DECISION_PROCEDURES, available


@dataclass
class Filled:
    """The outcome of one sketch: the complete tactic script, or why it failed."""

    tactics: list[str] | None
    message: str = ""
    holes: int = 0
    kind: str = ""  # why it failed: step | hole | time | unfinished | empty


class HoleCloser:
    """Tries the system's automation on one hole; a tactic counts only if it proves that goal."""

    def __init__(self, env: Environment, timeout: float, hammer: bool) -> None:
        self.env, self.timeout, self.hammer = env, timeout, hammer

    def candidates(self, state: ProofState) -> list[str]:
        """The automation tactics tried on `state`, in order (the hammer not included)."""
        system = state.theorem.system
        tactics = [t for t in DECISION_PROCEDURES.get(system, ()) if available(t, state)]
        return [f"solve [ {t} ]" for t in tactics] if system == "coq" else tactics

    def close(self, state: ProofState, deadline: float = math.inf) -> tuple[str, Progress | Finished] | None:
        """The tactic that closed `state`'s goal and its outcome, or None."""
        for tactic in self.candidates(state):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return None
            outcome = self.env.step(state, tactic, timeout=min(self.timeout, remaining))
            if isinstance(outcome, (Progress, Finished)):
                return tactic, outcome
        remaining = deadline - time.perf_counter()
        if not self.hammer or remaining <= 0:
            return None
        outcome = self.env.close_hole(state, None if remaining == math.inf else remaining)
        if isinstance(outcome, Progress):
            return outcome.state.path[-1], outcome
        return (outcome.path[-1], outcome) if isinstance(outcome, Finished) else None


def fill_sketch(env: Environment, root: ProofState, steps: Sequence[str | None], closer: HoleCloser,
                deadline: float = math.inf) -> Filled:
    """Run the sketch's steps from `root`, closing each hole with automation, until `deadline`
    (a `time.perf_counter()` value)."""
    state, tactics, holes = root, [], 0
    for number, step in enumerate(steps, 1):
        if time.perf_counter() >= deadline:
            return Filled(None, f"out of time at step {number}", holes, "time")
        if step is HOLE:
            holes += 1
            closed = closer.close(state, deadline)
            if closed is None:
                return Filled(None, f"hole {holes} (step {number}): no automation closes it", holes, "hole")
            tactic, outcome = closed
        else:
            tactic, outcome = step, env.step(state, step, timeout=min(closer.timeout, deadline - time.perf_counter()))
            if isinstance(outcome, (Error, GivenUp)):
                message = outcome.message if isinstance(outcome, Error) else "gave up"
                return Filled(None, f"step {number} {step!r}: {' '.join(message.split())[:200]}", holes, "step")
        tactics.append(tactic)
        if isinstance(outcome, Finished):
            return Filled(tactics, "", holes)
        state = outcome.state
    return Filled(None, "the sketch ends with goals left", holes, "unfinished")
