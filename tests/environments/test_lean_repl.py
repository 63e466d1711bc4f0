"""The Lean REPL backend against the protocol-faithful fake REPL (tests/doubles/fake_lean_repl.py)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from environments import make_environment
from environments.base import Error, ErrorKind, Finished, GivenUp, OpenError, Progress, ProverNotFound, Theorem
from environments.lean_guard import lean_tactic_problem
from environments.lean_repl import LeanReplEnvironment

FAKE = Path(__file__).resolve().parents[1] / "doubles" / "fake_lean_repl.py"
HEADER = "import Mathlib\n\nopen Nat\n\n"
ADD = Theorem("add_zero_example", "lean", "theorem add_zero_example (n : Nat) : n + 0 = n := by", HEADER)
AND = Theorem("and_example", "lean", "theorem and_example (p q : Prop) (hp : p) (hq : q) : p ∧ q := by", HEADER)


def requests(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.fixture
def log(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "requests.jsonl"
    monkeypatch.setenv("FAKE_LEAN_REPL_LOG", str(path))
    return path


@pytest.fixture
def env(log, no_leaked_provers):
    environment = LeanReplEnvironment(repl_command=[sys.executable, str(FAKE)], timeout=2.0,
                                      check_command=[sys.executable, str(FAKE), "--lean"])
    yield environment
    environment.close()


def test_registry_builds_the_backend():
    env = make_environment("lean-repl", repl_command=[sys.executable, str(FAKE)], timeout=1.0)
    assert isinstance(env, LeanReplEnvironment) and env.timeout == 1.0
    env.close()


def test_header_runs_once_per_process_and_its_env_is_reused(env, log):
    first, second = env.open(ADD), env.open(AND)
    assert first.goals == "n : ℕ\n⊢ n + 0 = n"
    assert "⊢ p ∧ q" in second.goals
    sent = requests(log)
    headers = [r for r in sent if "cmd" in r and "env" not in r]
    assert [h["cmd"] for h in headers] == [HEADER]
    statements = [r for r in sent if "env" in r]
    assert len(statements) == 2 and statements[0]["env"] == statements[1]["env"]
    assert statements[0]["cmd"].endswith("sorry")


def test_finished_progress_and_backtracking_by_reusing_ids(env):
    root = env.open(ADD)
    assert env.step(root, "simp") == Finished(("simp",))
    split = env.step(root, "induction n")
    assert isinstance(split, Progress)
    assert split.state.goals.startswith("case zero") and "case succ" in split.state.goals
    after_zero = env.step(split.state, "rfl")
    assert isinstance(after_zero, Progress) and after_zero.state.goals.startswith("case succ")
    assert env.step(after_zero.state, "rfl") == Finished(("induction n", "rfl", "rfl"))
    # the root is still usable after its descendants were explored
    assert env.step(root, "rfl") == Finished(("rfl",))


def test_errors_leave_the_state_usable(env):
    root = env.open(ADD)
    failed = env.step(root, "linarith")
    assert isinstance(failed, Error) and failed.kind is ErrorKind.TACTIC
    assert "linarith failed" in failed.message
    unknown = env.step(root, "frobnicate")
    assert isinstance(unknown, Error) and "unknown tactic" in unknown.message
    assert env.step(root, "simp") == Finished(("simp",))


def test_contains_sorry_is_given_up(env):
    root = env.open(ADD)
    assert env.step(root, "give_up") == GivenUp(("give_up",))


def test_sorry_is_refused_unless_allowed(env, log):
    root = env.open(ADD)
    refused = env.step(root, "sorry")
    assert refused.kind is ErrorKind.REJECTED
    assert not [r for r in requests(log) if r.get("tactic") == "sorry"]
    env.allow_sorry = True
    split = env.step(root, "induction n")
    one_left = env.step(split.state, "sorry")
    assert isinstance(one_left, Progress) and one_left.state.goals.startswith("case succ")
    # the proof closes, but it used sorry: never Finished
    assert env.step(one_left.state, "rfl") == GivenUp(("induction n", "sorry", "rfl"))


@pytest.mark.parametrize("tactic", ["", "  ", "native_decide", "exact sorryAx _", "admit",
                                     "simp\naxiom cheat : False", "#eval 1", "set_option maxHeartbeats 0 in simp",
                                     "exact Lean.ofReduceBool _ _ rfl"])
def test_guard_refuses_without_asking_lean(env, log, tactic):
    root = env.open(ADD)
    outcome = env.step(root, tactic)
    assert isinstance(outcome, Error) and outcome.kind is ErrorKind.REJECTED
    assert not [r for r in requests(log) if "tactic" in r]


@pytest.mark.parametrize("tactic", ["simp", "norm_num [Nat.add_comm] <;> linarith", "nlinarith [sq_nonneg (a - b)]",
                                     "have h : 0 < 1 := by\n  norm_num", "decide", "exact?", "omega"])
def test_guard_accepts_ordinary_tactics(tactic):
    assert lean_tactic_problem(tactic) is None


def test_hang_is_a_timeout_then_restart_and_replay(env, log):
    root = env.open(ADD)
    split = env.step(root, "induction n").state
    started = time.monotonic()
    hung = env.step(split, "hang", timeout=0.5)
    assert isinstance(hung, Error) and hung.kind is ErrorKind.TIMEOUT
    assert time.monotonic() - started < 5
    # a fresh REPL: the header runs again and the path to `split` is replayed
    assert isinstance(env.step(split, "rfl"), Progress)
    sent = requests(log)
    assert sum(1 for r in sent if "cmd" in r and "env" not in r) == 2
    assert [r["tactic"] for r in sent if "tactic" in r][-2:] == ["induction n", "rfl"]


def test_crash_is_reported_with_stderr_and_recovered(env):
    root = env.open(ADD)
    split = env.step(root, "induction n").state
    crashed = env.step(split, "crash")
    assert isinstance(crashed, Error) and crashed.kind is ErrorKind.CRASH
    assert "INTERNAL PANIC" in crashed.message
    assert env.step(split, "rfl").state.goals.startswith("case succ")


def test_malformed_output_is_a_clear_error_not_a_hang(env):
    root = env.open(ADD)
    started = time.monotonic()
    garbage = env.step(root, "garbage")
    assert isinstance(garbage, Error) and garbage.kind is ErrorKind.CRASH
    assert "malformed Lean REPL response" in garbage.message and "not JSON" in garbage.message
    assert time.monotonic() - started < 2
    assert env.step(root, "simp") == Finished(("simp",))


def test_memory_limit_kills_a_runaway_repl(log, no_leaked_provers):
    with LeanReplEnvironment(repl_command=[sys.executable, str(FAKE)], timeout=20.0, memory_mb=400) as env:
        root = env.open(ADD)
        hog = env.step(root, "allocate")
        assert isinstance(hog, Error) and hog.kind is ErrorKind.CRASH
        assert "MemoryError" in hog.message
        assert env.step(root, "simp") == Finished(("simp",))


def test_open_errors_carry_lean_message(env):
    with pytest.raises(OpenError, match="unknown identifier"):
        env.open(Theorem("nope", "lean", "theorem nope : False := by", HEADER))
    with pytest.raises(OpenError, match="unknown module prefix 'MissingLib'"):
        env.open(Theorem("add_zero_example", "lean", ADD.statement, "import MissingLib\n\n"))
    with pytest.raises(OpenError, match="not a Lean one"):
        env.open(Theorem("t", "coq", "Theorem t : True."))


def test_missing_repl_names_the_binary_when_built():  # before any model is loaded
    with pytest.raises(ProverNotFound, match="no-such-lean-repl-binary not found"):
        LeanReplEnvironment(repl_command=["no-such-lean-repl-binary"])


def test_close_kills_the_repl(log, no_leaked_provers):
    env = LeanReplEnvironment(repl_command=[sys.executable, str(FAKE)])
    env.open(ADD)
    env.close()
    env.close()


def test_check_accepts_a_real_proof_and_shows_the_file(env):
    verdict = env.check(ADD, ["induction n", "rfl", "rfl"])
    assert verdict.ok, verdict.reason
    assert verdict.axioms == ("propext",)
    assert verdict.source.startswith(HEADER + ADD.statement + "\n  induction n\n  rfl\n  rfl")
    assert verdict.source.rstrip().endswith("#print axioms add_zero_example")


@pytest.mark.parametrize(("tactics", "reason"), [
    (["induction n", "rfl"], "unsolved goals"),
    (["linarith"], "does not compile"),
    (["give_up"], "disallowed axioms: sorryAx"),
    (["uses_cheat_axiom"], "disallowed axioms: cheat"),
    (["sorry"], "'sorry' is not allowed"),
    (["simp\naxiom cheat : False"], "command, not a tactic"),
])
def test_check_rejects_unfinished_and_cheating_proofs(env, tactics, reason):
    verdict = env.check(ADD, tactics)
    assert not verdict.ok and reason in verdict.reason


def test_check_rejects_an_axiom_in_the_context(env):
    cheat = Theorem(ADD.name, "lean", ADD.statement, HEADER + "axiom cheat : False\n\n")
    verdict = env.check(cheat, ["simp"])
    assert not verdict.ok and "declares an axiom" in verdict.reason


def test_check_without_lean_says_so():
    env = LeanReplEnvironment(repl_command=[sys.executable, str(FAKE)], check_command=["no-such-lake", "env", "lean"])
    verdict = env.check(ADD, ["simp"])
    assert not verdict.ok and "no-such-lake not found" in verdict.reason
