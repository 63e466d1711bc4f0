"""The Draft-Sketch-Prove prompt: the few-shot examples, then the problem's informal block
and its formal statement, which the writer continues with a sketch."""

from __future__ import annotations

from typing import Sequence

from environments.base import Theorem
from prover.dsp.examples import Example, coq_opening, informal_block


def query_block(theorem: Theorem) -> str:
    """The problem at hand: its informal statement and proof, then its formal statement."""
    meta = theorem.meta
    head = informal_block(meta.get("informal_statement", ""), meta.get("informal_proof", ""))
    if theorem.system == "coq":
        return head + coq_opening(theorem.statement)
    return head + theorem.statement.strip() + "\n"


def dsp_prompt(examples: Sequence[Example], theorem: Theorem) -> str:
    """The examples, each followed by three blank lines, then `theorem`'s query block."""
    return "".join(e.block + "\n\n\n\n" for e in examples) + query_block(theorem)
