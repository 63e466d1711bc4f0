"""The Isabelle backend over a PISA server (gRPC; stubs in pisa_pb2*.py generated from
pisa.proto: `python -m grpc_tools.protoc -I. --python_out=. --grpc_python_out=.
environments/pisa.proto`, run from the repository root).

Every proof state lives in the server under a name. A step applies a tactic to a named
state and names the result, leaving the old state as it was, so backtracking is stepping
from an older name: nothing is ever replayed. Reopening a theorem clones its opened state;
states a step abandoned (a timed-out attempt, the header's intermediate states) are
deleted. Only after the server lost its states (it crashed or restarted) is a state
rebuilt by replaying its path. The backend's hammer (`close_hole`) is Sledgehammer, with
its own, longer, timeout.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import ClassVar, Sequence

from environments.base import (
    Environment,
    Error,
    ErrorKind,
    Finished,
    GivenUp,
    OpenError,
    Outcome,
    Progress,
    ProofState,
    Theorem,
    Verdict,
)
from environments.isabelle_check import check_isabelle, isabelle_source, theory_name
from environments.isabelle_guard import cheat_word, isabelle_step_problem
from environments.pisa_client import INITIAL_STATE, PisaClient, PisaFailure, is_error


class PisaEnvironment(Environment):
    system: ClassVar[str] = "isabelle"

    def __init__(
        self,
        address: str = "localhost:8000",
        isabelle_path: str = "~/Isabelle2022",
        working_directory: str | Path | None = None,
        timeout: float = 30.0,
        sledgehammer_timeout: float = 60.0,
        open_timeout: float = 600.0,
        allow_sorry: bool = False,
    ) -> None:
        """`address`: the PISA server (host:port). `isabelle_path`: the Isabelle install as the
        server sees it. `working_directory`: where the server resolves theory imports (default:
        the theory file's directory). `open_timeout`: seconds for the session start and the
        theory header. `allow_sorry`: let `sorry`/`oops` through the guard (DSP sketches with
        holes); a proof that uses them ends as GivenUp, never Finished."""
        self.address = address
        self.isabelle_path = str(Path(isabelle_path).expanduser())
        self.working_directory = Path(working_directory).expanduser() if working_directory else None
        self.timeout = timeout
        self.sledgehammer_timeout = sledgehammer_timeout
        self.open_timeout = open_timeout
        self.allow_sorry = allow_sorry
        self._client: PisaClient | None = None
        self._session: Path | None = None  # the theory file of the live session
        self._session_number = 0  # names from an earlier session are void
        self._opened: dict[tuple[str, str], tuple[str, str]] = {}  # (context, statement) -> (state name, goals)
        self._names = itertools.count()
        self._scratch: tempfile.TemporaryDirectory | None = None

    def _fresh(self) -> str:
        return f"s{next(self._names)}"

    def _theory_file(self, theorem: Theorem) -> Path:
        if theorem.path is not None and Path(theorem.path).exists():
            return Path(theorem.path).resolve()
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="pisa-")
        path = Path(self._scratch.name) / f"{theory_name(theorem)}.thy"
        path.write_text(isabelle_source(theorem, ["sorry"]), encoding="utf-8")
        return path

    def _session_for(self, theorem: Theorem) -> PisaClient:
        theory_file = self._theory_file(theorem)
        if self._client is None:
            self._client = PisaClient(self.address)
        if self._session != theory_file:
            self._session = None
            self._opened.clear()
            self._client.start(self.isabelle_path, self.working_directory or theory_file.parent, theory_file,
                               self.open_timeout)
            self._session, self._session_number = theory_file, self._session_number + 1
        return self._client

    def _lost(self) -> None:
        """The server lost its states: the next call starts a new session."""
        self._session = None
        self._opened.clear()

    def _start(self, theorem: Theorem) -> tuple[str, str]:
        """A state name holding `theorem`'s opened goals (a clone when it was opened before), and the goals."""
        client = self._session_for(theorem)
        key = (theorem.context, theorem.statement)
        if key in self._opened:
            opened, goals = self._opened[key]
            name = self._fresh()
            client.clone(opened, name, self.timeout)
            return name, goals
        previous, answer = INITIAL_STATE, ""
        for step in client.parse(theorem.context + theorem.statement, self.open_timeout):
            name = self._fresh()
            answer = client.apply(previous, step, name, self.open_timeout)
            if previous != INITIAL_STATE:
                client.delete(previous, self.timeout)
            if is_error(answer):
                raise OpenError(f"{theorem.name}: {step!r}: {answer.strip()}")
            previous = name
        self._opened[key] = (previous, answer)
        return previous, answer

    def _resolve(self, state: ProofState) -> str:
        """`state`'s name in the live session, rebuilt by replay only if the server lost it."""
        number, name = state.handle
        if number == self._session_number and self._session is not None:
            return name
        try:
            name, _ = self._start(state.theorem)
        except OpenError as exc:
            raise PisaFailure(f"replay after the server lost its states failed: {exc}", ErrorKind.CRASH) from exc
        for step in state.path:
            new = self._fresh()
            answer = self._client.apply(name, step, new, self.timeout)
            if is_error(answer):
                raise PisaFailure(f"replay after the server lost its states failed at {step!r}: {answer}",
                                  ErrorKind.CRASH)
            name = new
        return name

    def open(self, theorem: Theorem) -> ProofState:
        if theorem.system != "isabelle":
            raise OpenError(f"{theorem.name}: a {theorem.system} theorem, not an Isabelle one")
        try:
            name, goals = self._start(theorem)
        except PisaFailure:
            self._lost()
            raise
        return ProofState(goals=goals, theorem=theorem, path=(), handle=(self._session_number, name))

    def step(self, state: ProofState, tactic: str, timeout: float | None = None) -> Outcome:
        problem = isabelle_step_problem(tactic, allow_sorry=self.allow_sorry)
        if problem is not None:
            return Error(problem, ErrorKind.REJECTED)
        new = self._fresh()
        try:
            old = self._resolve(state)
            answer = self._client.apply(old, tactic, new, timeout or self.timeout)
            if is_error(answer):
                return Error(answer.strip())
            finished = self._client.is_finished(new, self.timeout)
        except PisaFailure as exc:
            if exc.kind is ErrorKind.TIMEOUT:
                self._forget(new)
            else:
                self._lost()
            return Error(str(exc), exc.kind)
        path = state.path + (tactic,)
        if finished:
            return GivenUp(path) if any(cheat_word(step) for step in path) else Finished(path)
        return Progress(ProofState(goals=answer, theorem=state.theorem, path=path,
                                   handle=(self._session_number, new)))

    def _forget(self, name: str) -> None:
        """Delete a state a timed-out step may still create once the server gets to it."""
        try:
            self._client.delete(name, self.timeout)
        except PisaFailure:
            self._lost()

    def close_hole(self, state: ProofState, timeout: float | None = None) -> Outcome:
        """`sledgehammer` with its own timeout (`sledgehammer_timeout`, within `timeout`)."""
        limit = self.sledgehammer_timeout if timeout is None else min(self.sledgehammer_timeout, timeout)
        return self.step(state, "sledgehammer", timeout=limit)

    def check(self, theorem: Theorem, tactics: Sequence[str]) -> Verdict:
        return check_isabelle(theorem, tactics, address=self.address, isabelle_path=self.isabelle_path,
                              working_directory=self.working_directory, timeout=self.open_timeout)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self._lost()
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

