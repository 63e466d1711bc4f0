"""The Isabelle proof checker: replay the whole theory, step by step, through a fresh PISA
session and accept only a proof whose every step Isabelle accepts, that leaves the theorem
finished before the theory's `end`, and that contains no
`sorry`/`oops` (nor does the theory text before it, whose unproved lemmas it could use).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Sequence

from environments.base import Theorem, Verdict
from environments.isabelle_guard import cheat_word, isabelle_script_problem
from environments.pisa_client import INITIAL_STATE, PisaClient, PisaFailure, is_error
from environments.theorem_files.isabelle import render_proof

_THEORY_NAME = re.compile(r"\btheory\s+([\w'.]+)")


def isabelle_source(theorem: Theorem, tactics: Sequence[str]) -> str:
    """The complete theory the checker replays: context, statement, proof, `end`."""
    return f"{theorem.context}{theorem.statement}\n  {render_proof(tactics)}\n\nend\n"


def theory_name(theorem: Theorem) -> str:
    found = _THEORY_NAME.search(theorem.context)
    return found.group(1) if found else (theorem.path.stem if theorem.path else theorem.name)


def check_isabelle(
    theorem: Theorem,
    tactics: Sequence[str],
    *,
    address: str,
    isabelle_path: str,
    working_directory: Path | None = None,
    timeout: float = 600.0,
) -> Verdict:
    """Verdict on `tactics` as a proof of `theorem`, replayed through a new PISA session."""
    source = isabelle_source(theorem, tactics)
    problem = isabelle_script_problem(tactics)
    if problem is not None:
        return Verdict(False, problem, source)
    cheat = cheat_word(theorem.context + theorem.statement)
    if cheat is not None:
        return Verdict(False, f"the theory before the proof uses {cheat!r}", source)
    client = PisaClient(address)
    # the theory file must carry the theory's name; PISA reads it from the shared file system
    with tempfile.TemporaryDirectory(prefix="isabelle-check-") as tmp:
        theory_file = Path(tmp) / f"{theory_name(theorem)}.thy"
        theory_file.write_text(source, encoding="utf-8")
        try:
            client.start(isabelle_path, working_directory or Path(tmp), theory_file, timeout)
            previous = INITIAL_STATE
            steps = client.parse(source, timeout)
            # the theory's final `end`: what matters is that the proof before it is finished
            for number, step in enumerate(steps[:-1] if steps[-1:] == ["end"] else steps):
                state = f"check_{number}"
                answer = client.apply(previous, step, state, timeout)
                if is_error(answer):
                    return Verdict(False, f"step {step!r} failed: {answer.strip()}", source)
                previous = state
            if not client.is_finished(previous, timeout):
                return Verdict(False, "the proof is not finished", source)
        except PisaFailure as exc:
            return Verdict(False, str(exc), source)
        finally:
            client.close()
    return Verdict(True, "", source)
