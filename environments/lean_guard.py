"""The Lean 4 tactic guard: what a policy's output may be before it reaches Lean.

A tactic is one piece of tactic syntax (combinators such as `<;>`, `;`, `·` and nested
`by` blocks are part of it). Refused without asking Lean: empty text, anything that
closes a goal without proving it (`sorry`, `admit`, `stop`), anything that trusts the
compiler or the runtime instead of the kernel (`native_decide`, `ofReduceBool`,
`implemented_by`), and anything that can leave tactic mode or change how the file is
checked (commands such as `axiom`, `#eval`, `set_option`, `elab`, `run_tac`).

Also the context guard (`lean_context_problem`): what a client-sent Lean context may hold
before a server's Lean runs it. Declarations, proofs, `open`, `namespace`, `section`,
`variable`, `notation`/`syntax` and `#check`/`#print`/`#reduce`/`#synth` pass; refused is
everything that runs code the client wrote at elaboration time or trusts the compiler: any
other `#` command (`#eval`, `#exit`, `#guard`, ...), `run_cmd`/`run_elab`/`run_meta`/`run_tac`,
`by_elab`, `initialize`/`builtin_initialize`, `elab`/`elab_rules` and `macro`/`macro_rules` (a
macro can build a `#eval` command without spelling it), `simproc`s, `register_*`/`declare_*`
commands (but `declare_syntax_cat`), `unsafe`, `native_decide`, `ofReduceBool`, `dbg_trace`;
attributes outside a whitelist (`@[extern]`, `@[implemented_by]`, `@[init]`, `@[command_elab]`,
...), `set_option` outside a whitelist, and `import` of modules outside known libraries (Lean
imports are module names, never paths). Words count inside comments too when the text holds a
string (strings are not parsed: refusing more is the safe side).
"""

from __future__ import annotations

import re
from typing import Sequence

from environments.theorem_files.lean import mask_comments

# runs code the client wrote, or lets the compiler decide a goal
_CODE = ("native_decide", "ofReduceBool", "implemented_by", "extern", "unsafe", "run_tac", "run_elab", "run_meta",
         "dbg_trace")
# closes goals without a proof, or lets untrusted code decide the goal
_CHEATS = ("sorry", "admit", "stop", "sorryAx", *_CODE)
# commands and options that escape tactic mode or weaken checking
_COMMANDS = ("axiom", "theorem", "lemma", "def", "instance", "example", "abbrev", "opaque", "import",
             "set_option", "attribute", "macro", "macro_rules", "elab", "elab_rules", "syntax",
             "notation", "infix", "infixl", "infixr", "prefix", "postfix", "namespace", "section",
             "end", "mutual", "initialize", "builtin_initialize", "declare_syntax_cat")
_CHEAT_RE = re.compile(r"(?<![\w'])(" + "|".join(map(re.escape, _CHEATS)) + r")(?![\w'?!])")
_COMMAND_RE = re.compile(r"^(?:@\[|#\w|(?:" + "|".join(map(re.escape, _COMMANDS)) + r")(?![\w'?!.]))")


def lean_tactic_problem(tactic: str, *, allow_sorry: bool = False) -> str | None:
    """Why `tactic` must not be sent to Lean, or None if it may be."""
    if not tactic.strip():
        return "empty tactic"
    for match in _CHEAT_RE.finditer(tactic):
        if allow_sorry and match.group(1) == "sorry":
            continue
        return f"refused: {match.group(1)!r} is not allowed in a tactic"
    for line in tactic.splitlines():
        # a command can only start a line at column 0 (or the tactic itself)
        if line[:1].strip() and _COMMAND_RE.match(line):
            return f"refused: {line.split()[0]!r} is a command, not a tactic"
    if _COMMAND_RE.match(tactic.lstrip()):
        return f"refused: {tactic.split()[0]!r} is a command, not a tactic"
    return None


