"""Checked suggestions at a cursor: open the cursor's theorem, replay the proof up to the
cursor, ask the policy for tactics there and run each one against that state, marking it
closes the goal / leaves N goals / fails (with Coq's message), closing ones first; and the
rest of the proof from the cursor, found by best-first search and re-checked as a whole."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

from environments.base import Environment, Error, Finished, GivenUp, Outcome, ProofState, Progress, Theorem, Verdict
from environments.coq import goal_count
from environments.coq_syntax import is_bullet
from environments.guard import normalise_tactic
from prover.cursor import Cursor
from search.best_first import SearchConfig, best_first_search
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
    """The `n` best of the policy's first 2n tactics at `state`, each checked: closing ones
    first, then by goals left, failing ones last (the policy's rank kept among equals). At a
    goal with binders (where `intros` changes it), a tactic that fails is retried after
    `intros` and shown as `intros; TACTIC` when that works."""
    candidates = policy.propose([state], 2 * n)[0][: 2 * n]
    binders: bool | None = None  # whether `intros` changes the goal, found out at the first failure
    checked: dict[str, Checked] = {}  # by the candidate's tactic as Coq runs it: `lia` and `lia.` are one
    for candidate in candidates:
        key = normalise_tactic(candidate.tactic)
        if key in checked:
            continue
        mark = check(env, state, candidate.tactic)
        text = candidate.tactic.strip()
        if mark.status == "fails" and not is_bullet(text) and not text.startswith("intro"):
            if binders is None:
                opened = env.step(state, "intros.")
                binders = isinstance(opened, Progress) and opened.state.key != state.key
            if binders:
                retried = check(env, state, f"intros; {text.removesuffix('.')}.")
                mark = retried if retried.status != "fails" else mark
        checked[key] = mark
    return sorted(checked.values(), key=lambda c: (_ORDER[c.status], c.goals))[:n]


class _FromCursor(Environment):
    """`env` with every theorem opening at the cursor's state: best-first search runs from
    there unchanged, and its proofs (the cursor's path included) are checked by `env`."""

    def __init__(self, env: Environment, state: ProofState) -> None:
        self.env, self.state, self.system = env, state, env.system

    def open(self, theorem: Theorem) -> ProofState:
        return self.state

    def step(self, state: ProofState, tactic: str, timeout: float | None = None) -> Outcome:
        return self.env.step(state, tactic, timeout)

    def check(self, theorem: Theorem, tactics: Sequence[str]) -> Verdict:
        return self.env.check(theorem, tactics)

    def close_hole(self, state: ProofState, timeout: float | None = None) -> Outcome | None:
        return self.env.close_hole(state, timeout)


def rest_of_proof(env: Environment, policy: TacticPolicy, state: ProofState, config: SearchConfig) -> list[str] | None:
    """The tactics that finish the proof from `state` (a state `replay` returned), found by
    best-first search within `config`'s budget; the whole proof, the sentences before the
    cursor included, passed `env.check` (the independent checker). None if none was found."""
    result = best_first_search(_FromCursor(env, state), policy, state.theorem, config)
    if result.status != "proved" or result.proof is None:
        return None
    assert result.proof[: len(state.path)] == state.path, "the search starts at the cursor"
    return list(result.proof[len(state.path):])
