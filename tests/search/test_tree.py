"""The search tree on its own: status propagation through a DAG, proof extraction,
check_invariants catching an inconsistent graph."""

from __future__ import annotations

import pytest

from environments.base import ProofState, Theorem
from search.tree import ErrorNode, FinishedNode, SearchTree, Status

THEOREM = Theorem("t", "coq", "Lemma t : True.")


def state(goals: str) -> ProofState:
    return ProofState(goals, THEOREM)


def test_status_propagates_up_a_dag_once_decided():
    tree = SearchTree(state("R"))
    a, _ = tree.node_for(state("A"), tree.root, -0.1)
    b, _ = tree.node_for(state("B"), tree.root, -0.2)
    tree.expand(tree.root, [("ta", -0.1, a), ("tb", -0.2, b)])
    shared, new = tree.node_for(state("S"), a, -0.3)
    again, new_again = tree.node_for(state(" S "), b, -0.25)
    assert new and not new_again and again is shared and shared.priority == -0.25
    tree.expand(a, [("s1", -0.2, shared), ("x", -1.0, ErrorNode("tactic", "no"))])
    tree.expand(b, [("s2", -0.05, shared)])
    assert tree.root.status is Status.OPEN
    tree.expand(shared, [("fin", -0.1, FinishedNode())])
    assert (shared.status, a.status, b.status, tree.root.status) == (Status.PROVED,) * 4
    assert tree.proof() == ("ta", "s1", "fin")  # equal length: the likelier edge first
    tree.check_invariants()


def test_failed_when_every_child_failed():
    tree = SearchTree(state("R"))
    a, _ = tree.node_for(state("A"), tree.root, -0.1)
    tree.expand(tree.root, [("ta", -0.1, a), ("x", -0.5, ErrorNode("timeout", "Timeout!"))])
    assert tree.root.status is Status.OPEN
    tree.expand(a, [])
    assert a.status is Status.FAILED and tree.root.status is Status.FAILED
    assert tree.proof() is None
    with pytest.raises(ValueError, match="expanded twice"):
        tree.expand(a, [])
    tree.check_invariants()


def test_check_invariants_catches_inconsistencies():
    tree = SearchTree(state("R"))
    a, _ = tree.node_for(state("A"), tree.root, -0.1)
    tree.expand(tree.root, [("ta", -0.1, a)])
    a.status = Status.PROVED  # what the tree never does by itself
    with pytest.raises(AssertionError, match="stale status"):
        tree.check_invariants()
    a.status = Status.OPEN
    tree.expand(a, [("back", 0.0, tree.root)])  # a cycle the search would have refused
    with pytest.raises(AssertionError, match="cycle"):
        tree.check_invariants()
    assert tree.creates_cycle(a, tree.root)
