"""HFPolicy: tactics sampled from a Hugging Face transformers causal LM.

All states of one propose() call go through one `generate` call (left padding,
`num_return_sequences` samples per state). A candidate's log-prob is the sum of its
tokens' log-probs under the model's raw distribution (before temperature and top-p), up to
and including the token that completed the stop string, from
`compute_transition_scores(..., normalize_logits=True)` on the raw logits, so scores are
comparable across sampling settings (as vLLM's `cumulative_logprob`).

A state's tactic prefix is appended to its prompt; the candidate is the prefix followed by
the generated continuation, and stop strings are looked for in the continuation only.
"""

from __future__ import annotations

import threading
from typing import Any, Mapping, Sequence

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from environments.base import ProofState
from prover.policies.candidates import Prompting, cut_at_stop, prefixes_for, rank, samples_for
from prover.sampling import SamplingParams
from search.policy import Candidate


class HFPolicy:
    """A causal LM from a local path or hub name (loaded offline when cached)."""

    def __init__(self, path: str, prompt_format: str | Mapping[str, str] = "proofstep",
                 sampling: SamplingParams | None = None, premises_k: int | None = None,
                 device: str = "auto", dtype: str = "auto", device_map: str | dict[str, Any] | None = None,
                 cpu_threads: int | None = None) -> None:
        self.sampling = sampling or SamplingParams()
        self.prompting = Prompting(prompt_format, self.sampling.stop, premises_k)
        self.device = ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
        if cpu_threads and self.device == "cpu":
            # torch's threads spin while they wait: on cores shared with prover processes a
            # small model runs many times faster on one thread (process-wide setting)
            torch.set_num_threads(cpu_threads)
        if dtype == "auto":  # bf16 where the hardware has it, full precision on CPU
            dtype = "bfloat16" if self.device.startswith("cuda") else "float32"
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.tokenizer.padding_side = "left"  # generation continues every prompt at the same position
        self.tokenizer.truncation_side = "left"  # a long goal keeps its end, next to the prompt's tail
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        # device_map places a model too large for one device across devices (accelerate)
        self.model = AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, dtype), device_map=device_map)
        if device_map is None:
            self.model.to(self.device)
        self.model.eval()
        self.context = getattr(self.model.config, "max_position_embeddings", 2048)
        self.sampling.verify(self.context)
        self._lock = threading.Lock()  # one generate at a time; BatchingPolicy merges callers
        self._calls = 0
        self.tokens_generated = 0  # all sampled tokens, duplicates included (throughput figures)
        self._pieces: dict[int, str] = {}

    def propose(self, states: Sequence[ProofState], k: int,
                prefixes: Sequence[str | None] | None = None) -> list[list[Candidate]]:
        if not states:
            return []
        params = samples_for(self.sampling, k)
        stop = self.prompting.stop(states)
        heads = prefixes_for(states, prefixes)
        prompts = [self.prompting.prompt(s, head) for s, head in zip(states, heads)]
        samples = self.generate(prompts, params, stop)
        return [rank((Candidate(logprob, head + cut_at_stop(text, stop), tokens)
                      for text, logprob, tokens in samples[i * params.n:(i + 1) * params.n]), k, head)
                for i, head in enumerate(heads)]

    def generate(self, prompts: list[str], params: SamplingParams, stop: tuple[str, ...],
                 seed_key: object = None) -> list[tuple[str, float, int]]:
        """`params.n` samples per prompt, prompt after prompt: (the text through its stop string,
        its summed log-prob, its tokens). Seeded by `seed_key` (default: the call's number)."""
        with self._lock:
            self._calls += 1
            seed = params.seed_for(self._calls if seed_key is None else seed_key)
            sequences, logprobs, lengths = self._generate(prompts, params, stop, seed)
            self.tokens_generated += int(lengths.sum())
        texts = self.tokenizer.batch_decode(
            [seq[:n] for seq, n in zip(sequences.tolist(), lengths.tolist())], skip_special_tokens=True)
        return list(zip(texts, logprobs.tolist(), lengths.tolist()))

    @torch.inference_mode()
    def _generate(self, prompts: list[str], params: SamplingParams, stop: tuple[str, ...], seed: int | None = None):
        """Generated token ids, each sequence's summed log-prob and its length in tokens."""
        if seed is not None:
            torch.manual_seed(seed)
        inputs = self.tokenizer(prompts, return_tensors="pt", padding=True, truncation=True,
                                max_length=self.context - params.max_new_tokens).to(self.model.device)
        sampled = not params.greedy
        out = self.model.generate(
            **inputs, do_sample=sampled, num_return_sequences=params.n, max_new_tokens=params.max_new_tokens,
            temperature=params.temperature if sampled else None, top_p=params.top_p if sampled else None,
            top_k=params.top_k if sampled else None, stop_strings=list(stop), tokenizer=self.tokenizer,
            pad_token_id=self.tokenizer.pad_token_id, return_dict_in_generate=True, output_logits=True)
        generated = out.sequences[:, inputs["input_ids"].shape[1]:]
        scores = self.model.compute_transition_scores(out.sequences, out.logits, normalize_logits=True)
        lengths = torch.tensor(self._lengths(generated, stop), device=generated.device)
        mask = torch.arange(generated.shape[1], device=generated.device)[None, :] < lengths[:, None]
        logprobs = torch.where(mask, scores.float(), 0.0).sum(dim=1)
        return generated.cpu(), logprobs.cpu(), lengths.cpu()

    def _lengths(self, generated: torch.Tensor, stop: tuple[str, ...]) -> list[int]:
        """Tokens each sequence really generated: through its end-of-sequence token or the
        token that completed a stop string; later positions are padding."""
        eos = self.model.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        lengths = []
        for ids in generated.tolist():
            text, length = "", len(ids)
            for j, token in enumerate(ids):
                if token in eos_ids:
                    length = j + 1
                    break
                text += self._piece(token)
                if any(s in text[-len(s) - 16:] for s in stop):  # only the tail can hold a new match
                    length = j + 1
                    break
            lengths.append(length)
        return lengths

    def _piece(self, token: int) -> str:
        """One token's text, memoised: decoding token by token is the hot loop here."""
        piece = self._pieces.get(token)
        if piece is None:
            piece = self._pieces[token] = self.tokenizer.decode([token])
        return piece
