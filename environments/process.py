"""Prover subprocesses: each in its own process group, under memory and CPU limits,
killed as a group on close, on error, at interpreter exit, and all at once when the command
is told to stop (`stop_all`, from a SIGTERM/SIGINT handler: no new prover starts after it).

A prover that loses its parent also sees end-of-file on its stdin and exits by itself.
"""

from __future__ import annotations

import atexit
import os
import resource
import shutil
import signal
import subprocess
import threading
from typing import Sequence

from environments.base import ProverError, ProverNotFound

_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()
_stopping = threading.Event()


class Stopping(ProverError):
    """The command is stopping (`stop_all` ran): no prover may start."""


def _limits(memory_mb: int | None, cpu_seconds: int | None):
    def apply() -> None:
        if memory_mb:
            size = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size, size))
        if cpu_seconds:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    return apply


def require_executable(name: str) -> str:
    """The full path of `name`, or ProverNotFound naming it."""
    found = shutil.which(name)
    if found is None:
        raise ProverNotFound(f"{name} not found on PATH")
    return found


def spawn(argv: Sequence[str], *, memory_mb: int | None = None, cpu_seconds: int | None = None,
          cwd: str | os.PathLike | None = None, stderr: int | None = subprocess.STDOUT) -> subprocess.Popen:
    """Start `argv` with binary pipes in a new process group under the given limits."""
    argv = [require_executable(argv[0]), *argv[1:]]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, cwd=cwd,
                            start_new_session=True, preexec_fn=_limits(memory_mb, cpu_seconds), bufsize=0)
    with _live_lock:
        _live.add(proc)
    if _stopping.is_set():  # checked after adding: a stop_all that ran meanwhile may have missed this one
        kill_group(proc)
        raise Stopping("not starting a prover: the command is stopping")
    return proc


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the whole process group of `proc` and reap it. Safe on a dead process."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass
    proc.wait()  # SIGKILL cannot be caught: a blocking reap returns at once, unlike wait(timeout)'s polling
    with _live_lock:
        _live.discard(proc)


def run_to_end(argv: Sequence[str], *, timeout: float, memory_mb: int | None = None,
               cwd: str | os.PathLike | None = None) -> tuple[int | None, str]:
    """Run `argv` (spawned as above) to its end: the exit status, None once past `timeout`
    seconds, and the merged output. The process group is killed whatever happens."""
    proc = spawn(argv, memory_mb=memory_mb, cwd=cwd)
    try:
        output, _ = proc.communicate(timeout=timeout)
        return proc.returncode, output.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return None, ""
    finally:
        kill_group(proc)


def stop_all() -> None:
    """SIGKILL every live prover's group and refuse new ones. Safe in a signal handler: no
    lock and no reaping (the threads that own the provers see them die, and clean up)."""
    _stopping.set()
    for proc in list(_live):  # one C-level copy under the GIL
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def live_processes() -> list[subprocess.Popen]:
    """Prover processes started by this interpreter and not yet killed."""
    with _live_lock:
        return [p for p in _live if p.poll() is None]


@atexit.register
def _kill_all() -> None:
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        kill_group(proc)