def lean_script_problem(tactics: Sequence[str]) -> str | None:
    """Why a whole proof script must be refused (its first refused tactic), or None."""
    return next((f"tactic {t!r}: {p}" for t in tactics if (p := lean_tactic_problem(t)) is not None), None)


# commands (beyond _CODE) that run the client's code while the context is elaborated
_CONTEXT_CODE = re.compile(r"(?<![\w'.])(" + "|".join(map(re.escape, (
    *_CODE, "run_cmd", "by_elab", "initialize", "builtin_initialize", "elab", "elab_rules", "macro", "macro_rules",
    "simproc", "dsimproc", "simproc_decl", "dsimproc_decl", "builtin_simproc", "builtin_dsimproc"))) +
    r"|register_\w+|declare_(?!syntax_cat(?![\w'!?]))\w+)(?![\w'!?])")
_HASH_COMMAND = re.compile(r"#(\w+)")
_HASH_ALLOWED = frozenset({"check", "print", "reduce", "synth"})
_ATTRIBUTES = re.compile(r"(?:@|(?<![\w'.])attribute\s*)\[")
_ATTRIBUTE_ALLOWED = frozenset({
    "simp", "reducible", "irreducible", "semireducible", "inline", "noinline", "specialize", "instance", "class",
    "ext", "simps", "norm_cast", "push_cast", "elab_as_elim", "match_pattern", "refl", "symm", "trans", "congr",
    "mono", "gcongr", "nolint", "to_additive", "coe", "default_instance", "inherit_doc", "deprecated", "pp_nodot",
    "aesop", "induction_eliminator", "cases_eliminator", "local", "scoped", "continuity", "measurability",
    "fun_prop", "field_simps", "grind", "csimp", "computed_field", "pp_dot",
})
_OPTION = re.compile(r"(?<![\w'.])set_option\s+([\w.]+)")
_OPTION_ALLOWED = re.compile(r"(?:maxHeartbeats|maxRecDepth|autoImplicit|relaxedAutoImplicit|synthInstance\.\w+"
                             r"|exponentiation\.threshold|(?:pp|linter|trace)\.[\w.]+)$")
_IMPORT = re.compile(r"(?<![\w'.])import\s+(\S+)")
_IMPORT_ROOTS = frozenset({"Mathlib", "Aesop", "Batteries", "Std", "Init", "Lean", "Qq", "ProofWidgets", "Plausible"})


def lean_context_problem(text: str) -> str | None:
    """None if the Lean context `text` may run in a server's Lean (no code of the client's runs,
    no module outside the known libraries is imported), else why not."""
    code = text if '"' in text else mask_comments(text)
    if found := _CONTEXT_CODE.search(code):
        return f"{found.group(1)!r} runs code and is not allowed in a context"
    for found in _HASH_COMMAND.finditer(code):
        if found.group(1) not in _HASH_ALLOWED:
            return f"'#{found.group(1)}' is not allowed in a context"
    for found in _ATTRIBUTES.finditer(code):
        end, depth = found.end(), 1
        while end < len(code) and depth:  # to the matching `]`
            depth += {"[": 1, "]": -1}.get(code[end], 0)
            end += 1
        for entry in code[found.end():end].split(","):
            words = re.findall(r"[\w.]+", entry)
            # the attribute's name, and any it applies in turn (`to_additive (attr := simp)`)
            names = [next((w for w in words if w not in ("local", "scoped")), ""),
                     *re.findall(r"attr\s*:=\s*([\w.]+)", entry)]
            if bad := next((n for n in names if n and n not in _ATTRIBUTE_ALLOWED), None):
                return f"attribute {bad!r} is not allowed in a context"
    for found in _OPTION.finditer(code):
        if not _OPTION_ALLOWED.match(found.group(1)):
            return f"option {found.group(1)!r} is not allowed in a context"
    for found in _IMPORT.finditer(code):
        if found.group(1).split(".")[0] not in _IMPORT_ROOTS:
            return f"import {found.group(1)!r} is not allowed in a context (only {', '.join(sorted(_IMPORT_ROOTS))})"
    return None
