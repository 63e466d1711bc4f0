"""The results directory of one benchmark run: `results.jsonl` (one record per problem,
appended and flushed as each problem ends) and `manifest.json` (what was run, with which
model, budget and software, and when).

Appends are single `write` calls on an O_APPEND descriptor followed by fsync, so a run
killed at any moment leaves at most one torn last line; opening the store again cuts that
line off, and the problems already recorded are not run twice.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

RESULTS = "results.jsonl"
MANIFEST = "manifest.json"
STATUSES = ("proved", "failed", "skipped", "error")


class ResultsError(ValueError):
    """A results directory that cannot be read or does not match the run."""


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
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.endswith("\n"):
                return  # torn by a kill: the problem was not finished
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ResultsError(f"{path}:{number}: not a JSON record ({exc})") from exc


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
    return json.loads(path.read_text(encoding="utf-8"))
