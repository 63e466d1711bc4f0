"""`prove suggest` at the start of every proof of a Coq file: how often the checked list holds
a closing tactic, and the latency per call, warm and cold.

    python -m benchmarks.suggest_latency [--file prover/examples/easy.v] [-n 8] [--cold 5] [key=value ...]

Warm: one process, the policy loaded once and one Coq environment kept; each lemma's cursor
(the line after its `Proof.`) is located, its proof replayed and `suggest` run, timed per
call. Cold: `--cold K` fresh `prove suggest` processes at the first lemma's cursor, timed
from start to exit (the model load and Coq's start included). The configuration is
`prove`'s (default model unless key=value says otherwise).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

from benchmarks.runner import make_env
from configs import compose_config
from prover.cursor import locate, offset_of
from prover.policies import build_policy
from prover.suggest import replay, suggest

EASY = Path(__file__).resolve().parents[1] / "prover" / "examples" / "easy.v"


def cursor_lines(text: str) -> list[int]:
    """The 1-based line after each `Proof.` line: where a user asks for the first tactic."""
    return [number + 1 for number, line in enumerate(text.split("\n"), start=1) if line.strip() == "Proof."]


def warm(path: Path, n: int, overrides: Sequence[str]) -> tuple[int, list[float]]:
    """Lemmas whose suggestions hold a closing tactic, and the seconds of each call."""
    text = path.read_text(encoding="utf-8")
    cfg = compose_config("prove", list(overrides))
    policy = build_policy(cfg.model)
    closing, times = 0, []
    with make_env(cfg) as env:
        for line in cursor_lines(text):
            start = time.perf_counter()
            checked = suggest(env, policy, replay(env, locate(text, offset_of(text, line), path)), n)
            times.append(time.perf_counter() - start)
            closes = [c.tactic for c in checked if c.status == "closes"]
            closing += bool(closes)
            print(f"  line {line:3d}: {times[-1]:6.2f} s  closes: {', '.join(closes) or '-'}", flush=True)
    return closing, times


def cold(path: Path, n: int, runs: int, overrides: Sequence[str]) -> list[float]:
    """Wall seconds of `runs` fresh `prove suggest` processes at the file's first cursor."""
    position = f"{path}:{cursor_lines(path.read_text(encoding='utf-8'))[0]}"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "prover.cli", "suggest", position, "-n", str(n), *overrides],
                       check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.suggest_latency", description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=EASY)
    parser.add_argument("-n", type=int, default=8, help="suggestions shown per call (twice as many are checked)")
    parser.add_argument("--cold", type=int, default=5, help="fresh processes to time (0: none)")
    parser.add_argument("overrides", nargs="*", metavar="key=value")
    args = parser.parse_args(argv)
    path = args.file.resolve()
    closing, times = warm(path, args.n, args.overrides)
    print(f"closing {closing}/{len(times)} (a closing tactic among {args.n} checked suggestions)")
    print(f"warm: median {statistics.median(times):.2f} s/call, max {max(times):.2f} s")
    if args.cold:
        print(f"cold: median {statistics.median(cold(path, args.n, args.cold, args.overrides)):.2f} s "
              f"over {args.cold} fresh processes (first call)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
