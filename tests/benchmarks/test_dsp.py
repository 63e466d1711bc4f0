"""Draft-Sketch-Prove: sketch parsing, the hand-written Coq few-shot examples (each sketch,
its holes closed by automation, is a proof the real checker accepts), the i2f run with its
exclusions, and sketches written by a real (tiny) Hugging Face model."""

from __future__ import annotations

import json

import pytest

from benchmarks.cli import main
from benchmarks.problems import with_preamble
from benchmarks.minif2f.rocq import load_rocq
from benchmarks.results import read_records
from configs import compose_config
from environments import make_environment
from prover.dsp.examples import EXAMPLES_DIR, example_problems, examples_for
from prover.dsp.holes import HoleCloser
from prover.dsp.pipeline import DraftSketchProve
from prover.dsp.prompts import dsp_prompt
from prover.dsp.sketches import HOLE, parse_sketch
from prover.dsp.writers import FixedSketchWriter, HFSketchWriter
from prover.policies.hf import HFPolicy
from prover.sampling import SamplingParams
from tests.benchmarks.slices import ROCQ_VALID, coq_slice
from tests.prover.tiny_model import save_tiny_llama

COQ_EXAMPLES = sorted(p.stem for p in (EXAMPLES_DIR / "coq").glob("*.json"))


def test_coq_sketch_steps_and_holes():
    text = "intros x h.\n(* the square is nonnegative *)\nassert (h0 : 0 <= x^2).\n{ admit. }\nadmit.\nQed.\nLemma junk."
    assert parse_sketch("coq", text) == ["intros x h.", "assert (h0 : 0 <= x^2).", "{", HOLE, "}", HOLE]
    assert parse_sketch("coq", "Proof.\nlia.\n\n\n\nTheorem next: True.") == ["lia."]


def test_isabelle_sketch_steps_and_holes():
    text = ('proof -\n  (* 3b^2 + 2b - 56 = 0 *)\n  have "0 = 3 * b^2 + 2 * b - 56" using h1 sledgehammer\n'
            "  then show ?thesis sledgehammer\nqed\n\nend")
    assert parse_sketch("isabelle", text) == [
        "proof -", 'have "0 = 3 * b^2 + 2 * b - 56" using h1', HOLE, "then show ?thesis", HOLE, "qed"]


def test_examples_and_the_dsp_problems_are_excluded_from_i2f():
    bench = compose_config("minif2f", ["benchmark.mode=i2f"]).benchmark
    names = example_problems(bench)
    assert set(COQ_EXAMPLES) <= names and len(COQ_EXAMPLES) == 5
    assert {"mathd_numbertheory_188", "aimeI_2000_p7", "numbertheory_sqmod3in01d"} <= names  # DSP paper prompts
    prompt = dsp_prompt(examples_for(bench)[:2], load_rocq(ROCQ_VALID)[0])
    assert prompt.count("Informal:\n(*### Problem") == 3 and prompt.endswith("Proof.\n")
    assert "admit." in prompt and "Qed." in prompt


@pytest.mark.requires_coq
def test_each_coq_example_sketch_is_a_proof_once_its_holes_are_closed(tmp_path, no_leaked_provers):
    preamble = compose_config("minif2f").benchmark.preamble.coq
    theorems = [with_preamble(t, preamble) for t in load_rocq(coq_slice(tmp_path, COQ_EXAMPLES) / "valid")]
    sketches = {p.stem: [json.loads(p.read_text())["sketch"]] for p in (EXAMPLES_DIR / "coq").glob("*.json")}
    env = make_environment("coq", timeout=10)
    try:
        dsp = DraftSketchProve(env, FixedSketchWriter(sketches), [], 1, HoleCloser(env, 10, False),
                               use_skeleton=False)
        for theorem in theorems:
            result = dsp.prove(theorem)
            assert result.status == "proved", (theorem.name, result.message)
            assert result.verdict.ok and result.holes >= 1 and result.origin == "model"
            assert not any("admit" in t for t in result.tactics)
            assert any(t.startswith("solve [ ") for t in result.tactics)
    finally:
        env.close()


@pytest.mark.requires_coq
def test_a_wrong_sketch_fails_with_the_failing_step(tmp_path, no_leaked_provers):
    (theorem,) = load_rocq(coq_slice(tmp_path, ["mathd_numbertheory_466"]) / "valid")
    env = make_environment("coq", timeout=5)
    try:
        writer = FixedSketchWriter({theorem.name: ["apply no_such_lemma.\nadmit.", "assert (h : 1 = 2).\n{ admit. }\nadmit."]})
        result = DraftSketchProve(env, writer, [], 2, HoleCloser(env, 5, False), use_skeleton=False).prove(theorem)
    finally:
        env.close()
    assert result.status == "failed" and result.tactics is None
    assert "no_such_lemma" in result.message and "hole 1 (step 3)" in result.message
    assert result.error_kinds == {"step": 1, "hole": 1}


@pytest.mark.requires_coq
def test_i2f_run_with_a_tiny_hf_model_and_the_skeleton(tmp_path, no_leaked_provers):
    model = save_tiny_llama(tmp_path / "model")
    names = ["mathd_numbertheory_48", "mathd_algebra_104", "mathd_algebra_11"]
    data = coq_slice(tmp_path / "data", names)
    assert main(["run", "--system", "coq", "--data", str(data), "--mode", "i2f", "--policy", "hf",
                 "--model", str(model), "--budget", "2x1x1", "--wall-time", "30", "--workers", "1",
                 "--no-progress", "--out", str(tmp_path / "out"), "benchmark.dsp.hole_timeout_s=3",
                 "benchmark.dsp.hammer=false", "benchmark.dsp.max_new_tokens=24", "benchmark.dsp.shots=2"]) == 0
    records = {r["name"]: r for r in read_records(tmp_path / "out")}
    assert sorted(records) == ["mathd_algebra_104", "mathd_algebra_11"]  # the example problem is left out
    assert records["mathd_algebra_104"]["status"] == "proved"
    assert records["mathd_algebra_104"]["sketch_origin"] in ("model", "skeleton")
    assert records["mathd_algebra_11"]["status"] == "failed"
    assert records["mathd_algebra_11"]["attempts"] == 3  # two model drafts, then the skeleton
    assert records["mathd_algebra_11"]["tokens"] > 0


def test_hf_sketch_writer_samples_n_drafts(tmp_path):
    model = save_tiny_llama(tmp_path / "model", context=128)
    writer = HFSketchWriter(HFPolicy(str(model), sampling=SamplingParams(temperature=1.0, max_new_tokens=8, seed=1)))
    (theorem,) = load_rocq(coq_slice(tmp_path, ["mathd_algebra_104"]) / "valid")
    drafts = writer.write("x" * 2000, theorem, 3)  # longer than the context: the prompt keeps its end
    assert len(drafts) == 3 and all(0 < d.tokens <= 8 for d in drafts)
