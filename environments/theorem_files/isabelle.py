"""Isabelle theory files: a hole is a `theorem`/`lemma` whose whole proof is `sorry` or
`oops`. Also where a statement ends and its proof begins (`statement_end`), which the
miniF2F loader uses to strip human-written proofs.

The statement is the declaration from its keyword to the first proof command outside
strings, cartouches and comments; the context is the theory text before it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from environments.base import Theorem
from environments.theorem_files import Hole

DECLARATION = re.compile(r"^[ \t]*(?:theorem|lemma|corollary|proposition)\b[ \t]*(?:([\w'.]+)[ \t]*(?:\[[^\]\n]*\])?[ \t]*:)?",
                         re.MULTILINE)
# commands that can only start a proof, never continue a statement
PROOF_START = frozenset({"proof", "by", "apply", "using", "unfolding", "sorry", "oops", "including", "supply",
                         "subgoal", "nitpick", "sledgehammer", "defer", "prefer", "apply_end", "done"})
_SKIPPED = [  # (opening, closing) of text whose words are not commands
    ("(*", "*)"), ("\\<open>", "\\<close>"), ("‹", "›"), ('"', '"'), ("`", "`"),
]
_WORD = re.compile(r"[A-Za-z_][\w'.]*")


def declaration_name(text: str) -> str | None:
    """The name declared by a `theorem`/`lemma`/... at the start of `text`, or None (none or unnamed)."""
    found = DECLARATION.match(text.lstrip())
    return found.group(1) if found else None


def _skip(text: str, i: int) -> int:
    """The offset after the comment, string or cartouche starting at `i`, or `i` if none does."""
    for opening, closing in _SKIPPED:
        if text.startswith(opening, i):
            j, depth = i + len(opening), 1
            while j < len(text) and depth:
                if opening != closing and text.startswith(opening, j):
                    depth, j = depth + 1, j + len(opening)
                elif text.startswith(closing, j):
                    depth, j = depth - 1, j + len(closing)
                elif text[j] == "\\" and opening == '"':
                    j += 2  # an escaped character inside a string
                else:
                    j += 1
            return j
    return i


def next_word(text: str, i: int) -> re.Match[str] | None:
    """The first word at or after `i` outside strings, cartouches and comments."""
    while i < len(text):
        j = _skip(text, i)
        if j != i:
            i = j
            continue
        word = _WORD.match(text, i)
        if word:
            return word
        i += 1
    return None


def statement_end(text: str, start: int) -> int:
    """Where the proof of the declaration at `start` begins (its statement's end)."""
    i = DECLARATION.match(text, start).end()
    while (word := next_word(text, i)) is not None:
        if word.group() in PROOF_START:
            return len(text[: word.start()].rstrip())
        i = word.end()
    return len(text)


def find_holes(text: str, path: Path) -> list[Hole]:
    holes = []
    for number, decl in enumerate(DECLARATION.finditer(text)):
        end = statement_end(text, decl.start())
        proof = next_word(text, end)
        if proof is None or proof.group() not in ("sorry", "oops"):
            continue
        theorem = Theorem(name=decl.group(1) or f"unnamed_{number}", system="isabelle",
                          statement=text[decl.start(): end].strip("\n"), context=text[: decl.start()], path=path)
        holes.append(Hole(theorem, proof.start(), proof.end()))
    return holes


def render_proof(tactics: Sequence[str]) -> str:
    return "\n  ".join(line for tactic in tactics for line in tactic.splitlines())
