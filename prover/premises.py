"""Premise selection: the constants a Coq theorem may use and their ranking for a goal.

Owns `Premise` (a lemma's or definition's name and statement), `premises_of` (the
theorem and definition declarations of a Coq text, read with `environments.coq_syntax`'s
sentence splitter and `CONSTANT_DECLARATION`, no Coq run), `premises_at` (those of a file's
text before the theorem whose proof holds a cursor: nothing declared at or after it) and
`PremiseRanker` (BM25 over the statements' Coq tokens, queried with the goal's retrieval
features, both from `prover.retrieval`), with the two ways a prompt gets one: `ranker_for` a
theorem's context at search time and `FilePremises.ranker_at` a traced step's line in its source
file for training, which see the same premises (the declarations before the theorem's statement).
Declarations of imported libraries are not read yet.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
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


def declarations(text: str) -> list[tuple[int, Premise]]:
    """The theorem and definition declarations of the Coq source `text`, in file order, each
    with the offset its sentence starts at."""
    found = []
    for sentence in split_sentences(text).sentences:
        code = strip_comments(sentence.text).strip()
        declared = CONSTANT_DECLARATION.match(code)
        if declared is None:
            continue
        statement = " ".join(code[declared.end():].removesuffix(".").split())
        found.append((sentence.start, Premise(declared.group(1), statement.removeprefix(":").lstrip())))
    return found


def premises_of(text: str) -> list[Premise]:
    """The theorem and definition declarations of the Coq source `text`, in file order."""
    return [premise for _, premise in declarations(text)]


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


@lru_cache(maxsize=32)
def ranker_for(context: str) -> PremiseRanker:
    """The ranker over the premises of a theorem's `context`, kept for its other proof states."""
    return PremiseRanker(premises_of(context))


class FilePremises:
    """The declarations of one Coq source file, for the steps traced from it: the ranker over
    those before a step's theorem, kept while the steps of one theorem follow each other."""

    def __init__(self, text: str) -> None:
        self.declared = declarations(text)
        self.starts = [start for start, _ in self.declared]
        self.line_starts = [0] + [newline.end() for newline in re.finditer("\n", text)]
        self._ranker: tuple[int, PremiseRanker] | None = None

    def ranker_at(self, line: int, theorem: str) -> PremiseRanker:
        """The ranker for a step at (1-based) `line` of the proof of `theorem`: over the
        declarations before its statement, i.e. those that start before the line less the last
        one when it is named `theorem` (the statement itself; a theorem declared otherwise, an
        `Instance`, is not among them)."""
        count = bisect_left(self.starts, self.line_starts[min(line, len(self.line_starts)) - 1])
        if count and self.declared[count - 1][1].name == theorem:
            count -= 1
        if self._ranker is None or self._ranker[0] != count:
            self._ranker = (count, PremiseRanker([premise for _, premise in self.declared[:count]]))
        return self._ranker[1]
