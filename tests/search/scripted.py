"""A scripted Environment for algorithm tests: goals are strings, and a table says what each
tactic does in each goal. It follows the Environment contract (a fresh state per step,
keys from the goals text, Error with a kind, Finished with the whole path, a checker)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Mapping, Sequence

from environments.base import (
    Environment, Error, ErrorKind, Finished, GivenUp, OpenError, Outcome, Progress, ProofState, Theorem, Verdict,
)

QED, FAIL, TIMEOUT, ADMIT = "<qed>", "<fail>", "<timeout>", "<admit>"


class ScriptedEnvironment(Environment):
    """`script[goals][tactic]` is the next goals text or QED / FAIL / TIMEOUT / ADMIT; a
    tactic not in the table fails. The root goals are the theorem's statement."""

    system = "coq"

    def __init__(self, script: Mapping[str, Mapping[str, str]], *, rejected_proofs: Sequence[tuple[str, ...]] = (),
                 step_delay_s: float = 0.0, explode_on: str | None = None) -> None:
        self.script = script
        self.rejected = {tuple(p) for p in rejected_proofs}
        self.step_delay_s = step_delay_s
        self.explode_on = explode_on  # a theorem name whose open() raises a RuntimeError
        self.steps: Counter[str] = Counter()  # steps per goals text
        self.checked: list[tuple[str, ...]] = []
        self.closed = False

    def open(self, theorem: Theorem) -> ProofState:
        if theorem.name == self.explode_on:
            raise RuntimeError("prover exploded")
        if theorem.statement not in self.script:
            raise OpenError(f"unknown statement {theorem.statement!r}")
        return ProofState(theorem.statement, theorem, ())

    def step(self, state: ProofState, tactic: str, timeout: float | None = None) -> Outcome:
        assert not self.closed, "step on a closed environment"
        self.steps[state.goals] += 1
        if self.step_delay_s:
            time.sleep(self.step_delay_s)
        result = self.script.get(state.goals, {}).get(tactic, FAIL)
        path = (*state.path, tactic)
        if result == QED:
            return Finished(path)
        if result == ADMIT:
            return GivenUp(path)
        if result == FAIL:
            return Error(f"tactic {tactic!r} failed", ErrorKind.TACTIC)
        if result == TIMEOUT:
            return Error("Timeout!", ErrorKind.TIMEOUT)
        return Progress(ProofState(result, state.theorem, path))

    def check(self, theorem: Theorem, tactics: Sequence[str]) -> Verdict:
        proof = tuple(tactics)
        self.checked.append(proof)
        goals = theorem.statement
        for tactic in proof:
            goals = self.script.get(goals, {}).get(tactic, FAIL)
        ok = goals == QED and proof not in self.rejected
        return Verdict(ok, "" if ok else "rejected by the scripted checker", "\n".join(proof))

    def close(self) -> None:
        self.closed = True


def theorem(statement: str, name: str = "t") -> Theorem:
    return Theorem(name=name, system="coq", statement=statement)
