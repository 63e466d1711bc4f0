"""HFPolicy on a tiny real Llama: batched sampling, ranked distinct candidates, sequence
log-probs equal to a forward pass, the generate arguments that matter."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from configs import compose_config
from environments.base import ProofState, Theorem
from prover.policies import build_policy
from prover.policies.hf import HFPolicy
from prover.prompts import get_format
from prover.sampling import SamplingParams

REPO_ROOT = Path(__file__).resolve().parents[2]
THEOREM = Theorem("t", "coq", "Lemma t : forall n : nat, 0 + n = n.")
GOALS = ["n : nat\n============================\n0 + n = n", "============================\nTrue",
         "x : R\n============================\n(x + 1 > x)%R"]


def states() -> list[ProofState]:
    return [ProofState(g, THEOREM) for g in GOALS]


@pytest.fixture(scope="module")
def policy(tiny_model: Path) -> HFPolicy:
    return HFPolicy(str(tiny_model), "proofstep", SamplingParams(temperature=1.0, top_p=0.95, max_new_tokens=10, seed=1),
                    device="cpu")


class GenerateSpy:
    """Wraps model.generate, recording each call's batch size and keyword arguments."""

    def __init__(self, model) -> None:
        self.model, self.inner, self.calls = model, model.generate, []

    def __enter__(self):
        def spy(**kwargs):
            self.calls.append(kwargs)
            return self.inner(**kwargs)

        self.model.generate = spy
        return self

    def __exit__(self, *exc):
        del self.model.generate


def test_many_states_one_generate_call_ranked_distinct_candidates(policy: HFPolicy):
    with GenerateSpy(policy.model) as spy:
        proposals = policy.propose(states(), 6)
    assert len(spy.calls) == 1
    assert spy.calls[0]["input_ids"].shape[0] == 3 and spy.calls[0]["num_return_sequences"] == 6
    assert spy.calls[0]["top_k"] == 0  # transformers 5 would otherwise apply top-k 50
    assert spy.calls[0]["top_p"] == 0.95 and spy.calls[0]["do_sample"] is True
    assert policy.tokenizer.padding_side == "left"
    assert len(proposals) == 3
    for candidates in proposals:
        assert 1 <= len(candidates) <= 6
        tactics = [c.tactic for c in candidates]
        assert len(set(tactics)) == len(tactics)
        assert all(t == t.strip() and t and "\n" not in t for t in tactics)
        logprobs = [c.logprob for c in candidates]
        assert logprobs == sorted(logprobs, reverse=True)
        assert all(lp <= 0 for lp in logprobs)
        assert all(1 <= c.tokens <= 10 for c in candidates)


def test_sequence_logprob_equals_a_forward_pass(policy: HFPolicy):
    params = SamplingParams(n=4, temperature=0.7, top_p=0.9, max_new_tokens=8, seed=3)
    prompt = get_format("proofstep").prompt(GOALS[0])
    generated, logprobs, lengths = policy._generate([prompt], params, ("\n",))
    prompt_ids = policy.tokenizer(prompt, return_tensors="pt")["input_ids"][0]
    for row in range(4):
        ids = generated[row, : lengths[row]]
        full = torch.cat([prompt_ids, ids])[None]
        with torch.no_grad():
            logits = policy.model(full).logits[0].float()
        steps = torch.log_softmax(logits[len(prompt_ids) - 1 : -1], dim=-1)
        expected = steps.gather(1, ids[:, None]).sum().item()
        # raw model log-probs, not the temperature/top-p warped ones
        assert logprobs[row].item() == pytest.approx(expected, abs=1e-3)


