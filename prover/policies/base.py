"""Helpers every policy shares: turning raw samples into the ranked, de-duplicated
candidate lists the TacticPolicy contract promises, and the prompt a state gets."""

from __future__ import annotations

from typing import Iterable

from environments.base import ProofState
from prover.prompts import PromptFormat
from prover.sampling import SamplingParams
from search.policy import Candidate


def rank(candidates: Iterable[Candidate], k: int) -> list[Candidate]:
    """At most `k` distinct tactics (whitespace-stripped, empty ones dropped), each with its
    best log-prob, best first; ties keep their first-seen order."""
    best: dict[str, Candidate] = {}
    for c in candidates:
        tactic = c.tactic.strip()
        if not tactic:
            continue
        if tactic not in best or c.logprob > best[tactic].logprob:
            best[tactic] = Candidate(c.logprob, tactic, c.tokens)
    order = {t: i for i, t in enumerate(best)}
    return sorted(best.values(), key=lambda c: (-c.logprob, order[c.tactic]))[:k]


def prompt_for(fmt: PromptFormat, state: ProofState) -> str:
    return fmt.prompt(state.goals, state.theorem.statement)


def cut_at_stop(text: str, stop: tuple[str, ...]) -> str:
    """`text` up to the first stop string."""
    end = min((i for i in (text.find(s) for s in stop) if i >= 0), default=len(text))
    return text[:end]


def samples_for(sampling: SamplingParams, k: int) -> SamplingParams:
    """The sampling parameters for a request of `k` candidates: k samples, or one when greedy."""
    return sampling.with_n(1 if sampling.greedy else k)


def stop_strings(sampling: SamplingParams, fmt: PromptFormat) -> tuple[str, ...]:
    return sampling.stop if sampling.stop is not None else fmt.stop
