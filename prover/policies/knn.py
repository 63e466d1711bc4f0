"""Nearest-neighbour tactic prediction (Tactician-style): an index over traced proof steps
(goals text -> tactic), searched with BM25 (`bm25s`) over the goals' retrieval features
(`prover.retrieval.goal_features`: Coq tokens, the conclusion weighted up, repeated
hypothesis tokens capped), and the policy that proposes the tactics of a state's nearest
training states.

Scores behave like log-probabilities: the BM25 scores `s` of the `neighbours` nearest steps
become weights `exp((s - max s) / temperature)`, normalised to sum to 1; a tactic's
probability is the sum of the weights of the neighbours that used it.

An index is a directory: the `bm25s` matrices, `steps.jsonl` (one `{tactic, file, theorem}`
per indexed step, in index order) and `meta.json` (how it was built, with which features:
an index built with other features is refused, not searched with mismatched queries). `train.knn_index`
builds one from traces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from environments.base import ProofState
from prover.policies.candidates import prefixes_for, rank
from prover.retrieval import bm25_index, bm25_search, goal_features, load_index, save_index
from search.policy import Candidate

STEPS_FILE = "steps.jsonl"
BUILD_HINT = "python -m train.knn_index --out DIR"


@dataclass(frozen=True)
class Step:
    """One indexed training step: the tactic that was run and where it comes from."""

    tactic: str
    file: str
    theorem: str


class KnnIndex:
    """BM25 over the goals of training steps; `nearest` returns (score, step) pairs."""

    def __init__(self, goals: Sequence[str], steps: Sequence[Step], meta: Mapping[str, Any] | None = None) -> None:
        if len(goals) != len(steps):
            raise ValueError(f"{len(goals)} goals for {len(steps)} steps")
        if not steps:
            raise ValueError("a kNN index needs at least one step")
        self.steps, self.meta = list(steps), dict(meta or {})
        self.bm25 = bm25_index([goal_features(g) for g in goals])

    @classmethod
    def load(cls, path: str | Path) -> KnnIndex:
        index = cls.__new__(cls)
        index.bm25, records, index.meta = load_index(Path(path), STEPS_FILE, BUILD_HINT.replace("DIR", str(path)))
        index.steps = [Step(**record) for record in records]
        return index

    def save(self, path: str | Path) -> None:
        save_index(Path(path), self.bm25, STEPS_FILE, [step.__dict__ for step in self.steps], self.meta)

    def nearest(self, goals: Sequence[str], n: int) -> list[list[tuple[float, Step]]]:
        """Up to `n` steps per goals text, most similar first; steps sharing no token are left out."""
        found = bm25_search(self.bm25, [goal_features(g) for g in goals], n, len(self.steps))
        return [[(score, self.steps[i]) for score, i in row] for row in found]


def tactic_distribution(neighbours: Iterable[tuple[float, Step]], temperature: float,
                        prefix: str = "") -> dict[str, float]:
    """Tactic -> probability: softmax of the neighbours' scores, summed per tactic, over
    the tactics that start with `prefix` (renormalised to them). A tactic whose mass
    underflows to 0 (a score far below the best one, as long goals give) is left out, so every
    probability has a logarithm."""
    matching = [(score, step.tactic) for score, step in neighbours if step.tactic.startswith(prefix)]
    if not matching:
        return {}
    top = max(score for score, _ in matching)
    mass: dict[str, float] = {}
    for score, tactic in matching:
        mass[tactic] = mass.get(tactic, 0.0) + math.exp((score - top) / temperature)
    total = sum(mass.values())
    return {tactic: m / total for tactic, m in mass.items() if m > 0}


class KnnPolicy:
    """The tactics of each state's nearest indexed training states."""

    def __init__(self, index: KnnIndex, neighbours: int = 64, temperature: float = 1.0) -> None:
        if neighbours < 1 or not temperature > 0:
            raise ValueError(f"knn needs neighbours >= 1 and temperature > 0, got {neighbours}, {temperature}")
        self.index, self.neighbours, self.temperature = index, neighbours, temperature

    def propose(self, states: Sequence[ProofState], k: int,
                prefixes: Sequence[str | None] | None = None) -> list[list[Candidate]]:
        heads = prefixes_for(states, prefixes)
        found = self.index.nearest([s.goals for s in states], self.neighbours)
        out = []
        for neighbours, head in zip(found, heads):
            dist = tactic_distribution(neighbours, self.temperature, head)
            out.append(rank((Candidate(math.log(p), t) for t, p in dist.items()), k, head))
        return out