def test_a_prefix_is_continued_by_the_default_model():
    """On the shipped model: the prefix ends the prompt, and each candidate of its state is
    the prefix followed by what the model generated; the other state is unconstrained."""
    model = REPO_ROOT / "prover" / "models" / "default"
    if not (model / "config.json").exists():
        pytest.skip("prover/models/default is not built")
    policy = HFPolicy(str(model), "proofstep", SamplingParams(temperature=1.0, top_p=0.95, max_new_tokens=16, seed=0),
                      device="cpu", cpu_threads=1)
    with GenerateSpy(policy.model) as spy:
        [prefixed, free] = policy.propose(states()[:2], 6, ["induction", None])
    [call] = spy.calls
    prompts = policy.tokenizer.batch_decode(call["input_ids"], skip_special_tokens=True)
    assert prompts[0].endswith("[PROOFSTEP]induction") and prompts[1].endswith("[PROOFSTEP]")
    assert prefixed and all(c.tactic.startswith("induction") for c in prefixed)
    assert all(1 <= c.tokens <= 16 and c.logprob <= 0 and "\n" not in c.tactic for c in prefixed)
    assert free and not all(c.tactic.startswith("induction") for c in free)
    # greedily, the score is the continuation's log-prob given prompt + prefix, stop token included
    policy.sampling = SamplingParams(temperature=0.0, max_new_tokens=16)
    [[greedy]] = policy.propose(states()[:1], 4, ["induction"])
    head = policy.tokenizer(policy.prompting.prompt(states()[0], "induction"))["input_ids"]
    tail = policy.tokenizer(greedy.tactic.removeprefix("induction") + "\n", add_special_tokens=False)["input_ids"]
    assert greedy.tactic != "induction" and greedy.tokens == len(tail)
    with torch.no_grad():
        logits = policy.model(torch.tensor([head + tail])).logits[0].float()
    steps = torch.log_softmax(logits[len(head) - 1 : -1], dim=-1)
    assert greedy.logprob == pytest.approx(steps.gather(1, torch.tensor(tail)[:, None]).sum().item(), abs=1e-3)


def test_greedy_gives_one_deterministic_candidate(tiny_model: Path):
    greedy = HFPolicy(str(tiny_model), sampling=SamplingParams(temperature=0.0, max_new_tokens=6), device="cpu")
    first, second = greedy.propose(states()[:1], 8), greedy.propose(states()[:1], 8)
    assert len(first[0]) <= 1
    assert first == second


def test_build_policy_hf_with_automation(tiny_model: Path):
    policy = build_policy({"policy": "hf", "path": str(tiny_model), "prompt_format": "proofstep",
                           "sampling": {"max_new_tokens": 6, "seed": 0}, "options": {"device": "cpu"},
                           "automation": {"prior": 0.5, "tactics": ["lia", "auto"]}})
    [candidates] = policy.propose(states()[:1], 8)
    tactics = [c.tactic for c in candidates]
    assert {"lia", "auto"} <= set(tactics)
    assert len(candidates) <= 8


def test_configured_premises_prompt_reaches_the_model(tiny_model: Path):
    """`model.prompt_format=proofstep-premises model.premises_k=1`: the prompt the model gets
    lists the context's premise that ranks first for the goal, then the goal."""
    cfg = compose_config("prove", [f"model.path={tiny_model}", "model.prompt_format=proofstep-premises",
                                   "model.premises_k=1", "model.automation=null", "model.sampling.max_new_tokens=4",
                                   "model.options.device=cpu"])
    policy = build_policy(cfg.model)
    context = ("Lemma add_0_r' : forall n : nat, n + 0 = n.\nProof. auto. Qed.\n"
               "Lemma app_nil_r' : forall (A : Type) (l : list A), l ++ nil = l.\nProof. auto with datatypes. Qed.\n")
    state = ProofState(GOALS[0], Theorem("t", "coq", THEOREM.statement, context=context))
    prompts = []
    generate = policy.generate
    policy.generate = lambda batch, *args: prompts.extend(batch) or generate(batch, *args)
    policy.propose([state], 2)
    assert prompts == ["[PREMISES]\nadd_0_r' : forall n : nat, n + 0 = n\n"
                       f"[GOAL]{GOALS[0]}[PROOFSTEP]"]


def test_missing_model_directory_is_an_error(tmp_path: Path):
    with pytest.raises(OSError):
        HFPolicy(str(tmp_path / "nothing-here"), device="cpu")


@pytest.mark.requires_gpu
def test_cuda_runs_in_bf16(tiny_model: Path):
    gpu = HFPolicy(str(tiny_model), sampling=SamplingParams(max_new_tokens=6, seed=0), device="cuda")
    assert gpu.model.dtype == torch.bfloat16 and gpu.model.device.type == "cuda"
    [candidates] = gpu.propose(states()[:1], 4)
    assert 1 <= len(candidates) <= 4 and all(c.logprob <= 0 for c in candidates)
