"""Holes in `.v` files: finding them with their contexts, and filling them so the file compiles."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from environments.theorem_files import fill_holes, find_holes, render_proof
from environments.theorem_files.coq import complete_proofs

SOURCE = """\
Require Import Arith.

(* a finished lemma stays in every later context *)
Lemma done_one : 1 = 1.
Proof. reflexivity. Qed.

Theorem admitted_one : forall n : nat, n + 0 = n.
Proof.
  intros n.
Admitted.

Lemma with_admit : 2 = 2 /\\ 3 = 3.
Proof.
  split.
  - admit.
  - reflexivity.
Qed.

Definition two := 2.

Lemma stops_before_next : two = 2.
Proof.

Theorem stops_at_end: 1 + 1 = two.
Proof.
"""

PROOFS = {
    "admitted_one": ["intros n", "lia"],
    "with_admit": ["split", "- reflexivity", "- reflexivity"],
    "stops_before_next": ["reflexivity"],
    "stops_at_end": ["unfold two", "reflexivity"],
}


def test_find_holes_with_contexts(tmp_path: Path):
    path = tmp_path / "Holes.v"
    path.write_text(SOURCE)
    holes = find_holes(path)
    assert [h.theorem.name for h in holes] == list(PROOFS)
    first, second, third, fourth = holes
    assert first.theorem.statement == "Theorem admitted_one : forall n : nat, n + 0 = n."
    assert first.theorem.context.startswith("Require Import Arith.") and "done_one" in first.theorem.context
    assert SOURCE[first.start:first.end] == "Proof.\n  intros n.\nAdmitted."
    assert "admitted_one" in second.theorem.context and "Proof.\nAdmitted." in second.theorem.context
    assert "intros n." not in second.theorem.context  # the earlier hole is closed, not half-proved
    assert "Definition two := 2." in third.theorem.context
    assert fourth.theorem.statement == "Theorem stops_at_end: 1 + 1 = two."
    assert fourth.theorem.context.count("Admitted.") == 3
    assert all(h.theorem.system == "coq" and h.theorem.path == path for h in holes)


def test_render_proof():
    assert render_proof("coq", ["intros n", "- auto."]) == "Proof.\n  intros n.\n  - auto.\nQed."


def test_complete_proofs_are_not_holes():
    assert [(t.name, tactics) for t, tactics in complete_proofs(SOURCE)] == [("done_one", ["reflexivity."])]


@pytest.mark.requires_coq
def test_filled_file_compiles_and_contexts_compile(tmp_path: Path):
    path = tmp_path / "Holes.v"
    path.write_text(SOURCE.replace("Require Import Arith.", "Require Import Arith Lia."))
    holes = find_holes(path)
    filled = fill_holes(path.read_text(), [(h, PROOFS[h.theorem.name]) for h in holes])
    assert find_holes_in_text(filled, tmp_path) == []
    (tmp_path / "Filled.v").write_text(filled)
    result = subprocess.run(["coqc", "-q", "Filled.v"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    (tmp_path / "Context.v").write_text(holes[-1].theorem.context)
    result = subprocess.run(["coqc", "-q", "Context.v"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def find_holes_in_text(text: str, directory: Path):
    path = directory / "Refound.v"
    path.write_text(text)
    return find_holes(path)
