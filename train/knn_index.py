"""Build the kNN tactic index (`prover.policies.knn`) from traced proof steps: every step of
the chosen libraries' traces except those of held-out files (the committed split, or the
list given), bullets and braces, and goals longer than `--max-goal-chars`; identical
(goals, tactic) pairs are indexed once.

    python -m train.knn_index --out outputs/knn/stdlib                # the stdlib traces
    python -m train.knn_index --traces outputs/traces --library stdlib mathcomp-ssreflect --out DIR
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

from prover.policies.knn import KnnIndex, indexable
from train.libraries import STDLIB
from train.splits import HELDOUT_LIST, read_heldout
from train.trace import DEFAULT_OUT, read_steps


def build_index(traces: Path, libraries: Sequence[str], heldout: Path = HELDOUT_LIST,
                max_goal_chars: int = 4000) -> KnnIndex:
    """The index over `libraries`' traces under `traces`, without `heldout`'s files."""
    excluded = frozenset(f for files in read_heldout(heldout).values() for f in files)
    pairs = [pair for lib in libraries for pair in indexable(read_steps(traces / lib), excluded, max_goal_chars)]
    if not pairs:
        raise ValueError(f"no steps to index under {traces} for {', '.join(libraries)}")
    meta = {"libraries": list(libraries), "traces": str(traces), "heldout": str(heldout),
            "excluded_files": len(excluded), "max_goal_chars": max_goal_chars}
    return KnnIndex([g for g, _ in pairs], [s for _, s in pairs], meta)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="index directory (created)")
    parser.add_argument("--traces", type=Path, default=DEFAULT_OUT, help="traces root: one folder per library")
    parser.add_argument("--library", nargs="+", default=[STDLIB], metavar="NAME")
    parser.add_argument("--heldout", type=Path, default=HELDOUT_LIST, help="held-out list (LIBRARY FILE lines)")
    parser.add_argument("--max-goal-chars", type=int, default=4000)
    args = parser.parse_args(argv)
    missing = [lib for lib in args.library if not (args.traces / lib).is_dir()]
    if missing or not args.heldout.is_file():
        what = f"no traces for {', '.join(missing)} under {args.traces}" if missing else f"no held-out list {args.heldout}"
        print(f"error: {what}", file=sys.stderr)
        return 2
    start = time.monotonic()
    try:
        index = build_index(args.traces, args.library, args.heldout, args.max_goal_chars)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    index.meta["build_s"] = round(time.monotonic() - start, 1)
    index.save(args.out)
    print(f"{len(index.steps)} steps indexed in {index.meta['build_s']} s -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
