"""The PISA backend against a real gRPC fake PISA server on loopback (tests/doubles/fake_pisa_server.py)."""

from __future__ import annotations

import pytest

from environments import make_environment
from environments.base import Error, ErrorKind, Finished, GivenUp, OpenError, Progress, ProverError, Theorem
from environments.pisa import PisaEnvironment
from prover.dsp.holes import HoleCloser
from prover.policies.automation import DECISION_PROCEDURES
from tests.doubles import fake_pisa_server
from tests.doubles.fake_pisa_server import ADD as ADD_GOAL, SUCC

ADD = Theorem("add_zero", "isabelle", 'theorem add_zero: "(n::nat) + 0 = n"', "theory add_zero imports Main\nbegin\n\n")
SQUARE = Theorem("square_nonneg", "isabelle", 'theorem square_nonneg:\n  fixes x :: real\n  shows "0 \\<le> x^2"',
                 "theory square_nonneg imports Complex_Main\nbegin\n\n")
INDUCTION = ["apply (induct n)", "apply simp", "apply simp", "done"]


@pytest.fixture
def pisa():
    server, port, fake = fake_pisa_server.serve()
    yield port, fake
    fake_pisa_server.stop(server, fake)


@pytest.fixture
def env(pisa):
    environment = PisaEnvironment(address=f"127.0.0.1:{pisa[0]}", isabelle_path="/opt/Isabelle2022", timeout=0.3,
                                  sledgehammer_timeout=5.0)
    yield environment
    environment.close()


def applied(fake) -> list[str]:
    return [c.split("<apply to top level state>")[2].strip() for c in fake.commands
            if c.startswith("<apply to top level state>")]


def test_registry_builds_the_backend(pisa):
    env = make_environment("isabelle", address=f"127.0.0.1:{pisa[0]}", timeout=2.0)
    assert isinstance(env, PisaEnvironment) and env.timeout == 2.0
    env.close()


def test_open_runs_the_session_start_sequence(env, pisa):
    root = env.open(ADD)
    fake = pisa[1]
    assert root.goals == ADD_GOAL
    assert fake.initialised[0] == "isabelle /opt/Isabelle2022"
    assert fake.initialised[1].startswith("directory ") and fake.initialised[2].endswith("/add_zero.thy")
    assert fake.commands[0] == "<initialise>" and fake.commands[1].startswith("<parse text> theory add_zero")
    assert applied(fake) == ["theory add_zero imports Main begin", ADD.statement]


def test_open_uses_the_theorems_own_file(pisa, tmp_path):
    thy = tmp_path / "add_zero.thy"
    thy.write_text(ADD.context + ADD.statement + "\n  sorry\n\nend\n")
    with PisaEnvironment(address=f"127.0.0.1:{pisa[0]}") as env:
        env.open(Theorem(ADD.name, "isabelle", ADD.statement, ADD.context, path=thy))
    assert pisa[1].initialised[1:] == [f"directory {tmp_path}", f"context {thy}"]


def test_finished_progress_and_error(env):
    root = env.open(ADD)
    assert env.step(root, "by simp") == Finished(("by simp",))
    failed = env.step(root, "by auto")
    assert isinstance(failed, Error) and failed.kind is ErrorKind.TACTIC and "Failed to finish" in failed.message
    state = root
    for tactic in INDUCTION[:-1]:
        outcome = env.step(state, tactic)
        assert isinstance(outcome, Progress)
        state = outcome.state
    assert env.step(state, "done") == Finished(tuple(INDUCTION))


def test_sorry_is_refused_unless_allowed_and_then_given_up(env, pisa):
    root = env.open(ADD)
    assert env.step(root, "sorry").kind is ErrorKind.REJECTED
    assert "sorry" not in applied(pisa[1])
    env.allow_sorry = True
    split = env.step(root, "apply (induct n)").state
    one_left = env.step(split, "sorry")
    assert isinstance(one_left, Progress) and one_left.state.goals == SUCC
    assert env.step(one_left.state, "sorry") == GivenUp(("apply (induct n)", "sorry", "sorry"))


@pytest.mark.parametrize("step", ["", "lemma cheat: False", "ML \\<open>raise Fail\\<close>", "oops",
                                  "by simp\nend", "axiomatization where cheat: False"])
def test_guard_refuses_without_asking_isabelle(env, pisa, step):
    root = env.open(ADD)
    sent = len(pisa[1].commands)
    outcome = env.step(root, step)
    assert isinstance(outcome, Error) and outcome.kind is ErrorKind.REJECTED
    assert len(pisa[1].commands) == sent


def test_words_inside_strings_are_not_commands(env):
    root = env.open(ADD)
    outcome = env.step(root, 'using "lemma end" by simp')
    assert not (isinstance(outcome, Error) and outcome.kind is ErrorKind.REJECTED)


