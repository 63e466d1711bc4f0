"""miniF2F for Isabelle: one theory per problem under `valid/` and `test/`. About 147
theories carry a human-written proof; only the statement is kept (the proof is cut where
it starts), so every problem is one Theorem to prove from scratch."""

from __future__ import annotations

from pathlib import Path

from environments.base import Theorem
from environments.theorem_files.isabelle import DECLARATION, statement_end

SPLITS = ("valid", "test")


def load_isabelle(root: str | Path, split: str) -> list[Theorem]:
    """The problems of `split` ("valid" or "test") of Isabelle miniF2F at `root`."""
    if split not in SPLITS:
        raise ValueError(f"unknown miniF2F split {split!r} (choose from {', '.join(SPLITS)})")
    folder = Path(root) / split
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a miniF2F-isabelle split folder")
    theorems = []
    for path in sorted(folder.glob("*.thy")):
        text = path.read_text(encoding="utf-8")
        declaration = DECLARATION.search(text)
        if declaration is None:
            raise ValueError(f"{path}: no theorem")
        statement = text[declaration.start(): statement_end(text, declaration.start())].strip("\n")
        theorems.append(Theorem(name=declaration.group(1) or path.stem, system="isabelle", statement=statement,
                                context=text[: declaration.start()], path=path,
                                meta={"split": split, "problem": path.stem}))
    return theorems
