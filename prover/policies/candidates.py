"""Helpers every policy shares: turning raw samples into the ranked, de-duplicated
candidate lists the TacticPolicy contract promises, the prompt a state gets, and the
per-state tactic prefixes of a propose() call."""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from environments.base import ProofState
from prover.premises import ranker_for
from prover.prompts import PromptFormat, get_format
from prover.sampling import SamplingParams
from search.policy import Candidate


def prefixes_for(states: Sequence[ProofState], prefixes: Sequence[str | None] | None) -> list[str]:
    """One prefix per state, "" for none; leading whitespace dropped, since tactics are
    stripped and could never start with it."""
    if prefixes is None:
        return [""] * len(states)
    if len(prefixes) != len(states):
        raise ValueError(f"{len(prefixes)} prefixes for {len(states)} states")
    return [(p or "").lstrip() for p in prefixes]


def rank(candidates: Iterable[Candidate], k: int, prefix: str = "") -> list[Candidate]:
    """At most `k` distinct tactics (whitespace-stripped, empty ones and those not starting
    with `prefix` dropped), each with its best log-prob, best first; ties keep their
    first-seen order."""
    best: dict[str, Candidate] = {}
    for c in candidates:
        tactic = c.tactic.strip()
        if not tactic or not tactic.startswith(prefix):
            continue
        if tactic not in best or c.logprob > best[tactic].logprob:
            best[tactic] = Candidate(c.logprob, tactic, c.tokens)
    # sorted is stable and `best` keeps first-seen order, so ties stay in that order
    return sorted(best.values(), key=lambda c: -c.logprob)[:k]


class Prompting:
    """Which prompt format a state gets (one for every system, or one per system), the
    premises it lists (`premises_k` of its theorem's context's, ranked for its goals, in a
    format with premises) and the stop strings that end its tactic (the sampling parameters'
    own, else the format's)."""

    def __init__(self, spec: str | Mapping[str, str], stop: tuple[str, ...] | None = None,
                 premises_k: int | None = None) -> None:
        if isinstance(spec, str):
            self.formats: dict[str | None, PromptFormat] = {None: get_format(spec, premises_k)}
        else:
            self.formats = {system: get_format(name, premises_k) for system, name in spec.items()}
        self.stop_override = stop

    def format(self, state: ProofState) -> PromptFormat:
        fmt = self.formats.get(state.theorem.system) or self.formats.get(None)
        if fmt is None:
            raise ValueError(f"no prompt format for system {state.theorem.system!r} "
                             f"(configured: {', '.join(str(s) for s in self.formats)})")
        return fmt

    def prompt(self, state: ProofState, prefix: str = "") -> str:
        """The state's prompt, followed by the tactic prefix generation continues."""
        fmt = self.format(state)
        coq = fmt.premises and state.theorem.system == "coq"  # premise selection reads Coq
        ranked = ranker_for(state.theorem.context).rank(state.goals, fmt.premises) if coq else []
        return fmt.prompt(state.goals, state.theorem.statement, [premise for _, premise in ranked]) + prefix

    def stop(self, states: Sequence[ProofState]) -> tuple[str, ...]:
        """The stop strings of a batch: the union over its states' formats."""
        if self.stop_override is not None:
            return self.stop_override
        return tuple(dict.fromkeys(s for state in states for s in self.format(state).stop))


def cut_at_stop(text: str, stop: tuple[str, ...]) -> str:
    """`text` up to the first stop string."""
    end = min((i for i in (text.find(s) for s in stop) if i >= 0), default=len(text))
    return text[:end]


def samples_for(sampling: SamplingParams, k: int) -> SamplingParams:
    """The sampling parameters for a request of `k` candidates: k samples, or one when greedy."""
    return sampling.with_n(1 if sampling.greedy else k)
