"""For the tests that stop `prove` and `prove serve` with a signal mid-search: slow fixed
tactics, waiting until the child searches on a coqtop, and what it left behind."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import psutil

# six tactics of ~10^9 idtac each, cut at 3 s apiece by the tactic timeout: a search of ~18 s
SLOW_SEARCH = ['model.tactics=[' + ",".join(f'"do 100000000{i} idtac"' for i in range(6)) + "]",
               "search.tactic_timeout_s=3", "search.wall_time_s=60"]
LEFTOVERS = ("coqtop-*", "coqcheck-*")


def coqtops(proc: subprocess.Popen) -> list[psutil.Process]:
    return [p for p in psutil.Process(proc.pid).children(recursive=True) if "coqtop" in p.name()]


def wait_until_searching(proc: subprocess.Popen, tmpdir: Path, timeout_s: float = 120.0) -> list[psutil.Process]:
    """The child's coqtops, once one runs in a scratch directory under `tmpdir` and has had
    two seconds on the slow tactics."""
    deadline = time.monotonic() + timeout_s
    while not (coqtops(proc) and list(tmpdir.glob("coqtop-*"))):
        assert proc.poll() is None, f"exited with {proc.returncode} before searching"
        assert time.monotonic() < deadline, "no coqtop started"
        time.sleep(0.2)
    time.sleep(2.0)
    return coqtops(proc)


def left_behind(tmpdir: Path, provers: list[psutil.Process]) -> list[str]:
    """Temporary directories of ours under `tmpdir`, and provers still running."""
    dirs = [p.name for pattern in LEFTOVERS for p in tmpdir.glob(pattern)]
    alive = [f"coqtop pid {p.pid}" for p in provers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    return dirs + alive