def test_backtracking_uses_names_and_clone_never_replay(env, pisa):
    fake = pisa[1]
    root = env.open(ADD)
    deep = env.step(env.step(root, "apply (induct n)").state, "apply simp").state
    assert deep.goals == SUCC
    before = list(fake.commands)
    # back to the root, and from the deep state again: one command each, nothing replayed
    assert env.step(root, "by simp") == Finished(("by simp",))
    assert isinstance(env.step(deep, "apply simp"), Progress)
    sent = fake.commands[len(before):]
    assert [c.split("<apply to top level state>")[2].strip() for c in sent if c.startswith("<apply")] == \
        ["by simp", "apply simp"]
    assert not any(c.startswith(("<parse text>", "<initialise>")) for c in sent)
    # reopening the same theorem clones its opened state
    before = len(fake.commands)
    again = env.open(ADD)
    reopened = fake.commands[before:]
    assert [c.split()[0] for c in reopened] == ["<clone>"] and again.goals == ADD_GOAL
    assert len(fake.initialised) == 3  # one session start only


def test_timeout_deletes_the_abandoned_state_and_keeps_the_session(env, pisa):
    root = env.open(ADD)
    hung = env.step(root, "hang")
    assert isinstance(hung, Error) and hung.kind is ErrorKind.TIMEOUT
    assert any(c.startswith("<delete>") for c in pisa[1].commands)
    assert env.step(root, "by simp") == Finished(("by simp",))


def test_crash_then_new_session_and_replay(env, pisa):
    fake = pisa[1]
    split = env.step(env.open(ADD), "apply (induct n)").state
    crashed = env.step(split, "crash_server")
    assert isinstance(crashed, Error) and crashed.kind is ErrorKind.CRASH and "UNAVAILABLE" in crashed.message
    after = env.step(split, "apply simp")
    assert isinstance(after, Progress) and after.state.goals == SUCC
    assert [line.split()[0] for line in fake.initialised].count("isabelle") == 2
    assert applied(fake)[-3:] == [ADD.statement, "apply (induct n)", "apply simp"]


def test_malformed_response_is_a_clear_error(env, pisa):
    root = env.open(ADD)
    garbage = env.step(root, "garbage")
    assert isinstance(garbage, Error) and garbage.kind is ErrorKind.CRASH
    assert "malformed response from the PISA server" in garbage.message
    assert env.step(root, "by simp") == Finished(("by simp",))


def test_close_hole_is_sledgehammer_with_its_own_timeout(env, pisa):
    root = env.open(SQUARE)
    before = len(applied(pisa[1]))
    # the hammer takes longer than the per-step timeout, within its own
    assert env.close_hole(root) == Finished(("sledgehammer",))
    assert applied(pisa[1])[before:] == ["sledgehammer"]
    timed_out = env.close_hole(root, timeout=0.2)  # the caller's limit bounds it
    assert isinstance(timed_out, Error) and timed_out.kind is ErrorKind.TIMEOUT
    env.sledgehammer_timeout = 0.2
    assert env.close_hole(root).kind is ErrorKind.TIMEOUT


def test_a_dsp_hole_takes_the_first_heuristic_isabelle_accepts(env, pisa):
    root = env.open(ADD)
    before = len(applied(pisa[1]))
    assert HoleCloser(env, 0.3, hammer=True).close(root) == ("by simp", Finished(("by simp",)))
    assert applied(pisa[1])[before:] == ["by auto", "by simp"]


def test_a_dsp_hole_tries_every_heuristic_then_sledgehammer(env, pisa):
    root = env.open(SQUARE)
    before = len(applied(pisa[1]))
    assert HoleCloser(env, 0.3, hammer=True).close(root) == ("sledgehammer", Finished(("sledgehammer",)))
    assert applied(pisa[1])[before:] == [*DECISION_PROCEDURES["isabelle"], "sledgehammer"]
    assert HoleCloser(env, 0.3, hammer=False).close(root) is None


def test_open_error_carries_isabelle_message(env):
    with pytest.raises(OpenError, match="Undefined fact: missing"):
        env.open(Theorem("missing", "isabelle", 'theorem missing: "False"', ADD.context))


def test_no_server_is_a_prover_error():
    with PisaEnvironment(address="127.0.0.1:1", timeout=2.0, open_timeout=2.0) as env:
        with pytest.raises(ProverError, match="UNAVAILABLE"):
            env.open(ADD)


def test_check_replays_in_a_fresh_session(env, pisa):
    verdict = env.check(ADD, INDUCTION)
    assert verdict.ok, verdict.reason
    assert verdict.source == ADD.context + ADD.statement + "\n  " + "\n  ".join(INDUCTION) + "\n\nend\n"
    assert pisa[1].commands[0] == "<initialise>"
    assert "<is finished> check_5" in pisa[1].commands


@pytest.mark.parametrize(("tactics", "reason"), [
    (["apply (induct n)"], "not finished"),
    (["by auto"], "Failed to finish proof"),
    (["sorry"], "'sorry' is not allowed"),
    (["apply (induct n)", "oops"], "'oops' is not allowed"),
])
def test_check_rejects_unfinished_and_cheating_proofs(env, tactics, reason):
    verdict = env.check(ADD, tactics)
    assert not verdict.ok and reason in verdict.reason


def test_check_rejects_sorry_in_the_theory_before(env):
    cheat = Theorem(ADD.name, "isabelle", ADD.statement, ADD.context + 'lemma helper: "False"\n  sorry\n\n')
    verdict = env.check(cheat, ["by simp"])
    assert not verdict.ok and "uses 'sorry'" in verdict.reason


def test_check_without_a_server_says_so():
    verdict = PisaEnvironment(address="127.0.0.1:1", open_timeout=2.0).check(ADD, ["by simp"])
    assert not verdict.ok and "UNAVAILABLE" in verdict.reason
