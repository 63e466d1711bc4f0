"""miniF2F for Coq (miniF2F-rocq): one `.v` file per problem, the statement followed by an
unfinished proof. Statements written for Rocq 9 are read with Coq 8.16's spellings
(`From Stdlib Require` is `From Coq Require`; the complex power `x ^ n` of newer Coquelicot
releases, absent from the 8.16 one, is defined as they define it), and `elaborate` opens each
statement once so the ones that do not elaborate are reported with Coq's error instead of
being dropped."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from environments.base import Environment, OpenError, Theorem
from environments.theorem_files.coq import find_holes

# Rocq 9 library roots -> their Coq 8.16 name
_ROOTS = re.compile(r"\b(?:Stdlib|Corelib)(?=\s+Require\b|\.)")
_COQUELICOT = re.compile(r"^.*Require\s+(?:Import|Export)\s+Coquelicot\.Coquelicot\.[ \t]*$", re.M)
# Coquelicot >= 3.3 (what miniF2F-rocq was written against) defines the complex power so
CPOW = """
Fixpoint Cpow (x : C) (n : nat) : C :=
  match n with O => RtoC Coq.Reals.Rdefinitions.R1 | S m => Cmult x (Cpow x m) end.
Notation "x ^ n" := (Cpow x n) : C_scope.
"""


def coq816(text: str) -> str:
    """`text` spelled for Coq 8.16: Rocq 9 library paths renamed, and the newer Coquelicot's
    complex power defined after the Coquelicot import of a file that works in `C_scope`."""
    text = _ROOTS.sub("Coq", text)
    coquelicot = _COQUELICOT.search(text)
    if coquelicot and "C_scope" in text and "Cpow" not in text:
        text = text[: coquelicot.end()] + "\n" + CPOW + text[coquelicot.end():]
    return text


def load_rocq(split_dir: str | Path) -> list[Theorem]:
    """The problems in `split_dir` (one `.v` per problem, named after it), in name order;
    meta: split (the folder's name), problem (the file's stem)."""
    folder = Path(split_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a miniF2F-rocq split folder")
    theorems = []
    for path in sorted(folder.glob("*.v")):
        holes = find_holes(coq816(path.read_text(encoding="utf-8")), path)
        named = [hole for hole in holes if hole.theorem.name == path.stem] or holes[-1:]
        if not named:
            raise ValueError(f"{path}: no unfinished theorem in the file")
        theorems.append(replace(named[0].theorem, meta={"split": folder.name, "problem": path.stem}))
    return theorems


def elaborate(theorems: Iterable[Theorem], env: Environment) -> tuple[list[Theorem], dict[str, str]]:
    """(the theorems whose context and statement open in `env`, in the given order;
    {problem name: Coq's error} for the others, to report as skipped)."""
    from benchmarks.problems import problem_name

    theorems = list(theorems)
    failed: dict[str, str] = {}
    # theorems sharing a context are opened one after another, so the context loads once
    for theorem in sorted(theorems, key=lambda t: t.context):
        try:
            env.open(theorem)
        except OpenError as exc:
            failed[problem_name(theorem)] = str(exc)
    return [t for t in theorems if problem_name(t) not in failed], failed
