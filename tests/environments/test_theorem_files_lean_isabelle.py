"""Holes in .lean and .thy files, rendering proofs, and writing them back."""

from __future__ import annotations

from pathlib import Path

from environments.theorem_files import fill_holes, find_holes, language, render_proof

LEAN = """import Mathlib

open Nat

/-- a doc comment that mentions theorem fake : False := by sorry -/
theorem done_already (n : ℕ) : n = n := by
  rfl

-- theorem commented (n : ℕ) : n = n := by sorry
theorem add_zero_example (n : Nat) :
    n + 0 = n := by sorry

lemma term_mode (p : Prop) (hp : p) : p := sorry

theorem tactic_block (a b : ℕ) (h : a = b) : b = a := by
  sorry
"""

THY = """theory Holes imports Main
begin

lemma proved: "x = x" by simp

theorem add_zero: "(n::nat) + 0 = n"
  sorry

lemma "True" (* a comment with sorry *)
  oops

theorem structured:
  fixes a b :: nat
  assumes h0: "a = b" (* by the way *)
  shows "b = a"
  using h0 sorry

end
"""


def test_lean_holes_and_statements(tmp_path):
    path = tmp_path / "Holes.lean"
    path.write_text(LEAN)
    holes = find_holes(path)
    assert [h.theorem.name for h in holes] == ["add_zero_example", "term_mode", "tactic_block"]
    first = holes[0].theorem
    assert first.system == "lean" and first.path == path
    assert first.statement == "theorem add_zero_example (n : Nat) :\n    n + 0 = n := by"
    assert first.context == LEAN[: LEAN.index("theorem add_zero_example")]
    assert LEAN[holes[0].start: holes[0].end] == " by sorry"
    assert LEAN[holes[2].start: holes[2].end] == " by\n  sorry"


def test_lean_render_and_fill(tmp_path):
    path = tmp_path / "Holes.lean"
    path.write_text(LEAN)
    holes = find_holes(path)
    assert render_proof("lean", ["simp", "have h : 1 = 1 := by\n  rfl"]) == " by\n  simp\n  have h : 1 = 1 := by\n    rfl"
    filled = fill_holes(LEAN, [(holes[0], ["simp"]), (holes[1], ["exact hp"])])
    assert "n + 0 = n := by\n  simp\n" in filled
    assert "(hp : p) : p := by\n  exact hp\n" in filled
    path.write_text(filled)
    assert [h.theorem.name for h in find_holes(path)] == ["tactic_block"]


def test_isabelle_holes_and_statements(tmp_path):
    path = tmp_path / "Holes.thy"
    path.write_text(THY)
    holes = find_holes(path)
    assert [h.theorem.name for h in holes] == ["add_zero", "unnamed_2"]
    first = holes[0].theorem
    assert first.system == "isabelle" and first.statement == 'theorem add_zero: "(n::nat) + 0 = n"'
    assert first.context == THY[: THY.index("theorem add_zero")]
    assert THY[holes[0].start: holes[0].end] == "sorry" and THY[holes[1].start: holes[1].end] == "oops"


def test_isabelle_render_and_fill(tmp_path):
    path = tmp_path / "Holes.thy"
    path.write_text(THY)
    holes = find_holes(path)
    assert render_proof("isabelle", ["apply (induct n)", "apply simp", "done"]) == \
        "apply (induct n)\n  apply simp\n  done"
    filled = fill_holes(THY, [(holes[0], ["by simp"])])
    assert 'theorem add_zero: "(n::nat) + 0 = n"\n  by simp\n' in filled
    path.write_text(filled)
    assert [h.theorem.name for h in find_holes(path)] == ["unnamed_2"]


def test_no_holes_in_proved_files(tmp_path):
    lean = tmp_path / "Done.lean"
    lean.write_text("theorem t : True := by\n  trivial\n")
    thy = Path(tmp_path / "Done.thy")
    thy.write_text('theory Done imports Main\nbegin\nlemma t: "True" by simp\nend\n')
    assert find_holes(lean) == [] and find_holes(thy) == []


def test_each_language_names_the_theorem_a_declaration_states():
    names = {system: language(system).declaration_name for system in ("coq", "lean", "isabelle")}
    assert names["coq"](" Theorem add_zero : forall n : nat, n + 0 = n.") == "add_zero"
    assert names["lean"]("theorem Nat.my_add (n : Nat) : n + 0 = n := by") == "Nat.my_add"
    assert names["isabelle"]('lemma foo_bar [simp]: "x = x"') == "foo_bar"
    assert names["isabelle"]('lemma "x = x"') is None
    assert names["coq"]("Definition x := 1.") is None and names["lean"]("def x := 1") is None
