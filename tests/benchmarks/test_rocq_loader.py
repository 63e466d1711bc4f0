"""The miniF2F-rocq loader: the shared valid split, Rocq 9 spellings, and statements that do
not elaborate reported with Coq's error."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.minif2f.rocq import coq816, elaborate, load_rocq
from environments.coq import CoqEnvironment

VALID = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "minif2f" / "rocq" / "valid"
needs_data = pytest.mark.skipif(not VALID.is_dir(), reason=f"{VALID} not present")


@needs_data
def test_valid_split_loads_with_meta():
    theorems = load_rocq(VALID)
    assert len(theorems) == 244
    assert len({t.name for t in theorems}) == 244
    for theorem in theorems:
        assert theorem.meta == {"split": "valid", "problem": theorem.name}
        assert theorem.statement.startswith("Theorem " + theorem.name)
        assert "Proof" not in theorem.statement and theorem.path.name == theorem.name + ".v"


def test_rocq9_spellings_are_mapped():
    text = "From Stdlib Require Import Arith.\nRequire Import Stdlib.Reals.Reals.\nCheck Stdlib_like.\n"
    assert coq816(text) == "From Coq Require Import Arith.\nRequire Import Coq.Reals.Reals.\nCheck Stdlib_like.\n"
    complex_power = coq816("Require Import Coquelicot.Coquelicot.\nOpen Scope C_scope.\n")
    assert "Notation \"x ^ n\" := (Cpow x n) : C_scope." in complex_power
    assert "Cpow" not in coq816("Require Import Coquelicot.Coquelicot.\nOpen Scope R_scope.\n")


@pytest.mark.requires_coq
def test_user_split_reports_the_ones_that_do_not_elaborate(tmp_path: Path, no_leaked_provers):
    split = tmp_path / "mine"
    split.mkdir()
    (split / "good_one.v").write_text("From Stdlib Require Import Arith.\n\nTheorem good_one : 1 + 1 = 2.\nProof.\n")
    (split / "bad_one.v").write_text("Require Import Arith.\n\nTheorem bad_one : no_such_function 1 = 2.\nProof.\nAdmitted.\n")
    theorems = load_rocq(split)
    assert [t.meta["split"] for t in theorems] == ["mine", "mine"]
    with CoqEnvironment() as env:
        opened, skipped = elaborate(theorems, env)
    assert [t.name for t in opened] == ["good_one"]
    assert list(skipped) == ["bad_one"] and "no_such_function" in skipped["bad_one"]


@needs_data
@pytest.mark.requires_coq
def test_at_least_240_of_244_valid_statements_open(no_leaked_provers):
    theorems = load_rocq(VALID)
    with CoqEnvironment() as env:
        opened, skipped = elaborate(theorems, env)
    assert len(opened) + len(skipped) == len(theorems)
    assert len(opened) >= 240, skipped
