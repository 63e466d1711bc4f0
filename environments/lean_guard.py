"""The Lean 4 tactic guard: what a policy's output may be before it reaches Lean.

A tactic is one piece of tactic syntax (combinators such as `<;>`, `;`, `·` and nested
`by` blocks are part of it). Refused without asking Lean: empty text, anything that
closes a goal without proving it (`sorry`, `admit`, `stop`), anything that trusts the
compiler or the runtime instead of the kernel (`native_decide`, `ofReduceBool`,
`implemented_by`), and anything that can leave tactic mode or change how the file is
checked (commands such as `axiom`, `#eval`, `set_option`, `elab`, `run_tac`).
"""

from __future__ import annotations

import re
from typing import Sequence

# closes goals without a proof, or lets untrusted code decide the goal
_CHEATS = ("sorry", "admit", "stop", "native_decide", "ofReduceBool", "sorryAx", "implemented_by",
           "extern", "unsafe", "run_tac", "run_elab", "run_meta", "dbg_trace")
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
