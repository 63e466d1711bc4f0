"""Small miniF2F slices copied from the shared data into a test's own dataset folder
(laid out like the shared data: one sub-folder per split), and the command line that runs
the `minif2f` CLI on them."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Sequence

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "minif2f"
ROCQ_VALID = SHARED / "rocq" / "valid"

# Ten Coq problems: some fall to lia / lra / easy at once, the others resist them.
COQ_SLICE = (
    "mathd_algebra_10", "mathd_algebra_101", "mathd_algebra_104", "mathd_algebra_109", "mathd_algebra_11",
    "mathd_algebra_110", "mathd_algebra_116", "mathd_algebra_119", "mathd_algebra_123", "mathd_algebra_126",
)
# The fixed policy of these tests: cheap decision procedures, deterministic order.
TACTICS = ["lia", "lra", "intros; lia", "intros; lra", "easy", "reflexivity"]


def coq_slice(root: Path, names: Sequence[str] = COQ_SLICE, split: str = "valid") -> Path:
    """A dataset folder holding `names` from miniF2F-rocq under `root/<split>`."""
    folder = root / split
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(ROCQ_VALID / f"{name}.v", folder / f"{name}.v")
    return root


def tactics_file(root: Path) -> Path:
    path = root / "tactics.json"
    path.write_text(json.dumps(TACTICS), encoding="utf-8")
    return path


def cli(*args: str) -> list[str]:
    """argv running the minif2f CLI in a fresh interpreter."""
    return [sys.executable, "-m", "benchmarks.cli", *args]
