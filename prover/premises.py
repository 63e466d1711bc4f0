"""Premise selection: the constants a Coq theorem may use and their ranking for a goal.

Owns `Premise` (a lemma's or definition's name and statement), `premises_of` (the
theorem and definition declarations of a Coq text, read with `environments.coq_syntax`'s
sentence splitter and `CONSTANT_DECLARATION`, no Coq run), `premises_at` (those of a file's
text before the theorem whose proof holds a cursor: nothing declared at or after it),
`library_sources` (the library files a text's `Require Import`/`Export` sentences make visible:
those files, the ones they re-export, transitively, and the prelude, resolved on Coq's load path
by `environments.coq_modules`) and `PremiseRanker` (BM25 over the statements' Coq tokens, queried
with the goal's retrieval features, both from `prover.retrieval`), with the two ways a prompt gets
one: `ranker_for` a theorem's context at search time and `FilePremises.ranker_at` a traced step's
line in its source file for training, which see the same premises (the declarations before the
theorem's statement and those of the libraries imported before it). The libraries' declarations
are ranked in an index of their own, shared by every context that imports the same files, and
fused with the context's own by reciprocal rank (merging raw scores instead lowers held-out
recall@32 from 0.290 to 0.174, benchmarks/premise_recall.py); a name declared in both is offered
once, as the file's.
Declarations inside modules are offered by their short names; a library built with `-noinit`
(HoTT, UniMath) is still offered the prelude.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from environments.coq_modules import coq_root, logical_name, module_file
from environments.coq_syntax import CONSTANT_DECLARATION, REQUIRE_IMPORT, split_sentences, strip_comments
from prover.cursor import locate
from prover.retrieval import bm25_index, bm25_search, coq_tokens, goal_features, rank_fusion


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
        statement = statement if statement.startswith(":=") else statement.removeprefix(":").lstrip()
        found.append((sentence.start, Premise(declared.group(1), statement)))
    return found


def premises_of(text: str) -> list[Premise]:
    """The theorem and definition declarations of the Coq source `text`, in file order."""
    return [premise for _, premise in declarations(text)]


def premises_at(text: str, offset: int) -> list[Premise]:
    """The premises of a Coq file's `text` offered at character `offset` inside a proof: the
    declarations before that proof's theorem (prover.cursor.BadPosition outside a proof)."""
    return premises_of(locate(text, offset).theorem.context)


PRELUDE = "Coq.Init.Prelude"  # loaded into every file compiled without -noinit


def imports(text: str, near: str = "") -> list[tuple[int, Path, bool]]:
    """The sources the `Require Import`/`Export` sentences of the Coq `text` (the module `near`'s,
    "" for a theorem's file) load: (sentence offset, source, re-exported) in file order; a name
    Coq's load path does not hold is skipped."""
    found = []
    for sentence in split_sentences(text).sentences:
        required = REQUIRE_IMPORT.match(" ".join(strip_comments(sentence.text).split()))
        for name in required.group(3).split() if required else ():
            path = module_file(name, required.group(1), near)
            if path is not None:
                found.append((sentence.start, path, required.group(2) == "Export"))
    return found


@lru_cache(maxsize=4096)
def _source(path: Path) -> tuple[tuple[Premise, ...], tuple[Path, ...]]:
    """A library source's declarations and the sources it re-exports."""
    text = path.read_text(encoding="utf-8", errors="replace")
    exported = tuple(p for _, p, export in imports(text, logical_name(path, coq_root())) if export)
    return tuple(premises_of(text)), exported


def library_sources(imported: Iterable[Path], leave_out: frozenset[Path] = frozenset()) -> tuple[Path, ...]:
    """The prelude, the `imported` sources and, transitively, those they re-export, each once;
    `leave_out` and what only they re-export are not read."""
    prelude = module_file(PRELUDE)
    visible: dict[Path, None] = {}
    pending = [*reversed(list(imported)), *([prelude] if prelude else [])]
    while pending:
        path = pending.pop()
        if path not in visible and path not in leave_out:
            visible[path] = None
            pending.extend(reversed(_source(path)[1]))
    return tuple(visible)


class PremiseRanker:
    """BM25 over premises' statements; `rank` gives the ones that share tokens with a goal,
    fused with those of `library` (the imported libraries' ranker) by reciprocal rank: scores
    of two BM25 indexes are not comparable (a file's few declarations get low IDFs); the
    scores are then the fused ones."""

    def __init__(self, premises: Sequence[Premise], library: PremiseRanker | None = None) -> None:
        self.premises = list(premises)
        self.library = library
        self.bm25 = bm25_index([coq_tokens(p.statement) for p in self.premises]) if self.premises else None

    def rank(self, goal: str, k: int) -> list[tuple[float, Premise]]:
        """Up to `k` (score, premise) pairs for the goals text `goal`, best first; premises
        sharing no token with it are left out."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        found = []
        if self.bm25 is not None:
            [ranked] = bm25_search(self.bm25, [goal_features(goal)], k, len(self.premises))
            found = [(score, self.premises[i]) for score, i in ranked]
        if self.library is not None:  # reciprocal rank fusion; the file's own first on a tie
            own = {premise.name for _, premise in found}
            other = [(s, p) for s, p in self.library.rank(goal, k) if p.name not in own]
            found = rank_fusion([[premise for _, premise in ranked] for ranked in (found, other)])
        return found[:k]


@lru_cache(maxsize=32)
def library_ranker(sources: tuple[Path, ...]) -> PremiseRanker:
    """The ranker over the declarations of library `sources`, kept for every context importing them."""
    return PremiseRanker([premise for path in sources for premise in _source(path)[0]])


@lru_cache(maxsize=32)
def ranker_for(context: str) -> PremiseRanker:
    """The ranker over the premises of a theorem's Coq `context`: its declarations and its
    imported libraries', kept for its other proof states."""
    sources = library_sources(path for _, path, _ in imports(context))
    return PremiseRanker(premises_of(context), library_ranker(sources))


class FilePremises:
    """The declarations and imports of one Coq library source file (logical name `near`), for
    the steps traced from it: the ranker over those before a step's theorem, kept while the steps of one theorem
    follow each other; `leave_out` sources (the held-out files) are never read."""

    def __init__(self, text: str, near: str = "", leave_out: frozenset[Path] = frozenset()) -> None:
        self.declared = declarations(text)
        self.starts = [start for start, _ in self.declared]
        self.imported = imports(text, near)  # `near`: the file's logical name
        self.leave_out = leave_out
        self.line_starts = [0] + [newline.end() for newline in re.finditer("\n", text)]
        self._ranker: tuple[tuple[int, int], PremiseRanker] | None = None

    def ranker_at(self, line: int, theorem: str) -> PremiseRanker:
        """The ranker for a step at (1-based) `line` of the proof of `theorem`: over the
        declarations before its statement, i.e. those that start before the line less the last
        one when it is named `theorem` (the statement itself; a theorem declared otherwise, an
        `Instance`, is not among them), and the libraries imported before the line."""
        offset = self.line_starts[min(line, len(self.line_starts)) - 1]
        count = bisect_left(self.starts, offset)
        if count and self.declared[count - 1][1].name == theorem:
            count -= 1
        key = (count, sum(start < offset for start, _, _ in self.imported))
        if self._ranker is None or self._ranker[0] != key:
            sources = library_sources((path for _, path, _ in self.imported[:key[1]]), self.leave_out)
            local = [premise for _, premise in self.declared[:count]]
            self._ranker = (key, PremiseRanker(local, library_ranker(sources)))
        return self._ranker[1]
