"""miniF2F for Lean 4: one file per problem under `MiniF2F/Valid` and `MiniF2F/Test` of the
miniF2F-lean4 project (header: imports, options, opens; then the statement, proved by
`sorry`). Each problem is one Theorem whose context is its file's header; its meta also
names the file and full name, so LeanDojo can open it in the traced project."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from environments.base import Theorem
from environments.theorem_files.lean import find_holes

SPLITS = {"valid": "Valid", "test": "Test"}


def load_lean4(root: str | Path, split: str) -> list[Theorem]:
    """The problems of `split` ("valid" or "test") of the Lean 4 miniF2F project at `root`."""
    if split not in SPLITS:
        raise ValueError(f"unknown miniF2F split {split!r} (choose from {', '.join(SPLITS)})")
    folder = Path(root) / "MiniF2F" / SPLITS[split]
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a miniF2F-lean4 split folder")
    theorems = []
    for path in sorted(folder.glob("*.lean")):
        holes = find_holes(path.read_text(encoding="utf-8"), path)
        if len(holes) != 1:
            raise ValueError(f"{path}: expected one theorem proved by sorry, found {len(holes)}")
        # file and full name: what LeanDojo needs, with env.repo set to the project
        meta = {"split": split, "problem": path.stem, "file": str(path.relative_to(Path(root))),
                "full_name": holes[0].theorem.name}
        theorems.append(replace(holes[0].theorem, meta=meta))
    return theorems
