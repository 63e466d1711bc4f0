"""The `minif2f` command: `minif2f run ...` runs (or continues) a benchmark (miniF2F, or
with `--benchmark coqlib` the held-out theorems of the Coq library corpus) into a results
directory, `minif2f report DIR...` turns results directories into a markdown table and
plots. Flags map onto the Hydra config `configs/minif2f.yaml`; trailing key=value
arguments override any key. Bad input: one line on stderr, exit code 2 (checked before any
problem runs); Ctrl-C: one line, 130. One run at a time holds a results directory.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from benchmarks.problems import DataError
from benchmarks.results import ResultsError, locked
from configs.budget import GRAMMAR, BudgetError, budget_overrides
from configs.cli import BadInput, OneLineParser, checked_workers, load_config, run_command
from environments import ProverNotFound
from prover.policies import POLICIES

# --system -> the env/ group that proves it
ENV_OF_SYSTEM = {"coq": "coq", "lean": "lean-repl", "isabelle": "isabelle"}
MINIF2F_SPLITS = ("valid", "test")
COQLIB_SPLITS = ("sample", "heldout", "train")  # benchmarks.coqlib.SPLITS, without importing the corpus here


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="minif2f", description="Run miniF2F and report the results.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    run = sub.add_parser("run", help="run or continue a benchmark into a results directory")
    run.add_argument("--benchmark", choices=("minif2f", "coqlib"), default="minif2f")
    run.add_argument("--system", choices=sorted(ENV_OF_SYSTEM), default="coq")
    run.add_argument("--data", type=Path, help="dataset folder with one sub-folder per split (default: shared miniF2F)")
    run.add_argument("--split", choices=(*MINIF2F_SPLITS, *COQLIB_SPLITS),
                     help="minif2f: valid (default) | test; coqlib: sample (default) | heldout | train")
    run.add_argument("--hammer", action="store_true", help="coqlib: import CoqHammer after each theorem's context")
    run.add_argument("--mode", choices=("f2f", "i2f", "auto"))
    run.add_argument("--policy", choices=POLICIES)
    run.add_argument("--model", type=Path, help="model folder (Hugging Face format)")
    run.add_argument("--tactics", type=Path, help="tactics file of the fixed policy")
    run.add_argument("--budget", help=f"{GRAMMAR} or a search preset; see configs/budget.py")
    run.add_argument("--wall-time", type=float, help="seconds per problem and attempt")
    run.add_argument("--tactic-timeout", type=float, help="seconds per tactic")
    run.add_argument("--workers", type=int)
    run.add_argument("--backend", choices=("local", "ray"))
    run.add_argument("--limit", type=int, help="only the first N problems")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument("--out", type=Path, required=True, help="results directory (created; continued if it exists)")
    run.epilog = "Trailing key=value arguments are Hydra overrides of configs/minif2f.yaml."
    report = sub.add_parser("report", help="markdown table and plots from results directories")
    report.add_argument("runs", nargs="+", type=Path, help="results directories")
    report.add_argument("--out", type=Path, help="report folder (default: <parent of the first run>/report)")
    return parser


def run_overrides(args: argparse.Namespace) -> list[str]:
    """The Hydra overrides a `minif2f run` command line stands for."""
    out = [f"env={ENV_OF_SYSTEM[args.system]}", f"benchmark.system={args.system}",
           f"benchmark.out={args.out.resolve()}", f"benchmark.name={args.benchmark}"]
    coqlib = args.benchmark == "coqlib"
    if coqlib and (args.system != "coq" or args.mode == "i2f" or args.data is not None):
        raise BadInput("--benchmark coqlib is Coq tactic search: no --system, --mode i2f or --data")
    if args.split is not None and args.split not in (COQLIB_SPLITS if coqlib else MINIF2F_SPLITS):
        raise BadInput(f"--split {args.split} is not a split of {args.benchmark}")
    if args.hammer and not coqlib:
        raise BadInput("--hammer is for --benchmark coqlib (miniF2F's preamble imports CoqHammer)")
    if coqlib:
        out += [f"benchmark.split={args.split or COQLIB_SPLITS[0]}", f"benchmark.coqlib.hammer={args.hammer}"]
    flags = {
        "benchmark.data": args.data and args.data.resolve(),
        "benchmark.split": None if coqlib else args.split, "benchmark.mode": args.mode, "model": args.policy,
        "model.path": args.model and args.model.resolve(),
        "model.tactics_file": args.tactics and args.tactics.resolve(),
        "search.wall_time_s": args.wall_time, "search.tactic_timeout_s": args.tactic_timeout,
        "benchmark.workers": args.workers, "benchmark.backend": args.backend, "benchmark.limit": args.limit,
    }
    out += [f"{key}={value}" for key, value in flags.items() if value is not None]
    if args.data is not None and not args.data.is_dir():
        raise BadInput(f"--data {args.data}: not a directory")
    if args.mode == "i2f" and args.system == "lean":
        raise BadInput("--mode i2f supports --system coq or isabelle (no Lean sketch examples)")
    if args.mode == "i2f" and args.policy == "vllm":
        raise BadInput("--mode i2f writes sketches with --policy hf or fixed")
    if args.limit is not None and args.limit < 1:
        raise BadInput("--limit must be >= 1")
    if args.workers is not None:
        checked_workers(args.workers, "--workers")
    if args.out.exists() and not args.out.is_dir():
        raise BadInput(f"--out {args.out} is a file, not a results directory")
    if args.budget is not None:
        try:
            out += budget_overrides(args.budget, attempts_allowed=True)
        except BudgetError as exc:
            raise BadInput(str(exc)) from None
    if args.no_progress:
        out.append("benchmark.progress=false")
    return out + list(args.overrides)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    return run_command("minif2f", lambda: _run(argv), bad_input=(DataError, ResultsError, ProverNotFound))


def _run(argv: list[str]) -> int:
    args, extra = _parser().parse_known_args(argv)
    bad = [a for a in extra if a.startswith("-") or "=" not in a or args.command != "run"]
    if bad:
        raise BadInput(f"minif2f {args.command}: {bad[0]!r} is neither an option nor a key=value override")
    args.overrides = extra
    if args.command == "run":
        from benchmarks.runner import make_env, run_benchmark, search_config

        cfg = load_config("minif2f", run_overrides(args))
        checked_workers(cfg.benchmark.workers, "benchmark.workers")
        try:
            search_config(cfg)
            make_env(cfg).close()  # an unknown option or a missing prover fails now, not in every record
        except (TypeError, ValueError) as exc:
            raise BadInput(f"configuration: {exc}") from None
        with locked(cfg.benchmark.out):
            print(run_benchmark(cfg, argv))
    else:
        from benchmarks.report import write_report

        missing = [str(d) for d in args.runs if not d.is_dir()]
        if missing:
            raise BadInput(f"not a directory: {missing[0]}")
        print(write_report(args.runs, args.out or args.runs[0].resolve().parent / "report"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
