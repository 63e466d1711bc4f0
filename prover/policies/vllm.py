"""VLLMPolicy: tactics sampled with vLLM's offline `LLM.generate` (optional extra, imported
only when this policy is built). A candidate's log-prob is vLLM's `cumulative_logprob`
(raw log-probs, requested with `logprobs=0`); each prompt gets its own seed, since one
seed for a whole batch gives correlated samples. A state's tactic prefix is appended to
its prompt and put before the continuation vLLM generates (its stop strings apply to the
continuation only).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from environments.base import ProofState
from prover.policies.candidates import Prompting, prefixes_for, rank, samples_for
from prover.sampling import SamplingParams
from search.policy import Candidate


class VLLMPolicy:
    def __init__(self, path: str, prompt_format: str | Mapping[str, str] = "proofstep",
                 sampling: SamplingParams | None = None, premises_k: int | None = None,
                 dtype: str = "auto", max_model_len: int | None = None, **llm_options: Any) -> None:
        from vllm import LLM  # optional dependency

        self.sampling = sampling or SamplingParams()
        self.prompting = Prompting(prompt_format, self.sampling.stop, premises_k)
        self.llm = LLM(model=path, dtype=dtype, max_model_len=max_model_len, **llm_options)
        self.sampling.verify(self.llm.llm_engine.model_config.max_model_len)
        self._calls = 0

    def propose(self, states: Sequence[ProofState], k: int,
                prefixes: Sequence[str | None] | None = None) -> list[list[Candidate]]:
        from vllm import SamplingParams as VllmSamplingParams

        if not states:
            return []
        params = samples_for(self.sampling, k)
        heads = prefixes_for(states, prefixes)
        self._calls += 1
        per_prompt = [VllmSamplingParams(n=params.n, temperature=params.temperature, top_p=params.top_p,
                                         top_k=params.top_k, max_tokens=params.max_new_tokens,
                                         stop=list(self.prompting.stop([s])), logprobs=0,
                                         seed=params.seed_for(self._calls, i))
                      for i, s in enumerate(states)]
        prompts = [self.prompting.prompt(s, head) for s, head in zip(states, heads)]
        outputs = self.llm.generate(prompts, per_prompt, use_tqdm=False)
        return [rank((Candidate(c.cumulative_logprob, head + c.text, len(c.token_ids)) for c in request.outputs),
                     k, head) for head, request in zip(heads, outputs)]
