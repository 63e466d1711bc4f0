"""Prompt formats: how a proof state becomes model input, and how a (state, tactic) pair
becomes a training example. Training and inference share these definitions, so a model
is always prompted the way it was trained.

Formats: `proofstep` (Proof-Pile-2's `[GOAL]...[PROOFSTEP]...`, used for Coq and Lean; the
default model's), `proofstep-premises` (`[PREMISES]`, one `name : statement` line per premise
ranked for the goal, at most `premises` of them, each statement cut to `statement_chars`, then
the `proofstep` prompt), `llemma-lean4-fewshot` (Llemma's few-shot Lean 4 evaluation prompt),
`isabelle-proofstep` (`[STATEMENT]` / `[PROOF STATE]` / `[PROOF STEP]`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from prover.premises import Premise


@dataclass(frozen=True)
class PromptFormat:
    name: str
    # the prompt, with `{goals}` and `{statement}` standing for their stripped texts and
    # `{premises}` for the premises' lines
    template: str
    stop: tuple[str, ...] = ("\n",)  # generation stops at the first of these (cut from the tactic)
    premises: int = 0  # how many premises the prompt lists (0: a format without premises)
    statement_chars: int = 200  # a listed premise's statement is cut to this many characters

    def prompt(self, goals: str, statement: str = "", premises: Sequence[Premise] = ()) -> str:
        lines = "".join(f"{p.name} : {p.statement[:self.statement_chars]}\n" for p in premises[:self.premises])
        return self.template.format(goals=goals.strip(), statement=statement.strip(), premises=lines)

    def example(self, goals: str, tactic: str, statement: str = "", premises: Sequence[Premise] = ()) -> str:
        """One training document: the prompt followed by the tactic and the stop text."""
        return self.prompt(goals, statement, premises) + tactic + self.stop[0]


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
    PromptFormat("proofstep-premises", "[PREMISES]\n{premises}[GOAL]{goals}[PROOFSTEP]", premises=8),
    PromptFormat("isabelle-proofstep", "[STATEMENT]\n{statement}\n[PROOF STATE]\n{goals}\n[PROOF STEP]\n"),
    PromptFormat("llemma-lean4-fewshot", _LLEMMA_LEAN4, ("\n---", "---")),
)}


def get_format(name: str, premises: int | None = None) -> PromptFormat:
    """The format `name`; with `premises`, listing that many premises (formats with premises only)."""
    if name not in FORMATS:
        raise ValueError(f"unknown prompt format {name!r} (choose from {', '.join(FORMATS)})")
    fmt = FORMATS[name]
    if premises is None:
        return fmt
    if not fmt.premises:
        raise ValueError(f"prompt format {name!r} lists no premises (premises_k is for "
                         f"{', '.join(n for n, f in FORMATS.items() if f.premises)})")
    if premises < 1:
        raise ValueError(f"premises_k must be at least 1, got {premises}")
    return replace(fmt, premises=premises)
