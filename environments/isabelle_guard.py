"""The Isabelle step guard: what a policy's output may be before it reaches PISA.

A step is proof text (`by auto`, `apply simp`, `have "x > 0" by simp`, `sledgehammer`).
Refused: empty text, a step that closes a goal without proving it (`sorry`, `oops`,
unless allowed), and theory-level commands that leave the proof or trust code instead of
the kernel (`lemma`, `end`, `axiomatization`, `ML`, `oracle`, `declare`, ...). Words
inside strings, cartouches and comments are ignored.
"""

from __future__ import annotations

from typing import Sequence

from environments.theorem_files.isabelle import next_word

CHEATS = frozenset({"sorry", "oops"})
THEORY_COMMANDS = frozenset({
    "theorem", "lemma", "corollary", "proposition", "end", "theory", "axiomatization", "axioms", "oracle",
    "ML", "ML_val", "ML_command", "ML_file", "ML_prf", "setup", "local_setup", "declare", "definition", "fun",
    "function", "primrec", "datatype", "locale", "interpretation", "instantiation", "instance", "consts",
    "attribute_setup", "method_setup", "simproc_setup", "bundle", "notepad", "context", "begin", "imports",
    "typedecl", "type_synonym", "abbreviation", "notation", "syntax", "translations", "code_pred", "export_code",
    "value", "quickcheck_params", "nitpick_params",
})


def isabelle_step_problem(step: str, *, allow_sorry: bool = False) -> str | None:
    """Why `step` must not be sent to Isabelle, or None if it may be."""
    if not step.strip():
        return "empty step"
    i = 0
    while (word := next_word(step, i)) is not None:
        if word.group() in CHEATS and not allow_sorry:
            return f"refused: {word.group()!r} is not allowed in a proof step"
        if word.group() in THEORY_COMMANDS:
            return f"refused: {word.group()!r} is a theory command, not a proof step"
        i = word.end()
    return None


def isabelle_script_problem(steps: Sequence[str]) -> str | None:
    """Why a whole proof must be refused (its first refused step), or None."""
    return next((f"step {s!r}: {p}" for s in steps if (p := isabelle_step_problem(s)) is not None), None)


def cheat_word(text: str) -> str | None:
    """The first `sorry`/`oops` in `text` outside strings, cartouches and comments, or None."""
    i = 0
    while (word := next_word(text, i)) is not None:
        if word.group() in CHEATS:
            return word.group()
        i = word.end()
    return None
