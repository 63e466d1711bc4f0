"""The independent Coq proof checker: compile the whole file with `coqc` and reject cheats.

A proof is accepted only if every tactic passes the tactic guard (so none can close the proof
early, open a new statement or give a goal up), the file we compile splits into exactly the
sentences of the context, the original statement (one sentence declaring the theorem's name),
the rendered proof and our `Print Assumptions`, `coqc` compiles it within the time limit in a
fresh process group, and `Print Assumptions` lists no axiom declared in the file itself and
nothing else assumed (section variables, unguarded fixpoints, type-in-type). Library axioms (printed
qualified, e.g. `ClassicalDedekindReals.sig_forall_dec`) are allowed and reported.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Sequence

from environments.base import Theorem, Verdict
from environments.coq_syntax import split_sentences
from environments.guard import coq_tactic_problem
from environments.process import run_to_end
from environments.theorem_files.coq import declaration_name, render_proof

_MODULE = "Checked"
_MEMORY_MB = 4096
# printed just before our Print Assumptions report; a tactic printing it runs earlier, so the
# last occurrence is always ours
_MARKER = "__llemma_assumptions__"
_MARKER_ANSWER = f"No object of basename {_MARKER}"
_FILE_MODULE = re.compile(r"^\s*(?:Module(?:\s+Type)?|Section)\s+(?:(?:Import|Export)\s+)?([A-Za-z_][\w']*)", re.M)


def render_source(theorem: Theorem, tactics: Sequence[str]) -> str:
    """The complete file the checker compiles."""
    context = theorem.context.rstrip()
    head = f"{context}\n\n" if context else ""
    return f"{head}{theorem.statement.strip()}\n{render_proof(tactics)}\n\n{_report(theorem)}\n"


def _report(theorem: Theorem) -> str:
    return f"Locate {_MARKER}.\nPrint Assumptions {theorem.name}."


def _structure_problem(theorem: Theorem, tactics: Sequence[str], source: str) -> str | None:
    """Why `source` is not context + original statement + proof + Print Assumptions, if it is not."""
    statement = split_sentences(theorem.statement)
    if len(statement.sentences) != 1 or statement.rest or declaration_name(statement.sentences[0].text) != theorem.name:
        return f"the statement is not one sentence declaring {theorem.name}"
    expected = [s.text for part in (theorem.context, theorem.statement, render_proof(tactics), _report(theorem))
                for s in split_sentences(part).sentences]
    split = split_sentences(source)
    if split.rest or not split.balanced or [s.text for s in split.sentences] != expected:
        return "the proof changes the file's sentence structure"
    return None


def _assumptions(output: str, source: str) -> tuple[list[str], list[str], list[str]] | None:
    """(library axioms, axioms declared in the file, anything else assumed) from our
    Print Assumptions report in `output`, or None if it is absent."""
    at = output.rfind(_MARKER_ANSWER)
    if at < 0:
        return None
    report = output[at + len(_MARKER_ANSWER):].strip().splitlines()
    local_modules = set(_FILE_MODULE.findall(source))
    library: list[str] = []
    local: list[str] = []
    unsafe: list[str] = []
    section = ""
    for line in report:
        if not line.strip() or line[0].isspace() or line == "Closed under the global context":
            continue  # blank, the continuation of an axiom's type, or nothing assumed
        if line.endswith(":") and " : " not in line:
            section = line
        else:
            name = line.split(" : ")[0].strip()
            if section != "Axioms:" or " " in name:  # "f is assumed to be guarded.", "t relies on ..."
                unsafe.append(f"{section} {line.strip()}".strip())
            elif "." not in name or name.split(".")[0] in local_modules:
                local.append(name)
            else:
                library.append(name)
    return library, local, unsafe


def _compile(source: str, coqc: str, timeout: float, flags: Sequence[str] = ()) -> tuple[int | None, str]:
    """coqc's exit status (None on timeout) and its merged output."""
    with tempfile.TemporaryDirectory(prefix="coqcheck-") as tmp:
        (Path(tmp) / f"{_MODULE}.v").write_text(source, encoding="utf-8")
        return run_to_end([coqc, "-q", *flags, f"{_MODULE}.v"], timeout=timeout, memory_mb=_MEMORY_MB, cwd=tmp)


def check_coq(theorem: Theorem, tactics: Sequence[str], coqc: str = "coqc", timeout: float = 120.0) -> Verdict:
    """Compile `theorem` with the proof `tactics` in a fresh coqc and judge it."""
    source = render_source(theorem, tactics)
    for tactic in tactics:
        problem = coq_tactic_problem(tactic)
        if problem:
            return Verdict(False, f"tactic {tactic!r} rejected: {problem}", source)
    problem = _structure_problem(theorem, tactics, source)
    if problem:
        return Verdict(False, problem, source)
    status, output = _compile(source, coqc, timeout, theorem.meta.get("coq_flags", ()))
    if status is None:
        return Verdict(False, f"coqc took longer than {timeout} s", source)
    if status != 0:
        return Verdict(False, f"coqc failed: {output.strip()[-2000:]}", source)
    report = _assumptions(output, source)
    if report is None:
        return Verdict(False, f"no Print Assumptions report in coqc's output: {output[-500:]}", source)
    library, local, unsafe = report
    if local:
        return Verdict(False, f"the proof depends on axioms declared in the file: {', '.join(local)}",
                       source, tuple(library))
    if unsafe:
        return Verdict(False, f"the proof relies on unchecked assumptions: {'; '.join(unsafe)}",
                       source, tuple(library))
    return Verdict(True, "", source, tuple(library))
