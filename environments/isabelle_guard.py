"""The Isabelle step guard: what a policy's output may be before it reaches PISA.

A step is proof text (`by auto`, `apply simp`, `have "x > 0" by simp`, `sledgehammer`).
Refused: empty text, a step that closes a goal without proving it (`sorry`, `oops`,
unless allowed), and theory-level commands that leave the proof or trust code instead of
the kernel (`lemma`, `end`, `axiomatization`, `ML`, `oracle`, `declare`, ...). Words
inside strings, cartouches and comments are ignored.

Also the context guard (`isabelle_context_problem`): what a client-sent theory text may hold
before a server's Isabelle runs it. The theory header may import session theories by name
only (`Complex_Main`, `"HOL-Library.Multiset"`: no paths); declarations, definitions and proofs
pass. Refused: every command that runs ML or reaches files (`ML`, `ML_file`, `ML_val`, `setup`,
`local_setup`, `declaration`, `*_setup`, the translation commands, `oracle`, `export_code`,
`code_printing`, `external_file`, `generate_file`, `export_files`, ...), the proof methods that
take ML (`tactic`, `raw_tactic`), and ML antiquotations (`@{...}`, control symbols other than
sub-/superscripts and bold). Sledgehammer, nitpick and quickcheck stay allowed as in steps.
"""

from __future__ import annotations

import re
from typing import Sequence

from environments.theorem_files.isabelle import next_word

CHEATS = frozenset({"sorry", "oops"})
# run ML or reach the file system (the last two are proof methods taking ML text)
CODE_COMMANDS = frozenset({
    "ML", "ML_val", "ML_command", "ML_file", "ML_prf", "ML_export", "ML_import", "ML_file_debug", "ML_file_no_debug",
    "SML_file", "SML_file_debug", "SML_file_no_debug", "SML_import", "SML_export", "setup", "local_setup",
    "declaration", "syntax_declaration", "attribute_setup", "method_setup", "simproc_setup", "oracle",
    "parse_translation", "print_translation", "typed_print_translation", "parse_ast_translation",
    "print_ast_translation", "export_code", "code_printing", "code_reflect", "code_reserved", "code_identifier",
    "code_module", "code_include", "code_const", "code_type", "code_class", "code_instance", "external_file",
    "generate_file", "export_generated_files", "compile_generated_files", "export_files", "bibtex_file",
    "document_files", "tactic", "raw_tactic", "use_thy",
})
THEORY_COMMANDS = CODE_COMMANDS | frozenset({
    "theorem", "lemma", "corollary", "proposition", "end", "theory", "axiomatization", "axioms",
    "declare", "definition", "fun",
    "function", "primrec", "datatype", "locale", "interpretation", "instantiation", "instance", "consts",
    "bundle", "notepad", "context", "begin", "imports",
    "typedecl", "type_synonym", "abbreviation", "notation", "syntax", "translations", "code_pred",
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


_HEADER = re.compile(r"\btheory\b(.*?)\bbegin\b", re.S)
_THEORY_NAME = re.compile(r'"?[A-Za-z][\w\'.-]*"?$')  # a (session-qualified) name, quoted or not
_CONTROL = re.compile(r"\\<\^(\w+)>")
_CONTROL_ALLOWED = frozenset({"sub", "sup", "bold", "isub", "isup", "bsub", "esub", "bsup", "esup"})


def isabelle_context_problem(text: str) -> str | None:
    """None if the theory text `text` may run in a server's Isabelle (no ML, no files, imports
    by name), else why not."""
    if "@{" in text:
        return "antiquotations ('@{') are not allowed in a context"
    if (bad := next((m.group(1) for m in _CONTROL.finditer(text) if m.group(1) not in _CONTROL_ALLOWED), None)):
        return f"control symbol '\\<^{bad}>' is not allowed in a context"
    i = 0
    while (word := next_word(text, i)) is not None:
        if word.group() in CODE_COMMANDS:
            return f"{word.group()!r} runs ML or reaches files and is not allowed in a context"
        i = word.end()
    if header := _HEADER.search(text):
        names = header.group(1).split()
        for name in names[names.index("imports") + 1:] if "imports" in names else ():
            if not _THEORY_NAME.match(name):
                return f"import {name!r} is not allowed in a context (session theories by name only)"
    return None
