"""Holes in Coq `.v` files, and Coq proof text.

A hole is a proof that ends in `Admitted.`, contains `admit.`/`give_up.`, or stops after
`Proof.` (at the end of the file or before the next declaration). Its theorem's context is
the file's text before the statement, with every earlier hole closed by `Admitted.` so the
context still compiles; its span runs from the proof's first sentence to its last, so that
replacing it with `render_proof(tactics)` gives a file that compiles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from environments.base import Theorem
from environments.coq_syntax import (DEFINITION_KEYWORD, PROOF_END, THEOREM_KEYWORD, Sentence, declaration_name,
                                     split_sentences)
from environments.guard import normalise_tactic
from environments.theorem_files import Hole

_STARTS_DECLARATION = re.compile(
    r"(?:#\[|(?:Local|Global|Program|Polymorphic)\s)|(?:" + THEOREM_KEYWORD + "|" + DEFINITION_KEYWORD
    + r"|Inductive|CoInductive|Record|Structure|Class|Instance|Axiom|Parameter|Variable|Hypothesis|Section"
    r"|End|Module|Require|Import|Export|From|Ltac|Notation|Open|Set|Unset|Hint|Goal)\b")
_GIVE_UP = re.compile(r"(?<![\w'.])(?:admit|give_up)(?![\w'])")
_PROOF_START = re.compile(r"Proof\b")


@dataclass(frozen=True)
class Proof:
    """A declaration and its proof sentences, as found in the file."""

    name: str
    statement: Sentence
    body: list[Sentence]  # from the first proof sentence to the last, terminator included
    hole: bool


def proofs(text: str) -> list[Proof]:
    sentences = split_sentences(text).sentences
    proofs: list[Proof] = []
    i = 0
    while i < len(sentences):
        name = declaration_name(sentences[i].text)
        if name is None:
            i += 1
            continue
        statement, body, i = sentences[i], [], i + 1
        while i < len(sentences):
            current = sentences[i].text
            if PROOF_END.match(current):
                body.append(sentences[i])
                i += 1
                break
            if _STARTS_DECLARATION.match(current) and not _PROOF_START.match(current):
                break
            body.append(sentences[i])
            i += 1
        ended = bool(body) and PROOF_END.match(body[-1].text) is not None
        hole = (not ended or body[-1].text.startswith("Admitted")
                or any(_GIVE_UP.search(s.text) for s in body))
        proofs.append(Proof(name, statement, body, hole))
    return proofs


def complete_proofs(text: str, path: Path | None = None) -> list[tuple[Theorem, list[str]]]:
    """Every finished proof (ending in `Qed.`/`Defined.`, no hole) in the Coq source `text`,
    as its theorem and the sentences between `Proof.` and the terminator."""
    found = []
    for proof in proofs(text):
        if proof.hole:
            continue
        tactics = [s.text for s in proof.body[:-1]]
        if tactics and _PROOF_START.match(tactics[0]):
            tactics = tactics[1:]
        theorem = Theorem(name=proof.name, system="coq", statement=proof.statement.text,
                          context=text[: proof.statement.start], path=path)
        found.append((theorem, tactics))
    return found


def with_contexts(text: str, path: Path | None = None) -> list[tuple[Proof, Theorem]]:
    """Every proof of the Coq source `text` with its theorem, whose context is the text before
    the statement with every earlier hole closed by `Admitted.` (so that it compiles)."""
    found: list[tuple[Proof, Theorem]] = []
    closed = text  # the text with earlier holes closed by Admitted., for the contexts
    shift = 0  # how far offsets in `closed` moved from offsets in `text`
    for proof in proofs(text):
        found.append((proof, Theorem(name=proof.name, system="coq", statement=proof.statement.text,
                                     context=closed[: proof.statement.start + shift], path=path)))
        if proof.hole:
            start, end = hole_span(proof)
            replacement = "Proof.\nAdmitted."
            closed = closed[: start + shift] + replacement + closed[end + shift:]
            shift += len(replacement) - (end - start)
    return found


def hole_span(proof: Proof) -> tuple[int, int]:
    """The span a proof's replacement goes in: its first sentence to its last; a statement
    with no proof at all gets its proof after the blank that follows it."""
    start = proof.body[0].start if proof.body else proof.statement.end + 1
    return start, proof.body[-1].end if proof.body else start


def find_holes(text: str, path: Path) -> list[Hole]:
    """Every unfinished proof in the Coq source `text` (read from `path`), in file order."""
    return [Hole(theorem, *hole_span(proof)) for proof, theorem in with_contexts(text, path) if proof.hole]


def render_proof(tactics: Sequence[str], opening: str = "Proof.") -> str:
    """A tactic script as a Coq proof: `opening` (`Proof.`), one indented tactic per line, `Qed.`"""
    lines = [opening] + [f"  {normalise_tactic(tactic)}" for tactic in tactics] + ["Qed."]
    return "\n".join(lines)
