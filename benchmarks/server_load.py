"""Load benchmark of the editor server: starts `prove serve` as a real child process on a
loopback port (the default model unless overridden), then for each concurrency level runs
that many clients, each sending a fixed number of llmstep requests back to back, and
prints requests/s, p50/p95 latency, the mean model-call batch size and the answers' status
mix per level, then the server process's peak resident memory (VmHWM). Errors (503 shed,
504 timeout) are counted, not raised.

    python -m benchmarks.server_load [--clients 1 8 32] [--requests 16] [--samples 4] [key=value ...]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import httpx

from prover.server.launch import server_process
from prover.server.metrics import summarise

GOALS = (
    "n : nat\n============================\nn + 0 = n",
    "a b : nat\n============================\na + b = b + a",
    "x y : Z\nH : x < y\n============================\nx <= y",
    "P Q : Prop\nHP : P\nHQ : Q\n============================\nP /\\ Q",
    "l : list nat\n============================\nlength (rev l) = length l",
    "n m : nat\nH : n <= m\n============================\nS n <= S m",
)


async def _client(http: httpx.AsyncClient, index: int, requests: int, samples: int) -> list[tuple[float, int]]:
    """(latency, status) of each of `requests` llmstep requests sent back to back."""
    answers = []
    for i in range(requests):
        goal = GOALS[(index + i) % len(GOALS)]
        start = time.perf_counter()
        response = await http.post("/", json={"tactic_state": goal, "prefix": "", "context": "", "n": samples})
        answers.append((time.perf_counter() - start, response.status_code))
        if response.status_code == 200 and not isinstance(response.json().get("suggestions"), list):
            raise RuntimeError(f"malformed answer: {response.text[:200]}")
    return answers


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory (VmHWM) of process `pid` so far, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM in /proc/{pid}/status")


async def run_level(url: str, clients: int, requests: int, samples: int) -> dict[str, Any]:
    """`clients` concurrent clients, `requests` each; throughput, latency and batching."""
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=httpx.Limits(max_connections=clients)) as http:
        before = (await http.get("/stats")).json()["batching"]
        start = time.perf_counter()
        per_client = await asyncio.gather(*(_client(http, c, requests, samples) for c in range(clients)))
        wall = time.perf_counter() - start
        after = (await http.get("/stats")).json()["batching"]
    latencies = [latency for answers in per_client for latency, _ in answers]
    statuses = Counter(status for answers in per_client for _, status in answers)
    calls = after.get("calls", 0) - before.get("calls", 0)
    states = after.get("states", 0) - before.get("states", 0)
    return {"clients": clients, "requests": len(latencies), "wall_s": wall, "rps": len(latencies) / wall,
            **summarise(latencies), "model_calls": calls, "mean_batch": states / calls if calls else 0.0,
            "statuses": " ".join(f"{code}:{statuses[code]}" for code in sorted(statuses))}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.server_load", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32], help="concurrency levels")
    parser.add_argument("--requests", type=int, default=16, help="requests per client per level")
    parser.add_argument("--samples", type=int, default=4, help="suggestions asked per request (n)")
    parser.add_argument("--warmup", type=int, default=2, help="requests sent before measuring")
    parser.add_argument("overrides", nargs="*", metavar="key=value", help="Hydra overrides for `prove serve`")
    args = parser.parse_args(argv)
    if min(args.clients) < 1 or args.requests < 1 or args.samples < 1 or args.warmup < 0:
        parser.error("--clients, --requests and --samples must be >= 1, --warmup >= 0")
    return args


async def bench(url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=url, timeout=600) as http:
        for i in range(args.warmup):
            await http.post("/", json={"tactic_state": GOALS[i % len(GOALS)], "prefix": "", "n": args.samples})
    return [await run_level(url, c, args.requests, args.samples) for c in args.clients]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    overrides = [f"server.max_samples={max(args.samples, 32)}", *args.overrides]
    with server_process(overrides) as served:
        url = served.url
        health = httpx.get(f"{url}/health").json()
        print(f"server {url} model={health['model']} samples/request={args.samples} "
              f"requests/client={args.requests}")
        rows = asyncio.run(bench(url, args))
        peak_mb = peak_rss_mb(served.proc.pid)
    print(f"{'clients':>7} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'calls':>6} {'batch':>6}  statuses")
    for r in rows:
        print(f"{r['clients']:>7} {r['requests']:>8} {r['rps']:>8.2f} {1000 * r['p50_s']:>8.1f} "
              f"{1000 * r['p95_s']:>8.1f} {r['model_calls']:>6} {r['mean_batch']:>6.1f}  {r['statuses']}")
    print(f"server peak RSS: {peak_mb:.0f} MB")
    base = rows[0]["rps"]
    print("throughput vs first level: " + ", ".join(f"{r['clients']} clients x{r['rps'] / base:.2f}" for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
