"""The results directory of one benchmark run: `results.jsonl` (one record per problem,
appended and flushed as each problem ends) and `manifest.json` (what was run, with which
model, budget and software, and when).

Appends are single `write` calls on an O_APPEND descriptor followed by fsync, so a run
killed at any moment leaves at most one torn last line; opening the store again cuts that
line off, and the problems already recorded are not run twice. One run at a time holds the
directory (`locked`, an advisory lock on `.lock` in it): a second run on it fails at once.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

RESULTS = "results.jsonl"
MANIFEST = "manifest.json"
LOCK = ".lock"
STATUSES = ("proved", "failed", "skipped", "error")


class ResultsError(ValueError):
    """A results directory that cannot be read or does not match the run."""


@contextmanager
def locked(root: Path) -> Iterator[Path]:
    """Hold the results directory `root` (created if missing) for one run."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise ResultsError(f"{root} is a file, not a results directory")
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ResultsError(f"{root}: cannot use as a results directory ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ResultsError(f"{root} is in use by another run (wait for it, or use another --out)") from None
        yield root
    finally:
        os.close(fd)  # releases the lock


@dataclass
class ResultStore:
    """Append-only per-problem records of one run, safe against being killed."""

    root: Path
    _names: set[str] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._repair()
        self._names = {r["name"] for r in read_records(self.root)}

    @property
    def path(self) -> Path:
        return self.root / RESULTS

    def _repair(self) -> None:
        """Cut a torn last line left by a killed run."""
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            with open(self.path, "r+b") as fh:
                fh.truncate(data.rfind(b"\n") + 1)

    def done(self) -> set[str]:
        return set(self._names)

    def append(self, record: Mapping[str, Any]) -> None:
        name = record["name"]
        if record.get("status") not in STATUSES:
            raise ResultsError(f"record for {name}: status must be one of {STATUSES}, not {record.get('status')!r}")
        if name in self._names:
            raise ResultsError(f"record for {name} is already in {self.path}")
        line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        self._names.add(name)


def read_records(root: Path) -> list[dict[str, Any]]:
    """Every complete record of the run in `root`, in the order they were written."""
    return list(_iter_records(Path(root) / RESULTS))


def _iter_records(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            if not line.endswith(b"\n"):
                return  # torn by a kill: the problem was not finished
            if line.strip():
                try:
                    record = json.loads(line.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise ResultsError(f"{path}:{number}: not a JSON record ({exc})") from None
                if not isinstance(record, dict) or not isinstance(record.get("name"), str) \
                        or record.get("status") not in STATUSES:
                    raise ResultsError(f"{path}:{number}: not a result record (needs a name and a status)")
                yield record


def write_manifest(root: Path, manifest: Mapping[str, Any]) -> None:
    """Write `manifest.json` atomically (write a temporary file, then rename)."""
    root = Path(root)
    tmp = root / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, root / MANIFEST)


def read_manifest(root: Path) -> dict[str, Any]:
    path = Path(root) / MANIFEST
    if not path.exists():
        raise ResultsError(f"{root}: no {MANIFEST} (not a results directory)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path}: not a readable manifest ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("config_hash"), str) \
            or not all(isinstance(manifest.get(key), list) for key in ("problems", "sessions")):
        raise ResultsError(f"{path}: not a manifest (needs config_hash, problems and sessions)")
    return manifest
