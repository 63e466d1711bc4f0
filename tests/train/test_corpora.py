import gzip
import json

import pytest

from prover.prompts import get_format
from train.corpora import CorpusError, read_source


def _jsonl(path, records, compress=False):
    text = "".join(json.dumps(r) + "\n" for r in records)
    if compress:
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path


def test_algebraic_stack_jsonl_and_gz(tmp_path):
    records = [{"text": "theorem a : 1 = 1 := rfl", "meta": {"path": "A.lean"}},
               {"text": "lemma b: \"x = x\" by simp", "meta": {"path": "B.thy"}}]
    _jsonl(tmp_path / "lean.jsonl", records[:1])
    _jsonl(tmp_path / "isa.jsonl.gz", records[1:], compress=True)
    docs = list(read_source("algebraic_stack", tmp_path, "stack"))
    assert sorted(d.text for d in docs) == sorted(r["text"] for r in records)
    assert {d.meta["path"] for d in docs} == {"A.lean", "B.thy"}
    assert all(d.source == "stack" for d in docs)


def test_lean_proofsteps_are_rendered_in_the_proofstep_format(tmp_path):
    path = _jsonl(tmp_path / "steps.jsonl", [{"text": "[GOAL]n : ℕ\n⊢ n + 0 = n[PROOFSTEP]simp"}])
    (doc,) = read_source("lean_proofsteps", path, "lean")
    assert doc.text == get_format("proofstep").example("n : ℕ\n⊢ n + 0 = n", "simp")
    assert doc.text == "[GOAL]n : ℕ\n⊢ n + 0 = n[PROOFSTEP]simp\n"


def test_isabelle_proofsteps(tmp_path):
    text = '[STATEMENT]\nlemma "x + 0 = (x::nat)"\n[PROOF STATE]\nproof (prove)\ngoal: x + 0 = x\n[PROOF STEP]\nby simp'
    (doc,) = read_source("isabelle_proofsteps", _jsonl(tmp_path / "isa.jsonl", [{"text": text}]), "isa")
    fmt = get_format("isabelle-proofstep")
    assert doc.text == fmt.example("proof (prove)\ngoal: x + 0 = x", "by simp", 'lemma "x + 0 = (x::nat)"')


def test_leandojo_benchmark_json(tmp_path):
    theorems = [{"full_name": "Nat.add_zero'", "file_path": "Mathlib/X.lean", "traced_tactics": [
        {"tactic": "intro n", "annotated_tactic": ["intro n", []], "state_before": "⊢ ∀ n, n + 0 = n",
         "state_after": "n : ℕ\n⊢ n + 0 = n"},
        {"tactic": "rfl", "annotated_tactic": ["rfl", []], "state_before": "n : ℕ\n⊢ n + 0 = n",
         "state_after": "no goals"}]}]
    (tmp_path / "train.json").write_text(json.dumps(theorems))
    docs = list(read_source("leandojo", tmp_path, "dojo"))
    assert [d.text for d in docs] == ["[GOAL]⊢ ∀ n, n + 0 = n[PROOFSTEP]intro n\n", "[GOAL]n : ℕ\n⊢ n + 0 = n[PROOFSTEP]rfl\n"]
    assert [d.id for d in docs] == ["Nat.add_zero'#0", "Nat.add_zero'#1"]


def test_code_tree_skips_tests(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("def f():\n    return 1\n")
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "t.py").write_text("assert True\n")
    docs = list(read_source("code", tmp_path, "python"))
    assert [d.id for d in docs] == ["pkg/a.py"]


def test_malformed_inputs_are_reported(tmp_path):
    with pytest.raises(CorpusError, match="PROOFSTEP"):
        list(read_source("lean_proofsteps", _jsonl(tmp_path / "bad.jsonl", [{"text": "no markers"}]), "lean"))
    (tmp_path / "broken.jsonl").write_text("{not json\n")
    with pytest.raises(CorpusError, match="not JSON"):
        list(read_source("algebraic_stack", tmp_path / "broken.jsonl", "stack"))
    with pytest.raises(CorpusError, match="unknown corpus format"):
        read_source("nope", tmp_path, "x")
