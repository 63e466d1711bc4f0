"""The LeanDojo backend's mapping, against a fake `lean_dojo.Dojo` that returns LeanDojo's
own result classes and raises its own exceptions (Lean cannot run here)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import lean_dojo
import pytest
from lean_dojo import (
    DojoCrashError,
    DojoInitError,
    DojoTacticTimeoutError,
    LeanError,
    ProofFinished,
    ProofGivenUp,
    TacticState,
)

from environments import make_environment
from environments.base import Error, ErrorKind, Finished, GivenUp, OpenError, Progress, Theorem
from environments.leandojo import LeanDojoEnvironment

ADD = "n : ℕ\n⊢ n + 0 = n"
SPLIT = "case zero\n⊢ 0 + 0 = 0\n\ncase succ\nn : ℕ\nih : n + 0 = n\n⊢ n + 1 + 0 = n + 1"
SUCC = "case succ\nn : ℕ\nih : n + 0 = n\n⊢ n + 1 + 0 = n + 1"
SCRIPT = {(ADD, "simp"): None, (ADD, "induction n"): SPLIT, (SPLIT, "rfl"): SUCC, (SUCC, "rfl"): None}
META = {"repository": "https://github.com/example/lean-project", "commit": "0123abcd", "file": "Project/Basic.lean",
        "full_name": "Project.add_zero"}
THEOREM = Theorem("add_zero", "lean", "theorem add_zero (n : ℕ) : n + 0 = n := by", "import Mathlib\n\n", meta=META)


@dataclass(frozen=True)
class FakeRepo:
    url: str
    commit: str

    @classmethod
    def from_path(cls, path):
        return cls(str(path), "local")


class FakeDojo:
    """Speaks `Dojo`'s interface with LeanDojo's own result types over SCRIPT."""

    opened: list = []
    live = 0

    def __init__(self, theorem, timeout=600, additional_imports=(), build_deps=True):
        assert isinstance(theorem, lean_dojo.Theorem)
        self.theorem, self.timeout, self.ids = theorem, timeout, 0
        FakeDojo.opened.append(self)

    def __enter__(self):
        if self.theorem.full_name != "Project.add_zero":
            raise DojoInitError(f"Cannot find the *.ast.json file for {self.theorem.full_name}")
        FakeDojo.live += 1
        return self, TacticState(ADD, 0)

    def __exit__(self, *exc):
        FakeDojo.live -= 1

    def run_tac(self, state, tactic):
        if tactic == "hang":
            raise DojoTacticTimeoutError()
        if tactic in ("oom", "crash"):
            raise DojoCrashError("OOM" if tactic == "oom" else "Unexpected EOF")
        if tactic == "give_up":
            return ProofGivenUp()
        if (state.pp, tactic) not in SCRIPT:
            return LeanError(f"unknown tactic '{tactic}'")
        self.ids += 1
        after = SCRIPT[(state.pp, tactic)]
        return ProofFinished(self.ids) if after is None else TacticState(after, self.ids)


@pytest.fixture
def env(monkeypatch):
    FakeDojo.opened, FakeDojo.live = [], 0
    monkeypatch.setattr(lean_dojo, "Dojo", FakeDojo)
    monkeypatch.setattr(lean_dojo, "LeanGitRepo", FakeRepo)
    environment = LeanDojoEnvironment(timeout=7)
    yield environment
    environment.close()
    assert FakeDojo.live == 0, "a Dojo was left open"


def test_registry_builds_the_backend():
    assert isinstance(make_environment("leandojo", timeout=5), LeanDojoEnvironment)


def test_theorem_is_repository_file_and_full_name(env, tmp_path):
    dojo_theorem = env.dojo_theorem(THEOREM)
    assert dojo_theorem.repo == FakeRepo(META["repository"], META["commit"])
    assert dojo_theorem.file_path == Path("Project/Basic.lean") and dojo_theorem.full_name == "Project.add_zero"
    local = Theorem("t", "lean", "theorem t : True := by", meta={"repository": str(tmp_path), "file": "T.lean"})
    assert env.dojo_theorem(local).repo == FakeRepo(str(tmp_path), "local")
    with pytest.raises(OpenError, match="needs a repository"):
        env.dojo_theorem(Theorem("t", "lean", "theorem t : True := by"))


def test_every_result_maps_onto_an_outcome(env):
    root = env.open(THEOREM)
    assert root.goals == ADD and FakeDojo.opened[0].timeout == 7
    assert env.step(root, "simp") == Finished(("simp",))
    split = env.step(root, "induction n")
    assert isinstance(split, Progress) and split.state.goals == SPLIT
    succ = env.step(split.state, "rfl")
    assert env.step(succ.state, "rfl") == Finished(("induction n", "rfl", "rfl"))
    failed = env.step(root, "linarith")
    assert failed == Error("unknown tactic 'linarith'")
    assert env.step(root, "give_up") == GivenUp(("give_up",))
    assert env.step(root, "sorry").kind is ErrorKind.REJECTED
    assert len(FakeDojo.opened) == 1


@pytest.mark.parametrize(("tactic", "kind", "message"), [
    ("hang", ErrorKind.TIMEOUT, "ran past 7 s"),
    ("oom", ErrorKind.CRASH, "out of memory"),
    ("crash", ErrorKind.CRASH, "Unexpected EOF"),
])
def test_timeouts_and_crashes_reopen_and_replay(env, tactic, kind, message):
    split = env.step(env.open(THEOREM), "induction n").state
    outcome = env.step(split, tactic)
    assert isinstance(outcome, Error) and outcome.kind is kind and message in outcome.message
    assert FakeDojo.live == 0
    after = env.step(split, "rfl")
    assert isinstance(after, Progress) and after.state.goals == SUCC
    assert len(FakeDojo.opened) == 2 and FakeDojo.opened[1].ids == 2  # replayed `induction n`, then `rfl`


def test_init_error_is_an_open_error(env):
    with pytest.raises(OpenError, match="Cannot find the"):
        env.open(Theorem("other", "lean", "theorem other : True := by", meta={**META, "full_name": "Project.other"}))


def test_check_replays_in_a_fresh_dojo(env):
    verdict = env.check(THEOREM, ["induction n", "rfl", "rfl"])
    assert verdict.ok and verdict.source.endswith("  induction n\n  rfl\n  rfl\n")
    assert not env.check(THEOREM, ["induction n", "rfl"]).ok
    assert "unknown tactic" in env.check(THEOREM, ["linarith"]).reason
    assert "not allowed" in env.check(THEOREM, ["sorry"]).reason
    assert not env.check(THEOREM, ["give_up"]).ok
