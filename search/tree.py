"""The search graph: proof-state nodes de-duplicated by their key (so the graph is a DAG),
terminal nodes for finished proofs and failed tactics, status propagation
(PROVED / FAILED / OPEN), proof extraction, and export to networkx / JSON.

Every state carries all of its remaining goals, so a node is PROVED as soon as any one
child is PROVED, and FAILED once it was expanded and every child is FAILED. The tree only
records what the search tells it; statuses are never set from outside.
"""

from __future__ import annotations

import heapq
import json
import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import networkx as nx

from environments.base import ProofState


class Status(str, Enum):
    PROVED = "proved"
    FAILED = "failed"
    OPEN = "open"


@dataclass(eq=False)
class FinishedNode:
    """The end of a complete proof."""

    status: Status = Status.PROVED


@dataclass(eq=False)
class ErrorNode:
    """A tactic that went nowhere: the prover's error, a timeout, a cheat, a cycle."""

    kind: str
    message: str
    status: Status = Status.FAILED


@dataclass(eq=False)
class Edge:
    tactic: str
    logprob: float
    src: InternalNode
    dst: InternalNode | FinishedNode | ErrorNode


@dataclass(eq=False)
class InternalNode:
    """A proof state; equal keys are the same node."""

    state: ProofState
    priority: float  # best cumulative score of a path from the root seen so far
    depth: int
    status: Status = Status.OPEN
    expanded: bool = False
    children: list[Edge] = field(default_factory=list)
    parents: list[Edge] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.state.key

    def _computed_status(self) -> Status:
        statuses = {edge.dst.status for edge in self.children}
        if Status.PROVED in statuses:
            return Status.PROVED
        if self.expanded and statuses <= {Status.FAILED}:
            return Status.FAILED
        return Status.OPEN


Node = InternalNode | FinishedNode | ErrorNode


class SearchTree:
    """The nodes of one search, keyed by state key, rooted at the opened state."""

    def __init__(self, root: ProofState) -> None:
        self.root = InternalNode(root, priority=0.0, depth=0)
        self.nodes: dict[str, InternalNode] = {self.root.key: self.root}
        self.terminals: list[FinishedNode | ErrorNode] = []

    def node_for(self, state: ProofState, parent: InternalNode, score: float) -> tuple[InternalNode, bool]:
        """The node of `state` reached from `parent` with path score `score`, and
        whether it is new. A state seen before keeps its node; its priority improves
        when this path is better."""
        node = self.nodes.get(state.key)
        if node is None:
            node = InternalNode(state, priority=score, depth=parent.depth + 1)
            self.nodes[state.key] = node
            return node, True
        node.priority = max(node.priority, score)
        return node, False

    def creates_cycle(self, parent: InternalNode, child: InternalNode) -> bool:
        """Whether an edge parent -> child closes a cycle (child is parent or an ancestor)."""
        seen: set[int] = set()
        stack = [parent]
        while stack:
            node = stack.pop()
            if node is child:
                return True
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.extend(edge.src for edge in node.parents)
        return False

    def expand(self, node: InternalNode, outcomes: list[tuple[str, float, Node]]) -> None:
        """Record `node`'s expansion: (tactic, logprob, destination) per tried tactic.
        Destinations that are internal nodes come from `node_for`."""
        if node.expanded:
            raise ValueError(f"node expanded twice: {node.key!r}")
        node.expanded = True
        for tactic, logprob, dst in outcomes:
            edge = Edge(tactic, logprob, node, dst)
            node.children.append(edge)
            if isinstance(dst, InternalNode):
                dst.parents.append(edge)
            else:
                self.terminals.append(dst)
        self._propagate(node)

    def _propagate(self, node: InternalNode) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            status = current._computed_status()
            if status is not current.status:
                current.status = status
                stack.extend(edge.src for edge in current.parents)

    def proof(self) -> tuple[str, ...] | None:
        """The shortest tactic script along PROVED edges from the root, or None."""
        if self.root.status is not Status.PROVED:
            return None
        distance = self._distances_to_finish()
        script: list[str] = []
        node: InternalNode = self.root
        while True:
            edge = min((e for e in node.children if e.dst.status is Status.PROVED),
                       key=lambda e: (0 if isinstance(e.dst, FinishedNode) else distance[id(e.dst)], -e.logprob))
            script.append(edge.tactic)
            if isinstance(edge.dst, FinishedNode):
                return tuple(script)
            node = edge.dst

    def _distances_to_finish(self) -> dict[int, float]:
        """Tactics still needed from each proved node, by a reverse Dijkstra from the finished edges."""
        distance: dict[int, float] = {}
        heap: list[tuple[float, int, InternalNode]] = []
        for node in self.nodes.values():
            if any(isinstance(e.dst, FinishedNode) for e in node.children):
                heapq.heappush(heap, (1.0, id(node), node))
        while heap:
            d, _, node = heapq.heappop(heap)
            if id(node) in distance:
                continue
            distance[id(node)] = d
            for edge in node.parents:
                if id(edge.src) not in distance:
                    heapq.heappush(heap, (d + 1.0, id(edge.src), edge.src))
        return distance

    def check_invariants(self) -> None:
        """Raise AssertionError if the graph is inconsistent (for tests and debugging)."""
        for key, node in self.nodes.items():
            assert key == node.key, f"node filed under the wrong key: {key!r}"
            assert node.status is node._computed_status(), f"stale status on {key!r}"
            assert node.expanded or not node.children, f"unexpanded node has children: {key!r}"
            for edge in node.children:
                assert edge.src is node
                if isinstance(edge.dst, InternalNode):
                    assert self.nodes.get(edge.dst.key) is edge.dst, "child not registered"
                    assert edge in edge.dst.parents, "child does not know its parent"
            for edge in node.parents:
                assert edge in edge.src.children, "parent does not know its child"
        assert nx.is_directed_acyclic_graph(self.to_networkx()), "search graph has a cycle"
        if self.root.status is Status.PROVED:
            assert self.proof(), "root proved but no proof extractable"

    def to_networkx(self) -> nx.DiGraph:
        """The graph with node attributes (kind, goals, status, priority, expanded) and edge
        attributes (tactic, logprob); internal nodes are named `s<i>`, terminals `t<i>`."""
        graph = nx.DiGraph()
        names: dict[int, str] = {}
        for i, node in enumerate(self.nodes.values()):
            names[id(node)] = f"s{i}"
            graph.add_node(f"s{i}", kind="state", goals=node.state.goals, status=node.status.value,
                           priority=node.priority, depth=node.depth, expanded=node.expanded,
                           root=node is self.root)
        for i, terminal in enumerate(self.terminals):
            names[id(terminal)] = f"t{i}"
            attrs: dict[str, Any] = {"kind": "finished"} if isinstance(terminal, FinishedNode) else {
                "kind": "error", "error_kind": terminal.kind, "message": terminal.message}
            graph.add_node(f"t{i}", status=terminal.status.value, **attrs)
        for node in self.nodes.values():
            for edge in node.children:
                graph.add_edge(names[id(node)], names[id(edge.dst)], tactic=edge.tactic,
                               logprob=edge.logprob if math.isfinite(edge.logprob) else None)
        return graph


def graph_to_json(graph: nx.DiGraph) -> str:
    """The graph as node-link JSON, for inspection."""
    return json.dumps(nx.node_link_data(graph, edges="edges"), ensure_ascii=False)
