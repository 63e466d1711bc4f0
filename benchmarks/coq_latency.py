"""Step latency of the Coq backend against raw coqtop over the same tactic steps.

    python -m benchmarks.coq_latency [--file F.v] [--steps 200]

Replays the known proofs of a `.v` file (by default the backend tests' small theorems) until
`--steps` tactic steps have run, once through `CoqEnvironment.step` and once as bare sentences
written to a `coqtop -emacs -quiet` process, and prints the median step latencies, their
ratio (goal: at most 1.5), and the environment's open and close times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from environments.base import Progress, Theorem
from environments.coq import CoqEnvironment
from environments.coq_syntax import split_sentences
from environments.coqtop import Coqtop
from environments.process import require_executable
from environments.theorem_files.coq import complete_proofs

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "tests" / "environments" / "data" / "small_theorems.v"
WALL_S = 60.0


def workload(path: Path, steps: int) -> list[tuple[Theorem, list[str]]]:
    """Known proofs of `path`, cycled and cut so that they hold exactly `steps` tactics, each
    theorem in the file's header (its first theorem's context), so both sides hold one state."""
    proofs = complete_proofs(path.read_text(encoding="utf-8"), path)
    header = proofs[0][0].context
    chosen, total = [], 0
    while total < steps:
        for theorem, tactics in proofs:
            tactics = tactics[: steps - total]
            chosen.append((replace(theorem, context=header), tactics))
            total += len(tactics)
            if total >= steps:
                break
    return chosen


def measure(executable: str, work: list[tuple[Theorem, list[str]]]) -> dict[str, list[float]]:
    """Seconds per tactic step through raw coqtop and through CoqEnvironment, interleaved step
    by step so that load from other processes falls on both alike; and the environment's
    open and close times."""
    raw = Coqtop(executable, None, None)
    env = CoqEnvironment(coqtop=executable)
    times: dict[str, list[float]] = {"raw": [], "env": [], "open": [], "close": []}
    try:
        for sentence in split_sentences(work[0][0].context).sentences:
            raw.send(sentence.text, WALL_S)
        after_context = raw.sid
        for theorem, tactics in work:
            raw.send(f"BackTo {after_context}.", WALL_S)
            raw.send(theorem.statement, WALL_S)
            started = time.perf_counter()
            state = env.open(theorem)
            times["open"].append(time.perf_counter() - started)
            for tactic in tactics:
                started = time.perf_counter()
                raw.send(tactic, WALL_S)
                times["raw"].append(time.perf_counter() - started)
                started = time.perf_counter()
                outcome = env.step(state, tactic)
                times["env"].append(time.perf_counter() - started)
                if isinstance(outcome, Progress):
                    state = outcome.state
    finally:
        raw.close()
        started = time.perf_counter()
        env.close()
        times["close"].append(time.perf_counter() - started)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="a .v file with finished proofs")
    parser.add_argument("--steps", type=int, default=200, help="tactic steps to time")
    parser.add_argument("--rounds", type=int, default=3, help="times the whole run is repeated (medians pool them)")
    parser.add_argument("--coqtop", default="coqtop")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"coq_latency: {args.file}: no such file", file=sys.stderr)
        return 2
    executable = require_executable(args.coqtop)
    if args.steps < 1 or args.rounds < 1:
        print("coq_latency: --steps and --rounds must be positive", file=sys.stderr)
        return 2
    work = workload(args.file, args.steps)
    rounds = [measure(executable, work) for _ in range(args.rounds)]
    raw, ours, closes = ([t for times in rounds for t in times[key]] for key in ("raw", "env", "close"))
    raw_ms, ours_ms = statistics.median(raw) * 1e3, statistics.median(ours) * 1e3
    print(f"{args.rounds} rounds of {args.steps} tactic steps ({len(work)} theorems each); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"median step latency: raw coqtop {raw_ms:.3f} ms, CoqEnvironment {ours_ms:.3f} ms")
    print(f"ratio CoqEnvironment / raw coqtop: {ours_ms / raw_ms:.2f} (goal <= 1.5)")
    print(f"p90 step latency: raw {statistics.quantiles(raw, n=10)[-1] * 1e3:.3f} ms, "
          f"CoqEnvironment {statistics.quantiles(ours, n=10)[-1] * 1e3:.3f} ms")
    first = [times["open"][0] for times in rounds]
    later = [t for times in rounds for t in times["open"][1:]]
    print(f"open: first (loads the context) median {statistics.median(first) * 1e3:.1f} ms, "
          f"later (context reused) median {statistics.median(later) * 1e3:.2f} ms")
    print(f"close: median {statistics.median(closes) * 1e3:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
