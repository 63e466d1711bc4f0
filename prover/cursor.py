"""Where an editor's cursor sits in a Coq file: FILE:LINE[:COL] to the theorem whose proof
holds it (its context being the file's text before the statement, earlier holes closed) and
the proof sentences before the cursor, which replay the proof state there."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from environments.base import Theorem
from environments.coq_syntax import PROOF_END, in_comment
from environments.theorem_files.coq import with_contexts

_PROOF = re.compile(r"Proof\b")
_POSITION = re.compile(r"^(.+?):(\d+)(?::(\d+))?$")


class BadPosition(ValueError):
    """A cursor position that is not inside a proof of the file."""


@dataclass(frozen=True)
class Cursor:
    theorem: Theorem
    prefix: tuple[str, ...]  # the proof's sentences before the cursor (`Proof.` left out)


def parse_position(text: str) -> tuple[Path, int, int | None]:
    """FILE:LINE[:COL] (both 1-based) as its parts."""
    found = _POSITION.match(text)
    if found is None:
        raise BadPosition(f"{text!r}: expected FILE:LINE[:COL]")
    path, line, col = found.groups()
    return Path(path), int(line), int(col) if col else None


def offset_of(text: str, line: int, col: int | None = None) -> int:
    """The character offset of LINE:COL (1-based; no COL: the line's start) in `text`."""
    lines = text.split("\n")
    if line < 1 or line > len(lines):
        raise BadPosition(f"line {line} is past the end of the file ({len(lines)} lines)")
    col = col or 1
    if col < 1 or col > len(lines[line - 1]) + 1:
        raise BadPosition(f"column {col} is past the end of line {line} ({len(lines[line - 1])} characters)")
    return sum(len(prior) + 1 for prior in lines[: line - 1]) + col - 1


def locate(text: str, offset: int, path: Path | None = None) -> Cursor:
    """The proof that `offset` of the Coq source `text` sits in, and its sentences before it."""
    if not 0 <= offset <= len(text):
        raise BadPosition(f"offset {offset} is past the end of the file ({len(text)} characters)")
    if in_comment(text, offset):
        raise BadPosition("the cursor is inside a comment")
    for proof, theorem in with_contexts(text, path):
        ended = bool(proof.body) and PROOF_END.match(proof.body[-1].text) is not None
        body = proof.body[:-1] if ended else proof.body
        last = proof.body[-1].start if ended else (proof.body[-1].end if proof.body else proof.statement.end)
        if proof.statement.end <= offset <= last or (not ended and offset >= proof.statement.end
                                                      and not text[last:offset].strip()):
            before = [s.text for s in body if s.end <= offset]
            return Cursor(theorem, tuple(before[1:] if before and _PROOF.match(before[0]) else before))
    raise BadPosition("the cursor is not inside a proof")
