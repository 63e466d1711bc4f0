"""Corpus readers: every training source becomes an iterator of `Document`s.

Formats: Proof-Pile-2 `algebraic-stack` JSONL / JSONL.gz (`{"text", "meta"}`), Lean proof
steps (`[GOAL]…[PROOFSTEP]…`), Isabelle proof steps (`[STATEMENT]`/`[PROOF STATE]`/
`[PROOF STEP]`), LeanDojo benchmark JSON (`traced_tactics[].state_before` / `tactic`),
our Coq traces (`train.trace`), and source code trees (the from-scratch base corpus).
Proof steps are rendered with `prover.prompts`, so training text is the inference prompt.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from environments.coq_modules import coq_root, logical_name
from prover.premises import FilePremises
from prover.prompts import get_format
from train.splits import heldout_files
from train.trace import read_steps

_LEAN_STEP = re.compile(r"\[GOAL\](.*?)\[PROOFSTEP\](.*)", re.S)
_ISABELLE_STEP = re.compile(r"\[STATEMENT\](.*?)\[PROOF STATE\](.*?)\[PROOF STEP\](.*)", re.S)


@dataclass(frozen=True)
class Document:
    text: str
    source: str  # the corpus it came from (mixture key)
    id: str  # stable identifier, listed in decontamination reports
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


class CorpusError(ValueError):
    """A corpus file is not in the format its reader expects."""


def _jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CorpusError(f"{path}:{number}: not JSON ({exc.msg})") from None


JSONL = ("*.jsonl", "*.jsonl.gz")
# the formats whose folder is a set of shard files, each readable on its own
SHARD_PATTERNS: dict[str, tuple[str, ...]] = {
    "algebraic_stack": JSONL,
    "lean_proofsteps": JSONL,
    "isabelle_proofsteps": JSONL,
    "leandojo": ("*.json",),
}


def _files(path: Path, patterns: tuple[str, ...]) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for pattern in patterns for p in path.rglob(pattern))


def read_algebraic_stack(path: Path, source: str = "algebraic_stack") -> Iterator[Document]:
    """Proof-Pile-2 style JSONL(.gz): one `{"text": ..., "meta": {...}}` per line."""
    for file in _files(path, JSONL):
        for number, record in _jsonl(file):
            if "text" not in record:
                raise CorpusError(f"{file}:{number}: no 'text' field")
            yield Document(record["text"], source, f"{file.name}:{number}", record.get("meta") or {})


def _read_proofsteps(path: Path, source: str, pattern: re.Pattern, expected: str,
                     render: Callable[[tuple[str, ...]], str]) -> Iterator[Document]:
    for file in _files(path, JSONL):
        for number, record in _jsonl(file):
            match = pattern.match(record.get("text", "").strip())
            if match is None:
                raise CorpusError(f"{file}:{number}: not a {expected} record")
            yield Document(render(tuple(part.strip() for part in match.groups())), source, f"{file.name}:{number}")


def read_lean_proofsteps(path: Path, source: str = "lean_proofsteps") -> Iterator[Document]:
    """JSONL whose `text` is `[GOAL]<goals>[PROOFSTEP]<tactic>`, re-rendered in our format."""
    fmt = get_format("proofstep")
    return _read_proofsteps(path, source, _LEAN_STEP, "[GOAL]…[PROOFSTEP]…", lambda parts: fmt.example(*parts))


def read_isabelle_proofsteps(path: Path, source: str = "isabelle_proofsteps") -> Iterator[Document]:
    """JSONL whose `text` has `[STATEMENT]`, `[PROOF STATE]` and `[PROOF STEP]` sections."""
    fmt = get_format("isabelle-proofstep")
    return _read_proofsteps(path, source, _ISABELLE_STEP, "[STATEMENT]…[PROOF STATE]…[PROOF STEP]…",
                            lambda parts: fmt.example(parts[1], parts[2], parts[0]))


def read_leandojo(path: Path, source: str = "leandojo") -> Iterator[Document]:
    """LeanDojo benchmark JSON: a list of theorems, each with `traced_tactics`."""
    fmt = get_format("proofstep")
    for file in _files(path, SHARD_PATTERNS["leandojo"]):
        theorems = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(theorems, list):
            raise CorpusError(f"{file}: expected a JSON list of theorems")
        for theorem in theorems:
            name = theorem.get("full_name", "?")
            for index, step in enumerate(theorem.get("traced_tactics", [])):
                if "state_before" not in step or "tactic" not in step:
                    raise CorpusError(f"{file}: {name} step {index}: needs state_before and tactic")
                yield Document(fmt.example(step["state_before"], step["tactic"]), source, f"{name}#{index}")


def read_coq_traces(path: Path, source: str = "coq_steps", max_goal_chars: int = 4000, prompt_format: str = "proofstep",
                    premises_k: int | None = None, sources_root: str | None = None) -> Iterator[Document]:
    """Our `train.trace` output: one proof-step document per traced tactic, in `prompt_format`.
    A format with premises lists those ranked for the step's goals among the declarations
    before its theorem in its own source file (`sources_root`/FILE, default the Coq root), as
    the prover's search does from the theorem's context, and those of the libraries it imports
    (prover.premises); never a later lemma, never a held-out file's declaration."""
    fmt = get_format(prompt_format, premises_k)
    root = (Path(sources_root) if sources_root else coq_root()) if fmt.premises else None
    leave_out = frozenset(coq_root() / f for f in heldout_files()) if root else frozenset()
    file, declared = None, FilePremises("")
    for step in read_steps(path):
        if len(step["goals_before"]) > max_goal_chars:
            continue
        premises = []
        if root is not None:
            if step["file"] != file:
                file = step["file"]
                text = (root / file).read_text(encoding="utf-8", errors="replace")
                declared = FilePremises(text, logical_name(root / file, root), leave_out)
            ranked = declared.ranker_at(step["line"], step["theorem"]).rank(step["goals_before"], fmt.premises)
            premises = [premise for _, premise in ranked]
        yield Document(fmt.example(step["goals_before"], step["tactic"], premises=premises), source,
                       f"{step['file']}:{step['line']}", {"file": step["file"], "theorem": step["theorem"]})


