"""The Lean 4 proof checker: compile the whole file with `lake env lean` in the Lake project,
in a fresh process, and accept only a proof that compiles without errors, contains no
cheat, declares no axiom, and whose `#print axioms` lists only Lean's three standard ones.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Sequence

from environments.base import ProverNotFound, Theorem, Verdict
from environments.lean_guard import lean_script_problem
from environments.process import run_to_end
from environments.theorem_files.lean import proof_body

ALLOWED_AXIOMS = frozenset({"propext", "Classical.choice", "Quot.sound"})
_AXIOM_DECL = re.compile(r"^\s*(?:private\s+|protected\s+)?axiom\s", re.MULTILINE)
_ERROR_LINE = re.compile(r"^.*?:\d+:\d+: error:.*$", re.MULTILINE)


def lean_source(theorem: Theorem, tactics: Sequence[str]) -> str:
    """The complete file the checker compiles: header, statement, proof, `#print axioms`."""
    statement = theorem.statement.rstrip()
    if not statement.endswith("by"):
        statement += " by"
    return f"{theorem.context}{statement}\n{proof_body(tactics)}\n\n#print axioms {theorem.name}\n"


def axioms_used(output: str, name: str) -> tuple[str, ...] | None:
    """The axioms `#print axioms name` reported in compiler `output`, or None if it printed nothing."""
    if re.search(rf"'{re.escape(name)}' does not depend on any axioms", output):
        return ()
    found = re.search(rf"'{re.escape(name)}' depends on axioms: \[(.*?)\]", output, re.DOTALL)
    if found is None:
        return None
    return tuple(a.strip() for a in found.group(1).split(",") if a.strip())


def check_lean(theorem: Theorem, tactics: Sequence[str], *, project: Path | None,
               command: Sequence[str] = ("lake", "env", "lean"), timeout: float = 900.0,
               memory_mb: int | None = None) -> Verdict:
    """Verdict on `tactics` as a proof of `theorem`, compiled by `command FILE` in `project`."""
    source = lean_source(theorem, tactics)
    problem = lean_script_problem(tactics)
    if problem is not None:
        return Verdict(False, problem, source)
    if _AXIOM_DECL.search(source):
        return Verdict(False, "the file declares an axiom", source)
    with tempfile.TemporaryDirectory(prefix="lean-check-") as tmp:
        path = Path(tmp) / "Check.lean"
        path.write_text(source, encoding="utf-8")
        try:
            status, output = run_to_end([*command, str(path)], timeout=timeout, memory_mb=memory_mb, cwd=project)
        except ProverNotFound as exc:
            return Verdict(False, str(exc), source)
    if status is None:
        return Verdict(False, f"the checker ran past {timeout:g} s", source)
    errors = _ERROR_LINE.findall(output)
    if errors or status != 0:
        return Verdict(False, "does not compile: " + ("\n".join(errors) or output[-2000:]), source)
    axioms = axioms_used(output, theorem.name)
    if axioms is None:
        return Verdict(False, f"no `#print axioms {theorem.name}` output from the checker", source)
    extra = sorted(set(axioms) - ALLOWED_AXIOMS)
    if extra:
        return Verdict(False, f"depends on disallowed axioms: {', '.join(extra)}", source, axioms)
    return Verdict(True, "", source, axioms)
