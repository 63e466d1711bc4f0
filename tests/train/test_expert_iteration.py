"""Expert iteration's stages on real Coq and the real trainer: the training split it searches,
the replay of a checked proof into the goals the search prompts with, steps kept once over
the rounds, a round that attempts only what no earlier round proved, and a fine-tuning round
whose mixture gives the rounds' steps their share of the tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.coqlib import training_theorems
from benchmarks.results import ResultStore
from environments.base import Theorem
from environments.coq import CoqEnvironment
from environments.theorem_files.coq import render_proof
from train import expert_iteration as ei
from train.splits import heldout_files

pytestmark = pytest.mark.requires_coq

NEGB = Theorem("negb_negb", "coq", "Lemma negb_negb : forall b : bool, negb (negb b) = b.", "",
               meta={"problem": "lib:A.v:negb_negb", "file": "A.v"})
ANDB = Theorem("andb_true", "coq", "Lemma andb_true : forall b : bool, andb b true = b.", "",
               meta={"problem": "lib:A.v:andb_true", "file": "A.v"})
NEGB_PROOF = ["intros b.", "destruct b.", "-", "reflexivity.", "-", "reflexivity."]


def record(theorem: Theorem, status: str, tactics: list[str] | None = None) -> dict:
    return {"name": theorem.meta["problem"], "status": status, "proof": render_proof(tactics) if tactics else None}


def write_round(out: Path, r: int, records: list[dict]) -> None:
    store = ResultStore(ei.round_dir(out, r) / "search")
    for rec in records:
        store.append(rec)


def test_the_train_split_is_every_file_outside_the_heldout_split():
    theorems = training_theorems(libraries=["stdlib"])
    files = {t.meta["file"] for t in theorems}
    assert len(theorems) > 5000 and not files & heldout_files()
    assert "theories/Arith/PeanoNat.v" in files and "theories/Bool/Bool.v" in heldout_files()
    assert {t.meta["split"] for t in theorems} == {"train"}


def test_a_checked_proof_replays_into_the_goals_the_search_prompts_with(no_leaked_provers):
    with CoqEnvironment() as env:
        opened = env.open(NEGB).goals
        steps = ei.replay_steps(env, NEGB, ei.proof_tactics(render_proof(NEGB_PROOF)))
        broken = ei.replay_steps(env, NEGB, ["intros b.", "reflexivity."])  # fails on a variable b
    assert [s["tactic"] for s in steps] == ["intros b.", "destruct b.", "reflexivity.", "reflexivity."]  # no bullets
    assert steps[0]["goals_before"] == opened and "negb (negb b) = b" in opened
    assert "negb (negb true) = true" in steps[2]["goals_before"] and "negb (negb false)" in steps[3]["goals_before"]
    assert all(s["problem"] == "lib:A.v:negb_negb" and s["file"] == "A.v" for s in steps)
    assert broken == []


def test_steps_are_kept_once_over_the_rounds_and_a_round_skips_what_was_proved(tmp_path, no_leaked_provers):
    write_round(tmp_path, 1, [record(NEGB, "proved", NEGB_PROOF), record(ANDB, "failed")])
    write_round(tmp_path, 2, [record(ANDB, "proved", ["intros b.", "destruct b.", "-", "reflexivity.", "-",
                                                      "reflexivity."])])
    assert ei.proved_before(tmp_path, 2) == {"lib:A.v:negb_negb"}
    with CoqEnvironment() as env:
        for r in (1, 2):
            ei.collect_steps(tmp_path, r, env, [NEGB, ANDB])
    first, second = ei.read_steps_file(tmp_path, 1), ei.read_steps_file(tmp_path, 2)
    assert [(s["tactic"], s["round"]) for s in first] == [("intros b.", 1), ("destruct b.", 1),
                                                         ("reflexivity.", 1), ("reflexivity.", 1)]
    # andb's `intros b.` and `destruct b.` are at new goals; its closing steps too
    assert [s["tactic"] for s in second] == ["intros b.", "destruct b.", "reflexivity.", "reflexivity."]
    assert all(s["round"] == 2 and "&& true" in s["goals_before"] for s in second)
    # the same proof found again adds nothing
    write_round(tmp_path, 3, [record(NEGB, "proved", NEGB_PROOF)])
    with CoqEnvironment() as env:
        ei.collect_steps(tmp_path, 3, env, [NEGB])
    assert ei.read_steps_file(tmp_path, 3) == []
    table = ei.table(tmp_path)
    assert "| 1 | 2 | 1 | 1 | 4 |" in table and "| 2 | 1 | 1 | 2 | 4 |" in table and "| 3 | 1 | 1 | 3 | 0 |" in table


def trace_step(file: str, n: int) -> dict:
    return {"file": file, "theorem": f"t{n}", "line": n, "step": 0, "tactic": f"apply lemma_{n}.",
            "goals_before": f"1 goal\n\n  n, m{n} : nat\n  H{n} : m{n} <= n + {n}\n  ============================\n  P{n} (S n) m{n} = Q{n} n (m{n} + {n})",
            "goals_after": "No more goals."}


@pytest.mark.slow
def test_a_round_fine_tunes_the_previous_model_with_its_share_of_expert_steps(tmp_path):
    traces = tmp_path / "traces"
    (traces / "steps").mkdir(parents=True)
    lines = [trace_step("theories/Arith/PeanoNat.v", n) for n in range(400)]
    lines += [trace_step("theories/Bool/Bool.v", n) for n in range(400, 420)]  # held out: validation only
    (traces / "steps" / "x.jsonl").write_text("".join(json.dumps(s) + "\n" for s in lines))
    out = tmp_path / "expert"
    steps = [{**trace_step("user-contrib/X/A.v", n), "round": 1} for n in range(5)]
    (ei.round_dir(out, 1) / ei.STEPS_FILE).parent.mkdir(parents=True)
    (ei.round_dir(out, 1) / ei.STEPS_FILE).write_text("".join(json.dumps(s) + "\n" for s in steps))
    model = ei.fine_tune(out, 1, Path("prover/models/default"), 0.25, 2, traces)
    meta = json.loads((ei.round_dir(out, 1) / "data" / "meta.json").read_text())
    trained = {s: meta["tokens"][s] * meta["repeats"][s] for s in meta["tokens"]}
    assert set(trained) == {"coq_steps", "expert_1"}
    assert trained["expert_1"] / sum(trained.values()) == pytest.approx(0.25, abs=0.02)
    assert (model / "model.safetensors").exists() and (model / "train_config.yaml").exists()
    config = (model / "train_config.yaml").read_text()
    assert str(Path("prover/models/default").resolve()) in config and "steps: 2" in config
    assert ei.fine_tune(out, 1, Path("prover/models/default"), 0.25, 2, traces) == model  # done: not trained again


@pytest.mark.parametrize("argv, words", [
    (["--rounds", "0"], "must be positive"),
    (["--table", "--pool", "0"], "must be positive"),  # argument values are checked whatever the mode
    (["--expert-share", "1.5"], "--expert-share"),
    (["--start", "/nonexistent"], "no model there"),
])
def test_bad_input_is_one_line_and_exit_code_2(argv, words, capsys, tmp_path):
    assert ei.main(["--out", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err


def test_each_round_is_scored_on_the_standard_library_and_apart_on_the_other_libraries(tmp_path):
    from train.splits import read_heldout

    traces = tmp_path / "traces"
    other = next(f for lib, files in read_heldout().items() if lib != "stdlib" for f in files)
    for library, file, count in (("stdlib", "theories/Bool/Bool.v", 40), ("mathcomp-ssreflect", other, 30)):
        (traces / library / "steps").mkdir(parents=True)
        (traces / library / "steps" / "x.jsonl").write_text(
            "".join(json.dumps(trace_step(file, n)) + "\n" for n in range(count)))
    (traces / "not-a-trace").mkdir()
    out = tmp_path / "expert"
    ei.round_dir(out, 0).mkdir(parents=True)
    figures = ei.evaluate_perplexity(out, 0, Path("prover/models/default"), traces)
    assert set(figures) == {"stdlib", "libraries"}
    assert (figures["stdlib"]["documents"], figures["libraries"]["documents"]) == (40, 30)
    assert f"| 0 | - | - | - | - | {figures['stdlib']['perplexity']:.1f} | {figures['libraries']['perplexity']:.1f} |" \
        in ei.table(out)
