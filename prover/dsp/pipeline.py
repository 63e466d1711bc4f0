"""Draft-Sketch-Prove on one problem: open it, have the writer draft sketches, fill each
(the model's, then the skeleton) and re-check the first filled one with the checker."""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from environments.base import Environment, OpenError, Theorem, Verdict
from prover.dsp.examples import Example
from prover.dsp.holes import Filled, HoleCloser, fill_sketch
from prover.dsp.prompts import dsp_prompt
from prover.dsp.sketches import parse_sketch, skeleton
from prover.dsp.writers import SketchWriter


@dataclass
class DspResult:
    """What Draft-Sketch-Prove did on one problem; `tactics` only with the checker's approval."""

    status: str  # "proved" | "failed" | "skipped"
    tactics: list[str] | None = None
    verdict: Verdict | None = None
    origin: str = ""  # which sketch proved it: "model" or "skeleton"
    message: str = ""
    sketches: int = 0
    tokens: int = 0
    holes: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    time_s: float = 0.0
    drafts: list[str] = field(default_factory=list)  # what the writer produced, as written


class DraftSketchProve:
    """The model's drafts and the skeleton, each filled by automation and re-checked."""

    def __init__(self, env: Environment, writer: SketchWriter, examples: Sequence[Example], drafts: int,
                 closer: HoleCloser, use_skeleton: bool = True, wall_time_s: float = math.inf) -> None:
        self.env, self.writer, self.examples, self.drafts = env, writer, list(examples), drafts
        self.closer, self.use_skeleton, self.wall_time_s = closer, use_skeleton, wall_time_s

    def prove(self, theorem: Theorem) -> DspResult:
        """Opening, drafting and filling share the wall time; the final check is outside it."""
        start = time.perf_counter()
        deadline = start + self.wall_time_s
        try:
            root = self.env.open(theorem)
        except OpenError as exc:
            return DspResult("skipped", message=f"statement does not open: {exc}", error_kinds={"open": 1},
                             time_s=time.perf_counter() - start)
        drafts = self.writer.write(dsp_prompt(self.examples, theorem), theorem, self.drafts)
        tokens = sum(d.tokens for d in drafts)
        sketches = [("model", parse_sketch(theorem.system, d.text)) for d in drafts]
        if self.use_skeleton:
            sketches.append(("skeleton", skeleton(theorem.system)))
        kinds: Counter[str] = Counter()
        messages = []
        for tried, (origin, steps) in enumerate(sketches, 1):
            filled = (fill_sketch(self.env, root, steps, self.closer, deadline) if steps
                      else Filled(None, "empty sketch", kind="empty"))
            if filled.tactics is not None:
                verdict = self.env.check(theorem, filled.tactics)
                if verdict.ok:
                    return DspResult("proved", filled.tactics, verdict, origin, f"{origin} sketch", tried, tokens,
                                     filled.holes, dict(kinds), time.perf_counter() - start, [d.text for d in drafts])
                filled.message, filled.kind = f"checker: {verdict.reason}", "checker"
            kinds[filled.kind] += 1
            messages.append(f"{origin}: {filled.message}")
        return DspResult("failed", message=" | ".join(messages)[:2000], sketches=len(sketches), tokens=tokens,
                         error_kinds=dict(kinds), time_s=time.perf_counter() - start, drafts=[d.text for d in drafts])
