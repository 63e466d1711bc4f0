"""Automation candidates (decision procedures and hammers) merged with a model's samples.

The merge is a mixture (`prover.policies.mixture.mix`): with prior `p`, each of the A
automation tactics gets probability p / A and each model sample keeps (1 - p) times its
own; a tactic both propose gets the sum. With no model, automation alone is proposed. Given a tactic prefix, the model samples
continuations of it and `p` is split among the automation tactics that start with it.

CoqHammer's `sauto` and `hammer` exist only after `From Hammer Require Import Hammer.`.
They are offered only when the theorem's own context imports Hammer: injecting the import
would change the file the checker compiles and a proof that needs it would not drop back
into the user's file. Users who want them add the import to their file.
"""

from __future__ import annotations

import re
from typing import Sequence

from environments.base import ProofState
from environments.coq_syntax import IMPORTS_HAMMER
from prover.policies.candidates import prefixes_for
from prover.policies.mixture import mix
from search.policy import Candidate, TacticPolicy

# Each system's automation tactics, cheapest first: the one home of these lists. They are
# Draft-Sketch-Prove's hole closers (prover.dsp.holes; the backend's hammer comes after them,
# Environment.close_hole) and, with CoqHammer's `hammer`, the automation policy's default
# candidates (configs/model/default.yaml's `automation.tactics: null`).
DECISION_PROCEDURES: dict[str, tuple[str, ...]] = {
    "coq": ("lia", "nia", "lra", "nra", "ring", "field", "auto", "easy", "intuition", "sauto"),
    "lean": ("linarith", "nlinarith", "norm_num", "simp", "omega", "ring", "positivity", "decide", "aesop"),
    "isabelle": ("by auto", "by simp", "by blast", "by fastforce", "by force", "by eval", "by presburger",
                 "by sos", "by arith", "by linarith", "by (auto simp: field_simps)"),
}
DEFAULT_TACTICS: dict[str, tuple[str, ...]] = {**DECISION_PROCEDURES, "coq": (*DECISION_PROCEDURES["coq"], "hammer")}

# tactics that need a library import in the theorem's context, per system
REQUIRES: dict[str, dict[str, re.Pattern[str]]] = {
    "coq": dict.fromkeys(("sauto", "hammer", "hauto", "qauto"), IMPORTS_HAMMER),
}


def available(tactic: str, state: ProofState) -> bool:
    """Whether `tactic` can run in `state`'s theorem (its library is imported)."""
    need = REQUIRES.get(state.theorem.system, {}).get(tactic.split()[0] if tactic.split() else tactic)
    return need is None or need.search(state.theorem.context) is not None


class AutomationPolicy:
    """Automation tactics for each state's system, mixed into `inner`'s samples."""

    def __init__(self, inner: TacticPolicy | None, prior: float = 0.5,
                 tactics: dict[str, Sequence[str]] | Sequence[str] | None = None) -> None:
        if not 0 < prior <= 1:
            raise ValueError(f"automation prior must be in (0, 1], got {prior!r}")
        if inner is None:
            prior = 1.0
        elif prior == 1:
            raise ValueError("automation prior 1 leaves no mass for the model; drop the model instead")
        self.inner, self.prior = inner, prior
        if tactics is None:
            self.tactics = dict(DEFAULT_TACTICS)
        elif isinstance(tactics, dict):
            self.tactics = {system: tuple(t) for system, t in tactics.items()}
        else:  # one list: the same for every system
            self.tactics = {system: tuple(tactics) for system in DEFAULT_TACTICS}

    def automation(self, state: ProofState) -> list[str]:
        return [t for t in self.tactics.get(state.theorem.system, ()) if available(t, state)]

    def propose(self, states: Sequence[ProofState], k: int,
                prefixes: Sequence[str | None] | None = None) -> list[list[Candidate]]:
        heads = prefixes_for(states, prefixes)
        model = self.inner.propose(states, k, heads) if self.inner is not None else [[] for _ in states]
        return [self._merge(state, samples, k, head) for state, samples, head in zip(states, model, heads)]

    def _merge(self, state: ProofState, samples: list[Candidate], k: int, prefix: str) -> list[Candidate]:
        auto = [Candidate(0.0, t) for t in self.automation(state) if t.startswith(prefix)]
        return mix(((self.prior / max(len(auto), 1), auto), (1 - self.prior, samples)), k, prefix)
