"""Premise selection measured on held-out traced steps: how often the lemmas a step's tactic
names are among the premises ranked for its goal, with the file's own declarations only and
with those of its imported libraries too.

    python -m benchmarks.premise_recall [--traces outputs/traces] [--steps 2000] [-k 1 8 32]

A step counts when its tactic names (by short name, the last part of a qualified one) a
premise its theorem can see, the declarations before it in its file or in the libraries it
imports (prover.premises.FilePremises, as training data gets them); recall@k is ReProver's:
the share of a step's named premises among the top k, averaged over the steps. Steps come from
the committed held-out files only, spread evenly over them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from functools import lru_cache
from typing import Callable, Sequence

from tqdm import tqdm

from environments.coq_modules import coq_root, logical_name
from prover.premises import FilePremises, Premise, PremiseRanker
from prover.retrieval import coq_tokens
from train.splits import heldout_files
from train.trace import read_steps


def heldout_steps(traces: Path, count: int) -> list[dict]:
    """`count` steps of the held-out files under `traces`, spread evenly, in file order."""
    held = heldout_files()
    steps = [step for step in read_steps(traces) if step["file"] in held]
    stride = max(1, len(steps) // count)
    return steps[::stride][:count]


def named(tactic: str) -> set[str]:
    """The short names a tactic mentions."""
    return {token.rsplit(".", 1)[-1] for token in coq_tokens(tactic)}


Method = Callable[[PremiseRanker, str, int], list[str]]  # (a step's ranker, its goals, k) -> names, best first


def file_only(ranker: PremiseRanker, goals: str, k: int) -> list[str]:
    """BM25 over the file's own declarations before the step."""
    return [p.name for _, p in _own(ranker).rank(goals, k)]


def with_imports(ranker: PremiseRanker, goals: str, k: int) -> list[str]:
    """BM25 over those and the imported libraries' declarations (the prover's ranking)."""
    return [p.name for _, p in ranker.rank(goals, k)]


@lru_cache(maxsize=4)
def _own(ranker: PremiseRanker) -> PremiseRanker:
    return PremiseRanker(ranker.premises)


@lru_cache(maxsize=4)  # asked at every step, the same while one theorem's steps follow each other
def visible(ranker: PremiseRanker) -> list[Premise]:
    """The premises a step's ranker chooses from, the file's own first, each name once."""
    return list({p.name: p for p in [*ranker.library.premises, *ranker.premises][::-1]}.values())


def measure(steps: Sequence[dict], methods: dict[str, Method], ks: Sequence[int]) -> tuple[str, dict[str, dict[int, float]]]:
    """Recall@k of each method over the `steps` that name a visible premise, with a summary line."""
    root, top = coq_root(), max(ks)
    recalls: dict[str, dict[int, list[float]]] = {label: {k: [] for k in ks} for label in methods}
    seconds: dict[str, list[float]] = {label: [] for label in methods}
    file, premises, where = None, FilePremises(""), {"file": 0, "imports": 0}
    for step in tqdm(steps, desc="premise recall", unit="step", disable=not sys.stderr.isatty()):
        if step["file"] != file:
            file = step["file"]
            text = (root / file).read_text(encoding="utf-8", errors="replace")
            premises = FilePremises(text, logical_name(root / file, root))
        ranker = premises.ranker_at(step["line"], step["theorem"])
        own = {p.name for p in ranker.premises}
        used = named(step["tactic"]) & (own | {p.name for p in ranker.library.premises})
        if not used:
            continue
        where["file" if used & own else "imports"] += 1
        for label, method in methods.items():
            start = time.perf_counter()
            ranked = method(ranker, step["goals_before"], top)
            seconds[label].append(time.perf_counter() - start)
            for k in ks:
                recalls[label][k].append(len(used & set(ranked[:k])) / len(used))
    counted = sum(where.values())
    summary = (f"{len(steps)} held-out steps, {counted} name a visible premise "
               f"({where['file']} one of their file's, {where['imports']} only imported ones)")
    table = {label: {k: statistics.mean(v) if v else 0.0 for k, v in by_k.items()} for label, by_k in recalls.items()}
    for label in methods:
        table[label]["ms"] = statistics.median(seconds[label]) * 1000 if seconds[label] else 0.0
    return summary, table


def print_table(summary: str, table: dict[str, dict], ks: Sequence[int]) -> None:
    print(summary)
    print("| premises | " + " | ".join(f"recall@{k}" for k in ks) + " | median ms per goal |")
    print("|---|" + "---|" * (len(ks) + 1))
    for label, row in table.items():
        print(f"| {label} | " + " | ".join(f"{row[k]:.3f}" for k in ks) + f" | {row['ms']:.1f} |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=Path, default=Path("outputs/traces"), help="train.trace output")
    parser.add_argument("--steps", type=int, default=2000, help="held-out steps to sample")
    parser.add_argument("-k", type=int, nargs="+", default=[1, 8, 32], help="cut-offs of recall@k")
    args = parser.parse_args(argv)
    if not args.traces.is_dir():
        parser.exit(2, f"premise_recall: error: --traces {args.traces}: no such directory\n")
    if args.steps < 1 or min(args.k) < 1:
        parser.exit(2, "premise_recall: error: --steps and -k must be at least 1\n")
    methods = {"file only": file_only, "file + imports": with_imports}
    print_table(*measure(heldout_steps(args.traces, args.steps), methods, args.k), args.k)
    return 0


if __name__ == "__main__":
    sys.exit(main())
