"""Best-first proof search over one Environment and one TacticPolicy.

The open state with the best path score is expanded next: the score is the sum of the
tactics' log-probabilities, or of their per-token log-probabilities when
`length_normalise` is on (Llemma's evaluation). States are shared by key, so a state
reached twice is expanded once. The search stops when the root is decided or a budget
(expansions, wall time) runs out; a proof is reported only after `env.check` accepted it.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

from environments.base import ContextError, Environment, Error, ErrorKind, Finished, GivenUp, OpenError, Progress, Theorem, Verdict
from search.policy import TacticPolicy
from search.tree import ErrorNode, FinishedNode, InternalNode, Node, SearchTree, Status


@dataclass(frozen=True)
class SearchConfig:
    """Budgets and scoring of one search. These defaults are the only ones: the Hydra
    config `search=default` is this dataclass (registered by `configs`), typed at composition."""

    samples_per_expansion: int = 16  # tactics asked of the policy per expanded state
    max_expansions: int = 24  # states expanded at most
    wall_time_s: float = 60.0  # per theorem, opening and checking included
    tactic_timeout_s: float = 5.0  # per tactic step
    length_normalise: bool = False  # score a tactic by log-prob per generated token
    check_invariants: bool = False  # verify the tree after each expansion (tests, debugging)

    def __post_init__(self) -> None:
        for name in ("samples_per_expansion", "max_expansions"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        for name in ("wall_time_s", "tactic_timeout_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name} must be a number > 0, got {value!r}")
        for name in ("length_normalise", "check_invariants"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class SearchResult:
    """What one search found, with its statistics; `proof` is set only for a checked proof."""

    theorem: Theorem
    status: str  # "proved" | "failed" (root failed or budget ran out) | "skipped" (did not open) | "error"
    proof: tuple[str, ...] | None = None
    verdict: Verdict | None = None
    message: str = ""
    expansions: int = 0
    nodes: int = 0
    errors: int = 0
    timeouts: int = 0
    tokens: int = 0  # generated tokens of the distinct candidates proposed
    policy_s: float = 0.0
    prover_s: float = 0.0
    search_s: float = 0.0  # our own code: wall time not spent in the policy or the prover
    wall_s: float = 0.0
    error_kinds: dict[str, int] = field(default_factory=dict)
    tree: SearchTree | None = field(default=None, compare=False, repr=False)

    @cached_property
    def graph(self) -> nx.DiGraph | None:
        """The search graph (`SearchTree.to_networkx`), built on first read."""
        return self.tree.to_networkx() if self.tree is not None else None

    def to_record(self) -> dict[str, Any]:
        """A JSON-able record (the graph is left out; see `search.tree.graph_to_json`)."""
        return {
            "theorem": self.theorem.name, "file": str(self.theorem.path) if self.theorem.path else None,
            "status": self.status, "proof": list(self.proof) if self.proof else None,
            "time_s": round(self.wall_s, 3), "expansions": self.expansions, "nodes": self.nodes,
            "errors": self.errors, "timeouts": self.timeouts, "tokens": self.tokens,
            "policy_s": round(self.policy_s, 4), "prover_s": round(self.prover_s, 4),
            "search_s": round(self.search_s, 4), "error_kinds": dict(self.error_kinds),
            "axioms": list(self.verdict.axioms) if self.verdict else [], "message": self.message,
        }


class _Search:
    """The mutable state of one search; lives for one call of best_first_search."""

    def __init__(self, env: Environment, policy: TacticPolicy, theorem: Theorem, config: SearchConfig) -> None:
        self.env, self.policy, self.theorem, self.config = env, policy, theorem, config
        self.start = time.perf_counter()
        self.deadline = self.start + config.wall_time_s
        self.policy_s = self.prover_s = 0.0
        self.tokens = self.expansions = 0
        self.error_kinds: Counter[str] = Counter()
        self.verdict: Verdict | None = None  # the accepted proof's verdict
        self.proof: tuple[str, ...] | None = None
        self.rejected: Verdict | None = None  # the last verdict that refused a proof
        self.queue: list[tuple[float, int, InternalNode]] = []
        self.counter = itertools.count()

    def prover(self, call, *args, **kwargs):
        t = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            self.prover_s += time.perf_counter() - t

    def push(self, node: InternalNode) -> None:
        heapq.heappush(self.queue, (-node.priority, next(self.counter), node))

    def run(self) -> SearchResult:
        try:
            root_state = self.prover(self.env.open, self.theorem)
        except OpenError as e:
            self.error_kinds["context" if isinstance(e, ContextError) else "open"] += 1
            return self.result("skipped", None, message=f"statement does not open: {e}")
        tree = SearchTree(root_state)
        self.push(tree.root)
        while tree.root.status is Status.OPEN and self.queue:
            if self.expansions >= self.config.max_expansions or time.perf_counter() >= self.deadline:
                break
            _, _, node = heapq.heappop(self.queue)
            if node.expanded:
                continue  # a stale entry: the node was pushed again with a better priority
            self.expand(tree, node)
            if self.config.check_invariants:
                tree.check_invariants()
        if tree.root.status is Status.OPEN:
            budget = "" if self.rejected else f"the budget ran out after {self.expansions} expansions"
            return self.result("failed", tree, message=budget)
        return self.result(tree.root.status.value, tree)

    def expand(self, tree: SearchTree, node: InternalNode) -> None:
        self.expansions += 1
        t = time.perf_counter()
        candidates = self.policy.propose([node.state], self.config.samples_per_expansion)[0]
        self.policy_s += time.perf_counter() - t
        self.tokens += sum(c.tokens for c in candidates)
        outcomes: list[tuple[str, float, Node]] = []
        fresh: list[InternalNode] = []
        for candidate in candidates:
            remaining = self.deadline - time.perf_counter()
            if remaining <= 0:
                break
            timeout = min(self.config.tactic_timeout_s, remaining)
            outcome = self.prover(self.env.step, node.state, candidate.tactic, timeout=timeout)
            per_token = self.config.length_normalise
            score = node.priority + (candidate.logprob / max(candidate.tokens, 1) if per_token else candidate.logprob)
            dst = self.destination(tree, node, outcome, score, fresh)
            outcomes.append((candidate.tactic, candidate.logprob, dst))
            if isinstance(dst, FinishedNode):
                break  # the root is proved now: every state holds all remaining goals
        tree.expand(node, outcomes)
        for child in fresh:
            self.push(child)

    def destination(self, tree: SearchTree, node: InternalNode, outcome, score: float,
                    fresh: list[InternalNode]) -> Node:
        if isinstance(outcome, Finished):
            return self.confirm(outcome.path)
        if isinstance(outcome, GivenUp):
            return self.failure("given_up", "the proof was closed by admitting it")
        if isinstance(outcome, Error):
            return self.failure(outcome.kind.value, outcome.message)
        assert isinstance(outcome, Progress), outcome
        child, new = tree.node_for(outcome.state, node, score)
        if not new and tree.creates_cycle(node, child):
            return self.failure("cycle", "the tactic leads back to an earlier state")
        if not child.expanded and child.priority == score:
            fresh.append(child)  # new, or reached by a better path: (re-)queue at its new priority
        return child

    def failure(self, kind: str, message: str) -> ErrorNode:
        self.error_kinds[kind] += 1
        return ErrorNode(kind, message)

    def confirm(self, proof: tuple[str, ...]) -> FinishedNode | ErrorNode:
        """Re-check the script the prover just finished; a proof the checker refuses is a
        failed tactic and the search goes on."""
        verdict = self.prover(self.env.check, self.theorem, proof)
        if not verdict.ok:
            self.rejected = verdict
            return self.failure("checker", verdict.reason)
        self.verdict, self.proof = verdict, proof
        return FinishedNode()

    def result(self, status: str, tree: SearchTree | None, message: str = "") -> SearchResult:
        if status == Status.PROVED.value:
            assert self.verdict is not None and self.verdict.ok, "a proved root always carries an accepted verdict"
        elif self.rejected is not None:
            message = message or f"checker rejected a proof: {self.rejected.reason}"
        wall = time.perf_counter() - self.start
        kinds = {k: v for k, v in self.error_kinds.items() if v}
        errors = sum(v for k, v in kinds.items() if k != "open")
        return SearchResult(
            theorem=self.theorem, status=status, proof=self.proof, verdict=self.verdict or self.rejected,
            message=message, expansions=self.expansions, nodes=len(tree.nodes) if tree else 0,
            errors=errors, timeouts=kinds.get(ErrorKind.TIMEOUT.value, 0), tokens=self.tokens,
            policy_s=self.policy_s, prover_s=self.prover_s, wall_s=wall, error_kinds=kinds, tree=tree,
            search_s=max(wall - self.policy_s - self.prover_s, 0.0))


def best_first_search(env: Environment, policy: TacticPolicy, theorem: Theorem, config: SearchConfig) -> SearchResult:
    """Search for a proof of `theorem`; status "proved" only with a proof `env.check` accepted."""
    return _Search(env, policy, theorem, config).run()
