"""Expert iteration (Polu et al. 2022, DeepSeek-Prover's rounds) on the Coq library corpus:
search the training-split theorems (`benchmarks.coqlib`, split `train`) with the current
model, keep only the proofs the checker accepted, add their (goals, tactic) steps to the
data, fine-tune the model from the previous round's, evaluate it; one directory per round,
every stage resumable (a killed run continues where it stopped, nothing done twice).

    python -m train.expert_iteration --out outputs/expert --rounds 2 --pool 150 --evaluate coqlib
    python -m train.expert_iteration --out outputs/expert --table      # the per-round table

<out>/pool.txt                   the theorems searched (seeded, spread over the libraries)
<out>/round-R/search/            round R's search (a `minif2f` results directory)
<out>/round-R/steps/steps.jsonl  the steps of its proofs not found before (deduplicated over rounds)
<out>/round-R/data/ run/ model/  its training mixture, training run and exported model
<out>/round-R/eval.json          held-out perplexity of its model
<out>/round-R/coqlib/ minif2f/   its model on the coqlib sample and on miniF2F-rocq valid

Round R searches with round R-1's model (round 0: --start) in the best retrieval setting
(kNN over the standard library + the file's own proofs + the model + automation, 0.5/0.5),
attempting the pool's theorems no earlier round proved. The pool leaves out the standard
library, whose proofs are already the model's data and the kNN index. The mixture trains on
the standard-library steps and every round's steps so far (`--expert-share` of the tokens);
held-out files (`configs/train/data/heldout_files.txt`) are never searched or trained on.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from omegaconf import DictConfig

from benchmarks.coqlib import choose_sample, training_theorems
from benchmarks.problems import load_problems
from benchmarks.results import locked, read_records
from benchmarks.runner import make_env, run_benchmark
from configs import REPO_ROOT
from configs.cli import load_config
from environments import Environment, Finished, Progress, Theorem
from environments.coq_syntax import is_bullet, split_sentences
from train.libraries import LIBRARIES, STDLIB
from train.trace import DEFAULT_OUT

ROUND_SEARCH = ["benchmark.name=coqlib", "model=mixture", "model.members.knn.knn.file_weight=0.5",
                "search.wall_time_s=10", "search.tactic_timeout_s=5"]  # the README's coqlib budget
MINIF2F_SEARCH = ["benchmark.name=minif2f", "benchmark.split=valid", "model=mixture",
                  "model.members.knn.knn.file_weight=0.5", "search.wall_time_s=6",
                  "search.tactic_timeout_s=2"]  # the README's miniF2F budget
EVALUATIONS = ("coqlib", "minif2f")
POOL_FILE = "pool.txt"
STEPS_FILE = Path("steps") / "steps.jsonl"
TRACES = REPO_ROOT / DEFAULT_OUT  # one folder per library (python -m train.trace)


def round_dir(out: Path, r: int) -> Path:
    return out / f"round-{r}"


def model_of_round(out: Path, r: int, start: Path) -> Path:
    return start if r == 0 else (round_dir(out, r) / "model").resolve()


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def choose_pool(out: Path, size: int, seed: int) -> list[str]:
    """The pool of training theorems, chosen once and kept in <out>/pool.txt."""
    path = out / POOL_FILE
    if not path.exists():
        names = [t.meta["problem"] for t in training_theorems(libraries=[n for n in LIBRARIES if n != STDLIB])]
        write_atomically(path, "".join(f"{n}\n" for n in choose_sample(names, size, seed)))
    return path.read_text().split()


def read_search(out: Path, r: int) -> list[dict]:
    search = round_dir(out, r) / "search"
    return list(read_records(search)) if search.is_dir() else []


def proved_before(out: Path, r: int) -> set[str]:
    return {rec["name"] for k in range(1, r) for rec in read_search(out, k) if rec["status"] == "proved"}


def search_config(model: Path, results: Path, overrides: Sequence[str], workers: int, problems: Sequence[str] = (),
                  split: str = "train") -> DictConfig:
    cfg = load_config("minif2f", [*overrides, f"model.members.hf.path={model}",
                                  f"benchmark.out={results.resolve()}", f"benchmark.workers={workers}"]
                      + ([f"benchmark.split={split}"] if "benchmark.name=coqlib" in overrides else []))
    cfg.benchmark.problems = list(problems)
    return cfg


def run_search(cfg: DictConfig) -> None:
    with locked(cfg.benchmark.out):
        run_benchmark(cfg)


def proof_tactics(proof: str) -> list[str]:
    """The tactic sentences of a rendered Coq proof (`Proof.` ... `Qed.` dropped)."""
    return [s.text.strip() for s in split_sentences(proof).sentences][1:-1]


def replay_steps(env: Environment, theorem: Theorem, tactics: Sequence[str]) -> list[dict]:
    """The (goals, tactic) steps of a checked proof, its goals printed as the search prints
    them (what the policy is prompted with); [] if it does not replay to the end."""
    state, steps = env.open(theorem), []
    for tactic in tactics:
        outcome = env.step(state, tactic)
        if not is_bullet(tactic):
            steps.append({"file": theorem.meta["file"], "theorem": theorem.name, "line": 0, "step": len(steps),
                          "goals_before": state.goals, "tactic": tactic, "problem": theorem.meta["problem"]})
        if isinstance(outcome, Finished):
            return steps
        if not isinstance(outcome, Progress):
            return []
        state = outcome.state
    return []


def collect_steps(out: Path, r: int, env: Environment, theorems: Sequence[Theorem]) -> Path:
    """<round>/steps/steps.jsonl: the steps of round r's proofs of `theorems` (replayed in
    `env`), none seen in an earlier round."""
    path = round_dir(out, r) / STEPS_FILE
    if path.exists():
        return path
    seen = {(s["goals_before"], s["tactic"]) for k in range(1, r) for s in read_steps_file(out, k)}
    proofs = {rec["name"]: rec["proof"] for rec in read_search(out, r) if rec["status"] == "proved"}
    lines = []
    for theorem in theorems:
        if theorem.meta["problem"] not in proofs:
            continue
        for step in replay_steps(env, theorem, proof_tactics(proofs[theorem.meta["problem"]])):
            if (step["goals_before"], step["tactic"]) not in seen:
                seen.add((step["goals_before"], step["tactic"]))
                lines.append(json.dumps({**step, "round": r}) + "\n")
    write_atomically(path, "".join(lines))
    return path


def read_steps_file(out: Path, r: int) -> list[dict]:
    path = round_dir(out, r) / STEPS_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def training_overrides(out: Path, r: int, start: Path, share: float, traces: Path) -> list[str]:
    """The trainer's overrides of round r: continue from round r-1's model on the standard
    library's steps plus every round's steps so far, these `share` of the tokens."""
    here = round_dir(out, r).resolve()
    rounds = [k for k in range(1, r + 1) if read_steps_file(out, k)]
    sources = [f"+data.sources.expert_{k}={{format: coq_traces, path: '{(round_dir(out, k) / 'steps').resolve()}', "
               f"weight: {share / (1 - share) / len(rounds)}}}" for k in rounds]
    return [f"train.model.init_from={REPO_ROOT / model_of_round(out, r - 1, start)}",
            f"data.sources.coq_steps.path={traces.resolve()}",
            f"data.name=expert-round-{r}", f"data.out_dir={here / 'data'}",
            f"run.out_dir={here / 'run'}", f"run.export_dir={here / 'model'}", *sources]


def fine_tune(out: Path, r: int, start: Path, share: float, steps: int, traces: Path = TRACES / STDLIB) -> Path:
    """Prepare round r's mixture and fine-tune round r-1's model on it (both resumable)."""
    model = round_dir(out, r) / "model"
    if (model / "train_config.yaml").exists():  # the export's last file
        return model
    base = training_overrides(out, r, start, share, traces)
    train = [f"train.steps={steps}", "train.batch.global_batch=8", "train.optim.lr=1e-3",
             f"train.optim.warmup_steps={max(1, steps // 15)}", f"train.optim.decay_steps={steps}",
             f"train.checkpoint.every={max(1, steps // 3)}", f"train.eval.every={steps}", "train.eval.batches=10"]
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")}
    for command in (["-m", "train.prepare", *base], ["-m", "train.main", *base, *train]):
        subprocess.run([sys.executable, *command], check=True, cwd=REPO_ROOT, env=env)
    return model


def evaluate_perplexity(out: Path, r: int, start: Path, traces: Path = TRACES) -> dict:
    """Round r's model on the held-out steps of the standard library (on which the shipped
    default was trained: its split predates the committed one) and, apart, of every other
    traced library (which no model here trained on)."""
    path = round_dir(out, r) / "eval.json"
    if not path.exists():
        from train.evaluate import heldout_perplexity  # torch: only where a model is scored

        model = REPO_ROOT / model_of_round(out, r, start)
        others = sorted(d for d in traces.iterdir() if d.name != STDLIB and (d / "steps").is_dir())
        figures = {"stdlib": heldout_perplexity(model, traces / STDLIB, max_rows=200)}
        if others:
            figures["libraries"] = heldout_perplexity(model, others, max_rows=400)
        write_atomically(path, json.dumps(figures))
    return json.loads(path.read_text())


def evaluate_search(out: Path, r: int, start: Path, which: str, workers: int) -> None:
    results = round_dir(out, r) / which
    overrides = ROUND_SEARCH if which == "coqlib" else MINIF2F_SEARCH
    run_search(search_config(model_of_round(out, r, start), results, overrides, workers, split="sample"))


def run_rounds(out: Path, rounds: int, start: Path, pool_size: int, seed: int, share: float, steps: int,
               workers: int, evaluations: Sequence[str]) -> None:
    pool = choose_pool(out, pool_size, seed)
    for which in evaluations:
        evaluate_search(out, 0, start, which, workers)
    evaluate_perplexity(out, 0, start)
    for r in range(1, rounds + 1):
        done = proved_before(out, r)
        cfg = search_config(model_of_round(out, r - 1, start), round_dir(out, r) / "search", ROUND_SEARCH, workers,
                            [n for n in pool if n not in done])
        print(f"round {r}: searching {len(cfg.benchmark.problems)} theorems with {model_of_round(out, r - 1, start)}",
              file=sys.stderr, flush=True)
        run_search(cfg)
        with make_env(cfg) as env:
            collect_steps(out, r, env, load_problems(cfg))
        fine_tune(out, r, start, share, steps)
        evaluate_perplexity(out, r, start)
        for which in evaluations:
            evaluate_search(out, r, start, which, workers)
        print(table(out), flush=True)


def proved_count(results: Path) -> str:
    if not results.is_dir():
        return "-"
    records = list(read_records(results))
    return f"{sum(r['status'] == 'proved' for r in records)}/{len(records)}"


def table(out: Path) -> str:
    """The per-round markdown table of an expert-iteration directory."""
    lines = ["| round | searched | new proofs | proofs so far | new steps | ppl stdlib held-out | ppl other libraries' "
             "held-out | bits/byte other libraries | coqlib sample | miniF2F valid |", "|---|---|---|---|---|---|---|---|---|---|"]
    total = 0
    for r in sorted(int(p.name.split("-")[1]) for p in out.glob("round-*") if p.name.split("-")[1].isdigit()):
        here = round_dir(out, r)
        proved = sum(rec["status"] == "proved" for rec in read_search(out, r))
        total += proved
        search = [str(len(read_search(out, r))), str(proved), str(total), str(len(read_steps_file(out, r)))] if r else ["-"] * 4
        ppl = json.loads((here / "eval.json").read_text()) if (here / "eval.json").exists() else {}
        stdlib, others = ppl.get("stdlib"), ppl.get("libraries")
        perplexity = [f"{stdlib['perplexity']:.1f}" if stdlib else "-", f"{others['perplexity']:.1f}" if others else "-",
                      f"{others['bits_per_byte']:.3f}" if others else "-"]
        cells = [str(r), *search, *perplexity, proved_count(here / "coqlib"), proved_count(here / "minif2f")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("outputs/expert"), help="one folder per round below it")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--start", type=Path, default=Path("prover/models/default"),
                        help="round 0's model (relative to the repository root unless absolute)")
    parser.add_argument("--pool", type=int, default=150, help="training theorems searched (chosen once per --out)")
    parser.add_argument("--seed", type=int, default=0, help="of the pool")
    parser.add_argument("--expert-share", type=float, default=0.1, help="share of the training tokens from the rounds' steps")
    parser.add_argument("--steps", type=int, default=100, help="optimizer steps of each round's fine-tuning (8 x 512 tokens)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--evaluate", nargs="*", choices=EVALUATIONS, default=list(EVALUATIONS),
                        help="per round: the coqlib sample and miniF2F-rocq valid (none: only held-out perplexity)")
    parser.add_argument("--table", action="store_true", help="print the table of --out and stop")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.pool < 1 or args.steps < 1 or args.workers < 1 or not 0 < args.expert_share < 1:
        print("error: --rounds, --pool, --steps and --workers must be positive, --expert-share in (0, 1)", file=sys.stderr)
        return 2
    if args.table:
        print(table(args.out))
        return 0
    if not (REPO_ROOT / args.start / "config.json").exists():
        print(f"error: --start {args.start}: no model there (config.json)", file=sys.stderr)
        return 2
    if not (TRACES / STDLIB / "steps").is_dir():
        print(f"error: no {TRACES / STDLIB} (python -m train.trace --library stdlib)", file=sys.stderr)
        return 2
    run_rounds(args.out, args.rounds, args.start, args.pool, args.seed, args.expert_share, args.steps,
               args.workers, args.evaluate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
