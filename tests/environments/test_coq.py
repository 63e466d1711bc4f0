"""The Coq backend on a real coqtop: stepping known proofs, errors, dedup keys, backtracking,
crash recovery, timeouts, process hygiene and parallel environments."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest
from omegaconf import OmegaConf

from configs import CONFIG_DIR
from environments import make_environment
from environments.base import Error, ErrorKind, Finished, GivenUp, OpenError, Progress, ProofState, Theorem
from environments.coq import CoqEnvironment
from environments.guard import normalise_tactic
from environments.theorem_files.coq import complete_proofs

pytestmark = pytest.mark.requires_coq

DATA = Path(__file__).parent / "data" / "small_theorems.v"
KNOWN = complete_proofs(DATA.read_text(), DATA)
BY_NAME = {theorem.name: (theorem, tactics) for theorem, tactics in KNOWN}
# A loop that neither recurses (a fast machine overflows the stack first) nor stops early.
LOOP_CONTEXT = "Ltac spin := do 1000000000 (idtac; idtac).\nLtac cheat := admit.\n"


def coq_children() -> list[psutil.Process]:
    """coqtop/coqc processes descended from this test process."""
    return [p for p in psutil.Process().children(recursive=True) if p.name().startswith("coq")]


def run(env: CoqEnvironment, state: ProofState, tactics: list[str]):
    outcome = None
    for tactic in tactics:
        outcome = env.step(state, tactic)
        if isinstance(outcome, Progress):
            state = outcome.state
        else:
            break
    return outcome


def test_known_proofs_reach_finished(no_leaked_provers):
    assert len(KNOWN) >= 20
    with CoqEnvironment() as env:
        for theorem, tactics in KNOWN:
            state = env.open(theorem)
            assert state.goals.strip(), theorem.name
            outcomes = []
            for tactic in tactics:
                outcomes.append(env.step(state, tactic))
                if isinstance(outcomes[-1], Progress):
                    state = outcomes[-1].state
            assert all(isinstance(o, Progress) for o in outcomes[:-1]), (theorem.name, outcomes)
            assert outcomes[-1] == Finished(tuple(normalise_tactic(t) for t in tactics)), theorem.name
        verdict = env.check(*BY_NAME["r_add_lt"])
    assert verdict.ok, verdict.reason
    assert "ClassicalDedekindReals.sig_forall_dec" in verdict.axioms


def test_wrong_tactic_gives_coq_message_and_state_stays_usable(no_leaked_provers):
    theorem, tactics = BY_NAME["nat_add_comm"]
    with CoqEnvironment() as env:
        root = env.open(theorem)
        error = env.step(root, "apply no_such_lemma.")
        assert isinstance(error, Error) and error.kind is ErrorKind.TACTIC
        assert "no_such_lemma" in error.message and "was not found" in error.message
        failing = env.step(root, "reflexivity.")
        assert isinstance(failing, Error) and failing.kind is ErrorKind.TACTIC
        assert isinstance(run(env, root, tactics), Finished)


def test_two_paths_to_the_same_goals_share_a_key(no_leaked_provers):
    theorem, _ = BY_NAME["nat_add_comm"]
    with CoqEnvironment() as env:
        root = env.open(theorem)
        one = env.step(root, "intros a b.")
        two = run(env, root, ["intro a.", "intro b."])
        other = env.step(root, "intros x y.")
        assert isinstance(one, Progress) and isinstance(two, Progress) and isinstance(other, Progress)
        assert one.state.key == two.state.key
        assert one.state.path != two.state.path
        assert "(ID" not in one.state.goals
        assert other.state.key != one.state.key


def test_backtracking_reuses_live_states_and_replays_discarded_ones(no_leaked_provers):
    theorem, _ = BY_NAME["nat_add_zero"]
    with CoqEnvironment() as env:
        root = env.open(theorem)
        intro = env.step(root, "intros n.").state
        induct = env.step(intro, "induction n.").state
        pid = env.pid
        destructed = env.step(intro, "destruct n.")  # BackTo intro discards `induct` in coqtop
        assert isinstance(destructed, Progress) and destructed.state.key != induct.key
        again = env.step(induct, "-")  # rebuilt by replay from the longest live prefix
        assert isinstance(again, Progress) and "0 + 0 = 0" in again.state.goals
        assert env.pid == pid
        bulleted = env.step(induct, "- reflexivity.")
        assert isinstance(bulleted, Progress) and "S n + 0 = S n" in bulleted.state.goals


def test_kill_9_mid_proof_restarts_and_continues(no_leaked_provers):
    theorem, tactics = BY_NAME["list_map_length"]
    with CoqEnvironment() as env:
        state = env.open(theorem)
        for tactic in tactics[:3]:
            state = env.step(state, tactic).state
        expected = env.step(state, tactics[3])
        old = env.pid
        os.kill(old, signal.SIGKILL)
        after = env.step(state, tactics[3])
        assert isinstance(after, Progress) and after.state.key == expected.state.key
        assert env.pid != old and not psutil.pid_exists(old)
        assert isinstance(run(env, after.state, tactics[4:]), Finished)


def test_looping_tactic_times_out_and_env_stays_usable(no_leaked_provers):
    theorem = Theorem("loops", "coq", "Theorem loops : True.", LOOP_CONTEXT)
    with CoqEnvironment() as env:
        root = env.open(theorem)
        started = time.monotonic()
        outcome = env.step(root, "spin.", timeout=1.0)
        assert time.monotonic() - started < 2.0
        assert isinstance(outcome, Error) and outcome.kind is ErrorKind.TIMEOUT
        assert isinstance(env.step(root, "exact I."), Finished)


def test_unresponsive_coqtop_is_killed_within_the_limit_and_replaced(no_leaked_provers):
    theorem, tactics = BY_NAME["prop_modus_ponens"]
    with CoqEnvironment() as env:
        state = env.step(env.open(theorem), tactics[0]).state
        frozen = env.pid
        os.kill(frozen, signal.SIGSTOP)  # a prover that answers neither its Timeout nor SIGINT
        started = time.monotonic()
        outcome = env.step(state, tactics[1], timeout=1.0)
        assert time.monotonic() - started < 2.0
        assert isinstance(outcome, Error) and outcome.kind is ErrorKind.TIMEOUT
        assert not psutil.pid_exists(frozen)
        assert isinstance(run(env, state, tactics[1:]), Finished)


def test_admit_through_a_context_tactic_is_given_up(no_leaked_provers):
    theorem = Theorem("cheats", "coq", "Theorem cheats : False.", LOOP_CONTEXT)
    with CoqEnvironment() as env:
        root = env.open(theorem)
        assert isinstance(env.step(root, "admit."), Error)  # the guard: never reaches coqtop
        assert env.step(root, "admit.").kind is ErrorKind.REJECTED
        assert env.step(root, "cheat.") == GivenUp(("cheat.",))
        assert not env.check(theorem, ["cheat."]).ok


BAD_OPENS = [
    (Theorem("bad", "coq", "Theorem bad : undefined_thing = 0.", ""), "undefined_thing"),
    (Theorem("bad", "coq", "Theorem bad : True.", "Require Import NoSuchLibrary.\n"), "NoSuchLibrary"),
    (Theorem("bad", "lean", "theorem bad : True := by", ""), "lean"),
    (Theorem("bad", "coq", "Theorem bad : 1 = 2. Admitted. Theorem u : True.", ""), "one sentence"),
]


def test_open_errors_carry_coqs_message(no_leaked_provers):
    with CoqEnvironment() as env:
        for theorem, message in BAD_OPENS:
            with pytest.raises(OpenError, match=message):
                env.open(theorem)
        assert isinstance(env.step(env.open(Theorem("ok", "coq", "Theorem ok : True.", "")), "exact I."), Finished)


def test_close_and_exceptions_leave_no_coq_process(no_leaked_provers):
    theorem, _ = BY_NAME["prop_tauto"]
    env = CoqEnvironment()
    env.open(theorem)
    assert len(coq_children()) == 1
    env.close()
    env.close()
    assert coq_children() == []
    with pytest.raises(RuntimeError, match="boom"):
        with CoqEnvironment() as failing:
            failing.open(theorem)
            assert len(coq_children()) == 1
            raise RuntimeError("boom")
    assert coq_children() == []


def test_parallel_environments_in_threads(no_leaked_provers):
    groups = [KNOWN[i::3] for i in range(3)]
    results: dict[int, list[bool]] = {}

    def prove(index: int) -> None:
        with CoqEnvironment() as env:
            results[index] = [isinstance(run(env, env.open(t), tactics), Finished) for t, tactics in groups[index]]

    threads = [threading.Thread(target=prove, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sorted(results) == [0, 1, 2]
    assert all(all(done) for done in results.values()), results
    assert coq_children() == []


def test_make_environment_from_the_hydra_config(no_leaked_provers):
    options = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "env" / "coq.yaml"))
    name = options.pop("name")
    with make_environment(name, **options) as env:
        assert isinstance(env, CoqEnvironment) and env.timeout == options["timeout"]
        root = env.open(Theorem("t", "coq", "Theorem t : True.", ""))
        assert env.step(root, "exact I") == Finished(("exact I.",))



def test_memory_limit_turns_a_hungry_tactic_into_an_error(no_leaked_provers):
    theorem = Theorem("hungry", "coq", "Theorem hungry : True.", "")
    with CoqEnvironment(memory_mb=1024) as env:
        root = env.open(theorem)
        outcome = env.step(root, "let x := eval vm_compute in (Nat.pow 2 26) in idtac.")
        assert isinstance(outcome, Error) and "Out of memory" in outcome.message
        assert isinstance(env.step(root, "exact I."), Finished)


def test_cpu_limit_kills_coqtop_and_the_next_step_restarts(no_leaked_provers):
    theorem = Theorem("busy", "coq", "Theorem busy : True.", "")
    with CoqEnvironment(cpu_seconds=2) as env:
        root = env.open(theorem)
        outcome = env.step(root, "do 1000000000 (idtac; idtac).", timeout=60)
        assert isinstance(outcome, Error) and outcome.kind is ErrorKind.CRASH
        assert isinstance(env.step(root, "exact I."), Finished)


def test_each_coqtop_runs_in_its_own_scratch_directory_removed_on_close():
    from environments.coqtop import Coqtop

    tops = [Coqtop("coqtop", None, None) for _ in range(2)]
    cwds = [Path(os.readlink(f"/proc/{top.pid}/cwd")) for top in tops]
    assert len(set(cwds)) == 2 and all(cwd.name.startswith("coqtop-") and cwd != Path.cwd() for cwd in cwds)
    for top in tops:
        top.close()
    assert not any(cwd.exists() for cwd in cwds)
