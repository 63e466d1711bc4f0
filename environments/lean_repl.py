"""The Lean 4 backend over leanprover-community/repl: one REPL subprocess inside a Lake
project, JSON requests separated by blank lines (see environments/PROTOCOLS.md, "Lean REPL").

A theorem's header (its file text before the statement: imports, options, opens) runs once
per REPL process; its environment id is reused for every theorem with the same header.
Opening runs the statement with `sorry` as its proof and starts from that sorry's
`proofState`; steps run in tactic mode. Proof states are immutable ids, so backtracking is
reusing an old id. A hung REPL is killed and restarted; after a restart a state is rebuilt
by replaying its tactic path from the opened theorem.
"""

from __future__ import annotations

import json
import queue
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, ClassVar, Sequence

from environments.base import (ContextError, Environment, Error, ErrorKind, Finished, GivenUp, OpenError,
                               Outcome, Progress, ProofState, ProverError, Theorem, Verdict)
from environments.lean_check import check_lean
from environments.lean_guard import lean_tactic_problem
from environments.process import kill_group, require_executable, spawn

SORRY_STATUS = "Incomplete: contains sorry"


class ReplFailure(ProverError):
    """The REPL timed out, died or answered something that is not a JSON object; it has
    been killed and the next request starts a fresh one."""

    def __init__(self, message: str, kind: ErrorKind) -> None:
        super().__init__(message)
        self.kind = kind


