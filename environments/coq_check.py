"""The independent Coq proof checker: compile the file as a library, then ask a second file
which assumptions the theorem rests on, and reject cheats.

A proof is accepted only if every tactic passes the tactic guard (so none can close the proof
early, open a new statement or give a goal up), the file we compile splits into exactly the
sentences of the context, the original statement (one sentence declaring the theorem's name),
the rendered proof (opened by `Proof using Type.`) and one `End` per section or module the
context leaves open, `coqc` compiles it as the library `LlemmaCheck.LlemmaChecked`, and a
second file that only `Require`s that library prints the theorem's assumptions.

"Library axiom or the file's own" is decided by resolution, not by spelling: in the second
file nothing of the checked file is imported, so Coq prints every declaration of it (Admitted
lemmas, axioms in modules, `Declare Module` fields, anything `Load`ed, which is part of the
file) under a name that contains `LlemmaChecked`; such an assumption is rejected, as is anything
else assumed (unguarded fixpoints, non-positive types, type-in-type). What is left resolves to
a library the second file could load from Coq's own load path (a load path the checked file
adds does not carry over), and is allowed and reported (e.g.
`ClassicalDedekindReals.sig_forall_dec`).

Theorems inside sections and modules: the proof may use only the section variables its
statement mentions (`Proof using Type`), so the closed theorem is the statement generalised
over exactly those; a theorem inside a `Module Type` or a functor cannot be named from outside
and is rejected. Our report follows a random marker, so output the file prints cannot forge it.
"""

from __future__ import annotations

import secrets
import time
import tempfile
from pathlib import Path
from typing import Sequence

from environments.base import Theorem, Verdict
from environments.coq_syntax import open_blocks, split_sentences
from environments.guard import coq_tactic_problem
from environments.process import run_to_end
from environments.theorem_files.coq import declaration_name, render_proof

_ROOT = "LlemmaCheck"  # the logical name the checked file's folder is bound to
_LIBRARY = "LlemmaChecked"  # the checked file's module name; every name of the file's own contains it
_MEMORY_MB = 4096
_PROOF_OPENING = "Proof using Type."


def _closers(theorem: Theorem) -> str:
    """One `End` per section or module the context leaves open, innermost first."""
    return "\n".join(f"End {name}." for _, name in reversed(open_blocks(theorem.context)))


def render_source(theorem: Theorem, tactics: Sequence[str]) -> str:
    """The complete file the checker compiles as a library."""
    context = theorem.context.rstrip()
    head = f"{context}\n\n" if context else ""
    closers = _closers(theorem)
    tail = f"\n\n{closers}\n" if closers else "\n"
    return f"{head}{theorem.statement.strip()}\n{render_proof(tactics, _PROOF_OPENING)}{tail}"


def theorem_path(theorem: Theorem) -> str:
    """The theorem's full name once its file is compiled: sections do not qualify names."""
    modules = [name for kind, name in open_blocks(theorem.context) if kind != "Section"]
    return ".".join([_ROOT, _LIBRARY, *modules, theorem.name])


def _structure_problem(theorem: Theorem, tactics: Sequence[str], source: str) -> str | None:
    """Why `source` is not context + original statement + proof + closers, if it is not."""
    statement = split_sentences(theorem.statement)
    if len(statement.sentences) != 1 or statement.rest or declaration_name(statement.sentences[0].text) != theorem.name:
        return f"the statement is not one sentence declaring {theorem.name}"
    parts = (theorem.context, theorem.statement, render_proof(tactics, _PROOF_OPENING), _closers(theorem))
    expected = [s.text for part in parts for s in split_sentences(part).sentences]
    split = split_sentences(source)
    if split.rest or not split.balanced or [s.text for s in split.sentences] != expected:
        return "the proof changes the file's sentence structure"
    return None


def _assumptions(output: str, marker: str) -> tuple[list[str], list[str], list[str]] | None:
    """(library axioms, the file's own axioms, anything else assumed) from the report after
    `marker` in `output`, or None if it is absent."""
    answer = f"No object of basename {marker}"
    at = output.rfind(answer)
    if at < 0:
        return None
    library: list[str] = []
    local: list[str] = []
    unsafe: list[str] = []
    section = ""
    for line in output[at + len(answer):].strip().splitlines():
        if not line.strip() or line[0].isspace() or line == "Closed under the global context":
            continue  # blank, the continuation of an axiom's type, or nothing assumed
        if line.endswith(":") and " : " not in line:
            section = line
        else:
            name = line.split(" : ")[0].strip()
            if section != "Axioms:" or " " in name:  # "f is assumed to be guarded.", "t relies on ..."
                unsafe.append(f"{section} {line.strip()}".strip())
            elif {_ROOT, _LIBRARY} & set(name.split(".")):
                local.append(name)
            else:
                library.append(name)
    return library, local, unsafe


def _compile(folder: Path, name: str, source: str, coqc: str, timeout: float,
             flags: Sequence[str] = ()) -> tuple[int | None, str]:
    """coqc's exit status on `name`.v in `folder` (None on timeout) and its merged output;
    `flags` (a library's load path and options) come before our binding of `folder`."""
    (folder / f"{name}.v").write_text(source, encoding="utf-8")
    return run_to_end([coqc, "-q", *flags, "-Q", ".", _ROOT, f"{name}.v"], timeout=timeout, memory_mb=_MEMORY_MB,
                      cwd=folder)


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
    deadline = time.monotonic() + timeout
    flags = theorem.meta.get("coq_flags", ())
    marker = f"Llemma_{secrets.token_hex(8)}"
    query = f"Require {_ROOT}.{_LIBRARY}.\nLocate {marker}.\nPrint Assumptions {theorem_path(theorem)}.\n"
    with tempfile.TemporaryDirectory(prefix="coqcheck-") as tmp:
        status, output = _compile(Path(tmp), _LIBRARY, source, coqc, timeout, flags)
        if status == 0:
            status, output = _compile(Path(tmp), f"Query_{marker}", query, coqc,
                                      max(deadline - time.monotonic(), 1.0), flags)
            if status not in (0, None):
                return Verdict(False, f"the theorem cannot be named from outside its file (inside a Module Type "
                                      f"or a functor?): {output.strip()[-1000:]}", source)
    if status is None:
        return Verdict(False, f"coqc took longer than {timeout} s", source)
    if status != 0:
        return Verdict(False, f"coqc failed: {output.strip()[-2000:]}", source)
    report = _assumptions(output, marker)
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
