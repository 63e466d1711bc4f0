"""The environment contract: what every proof-assistant backend takes and returns.

A backend opens a `Theorem` into a `ProofState`, steps one tactic at a time into an
`Outcome`, and re-checks a finished tactic script in a fresh prover process into a
`Verdict`. Search, the policies and the benchmarks see provers only through these types.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, Mapping, Sequence


class ProverError(RuntimeError):
    """The prover could not do what was asked (it is missing, or it broke beyond repair)."""


class ProverNotFound(ProverError):
    """The prover's executable is not installed or not on PATH."""


class OpenError(ProverError):
    """A theorem's context or statement does not elaborate; `message` is the prover's error."""


class ContextError(OpenError):
    """The text before the statement (its file's context) does not elaborate: the input is broken."""


@dataclass(frozen=True)
class Theorem:
    """A statement to prove, with everything before it in its file."""

    name: str
    system: str  # "coq" | "lean" | "isabelle"
    statement: str  # the declaration up to where its proof starts ("Theorem t : P." / "theorem t : P := by")
    context: str = ""  # the file's text before the statement: imports, definitions, earlier lemmas
    path: Path | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)  # dataset extras


def normalise_goals(goals: str) -> str:
    """The de-duplication key of a goals text: whitespace runs folded, ends stripped."""
    return re.sub(r"\s+", " ", goals).strip()


@dataclass(frozen=True)
class ProofState:
    """One point in a proof: the goals the policy sees and the backend's handle to it."""

    goals: str  # pretty-printed goals, exactly the text a policy is prompted with
    theorem: Theorem = field(compare=False)
    path: tuple[str, ...] = field(default=(), compare=False)  # tactics from the opened state; replayed after a crash
    handle: Any = field(default=None, compare=False)  # Coq state id, Lean proofState id, PISA state name, ...

    @property
    def key(self) -> str:
        return normalise_goals(self.goals)


class ErrorKind(str, Enum):
    TACTIC = "tactic"  # the prover rejected the tactic; the state is unchanged
    TIMEOUT = "timeout"  # the tactic ran past its time limit
    REJECTED = "rejected"  # the tactic guard refused it before it reached the prover
    CRASH = "crash"  # the prover died while running it; the next call restarts it


@dataclass(frozen=True)
class Progress:
    state: ProofState


@dataclass(frozen=True)
class Error:
    message: str
    kind: ErrorKind = ErrorKind.TACTIC


@dataclass(frozen=True)
class Finished:
    path: tuple[str, ...]  # the complete tactic script from the opened state


@dataclass(frozen=True)
class GivenUp:
    path: tuple[str, ...]  # a script that closed the proof with sorry / admit: never a proof


Outcome = Progress | Error | Finished | GivenUp


@dataclass(frozen=True)
class Verdict:
    """The independent checker's answer on a complete file."""

    ok: bool
    reason: str  # empty when ok; otherwise why the proof was rejected
    source: str  # the complete file text that was compiled
    axioms: tuple[str, ...] = ()  # library axioms the proof depends on (allowed)


class Environment(ABC):
    """One prover process (restarted on demand) that opens theorems and steps tactics."""

    system: ClassVar[str]

    @abstractmethod
    def open(self, theorem: Theorem) -> ProofState:
        """Start a proof of `theorem`; raises OpenError if its context or statement fails."""

    @abstractmethod
    def step(self, state: ProofState, tactic: str, timeout: float | None = None) -> Outcome:
        """Run one tactic on `state`; `state` stays usable whatever the outcome."""

    @abstractmethod
    def check(self, theorem: Theorem, tactics: Sequence[str]) -> Verdict:
        """Re-check a whole proof in a fresh prover process that rejects cheats."""

    def close_hole(self, state: ProofState, timeout: float | None = None) -> Outcome | None:
        """The backend's hammer on `state`'s first goal (Draft-Sketch-Prove's last resort on a
        hole), at most `timeout` seconds; the tactic it ran ends the outcome's path. None: this
        backend offers no hammer (the default), or not for this theorem."""
        return None

    def close(self) -> None:
        """Stop the prover process group. Safe to call twice."""

    def __enter__(self) -> Environment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
