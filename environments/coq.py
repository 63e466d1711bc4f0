"""The Coq backend: opens theorems and steps tactics in one `coqtop -emacs -quiet` process.

States are coqtop state ids. Going back to any live state is one `BackTo SID.` (coqtop then
discards every later state, so the backend remembers which ids are still live); a state that
is no longer live, or that belongs to a process that died, is rebuilt by re-opening its theorem
and replaying its tactic path. Consecutive theorems with the same context (imports, earlier
lemmas) share it: the backend goes back to the state right after the context instead of
loading it again. Each tactic runs under Coq's `Timeout N` and a wall-clock guard that
interrupts coqtop, or kills it when it does not answer the interrupt.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Sequence

from environments.base import (ContextError, Environment, Error, ErrorKind, Finished, GivenUp, OpenError,
                               Outcome, Progress, ProofState, ProverError, Theorem, Verdict)
from environments.coq_check import check_coq
from environments.coq_steps import CONTEXT_STEPS, Reply, StepRecorder, error_message, goals_text
from environments.coq_syntax import IMPORTS_HAMMER, is_bullet, split_sentences, strip_comments
from environments.coqtop import Coqtop, Died, Hung
from environments.guard import coq_tactic_problem, normalise_tactic
from environments.process import require_executable

_GOALS = re.compile(r"^(\d+) (?:focused )?goals?\b", re.M)
_SECOND_GOAL = re.compile(r"^goal 2 \(ID \d+\) is:", re.M)
_SHOWN_GOALS = 32  # goals shown with their hypotheses; beyond, only conclusions
_NO_MORE_GOALS = re.compile(r"^No more goals\.\s*$", re.M)
_DISPLAY = re.compile(r"^(?:\d+ (?:focused )?goals?\b|No more goals|This subproof is complete)", re.M)
_GAVE_UP = "goals you gave up"
_GRACE_S = 0.3  # wall-clock slack over Coq's own Timeout before we interrupt
_INTERRUPT_WAIT_S = 0.5  # how long an interrupted coqtop gets to answer before it is killed
_CONTROL_WALL_S = 30.0  # BackTo and markers


def goal_count(goals: str) -> int:
    """How many goals a goals display shows (0 for "No more goals" or an empty display)."""
    found = _GOALS.search(goals)
    return int(found.group(1)) if found else 0


def _open_braces(path: tuple[str, ...]) -> int:
    """How many `{` of the script are still unclosed (inside one, "No more goals" is not the end)."""
    sentences = [s.text for tactic in path for s in split_sentences(tactic).sentences]
    return sum(text.endswith("{") for text in sentences) - sentences.count("}")


class CoqEnvironment(Environment):
    """Coq through coqtop; one process per environment, restarted when it dies."""

    system = "coq"

    def __init__(self, coqtop: str = "coqtop", coqc: str = "coqc", timeout: float = 10.0,
                 memory_mb: int | None = 4096, cpu_seconds: int | None = None,
                 check_timeout: float = 120.0) -> None:
        self._executable = require_executable(coqtop)
        self._coqc = coqc
        self.timeout = timeout
        self._memory_mb = memory_mb
        self._cpu_seconds = cpu_seconds
        self.check_timeout = check_timeout
        self._proc: Coqtop | None = None
        self._flags: tuple[str, ...] = ()  # the running coqtop's flags: the open theorem's meta["coq_flags"]
        self._loaded: list[tuple[str, int, Reply]] = []  # context sentences in coqtop: the state after each, its reply
        self._context_sid: int | None = None  # the state after the whole loaded context
        self._context_steps: tuple[dict, ...] = ()  # the steps of its finished proofs (coq_steps)
        self._theorem: Theorem | None = None
        self._live: dict[tuple[str, ...], int] = {}  # tactic path -> state id, for the open theorem

    def open(self, theorem: Theorem) -> ProofState:
        for attempt in range(2):
            try:
                return self._open(theorem)
            except Died:
                self._kill()
                if attempt:
                    raise OpenError("coqtop died while opening the theorem") from None
            except Hung:
                self._kill()
                raise OpenError(f"opening {theorem.name} took longer than {self.check_timeout} s") from None
        raise AssertionError("unreachable")

    def step(self, state: ProofState, tactic: str, timeout: float | None = None) -> Outcome:
        problem = coq_tactic_problem(tactic)
        if problem:
            return Error(f"rejected: {problem}", ErrorKind.REJECTED)
        tactic = normalise_tactic(tactic)
        limit = self.timeout if timeout is None else timeout
        for attempt in range(2):
            try:
                self._goto(state)
                return self._run(state, tactic, limit)
            except Died as exc:
                self._kill()
                if attempt:
                    return Error(f"coqtop died: {exc}", ErrorKind.CRASH)
            except (Hung, ProverError) as exc:
                self._kill()
                return Error(f"could not restore the proof state: {exc}", ErrorKind.CRASH)
        raise AssertionError("unreachable")

    def close_hole(self, state: ProofState, timeout: float | None = None) -> Outcome | None:
        """CoqHammer's `hammer` (within the step timeout), where the theorem's context imports it."""
        if not IMPORTS_HAMMER.search(state.theorem.context):
            return None
        return self.step(state, "solve [ hammer ]", self.timeout if timeout is None else min(self.timeout, timeout))

    def check(self, theorem: Theorem, tactics: Sequence[str]) -> Verdict:
        return check_coq(theorem, tactics, coqc=self._coqc, timeout=self.check_timeout)

    def close(self) -> None:
        self._kill()

    @property
    def pid(self) -> int | None:
        """The running coqtop's process id (None before the first open or after close)."""
        return self._proc.pid if self._proc is not None and self._proc.alive() else None

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.close()
        self._proc = None
        self._loaded, self._context_sid, self._theorem, self._live = [], None, None, {}
        self._context_steps = ()

    def _restart(self) -> Coqtop:
        self._kill()
        self._proc = Coqtop(self._executable, self._memory_mb, self._cpu_seconds, self._flags)
        return self._proc

    def _process(self) -> Coqtop:
        if self._proc is None or not self._proc.alive():
            return self._restart()
        return self._proc

    def _back_to(self, sid: int) -> None:
        proc = self._proc
        if proc is None or not proc.alive():
            raise Died("coqtop is gone")
        if proc.sid != sid:
            reply = proc.send(f"BackTo {sid}.", _CONTROL_WALL_S)
            error = error_message(reply.text)
            if error:
                raise ProverError(f"BackTo {sid} failed: {error}")
        self._live = {path: live for path, live in self._live.items() if live <= sid}

    def _open(self, theorem: Theorem) -> ProofState:
        if theorem.system != self.system:
            raise OpenError(f"{theorem.name} is a {theorem.system} theorem, not a Coq one")
        split = split_sentences(theorem.statement)
        if split.rest or not split.balanced or len(split.sentences) != 1:
            raise OpenError(f"{theorem.name}: the statement must be exactly one sentence")
        flags = tuple(theorem.meta.get("coq_flags", ()))
        if flags != self._flags:  # a library compiled with other flags (load path, -noinit, ...)
            self._kill()
            self._flags = flags
        self._theorem, self._live = None, {}
        self._load_context(theorem.context)
        proc = self._proc
        shown = proc.send(split.sentences[0].text, self.check_timeout).text
        error = error_message(shown)
        if error:
            self._back_to(self._context_sid)
            raise OpenError(error)
        if not _GOALS.search(shown):
            shown = self._displayed_goals()
        if not _GOALS.search(shown):
            self._back_to(self._context_sid)
            raise OpenError(f"{theorem.name}: the statement does not start a proof")
        self._theorem = replace(theorem, meta={**theorem.meta, CONTEXT_STEPS: self._context_steps})
        self._live = {(): proc.sid}
        return ProofState(self._all_goals(shown), self._theorem, ())

    def _load_context(self, context: str) -> None:
        """Bring coqtop to the state after `context`, keeping the longest loaded prefix of it."""
        split = split_sentences(context)
        if split.rest or not split.balanced:
            raise ContextError("the context ends inside an unterminated sentence, comment or string")
        wanted = [sentence.text for sentence in split.sentences]
        self._process()
        kept = 0
        while kept < min(len(wanted), len(self._loaded)) and self._loaded[kept][0] == wanted[kept]:
            kept += 1
        if self._context_sid is not None and kept == len(wanted) == len(self._loaded):
            self._back_to(self._context_sid)
            return
        if kept == 0 and self._loaded:
            self._restart()  # nothing shared: a fresh process also frees the old libraries' memory
        proc = self._process()
        self._back_to(self._loaded[kept - 1][1] if kept else proc.initial_sid)
        del self._loaded[kept:]
        for text in wanted[kept:]:
            proof = proc.proof
            answer = proc.send(text, self.check_timeout).text
            error = error_message(answer)
            if error:
                self._kill()
                raise ContextError(f"in the context, at {text[:80]!r}: {error}")
            self._loaded.append((text, proc.sid, Reply(" ".join(strip_comments(text).split()), proof, answer)))
        # a marker swallows any answer on which our sentence split and coqtop's might disagree
        self._context_sid = proc.sync(_CONTROL_WALL_S)
        recorder = StepRecorder()
        for _, _, reply in self._loaded:
            recorder.feed(reply)
        self._context_steps = tuple(recorder.steps)

    def _goto(self, state: ProofState) -> None:
        """Put coqtop at `state`: BackTo its id when it is live, else rebuild and replay."""
        if self._proc is not None and self._proc.alive() and self._theorem == state.theorem:
            depth = max(n for n in range(len(state.path) + 1) if state.path[:n] in self._live)
            self._back_to(self._live[state.path[:depth]])
        else:
            self._open(state.theorem)
            depth = 0
        replayed = ProofState("", state.theorem, state.path[:depth])
        for tactic in state.path[depth:]:
            outcome = self._run(replayed, tactic, max(self.timeout, self.check_timeout))
            if not isinstance(outcome, Progress):
                raise ProverError(f"replaying {tactic!r} gave {outcome}")
            replayed = outcome.state

    def _run(self, state: ProofState, tactic: str, limit: float) -> Outcome:
        """Run `tactic` with coqtop at `state`; on any failure leave coqtop at `state`."""
        proc = self._proc
        start = proc.sid
        for sentence in split_sentences(tactic).sentences:
            command = sentence.text
            if not is_bullet(command):
                command = f"Timeout {max(1, math.ceil(limit))} {command}"
            try:
                reply = proc.send(command, limit + _GRACE_S)
            except Hung:
                return self._interrupt(start, limit)
            error = error_message(reply.text)
            if error:
                if proc.sid != start:
                    self._back_to(start)
                timed_out = "Timeout!" in error or "User interrupt" in error
                return Error(error, ErrorKind.TIMEOUT if timed_out else ErrorKind.TACTIC)
        path = state.path + (tactic,)
        text = reply.text if _DISPLAY.search(reply.text) else self._displayed_goals()
        if _GAVE_UP in text:
            return GivenUp(path)
        if _NO_MORE_GOALS.search(text) and _open_braces(path) == 0:
            return Finished(path)
        goals = self._all_goals(text)
        # queries leave coqtop in a state equal to the tactic's: use the latest, saving a BackTo
        self._live[path] = proc.sid
        return Progress(ProofState(goals, state.theorem, path))

    def _displayed_goals(self) -> str:
        """What `Show.` prints: coqtop displays goals after a sentence only when it thinks they
        changed, which misses unchanged goals and, after a BackTo, new goals with old ids."""
        return self._proc.send("Show.", _CONTROL_WALL_S).text

    def _all_goals(self, text: str) -> str:
        """The goals text with every goal's hypotheses: coqtop prints them for the first goal
        only, so two states that differ only in a later goal's context would share a key."""
        count, second = _GOALS.search(text), _SECOND_GOAL.search(text)
        if count is None or second is None:
            return goals_text(text)
        parts = [text[: second.start()]]
        for index in range(2, min(int(count.group(1)), _SHOWN_GOALS) + 1):
            shown = self._proc.send(f"Show {index}.", _CONTROL_WALL_S).text
            if error_message(shown):
                return goals_text(text)
            parts.append(shown)
        rest = re.search(rf"^goal {_SHOWN_GOALS + 1} \(ID \d+\) is:", text, re.M)
        if rest:
            parts.append(text[rest.start():])
        return goals_text("\n".join(parts))

    def _interrupt(self, start: int, limit: float) -> Error:
        """coqtop ignored its Timeout: interrupt it, or kill it if it will not answer."""
        self._proc.interrupt()
        try:
            self._proc.sync(_INTERRUPT_WAIT_S)
            self._back_to(start)
            return Error(f"Timeout! (interrupted after {limit} s)", ErrorKind.TIMEOUT)
        except (Hung, Died):
            self._kill()
            return Error(f"Timeout! (coqtop killed after {limit} s)", ErrorKind.TIMEOUT)
