"""The Lean 4 and Isabelle miniF2F loaders and the informal attachment, on the shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.minif2f.informal import attach_informal
from benchmarks.minif2f.isabelle import load_isabelle
from benchmarks.minif2f.lean4 import load_lean4
from environments.base import Theorem

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "minif2f"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"miniF2F data not at {DATA}")


@pytest.mark.parametrize("load, root", [(load_lean4, DATA / "lean4"), (load_isabelle, DATA / "isabelle")])
def test_244_plus_244_with_informal_text_for_480(load, root):
    valid, test = load(root, "valid"), load(root, "test")
    assert (len(valid), len(test)) == (244, 244)
    assert {t.meta["split"] for t in valid} == {"valid"} and {t.meta["split"] for t in test} == {"test"}
    assert len({t.meta["problem"] for t in valid + test}) == 488
    informal = attach_informal(valid + test, DATA / "informal")
    assert sum(1 for t in informal if t.meta.get("informal_statement") and t.meta.get("informal_proof")) >= 480
    assert [t.name for t in informal] == [t.name for t in valid + test]


def test_lean4_problem_is_header_and_statement():
    theorem = next(t for t in load_lean4(DATA / "lean4", "valid") if t.meta["problem"] == "aime_1983_p9")
    assert theorem.system == "lean" and theorem.name == "aime_1983_p9"
    assert theorem.context == "import Mathlib\n\nset_option maxHeartbeats 0\n\nopen BigOperators Real Nat Topology Rat\n\n"
    assert theorem.statement.startswith("theorem aime_1983_p9 (x : ℝ)")
    assert theorem.statement.endswith("/ (x * Real.sin x) := by") and "sorry" not in theorem.statement
    assert theorem.meta["file"] == "MiniF2F/Valid/aime_1983_p9.lean" and theorem.meta["full_name"] == "aime_1983_p9"


def test_isabelle_human_proofs_are_stripped():
    theorems = load_isabelle(DATA / "isabelle", "valid")
    with_proof = next(t for t in theorems if t.meta["problem"] == "aime_1983_p9")
    assert with_proof.statement == ('theorem aime_1983_p9:\n  fixes x::real\n  assumes "0<x" "x<pi"\n'
                                    '  shows "12 \\<le> ((9 * (x^2 * (sin x)^2)) + 4) / (x * sin x)"')
    assert with_proof.context.rstrip().endswith("begin")
    # what followed each statement in its file: `sorry`, or the first word of a human proof
    following = [t.path.read_text().split(t.statement, 1)[1].split()[0]
                 for t in theorems + load_isabelle(DATA / "isabelle", "test")]
    assert sum(1 for word in following if word != "sorry") == 147
    for theorem in theorems:
        assert not any(word in theorem.statement.split() for word in ("proof", "by", "sorry", "qed"))


def test_informal_matches_names_case_insensitively(tmp_path):
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "numbertheory_notequiv.json").write_text(
        '{"problem_name": "numbertheory_notequiv", "informal_statement": "S", "informal_proof": "P"}')
    theorems = attach_informal(load_lean4(DATA / "lean4", "test")[:1], tmp_path)
    assert "informal_statement" not in theorems[0].meta
    named = Theorem("x", "lean", "theorem x : True := by", meta={"problem": "numbertheory_notEquiv"})
    assert attach_informal([named], tmp_path)[0].meta == {"problem": "numbertheory_notEquiv",
                                                         "informal_statement": "S", "informal_proof": "P"}


def test_bad_split_and_missing_folder_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown miniF2F split 'train'"):
        load_lean4(DATA / "lean4", "train")
    with pytest.raises(FileNotFoundError, match="not a miniF2F-isabelle split folder"):
        load_isabelle(tmp_path, "valid")
