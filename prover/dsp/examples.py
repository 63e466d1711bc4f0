"""Draft-Sketch-Prove's few-shot examples and where they live.

`prover/dsp_examples/coq/*.json` are hand-written (each checked with coqc); the Isabelle
ones are the Draft-Sketch-Prove paper's prompts (`../shared/data/dsp/`). Their problems are
left out of every i2f evaluation (`example_problems`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from omegaconf import DictConfig

from configs import REPO_ROOT

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "dsp_examples"


@dataclass(frozen=True)
class Example:
    """One few-shot example: its problem name and its complete prompt block."""

    problem: str
    block: str


def informal_block(statement: str, proof: str) -> str:
    """The informal half of a prompt block: the problem and its solution in a comment."""
    return f"Informal:\n(*### Problem\n\n{statement.strip()}\n\n### Solution\n\n{proof.strip()}*)\n\nFormal:\n"


def coq_opening(statement: str) -> str:
    """A Coq statement and the `Proof.` a sketch continues."""
    return f"{statement.strip()}\nProof.\n"


def load_examples(system: str, folder: Path) -> list[Example]:
    """The few-shot examples for `system`, sorted by problem name."""
    if system == "coq":
        examples = []
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            block = (informal_block(data["informal_statement"], data["informal_proof"])
                     + coq_opening(data["formal_statement"]) + data["sketch"].strip() + "\nQed.")
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
