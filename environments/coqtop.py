"""The coqtop wire protocol: one `coqtop -emacs -quiet` process, fed one sentence at a time.

Every answer ends with `<prompt>NAME < SID |NAMES| DEPTH < </prompt>` (on stderr, merged into
stdout here so the order is kept); SID is the state the toplevel is now at, NAME the open
proof (`Coq` outside proofs). Reads are bounded
by a wall-clock deadline: a prover that does not answer in time raises `Hung`, one whose pipe
closes raises `Died`. After an interrupt, `sync` sends a marker query and reads until its own
answer, so a stray prompt can never be taken for the answer to a later sentence.
"""

from __future__ import annotations

import itertools
import os
import re
import select
import signal
import tempfile
import time
from dataclasses import dataclass
from typing import Sequence

from environments.process import kill_group, spawn

_PROMPT = re.compile(rb"<prompt>([^<]*?) < (\d+) \|[^<]*\| \d+ < </prompt>")
_STARTUP_S = 60.0


class Hung(TimeoutError):
    """coqtop gave no prompt before the deadline."""


class Died(RuntimeError):
    """coqtop's output closed: the process is gone (killed, out of memory, CPU limit)."""


@dataclass(frozen=True)
class Reply:
    text: str  # everything coqtop printed for the sentence, prompt removed
    sid: int  # the state id in the prompt that ended the reply
    proof: str = "Coq"  # the open proof named by that prompt (`Coq`: none)


class Coqtop:
    """A live coqtop process in its own process group under memory/CPU limits."""

    def __init__(self, executable: str, memory_mb: int | None, cpu_seconds: int | None,
                 args: Sequence[str] = ()) -> None:
        """`args`: extra command-line flags (load path, `-topfile`, `-noinit`, ...)."""
        # a scratch working directory: tactics such as lia write caches (.lia.cache) into it
        self._scratch = tempfile.TemporaryDirectory(prefix="coqtop-")
        self._proc = spawn([executable, "-emacs", "-quiet", *args], memory_mb=memory_mb, cpu_seconds=cpu_seconds,
                           cwd=self._scratch.name)
        self._buffer = b""
        self._markers = itertools.count()
        try:
            reply = self._read(time.monotonic() + _STARTUP_S)
        except BaseException:
            self.close()
            raise
        self.sid = self.initial_sid = reply.sid
        self.proof = reply.proof

    @property
    def pid(self) -> int:
        return self._proc.pid

    def alive(self) -> bool:
        return self._proc.poll() is None

    def send(self, sentence: str, wall_s: float) -> Reply:
        """Send one sentence and read its answer, waiting at most `wall_s` seconds."""
        self._write(sentence)
        reply = self._read(time.monotonic() + wall_s)
        self.sid, self.proof = reply.sid, reply.proof
        return reply

    def interrupt(self) -> None:
        """SIGINT: coqtop abandons the running sentence with `Error: User interrupt.`"""
        try:
            os.kill(self._proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass

    def sync(self, wall_s: float) -> int:
        """Read until the answer to a fresh marker query; return the state id after it."""
        marker = f"__SYNC_{next(self._markers)}"
        deadline = time.monotonic() + wall_s
        self._write(f"Locate {marker}.")
        while True:
            reply = self._read(deadline)
            if marker in reply.text:
                self.sid, self.proof = reply.sid, reply.proof
                return reply.sid

    def _write(self, sentence: str) -> None:
        try:
            self._proc.stdin.write(sentence.encode() + b"\n")
        except (OSError, ValueError) as exc:
            raise Died(f"coqtop is gone ({exc})") from exc

    def close(self) -> None:
        kill_group(self._proc)
        self._scratch.cleanup()

    def _read(self, deadline: float) -> Reply:
        fd = self._proc.stdout.fileno()
        while True:
            match = _PROMPT.search(self._buffer)
            if match:
                text = self._buffer[: match.start()].decode(errors="replace")
                self._buffer = self._buffer[match.end():]
                return Reply(text, int(match.group(2)), match.group(1).decode(errors="replace"))
            left = deadline - time.monotonic()
            if left <= 0:
                raise Hung("coqtop did not answer in time")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise Died(f"coqtop exited (status {self._proc.poll()})")
                self._buffer += chunk