def read_code(path: Path, source: str = "code", pattern: str = "*.py", max_chars: int = 200_000,
              exclude: tuple[str, ...] = ("test", "tests", "site-packages"),
              file_prefix: str | None = None) -> Iterator[Document]:
    """Source files under `path` (e.g. the Python standard library) as documents; folders
    named in `exclude` are skipped (test suites are mostly data, site-packages not stdlib).
    With `file_prefix` (Coq sources: `path` relative to the Coq root), each document names its
    file `prefix/relative path`, as traces do, so the held-out split applies to it."""
    for file in sorted(path.rglob(pattern)):
        if not file.is_file() or any(part in exclude for part in file.relative_to(path).parts[:-1]):
            continue
        text = file.read_text(encoding="utf-8", errors="replace")
        if 0 < len(text) <= max_chars:
            rel = str(file.relative_to(path))
            yield Document(text, source, rel, {"file": f"{file_prefix}/{rel}"} if file_prefix else {})


READERS: dict[str, Callable[..., Iterator[Document]]] = {
    "algebraic_stack": read_algebraic_stack,
    "lean_proofsteps": read_lean_proofsteps,
    "isabelle_proofsteps": read_isabelle_proofsteps,
    "leandojo": read_leandojo,
    "coq_traces": read_coq_traces,
    "code": read_code,
}


def source_files(format: str, path: str | Path) -> list[Path]:
    """The units a source can be read in, in a stable order: its shard files, or the
    whole path for readers of a folder (code trees, Coq traces)."""
    path = Path(path)
    return _files(path, SHARD_PATTERNS[format]) if format in SHARD_PATTERNS else [path]


def read_source(format: str, path: str | Path, name: str, **options: Any) -> Iterator[Document]:
    """Documents of one configured source (`format` names a reader in READERS)."""
    if format not in READERS:
        raise CorpusError(f"unknown corpus format {format!r} (choose from {', '.join(READERS)})")
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"{name}: {path} does not exist")
    return READERS[format](path, source=name, **options)
