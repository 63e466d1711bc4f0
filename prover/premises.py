"""Premise selection: the constants a Coq theorem may use and their ranking for a goal.

Owns `Premise` (a lemma's or definition's name and statement), `premises_of` (the
theorem and definition declarations of a Coq text, read with `environments.coq_syntax`'s
sentence splitter and `CONSTANT_DECLARATION`, no Coq run), `premises_at` (those of a file's
text before the theorem whose proof holds a cursor: nothing declared at or after it) and
`PremiseRanker` (BM25 over the statements' Coq tokens, queried with the goal's retrieval
features, both from `prover.retrieval`). Declarations of imported libraries are not read yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from environments.coq_syntax import CONSTANT_DECLARATION, split_sentences, strip_comments
from prover.cursor import locate
from prover.retrieval import bm25_index, bm25_search, coq_tokens, goal_features


@dataclass(frozen=True)
class Premise:
    """A constant a proof may use: its name and its statement (binders, type and, for a
    definition, body: the declaration's text after the name, whitespace collapsed)."""

    name: str
    statement: str


def premises_of(text: str) -> list[Premise]:
    """The theorem and definition declarations of the Coq source `text`, in file order."""
    found = []
    for sentence in split_sentences(text).sentences:
        code = strip_comments(sentence.text).strip()
        declared = CONSTANT_DECLARATION.match(code)
        if declared is None:
            continue
        statement = " ".join(code[declared.end():].removesuffix(".").split())
        found.append(Premise(declared.group(1), statement.removeprefix(":").lstrip()))
    return found


def premises_at(text: str, offset: int) -> list[Premise]:
    """The premises of a Coq file's `text` offered at character `offset` inside a proof: the
    declarations before that proof's theorem (prover.cursor.BadPosition outside a proof)."""
    return premises_of(locate(text, offset).theorem.context)


class PremiseRanker:
    """BM25 over premises' statements; `rank` gives the ones that share tokens with a goal."""

    def __init__(self, premises: Sequence[Premise]) -> None:
        self.premises = list(premises)
        self.bm25 = bm25_index([coq_tokens(p.statement) for p in self.premises]) if self.premises else None

    def rank(self, goal: str, k: int) -> list[tuple[float, Premise]]:
        """Up to `k` (score, premise) pairs for the goals text `goal`, best first; premises
        sharing no token with it are left out."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        if self.bm25 is None:
            return []
        [found] = bm25_search(self.bm25, [goal_features(goal)], k, len(self.premises))
        return [(score, self.premises[i]) for score, i in found]
