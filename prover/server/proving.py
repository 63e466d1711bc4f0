"""/prove's work: turn a request into a Theorem, run best-first search on a pooled
environment (`search.pool.WorkerPool`, one prover per search slot, a request going to the
prover that last loaded its context) under the request's budget (capped by the server's limits), and report a proof
only when the independent checker accepted it, else the deepest path the search reached."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from contextlib import contextmanager
from typing import Any, Iterator, Mapping

import networkx as nx

from configs import env_options
from environments import SYSTEMS, Theorem, make_environment
from environments.theorem_files import language
from environments.vernac_guard import CONTEXT_GUARDS
from prover.server.schemas import Budget, ProveRequest, ProveResponse
from prover.server.settings import ProveLimits
from search.best_first import SearchConfig, best_first_search
from search.policy import TacticPolicy
from search.pool import GRACE_S, WorkerPool


def goal_statement(system: str, name: str, goal: str) -> str:
    """The declaration that states `goal` as theorem `name` in `system`."""
    if system == "coq":
        return f"Theorem {name} : {goal.strip().rstrip('.')}."
    if system == "lean":
        return f"theorem {name} : {goal.strip()} := by"
    return f'lemma {name}: "{goal.strip()}"'


def request_theorem(request: ProveRequest, system: str) -> Theorem:
    if request.theorem is not None:
        name = language(system).declaration_name(request.theorem) or request.name
        statement = request.theorem
    else:
        name, statement = request.name, goal_statement(system, request.name, request.goal or "")
    return Theorem(name=name, system=system, statement=statement, context=request.context)


def deepest_path(graph: nx.DiGraph | None) -> list[str]:
    """The tactics from the root to the deepest state the search reached (best priority
    among equally deep ones): the partial proof shown when no proof was found."""
    states = {n: d for n, d in (graph.nodes(data=True) if graph is not None else ()) if d.get("kind") == "state"}
    root = next((n for n, d in states.items() if d.get("root")), None)
    if root is None:
        return []
    target = max(states, key=lambda n: (states[n]["depth"], states[n]["priority"]))
    path = nx.shortest_path(graph, root, target)
    return [graph.edges[u, v]["tactic"] for u, v in itertools.pairwise(path)]


class ProverBusy(RuntimeError):
    """Every search slot is taken."""


class Prover:
    """Runs /prove searches with the server's policy in the configured environment."""

    def __init__(self, policy: TacticPolicy, env: Mapping[str, Any], search: Mapping[str, Any],
                 limits: ProveLimits, max_samples: int) -> None:
        self.policy = policy
        self.max_samples = max_samples
        self.env_name, self.env_options = env_options(env)
        self.system = SYSTEMS[self.env_name]
        self.defaults = SearchConfig(**search)
        self.limits = limits
        # each search holds a prover process: refuse a request beyond the slots rather than queue it
        self._slots = threading.BoundedSemaphore(limits.max_concurrent)
        self.pool = WorkerPool(lambda: make_environment(self.env_name, **self.env_options), limits.max_concurrent,
                               "prove")

    def input_problem(self, request: ProveRequest) -> str | None:
        """Why the request's context and statement must not reach a prover (the vernacular
        guard: no file system, plugins or load paths), or None."""
        guard = CONTEXT_GUARDS.get(self.system)
        theorem = request_theorem(request, self.system)
        return guard(f"{theorem.context}\n{theorem.statement}") if guard else None

    def config(self, budget: Budget) -> SearchConfig:
        """The server's search defaults with `budget`, capped by its limits."""
        return dataclasses.replace(
            self.defaults,
            max_expansions=min(budget.max_expansions or self.defaults.max_expansions, self.limits.max_expansions),
            wall_time_s=min(budget.wall_time_s or self.defaults.wall_time_s, self.limits.max_wall_time_s),
            samples_per_expansion=min(budget.samples_per_expansion or self.defaults.samples_per_expansion,
                                      self.max_samples),
        )

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One of the search slots, held for the block; ProverBusy when all are taken."""
        if not self._slots.acquire(blocking=False):
            raise ProverBusy(f"all {self.limits.max_concurrent} search slots are busy; retry later")
        try:
            yield
        finally:
            self._slots.release()

    def prove(self, request: ProveRequest) -> ProveResponse:
        theorem = request_theorem(request, self.system)
        config = self.config(request.budget)
        with self.slot():
            result = self.pool.submit(lambda env: best_first_search(env, self.policy, theorem, config),
                                      key=theorem.context, deadline_s=config.wall_time_s + GRACE_S).result()
        checked = result.verdict is not None and result.verdict.ok
        return ProveResponse(
            status=result.status, proof=list(result.proof) if checked and result.proof is not None else None,
            checked=checked, source=result.verdict.source if result.verdict is not None else None,
            partial=[] if checked else deepest_path(result.graph), message=result.message,
            expansions=result.expansions, wall_s=result.wall_s, search=result.to_record())
