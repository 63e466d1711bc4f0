"""Prompt formats: how a proof state becomes model input, and how a (state, tactic) pair
becomes a training example. Training and inference share these definitions, so a model
is always prompted the way it was trained.

Formats: `proofstep` (Proof-Pile-2's `[GOAL]...[PROOFSTEP]...`, used for Coq and Lean),
`llemma-lean4-fewshot` (Llemma's few-shot Lean 4 evaluation prompt), `isabelle-proofstep`
(`[STATEMENT]` / `[PROOF STATE]` / `[PROOF STEP]`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PromptFormat:
    name: str
    template: str  # the prompt, with `{goals}` and `{statement}` standing for their stripped texts
    stop: tuple[str, ...] = ("\n",)  # generation stops at the first of these (cut from the tactic)

    def prompt(self, goals: str, statement: str = "") -> str:
        return self.template.format(goals=goals.strip(), statement=statement.strip())

    def example(self, goals: str, tactic: str, statement: str = "") -> str:
        """One training document: the prompt followed by the tactic and the stop text."""
        return self.prompt(goals, statement) + tactic + self.stop[0]


_LLEMMA_LEAN4_EXAMPLES = (
    ("x : ℝ\nh₀ : 3 * x + 2 = 11\n⊢ x = 3", "linarith"),
    ("n : ℕ\nh₀ : n % 5 = 3\n⊢ 2 * n % 5 = 1", "rw [Nat.mul_mod, h₀]"),
    ("a b : ℕ\n⊢ a + b = b + a", "exact Nat.add_comm a b"),
)


def _llemma_block(goals: str) -> str:
    return f"Tactic state:\n---\n{goals.strip()}\n---\nNext tactic:\n---\n"


# Llemma's formal-to-formal Lean 4 prompt: an instruction, then `---`-delimited
# `Tactic state:` / `Next tactic:` examples; the model's tactic ends at `---`
_LLEMMA_LEAN4 = ("Given the Lean 4 tactic state, suggest a next tactic.\nHere are some examples:\n\n"
                 + "".join(_llemma_block(g) + f"{t}\n---\n\n" for g, t in _LLEMMA_LEAN4_EXAMPLES)
                 + _llemma_block("{goals}"))

FORMATS: dict[str, PromptFormat] = {f.name: f for f in (
    PromptFormat("proofstep", "[GOAL]{goals}[PROOFSTEP]"),
    PromptFormat("isabelle-proofstep", "[STATEMENT]\n{statement}\n[PROOF STATE]\n{goals}\n[PROOF STEP]\n"),
    PromptFormat("llemma-lean4-fewshot", _LLEMMA_LEAN4, ("\n---", "---")),
)}


def get_format(name: str) -> PromptFormat:
    if name not in FORMATS:
        raise ValueError(f"unknown prompt format {name!r} (choose from {', '.join(FORMATS)})")
    return FORMATS[name]
