"""What every command line (`prove`, `prove serve`, `minif2f`) shares: bad input reported as
one line on stderr with exit status 2, Ctrl-C as one line with 130 and SIGTERM with 143 (both
kill every prover at once, so the command unwinds now and its temporary directories go), an
argparse parser that does not print its usage, composing a config with its errors made bad
input, and the machine's bound on concurrent workers.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Callable, Iterator, NoReturn, Sequence

from hydra.errors import HydraException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from configs import compose_config
from environments.process import stop_all

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM
_WORKERS_PER_CORE = 4  # searches mostly wait on their prover; more per core only queue
_WORKER_MEMORY_GIB = 1  # a prover process and its share of the policy


class BadInput(Exception):
    """Input the user must fix: reported as one line, exit status 2."""


class Terminated(BaseException):
    """SIGTERM arrived; like KeyboardInterrupt, no `except Exception` catches it."""


def stop(signum: int, frame: FrameType | None) -> None:
    """The SIGTERM/SIGINT handler: kill every prover (the searches on them end now, not at
    their budget), then unwind the main thread, which closes its pools and directories."""
    stop_all()
    raise KeyboardInterrupt if signum == signal.SIGINT else Terminated()


@contextmanager
def stopping_on_signals() -> Iterator[None]:
    """`stop` handles SIGTERM, and SIGINT unless it is ignored (a background job), while inside."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handled = [signal.SIGTERM] + ([signal.SIGINT] if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN else [])
    previous = {sig: signal.signal(sig, stop) for sig in handled}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class OneLineParser(argparse.ArgumentParser):
    """An argparse parser whose errors are BadInput (argparse would print its whole usage)."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(message)


def one_line(exc: BaseException) -> str:
    """The first line of an error's message (its type when it has none)."""
    text = str(exc).strip()
    return " ".join(text.splitlines()[0].split()) if text else type(exc).__name__


def load_config(name: str, overrides: Sequence[str]) -> DictConfig:
    """Root config `name` composed with `overrides`; an override Hydra rejects is BadInput."""
    try:
        return compose_config(name, overrides)
    except (HydraException, OmegaConfBaseException) as exc:
        # Hydra's error, then the reason: its cause (a value of the wrong type) or its next line (`+key` hint)
        lines = str(exc).strip().splitlines()
        reason = one_line(exc.__cause__) if exc.__cause__ is not None else " ".join(lines[1:2])
        raise BadInput(f"configuration: {' '.join(' '.join([lines[0], reason]).split())}") from None


def max_workers() -> int:
    """How many concurrent searches this machine can run."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**30
    return max(1, min(_WORKERS_PER_CORE * cores, memory_gib // _WORKER_MEMORY_GIB))


def checked_workers(value: object, name: str = "workers") -> int:
    """`value` as a worker count: an integer from 1 to `max_workers()`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{name} must be an integer, got {value!r}")
    if value < 1:
        raise BadInput(f"{name} must be >= 1, got {value}")
    if value > max_workers():
        raise BadInput(f"{name}={value}: this machine runs at most {max_workers()} "
                       f"({_WORKERS_PER_CORE} per CPU core, {_WORKER_MEMORY_GIB} GiB of memory each)")
    return value


def run_command(prog: str, body: Callable[[], int], bad_input: tuple[type[Exception], ...] = ()) -> int:
    """`body()`'s exit status; BadInput (and the `bad_input` errors) as one line and 2,
    Ctrl-C as one line and 130, SIGTERM as one line and 143."""
    try:
        with stopping_on_signals():
            return body()
    except (BadInput, *bad_input) as exc:
        print(f"{prog}: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print(f"{prog}: terminated", file=sys.stderr)
        return EXIT_TERMINATED
