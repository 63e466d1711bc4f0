"""The trainer for real: FSDP2 on two gloo ranks under torchrun, a kill and an exact resume,
export into the `prove` policy, and the stop on a non-finite loss."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from environments import ProofState, Theorem
from prover.policies import build_policy
from train.config import train_config
from train.checkpoint import step_dirs
from train.evaluate import heldout_perplexity
from train.main import main
from train.trainer import run

REPO = Path(__file__).resolve().parents[2]


def _torchrun(overrides: list[str]) -> subprocess.Popen:
    argv = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
            "-m", "train.main", *overrides]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def _kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL torchrun and its ranks (elastic starts each rank in a session of its own)."""
    for child in psutil.Process(proc.pid).children(recursive=True):
        child.send_signal(signal.SIGKILL)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def _losses(run_dir: Path, skip_lines: int = 0) -> dict[int, float]:
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()[skip_lines:]
    return {r["step"]: r["loss"] for r in map(json.loads, lines) if "loss" in r}


@pytest.mark.slow
def test_fsdp_two_ranks_learn_and_resume_exactly_after_a_kill(tiny_data):
    steps = ["train.steps=40", "train.checkpoint.every=4", "train.checkpoint.keep_latest=20"]
    reference = _torchrun([*tiny_data, *steps, "run.name=reference"])
    output, _ = reference.communicate(timeout=300)
    assert reference.returncode == 0, output
    ref_dir = Path(train_config([*tiny_data, "run.name=reference"]).run.out_dir)
    ref = _losses(ref_dir)
    assert sorted(ref) == list(range(1, 41))
    assert sum(ref[s] for s in (38, 39, 40)) / 3 < ref[1] - 0.5  # it learns

    killed_dir = Path(train_config([*tiny_data, "run.name=killed"]).run.out_dir)
    victim = _torchrun([*tiny_data, *steps, "run.name=killed"])
    deadline = time.monotonic() + 240
    while not step_dirs(killed_dir / "checkpoints") and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    _kill_tree(victim)
    saved = step_dirs(killed_dir / "checkpoints")
    assert saved and saved[-1][0] < 40, "the kill came too late to test a resume"
    logged = len((killed_dir / "metrics.jsonl").read_text().splitlines())

    resumed = _torchrun([*tiny_data, *steps, "run.name=killed"])
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    start = saved[-1][0]
    assert f"resumed from step {start}" in output
    after = _losses(killed_dir, skip_lines=logged)
    assert sorted(after) == list(range(start + 1, 41))
    for step, loss in after.items():
        assert abs(loss - ref[step]) <= 1e-6, (step, loss, ref[step])

    policy = build_policy({"policy": "hf", "path": str(ref_dir / "export"), "prompt_format": "proofstep",
                           "sampling": {"temperature": 1.0, "top_p": 1.0, "max_new_tokens": 8, "seed": 0},
                           "options": {"device": "cpu"}})
    goals = "1 goal\n\n  n : nat\n  ============================\n  n + 3 = 3 + n"
    (candidates,) = policy.propose([ProofState(goals, Theorem("t", "coq", "Lemma t : True."))], 4)
    assert candidates and all(c.logprob <= 0 and c.tactic for c in candidates)

    traces = Path(train_config(tiny_data).data.sources.coq_steps.path)
    scores = heldout_perplexity(ref_dir / "export", traces, fraction=0.2, seq_len=64)
    assert scores["tokens"] > 0 and 1.0 < scores["perplexity"] < 300 and scores["bits_per_byte"] > 0


def test_nonfinite_loss_stops_and_keeps_the_last_good_checkpoint(tiny_data):
    # a learning rate of 1e30 drives the weights to infinity after the first update
    cfg = train_config([*tiny_data, "run.name=nan", "train.optim.lr=1e30", "train.optim.warmup_steps=1",
                        "train.steps=50", "train.checkpoint.every=1", "train.checkpoint.keep_latest=50"])
    result = run(cfg)
    assert result.status == "nonfinite" and result.export_dir is None
    saved = [step for step, _ in step_dirs(Path(cfg.run.out_dir) / "checkpoints")]
    assert saved == list(range(1, result.step + 1))  # nothing saved at or after the bad step
    last = json.loads((Path(cfg.run.out_dir) / "metrics.jsonl").read_text().splitlines()[-1])
    assert last["step"] == result.step + 1 and last["stopped"] == "nonfinite loss or gradient norm"


def test_nonfinite_on_an_unlogged_step_is_caught_before_the_next_checkpoint(tiny_data):
    # step 2 goes non-finite; nothing is logged before step 10, the first checkpoint is due at 3
    cfg = train_config([*tiny_data, "run.name=nan-unlogged", "train.optim.lr=1e30", "train.optim.warmup_steps=1",
                        "train.steps=50", "train.log.every=10", "train.checkpoint.every=3"])
    result = run(cfg)
    assert (result.status, result.step) == ("nonfinite", 1)
    assert step_dirs(Path(cfg.run.out_dir) / "checkpoints") == []


def test_final_step_is_saved_when_the_interval_does_not_divide_it(tiny_data):
    cfg = train_config([*tiny_data, "run.name=final-step", "train.steps=5", "train.checkpoint.every=2",
                        "train.checkpoint.keep_latest=10"])
    result = run(cfg)
    assert (result.status, result.step) == ("done", 5)
    assert [step for step, _ in step_dirs(Path(cfg.run.out_dir) / "checkpoints")] == [2, 4, 5]


def test_bad_input_is_one_line_and_exit_2(tiny_data, capsys):
    assert main(["train.steps"]) == 2
    assert main(["train=no_such_preset"]) == 2
    assert main([*tiny_data, "data.out_dir=/nonexistent"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("error: ") for line in lines)
