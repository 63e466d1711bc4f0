"""Sketch parsers: a written sketch as steps and holes, in Coq and in Isabelle.

A Coq hole is an `admit.` sentence; an Isabelle hole is each `sledgehammer` (a step may
end in one: `have "..." using h1 sledgehammer`). A sketch ends at a blank-line triple (the
examples in the prompt are separated by one) or at the proof's end.
"""

from __future__ import annotations

from environments.coq_syntax import split_sentences
from prover.policies.candidates import cut_at_stop

HOLE = None  # a hole in a parsed sketch
STOP = ("\n\n\n",)


def parse_sketch(system: str, text: str) -> list[str | None]:
    """The sketch's steps, HOLE (None) for each hole; the text after the proof's end is dropped."""
    text = cut_at_stop(text, STOP)
    if system == "coq":
        steps: list[str | None] = []
        for sentence in split_sentences(text).sentences:
            s = sentence.text.strip()
            if s in ("Qed.", "Defined.", "Admitted.", "Abort."):
                break
            if s == "Proof.":
                continue
            steps.append(HOLE if s == "admit." else s)
        return steps
    if system == "isabelle":
        steps = []
        for line in _without_comments(text).splitlines():
            line = line.strip()
            if line == "end":
                break
            parts = line.split("sledgehammer")
            for i, part in enumerate(parts):
                if part.strip():
                    steps.append(part.strip())
                if i < len(parts) - 1:
                    steps.append(HOLE)
        return steps
    raise ValueError(f"Draft-Sketch-Prove does not support system {system!r}")


def _without_comments(text: str) -> str:
    out, depth, i = [], 0, 0
    while i < len(text):
        if text.startswith("(*", i):
            depth, i = depth + 1, i + 2
        elif depth and text.startswith("*)", i):
            depth, i = depth - 1, i + 2
        else:
            if not depth:
                out.append(text[i])
            i += 1
    return "".join(out)


def skeleton(system: str) -> list[str | None]:
    """The sketch that uses no informal proof at all: introduce, then one hole."""
    return ["intros.", HOLE] if system == "coq" else [HOLE]