class ReplProcess:
    """One running REPL: writes a request, reads the blank-line-terminated JSON answer."""

    def __init__(self, argv: Sequence[str], cwd: Path | None, memory_mb: int | None) -> None:
        self._stderr = tempfile.TemporaryFile()
        self.proc = spawn(argv, memory_mb=memory_mb, cwd=cwd, stderr=self._stderr.fileno())
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        # a reader thread lets a read wait with a deadline instead of blocking forever
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for line in iter(self.proc.stdout.readline, b""):
                self._lines.put(line)
        except (OSError, ValueError):
            pass
        self._lines.put(None)

    def request(self, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        try:
            self.proc.stdin.write(json.dumps(payload, ensure_ascii=False).encode() + b"\n\n")
        except (BrokenPipeError, OSError, ValueError):
            raise ReplFailure(f"Lean REPL died: {self._stderr_tail()}", ErrorKind.CRASH) from None
        deadline = time.monotonic() + timeout
        lines: list[bytes] = []
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise ReplFailure(f"Lean REPL gave no answer within {timeout:g} s", ErrorKind.TIMEOUT) from None
            if line is None:
                raise ReplFailure(f"Lean REPL died: {self._stderr_tail()}", ErrorKind.CRASH)
            if line.strip():
                lines.append(line)
            elif lines:
                break
        text = b"".join(lines).decode(errors="replace")
        try:
            answer = json.loads(text)
        except json.JSONDecodeError:
            answer = None
        if not isinstance(answer, dict):
            raise ReplFailure(f"malformed Lean REPL response (not a JSON object): {text[:500]!r}", ErrorKind.CRASH)
        return answer

    def _stderr_tail(self) -> str:
        try:
            self.proc.wait(timeout=1)
        except Exception:  # still running: nothing to report about its exit
            pass
        self._stderr.seek(0)
        tail = self._stderr.read().decode(errors="replace")[-2000:].strip()
        return f"exit code {self.proc.returncode}" + (f": {tail}" if tail else "")

    def close(self) -> None:
        kill_group(self.proc)
        self._stderr.close()


def _errors(answer: dict[str, Any]) -> list[str]:
    return [str(m.get("data", "")) for m in answer.get("messages", []) if m.get("severity") == "error"]


class LeanReplEnvironment(Environment):
    system: ClassVar[str] = "lean"

    def __init__(self, project: str | Path | None = None, repl_command: Sequence[str] = ("lake", "env", "repl"),
                 timeout: float = 30.0, memory_mb: int | None = 8192,
                 check_command: Sequence[str] = ("lake", "env", "lean"), startup_timeout: float = 600.0,
                 check_timeout: float = 900.0, allow_sorry: bool = False) -> None:
        """`project`: the Lake project directory the REPL and checker run in (default: the
        current directory). `timeout`: default seconds per tactic. `startup_timeout`: seconds
        for a header (importing Mathlib) or a statement to elaborate. `allow_sorry`: let
        `sorry` through the guard (a proof that uses it ends as GivenUp, never Finished)."""
        self.project = Path(project).expanduser().resolve() if project else None
        self.repl_command = list(repl_command)
        if "/" not in self.repl_command[0]:  # a command on PATH (lake): missing fails now, before any model loads
            require_executable(self.repl_command[0])
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.check_command = list(check_command)
        self.startup_timeout = startup_timeout
        self.check_timeout = check_timeout
        self.allow_sorry = allow_sorry
        self._repl: ReplProcess | None = None
        self._headers: dict[str, int] = {}  # header text -> env id in the running REPL
        self._states: dict[tuple[str, str, tuple[str, ...]], int] = {}  # (header, statement, path) -> proofState

    def _request(self, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        if self._repl is None:
            self._repl = ReplProcess(self.repl_command, self.project, self.memory_mb)
        try:
            return self._repl.request(payload, timeout)
        except ReplFailure:
            self._restart()
            raise

    def _restart(self) -> None:
        """Kill the REPL; ids from it are void, so forget them. The next request starts anew."""
        if self._repl is not None:
            self._repl.close()
            self._repl = None
        self._headers.clear()
        self._states.clear()

    def _header_env(self, header: str) -> int | None:
        if not header.strip():
            return None
        if header not in self._headers:
            answer = self._request({"cmd": header}, self.startup_timeout)
            if _errors(answer) or "message" in answer or not isinstance(answer.get("env"), int):
                raise ContextError(f"header failed: {'; '.join(_errors(answer)) or answer.get('message') or answer}")
            self._headers[header] = answer["env"]
        return self._headers[header]

    def _start(self, theorem: Theorem) -> tuple[int, str]:
        """The proofState id and goal of `theorem`'s statement closed by `sorry`."""
        command: dict[str, Any] = {"cmd": f"{theorem.statement}\n  sorry"}
        env = self._header_env(theorem.context)
        if env is not None:
            command["env"] = env
        answer = self._request(command, self.startup_timeout)
        sorries = answer.get("sorries") or []
        if _errors(answer) or "message" in answer or not sorries:
            reason = "; ".join(_errors(answer)) or answer.get("message") or "the statement gave no goal"
            raise OpenError(f"{theorem.name}: {reason}")
        first = sorries[0]
        if not isinstance(first.get("proofState"), int):
            raise ReplFailure(f"malformed Lean REPL response (sorry without proofState): {answer}", ErrorKind.CRASH)
        self._states[(theorem.context, theorem.statement, ())] = first["proofState"]
        return first["proofState"], str(first.get("goal", ""))

    def _resolve(self, state: ProofState) -> int:
        """`state`'s proofState id in the running REPL, replaying its path if the REPL restarted."""
        key = (state.theorem.context, state.theorem.statement, state.path)
        if key in self._states:
            return self._states[key]
        try:
            current, _ = self._start(state.theorem)
        except OpenError as exc:
            raise ReplFailure(f"replay after restart failed: {exc}", ErrorKind.CRASH) from exc
        for i, tactic in enumerate(state.path):
            answer = self._request({"tactic": tactic, "proofState": current}, self.timeout)
            if _errors(answer) or not isinstance(answer.get("proofState"), int):
                raise ReplFailure(f"replay after restart failed at {tactic!r}: {answer}", ErrorKind.CRASH)
            current = answer["proofState"]
            self._states[key[:2] + (state.path[: i + 1],)] = current
        return current

    def open(self, theorem: Theorem) -> ProofState:
        if theorem.system != "lean":
            raise OpenError(f"{theorem.name}: a {theorem.system} theorem, not a Lean one")
        # states of other theorems are never stepped again by a sequential search
        self._states = {k: v for k, v in self._states.items() if k[:2] == (theorem.context, theorem.statement)}
        try:
            proof_state, goal = self._start(theorem)
        except ReplFailure as exc:
            raise OpenError(f"{theorem.name}: {exc}") from exc
        return ProofState(goals=goal, theorem=theorem, path=(), handle=proof_state)

    def step(self, state: ProofState, tactic: str, timeout: float | None = None) -> Outcome:
        problem = lean_tactic_problem(tactic, allow_sorry=self.allow_sorry)
        if problem is not None:
            return Error(problem, ErrorKind.REJECTED)
        try:
            answer = self._request({"tactic": tactic, "proofState": self._resolve(state)}, timeout or self.timeout)
        except ReplFailure as exc:
            return Error(str(exc), exc.kind)
        return self._outcome(state, tactic, answer)

    def _outcome(self, state: ProofState, tactic: str, answer: dict[str, Any]) -> Outcome:
        if "message" in answer and "proofState" not in answer:
            return Error(str(answer["message"]))
        errors = _errors(answer)
        if errors:
            return Error("\n".join(errors))
        status = str(answer.get("proofStatus", ""))
        if status.startswith("Error"):
            return Error(status)
        goals, proof_state = answer.get("goals"), answer.get("proofState")
        if not isinstance(goals, list) or not isinstance(proof_state, int):
            return Error(f"malformed Lean REPL response (no goals/proofState): {answer}", ErrorKind.CRASH)
        path = state.path + (tactic,)
        if not goals:
            return GivenUp(path) if status == SORRY_STATUS else Finished(path)
        self._states[(state.theorem.context, state.theorem.statement, path)] = proof_state
        return Progress(ProofState(goals="\n\n".join(map(str, goals)), theorem=state.theorem, path=path,
                                   handle=proof_state))

    def check(self, theorem: Theorem, tactics: Sequence[str]) -> Verdict:
        return check_lean(theorem, tactics, project=self.project, command=self.check_command,
                          timeout=self.check_timeout, memory_mb=self.memory_mb)

    def close(self) -> None:
        self._restart()
