"""Draft-Sketch-Prove (informal to formal): from a problem's informal statement and proof,
the model writes a formal proof sketch with holes; the system's automation closes each
hole; the whole proof is then re-checked by the checker.

Holes are `admit.` sentences in Coq and `sledgehammer` in Isabelle. A hole is closed by
the first automation tactic that proves exactly that goal: in Coq `solve [ T ]` for T in
easy, auto, lia, nia, lra, nra, field, ring, intuition, then CoqHammer's sauto and hammer
(when the theorem imports Hammer); in Isabelle the DSP heuristics (`by auto`, ...,
`by (auto simp: field_simps)`) and then Sledgehammer through PISA. Besides the model's sketches, the
statement's bare skeleton (introduce, then one hole) is tried, and every record says
which sketch proved it, so what the model contributes is visible.

Few-shot examples: `prover/dsp_examples/coq/*.json` (hand-written, checked with coqc) and
the Draft-Sketch-Prove paper's Isabelle prompts (`../shared/data/dsp/`). Their problems are
left out of every i2f evaluation (`example_problems`).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence

from omegaconf import DictConfig, OmegaConf

from configs import REPO_ROOT
from environments.base import Environment, Error, Finished, GivenUp, OpenError, ProofState, Progress, Theorem, Verdict
from environments.coq_syntax import split_sentences
from environments.isabelle_guard import DSP_HEURISTICS
from prover.policies.automation import available
from prover.policies.candidates import cut_at_stop
from prover.sampling import SamplingParams

EXAMPLES_DIR = Path(__file__).resolve().parent / "dsp_examples"
HOLE = None  # a hole in a parsed sketch
STOP = ("\n\n\n",)  # a sketch ends at a blank-line triple (the examples are separated by one)

COQ_CLOSERS = ("easy", "auto", "lia", "nia", "lra", "nra", "field", "ring", "intuition", "sauto")


@dataclass(frozen=True)
class Example:
    """One few-shot example: its problem name and its complete prompt block."""

    problem: str
    block: str


@dataclass(frozen=True)
class Draft:
    """A sketch the writer produced, and the tokens it cost."""

    text: str
    tokens: int = 0


class SketchWriter(Protocol):
    def write(self, prompt: str, theorem: Theorem, n: int) -> list[Draft]:
        """Up to `n` sketches continuing `prompt` (the proof body only)."""
        ...


def informal_block(statement: str, proof: str) -> str:
    return f"Informal:\n(*### Problem\n\n{statement.strip()}\n\n### Solution\n\n{proof.strip()}*)\n\nFormal:\n"


def _coq_opening(statement: str) -> str:
    return f"{statement.strip()}\nProof.\n"


def load_examples(system: str, folder: Path) -> list[Example]:
    """The few-shot examples for `system`, sorted by problem name."""
    if system == "coq":
        examples = []
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            block = (informal_block(data["informal_statement"], data["informal_proof"])
                     + _coq_opening(data["formal_statement"]) + data["sketch"].strip() + "\nQed.")
            examples.append(Example(data["problem"], block))
        return examples
    if system == "isabelle":
        return [Example(d["tag"], d["prompt"].strip())
                for d in (json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json")))]
    raise ValueError(f"Draft-Sketch-Prove has no examples for system {system!r} (coq, isabelle)")


def _resolve(path: str | None) -> Path | None:
    if not path:
        return None
    p = Path(path)
    return p if p.is_absolute() else REPO_ROOT / p


def _default_folder(system: str, bench: DictConfig | Mapping[str, Any]) -> Path:
    if system == "isabelle":  # the shared data's dsp/ folder sits beside its minif2f/ folder
        return _resolve(bench["data_root"]).parent / "dsp"
    return EXAMPLES_DIR / system


def examples_for(bench: DictConfig | Mapping[str, Any]) -> list[Example]:
    """The few-shot examples of the configured system (benchmark.dsp.examples, or its default)."""
    system = bench["system"]
    return load_examples(system, _resolve(bench["dsp"]["examples"]) or _default_folder(system, bench))


def example_problems(bench: DictConfig | Mapping[str, Any]) -> set[str]:
    """Every problem used as a few-shot example, for any system: all are left out of i2f runs."""
    names = {e.problem for system in ("coq", "isabelle") for e in load_examples(system, _default_folder(system, bench))}
    if bench["system"] in ("coq", "isabelle"):
        names |= {e.problem for e in examples_for(bench)}
    return names


def query_block(theorem: Theorem) -> str:
    meta = theorem.meta
    head = informal_block(meta.get("informal_statement", ""), meta.get("informal_proof", ""))
    if theorem.system == "coq":
        return head + _coq_opening(theorem.statement)
    return head + theorem.statement.strip() + "\n"


def dsp_prompt(examples: Sequence[Example], theorem: Theorem) -> str:
    return "".join(e.block + "\n\n\n\n" for e in examples) + query_block(theorem)


# -- sketches ----------------------------------------------------------------------------

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


# -- closing holes -----------------------------------------------------------------------

@dataclass
class Filled:
    """The outcome of one sketch: the complete tactic script, or why it failed."""

    tactics: list[str] | None
    message: str = ""
    holes: int = 0
    kind: str = ""  # why it failed: step | hole | time | unfinished | empty


class HoleCloser:
    """Tries the system's automation on one hole; a tactic counts only if it proves that goal."""

    def __init__(self, env: Environment, system: str, timeout: float, hammer: bool) -> None:
        self.env, self.system, self.timeout, self.hammer = env, system, timeout, hammer

    def candidates(self, state: ProofState) -> list[str]:
        if self.system == "coq":
            names = [*COQ_CLOSERS, *(("hammer",) if self.hammer else ())]
            return [f"solve [ {t} ]" for t in names if available(t, state)]
        return list(DSP_HEURISTICS)

    def close(self, state: ProofState, deadline: float = math.inf) -> tuple[str, Progress | Finished] | None:
        if self.system == "isabelle" and self.hammer:
            # PisaEnvironment.sledgehammer: the DSP heuristics, then Sledgehammer
            outcome = self.env.sledgehammer(state)
            if isinstance(outcome, Progress):
                return outcome.state.path[-1], outcome
            return (outcome.path[-1], outcome) if isinstance(outcome, Finished) else None
        for tactic in self.candidates(state):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return None
            outcome = self.env.step(state, tactic, timeout=min(self.timeout, remaining))
            if isinstance(outcome, (Progress, Finished)):
                return tactic, outcome
        return None


