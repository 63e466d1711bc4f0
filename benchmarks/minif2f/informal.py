"""Informal statements and proofs for miniF2F problems (`<informal>/<split>/<problem>.json`
with "informal_statement" and "informal_proof"), attached to theorems by problem name."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from environments.base import Theorem


def attach_informal(theorems: Sequence[Theorem], informal_dir: str | Path) -> list[Theorem]:
    """`theorems` with meta "informal_statement"/"informal_proof" added where the problem
    (meta "problem", else the theorem's name) has an informal entry; others unchanged."""
    # problem names differ in case between systems (numbertheory_notEquiv… / notequiv…)
    index = {path.stem.lower(): json.loads(path.read_text(encoding="utf-8"))
             for path in sorted(Path(informal_dir).glob("*/*.json"))}
    attached = []
    for theorem in theorems:
        entry = index.get(str(theorem.meta.get("problem", theorem.name)).lower())
        if entry is None:
            attached.append(theorem)
            continue
        extra = {key: entry[key] for key in ("informal_statement", "informal_proof") if entry.get(key)}
        attached.append(replace(theorem, meta={**theorem.meta, **extra}))
    return attached
