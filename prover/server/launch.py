"""Start `prove serve` as a child process on a free loopback port, wait until /health
answers, and stop it (SIGTERM, then SIGKILL) on exit: for the load benchmark and tests
that need a real server process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Sequence

import httpx


@dataclass(frozen=True)
class Served:
    url: str  # http://127.0.0.1:PORT
    proc: subprocess.Popen  # the `prove serve` process


@contextmanager
def server_process(overrides: Sequence[str], startup_s: float = 120.0,
                   env: dict[str, str] | None = None) -> Iterator[Served]:
    """A `prove serve` child with Hydra `overrides`, answering /health."""
    with socket.socket() as sock:  # a free loopback port
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [sys.executable, "-m", "prover.server.cli", "--host", "127.0.0.1", "--port", str(port), *overrides]
    log = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a full pipe would stall the server
    proc = subprocess.Popen(argv, env={**os.environ, **(env or {})}, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=log, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_s
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"prove serve exited with {proc.returncode}: {log.read()[-2000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"prove serve did not answer /health within {startup_s:g} s")
            time.sleep(0.2)
        yield Served(url, proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
