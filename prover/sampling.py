"""SamplingParams: the one object that says how a policy samples tactics (after vLLM's
`SamplingParams`): validated when built, passed through unchanged, never scattered
keyword arguments. Every backend (HF, vLLM, the DSP sketch writer) takes its sampling
settings, its seeds (`seed_for`) and its context check (`verify`) from here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

_GREEDY_EPS = 1e-5


class SamplingParamsError(ValueError):
    """An invalid sampling parameter; names the parameter and its value."""

    def __init__(self, parameter: str, value: Any, requirement: str) -> None:
        super().__init__(f"sampling parameter {parameter}={value!r}: {requirement}")
        self.parameter, self.value = parameter, value


@dataclass(frozen=True)
class SamplingParams:
    n: int = 1
    """Completions per prompt, >= 1. Search asks for its own count per expansion and
    overrides this with `with_n`."""

    temperature: float = 1.0
    """>= 0. 0 means greedy decoding, which allows only n = 1."""
    top_p: float = 1.0
    """Nucleus mass in (0, 1]; 1 keeps the whole distribution."""
    top_k: int = 0
    """Sample among the k likeliest tokens; 0 keeps them all (transformers' own default of
    50 is never applied)."""

    max_new_tokens: int = 64
    """Generated tokens at most, >= 1."""
    stop: tuple[str, ...] | None = None
    """Stop strings, cut from the tactic; None means the prompt format's own."""

    seed: int | None = None
    """Base random seed; None draws a fresh one. A backend never uses it directly but
    `seed_for(key...)` (its call number, the prompt's index, the problem's name), so calls
    and prompts are not sampled with correlated streams and a run is reproducible."""

    def __post_init__(self) -> None:
        if isinstance(self.stop, (list, str)):
            object.__setattr__(self, "stop", (self.stop,) if isinstance(self.stop, str) else tuple(self.stop))
        if not isinstance(self.n, int) or isinstance(self.n, bool) or self.n < 1:
            raise SamplingParamsError("n", self.n, "must be an integer >= 1")
        if not self.temperature >= 0:
            raise SamplingParamsError("temperature", self.temperature, "must be >= 0 (0 is greedy)")
        if not 0 < self.top_p <= 1:
            raise SamplingParamsError("top_p", self.top_p, "must be in (0, 1]")
        if not isinstance(self.top_k, int) or isinstance(self.top_k, bool) or self.top_k < 0:
            raise SamplingParamsError("top_k", self.top_k, "must be an integer >= 0 (0 is off)")
        if not isinstance(self.max_new_tokens, int) or isinstance(self.max_new_tokens, bool) or self.max_new_tokens < 1:
            raise SamplingParamsError("max_new_tokens", self.max_new_tokens, "must be an integer >= 1")
        if self.stop is not None and not all(isinstance(s, str) and s for s in self.stop):
            raise SamplingParamsError("stop", self.stop, "must be non-empty strings")
        if self.seed is not None and (not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0):
            raise SamplingParamsError("seed", self.seed, "must be None or an integer >= 0")
        if self.greedy and self.n > 1:
            raise SamplingParamsError("n", self.n, "greedy sampling (temperature 0) gives one completion; use n=1")

    @property
    def greedy(self) -> bool:
        return self.temperature < _GREEDY_EPS

    def seed_for(self, *key: object) -> int | None:
        """The seed of one call, prompt or problem named by `key`: a 31-bit number fixed by
        the base seed and the key, or None when there is no base seed (fresh randomness)."""
        if self.seed is None:
            return None
        digest = hashlib.blake2b(repr((self.seed, *key)).encode(), digest_size=4).digest()
        return int.from_bytes(digest, "big") >> 1

    def with_n(self, n: int) -> SamplingParams:
        """The same parameters with `n` completions (validated again)."""
        return replace(self, n=n)

    def verify(self, max_positions: int, prompt_tokens: int = 1) -> None:
        """Model-dependent check: the prompt plus `max_new_tokens` fit the context."""
        if self.max_new_tokens + prompt_tokens > max_positions:
            raise SamplingParamsError("max_new_tokens", self.max_new_tokens,
                                      f"with a {prompt_tokens}-token prompt exceeds the model context of {max_positions}")

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any] | None) -> SamplingParams:
        """From a config mapping; unknown keys are an error naming them."""
        cfg = dict(cfg or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(cfg) - known)
        if unknown:
            raise SamplingParamsError(unknown[0], cfg[unknown[0]], f"unknown parameter (known: {', '.join(sorted(known))})")
        return cls(**cfg)
