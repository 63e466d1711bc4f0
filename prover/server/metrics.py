"""Per-route request counts and latencies, for /stats (the model-call batch sizes come from
BatchingPolicy.stats()), and the ASGI middleware that records them."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from statistics import quantiles
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WINDOW = 10_000  # latencies kept per route: the figures describe recent traffic


def summarise(latencies: list[float]) -> dict[str, float]:
    """Mean, p50 and p95 of `latencies` in seconds (empty -> zeros)."""
    if not latencies:
        return {"mean_s": 0.0, "p50_s": 0.0, "p95_s": 0.0}
    if len(latencies) == 1:
        return {"mean_s": latencies[0], "p50_s": latencies[0], "p95_s": latencies[0]}
    cuts = quantiles(latencies, n=100, method="inclusive")
    return {"mean_s": sum(latencies) / len(latencies), "p50_s": cuts[49], "p95_s": cuts[94]}


class RequestStats:
    """Thread-safe request log: count, error count and recent latencies per route."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count: dict[str, int] = defaultdict(int)
        self._errors: dict[str, int] = defaultdict(int)
        self._latency: dict[str, deque[float]] = defaultdict(lambda: deque(maxlen=WINDOW))

    def record(self, route: str, seconds: float, status: int) -> None:
        with self._lock:
            self._count[route] += 1
            self._errors[route] += status >= 400
            self._latency[route].append(seconds)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                route: {"requests": self._count[route], "errors": self._errors[route],
                        **summarise(list(self._latency[route]))}
                for route in sorted(self._count)
            }


class RequestTimer:
    """Records every HTTP request's latency and status in the app's RequestStats, labelled
    by route template (not raw path, so unknown paths cannot grow the table)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            route = scope.get("route")
            label = f"{scope['method']} {route.path}" if route is not None else "unmatched"
            scope["app"].state.services.requests.record(label, time.perf_counter() - start, status)
