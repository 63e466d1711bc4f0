"""The Lean 4 backend over LeanDojo (`lean_dojo.Dojo`, the optional `lean` extra, imported
only when a theorem is opened).

A theorem here is (repository, file, full name), read from `Theorem.meta`: "repository"
(a git URL or a local path), "commit", "file" (relative to the repository) and
"full_name" (default: `Theorem.name`); the environment's `repo`/`commit` fill in what the
theorem leaves out. The repository must have been traced by LeanDojo beforehand.

One Dojo is open at a time. LeanDojo's results and exceptions map onto our Outcome:
TacticState → Progress, ProofFinished → Finished, LeanError → Error, ProofGivenUp → GivenUp,
DojoTacticTimeoutError → Error(TIMEOUT), DojoCrashError → Error(CRASH), DojoInitError →
OpenError. After a timeout or a crash the Dojo is closed, and the next step reopens it
and replays the state's tactic path.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar, Sequence

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
    ProverError,
    Theorem,
    Verdict,
)
from environments.lean_guard import lean_script_problem, lean_tactic_problem
from environments.theorem_files.lean import proof_body


def _lean_dojo() -> ModuleType:
    try:
        import lean_dojo
    except ImportError as exc:
        raise ProverError("lean-dojo is not installed: pip install 'llemma-prover[lean]'") from exc
    return lean_dojo


class LeanDojoEnvironment(Environment):
    system: ClassVar[str] = "lean"

    def __init__(
        self,
        repo: str | None = None,
        commit: str | None = None,
        timeout: float = 600,
        additional_imports: Sequence[str] = (),
        build_deps: bool = True,
    ) -> None:
        """`repo`/`commit`: the traced repository for theorems whose meta names none.
        `timeout`: LeanDojo's seconds per interaction, fixed for the life of a Dojo (so a
        per-step `timeout` argument cannot change it)."""
        self.repo = repo
        self.commit = commit
        self.timeout = timeout
        self.additional_imports = list(additional_imports)
        self.build_deps = build_deps
        self._dojo: Any = None
        self._theorem: Theorem | None = None  # whose Dojo is open
        self._generation = 0  # handles from an earlier Dojo are void

    def dojo_theorem(self, theorem: Theorem) -> Any:
        """The `lean_dojo.Theorem` (repository, file, full name) that `theorem` stands for."""
        lean_dojo = _lean_dojo()
        meta = theorem.meta
        repository, commit = meta.get("repository", self.repo), meta.get("commit", self.commit)
        file = meta.get("file") or (str(theorem.path) if theorem.path else None)
        if repository is None or file is None:
            raise OpenError(f"{theorem.name}: LeanDojo needs a repository and a file (theorem meta or env.repo)")
        if Path(str(repository)).expanduser().is_dir():
            repo = lean_dojo.LeanGitRepo.from_path(Path(str(repository)).expanduser())
        elif commit is None:
            raise OpenError(f"{theorem.name}: a remote repository needs a commit")
        else:
            repo = lean_dojo.LeanGitRepo(str(repository), str(commit))
        return lean_dojo.Theorem(repo, Path(file), str(meta.get("full_name", theorem.name)))

    def _enter(self, theorem: Theorem) -> Any:
        """Open a Dojo on `theorem` (closing any other); its initial TacticState."""
        lean_dojo = _lean_dojo()
        self._exit()
        try:
            dojo = lean_dojo.Dojo(self.dojo_theorem(theorem), timeout=int(self.timeout),
                                  additional_imports=self.additional_imports, build_deps=self.build_deps)
            self._dojo, initial = dojo.__enter__()
        except lean_dojo.DojoInitError as exc:
            raise OpenError(f"{theorem.name}: {exc}") from exc
        except (lean_dojo.DojoCrashError, lean_dojo.DojoTacticTimeoutError) as exc:
            raise OpenError(f"{theorem.name}: LeanDojo failed to start: {type(exc).__name__}: {exc}") from exc
        self._theorem, self._generation = theorem, self._generation + 1
        if not isinstance(initial, lean_dojo.TacticState):
            self._exit()
            raise OpenError(f"{theorem.name}: LeanDojo gave no tactic state ({initial!r})")
        return initial

    def _exit(self) -> None:
        if self._dojo is not None:
            dojo, self._dojo, self._theorem = self._dojo, None, None
            dojo.__exit__(None, None, None)

    def _resolve(self, state: ProofState) -> Any:
        """`state`'s TacticState in the open Dojo, reopening and replaying its path if needed."""
        generation, tactic_state = state.handle
        if generation == self._generation and self._dojo is not None and self._theorem == state.theorem:
            return tactic_state
        lean_dojo = _lean_dojo()
        current = self._enter(state.theorem)
        for tactic in state.path:
            current = self._dojo.run_tac(current, tactic)
            if not isinstance(current, lean_dojo.TacticState):
                raise ProverError(f"replay of {state.path} failed at {tactic!r}: {current!r}")
        return current

    def open(self, theorem: Theorem) -> ProofState:
        initial = self._enter(theorem)
        return ProofState(goals=initial.pp, theorem=theorem, path=(), handle=(self._generation, initial))

    def step(self, state: ProofState, tactic: str, timeout: float | None = None) -> Outcome:
        problem = lean_tactic_problem(tactic)
        if problem is not None:
            return Error(problem, ErrorKind.REJECTED)
        lean_dojo = _lean_dojo()
        try:
            current = self._resolve(state)  # may reopen the Dojo
            result = self._dojo.run_tac(current, tactic)
        except lean_dojo.DojoTacticTimeoutError:
            self._exit()  # its Lean process is stuck mid-tactic
            return Error(f"LeanDojo: tactic ran past {self.timeout:g} s", ErrorKind.TIMEOUT)
        except lean_dojo.DojoCrashError as exc:
            self._exit()
            reason = "out of memory" if exc.is_out_of_memory else str(exc)
            return Error(f"LeanDojo crashed: {reason}", ErrorKind.CRASH)
        except ProverError as exc:
            self._exit()
            return Error(f"LeanDojo could not restore the state: {exc}", ErrorKind.CRASH)
        path = state.path + (tactic,)
        if isinstance(result, lean_dojo.TacticState):
            return Progress(ProofState(goals=result.pp, theorem=state.theorem, path=path,
                                       handle=(self._generation, result)))
        if isinstance(result, lean_dojo.ProofFinished):
            return Finished(path)
        if isinstance(result, lean_dojo.ProofGivenUp):
            return GivenUp(path)
        if isinstance(result, lean_dojo.LeanError):
            return Error(result.error)
        return Error(f"LeanDojo returned an unknown result: {result!r}", ErrorKind.CRASH)

    def check(self, theorem: Theorem, tactics: Sequence[str]) -> Verdict:
        """Replay the proof in a new Dojo (LeanDojo compiles the repository file with the
        proof in place): every tactic must pass the guard and the last must finish the proof.
        `source` is the theorem's text with this proof; LeanDojo gives no `#print axioms`."""
        source = f"{theorem.context}{theorem.statement}\n{proof_body(tactics)}\n"
        problem = lean_script_problem(tactics)
        if problem is not None:
            return Verdict(False, problem, source)
        checker = LeanDojoEnvironment(self.repo, self.commit, self.timeout, self.additional_imports, self.build_deps)
        try:
            state = checker.open(theorem)
            for number, tactic in enumerate(tactics):
                outcome = checker.step(state, tactic)
                if isinstance(outcome, Finished) and number == len(tactics) - 1:
                    return Verdict(True, "", source)
                if not isinstance(outcome, Progress):
                    return Verdict(False, f"tactic {tactic!r}: {outcome}", source)
                state = outcome.state
            return Verdict(False, "the proof is not finished", source)
        except ProverError as exc:
            return Verdict(False, f"LeanDojo: {exc}", source)
        finally:
            checker.close()

    def close(self) -> None:
        self._exit()
