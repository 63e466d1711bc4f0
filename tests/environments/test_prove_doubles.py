"""`prove` end to end through the doubles: holes in a .lean file proved through the fake Lean
REPL (and re-checked by the fake `lake env lean`), holes in a .thy file through the fake PISA
server; the checked proofs are written back into the files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from environments.theorem_files import find_holes
from prover.cli import main
from tests.doubles import fake_pisa_server

FAKE_REPL = Path(__file__).resolve().parents[1] / "doubles" / "fake_lean_repl.py"

LEAN = """import Mathlib

open Nat

theorem add_zero_example (n : Nat) : n + 0 = n := by sorry

theorem and_example (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
  sorry
"""

THY = """theory Demo imports Main
begin

theorem add_zero: "(n::nat) + 0 = n"
  sorry

end
"""


def _run(tmp_path: Path, source: Path, tactics: list[str], env: str, *overrides: str) -> list[dict]:
    tactics_file = tmp_path / "tactics.json"
    tactics_file.write_text(json.dumps(tactics))
    records = tmp_path / "records.json"
    code = main([str(source), "--env", env, "--tactics", str(tactics_file), "--workers", "1", "--budget", "8x20",
                 "--write", "--json", str(records), *overrides])
    assert code == 0
    return json.loads(records.read_text())


def test_prove_lean_file_through_the_fake_repl(tmp_path, no_leaked_provers):
    source = tmp_path / "Demo.lean"
    source.write_text(LEAN)
    python, fake = json.dumps(sys.executable), json.dumps(str(FAKE_REPL))
    records = _run(tmp_path, source, ["linarith", "constructor", "exact hp", "exact hq", "rfl"], "lean-repl",
                   f"env.repl_command=[{python},{fake}]", f'env.check_command=[{python},{fake},"--lean"]')
    assert [r["status"] for r in records] == ["proved", "proved"]
    written = source.read_text()
    assert "theorem add_zero_example (n : Nat) : n + 0 = n := by\n  rfl\n" in written
    assert "p ∧ q := by\n  constructor\n  exact hp\n  exact hq\n" in written
    assert (tmp_path / "Demo.lean.bak").read_text() == LEAN
    assert find_holes(source) == []


def test_prove_thy_file_through_the_fake_pisa_server(tmp_path):
    server, port, fake = fake_pisa_server.serve()
    try:
        source = tmp_path / "Demo.thy"
        source.write_text(THY)
        records = _run(tmp_path, source, ["by auto", "apply (induct n)", "apply simp", "done"], "isabelle",
                       f"env.address=127.0.0.1:{port}", "env.timeout=5")
    finally:
        fake_pisa_server.stop(server, fake)
    assert [r["status"] for r in records] == ["proved"]
    assert 'theorem add_zero: "(n::nat) + 0 = n"\n  apply (induct n)\n  apply simp\n  apply simp\n  done\n' \
        in source.read_text()
    assert find_holes(source) == []
    # the proof was re-checked in a second, fresh session before it was written
    assert sum(1 for line in fake.initialised if line.startswith("isabelle")) >= 2


@pytest.mark.parametrize("env", ["lean-repl", "isabelle"])
def test_prove_refuses_a_file_of_the_other_system(tmp_path, capsys, env):
    source = tmp_path / ("Demo.thy" if env == "lean-repl" else "Demo.lean")
    source.write_text(THY if env == "lean-repl" else LEAN)
    assert main([str(source), "--env", env]) == 2
    assert "cannot be proved with --env" in capsys.readouterr().err
