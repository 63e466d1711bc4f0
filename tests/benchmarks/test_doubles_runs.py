"""Lean 4 and Isabelle runs through the same runner code path as Coq, against the
protocol-faithful doubles (tests/doubles/): the fake Lean REPL and the fake PISA server,
each on a 3-problem slice laid out like the shared data; plus Draft-Sketch-Prove on
Isabelle, whose holes go through PISA's Sledgehammer."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.cli import main
from benchmarks.results import read_records
from tests.doubles import fake_pisa_server

FAKE_REPL = Path(__file__).resolve().parents[1] / "doubles" / "fake_lean_repl.py"
LEAN_HEADER = "import Mathlib\n\nopen Nat\n\n"
LEAN = {
    "add_zero_example": "theorem add_zero_example (n : Nat) : n + 0 = n := by\n  sorry\n",
    "and_example": "theorem and_example (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry\n",
    "hard_example": "theorem hard_example (n : Nat) : n * 0 = 0 := by\n  sorry\n",
}
THY = {
    "add_zero": 'theorem add_zero: "(n::nat) + 0 = n"\n  sorry',
    "square_nonneg": 'theorem square_nonneg: "0 \\<le> (x::real)^2"\n  sorry',
    "unknown_fact": 'theorem unknown_fact: "(1::nat) = 1"\n  sorry',
}


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)


def _tactics(tmp_path: Path, tactics: list[str]) -> str:
    path = tmp_path / "tactics.json"
    path.write_text(json.dumps(tactics))
    return str(path)


def test_lean4_slice_through_the_fake_repl(tmp_path, no_leaked_provers):
    data = tmp_path / "lean4"
    _write(data / "MiniF2F" / "Valid", {f"{n}.lean": LEAN_HEADER + t for n, t in LEAN.items()})
    python, fake = json.dumps(sys.executable), json.dumps(str(FAKE_REPL))
    assert main(["run", "--system", "lean", "--data", str(data), "--policy", "fixed",
                 "--tactics", _tactics(tmp_path, ["linarith", "rfl", "constructor", "exact hp", "exact hq"]),
                 "--budget", "1x5x6", "--wall-time", "30", "--workers", "1", "--no-progress",
                 "--out", str(tmp_path / "out"), f"env.repl_command=[{python},{fake}]",
                 f'env.check_command=[{python},{fake},"--lean"]']) == 0
    records = {r["name"]: r for r in read_records(tmp_path / "out")}
    assert {n: r["status"] for n, r in records.items()} == {
        "add_zero_example": "proved", "and_example": "proved", "hard_example": "skipped"}
    assert records["add_zero_example"]["proof"].split()[-1] == "rfl"
    assert "theorem add_zero_example (n : Nat) : n + 0 = n := by" in records["add_zero_example"]["source"]
    assert records["and_example"]["expansions"] >= 3 and records["and_example"]["error_kinds"]


def _isabelle_run(tmp_path: Path, *args: str) -> dict[str, dict]:
    data = tmp_path / "isabelle"
    _write(data / "valid", {f"{n}.thy": f"theory {n} imports Main\nbegin\n\n{t}\n\nend\n" for n, t in THY.items()})
    server, port, fake = fake_pisa_server.serve()
    try:
        assert main(["run", "--system", "isabelle", "--data", str(data), "--wall-time", "30", "--workers", "1",
                     "--no-progress", "--out", str(tmp_path / "out"), f"env.address=127.0.0.1:{port}",
                     "env.timeout=5", *args]) == 0
    finally:
        fake_pisa_server.stop(server, fake)
    return {r["name"]: r for r in read_records(tmp_path / "out")}


def test_isabelle_slice_through_the_fake_pisa_server(tmp_path):
    records = _isabelle_run(tmp_path, "--policy", "fixed", "--budget", "1x5x6", "--tactics",
                            _tactics(tmp_path, ["by auto", "apply (induct n)", "apply simp", "done", "by simp"]))
    assert {n: r["status"] for n, r in records.items()} == {
        "add_zero": "proved", "square_nonneg": "failed", "unknown_fact": "skipped"}
    assert "Undefined fact" in records["unknown_fact"]["message"]
    assert 'theorem add_zero: "(n::nat) + 0 = n"' in records["add_zero"]["source"]


def test_isabelle_draft_sketch_prove_closes_holes_with_sledgehammer(tmp_path):
    sketches = tmp_path / "sketches.json"
    sketches.write_text(json.dumps({"add_zero": ["apply (induct n)\n  apply simp\n  apply simp\n  done"],
                                    "square_nonneg": ["sledgehammer"]}))
    records = _isabelle_run(tmp_path, "--mode", "i2f", "--policy", "fixed", "--budget", "1x1x1",
                            f"benchmark.dsp.sketches_file={sketches}", "benchmark.dsp.skeleton=false",
                            "benchmark.informal=" + str(tmp_path / "no_informal"))
    assert records["add_zero"]["status"] == "proved" and records["add_zero"]["sketch_origin"] == "model"
    assert records["square_nonneg"]["status"] == "proved" and records["square_nonneg"]["holes"] == 1
    assert records["unknown_fact"]["status"] == "skipped"