def fill_sketch(env: Environment, root: ProofState, steps: Sequence[str | None], closer: HoleCloser,
                deadline: float = math.inf) -> Filled:
    """Run the sketch's steps from `root`, closing each hole with automation, until `deadline`
    (a `time.perf_counter()` value)."""
    state, tactics, holes = root, [], 0
    for number, step in enumerate(steps, 1):
        if time.perf_counter() >= deadline:
            return Filled(None, f"out of time at step {number}", holes, "time")
        if step is HOLE:
            holes += 1
            closed = closer.close(state, deadline)
            if closed is None:
                return Filled(None, f"hole {holes} (step {number}): no automation closes it", holes, "hole")
            tactic, outcome = closed
        else:
            tactic, outcome = step, env.step(state, step, timeout=min(closer.timeout, deadline - time.perf_counter()))
            if isinstance(outcome, (Error, GivenUp)):
                message = outcome.message if isinstance(outcome, Error) else "gave up"
                return Filled(None, f"step {number} {step!r}: {' '.join(message.split())[:200]}", holes, "step")
        tactics.append(tactic)
        if isinstance(outcome, Finished):
            return Filled(tactics, "", holes)
        state = outcome.state
    return Filled(None, "the sketch ends with goals left", holes, "unfinished")


# -- one problem ---------------------------------------------------------------------------

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


# -- sketch writers ----------------------------------------------------------------------

class FixedSketchWriter:
    """Sketches from a table {problem: [sketch, ...]} instead of a model; for baselines and tests."""

    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        self.table = {k: list(v) for k, v in table.items()}

    @classmethod
    def from_file(cls, path: str | Path) -> FixedSketchWriter:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def write(self, prompt: str, theorem: Theorem, n: int) -> list[Draft]:
        return [Draft(text) for text in self.table.get(theorem.name, [])[:n]]


class HFSketchWriter:
    """Sketches sampled from a Hugging Face causal LM continuing the DSP prompt; a prompt
    longer than the model's context keeps its end (the problem at hand)."""

    def __init__(self, path: str, sampling: SamplingParams, device: str = "cpu") -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.tokenizer.truncation_side = "left"
        self.model = AutoModelForCausalLM.from_pretrained(path).to(device).eval()
        self.sampling = sampling
        self.context = getattr(self.model.config, "max_position_embeddings", 2048)
        self.sampling.verify(self.context)
        self._lock = threading.Lock()  # workers share one model; the seed is global state

    def write(self, prompt: str, theorem: Theorem, n: int) -> list[Draft]:
        params = self.sampling
        budget = max(self.context - params.max_new_tokens, 1)
        inputs = self.tokenizer(prompt, return_tensors="pt", truncation=True, max_length=budget)
        sampled = not params.greedy
        options = (dict(do_sample=True, num_return_sequences=n, temperature=params.temperature, top_p=params.top_p,
                        top_k=params.top_k) if sampled else dict(do_sample=False))
        seed = params.seed_for(theorem.name)  # one stream per problem, reproducible, not shared by all problems
        with self._lock, self.torch.inference_mode():
            if seed is not None:
                self.torch.manual_seed(seed)
            out = self.model.generate(**inputs, **options, max_new_tokens=params.max_new_tokens,
                                      stop_strings=list(STOP), tokenizer=self.tokenizer,
                                      pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id)
        generated = out[:, inputs["input_ids"].shape[1]:]
        pad = self.tokenizer.pad_token_id
        return [Draft(self.tokenizer.decode(row, skip_special_tokens=True),
                      int((row != pad).sum()) if pad is not None else row.shape[0]) for row in generated]


def build_sketch_writer(model_cfg: DictConfig, dsp_cfg: DictConfig) -> SketchWriter:
    """The writer the `model` group describes: hf (a model), or fixed (dsp.sketches_file)."""
    model = OmegaConf.to_container(model_cfg, resolve=True)
    if model.get("policy") == "fixed":
        path = dsp_cfg.get("sketches_file")
        return FixedSketchWriter.from_file(path) if path else FixedSketchWriter({})
    if model.get("policy") == "hf":
        from prover.policies import resolve_model_path

        sampling = SamplingParams.from_config({**(model.get("sampling") or {}),
                                               "max_new_tokens": int(dsp_cfg.max_new_tokens)})
        return HFSketchWriter(resolve_model_path(str(model["path"])), sampling)
    raise ValueError(f"i2f supports model.policy hf or fixed, not {model.get('policy')!r}")
