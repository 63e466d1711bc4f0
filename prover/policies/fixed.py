"""FixedPolicy: candidates from a file or a config list instead of a model; for automation
baselines and tests.

A source is either a list (the same candidates for every state) or a per-goal table
`{"goals": {GOALS: [...]}, "default": [...]}` whose keys are matched against a state's
normalised goals. A candidate is `{"tactic": T, "logprob": L, "tokens": N}` (tokens
optional, used by length normalisation) or a bare string, which gets log-prob -rank (0 for
the first, -1 for the next, ...). A file is JSON (`.json`), YAML (`.yaml`, `.yml`) or
otherwise plain text with one tactic per line (blank lines skipped; Coq tactics hold `:`,
so plain text is never read as YAML). A malformed file is a ValueError naming it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from environments.base import ProofState, normalise_goals
from prover.policies.candidates import prefixes_for, rank
from search.policy import Candidate


def _candidates(entries: Sequence[Any], where: str) -> list[Candidate]:
    if isinstance(entries, (str, Mapping)) or not isinstance(entries, Sequence):
        raise ValueError(f"{where}: expected a list of tactics, got {type(entries).__name__}")
    out = []
    for i, entry in enumerate(entries):
        tokens = 0
        if isinstance(entry, str):
            tactic, logprob = entry, -float(i)
        elif isinstance(entry, Mapping) and "tactic" in entry:
            tactic, logprob = entry["tactic"], float(entry.get("logprob", -float(i)))
            tokens = int(entry.get("tokens", 0))
        else:
            raise ValueError(f"{where}[{i}]: expected a tactic string or {{tactic, logprob}}, got {entry!r}")
        if not (logprob <= 0 and math.isfinite(logprob)):
            raise ValueError(f"{where}[{i}]: logprob must be finite and <= 0, got {logprob!r}")
        out.append(Candidate(logprob, str(tactic), tokens))
    return out


class FixedPolicy:
    """Proposes the configured candidates, best first."""

    def __init__(self, source: Sequence[Any] | Mapping[str, Any]) -> None:
        if isinstance(source, Mapping):
            unknown = set(source) - {"goals", "default"}
            if unknown:
                raise ValueError(f"tactics table: unknown keys {sorted(unknown)} (expected 'goals', 'default')")
            goals = source.get("goals") or {}
            if not isinstance(goals, Mapping):
                raise ValueError(f"tactics table: 'goals' must map goals to tactic lists, got {type(goals).__name__}")
            self.table = {normalise_goals(str(g)): _candidates(c, f"goals[{g!r}]") for g, c in goals.items()}
            self.default = _candidates(source.get("default") or [], "default")
        else:
            self.table, self.default = {}, _candidates(source, "tactics")

    @classmethod
    def from_file(cls, path: str | Path) -> FixedPolicy:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".json":
                data = json.loads(text)
            elif path.suffix in (".yaml", ".yml"):
                data = yaml.safe_load(text)
            else:
                data = [line.strip() for line in text.splitlines() if line.strip()]
            return cls(data)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError, ValueError) as e:
            raise ValueError(f"tactics file {path}: {' '.join(str(e).split())}") from None

    def propose(self, states: Sequence[ProofState], k: int,
                prefixes: Sequence[str | None] | None = None) -> list[list[Candidate]]:
        """The state's candidates that start with its prefix, with their configured log-probs."""
        return [rank(self.table.get(s.key, self.default), k, head)
                for s, head in zip(states, prefixes_for(states, prefixes))]
