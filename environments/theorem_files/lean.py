"""Lean 4 theorem files: a hole is a `theorem`/`lemma` whose whole proof is `sorry`
(`:= by sorry`, `:= by\\n  sorry` or `:= sorry`).

The hole's span starts right after `:=`, so a rendered proof (` by` and the indented
tactics) serves term-mode and tactic-mode holes alike; the theorem's statement is the
declaration up to `:= by`, its context the file text before it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from environments.base import Theorem
from environments.theorem_files import Hole

_DECL = re.compile(r"^(?:@\[[^\]]*\]\s*)?(?:(?:private|protected|nonrec)\s+)*(?:theorem|lemma)\s+([^\s:({\[]+)",
                   re.MULTILINE)
_SORRY_PROOF = re.compile(r":=(\s*(?:by\s+)?sorry)\b")


def declaration_name(text: str) -> str | None:
    """The name declared by a `theorem`/`lemma` at the start of `text`, or None."""
    found = _DECL.match(text.lstrip())
    return found.group(1) if found else None


def mask_comments(text: str) -> str:
    """`text` with comments (`--` and nested `/- -/`) replaced by spaces, offsets unchanged."""
    out = list(text)
    i, depth, start = 0, 0, 0
    while i < len(text):
        if text.startswith("/-", i):
            if depth == 0:
                start = i
            depth, i = depth + 1, i + 2
        elif depth and text.startswith("-/", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                out[start:i] = re.sub(r"[^\n]", " ", text[start:i])
        elif not depth and text.startswith("--", i):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
        else:
            i += 1
    if depth:
        out[start:] = re.sub(r"[^\n]", " ", text[start:])
    return "".join(out)


def find_holes(text: str, path: Path) -> list[Hole]:
    masked = mask_comments(text)
    decls = list(_DECL.finditer(masked))
    holes = []
    for i, decl in enumerate(decls):
        end_of_decl = decls[i + 1].start() if i + 1 < len(decls) else len(masked)
        proof = _SORRY_PROOF.search(masked, decl.end(), end_of_decl)
        if proof is None:
            continue
        statement = text[decl.start(): proof.start()].rstrip() + " := by"
        theorem = Theorem(name=decl.group(1), system="lean", statement=statement, context=text[: decl.start()],
                          path=path)
        holes.append(Hole(theorem, proof.start(1), proof.end(1)))
    return holes


def proof_body(tactics: Sequence[str]) -> str:
    """The tactics as a tactic block, each line indented two spaces."""
    return "\n".join("  " + line if line.strip() else line for tactic in tactics for line in tactic.splitlines())


def render_proof(tactics: Sequence[str]) -> str:
    return " by\n" + proof_body(tactics)
