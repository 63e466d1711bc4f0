"""Nearest-neighbour tactic prediction (Tactician-style): an index over traced proof steps
(goals text -> tactic), searched with BM25 (`bm25s`) over Coq tokens (identifiers,
numbers, operator runs; brackets, commas, colons and the goal rule carry no evidence), and the policy that proposes the tactics of a state's nearest
training states.

Scores behave like log-probabilities: the BM25 scores `s` of the `neighbours` nearest steps
become weights `exp((s - max s) / temperature)`, normalised to sum to 1; a tactic's
probability is the sum of the weights of the neighbours that used it.

An index is a directory: the `bm25s` matrices, `steps.jsonl` (one `{tactic, file, theorem}`
per indexed step, in index order) and `meta.json` (how it was built). `train.knn_index`
builds one from traces.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import bm25s

from environments.base import ProofState
from prover.policies.candidates import prefixes_for, rank
from search.policy import Candidate

_TOKEN = re.compile(r"[A-Za-z_][\w'.]*[\w']|[A-Za-z_]|\d+|[^\w\s(),:]+")
_NOISE = re.compile(r"^\s*\d+ goals?\b|={4,}")  # the "N goals" header and the goal rule: in every state
STEPS_FILE, META_FILE = "steps.jsonl", "meta.json"


def goal_tokens(goals: str) -> list[str]:
    """The retrieval features of a goals text: its Coq tokens, the goal-count header dropped."""
    return _TOKEN.findall(_NOISE.sub(" ", goals))


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
        self.bm25 = bm25s.BM25()
        self.bm25.index([goal_tokens(g) for g in goals], show_progress=False)

    @classmethod
    def load(cls, path: str | Path) -> KnnIndex:
        path = Path(path)
        if not (path / STEPS_FILE).is_file():
            raise FileNotFoundError(f"no kNN index at {path} (build one: python -m train.knn_index --out {path})")
        index = cls.__new__(cls)
        index.bm25 = bm25s.BM25.load(str(path), show_progress=False)
        with (path / STEPS_FILE).open(encoding="utf-8") as fh:
            index.steps = [Step(**json.loads(line)) for line in fh]
        index.meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        return index

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(path), show_progress=False)
        with (path / STEPS_FILE).open("w", encoding="utf-8") as fh:
            for step in self.steps:
                fh.write(json.dumps(step.__dict__) + "\n")
        (path / META_FILE).write_text(json.dumps({**self.meta, "steps": len(self.steps)}, indent=1) + "\n")

    def nearest(self, goals: Sequence[str], n: int) -> list[list[tuple[float, Step]]]:
        """Up to `n` steps per goals text, most similar first; steps sharing no token are left out."""
        n = min(n, len(self.steps))
        ids, scores = self.bm25.retrieve([goal_tokens(g) for g in goals], k=n, show_progress=False, n_threads=1)
        return [[(float(s), self.steps[int(i)]) for i, s in zip(row_ids, row_scores) if s > 0]
                for row_ids, row_scores in zip(ids, scores)]


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
