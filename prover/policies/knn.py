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
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from environments.base import ProofState, Theorem, normalise_goals
from environments.coq_steps import CONTEXT_STEPS
from environments.coq_syntax import is_bullet
from prover.policies.candidates import prefixes_for, rank
from prover.policies.mixture import mix
from prover.retrieval import bm25_index, bm25_search, goal_features, load_index, save_index
from search.policy import Candidate

STEPS_FILE = "steps.jsonl"
BUILD_HINT = "python -m train.knn_index --out DIR"
FILE_INDEXES = 8  # contexts whose own-steps index a policy keeps (a search opens one theorem at a time per worker)


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


def policy_tactic(tactic: str) -> str:
    """A traced sentence as policies propose it: without its terminating `.` (the Coq
    backend adds it back), so it merges with the same tactic from automation or a model."""
    tactic = " ".join(tactic.split())
    return tactic[:-1] if tactic.endswith(".") and not tactic.endswith("..") else tactic


def indexable(steps: Iterable[Mapping[str, Any]], excluded: frozenset[str] = frozenset(),
              max_goal_chars: int = 4000) -> Iterator[tuple[str, Step]]:
    """(goals, step) for every step worth indexing: not of an excluded file, not a bullet
    or brace, goals not too long, each (goals, tactic) pair once."""
    seen: set[tuple[str, str]] = set()
    for step in steps:
        goals, tactic = step["goals_before"], policy_tactic(step["tactic"])
        if step["file"] in excluded or is_bullet(tactic) or not tactic or len(goals) > max_goal_chars:
            continue
        key = (normalise_goals(goals), tactic)
        if key not in seen:
            seen.add(key)
            yield goals, Step(tactic, step["file"], step["theorem"])


def _candidates(distribution: Mapping[str, float]) -> list[Candidate]:
    return [Candidate(math.log(p), t) for t, p in distribution.items()]


class KnnPolicy:
    """The tactics of each state's nearest indexed training states; with `file_weight` > 0,
    mixed with those of the nearest steps of the file's own earlier proofs (the steps the
    Coq backend recorded while loading the theorem's context), which get that share of the
    probability wherever they propose something."""

    def __init__(self, index: KnnIndex, neighbours: int = 64, temperature: float = 1.0,
                 file_weight: float = 0.0) -> None:
        if neighbours < 1 or not temperature > 0 or not 0 <= file_weight < 1:
            raise ValueError(f"knn needs neighbours >= 1, temperature > 0 and 0 <= file_weight < 1, "
                             f"got {neighbours}, {temperature}, {file_weight}")
        self.index, self.neighbours, self.temperature, self.file_weight = index, neighbours, temperature, file_weight
        self._file_indexes: OrderedDict[str, KnnIndex | None] = OrderedDict()  # context -> its steps' index

    def propose(self, states: Sequence[ProofState], k: int,
                prefixes: Sequence[str | None] | None = None) -> list[list[Candidate]]:
        heads = prefixes_for(states, prefixes)
        found = self.index.nearest([s.goals for s in states], self.neighbours)
        out = []
        for state, neighbours, head in zip(states, found, heads):
            proposed = _candidates(tactic_distribution(neighbours, self.temperature, head))
            own = self._file_index(state.theorem) if self.file_weight else None
            if own is not None:
                near = own.nearest([state.goals], self.neighbours)[0]
                mine = _candidates(tactic_distribution(near, self.temperature, head))
                if mine:
                    proposed = mix([(1 - self.file_weight, proposed), (self.file_weight, mine)], k, head)
            out.append(rank(proposed, k, head))
        return out

    def _file_index(self, theorem: Theorem) -> KnnIndex | None:
        """The index of the steps recorded in the theorem's context (None: there are none);
        the last `FILE_INDEXES` contexts' indexes are kept."""
        if theorem.context not in self._file_indexes:
            pairs = list(indexable(theorem.meta.get(CONTEXT_STEPS, ())))
            self._file_indexes[theorem.context] = KnnIndex([g for g, _ in pairs], [s for _, s in pairs]) if pairs else None
            if len(self._file_indexes) > FILE_INDEXES:
                self._file_indexes.popitem(last=False)
        self._file_indexes.move_to_end(theorem.context)
        return self._file_indexes[theorem.context]
