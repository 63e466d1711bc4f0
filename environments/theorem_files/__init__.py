"""Theorem files: finding the holes (unfinished proofs) in `.v`, `.lean` and `.thy` files,
rendering a tactic script as proof text, and writing checked proofs back.

One module per language (`coq`, `lean`, `isabelle`), each exposing
`find_holes(text, path) -> list[Hole]`, `render_proof(tactics) -> str` and
`declaration_name(text) -> str | None` (the theorem a declaration names).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Sequence

from environments.base import Theorem

SUFFIXES: dict[str, str] = {".v": "coq", ".lean": "lean", ".thy": "isabelle"}


@dataclass(frozen=True)
class Hole:
    """An unfinished proof: the theorem to open, and the span of the file text
    (`start`..`end`, character offsets) that a rendered proof replaces."""

    theorem: Theorem
    start: int
    end: int


def language(system: str) -> ModuleType:
    return import_module(f"environments.theorem_files.{system}")


def system_of(path: Path) -> str:
    if path.suffix not in SUFFIXES:
        raise ValueError(f"{path}: not a theorem file (expected one of {', '.join(SUFFIXES)})")
    return SUFFIXES[path.suffix]


def find_holes(path: Path) -> list[Hole]:
    """Every hole of the theorem file at `path`, in file order."""
    path = Path(path)
    return language(system_of(path)).find_holes(path.read_text(encoding="utf-8"), path)


def render_proof(system: str, tactics: Sequence[str]) -> str:
    return language(system).render_proof(tactics)


def fill_holes(text: str, proofs: Sequence[tuple[Hole, Sequence[str]]]) -> str:
    """`text` with each hole's span replaced by its rendered proof."""
    for hole, tactics in sorted(proofs, key=lambda p: p[0].start, reverse=True):
        text = text[: hole.start] + render_proof(hole.theorem.system, tactics) + text[hole.end :]
    return text
